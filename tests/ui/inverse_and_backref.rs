// `inverse` (the other side exists) and `backref` (generate it) exclude each other.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct User {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = posts, backref = writings)]
    author: BelongsTo<User>,
}

fn main() {}
