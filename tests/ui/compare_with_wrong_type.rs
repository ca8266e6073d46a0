// A column compares with a value, a column or a term of its own type.
use relations::{Db, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[column(len = 80)]
    username: String,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = User::query(&db).filter(User::id.eq("3"));
}
