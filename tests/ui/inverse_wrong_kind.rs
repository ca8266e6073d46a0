// The inverse of a `has_many` is a `belongs_to`; naming a many-to-many must be rejected.
use relations::{BelongsTo, HasMany, ManyToMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = readers)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User)]
    author: BelongsTo<User>,
    #[many_to_many(User, through = post_readers)]
    readers: ManyToMany<User>,
}

fn main() {}
