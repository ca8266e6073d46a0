//! Several threads, each with its own connection to one database (a WAL file, or a PostgreSQL
//! schema): no lost write, and no lock error escaping the busy timeout; the same through the
//! pool (feature `pool`). Loaded models, relationships and all, shared between threads behind
//! an `Arc`, and lazily loaded from several at once.

use crate::common;

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use common::{Post, User};
use relations::pool::{Pool, PoolOptions};
use relations::{joinedload, selectinload, BelongsTo, Db, Error, Model};

#[derive(Model, Debug)]
struct Counter {
    id: i64,
    value: i64,
}

#[derive(Model, Debug)]
struct Event {
    id: i64,
    thread: i64,
    seq: i64,
}

const THREADS: i64 = 4;
const WRITES: i64 = 50;

fn setup(name: &str) -> common::TestDb {
    let db = common::shared(name);
    db.create_all::<(Counter, Event)>().unwrap();
    db.add(Counter { id: 1, value: 0 }).unwrap();
    db
}

/// One transaction: read the counter, write it back plus one, and log an event — run again
/// when it conflicts with another thread's (PostgreSQL's serializable transactions).
fn increment(db: &Db, thread: i64, seq: i64) -> Result<(), Error> {
    db.transaction_retrying(1000, |tx| {
        let mut c = Counter::get(tx, 1)?.expect("the counter row");
        c.value += 1;
        c.update(tx)?;
        tx.add(Event { thread, seq, ..Default::default() })?;
        Ok(())
    })
}

fn check(db: &Db) {
    assert_eq!(Counter::get(db, 1).unwrap().unwrap().value, THREADS * WRITES, "no lost update");
    assert_eq!(Event::query(db).count().unwrap(), THREADS * WRITES, "no lost insert");
    for t in 0..THREADS {
        let seqs: Vec<i64> = Event::query(db)
            .filter_by(Event::thread, t)
            .order_by(Event::id)
            .all()
            .unwrap()
            .into_iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (0..WRITES).collect::<Vec<_>>(), "thread {t}'s writes, in its order");
    }
}

fn threads_with_their_own_connections_interleave_writes_without_losing_any() {
    let db = setup("threads");
    let start = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (url, start) = (db.url().to_string(), start.clone());
            thread::spawn(move || {
                let db = Db::connect(&url).unwrap();
                db.set_busy_timeout(Duration::from_secs(20)).unwrap();
                start.wait();
                for i in 0..WRITES {
                    increment(&db, t, i).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    check(&db);
}

fn a_db_moves_to_another_thread() {
    let shared = setup("send");
    let db = Db::connect(shared.url()).unwrap();
    let db = thread::spawn(move || {
        increment(&db, 0, 0).unwrap();
        db
    })
    .join()
    .unwrap();
    assert_eq!(Counter::get(&db, 1).unwrap().unwrap().value, 1);
}

fn a_lock_held_past_the_busy_timeout_is_a_typed_error() {
    let holder = setup("busy");
    // another connection holds the write lock (SQLite), a lock on the table (PostgreSQL) or on
    // its rows (MariaDB, whose lock wait counts whole seconds: 50 ms is one)
    let (lock, release) = match holder.backend_name() {
        "sqlite" => ("BEGIN IMMEDIATE", "ROLLBACK"),
        "postgresql" => ("BEGIN; LOCK TABLE counter IN EXCLUSIVE MODE", "ROLLBACK"),
        _ => ("BEGIN; SELECT * FROM counter FOR UPDATE", "ROLLBACK"),
    };
    common::raw(&holder, lock);
    let waiter = Db::connect(holder.url()).unwrap();
    waiter.set_busy_timeout(Duration::from_millis(50)).unwrap();
    let err = waiter.transaction(|tx| Counter::get(tx, 1)?.expect("the row").update(tx)).unwrap_err();
    assert!(matches!(err, Error::Busy), "{err:?}");
    assert!(err.is_retryable());
    assert!(common::no_transaction_open(&waiter), "nothing left open");
    common::raw(&holder, release);
    // once the lock is released the same write goes through
    increment(&waiter, 9, 0).unwrap();
}

fn the_pool_hands_each_thread_a_connection() {
    let db = setup("pool");
    let pool = Pool::connect(db.url(), PoolOptions { max_size: 3, ..PoolOptions::default() }).unwrap();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let pool = pool.clone();
            thread::spawn(move || {
                for i in 0..WRITES {
                    // a connection per unit of work, back to the pool after it
                    let db = pool.get().unwrap();
                    increment(&db, t, i).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    check(&pool.get().unwrap());
    if let Some(conn) = pool.get().unwrap().driver::<relations::rusqlite::Connection>() {
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }
}

/// What a `Send + Sync` bound would say at compile time, for the types a service shares.
fn shareable<T: Send + Sync>() {}
fn sendable<T: Send>() {}

#[test]
fn models_and_options_cross_threads_and_a_db_moves() {
    shareable::<User>();
    shareable::<Post>();
    shareable::<common::UserProfile>();
    shareable::<relations::load::Load<User>>();
    sendable::<Db>();
}

/// A blog on a database other connections can open: `USERS` users with `POSTS` posts each.
const USERS: usize = 6;
const POSTS: usize = 5;

fn blog(name: &str) -> common::TestDb {
    let db = common::shared(name);
    db.create_all::<(User, common::UserProfile, Post, common::Comment, common::Tag)>().unwrap();
    for u in 0..USERS {
        let user = common::user(&db, &format!("user{u}"));
        for p in 0..POSTS {
            db.add(Post { title: format!("{u}.{p}"), author: BelongsTo::to(&user), ..Default::default() }).unwrap();
        }
    }
    db
}

fn titles(user: &User) -> Vec<String> {
    user.posts.loaded().expect("loaded").iter().map(|p| p.title.clone()).collect()
}

fn expected_titles(u: usize) -> Vec<String> {
    (0..POSTS).map(|p| format!("{u}.{p}")).collect()
}

fn loaded_models_are_read_from_several_threads_behind_an_arc() {
    let db = blog("shared_models");
    let users = Arc::new(User::query(&db).options(selectinload(User::POSTS)).order_by(User::id).all().unwrap());
    let posts = Arc::new(Post::query(&db).options(joinedload(Post::AUTHOR)).order_by(Post::id).all().unwrap());
    let seen: Vec<(Vec<Vec<String>>, Vec<String>)> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (users, posts) = (Arc::clone(&users), Arc::clone(&posts));
                s.spawn(move || {
                    let titles: Vec<Vec<String>> = users.iter().map(titles).collect();
                    let authors = posts.iter().map(|p| p.author.loaded().expect("joined").username.clone()).collect();
                    (titles, authors)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let want_authors: Vec<String> = (0..USERS).flat_map(|u| (0..POSTS).map(move |_| format!("user{u}"))).collect();
    for (titles, authors) in seen {
        assert_eq!(titles, (0..USERS).map(expected_titles).collect::<Vec<_>>());
        assert_eq!(authors, want_authors);
    }
}

fn threads_lazily_load_one_shared_model_at_once() {
    let db = blog("shared_lazy");
    let users = Arc::new(User::query(&db).order_by(User::id).all().unwrap());
    let start = Arc::new(Barrier::new(THREADS as usize));
    thread::scope(|s| {
        for _ in 0..THREADS {
            let (users, start, url) = (Arc::clone(&users), Arc::clone(&start), db.url().to_string());
            s.spawn(move || {
                let db = Db::connect(&url).unwrap();
                start.wait();
                for (u, user) in users.iter().enumerate() {
                    let posts = user.posts(&db).load().unwrap();
                    let got: Vec<&str> = posts.iter().map(|p| p.title.as_str()).collect();
                    assert_eq!(got, expected_titles(u), "every thread reads the one loaded collection");
                }
            });
        }
    });
    // the first load won, once per user, and the others read it
    for (u, user) in users.iter().enumerate() {
        assert_eq!(titles(user), expected_titles(u));
    }
}

#[test]
fn wal_needs_a_file() {
    let db = Db::open_in_memory().unwrap();
    assert!(matches!(db.use_wal(), Err(Error::Setting(_))));
}

both_backends!(
    threads_with_their_own_connections_interleave_writes_without_losing_any,
    a_db_moves_to_another_thread,
    a_lock_held_past_the_busy_timeout_is_a_typed_error,
    the_pool_hands_each_thread_a_connection,
    loaded_models_are_read_from_several_threads_behind_an_arc,
    threads_lazily_load_one_shared_model_at_once,
);
