// A `has_many` without `inverse` finds its foreign key by convention (`user_id`); a target
// without that column must be rejected at the attribute.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, column = writer_id)]
    author: BelongsTo<User>,
}

fn main() {}
