//! `Db::transaction`: all or nothing, with nested savepoints.

use crate::common;

use common::{db, user, Post, User};
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

/// A user with posts in its field, one of which cannot be saved (it names a row that is not
/// there): the user and the first post are written before the failure.
fn half_writable_user(name: &str) -> User {
    let mut user = User { username: name.into(), ..Default::default() };
    user.posts.push(Post { title: "first".into(), ..Default::default() });
    user.posts.push(Post { id: 424_242, title: "ghost".into(), ..Default::default() });
    user
}

fn a_write_inside_a_transaction_takes_no_savepoint_and_is_never_kept_half_done() {
    let db = db();
    // a row with its related rows, inside a transaction: no SAVEPOINT per row
    let (_, statements) = db.record(|| {
        db.transaction(|tx| {
            for name in ["a", "b"] {
                let mut user = User { username: name.into(), ..Default::default() };
                user.posts.push(Post { title: "p".into(), ..Default::default() });
                tx.add(user)?;
            }
            Ok::<_, Error>(())
        })
        .unwrap()
    });
    assert!(!statements.iter().any(|s| s.contains("SAVEPOINT")), "{statements:#?}");
    assert_eq!(statements.len(), 6, "BEGIN, 2 × (user, post), COMMIT: {statements:#?}");
    // a write that fails half way: the transaction refuses to go on, and keeps nothing
    let result: Result<(), Error> = db.transaction(|tx| {
        user(tx, "kept only if all commits");
        let failed = tx.add(half_writable_user("ann"));
        assert!(matches!(failed, Err(Error::NotFound { table: "post", .. })), "{failed:?}");
        let refused = User::query(tx).count();
        assert!(matches!(refused, Err(Error::TransactionAborted { .. })), "{refused:?}");
        Ok(())
    });
    match result {
        Err(Error::TransactionAborted { cause }) => assert!(cause.starts_with("a write in it failed"), "{cause}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(User::query(&db).count().unwrap(), 2, "nothing of the failed transaction is kept");
    // a write refused before it wrote anything leaves the transaction usable
    db.transaction(|tx| {
        let owner = user(tx, "owner");
        tx.add(Post {
            title: "keeps its author".into(),
            author: relations::BelongsTo::to(&owner),
            ..Default::default()
        })?;
        let refused = owner.delete(tx);
        assert!(matches!(refused, Err(Error::Referenced { .. })), "{refused:?}");
        assert_eq!(User::query(tx).count()?, 3);
        owner.posts(tx).load()?.first().expect("the post").delete(tx)?;
        assert!(owner.delete(tx)?);
        Ok::<_, Error>(())
    })
    .unwrap();
    // in a transaction of its own, the failed write is undone alone and the outer one goes on
    db.transaction(|tx| {
        user(tx, "outer");
        assert!(tx.transaction(|tx| tx.add(half_writable_user("bob"))).is_err());
        user(tx, "after");
        Ok::<_, Error>(())
    })
    .unwrap();
    let names: Vec<String> =
        User::query(&db).order_by(User::id).all().unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, ["a", "b", "outer", "after"]);
    assert_eq!(Post::query(&db).count().unwrap(), 2);
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
    a_write_inside_a_transaction_takes_no_savepoint_and_is_never_kept_half_done,
    db_is_send,
);
