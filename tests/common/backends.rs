//! One test body, two databases: `both_backends!(test_a, test_b)` makes `sqlite::test_a` and
//! `postgres::test_a` of each plain function. Inside, [`fresh`] opens an empty database on the
//! backend the test runs on: an in-memory SQLite database, or a new schema of the PostgreSQL
//! server at `RELATIONS_TEST_POSTGRES` (default `postgresql://postgres@127.0.0.1:5432/test`),
//! dropped when the test ends. Without a reachable server the PostgreSQL half prints one line
//! naming the URL and passes, unless `RELATIONS_REQUIRE_POSTGRES=1` (set by `.ci/run`) makes it
//! fail.
#![allow(dead_code)]

use std::cell::Cell;
use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use relations::Db;

/// The database a test body runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// In-memory SQLite.
    Sqlite,
    /// A schema of its own on the PostgreSQL test server.
    Postgres,
}

thread_local! {
    static CURRENT: Cell<Backend> = const { Cell::new(Backend::Sqlite) };
}

/// The backend the running test body uses.
pub fn current() -> Backend {
    CURRENT.with(Cell::get)
}

/// The PostgreSQL server the tests use.
pub fn postgres_url() -> String {
    std::env::var("RELATIONS_TEST_POSTGRES").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into())
}

/// Whether the PostgreSQL server answers (asked once per test binary).
fn postgres_reachable() -> bool {
    static REACHABLE: OnceLock<Result<(), String>> = OnceLock::new();
    let reachable = REACHABLE.get_or_init(|| Db::connect(&postgres_url()).map(drop).map_err(|e| e.to_string()));
    match reachable {
        Ok(()) => true,
        Err(e) if std::env::var_os("RELATIONS_REQUIRE_POSTGRES").is_some_and(|v| v != "0") => {
            panic!("RELATIONS_REQUIRE_POSTGRES is set, but {e}")
        }
        Err(_) => false,
    }
}

/// Runs `body` on `backend`; on PostgreSQL without a server, prints why it is skipped.
pub fn run(backend: Backend, name: &str, body: impl FnOnce()) {
    if backend == Backend::Postgres && !postgres_reachable() {
        println!("skipped {name} on PostgreSQL: no server at {}", postgres_url());
        return;
    }
    CURRENT.with(|c| c.set(backend));
    body();
}

/// A database for one test; a PostgreSQL schema is dropped with it.
pub struct TestDb {
    db: Option<Db>,
    schema: Option<String>,
}

impl Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db.as_ref().expect("open until dropped")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.db.take();
        if let Some(schema) = self.schema.take() {
            if let Ok(admin) = Db::connect(&postgres_url()) {
                let _ = admin.postgres().unwrap().batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"));
            }
        }
    }
}

/// A new, empty database on the current backend.
pub fn fresh() -> TestDb {
    match current() {
        Backend::Sqlite => TestDb { db: Some(Db::open_in_memory().expect("in-memory database")), schema: None },
        Backend::Postgres => {
            static N: AtomicU32 = AtomicU32::new(0);
            let schema = format!("relations_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let admin = Db::connect(&postgres_url()).expect("PostgreSQL test server");
            admin.postgres().unwrap().batch_execute(&format!("CREATE SCHEMA \"{schema}\"")).expect("create schema");
            let url = postgres_url();
            let sep = if url.contains('?') { '&' } else { '?' };
            let db = Db::connect(&format!("{url}{sep}options=-csearch_path%3D{schema}")).expect("connect to schema");
            TestDb { db: Some(db), schema: Some(schema) }
        }
    }
}

/// Runs a statement of the test's own (setup, sabotage) on either backend, outside the
/// runtime's counting.
pub fn raw(db: &Db, sql: &str) {
    match db.sqlite() {
        Some(conn) => conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
        None => db.postgres().unwrap().batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
    }
}

/// One integer from a query of the test's own.
pub fn scalar(db: &Db, sql: &str) -> i64 {
    match db.sqlite() {
        Some(conn) => conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}")),
        None => {
            let row = db.postgres().unwrap().query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
            row.try_get::<_, i64>(0).or_else(|_| row.try_get::<_, i32>(0).map(i64::from)).unwrap()
        }
    }
}

/// Whether the connection has no transaction open.
pub fn no_transaction_open(db: &Db) -> bool {
    match db.sqlite() {
        Some(conn) => conn.is_autocommit(),
        None => !db.backend().in_transaction(),
    }
}

/// The rows that break a foreign key: SQLite's `foreign_key_check` (PostgreSQL checks every
/// foreign key at each statement, so none can).
pub fn foreign_key_violations(db: &Db) -> usize {
    match db.sqlite() {
        Some(conn) => {
            let mut stmt = conn.prepare("PRAGMA foreign_key_check").unwrap();
            stmt.query_map([], |_| Ok(())).unwrap().count()
        }
        None => 0,
    }
}

/// `sqlite::name` and `postgres::name` tests of each plain function `name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run($crate::common::backends::Backend::Sqlite, stringify!($name), super::$name);
                }
            )+
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run($crate::common::backends::Backend::Postgres, stringify!($name), super::$name);
                }
            )+
        }
    };
}
