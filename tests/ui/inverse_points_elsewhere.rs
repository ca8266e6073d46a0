// The inverse must point back at this model, not at a third one.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = blog)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Blog {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(Blog)]
    blog: BelongsTo<Blog>,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn main() {}
