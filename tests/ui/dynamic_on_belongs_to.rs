// `lazy = "dynamic"` turns a collection into a query; a to-one relationship has no collection.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = posts, lazy = "dynamic")]
    author: BelongsTo<User>,
}

fn main() {}
