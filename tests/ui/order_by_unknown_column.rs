// A relationship's `order_by` names columns of the related model.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author, order_by = "created desc")]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    created_at: i64,
    title: String,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
}

fn main() {}
