//! Migrations through three schema versions, on both backends: each written from the
//! difference between the database and the models, applied, its rows kept, and reverted.

mod common;

use relations::catalog::Catalog;
use relations::migrate::{diff, Migrations, Renames, State};
use relations::{Db, Error, Model};

mod v1 {
    use relations::{BelongsTo, HasMany, Model};

    #[derive(Model, Debug)]
    pub struct Author {
        pub id: i64,
        #[column(len = 80)]
        pub name: String,
        #[has_many(Book, inverse = author)]
        pub books: HasMany<Book>,
    }

    #[derive(Model, Debug)]
    pub struct Book {
        pub id: i64,
        #[column(len = 200)]
        pub title: String,
        #[belongs_to(Author, inverse = books)]
        pub author: BelongsTo<Author>,
    }
    pub type All = (Author, Book);
}

/// A nullable column and a `NOT NULL` one, a longer `VARCHAR`, an index, a new table.
mod v2 {
    use relations::{BelongsTo, Model};

    #[derive(Model, Debug)]
    pub struct Author {
        pub id: i64,
        #[column(len = 120)]
        pub name: String,
        #[column(len = 200)]
        pub email: Option<String>,
    }

    #[derive(Model, Debug)]
    pub struct Book {
        pub id: i64,
        #[column(len = 200, index)]
        pub title: String,
        #[belongs_to(Author)]
        pub author: BelongsTo<Author>,
        pub pages: i64,
    }

    #[derive(Model, Debug)]
    pub struct Review {
        pub id: i64,
        #[belongs_to(Book)]
        pub book: BelongsTo<Book>,
        pub stars: i64,
    }
    pub type All = (Author, Book, Review);
}

/// A renamed column, a dropped column, a dropped table, a new unique constraint, a `NOT NULL`
/// column made nullable.
mod v3 {
    use relations::{BelongsTo, Model};

    #[derive(Model, Debug)]
    pub struct Author {
        pub id: i64,
        #[column(len = 120, unique)]
        pub name: String,
    }

    #[derive(Model, Debug)]
    pub struct Book {
        pub id: i64,
        #[column(len = 200, index)]
        pub heading: String,
        #[belongs_to(Author)]
        pub author: BelongsTo<Author>,
        pub pages: Option<i64>,
    }
    pub type All = (Author, Book);
}

/// A new directory for one test's migrations (the sync and async runs of a test run at once).
fn dir(name: &str) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("relations-migrations-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The database has the shape the models `S` declare, and every foreign key holds.
fn at<S: relations::ModelSet>(db: &Db) {
    let d = diff(&db.inspect().unwrap(), &Catalog::of::<S>(), &Renames::none());
    assert!(d.is_empty(), "{:#?}", d.changes);
    assert_eq!(common::foreign_key_violations(db), 0);
}

fn three_versions_up_and_down_keep_the_rows() {
    let db = common::fresh();
    let name = format!("three-{}", db.backend_name());
    let migrations = Migrations::new(dir(&name));

    let first = migrations.generate::<v1::All>(&db, "initial", &Renames::none()).unwrap().unwrap();
    assert!(first.up.contains("CREATE TABLE author"), "{}", first.up);
    assert_eq!(migrations.up(&db).unwrap(), [format!("{}_initial", first.version)]);
    at::<v1::All>(&db);
    let ann = db.add(v1::Author { name: "Ann".into(), ..Default::default() }).unwrap();
    db.add(v1::Book { title: "Rust".into(), author: relations::BelongsTo::to(&ann), ..Default::default() }).unwrap();
    assert!(migrations.generate::<v1::All>(&db, "nothing", &Renames::none()).unwrap().is_none());

    migrations.generate::<v2::All>(&db, "emails_pages_reviews", &Renames::none()).unwrap().unwrap();
    // written, not applied: the next difference would repeat it
    let pending = migrations.generate::<v2::All>(&db, "again", &Renames::none()).unwrap_err();
    assert!(
        matches!(&pending, Error::Migration { problem, .. } if problem.contains("is not applied yet")),
        "{pending}"
    );
    assert_eq!(migrations.up(&db).unwrap().len(), 1);
    at::<v2::All>(&db);
    let book = v2::Book::query(&db).one().unwrap();
    assert_eq!((book.title.as_str(), book.pages, book.author.key()), ("Rust", 0, &ann.id));
    assert_eq!(v2::Author::query(&db).one().unwrap().email, None);
    db.add(v2::Review { book: relations::BelongsTo::to(&book), stars: 5, ..Default::default() }).unwrap();

    let renames = Renames::none().column("book", "title", "heading");
    let third = migrations.generate::<v3::All>(&db, "heading", &renames).unwrap().unwrap();
    assert!(!third.up.contains("DROP COLUMN title"), "a rename, not a drop: {}", third.up);
    migrations.up(&db).unwrap();
    at::<v3::All>(&db);
    let book = v3::Book::query(&db).one().unwrap();
    assert_eq!((book.heading.as_str(), book.pages), ("Rust", Some(0)));

    let status = migrations.status(&db).unwrap();
    assert_eq!(status.migrations.len(), 3);
    assert!(status.migrations.iter().all(|(_, s)| matches!(s, State::Applied { .. })), "{status:?}");
    assert_eq!(status.alembic_revision, None);

    // down, down, down: each version's shape again, the rows kept
    assert!(migrations.down(&db).unwrap().unwrap().ends_with("_heading"));
    at::<v2::All>(&db);
    assert_eq!(v2::Book::query(&db).one().unwrap().title, "Rust");
    migrations.down(&db).unwrap().unwrap();
    at::<v1::All>(&db);
    assert_eq!(v1::Book::query(&db).one().unwrap().title, "Rust");
    assert_eq!(v1::Author::query(&db).one().unwrap().name, "Ann");
    migrations.down(&db).unwrap().unwrap();
    assert!(db.inspect().unwrap().tables.is_empty());
    assert_eq!(migrations.down(&db).unwrap(), None);
    // and up again, all three
    assert_eq!(migrations.up(&db).unwrap().len(), 3);
    at::<v3::All>(&db);
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

fn an_applied_migration_edited_afterwards_stops_up_and_down() {
    let db = common::fresh();
    let migrations = Migrations::new(dir(&format!("edited-{}", db.backend_name())));
    let m = migrations.generate::<v1::All>(&db, "initial", &Renames::none()).unwrap().unwrap();
    migrations.up(&db).unwrap();
    std::fs::write(m.dir.join("up.sql"), format!("{}\n-- a late fix\n", m.up)).unwrap();
    migrations.create("more", "SELECT 1", "SELECT 1").unwrap();
    let err = migrations.up(&db).unwrap_err();
    assert!(
        matches!(&err, Error::Migration { version, problem } if *version == m.version && problem.contains("was edited")),
        "{err}"
    );
    assert!(matches!(migrations.down(&db), Err(Error::Migration { .. })));
    assert!(matches!(&migrations.status(&db).unwrap().migrations[0].1, State::Edited { .. }));
    // nothing more was applied
    assert!(matches!(&migrations.status(&db).unwrap().migrations[1].1, State::Pending));
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

fn a_database_alembic_manages_keeps_its_version_table() {
    let db = common::fresh();
    common::raw(&db, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num))");
    common::raw(&db, "INSERT INTO alembic_version (version_num) VALUES ('ae1027a6acf')");
    let migrations = Migrations::new(dir(&format!("alembic-{}", db.backend_name())));
    let m = migrations.generate::<v1::All>(&db, "initial", &Renames::none()).unwrap().unwrap();
    assert!(!m.up.contains("alembic_version") && !m.down.contains("alembic_version"), "{}\n{}", m.up, m.down);
    migrations.up(&db).unwrap();
    migrations.down(&db).unwrap();
    assert_eq!(migrations.status(&db).unwrap().alembic_revision.as_deref(), Some("ae1027a6acf"));
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM alembic_version"), 1);
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

/// On SQLite a migration turns foreign keys off around its transaction, which it cannot do
/// inside another: refused, before anything runs.
#[test]
fn on_sqlite_a_migration_inside_a_transaction_is_refused() {
    let db = Db::open_in_memory().unwrap();
    let migrations = Migrations::new(dir("in-transaction"));
    migrations.generate::<v1::All>(&db, "initial", &Renames::none()).unwrap().unwrap();
    let err = db.transaction(|db| migrations.up(db)).unwrap_err();
    assert!(matches!(&err, Error::Migration { problem, .. } if problem.contains("outside one")), "{err}");
    assert!(db.inspect().unwrap().tables.is_empty());
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

both_backends!(
    three_versions_up_and_down_keep_the_rows,
    an_applied_migration_edited_afterwards_stops_up_and_down,
    a_database_alembic_manages_keeps_its_version_table,
);
