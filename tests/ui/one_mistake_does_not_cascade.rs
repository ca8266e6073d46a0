// A column option on a field of an unknown type is one mistake: the model's relationship
// items are still generated, so its uses elsewhere raise nothing more.
use relations::{BelongsTo, Db, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[column(len = 80)]
    title: Strin,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let post = Post::get(&db, 1).unwrap().unwrap();
    let _ = post.author(&db).load();
    let _ = Post::AUTHOR;
}
