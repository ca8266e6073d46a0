// Only columns can be part of the primary key: `#[key]` on a `has_many` must be rejected.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[key]
    #[has_many(Post)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn main() {}
