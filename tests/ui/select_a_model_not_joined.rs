// A projection selects columns of the models the query reaches; a relationship aggregate reads
// its owner's row, so the query must reach the owner.
use relations::{count, BelongsTo, Db, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    name: String,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    title: String,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = Post::query(&db).select((Post::title, User::name)).all();
    let _ = Post::query(&db).select(User::POSTS.count()).all();
    // these compile
    let _ = Post::query(&db).join(Post::AUTHOR).select((Post::title, User::name)).all();
    let _ = User::query(&db).select((User::name, User::POSTS.count(), count())).group_by(User::name).all();
}
