// The struct's field types must be the selection's types, in order.
use relations::{Db, FromRow, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[column(len = 80)]
    username: String,
}

#[derive(FromRow)]
struct Names {
    id: String,
    username: String,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = User::query(&db).select((User::id, User::username)).into_struct::<Names>();
}
