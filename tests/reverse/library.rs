//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, ManyToMany, Model};

/// The `author` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Author {
    pub id: i64,
    #[column(len = 100)]
    pub name: String,
}

/// The `book` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Book {
    pub id: i64,
    #[column(len = 200)]
    pub title: String,
    #[column(unique, len = 13)]
    pub isbn: Option<String>,
    #[has_many(BookLoan, inverse = book)]
    pub book_loans: HasMany<BookLoan>,
    #[many_to_many(Author, through = book_authors, local = "book_id", remote = "author_id", backref = books)]
    pub authors: ManyToMany<Author>,
}

/// The `borrower` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Borrower {
    pub id: i64,
    #[column(len = 100)]
    pub name: String,
    #[column(unique, len = 120)]
    pub email: String,
    #[has_many(BookLoan, inverse = borrower)]
    pub book_loans: HasMany<BookLoan>,
}

/// The `book_loan` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct BookLoan {
    #[key]
    #[belongs_to(Borrower, inverse = book_loans)]
    pub borrower: BelongsTo<Borrower>,
    #[key]
    #[belongs_to(Book, inverse = book_loans)]
    pub book: BelongsTo<Book>,
    pub borrowed_on: relations::chrono::NaiveDate,
    pub returned_on: Option<relations::chrono::NaiveDate>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Author, Book, Borrower, BookLoan)>()?;
    Ok(())
}
