// The convention of every foreign key is `<model in snake_case>_id`, whatever the table is
// called: `Book` (table `books`) looks for `book_id` in its association model.
use relations::{BelongsTo, ManyToMany, Model};

#[derive(Model)]
#[model(table = books)]
struct Book {
    id: i64,
    #[many_to_many(Author, through = Credit)]
    authors: ManyToMany<Author>,
}

#[derive(Model)]
struct Author {
    id: i64,
}

#[derive(Model)]
struct Credit {
    #[key]
    #[belongs_to(Book, column = books_id)]
    book: BelongsTo<Book>,
    #[key]
    #[belongs_to(Author)]
    author: BelongsTo<Author>,
}

fn main() {}
