// A relationship field without its attribute cannot be a column; say which attribute to add.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn main() {}
