// An ORM `delete` cascade and the foreign key's `ON DELETE RESTRICT` contradict each other.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author, cascade = "all")]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = posts, on_delete = "restrict")]
    author: BelongsTo<User>,
}

fn main() {}
