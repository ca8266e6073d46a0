//! The one-to-many walkthrough (seed 000): authors and books, `backref='author'`.

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct Author {
    id: i64,
    #[has_many(Book, inverse = author)]
    books: HasMany<Book>,
}

#[derive(Model, Debug)]
struct Book {
    id: i64,
    // `author_id`, nullable: the walkthrough declares no `nullable=False`
    #[belongs_to(Author)]
    author: BelongsTo<Option<Author>>,
}

fn main() -> Result<()> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    read_back(&db)
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(Author, Book)>()?;

    // Step 3: create author1; its id is assigned on insert
    let author1 = db.add(Author::default())?;
    assert!(author1.books(db).all()?.is_empty()); // no book is linked yet

    // Step 4: create book1 and book2 with author_id = author1.id
    db.add(Book { author: BelongsTo::from_key(Some(author1.id)), ..Default::default() })?;
    db.add(Book { author: BelongsTo::from_key(Some(author1.id)), ..Default::default() })?;
    Ok(())
}

fn read_back(db: &Db) -> Result<()> {
    let author1 = Author::get(db, 1)?.ok_or(Error::NotFound { table: "author", key: "1".into() })?;
    let book1 = Book::get(db, 1)?.ok_or(Error::NotFound { table: "book", key: "1".into() })?;

    // Step 5: author1.books -> [book1, book2]
    let books: Vec<String> = author1.books(db).load()?.iter().map(|b| format!("'Book {}'", b.id)).collect();
    println!("author1.books: [{}]", books.join(", "));

    // Step 6: book1.author -> author1
    let author = book1.author(db).load()?;
    println!("book1.author: Author {}", author.map_or(0, |a| a.id));
    println!("book1.author is author1: {}", common::py(author.is_some_and(|a| a.id == author1.id)));
    Ok(())
}
