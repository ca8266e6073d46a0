//! Practice exercise 1, a library: books ↔ authors through a plain table, and loans as an
//! association model with its own columns (the borrow and return dates).

mod common;

use relations::chrono::NaiveDate;
use relations::prelude::*;

#[derive(Model, Debug)]
struct Author {
    id: i64,
    #[column(len = 100)]
    name: String,
}

#[derive(Model, Debug)]
struct Book {
    id: i64,
    #[column(len = 200)]
    title: String,
    #[column(unique, len = 13)]
    isbn: Option<String>,
    // plain association table `book_authors`; `Author::books` is generated on the other side
    #[many_to_many(Author, through = book_authors, backref = books)]
    authors: ManyToMany<Author>,
    #[has_many(BookLoan, inverse = book)]
    loans: HasMany<BookLoan>,
}

#[derive(Model, Debug)]
struct Borrower {
    id: i64,
    #[column(len = 100)]
    name: String,
    #[column(unique, len = 120)]
    email: String,
    #[has_many(BookLoan, inverse = borrower)]
    loans: HasMany<BookLoan>,
}

/// An association model: a borrower has (had) a book, with the dates.
#[derive(Model, Debug)]
struct BookLoan {
    #[key]
    #[belongs_to(Borrower, inverse = loans)]
    borrower: BelongsTo<Borrower>,
    #[key]
    #[belongs_to(Book, inverse = loans)]
    book: BelongsTo<Book>,
    #[column(default = today)]
    borrowed_on: NaiveDate,
    returned_on: Option<NaiveDate>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date")
}

fn main() -> Result<()> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    read_back(&db)
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(Author, Book, Borrower, BookLoan)>()?;

    let gaiman = db.add(Author { name: "Neil Gaiman".into(), ..Default::default() })?;
    let pratchett = db.add(Author { name: "Terry Pratchett".into(), ..Default::default() })?;
    let good_omens =
        db.add(Book { title: "Good Omens".into(), isbn: Some("9780060853983".into()), ..Default::default() })?;
    good_omens.authors(db).extend([&gaiman, &pratchett])?;
    let american_gods =
        db.add(Book { title: "American Gods".into(), isbn: Some("9780380789030".into()), ..Default::default() })?;
    american_gods.authors(db).add(&gaiman)?;
    let mort = db.add(Book { title: "Mort".into(), isbn: Some("9780552131063".into()), ..Default::default() })?;
    mort.authors(db).add(&pratchett)?;
    let ann = db.add(Borrower { name: "Ann Lee".into(), email: common::mail("ann"), ..Default::default() })?;
    let ben = db.add(Borrower { name: "Ben Ortiz".into(), email: common::mail("ben"), ..Default::default() })?;

    db.add_all([
        BookLoan {
            borrower: BelongsTo::to(&ann),
            book: BelongsTo::to(&good_omens),
            borrowed_on: date(2024, 3, 1),
            returned_on: None,
        },
        BookLoan {
            borrower: BelongsTo::to(&ann),
            book: BelongsTo::to(&mort),
            borrowed_on: date(2024, 3, 5),
            returned_on: None,
        },
        BookLoan {
            borrower: BelongsTo::to(&ben),
            book: BelongsTo::to(&good_omens),
            borrowed_on: date(2024, 2, 10),
            returned_on: Some(date(2024, 2, 24)),
        },
    ])?;
    // Ann returns Mort
    let mut loan =
        BookLoan::query(db).filter_by(BookLoan::borrower_id, ann.id).filter_by(BookLoan::book_id, mort.id).one()?;
    loan.returned_on = Some(date(2024, 3, 19));
    loan.update(db)?;
    Ok(())
}

fn read_back(db: &Db) -> Result<()> {
    for author in Author::query(db).order_by(Author::name).all()? {
        let mut titles: Vec<String> = author.books(db).all()?.into_iter().map(|b| b.title).collect();
        titles.sort();
        println!("{} wrote: {}", author.name, titles.join(", "));
    }
    let good_omens = Book::query(db).filter_by(Book::title, "Good Omens").one()?;
    let mut names: Vec<&str> = good_omens.authors(db).load()?.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    println!("Authors of Good Omens: {}", names.join(", "));
    for borrower in Borrower::query(db).order_by(Borrower::name).all()? {
        println!("{}'s loans:", borrower.name);
        let mut loans: Vec<&BookLoan> = borrower.loans(db).load()?.iter().collect();
        loans.sort_by_key(|l| l.borrowed_on);
        for loan in loans {
            let state = match loan.returned_on {
                Some(d) => format!("returned {d}"),
                None => "on loan".to_string(),
            };
            println!("- {} (borrowed {}, {state})", loan.book(db).load()?.title, loan.borrowed_on);
        }
    }
    let mut borrowers = Vec::new();
    for loan in good_omens.loans(db).load()? {
        borrowers.push(loan.borrower(db).load()?.name.clone());
    }
    borrowers.sort();
    println!("Borrowers of Good Omens: {}", borrowers.join(", "));
    let out = BookLoan::query(db).filter(BookLoan::returned_on.is_null()).count()?;
    println!("Books currently on loan: {out}");
    Ok(())
}
