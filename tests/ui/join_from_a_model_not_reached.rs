// A join starts at the query's model or at a model an earlier join reached.
use relations::{BelongsTo, Db, Model};

#[derive(Model)]
struct User {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

#[derive(Model)]
struct Tag {
    id: i64,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = Tag::query(&db).join(Post::AUTHOR).all();
}
