// A misspelled `inverse` lists the relationships that exist, the closest first.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = auther)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, column = editor_id)]
    editor: BelongsTo<User>,
    #[belongs_to(User)]
    author: BelongsTo<User>,
    #[has_many(Comment)]
    comments: HasMany<Comment>,
}

#[derive(Model)]
struct Comment {
    id: i64,
    #[belongs_to(Post)]
    post: BelongsTo<Post>,
}

fn main() {}
