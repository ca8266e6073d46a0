// A query orders, filters and selects by columns of the models it reaches: its own and those
// it joins. `Author` is neither for a `Loan` query without a join: the statement would fail in
// the database, so it does not compile.
use relations::{BelongsTo, Db, Model};

#[derive(Model)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Model)]
struct Book {
    id: i64,
    #[belongs_to(Author)]
    author: BelongsTo<Author>,
}

#[derive(Model)]
struct Loan {
    id: i64,
    #[belongs_to(Book)]
    book: BelongsTo<Book>,
}

fn main() {
    let db = Db::open_in_memory().unwrap();
    let _ = Loan::query(&db).order_by(Author::name).all();
    // joined, it compiles
    let _ = Loan::query(&db).join(Loan::BOOK).join(Book::AUTHOR).order_by(Author::name).all();
    let _ = Loan::query(&db).filter(Book::id.eq(1)).all();
}
