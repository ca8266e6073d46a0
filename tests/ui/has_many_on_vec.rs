// A relationship attribute on a field that is not a relationship type must be rejected.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post)]
    posts: Vec<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn main() {}
