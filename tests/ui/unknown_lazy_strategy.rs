// `lazy` takes one of SQLAlchemy's strategy names.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author, lazy = "eager")]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
}

fn main() {}
