// A `has_many` foreign key must hold the owner's key type: naming a `String` column must be
// rejected at the column's name.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, foreign_key = title)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    title: String,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn main() {}
