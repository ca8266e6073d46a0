//! `Query::batches` / `Query::iter`: a query's rows a batch at a time, by keyset, each batch
//! with its eager loads; and the memory that takes (a counting allocator: this binary's tests
//! run one at a time, see `HEAP`).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

use common::{db, Post, User};
use relations::{selectinload, Db, Error, Model};

/// The heap in use and its peak since the last reset, counted over every allocation.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Held by each test, so no other test's allocations are counted.
static HEAP: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How far the heap grows above where it was while `f` runs.
fn growth<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = IN_USE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed).saturating_sub(base))
}

/// `n` users (`u0`, `u1`, ...), each with `posts` posts.
fn users(db: &Db, n: usize, posts: usize) {
    db.transaction(|db| {
        let users = db.add_all((0..n).map(|i| User { username: format!("u{i}"), ..Default::default() }))?;
        let all = users.iter().flat_map(|u| {
            (0..posts).map(move |p| Post {
                title: format!("{}.{p}", u.username),
                author: relations::BelongsTo::to(u),
                ..Default::default()
            })
        });
        db.add_all(all).map(drop)
    })
    .unwrap();
}

fn batches_read_every_row_once_in_key_order_with_eager_loads_per_batch() {
    let _heap = HEAP.lock().unwrap_or_else(|e| e.into_inner());
    let db = db();
    users(&db, 250, 2);
    let query = User::query(&db).options(selectinload(User::POSTS));
    // 3 batches, each its users and their posts
    let batches: Vec<Vec<User>> = db.assert_statements(6, || query.batches(100).collect::<Result<_, Error>>().unwrap());
    assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [100, 100, 50]);
    let rows: Vec<&User> = batches.iter().flatten().collect();
    assert_eq!(rows.iter().map(|u| u.id).collect::<Vec<_>>(), (1..=250).collect::<Vec<_>>());
    for u in &rows {
        let titles: Vec<String> =
            db.assert_statements(0, || u.posts(&db).load().unwrap().iter().map(|p| p.title.clone()).collect());
        assert_eq!(titles, [format!("{}.0", u.username), format!("{}.1", u.username)]);
    }
    // a filter, an offset and a limit count over all the batches; iter gives the rows
    let picked = User::query(&db).filter(User::id.gt(5)).offset(10).limit(150);
    let ids: Vec<i64> = picked.iter(60).map(|u| u.map(|u| u.id)).collect::<Result<_, _>>().unwrap();
    assert_eq!(ids, (16..166).collect::<Vec<_>>());
    assert_eq!(db.assert_statements(3, || picked.batches(60).count()), 3);
    // a batch size that divides the rows: the last, empty batch is not handed out
    assert_eq!(User::query(&db).batches(125).map(|b| b.unwrap().len()).collect::<Vec<_>>(), [125, 125]);
    assert_eq!(User::query(&db).filter(User::id.gt(1000)).batches(10).count(), 0);
}

fn batches_let_the_rows_be_written_meanwhile_and_refuse_what_they_cannot_follow() {
    let _heap = HEAP.lock().unwrap_or_else(|e| e.into_inner());
    let db = db();
    users(&db, 30, 1);
    // each batch is its own statement: the connection is free between them
    let mut seen = 0;
    for batch in User::query(&db).batches(7) {
        for mut u in batch.unwrap() {
            u.karma = Some(u.id * 2);
            u.update(&db).unwrap();
            seen += 1;
        }
    }
    assert_eq!(seen, 30);
    let written: Vec<(i64, Option<i64>)> = User::query(&db).select((User::id, User::karma)).all().unwrap();
    assert!(written.iter().all(|(id, karma)| *karma == Some(id * 2)), "{written:?}");
    let refused = |batches: &mut relations::query::Batches<'_, User>, rows: &mut relations::query::Rows<'_, User>| {
        match batches.next() {
            Some(Err(Error::InvalidQuery { table: "user", message })) => {
                assert!(message.starts_with("batches(..) and iter(..) read the rows in key order"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        assert!(rows.nth(1).is_none(), "an error ends the rows");
    };
    let ordered = User::query(&db).order_by(User::username);
    refused(&mut ordered.batches(10), &mut ordered.iter(10));
    let joined = User::query(&db).join(User::POSTS);
    refused(&mut joined.batches(10), &mut joined.iter(10));
}

fn batches_hold_one_batch_in_memory() {
    let _heap = HEAP.lock().unwrap_or_else(|e| e.into_inner());
    let db = db();
    let n = 40_000;
    users(&db, n, 0);
    let query = User::query(&db);
    let (ids, streamed) = growth(|| query.iter(500).map(|u| u.unwrap().id).sum::<i64>());
    assert_eq!(ids, (1..=n as i64).sum::<i64>());
    let (all, collected) = growth(|| query.all().unwrap().len());
    assert_eq!(all, n);
    assert!(streamed * 10 < collected, "streaming grew the heap by {streamed} bytes, collecting by {collected}");
}

both_backends!(
    batches_read_every_row_once_in_key_order_with_eager_loads_per_batch,
    batches_let_the_rows_be_written_meanwhile_and_refuse_what_they_cannot_follow,
    batches_hold_one_batch_in_memory,
);
