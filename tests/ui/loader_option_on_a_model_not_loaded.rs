// A loader option's `order_by` and `filter` name columns of the relationship it loads (or of
// its association model). In a chain, `.selectinload(Post::COMMENTS)` nests an option and
// returns the outer one: an `order_by(Comment::id)` after it would order the posts, by a
// column their statement does not have.
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
    let _ = User::query(&db).options(selectinload(User::POSTS).selectinload(Post::COMMENTS).order_by(Comment::id)).all();
    // on the option that loads the comments, it compiles
    let _ = User::query(&db).options(selectinload(User::POSTS).then(selectinload(Post::COMMENTS).order_by(Comment::id))).all();
}
