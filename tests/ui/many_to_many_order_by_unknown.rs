// A many-to-many through an association model orders by a column of the target or of the
// association model; one of neither is refused, naming both models' columns.
use relations::{BelongsTo, ManyToMany, Model};

#[derive(Model)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Model)]
struct Book {
    id: i64,
    #[many_to_many(Author, through = BookAuthor, order_by = "postion")]
    authors: ManyToMany<Author>,
}

#[derive(Model)]
struct BookAuthor {
    #[key]
    #[belongs_to(Book)]
    book: BelongsTo<Book>,
    #[key]
    #[belongs_to(Author)]
    author: BelongsTo<Author>,
    position: i64,
}

fn main() {}
