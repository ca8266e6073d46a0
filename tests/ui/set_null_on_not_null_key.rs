// `on_delete = "set null"` needs a foreign key that can be NULL.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct User {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, on_delete = "set null")]
    author: BelongsTo<User>,
}

fn main() {}
