//! Run-time errors are typed and name the table, column or constraint; nothing panics.

mod common;

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
    db.sqlite().unwrap().execute("INSERT INTO user (id, username, karma) VALUES (1, 'a', 'lots')", []).unwrap();
    let err = User::get(&db, 1).unwrap_err();
    assert!(matches!(err, Error::Decode { table: "user", column: "karma", .. }));
    assert_eq!(err.to_string(), "cannot decode `user.karma`: expected INTEGER, found TEXT \"lots\"");

    db.sqlite().unwrap().execute("INSERT INTO user (id, username) VALUES (2, 'b')", []).unwrap();
    db.sqlite()
        .unwrap()
        .execute("INSERT INTO post (id, title, created_at, user_id) VALUES (1, 't', 'last tuesday', 2)", [])
        .unwrap();
    let err = Post::get(&db, 1).unwrap_err();
    assert!(
        matches!(&err, Error::Decode { table: "post", column: "created_at", message } if message.contains("malformed DATETIME")),
        "{err}"
    );

    db.sqlite().unwrap().execute("INSERT INTO user (id, username) VALUES (3, X'FF00')", []).unwrap();
    assert!(matches!(User::get(&db, 3), Err(Error::Decode { table: "user", column: "username", .. })));
}

// sqlite only
#[test]
fn a_missing_parent_is_not_found() {
    let db = db();
    db.sqlite()
        .unwrap()
        .execute_batch("PRAGMA foreign_keys = OFF; INSERT INTO post (id, title, user_id) VALUES (1, 'orphan', 77)")
        .unwrap();
    let p = Post::get(&db, 1).unwrap().unwrap();
    let err = p.author(&db).load().unwrap_err();
    assert!(matches!(&err, Error::NotFound { table: "user", key } if key == "77"), "{err:?}");
}

fn unsaved_rows_cannot_be_updated_or_deleted() {
    let db = db();
    let u = User { username: "new".into(), ..Default::default() };
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
        _ => "SELECT count(*) FROM pg_sleep(10)",
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

both_backends!(
    unique_violation_names_table_and_column,
    foreign_key_violation_names_the_table_written,
    not_null_violation_names_the_column,
    check_violation_names_the_constraint,
    unsaved_rows_cannot_be_updated_or_deleted,
    create_all_twice_leaves_the_tables_alone,
    a_statement_past_the_timeout_is_stopped_and_typed,
);
