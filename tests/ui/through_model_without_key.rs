// A `many_to_many(through = Model)` needs the association model's two foreign keys; one
// missing must be rejected at compile time, not found missing at run time.
use relations::{BelongsTo, ManyToMany, Model};

#[derive(Model)]
struct Book {
    id: i64,
    #[many_to_many(Author, through = BookAuthor)]
    authors: ManyToMany<Author>,
}

#[derive(Model)]
struct Author {
    id: i64,
}

#[derive(Model)]
struct BookAuthor {
    #[key]
    #[belongs_to(Book, column = work_id)]
    work: BelongsTo<Book>,
    #[key]
    #[belongs_to(Author)]
    author: BelongsTo<Author>,
}

fn main() {}
