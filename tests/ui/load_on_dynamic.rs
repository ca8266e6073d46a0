// `.load()` on a `lazy = "dynamic"` relationship: it is a query, it keeps nothing to load.
use relations::{BelongsTo, Db, HasMany, Model};

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
    let user = User::get(&db, 1).unwrap().unwrap();
    let _ = user.posts(&db).load();
}
