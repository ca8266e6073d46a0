// Both sides must agree: `User.posts` names `Post.author`, which names another inverse.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
    #[has_many(Post, foreign_key = user_id)]
    drafts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = drafts)]
    author: BelongsTo<User>,
}

fn main() {}
