//! Migrations through three schema versions, on both backends: each written from the
//! difference between the database and the models, applied, its rows kept, and reverted.

use crate::common;

use relations::catalog::Catalog;
use relations::migrate::{diff, Migration, Migrations, Renames, State, REVIEW_MARK};
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

/// A table to rename, with a column to rename.
mod r1 {
    use relations::Model;

    #[derive(Model, Debug)]
    pub struct Person {
        pub id: i64,
        #[column(len = 80)]
        pub name: String,
    }
    pub type All = (Person,);
}

/// `person` renamed `member`, its `name` renamed `full_name`.
mod r2 {
    use relations::Model;

    #[derive(Model, Debug)]
    pub struct Member {
        pub id: i64,
        #[column(len = 80)]
        pub full_name: String,
    }
    pub type All = (Member,);
}

/// Then a nullable column more.
mod r3 {
    use relations::Model;

    #[derive(Model, Debug)]
    pub struct Member {
        pub id: i64,
        #[column(len = 80)]
        pub full_name: String,
        #[column(len = 40)]
        pub nickname: Option<String>,
    }
    pub type All = (Member,);
}

/// `full_name` renamed `display_name`, and nobody said so.
mod r4 {
    use relations::Model;

    #[derive(Model, Debug)]
    pub struct Member {
        pub id: i64,
        #[column(len = 80)]
        pub display_name: String,
        #[column(len = 40)]
        pub nickname: Option<String>,
    }
    pub type All = (Member,);
}

/// A new directory for one test's migrations (the sync and async runs of a test run at once).
fn dir(name: &str) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("relations-migrations-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// What a reviewer does with a generated migration: reads each `-- REVIEW:` step (here: accepts
/// it as written) and deletes its line, in both files.
fn reviewed(m: &Migration) {
    for file in ["up.sql", "down.sql"] {
        let path = m.dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: String = text.split_inclusive('\n').filter(|l| !l.starts_with(REVIEW_MARK)).collect();
        if kept != text {
            std::fs::write(&path, kept).unwrap();
        }
    }
}

/// Reviews every migration of `migrations` (the down files of applied ones included).
fn review_all(migrations: &Migrations) {
    for m in migrations.list().unwrap() {
        reviewed(&m);
    }
}

/// The database has the shape the models `S` declare, and every foreign key holds.
fn at<S: relations::model::ModelSet>(db: &Db) {
    let d = diff(&db.inspect().unwrap(), &Catalog::of::<S>(), &Renames::none()).unwrap();
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

    let second = migrations.generate::<v2::All>(&db, "emails_pages_reviews", &Renames::none()).unwrap().unwrap();
    // written, not applied: the next difference would repeat it
    let pending = migrations.generate::<v2::All>(&db, "again", &Renames::none()).unwrap_err();
    assert!(
        matches!(&pending, Error::Migration { problem, .. } if problem.contains("is not applied yet")),
        "{pending}"
    );
    // `pages` is NOT NULL: the book there is gets a placeholder, which someone must accept
    assert!(
        second.up.contains("-- REVIEW: column book.pages is added NOT NULL: the rows there are get 0"),
        "{}",
        second.up
    );
    let unreviewed = migrations.up(&db).unwrap_err();
    assert!(
        matches!(&unreviewed, Error::Migration { problem, .. } if problem.contains("1 step(s) to review")),
        "{unreviewed}"
    );
    reviewed(&second);
    assert_eq!(migrations.up(&db).unwrap().len(), 1);
    at::<v2::All>(&db);
    let book = v2::Book::query(&db).one().unwrap();
    assert_eq!((book.title.as_str(), book.pages, book.author.key()), ("Rust", 0, &ann.id));
    assert_eq!(v2::Author::query(&db).one().unwrap().email, None);
    db.add(v2::Review { book: relations::BelongsTo::to(&book), stars: 5, ..Default::default() }).unwrap();

    let renames = Renames::none().column("book", "title", "heading");
    let third = migrations.generate::<v3::All>(&db, "heading", &renames).unwrap().unwrap();
    assert!(!third.up.contains("DROP COLUMN title"), "a rename, not a drop: {}", third.up);
    assert!(third.up.contains("-- REVIEW: table review is dropped, with every row in it."), "{}", third.up);
    assert!(third.up.contains("-- REVIEW: column author.email is dropped, with its values."), "{}", third.up);
    reviewed(&third);
    migrations.up(&db).unwrap();
    at::<v3::All>(&db);
    let book = v3::Book::query(&db).one().unwrap();
    assert_eq!((book.heading.as_str(), book.pages), ("Rust", Some(0)));

    let status = migrations.status(&db).unwrap();
    assert_eq!(status.migrations.len(), 3);
    assert!(status.migrations.iter().all(|(_, s)| matches!(s, State::Applied { .. })), "{status:?}");
    assert_eq!(status.alembic_revision, None);

    // down, down, down: each version's shape again, the rows kept (the first migration's down
    // drops every table: refused until it is reviewed)
    let first_down = Migrations::new(migrations.dir()).list().unwrap().remove(0);
    assert!(first_down.down.contains("-- REVIEW: table book is dropped"), "{}", first_down.down);
    review_all(&migrations);
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
    reviewed(&m);
    migrations.up(&db).unwrap();
    migrations.down(&db).unwrap();
    assert_eq!(migrations.status(&db).unwrap().alembic_revision.as_deref(), Some("ae1027a6acf"));
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM alembic_version"), 1);
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

/// The names of the members, in key order.
fn member_names(db: &Db) -> Vec<String> {
    r3::Member::query(db).select(r3::Member::full_name).all().unwrap()
}

fn a_rename_left_in_place_after_it_ran_is_left_out_never_a_drop() {
    let db = common::fresh();
    let migrations = Migrations::new(dir(&format!("stale-{}", db.backend_name())));
    let first = migrations.generate::<r1::All>(&db, "people", &Renames::none()).unwrap().unwrap();
    reviewed(&first);
    migrations.up(&db).unwrap();
    for name in ["Ann", "Bob", "Cy"] {
        db.add(r1::Person { name: name.into(), ..Default::default() }).unwrap();
    }
    let renames = Renames::none().table("person", "member").column("member", "name", "full_name");
    let renamed = migrations.generate::<r2::All>(&db, "members", &renames).unwrap().unwrap();
    assert!(!renamed.up.contains("REVIEW"), "a rename destroys nothing: {}", renamed.up);
    migrations.up(&db).unwrap();
    at::<r2::All>(&db);
    let names = || -> Vec<String> { r2::Member::query(&db).select(r2::Member::full_name).all().unwrap() };
    assert_eq!(names(), ["Ann", "Bob", "Cy"]);

    // the same renames, left in the code after their migration ran: nothing to do, nothing lost
    let d = diff(&db.inspect().unwrap(), &Catalog::of::<r2::All>(), &renames).unwrap();
    assert!(d.is_empty(), "{:#?}", d.changes);
    assert_eq!(
        d.skipped,
        [
            "table person -> member: already made (no table `person`, table `member` exists)",
            "column member.name -> full_name: already made (no column `name`, column `full_name` exists)",
        ]
    );
    assert!(migrations.generate::<r2::All>(&db, "again", &renames).unwrap().is_none());
    // and beside a real change: the change alone, the renames said to be left out
    let more = migrations.generate::<r3::All>(&db, "nicknames", &renames).unwrap().unwrap();
    assert!(more.up.contains("-- left out, table person -> member: already made"), "{}", more.up);
    assert!(!more.up.contains("DROP TABLE") && !more.up.contains("REVIEW"), "{}", more.up);
    migrations.up(&db).unwrap();
    at::<r3::All>(&db);
    assert_eq!(member_names(&db), ["Ann", "Bob", "Cy"]);

    // a rename that names what the database has under neither name: an error naming it
    let wrong = Renames::none().column("member", "shown", "display_name");
    let err = migrations.generate::<r4::All>(&db, "wrong", &wrong).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRename { rename, .. } if rename == "column member.shown -> display_name"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "the rename `column member.shown -> display_name` cannot be made: table `member` has neither a column `shown` nor a column `display_name`; correct or remove it"
    );
    let ghost = Renames::none().table("ghost", "phantom");
    let err = migrations.generate::<r3::All>(&db, "ghost", &ghost).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the rename `table ghost -> phantom` cannot be made: the models declare no table `phantom`; correct or remove it"
    );
    assert_eq!(member_names(&db), ["Ann", "Bob", "Cy"]);
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

fn a_step_that_destroys_data_waits_for_a_review() {
    let db = common::fresh();
    let migrations = Migrations::new(dir(&format!("review-{}", db.backend_name())));
    reviewed(&migrations.generate::<r3::All>(&db, "members", &Renames::none()).unwrap().unwrap());
    migrations.up(&db).unwrap();
    for name in ["Ann", "Bob"] {
        db.add(r3::Member { full_name: name.into(), ..Default::default() }).unwrap();
    }
    // a rename nobody declared: a drop and an add, marked with the question
    let guess = migrations.generate::<r4::All>(&db, "display_names", &Renames::none()).unwrap().unwrap();
    assert!(
        guess.up.contains(
            "-- REVIEW: column member.full_name is dropped, with its values. Was it renamed to `display_name`? Then declare it, `Renames::none().column(\"member\", \"full_name\", \"display_name\")`, and write the migration again."
        ),
        "{}",
        guess.up
    );
    assert!(guess.up.contains("-- REVIEW: column member.display_name is added NOT NULL"), "{}", guess.up);
    let err = migrations.up(&db).unwrap_err();
    assert!(
        matches!(&err, Error::Migration { version, problem } if *version == guess.version && problem.contains("2 step(s) to review")),
        "{err}"
    );
    // nothing ran: the names are there
    assert_eq!(member_names(&db), ["Ann", "Bob"]);
    // the reviewer's answer: it was a rename
    std::fs::remove_dir_all(&guess.dir).unwrap();
    let renames = Renames::none().column("member", "full_name", "display_name");
    let rename = migrations.generate::<r4::All>(&db, "display_names", &renames).unwrap().unwrap();
    assert!(!rename.up.contains("REVIEW"), "{}", rename.up);
    migrations.up(&db).unwrap();
    let names: Vec<String> = r4::Member::query(&db).select(r4::Member::display_name).all().unwrap();
    assert_eq!(names, ["Ann", "Bob"]);
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

fn a_migration_written_for_another_dialect_is_refused() {
    let db = common::fresh();
    let migrations = Migrations::new(dir(&format!("dialect-{}", db.backend_name())));
    // written against a SQLite database
    let sqlite = Db::open_in_memory().unwrap();
    let m = migrations.generate::<v1::All>(&sqlite, "initial", &Renames::none()).unwrap().unwrap();
    assert!(m.up.starts_with("-- dialect: sqlite\n"), "{}", m.up);
    reviewed(&m);
    match db.backend_name() {
        "sqlite" => {
            migrations.up(&db).unwrap();
            at::<v1::All>(&db);
        }
        other => {
            let err = migrations.up(&db).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "migration {}: {}_initial/up.sql was written for sqlite, and this database is {other}; write the migrations for each database from its own schema",
                    m.version, m.version
                )
            );
            assert!(db.inspect().unwrap().tables.is_empty(), "nothing ran");
        }
    }
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

/// A plain integer column, then the same column as a foreign key.
mod loose {
    use relations::Model;

    #[derive(Model, Debug)]
    pub struct Shelf {
        pub id: i64,
    }

    #[derive(Model, Debug)]
    pub struct Item {
        pub id: i64,
        pub shelf_id: Option<i64>,
    }
    pub type All = (Shelf, Item);
}

mod linked {
    use relations::{BelongsTo, Model};

    #[derive(Model, Debug)]
    pub struct Shelf {
        pub id: i64,
    }

    #[derive(Model, Debug)]
    pub struct Item {
        pub id: i64,
        #[belongs_to(Shelf)]
        pub shelf: BelongsTo<Option<Shelf>>,
    }
    pub type All = (Shelf, Item);
}

/// A foreign key added to a column and dropped again, both ways: the one a migration added
/// (named as the migration named it), and the one `create_all` made (named by the database,
/// read back with its name: MariaDB's `item_ibfk_1`).
fn a_foreign_key_is_added_and_dropped_by_its_name() {
    let db = common::fresh();
    let migrations = Migrations::new(dir(&format!("fk-{}", db.backend_name())));
    migrations.generate::<loose::All>(&db, "loose", &Renames::none()).unwrap().unwrap();
    migrations.up(&db).unwrap();
    migrations.generate::<linked::All>(&db, "linked", &Renames::none()).unwrap().unwrap();
    migrations.up(&db).unwrap();
    at::<linked::All>(&db);
    assert!(migrations.down(&db).unwrap().unwrap().ends_with("_linked"));
    at::<loose::All>(&db);
    std::fs::remove_dir_all(migrations.dir()).unwrap();

    let db = common::fresh();
    db.create_all::<linked::All>().unwrap();
    let migrations = Migrations::new(dir(&format!("fk-made-{}", db.backend_name())));
    let unlink = migrations.generate::<loose::All>(&db, "unlink", &Renames::none()).unwrap().unwrap();
    if db.backend_name() == "mariadb" {
        assert!(unlink.up.contains("DROP FOREIGN KEY item_ibfk_1, DROP INDEX IF EXISTS shelf_id"), "{}", unlink.up);
    }
    migrations.up(&db).unwrap();
    at::<loose::All>(&db);
    std::fs::remove_dir_all(migrations.dir()).unwrap();
}

both_backends!(
    a_foreign_key_is_added_and_dropped_by_its_name,
    three_versions_up_and_down_keep_the_rows,
    an_applied_migration_edited_afterwards_stops_up_and_down,
    a_database_alembic_manages_keeps_its_version_table,
    a_rename_left_in_place_after_it_ran_is_left_out_never_a_drop,
    a_step_that_destroys_data_waits_for_a_review,
    a_migration_written_for_another_dialect_is_refused,
);
