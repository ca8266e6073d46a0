//! One test body, three databases: `both_backends!(test_a, test_b)` makes
//! `sync_sqlite::test_a`, `sync_postgres::test_a` and `sync_mariadb::test_a` of each plain
//! function (and their `async_` twins).
//! Inside, [`fresh`] opens an empty database on the backend the test runs on: an in-memory
//! SQLite database, a new schema of the PostgreSQL server at `RELATIONS_TEST_POSTGRES` (default
//! `postgresql://postgres@127.0.0.1:5432/test`), or a new database of the MariaDB server at
//! `RELATIONS_TEST_MARIADB` (default `mysql://root@127.0.0.1:3306/test`), dropped when the test
//! ends. Without a reachable server each test of that half prints a line saying it is skipped
//! and passes, and the binary counts them under libtest's summary, unless
//! `RELATIONS_REQUIRE_POSTGRES=1` or `RELATIONS_REQUIRE_MARIADB=1` (set by `.ci/run`) makes it
//! fail.
#![allow(dead_code)]

use std::cell::Cell;
use std::io::Write;
use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use relations::{AsyncDb, BlockingDb, Db};

/// The database a test body runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// In-memory SQLite.
    Sqlite,
    /// A schema of its own on the PostgreSQL test server.
    Postgres,
    /// A database of its own on the MariaDB test server.
    Mariadb,
}

impl Backend {
    /// Whether `name`, a database's [`Db::backend_name`], is this backend's.
    pub fn names(self, name: &str) -> bool {
        match self {
            Backend::Sqlite => name == "sqlite",
            Backend::Postgres => name == "postgresql",
            Backend::Mariadb => name == "mariadb" || name == "mysql",
        }
    }
}

thread_local! {
    static CURRENT: Cell<Backend> = const { Cell::new(Backend::Sqlite) };
    /// The body runs as async code runs it: on tokio's blocking pool, its databases opened
    /// by `AsyncDb` and used through the connection it holds.
    static ASYNC: Cell<bool> = const { Cell::new(false) };
}

/// The backend the running test body uses: the current thread's.
pub fn current() -> Backend {
    CURRENT.with(Cell::get)
}

/// Makes `backend` the current thread's, for a thread a test body starts (a runtime's worker,
/// its blocking pool) that opens databases with [`fresh`] or [`shared`].
pub fn set_current(backend: Backend) {
    CURRENT.with(|c| c.set(backend));
}

/// The PostgreSQL server the tests use.
pub fn postgres_url() -> String {
    std::env::var("RELATIONS_TEST_POSTGRES").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/test".into())
}

/// The MariaDB server the tests use (its `test` database only for connecting).
pub fn mariadb_url() -> String {
    std::env::var("RELATIONS_TEST_MARIADB").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

/// Whether a server answers at `url` (asked once per test binary and server), or a failure
/// when `require` is set in the environment.
fn reachable(cell: &'static OnceLock<Result<(), String>>, url: &str, require: &str) -> bool {
    let reachable = cell.get_or_init(|| Db::connect(url).map(drop).map_err(|e| e.to_string()));
    match reachable {
        Ok(()) => true,
        Err(e) if std::env::var_os(require).is_some_and(|v| v != "0") => panic!("{require} is set, but {e}"),
        Err(_) => false,
    }
}

/// Whether the PostgreSQL server answers.
fn postgres_reachable() -> bool {
    static REACHABLE: OnceLock<Result<(), String>> = OnceLock::new();
    reachable(&REACHABLE, &postgres_url(), "RELATIONS_REQUIRE_POSTGRES")
}

/// Whether the MariaDB server answers.
fn mariadb_reachable() -> bool {
    static REACHABLE: OnceLock<Result<(), String>> = OnceLock::new();
    reachable(&REACHABLE, &mariadb_url(), "RELATIONS_REQUIRE_MARIADB")
}

/// Runs `body` on `backend`; on PostgreSQL without a server, prints why it is skipped.
pub fn run(backend: Backend, name: &str, body: impl FnOnce()) {
    if use_backend(backend, name) {
        body();
    }
}

/// Runs the sync `body` on `backend` the way the async API runs sync code: on a tokio
/// runtime's blocking pool, with every database [`fresh`] and [`shared`] open opened by
/// `AsyncDb` (`open_in_memory`, `open`, `connect`) and used through its connection
/// (`AsyncDb::blocking_connection`).
pub fn run_async(backend: Backend, name: &str, body: impl FnOnce() + Send + 'static) {
    if !use_backend(backend, name) {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    rt.block_on(async move {
        let body = move || {
            CURRENT.with(|c| c.set(backend));
            ASYNC.with(|a| a.set(true));
            body()
        };
        if let Err(e) = tokio::task::spawn_blocking(body).await {
            std::panic::resume_unwind(e.into_panic());
        }
    });
}

/// Whether the running test body runs as async code runs it ([`run_async`]).
pub fn is_async() -> bool {
    ASYNC.with(Cell::get)
}

/// Opens `db` the way the current mode does: as is, or through an `AsyncDb` whose
/// connection the test then holds.
fn open(
    sync: impl FnOnce() -> relations::Result<Db>,
    opener: impl std::future::Future<Output = relations::Result<AsyncDb>>,
) -> Conn {
    if ASYNC.with(Cell::get) {
        let adb = tokio::runtime::Handle::current().block_on(opener).expect("AsyncDb opens the database");
        Conn::Async(adb.blocking_connection())
    } else {
        Conn::Sync(Box::new(sync().expect("the test database opens")))
    }
}

/// A test's connection: a `Db`, or an `AsyncDb`'s held by the test.
enum Conn {
    Sync(Box<Db>),
    Async(BlockingDb),
}

impl Deref for Conn {
    type Target = Db;
    fn deref(&self) -> &Db {
        match self {
            Conn::Sync(db) => db,
            Conn::Async(db) => db,
        }
    }
}

/// Makes `backend` the one [`fresh`] opens, and says whether it can run; on a server backend
/// without its server, reports `name` skipped ([`skip`]).
pub fn use_backend(backend: Backend, name: &str) -> bool {
    if backend == Backend::Postgres && !postgres_reachable() {
        skip(backend, name, &postgres_url());
        return false;
    }
    if backend == Backend::Mariadb && !mariadb_reachable() {
        skip(backend, name, &mariadb_url());
        return false;
    }
    CURRENT.with(|c| c.set(backend));
    true
}

/// The tests skipped so far in this binary, on PostgreSQL and on MariaDB.
static SKIPPED: std::sync::Mutex<[Vec<String>; 2]> = std::sync::Mutex::new([Vec::new(), Vec::new()]);

/// Reports the running test skipped on `backend`, whose server is not at `url` (once per test,
/// however often it asks; `name` where libtest runs it on the main thread): one line on the
/// terminal itself (libtest captures what a passing test prints, which would hide it), and a
/// count that the binary prints under libtest's summary when it exits, so that a run without a
/// server never reads as a run with one.
fn skip(backend: Backend, name: &str, url: &str) {
    // the test's name as libtest prints it, which libtest gives the thread running the test
    let name = std::thread::current().name().filter(|n| *n != "main").unwrap_or(name).to_string();
    let mut skipped = SKIPPED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if skipped.iter().all(Vec::is_empty) {
        // SAFETY: `atexit` takes a plain function, which runs once, when the process exits
        unsafe {
            libc::atexit(print_skipped);
        }
    }
    let list = &mut skipped[usize::from(backend == Backend::Mariadb)];
    if !list.contains(&name) {
        let server = if backend == Backend::Mariadb { "MariaDB" } else { "PostgreSQL" };
        // one write, so that the line does not interleave with libtest's
        let _ = std::io::stderr().write_all(format!("skipped {name}: no {server} server at {url}\n").as_bytes());
        list.push(name);
    }
}

/// Prints how many tests were skipped, after libtest's summary.
extern "C" fn print_skipped() {
    let skipped = SKIPPED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let [postgres, mariadb] = [0, 1].map(|i| skipped[i].len());
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {} tests without a server ({postgres} on PostgreSQL at {}, {mariadb} on MariaDB at {}); \
         RELATIONS_REQUIRE_POSTGRES=1 and RELATIONS_REQUIRE_MARIADB=1 make a missing server fail",
        postgres + mariadb,
        postgres_url(),
        mariadb_url()
    );
}

/// A database for one test; a PostgreSQL schema is dropped with it.
pub struct TestDb {
    db: Option<Conn>,
    /// The PostgreSQL schema or MariaDB database dropped with it.
    schema: Option<(Backend, String)>,
    /// The URL another connection opens the same database by.
    url: String,
    /// A directory of the test's own, removed with it.
    dir: Option<std::path::PathBuf>,
}

impl TestDb {
    /// The URL another connection opens the same database by (`Db::connect`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The test's database as an `AsyncDb`, for async test bodies; the `TestDb` keeps the
    /// PostgreSQL schema until it is dropped.
    pub fn into_async(mut self) -> (AsyncDb, TestDb) {
        let adb = match self.db.take() {
            Some(Conn::Sync(db)) => AsyncDb::from_db(*db),
            _ => panic!("async test bodies open their database with `fresh` outside `run_async`"),
        };
        (adb, self)
    }
}

impl Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db.as_deref().expect("open until dropped")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.db.take();
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        match self.schema.take() {
            // on a thread of its own: the sync client must not run on an async test's worker
            Some((Backend::Postgres, schema)) => std::thread::scope(|s| {
                s.spawn(|| {
                    if let Ok(admin) = Db::connect(&postgres_url()) {
                        let _ = admin
                            .driver::<relations::tokio_postgres::Client>()
                            .unwrap()
                            .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"));
                    }
                });
            }),
            Some((_, database)) => {
                if let Ok(admin) = Db::connect(&mariadb_url()) {
                    let _ = admin.sql(format!("DROP DATABASE `{database}`")).execute();
                }
            }
            None => {}
        }
    }
}

/// A new, empty database on the current backend.
pub fn fresh() -> TestDb {
    match current() {
        Backend::Sqlite => TestDb {
            db: Some(open(Db::open_in_memory, AsyncDb::open_in_memory())),
            schema: None,
            url: "sqlite::memory:".into(),
            dir: None,
        },
        Backend::Postgres => {
            static N: AtomicU32 = AtomicU32::new(0);
            let schema = format!("relations_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let admin = Db::connect(&postgres_url()).expect("PostgreSQL test server");
            admin
                .driver::<relations::tokio_postgres::Client>()
                .unwrap()
                .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
                .expect("create schema");
            let url = postgres_url();
            let sep = if url.contains('?') { '&' } else { '?' };
            let url = format!("{url}{sep}options=-csearch_path%3D{schema}");
            let db = open(|| Db::connect(&url), AsyncDb::connect(&url));
            TestDb { db: Some(db), schema: Some((Backend::Postgres, schema)), url, dir: None }
        }
        Backend::Mariadb => {
            static N: AtomicU32 = AtomicU32::new(0);
            let database = format!("relations_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let admin = Db::connect(&mariadb_url()).expect("MariaDB test server");
            admin.sql(format!("CREATE DATABASE `{database}`")).execute().expect("create database");
            let server = mariadb_url();
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            let url = format!("{base}/{database}");
            let db = open(|| Db::connect(&url), AsyncDb::connect(&url));
            TestDb { db: Some(db), schema: Some((Backend::Mariadb, database)), url, dir: None }
        }
    }
}

/// A new, empty database that other connections open too, by [`TestDb::url`]: a file in WAL
/// mode on SQLite, a schema on PostgreSQL.
pub fn shared(name: &str) -> TestDb {
    match current() {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("relations-test-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join("db.sqlite");
            let db = open(|| Db::open(&path), AsyncDb::open(&path));
            db.use_wal().expect("WAL");
            TestDb { db: Some(db), schema: None, url: path.display().to_string(), dir: Some(dir) }
        }
        Backend::Postgres | Backend::Mariadb => fresh(),
    }
}

/// Runs a statement of the test's own (setup, sabotage) on either backend, outside the
/// runtime's counting.
pub fn raw(db: &Db, sql: &str) {
    match (db.driver::<relations::rusqlite::Connection>(), db.driver::<relations::tokio_postgres::Client>()) {
        (Some(conn), _) => conn.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
        (_, Some(client)) => client.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
        // the test's own statements, one by one (none of them holds a `;` in a literal)
        _ => {
            for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                db.sql(mysql_quotes(statement)).execute().unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
        }
    }
}

/// A test's own SQL, whose names are quoted the standard way (`"user"`), as MariaDB quotes
/// them (`` `user` ``); the tests' statements hold no `"` in a literal.
pub fn mysql_quotes(sql: &str) -> String {
    sql.replace('"', "`")
}

/// `text` (SQL the test expects, quoted the standard way) as the current backend quotes it.
pub fn quoted(db: &Db, text: &str) -> String {
    match db.backend_name() {
        "mariadb" | "mysql" => mysql_quotes(text),
        _ => text.to_string(),
    }
}

/// `sql` with `SERIAL` as SQLite spells an auto key (`INTEGER`, the rowid).
pub fn serial(db: &Db, sql: &str) -> String {
    match db.backend_name() {
        "sqlite" => sql.replace("SERIAL", "INTEGER"),
        _ => sql.to_string(),
    }
}

/// One integer from a query of the test's own.
pub fn scalar(db: &Db, sql: &str) -> i64 {
    match (db.driver::<relations::rusqlite::Connection>(), db.driver::<relations::tokio_postgres::Client>()) {
        (Some(conn), _) => conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}")),
        (_, Some(client)) => {
            let row = client.query_one(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
            row.try_get::<_, i64>(0).or_else(|_| row.try_get::<_, i32>(0).map(i64::from)).unwrap()
        }
        _ => db.sql(mysql_quotes(sql)).one::<(i64,)>().unwrap_or_else(|e| panic!("{sql}: {e}")).0,
    }
}

/// The names of the database's tables (of the test's schema, on PostgreSQL), sorted.
pub fn table_names(db: &Db) -> Vec<String> {
    strings(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
    )
}

/// The one text column of a catalog query of the test's own, by backend: SQLite's,
/// PostgreSQL's or MariaDB's.
pub fn strings(db: &Db, sqlite: &str, postgres: &str, mariadb: &str) -> Vec<String> {
    if let Some(conn) = db.driver::<relations::rusqlite::Connection>() {
        let mut stmt = conn.prepare(sqlite).unwrap();
        return stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    }
    if let Some(pg) = db.driver::<relations::tokio_postgres::Client>() {
        return pg.query(postgres, &[]).unwrap().iter().map(|r| r.get(0)).collect();
    }
    db.sql(mariadb).all::<(String,)>().unwrap().into_iter().map(|r| r.0).collect()
}

/// Whether the connection has no transaction open.
pub fn no_transaction_open(db: &Db) -> bool {
    match db.driver::<relations::rusqlite::Connection>() {
        Some(conn) => conn.is_autocommit(),
        None => !db.backend().in_transaction(),
    }
}

/// The rows that break a foreign key: SQLite's `foreign_key_check` (PostgreSQL checks every
/// foreign key at each statement, so none can).
pub fn foreign_key_violations(db: &Db) -> usize {
    match db.driver::<relations::rusqlite::Connection>() {
        Some(conn) => {
            let mut stmt = conn.prepare("PRAGMA foreign_key_check").unwrap();
            stmt.query_map([], |_| Ok(())).unwrap().count()
        }
        None => 0,
    }
}

/// `sync_sqlite::name`, `sync_postgres::name` and `sync_mariadb::name` tests of each plain
/// function `name`, and `async_sqlite::name`, `async_postgres::name`, `async_mariadb::name`
/// running it as [`run_async`] does: six modules whose names no filter confuses
/// (`sync_sqlite::` selects one backend in one mode).
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod async_sqlite {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run_async($crate::common::backends::Backend::Sqlite, stringify!($name), super::$name);
                }
            )+
        }
        mod async_postgres {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run_async($crate::common::backends::Backend::Postgres, stringify!($name), super::$name);
                }
            )+
        }
        mod async_mariadb {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run_async($crate::common::backends::Backend::Mariadb, stringify!($name), super::$name);
                }
            )+
        }
        mod sync_mariadb {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run($crate::common::backends::Backend::Mariadb, stringify!($name), super::$name);
                }
            )+
        }
        mod sync_sqlite {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run($crate::common::backends::Backend::Sqlite, stringify!($name), super::$name);
                }
            )+
        }
        mod sync_postgres {
            $(
                #[test]
                fn $name() {
                    $crate::common::backends::run($crate::common::backends::Backend::Postgres, stringify!($name), super::$name);
                }
            )+
        }
    };
}
