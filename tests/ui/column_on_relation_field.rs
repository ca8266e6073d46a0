// `#[column]` options on a relationship field must be rejected, pointing at the right place.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct User {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[column(unique)]
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn main() {}
