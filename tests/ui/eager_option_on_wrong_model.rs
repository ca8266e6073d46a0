// A loader option is typed by the relationship's owner: nesting `User::POSTS` under a
// relationship to `Comment` does not compile.
use relations::{selectinload, BelongsTo, Db, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
    #[has_many(Comment, inverse = post)]
    comments: HasMany<Comment>,
}

#[derive(Model)]
struct Comment {
    id: i64,
    #[belongs_to(Post, inverse = comments)]
    post: BelongsTo<Post>,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = User::query(&db).options(selectinload(User::POSTS).selectinload(User::POSTS)).all();
}
