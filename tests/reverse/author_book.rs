//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, Model};

/// The `author` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Author {
    pub id: i64,
    #[has_many(Book, inverse = author)]
    pub books: HasMany<Book>,
}

/// The `book` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Book {
    pub id: i64,
    #[belongs_to(Author, inverse = books)]
    pub author: BelongsTo<Option<Author>>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Author, Book)>()?;
    Ok(())
}
