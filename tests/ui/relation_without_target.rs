// A relationship names its target model first; `#[has_many]` alone must be rejected.
use relations::{HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many]
    posts: HasMany<User>,
}

fn main() {}
