// A `lazy = "dynamic"` relationship keeps no rows, so no loader option can load it.
use relations::{selectinload, BelongsTo, Db, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author, lazy = "dynamic")]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = User::query(&db).options(selectinload(User::POSTS)).all();
}
