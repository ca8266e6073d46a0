//! `Db::transaction`: all or nothing, with nested savepoints.

mod common;

use common::{db, user, User};
use relations::{Error, Model};

fn an_error_rolls_everything_back() {
    let db = db();
    let result: Result<(), Error> = db.transaction(|tx| {
        user(tx, "a");
        user(tx, "b");
        tx.add(User { username: "a".into(), ..Default::default() })?; // duplicate: fails
        Ok(())
    });
    assert!(matches!(result, Err(Error::UniqueViolation { .. })));
    assert_eq!(User::query(&db).count().unwrap(), 0);
}

fn nested_transactions_are_savepoints() {
    let db = db();
    db.transaction(|tx| {
        user(tx, "outer");
        let inner: Result<(), Error> = tx.transaction(|tx| {
            user(tx, "inner");
            Err(Error::NotFound { table: "user", key: "simulated".into() })
        });
        assert!(inner.is_err());
        tx.transaction(|tx| tx.add(User { username: "kept".into(), ..Default::default() }).map(drop))
    })
    .unwrap();
    let names: Vec<String> =
        User::query(&db).order_by(User::id).all().unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, ["outer", "kept"]);
}

fn add_all_is_atomic() {
    let db = db();
    let err = db.add_all(["x", "y", "x"].map(|n| User { username: n.into(), ..Default::default() }));
    assert!(err.is_err());
    assert_eq!(User::query(&db).count().unwrap(), 0, "nothing of the batch is left");
}

fn a_panic_inside_rolls_back() {
    let db = db();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Result<(), Error> = db.transaction(|tx| {
            user(tx, "doomed");
            panic!("boom");
        });
    }));
    assert!(caught.is_err());
    assert_eq!(User::query(&db).count().unwrap(), 0);
    db.transaction(|tx| tx.add(User { username: "after".into(), ..Default::default() }).map(drop)).unwrap();
    assert_eq!(User::query(&db).count().unwrap(), 1, "the connection is usable afterwards");
}

fn db_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<relations::Db>();
}

both_backends!(
    an_error_rolls_everything_back,
    nested_transactions_are_savepoints,
    add_all_is_atomic,
    a_panic_inside_rolls_back,
    db_is_send,
);
