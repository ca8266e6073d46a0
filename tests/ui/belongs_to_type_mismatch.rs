// The attribute's model and the field's type parameter must agree.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct User {
    id: i64,
}

#[derive(Model)]
struct Tag {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User)]
    author: BelongsTo<Tag>,
}

fn main() {}
