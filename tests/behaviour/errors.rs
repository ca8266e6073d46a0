//! Run-time errors are typed and name the table, column or constraint; nothing panics.

use crate::common;

use common::{db, post, user, Post, User};
use relations::{BelongsTo, Error, Model};

fn unique_violation_names_table_and_column() {
    let db = db();
    user(&db, "ann");
    let err = db.add(User { username: "ann".into(), ..Default::default() }).unwrap_err();
    assert!(
        matches!(&err, Error::UniqueViolation { table, columns, .. } if table == "user" && columns == &["username"])
    );
    // PostgreSQL names the column's unnamed constraint; SQLite reports only the columns
    let name = if db.backend_name() == "postgresql" { "`user_username_key` " } else { "" };
    assert_eq!(
        err.to_string(),
        format!("UNIQUE constraint {name}on `user` (username) failed: a row with the same value already exists")
    );
}

fn foreign_key_violation_names_the_table_written() {
    let db = db();
    let ghost = User { id: 42, username: "ghost".into(), ..Default::default() };
    let err = db.add(Post { title: "t".into(), author: BelongsTo::to(&ghost), ..Default::default() }).unwrap_err();
    assert!(
        matches!(&err, Error::ForeignKeyViolation { table, column: Some(c) } if table == "post" && c == "post.user_id"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "FOREIGN KEY constraint failed while writing `post`: `post.user_id` references a row that does not exist"
    );
    // and deleting a parent that still has children (NOT NULL, no delete cascade): refused
    // before any statement changes anything
    let ann = user(&db, "ann");
    post(&db, &ann, "t");
    let err = ann.delete(&db).unwrap_err();
    assert!(
        matches!(&err, Error::Referenced { table: "user", by, relationship: Some(r), restrict: false, .. }
            if by == "post.user_id" && r == "user.posts"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "cannot delete from `user`: rows of `post.user_id` still reference it, and `post.user_id` is NOT NULL; give `user.posts` `cascade = \"all\"` to delete them too, or the foreign key `on_delete = \"cascade\"`"
    );
    assert_eq!(Post::query(&db).count().unwrap(), 1);
    assert!(User::get(&db, ann.id).unwrap().is_some());
}

fn not_null_violation_names_the_column() {
    let db = common::fresh();
    // a table whose column is NOT NULL while the model's field is optional
    let sql = "CREATE TABLE \"user\" (id SERIAL NOT NULL, username VARCHAR(80) NOT NULL, karma INTEGER NOT NULL, PRIMARY KEY (id))";
    common::raw(&db, &common::serial(&db, sql));
    let err = db.add(User { username: "a".into(), karma: None, ..Default::default() }).unwrap_err();
    assert!(
        matches!(&err, Error::NotNullViolation { table, column } if table == "user" && column == "karma"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "NOT NULL constraint failed: `user.karma` needs a value");
}

fn check_violation_names_the_constraint() {
    let db = common::fresh();
    let sql = "CREATE TABLE \"user\" (id SERIAL NOT NULL, username VARCHAR(80) NOT NULL, karma INTEGER, PRIMARY KEY (id), CONSTRAINT karma_positive CHECK (karma > 0))";
    common::raw(&db, &common::serial(&db, sql));
    let err = db.add(User { username: "a".into(), karma: Some(-1), ..Default::default() }).unwrap_err();
    assert!(
        matches!(&err, Error::CheckViolation { table, constraint } if table == "user" && constraint == "karma_positive"),
        "{err:?}"
    );
}

// sqlite only
#[test]
fn undecodable_values_name_table_and_column() {
    let db = db();
    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute("INSERT INTO user (id, username, karma) VALUES (1, 'a', 'lots')", [])
        .unwrap();
    let err = User::get(&db, 1).unwrap_err();
    assert!(matches!(err, Error::Decode { table: "user", column: "karma", .. }));
    assert_eq!(err.to_string(), "cannot decode `user.karma`: expected INTEGER, found TEXT \"lots\"");

    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute("INSERT INTO user (id, username) VALUES (2, 'b')", [])
        .unwrap();
    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute("INSERT INTO post (id, title, created_at, user_id) VALUES (1, 't', 'last tuesday', 2)", [])
        .unwrap();
    let err = Post::get(&db, 1).unwrap_err();
    assert!(
        matches!(&err, Error::Decode { table: "post", column: "created_at", message } if message.contains("malformed DATETIME")),
        "{err}"
    );

    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute("INSERT INTO user (id, username) VALUES (3, X'FF00')", [])
        .unwrap();
    assert!(matches!(User::get(&db, 3), Err(Error::Decode { table: "user", column: "username", .. })));
}

// sqlite only
#[test]
fn a_missing_parent_is_not_found() {
    let db = db();
    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute_batch("PRAGMA foreign_keys = OFF; INSERT INTO post (id, title, user_id) VALUES (1, 'orphan', 77)")
        .unwrap();
    let p = Post::get(&db, 1).unwrap().unwrap();
    let err = p.author(&db).load().unwrap_err();
    assert!(matches!(&err, Error::NotFound { table: "user", key } if key == "77"), "{err:?}");
}

fn unsaved_rows_cannot_be_updated_or_deleted() {
    let db = db();
    let mut u = User { username: "new".into(), ..Default::default() };
    assert!(matches!(u.update(&db), Err(Error::Unsaved { table: "user", action: "update" })));
    assert!(matches!(u.delete(&db), Err(Error::Unsaved { table: "user", action: "delete" })));
}

fn create_all_twice_leaves_the_tables_alone() {
    let db = db();
    let ann = db.add(User { username: "ann".into(), ..Default::default() }).unwrap();
    db.create_all::<(User,)>().unwrap();
    assert_eq!(User::all(&db).unwrap(), [ann]);
    db.drop_all::<(common::User, common::UserProfile, Post, common::Comment, common::Tag)>().unwrap();
    db.drop_all::<(User,)>().unwrap();
    db.create_all::<(User,)>().unwrap();
}

fn a_statement_past_the_timeout_is_stopped_and_typed() {
    let db = db();
    user(&db, "ann");
    db.set_statement_timeout(Some(std::time::Duration::from_millis(200))).unwrap();
    // a statement that would run for seconds on either database
    let slow = match db.backend_name() {
        "sqlite" => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c",
        "postgresql" => "SELECT count(*) FROM pg_sleep(10)",
        // (a SLEEP() stopped by the timeout returns rather than fails): a billion rows of the
        // sequence engine
        _ => "SELECT sum(seq % 7) FROM seq_1_to_1000000000",
    };
    let started = std::time::Instant::now();
    let err = db.sql(slow).all::<(i64,)>().unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(matches!(err, Error::StatementTimeout { limit } if limit.as_millis() == 200), "{err:?}");
    assert_eq!(err.to_string(), "the statement ran longer than the statement timeout (200ms) and was stopped");
    // the connection goes on, inside a transaction too (which the failure rolls back)
    assert_eq!(User::query(&db).count().unwrap(), 1);
    let err = db
        .transaction(|tx| {
            user(tx, "bob");
            tx.sql(slow).all::<(i64,)>()
        })
        .unwrap_err();
    assert!(matches!(err, Error::StatementTimeout { .. }), "{err:?}");
    assert_eq!(User::query(&db).count().unwrap(), 1);
    // lifted, a statement runs as long as it takes
    db.set_statement_timeout(None).unwrap();
    assert_eq!(db.sql("SELECT 2").all::<(i64,)>().unwrap(), [(2,)]);
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Price {
    id: i64,
    #[column(numeric(precision = 6, scale = 2))]
    amount: relations::rust_decimal::Decimal,
    small: i16,
}

fn values_that_do_not_fit_are_refused_before_any_statement() {
    let db = db();
    let long = "x".repeat(81);
    // insert, insert_all, update and a bulk update: the same error on both databases, and
    // nothing sent
    let (err, sql) = db.record(|| db.add(User { username: long.clone(), ..Default::default() }).unwrap_err());
    assert!(sql.is_empty(), "{sql:?}");
    assert!(matches!(&err, Error::ValueDoesNotFit { table: "user", column: "username", .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "`user.username` cannot hold this value: VARCHAR(80) holds 80 characters, and the value is 81 characters long"
    );
    // 80 characters of several bytes each fit: the limit counts characters
    user(&db, &"é".repeat(80));
    let mut many: Vec<User> =
        ["a", long.as_str(), "c"].iter().map(|n| User { username: n.to_string(), ..Default::default() }).collect();
    assert!(matches!(db.insert_all(&mut many), Err(Error::ValueDoesNotFit { column: "username", .. })));
    let mut ann = user(&db, "ann");
    ann.username = long.clone();
    assert!(matches!(ann.update(&db), Err(Error::ValueDoesNotFit { column: "username", .. })));
    let bulk = User::query(&db).set(User::username, long.as_str()).update();
    assert!(matches!(bulk, Err(Error::ValueDoesNotFit { column: "username", .. })), "{bulk:?}");
    assert_eq!(User::query(&db).count().unwrap(), 2, "nothing of it was written");
    assert_eq!(User::get(&db, ann.id).unwrap().unwrap().username, "ann");

    // numbers past their NUMERIC(p, s) or SMALLINT
    db.create_all::<(Price,)>().unwrap();
    let too_many = relations::rust_decimal::Decimal::new(1_234_500, 2);
    let err = db.add(Price { amount: too_many, ..Default::default() }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`price.amount` cannot hold this value: NUMERIC(6, 2) holds 4 digit(s) before the decimal point, and the value has 5 digits before it"
    );
    let fits = relations::rust_decimal::Decimal::new(999_999, 2);
    assert_eq!(db.add(Price { amount: fits, small: -32768, ..Default::default() }).unwrap().amount, fits);
    let err = db.add(Price { small: i16::MAX, amount: fits, ..Default::default() });
    assert!(err.is_ok());
}

fn a_missing_table_says_to_create_it() {
    let db = common::fresh();
    let err = User::query(&db).count().unwrap_err();
    assert!(matches!(&err, Error::NoSuchTable { table } if table == "user"), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the database has no table `user`: create the models' tables with `db.create_all::<(..)>()`, or apply the migrations"
    );
    let err = db.add(User { username: "ann".into(), ..Default::default() }).unwrap_err();
    assert!(matches!(&err, Error::NoSuchTable { table } if table == "user"), "{err:?}");
}

// postgres only: what the server still refuses as data arrives typed
#[test]
fn server_data_errors_are_typed() {
    if !common::backends::use_backend(common::backends::Backend::Postgres, "server_data_errors_are_typed") {
        return;
    }
    let db = db();
    let err = db.sql("SELECT CAST(CAST(:t AS TEXT) AS INTEGER)").bind("t", "twelve").all::<(i64,)>().unwrap_err();
    assert!(matches!(&err, Error::InvalidData { code, .. } if code == "22P02"), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the database refused a value: invalid input syntax for type integer: \"twelve\" (22P02)"
    );
    // a value written past the checks, by hand
    let err = db.sql("INSERT INTO \"user\" (username) VALUES (CAST(:u AS TEXT))").bind("u", "y".repeat(90)).execute();
    assert!(matches!(&err, Err(Error::InvalidData { code, .. }) if code == "22001"), "{err:?}");
}

// sqlite only
#[test]
fn a_file_that_is_not_a_database_is_named_at_open() {
    let dir = std::env::temp_dir().join(format!("relations-not-a-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("notes.txt");
    std::fs::write(&path, "these are not the tables you are looking for\n".repeat(100)).unwrap();
    let err = relations::Db::open(&path).unwrap_err();
    assert!(matches!(&err, Error::CannotOpen { path: p, .. } if p.ends_with("notes.txt")), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("cannot open `{}`: file is not a database (opened as a SQLite database)", path.display())
    );
    assert!(matches!(relations::Db::open_read_only(dir.join("missing.db")), Err(Error::CannotOpen { .. })));
    assert!(!dir.join("missing.db").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_url_scheme_opens_nothing() {
    for url in ["oracle://scott@127.0.0.1/app", "mssql://root:s3cret@db/app", "postgresql+psycopg://x/y"] {
        let err = relations::Db::connect(url).unwrap_err();
        assert!(matches!(&err, Error::UnsupportedUrl { .. }), "{url}: {err:?}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(err.to_string().contains("`sqlite:///<path>`"), "{err}");
    }
    assert_eq!(
        relations::Db::connect("oracle://scott@127.0.0.1/app").unwrap_err().to_string(),
        "`oracle://scott@127.0.0.1/app` names no database relations opens: it opens `postgresql://user@host/database` (or `postgres://`), `mysql://user@host/database` (or `mariadb://`), `sqlite:///<path>` (or a plain path), `sqlite::memory:`"
    );
    assert!(!std::path::Path::new("oracle:").exists());
}

both_backends!(
    unique_violation_names_table_and_column,
    foreign_key_violation_names_the_table_written,
    not_null_violation_names_the_column,
    check_violation_names_the_constraint,
    unsaved_rows_cannot_be_updated_or_deleted,
    create_all_twice_leaves_the_tables_alone,
    a_statement_past_the_timeout_is_stopped_and_typed,
    values_that_do_not_fit_are_refused_before_any_statement,
    a_missing_table_says_to_create_it,
);
