// `local` names a column of the association model that references another table.
use relations::{BelongsTo, ManyToMany, Model};

#[derive(Model)]
struct Book {
    id: i64,
    #[many_to_many(Author, through = BookAuthor, local = author_id, remote = book_id)]
    authors: ManyToMany<Author>,
}

#[derive(Model)]
struct Author {
    id: i64,
}

#[derive(Model)]
struct BookAuthor {
    #[key]
    #[belongs_to(Book)]
    book: BelongsTo<Book>,
    #[key]
    #[belongs_to(Author)]
    author: BelongsTo<Author>,
}

fn main() {}
