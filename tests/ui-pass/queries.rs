// The query shapes the guide shows compile with the types they say.
use relations::{count, BelongsTo, Db, FromRow, HasMany, Model, Snapshot};

#[derive(Model)]
struct User {
    id: i64,
    #[column(len = 80)]
    username: String,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
    loaded: Snapshot,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[column(len = 80)]
    title: String,
    views: i64,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
}

#[derive(FromRow)]
struct AuthorPosts {
    username: String,
    posts: i64,
}

fn main() -> relations::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_all::<(User, Post)>()?;
    let _: Vec<AuthorPosts> =
        User::query(&db).select((User::username, User::POSTS.count())).into_struct::<AuthorPosts>().all()?;
    let _: Vec<(i64, i64, Option<i64>)> =
        Post::query(&db).select((Post::user_id, count(), Post::views.sum())).group_by(Post::user_id).all()?;
    let _: u64 = Post::query(&db).filter(Post::views.lt(1)).set(Post::views, Post::views + 1).update()?;
    Ok(())
}
