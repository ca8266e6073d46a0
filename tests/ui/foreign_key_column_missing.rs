// `foreign_key = ...` naming a column the target does not have: the columns it has, closest
// first.
use relations::{HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, foreign_key = owner_id)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    owner: i64,
    title: String,
}

fn main() {}
