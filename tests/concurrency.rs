//! Several threads, each with its own connection to one WAL file: no lost write, and no
//! `SQLITE_BUSY` escaping the busy timeout; the same through the pool (feature `pool`).

use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use relations::pool::{Pool, PoolOptions};
use relations::{Db, Error, Model};

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

fn file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("relations-concurrency-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("db.sqlite")
}

fn setup(path: &PathBuf) {
    let db = Db::open(path).unwrap();
    db.use_wal().unwrap();
    db.create_all::<(Counter, Event)>().unwrap();
    db.add(Counter { id: 1, value: 0 }).unwrap();
}

/// One transaction: read the counter, write it back plus one, and log an event.
fn increment(db: &Db, thread: i64, seq: i64) -> Result<(), Error> {
    db.transaction(|tx| {
        let mut c = Counter::get(tx, 1)?.expect("the counter row");
        c.value += 1;
        c.update(tx)?;
        tx.add(Event { thread, seq, ..Default::default() })?;
        Ok(())
    })
}

fn check(path: &PathBuf) {
    let db = Db::open(path).unwrap();
    assert_eq!(Counter::get(&db, 1).unwrap().unwrap().value, THREADS * WRITES, "no lost update");
    assert_eq!(Event::query(&db).count().unwrap(), THREADS * WRITES, "no lost insert");
    for t in 0..THREADS {
        let seqs: Vec<i64> = Event::query(&db)
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

#[test]
fn threads_with_their_own_connections_interleave_writes_without_losing_any() {
    let path = file("threads");
    setup(&path);
    let start = Arc::new(Barrier::new(THREADS as usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (path, start) = (path.clone(), start.clone());
            thread::spawn(move || {
                let db = Db::open(&path).unwrap();
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
    check(&path);
}

#[test]
fn a_db_moves_to_another_thread() {
    let path = file("send");
    setup(&path);
    let db = Db::open(&path).unwrap();
    let db = thread::spawn(move || {
        increment(&db, 0, 0).unwrap();
        db
    })
    .join()
    .unwrap();
    assert_eq!(Counter::get(&db, 1).unwrap().unwrap().value, 1);
}

#[test]
fn a_lock_held_past_the_busy_timeout_is_a_typed_error() {
    let path = file("busy");
    setup(&path);
    let holder = Db::open(&path).unwrap();
    holder.sqlite().unwrap().execute_batch("BEGIN IMMEDIATE").unwrap();
    let waiter = Db::open(&path).unwrap();
    waiter.set_busy_timeout(Duration::from_millis(50)).unwrap();
    let err = increment(&waiter, 9, 0).unwrap_err();
    assert!(matches!(err, Error::Busy), "{err:?}");
    assert!(waiter.sqlite().unwrap().is_autocommit(), "nothing left open");
    holder.sqlite().unwrap().execute_batch("ROLLBACK").unwrap();
    // once the lock is released the same write goes through
    increment(&waiter, 9, 0).unwrap();
}

#[test]
fn the_pool_hands_each_thread_a_connection() {
    let path = file("pool");
    setup(&path);
    let pool = Pool::open(&path, PoolOptions { max_size: 3, ..PoolOptions::default() }).unwrap();
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
    check(&path);
    let db = pool.get().unwrap();
    let mode: String = db.sqlite().unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn wal_needs_a_file() {
    let db = Db::open_in_memory().unwrap();
    assert!(matches!(db.use_wal(), Err(Error::Setting(_))));
}
