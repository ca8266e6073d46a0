//! A many-to-many through an association model with columns of its own (`BookAuthor`, with
//! the author's position on the book): its columns work wherever SQLAlchemy lets them — in a
//! relationship aggregate's and an `any`'s condition, after a join through the relationship,
//! on a relationship handle, in a loader option — on both backends.

use crate::common;

use relations::{count, joinedload, selectinload, subqueryload, BelongsTo, ManyToMany, Model};

#[derive(Model, Debug, Clone, PartialEq)]
struct Author {
    id: i64,
    #[column(len = 80)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Book {
    id: i64,
    #[column(len = 100)]
    title: String,
    #[many_to_many(Author, through = BookAuthor)]
    authors: ManyToMany<Author>,
}

/// Who wrote a book, in which place on its cover.
#[derive(Model, Debug, Clone, PartialEq)]
struct BookAuthor {
    #[key]
    #[belongs_to(Book)]
    book: BelongsTo<Book>,
    #[key]
    #[belongs_to(Author)]
    author: BelongsTo<Author>,
    position: i64,
}

/// Two books: "Pairs" by bo (1st) and al (2nd); "Solo" by al alone.
fn library() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Author, Book, BookAuthor)>().unwrap();
    let al = db.add(Author { name: "al".into(), ..Default::default() }).unwrap();
    let bo = db.add(Author { name: "bo".into(), ..Default::default() }).unwrap();
    let pairs = db.add(Book { title: "Pairs".into(), ..Default::default() }).unwrap();
    let solo = db.add(Book { title: "Solo".into(), ..Default::default() }).unwrap();
    for (book, author, position) in [(&pairs, &bo, 1), (&pairs, &al, 2), (&solo, &al, 1)] {
        db.add(BookAuthor { book: BelongsTo::to(book), author: BelongsTo::to(author), position }).unwrap();
    }
    db
}

fn link_columns_in_relationship_aggregates_and_any() {
    let db = library();
    // per book, its authors in a second place or later: one statement
    let later: Vec<(String, i64)> = db.assert_statements(1, || {
        Book::query(&db).select((Book::title, Book::AUTHORS.count_where(BookAuthor::position.ge(2)))).all().unwrap()
    });
    assert_eq!(later, [("Pairs".to_string(), 1), ("Solo".to_string(), 0)]);
    // the books whose first author is al
    let firsts: Vec<String> = Book::query(&db)
        .filter(Book::AUTHORS.any(BookAuthor::position.eq(1).and(Author::name.eq("al"))))
        .select(Book::title)
        .all()
        .unwrap();
    assert_eq!(firsts, ["Solo"]);
    // and negated, nested in a projection's filter
    let n = Book::query(&db).filter(Book::AUTHORS.any(BookAuthor::position.ge(3)).not()).select(count()).one().unwrap();
    assert_eq!(n, 2);
}

fn link_columns_after_a_join_through_the_relationship() {
    let db = library();
    let rows: Vec<(String, String, i64)> = db.assert_statements(1, || {
        Book::query(&db)
            .join(Book::AUTHORS)
            .order_by(Book::title)
            .order_by(BookAuthor::position)
            .select((Book::title, Author::name, BookAuthor::position))
            .all()
            .unwrap()
    });
    assert_eq!(
        rows,
        [("Pairs".to_string(), "bo".to_string(), 1), ("Pairs".into(), "al".into(), 2), ("Solo".into(), "al".into(), 1)]
    );
    let second: Vec<String> =
        Book::query(&db).join(Book::AUTHORS).filter(BookAuthor::position.eq(2)).select(Book::title).all().unwrap();
    assert_eq!(second, ["Pairs"]);
}

fn link_columns_on_a_relationship_handle() {
    let db = library();
    let pairs = Book::query(&db).filter_by(Book::title, "Pairs").one().unwrap();
    let names = |authors: Vec<Author>| authors.into_iter().map(|a| a.name).collect::<Vec<_>>();
    let in_place = db.assert_statements(1, || pairs.authors(&db).order_by(BookAuthor::position).all().unwrap());
    assert_eq!(names(in_place), ["bo", "al"]);
    let first = pairs.authors(&db).filter(BookAuthor::position.eq(1)).all().unwrap();
    assert_eq!(names(first), ["bo"]);
    assert_eq!(pairs.authors(&db).filter(BookAuthor::position.ge(1)).count().unwrap(), 2);
    // the other book's links are not read: the scope holds
    let solo = Book::query(&db).filter_by(Book::title, "Solo").one().unwrap();
    assert_eq!(names(solo.authors(&db).order_by(BookAuthor::position.desc()).all().unwrap()), ["al"]);
    // and without a link column, the plain scope as before
    assert_eq!(names(pairs.authors(&db).order_by(Author::name).all().unwrap()), ["al", "bo"]);
}

fn link_columns_in_a_loader_option() {
    let db = library();
    let books = db.assert_statements(2, || {
        Book::query(&db).options(selectinload(Book::AUTHORS).order_by(BookAuthor::position.desc())).all().unwrap()
    });
    let names: Vec<&str> = books[0].authors.loaded().unwrap().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["al", "bo"]);
}

/// The same shape, its order declared on the association model's column
/// (`relationship(order_by=Credit.position.desc())`).
#[derive(Model, Debug, Clone, PartialEq)]
struct Anthology {
    id: i64,
    #[column(len = 100)]
    title: String,
    #[many_to_many(Author, through = Credit, order_by = "position desc")]
    authors: ManyToMany<Author>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Credit {
    #[key]
    #[belongs_to(Anthology)]
    anthology: BelongsTo<Anthology>,
    #[key]
    #[belongs_to(Author)]
    author: BelongsTo<Author>,
    position: i64,
}

fn a_declared_order_on_the_association_models_column_holds_for_every_strategy() {
    let db = library();
    db.create_all::<(Anthology, Credit)>().unwrap();
    let authors: Vec<Author> = Author::query(&db).all().unwrap();
    for (title, order) in [("Mixed", [(0, 2), (1, 3)]), ("Other", [(1, 1), (0, 5)])] {
        let a = db.add(Anthology { title: title.into(), ..Default::default() }).unwrap();
        for (author, position) in order {
            db.add(Credit { anthology: BelongsTo::to(&a), author: BelongsTo::to(&authors[author]), position }).unwrap();
        }
    }
    // highest position first: Mixed is bo (3), al (2); Other is al (5), bo (1)
    let expected = [vec!["bo", "al"], vec!["al", "bo"]];
    let names = |a: &Anthology| -> Vec<String> { a.authors.loaded().unwrap().iter().map(|x| x.name.clone()).collect() };
    for strategy in ["lazy", "selectin", "joined", "subquery", "handle", "preload"] {
        let anthologies = match strategy {
            "selectin" => Anthology::query(&db).options(selectinload(Anthology::AUTHORS)).all().unwrap(),
            "joined" => Anthology::query(&db).options(joinedload(Anthology::AUTHORS)).all().unwrap(),
            "subquery" => Anthology::query(&db).options(subqueryload(Anthology::AUTHORS)).all().unwrap(),
            _ => Anthology::query(&db).all().unwrap(),
        };
        for (a, want) in anthologies.iter().zip(&expected) {
            let got: Vec<String> = match strategy {
                "lazy" => a.authors(&db).load().unwrap().iter().map(|x| x.name.clone()).collect(),
                "handle" => a.authors(&db).all().unwrap().into_iter().map(|x| x.name).collect(),
                "preload" => {
                    db.preload(std::slice::from_ref(a), selectinload(Anthology::AUTHORS)).unwrap();
                    names(a)
                }
                _ => names(a),
            };
            assert_eq!(&got, want, "{strategy} of {}", a.title);
        }
    }
}

both_backends!(
    link_columns_in_relationship_aggregates_and_any,
    link_columns_after_a_join_through_the_relationship,
    link_columns_in_a_loader_option,
    link_columns_on_a_relationship_handle,
    a_declared_order_on_the_association_models_column_holds_for_every_strategy,
);
