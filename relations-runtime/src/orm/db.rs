//! [`Db`]: one connection, on any [`Backend`], and what every statement passes through:
//! counting, echo, recording, the N+1 guard, and transactions with savepoints. The model
//! operations on it are written in the ORM modules above (`crud`, `create`, `cascade`).

use std::cell::{Cell, RefCell};
use std::path::Path;

use crate::backend::{AfterError, Backend, Driver, IntoBackend, RawRow};
use crate::dialect::Dialect;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::{RelationDef, Table};

/// What a [`Db`] does about the N+1 shape: the same relationship lazily loaded again and again
/// (typically once per row of a loop), with no other statement in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NPlusOne {
    /// Nothing (the default).
    #[default]
    Allow,
    /// Log a `WARN` event on target `relations::sql` when one relationship is lazily loaded more
    /// than this many times in a row, once per run.
    Warn(u32),
    /// Fail the lazy load with [`Error::NPlusOne`] when one relationship is lazily loaded more
    /// than this many times in a row.
    Deny(u32),
}

/// Why the open transaction refuses statements.
struct Aborted {
    /// The error that did it.
    cause: String,
    /// Whether rolling back the innermost level (PostgreSQL) makes the transaction usable
    /// again; otherwise the database ended all of it.
    recoverable: bool,
}

/// A database: one connection, to SQLite (foreign keys enforced) or PostgreSQL.
///
/// Every statement is prepared once per connection and every value is bound as a parameter.
/// `Db` is `Send`, so a connection can move to another thread; give each thread its own `Db` on
/// the same database to work in parallel.
pub struct Db {
    backend: Box<dyn Backend>,
    dialect: &'static dyn Dialect,
    depth: Cell<u32>,
    statements: Cell<u64>,
    /// Statements that wrote and ran: what tells a failed write that left rows behind from one
    /// that wrote nothing (`as_one_unit`).
    writes: Cell<u64>,
    /// The SQL of each statement run inside [`Db::record`].
    recording: RefCell<Option<Vec<String>>>,
    n_plus_one: Cell<NPlusOne>,
    /// Whether the statements running now serve a lazy load.
    in_lazy_load: Cell<bool>,
    /// Lazy loads per relationship since the last other statement.
    lazy_runs: RefCell<Vec<((&'static str, &'static str), u32)>>,
    /// `INSERT` statements by table and by whether the key is left to the database: rendered
    /// once.
    pub(crate) inserts: RefCell<rustc_hash::FxHashMap<(usize, bool), String>>,
    /// The statements of plain queries (a filter by `column = ?` terms, no join or limit) by
    /// their shape: rendered once. Gets by key and lazy loads find theirs in `plain` first.
    pub(crate) selects: RefCell<rustc_hash::FxHashMap<crate::sql::expr::Shape, std::sync::Arc<str>>>,
    /// Each plain read's statement on this connection and the number of values it binds
    /// (`None`: a read without a shape), found without building its query.
    pub(crate) plain: RefCell<rustc_hash::FxHashMap<Plain, PlainSql>>,
    /// The rows and owners of each relationship's last eager level (by the address of its
    /// definition): how much room the next level's rows are given up front.
    pub(crate) level_sizes: RefCell<rustc_hash::FxHashMap<usize, (usize, usize)>>,
    /// What was read of the database's schema (which tables reference which), on the first
    /// delete that needs it; typed by the layer that reads it.
    catalog: RefCell<Option<std::sync::Arc<dyn std::any::Any + Send + Sync>>>,
    /// Set when an error ended the open transaction (SQLite after a full disk, an I/O
    /// error...), or left it refusing statements until a rollback (PostgreSQL after any
    /// error). Every statement is refused until the transaction (or savepoint) returns.
    aborted: RefCell<Option<Aborted>>,
    /// The rules every read honours ([`Db::add_rule`]), and the running query's.
    pub(crate) rules: RefCell<crate::sql::rules::Rules>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("database", &self.backend.describe()).finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating if needed) the SQLite database file at `path`. A file that is not a
    /// SQLite database, or one that cannot be read or created, is [`Error::CannotOpen`] naming
    /// it, here rather than at the first statement.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        crate::backend::open_file(path.as_ref(), false).map(Db::from_backend)
    }

    /// Opens an existing database file for reading only: nothing can change it. A missing
    /// file, or one that is not a database, is [`Error::CannotOpen`].
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Db> {
        crate::backend::open_file(path.as_ref(), true).map(Db::from_backend)
    }

    /// Opens a new, empty in-memory database.
    pub fn open_in_memory() -> Result<Db> {
        crate::backend::open_in_memory().map(Db::from_backend)
    }

    /// Opens the database a URL names, SQLAlchemy's way:
    /// - `postgresql://user@host:port/database` (or `postgres://`, or libpq's `host=... dbname=...`
    ///   form): a PostgreSQL server (feature `postgres`);
    /// - `mysql://user@host:port/database` (or `mariadb://`, or SQLAlchemy's `mysql+pymysql://`):
    ///   a MariaDB (or MySQL) server (feature `mariadb`);
    /// - `sqlite::memory:` or `sqlite://` alone: a new in-memory SQLite database;
    /// - `sqlite:///<path>` or `sqlite:<path>`, or a plain path: a SQLite file, created if needed.
    ///
    /// Any other `scheme://` is [`Error::UnsupportedUrl`], listing these: never a file of that
    /// name.
    ///
    /// ```
    /// # use relations_runtime::Db;
    /// let db = Db::connect("sqlite::memory:")?;
    /// assert_eq!(db.backend_name(), "sqlite");
    /// # Ok::<(), relations_runtime::Error>(())
    /// ```
    pub fn connect(url: &str) -> Result<Db> {
        crate::backend::open_url(url, None).map(Db::from_backend)
    }

    /// [`Db::connect`], waiting at most `timeout` to connect to a server (the TCP connection
    /// and the start-up exchange together), whatever the URL's `connect_timeout` says; a SQLite
    /// URL opens as `connect` opens it.
    pub fn connect_timeout(url: &str, timeout: std::time::Duration) -> Result<Db> {
        crate::backend::open_url(url, Some(timeout)).map(Db::from_backend)
    }

    /// `"sqlite"`, `"postgresql"`, `"mariadb"` or `"mysql"`: which database this is (its
    /// dialect's name).
    pub fn backend_name(&self) -> &'static str {
        self.dialect.name()
    }

    /// Wraps a driver's open connection: rusqlite's `Connection`, with `PRAGMA foreign_keys`
    /// turned on and the query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`: no
    /// plan depends on a bound value, so a cached statement is never re-prepared when re-bound;
    /// a `LIKE` with a bound pattern then never uses an index).
    ///
    /// ```
    /// # use relations_runtime::{rusqlite, Db};
    /// let db = Db::from_connection(rusqlite::Connection::open_in_memory()?)?;
    /// assert_eq!(db.backend_name(), "sqlite");
    /// # Ok::<(), relations_runtime::Error>(())
    /// ```
    pub fn from_connection(conn: impl IntoBackend) -> Result<Db> {
        conn.into_backend().map(Db::from_backend)
    }

    /// Wraps a connection of any backend.
    pub fn from_backend(backend: Box<dyn Backend>) -> Db {
        Db {
            dialect: backend.dialect(),
            backend,
            depth: Cell::new(0),
            statements: Cell::new(0),
            writes: Cell::new(0),
            recording: RefCell::new(None),
            n_plus_one: Cell::new(NPlusOne::Allow),
            in_lazy_load: Cell::new(false),
            lazy_runs: RefCell::new(Vec::new()),
            inserts: RefCell::default(),
            selects: RefCell::default(),
            plain: RefCell::default(),
            level_sizes: RefCell::default(),
            catalog: RefCell::new(None),
            aborted: RefCell::new(None),
            rules: RefCell::default(),
        }
    }

    /// How long a statement waits for another connection's lock before failing with
    /// [`Error::Busy`]: SQLite's busy timeout (rusqlite's default is 5 seconds), PostgreSQL's
    /// `lock_timeout` (none by default), MariaDB's `innodb_lock_wait_timeout` (whole seconds, at
    /// least one; 50 by default).
    pub fn set_busy_timeout(&self, timeout: std::time::Duration) -> Result<()> {
        self.backend.set_busy_timeout(timeout)
    }

    /// Switches the database file to WAL journaling (`PRAGMA journal_mode = WAL`): readers no
    /// longer wait for the writer, so several connections (one per thread) work on one file.
    /// The mode is stored in the file. Fails for an in-memory database, which has no WAL, and
    /// on a server database.
    pub fn use_wal(&self) -> Result<()> {
        self.backend.use_wal()
    }

    /// The driver's connection underneath, for what `relations` does not cover, named by the
    /// driver's type: `rusqlite::Connection` lends `&Connection`, tokio-postgres' `Client` (feature
    /// `postgres`) a
    #[cfg_attr(feature = "postgres", doc = "[`PgClient`](crate::backend::PgClient);")]
    #[cfg_attr(not(feature = "postgres"), doc = "`PgClient`;")]
    /// `None` on another backend.
    /// Statements run on it are not counted or echoed, and see the open transaction. On MariaDB,
    /// [`Db::sql`] is the way to raw statements.
    ///
    /// ```
    /// # use relations_runtime::{rusqlite, Db};
    /// let db = Db::open_in_memory()?;
    /// let conn = db.driver::<rusqlite::Connection>().expect("a SQLite database");
    /// assert_eq!(conn.query_row("SELECT 6 * 7", [], |r| r.get::<_, i64>(0))?, 42);
    /// # Ok::<(), relations_runtime::Error>(())
    /// ```
    pub fn driver<D: Driver>(&self) -> Option<D::Handle<'_>> {
        D::handle(&*self.backend)
    }

    /// Limits how long one statement may run: past `timeout` it is stopped and fails with
    /// [`Error::StatementTimeout`] (PostgreSQL's `statement_timeout`, MariaDB's
    /// `max_statement_time`, and on the client's side a bound a little longer, for a server
    /// that stops answering; on SQLite, an interrupt). `None` lifts the limit (the default).
    /// Set it outside a transaction: on PostgreSQL a transaction rolled back takes the setting
    /// with it; on MariaDB and MySQL the client's bound is the connection's read timeout, which
    /// the driver fixes when it connects, so the connection is opened anew (inside a transaction
    /// that is [`Error::Setting`]).
    pub fn set_statement_timeout(&self, timeout: Option<std::time::Duration>) -> Result<()> {
        self.backend.set_statement_timeout(timeout)
    }

    /// Whether the connection is known to be unusable — closed by the server, lost in a call,
    /// given up on after a timeout — without asking the database. A pool discards such a
    /// connection; a `Db` of your own is best replaced by a new [`Db::connect`].
    pub fn is_broken(&self) -> bool {
        self.backend.is_broken()
    }

    /// Checks that the connection can be used, cheaply (what both pools do before handing one
    /// out): on PostgreSQL, whatever the server sent while the connection was idle is read (a
    /// restarted server's or a terminated session's goodbye) without a round trip, and a ping is
    /// sent only when an earlier error left the connection in doubt. A connection that cannot
    /// be used is [`Error::ConnectionLost`].
    pub fn check(&self) -> Result<()> {
        self.backend.check()
    }

    /// The backend underneath.
    pub fn backend(&self) -> &dyn Backend {
        &*self.backend
    }

    /// The SQL dialect statements are rendered with.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    /// How many statements this `Db` has executed so far (transaction control included).
    pub fn statement_count(&self) -> u64 {
        self.statements.get()
    }

    /// Runs `f` and returns its result with the SQL of every statement it executed, in order.
    pub fn record<T>(&self, f: impl FnOnce() -> T) -> (T, Vec<String>) {
        let outer = self.recording.replace(Some(Vec::new()));
        let value = f();
        let inner = self.recording.replace(outer).unwrap_or_default();
        if let Some(outer) = self.recording.borrow_mut().as_mut() {
            outer.extend(inner.iter().cloned());
        }
        (value, inner)
    }

    /// Runs `f` and panics, listing the SQL, unless it executed exactly `expected` statements:
    /// the test helper that pins a loading strategy's cost.
    ///
    /// ```
    /// # use relations_runtime::{Db, Error};
    /// let db = Db::open_in_memory()?;
    /// // BEGIN, COMMIT
    /// db.assert_statements(2, || db.transaction(|_| Ok::<_, Error>(())))?;
    /// db.assert_statements(0, || ());
    /// # Ok::<(), relations_runtime::Error>(())
    /// ```
    #[track_caller]
    pub fn assert_statements<T>(&self, expected: usize, f: impl FnOnce() -> T) -> T {
        let (value, statements) = self.record(f);
        if statements.len() != expected {
            panic!(
                "expected {expected} statement(s), {} ran:\n{}",
                statements.len(),
                statements.iter().enumerate().map(|(i, s)| format!("  {}. {s}\n", i + 1)).collect::<String>()
            );
        }
        value
    }

    /// Chooses what happens when one relationship is lazily loaded repeatedly with no other
    /// statement in between — the N+1 shape of a loop over rows that touches each row's
    /// relationship. Off by default; `NPlusOne::Deny(1)` in tests turns every such loop into an
    /// [`Error::NPlusOne`] naming the relationship to load eagerly.
    pub fn set_n_plus_one(&self, mode: NPlusOne) {
        self.n_plus_one.set(mode);
        self.lazy_runs.borrow_mut().clear();
    }

    /// Room for the rows a relationship's load will read for `owners` owners, up front: as
    /// many per owner as its last load read (none the first time), at most 16 MiB of rows of
    /// `size` bytes. A level's rows are handed out to their owners, so a guess too large holds
    /// memory only until then (a lazy load, whose vector the owner keeps, caps the guess and
    /// shrinks what it left empty); a right one spares the copies of a vector grown row by row.
    pub(crate) fn rows_for(&self, def: &'static RelationDef, owners: usize, size: usize) -> usize {
        let most = (16 << 20) / size.max(1);
        match self.level_sizes.borrow().get(&level_key(def)) {
            Some(&(rows, last)) if last > 0 => {
                (rows as u128 * owners as u128 / last as u128).min(most as u128) as usize
            }
            _ => 0,
        }
    }

    /// Room for the rows a joined load of `def` will read, whose owners are not known before
    /// their statement has run: as many as its last load read, at most 16 MiB of rows of
    /// `size` bytes (see [`Db::rows_for`]).
    pub(crate) fn last_rows_for(&self, def: &'static RelationDef, size: usize) -> usize {
        let last = self.level_sizes.borrow().get(&level_key(def)).map_or(0, |&(_, owners)| owners);
        self.rows_for(def, last, size)
    }

    /// Remembers that a load of `def` read `rows` rows for `owners` owners (see
    /// [`Db::rows_for`]).
    pub(crate) fn note_rows(&self, def: &'static RelationDef, rows: usize, owners: usize) {
        self.level_sizes.borrow_mut().insert(level_key(def), (rows, owners));
    }

    /// Runs the lazy load of `rel` (its statements) under the N+1 guard.
    pub(crate) fn lazy_load<T>(&self, rel: &'static RelationDef, load: impl FnOnce() -> Result<T>) -> Result<T> {
        let limit = match self.n_plus_one.get() {
            NPlusOne::Allow => None,
            NPlusOne::Warn(n) => Some((n, false)),
            NPlusOne::Deny(n) => Some((n, true)),
        };
        if let Some((limit, deny)) = limit {
            let mut runs = self.lazy_runs.borrow_mut();
            let key = (rel.owner.name, rel.name);
            let count = match runs.iter_mut().find(|(k, _)| *k == key) {
                Some((_, c)) => {
                    *c += 1;
                    *c
                }
                None => {
                    runs.push((key, 1));
                    1
                }
            };
            if count > limit {
                if deny {
                    return Err(Error::NPlusOne { relationship: rel.path(), count });
                }
                if count == limit + 1 {
                    tracing::warn!(
                        target: "relations::sql",
                        relationship = %rel.path(),
                        "N+1: `{}` lazily loaded {count} times in a row; load it eagerly (selectinload / joinedload)",
                        rel.path()
                    );
                }
            }
        }
        let outer = self.in_lazy_load.replace(true);
        let result = load();
        self.in_lazy_load.set(outer);
        result
    }

    /// Forgets what was read of the database's schema (which tables reference which), so that
    /// the next delete reads it again. `create_all` and `drop_all` call it; call it after
    /// changing the schema by other means.
    pub fn forget_schema(&self) {
        self.catalog.borrow_mut().take();
    }

    /// What `read` reads of the database's schema, read once (until [`Db::forget_schema`]).
    pub(crate) fn schema_cache<T: std::any::Any + Send + Sync>(
        &self,
        read: impl FnOnce(&Db) -> Result<T>,
    ) -> Result<std::sync::Arc<T>> {
        if let Some(c) = self.catalog.borrow().as_ref().and_then(|c| c.clone().downcast::<T>().ok()) {
            return Ok(c);
        }
        let c = std::sync::Arc::new(read(self)?);
        *self.catalog.borrow_mut() = Some(c.clone());
        Ok(c)
    }

    /// The largest number of parameters one statement may bind on this connection.
    pub(crate) fn max_variables(&self) -> usize {
        self.backend.max_variables()
    }

    /// Runs `f`, which changes the schema, as one transaction where the database's DDL is
    /// transactional; elsewhere (MariaDB, MySQL: each DDL statement commits) statement by
    /// statement, as SQLAlchemy does there.
    pub(crate) fn schema_change<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        if self.dialect.transactional_ddl() {
            self.transaction(f)
        } else {
            f(self)
        }
    }

    /// Runs `f` in a transaction: committed if it returns `Ok`, rolled back if it returns `Err`
    /// (or panics). Nested calls use savepoints, so an inner failure undoes only the inner work.
    ///
    /// After a database error inside it, SQLite goes on with the transaction (the failed
    /// statement alone is undone), while PostgreSQL refuses every further statement of it: there
    /// the innermost `transaction` returns the error and rolls back to where it began, and a
    /// statement run in between fails with [`Error::TransactionAborted`].
    pub fn transaction<T, E: From<Error>>(&self, f: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E> {
        // the generic part is only the call: opening and closing the level are shared code
        let level = self.open_level()?;
        let result = f(self);
        match level.close(result.is_ok()) {
            Closed::Keep => result,
            Closed::Fail(e) => Err(e.into()),
            Closed::FailIfOk(e) => match result {
                Err(e) => Err(e),
                Ok(_) => Err(e.into()),
            },
        }
    }

    /// Begins a transaction, or a savepoint inside an open one.
    fn open_level(&self) -> Result<Level<'_>> {
        let depth = self.depth.get();
        let d = self.dialect;
        let (begin, commit, rollback) = if depth == 0 {
            (d.begin().to_string(), d.commit().to_string(), d.rollback().to_string())
        } else {
            let sp = format!("relations_sp{depth}");
            (d.savepoint(&sp), d.release_savepoint(&sp), d.rollback_to_savepoint(&sp))
        };
        self.batch(&begin)?;
        self.depth.set(depth + 1);
        Ok(Level { db: self, depth, commit, rollback, open: true })
    }

    /// Runs `f`, the statements of one write (a row with the rows it saves or deletes with
    /// it), as one unit: in a transaction of its own, or — inside an open one — in that one,
    /// without a savepoint per write. A failure then leaves the open transaction refusing
    /// statements ([`Error::TransactionAborted`]) until its innermost `transaction` returns
    /// and rolls its level back, so a write is never kept half done (SQLAlchemy's session
    /// after a failed flush). A failure before any of its statements wrote (a delete refused
    /// because other rows reference the row) leaves the transaction as it was. Wrap the write in
    /// a `transaction` of its own to go on after any failure.
    pub(crate) fn as_one_unit<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        // the generic part is only the call: the unit itself is shared code
        let mut f = Some(f);
        let mut out = None;
        self.one_unit(&mut |db| {
            if let Some(f) = f.take() {
                out = Some(f(db)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| Error::Unexpected("a write unit ended without running".into()))
    }

    /// [`Db::as_one_unit`] for a closure run once.
    fn one_unit(&self, f: &mut dyn FnMut(&Db) -> Result<()>) -> Result<()> {
        if self.depth.get() == 0 {
            return self.transaction(f);
        }
        let writes = self.writes.get();
        let result = f(self);
        if let Err(e) = &result {
            self.unit_failed(writes, e);
        }
        result
    }

    /// A write run by [`Db::as_one_unit`] inside an open transaction failed, with `writes`
    /// statements counted before it began.
    fn unit_failed(&self, writes: u64, e: &Error) {
        // a write refused before it wrote anything (a delete of a referenced row) leaves the
        // transaction as it was
        if self.aborted.borrow().is_none() && self.writes.get() > writes {
            *self.aborted.borrow_mut() = Some(Aborted {
                cause: format!("a write in it failed, and its other statements cannot be kept: {e}"),
                recoverable: true,
            });
        }
    }

    /// [`Db::transaction`], run again (up to `attempts` times in all) while it fails with an
    /// error that a new attempt may not meet ([`Error::is_retryable`]: a conflict with a
    /// concurrent transaction, a lock held past the timeout). `f` must be safe to run again:
    /// each failed attempt was rolled back. Between attempts it waits a little, longer each
    /// time (1 ms doubling up to 64 ms, jittered), so that transactions that conflicted do not
    /// meet again at once.
    ///
    /// ```
    /// # use relations_runtime::{Db, Error};
    /// let db = Db::open_in_memory()?;
    /// let mut runs = 0;
    /// let n = db.transaction_retrying(3, |_| {
    ///     runs += 1;
    ///     if runs < 2 { Err(Error::Conflict { message: "simulated".into() }) } else { Ok(runs) }
    /// })?;
    /// assert_eq!(n, 2);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn transaction_retrying<T>(&self, attempts: u32, mut f: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        let mut attempt = 1;
        loop {
            match self.transaction(&mut f) {
                Err(e) if e.is_retryable() && attempt < attempts && self.depth.get() == 0 => {
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// Whether the database ended the open transaction for good.
    fn is_ended(&self) -> bool {
        self.aborted.borrow().as_ref().is_some_and(|a| !a.recoverable)
    }

    /// Rolls back one level (the transaction or a savepoint), which also ends a refusal that a
    /// rollback ends.
    fn roll_back(&self, rollback: &str) -> Result<()> {
        if self.aborted.borrow().as_ref().is_some_and(|a| a.recoverable) {
            self.aborted.borrow_mut().take();
        }
        self.batch(rollback)
    }

    /// Closes a transaction the database ended: rolls back what it may have kept open, and
    /// lets statements run again.
    fn end_aborted(&self) {
        if self.backend.in_transaction() {
            // counted and echoed like every statement, but not refused: it ends the refusal
            let rollback = self.dialect.rollback();
            self.hook(rollback, &[]);
            let _ = self.backend.batch(rollback);
        }
        self.aborted.borrow_mut().take();
    }

    /// Refuses a statement inside a transaction the database ended.
    fn check_open(&self) -> Result<()> {
        match self.aborted.borrow().as_ref() {
            Some(a) => Err(Error::TransactionAborted { cause: a.cause.clone() }),
            None => Ok(()),
        }
    }

    /// Notes an error of a statement inside a transaction: one after which the transaction
    /// refuses statements, or that ended it, marks it so.
    fn note_error(&self, e: &Error) {
        if self.depth.get() == 0 || self.aborted.borrow().is_some() {
            return;
        }
        let recoverable = match self.backend.after_error(e) {
            AfterError::Continues => return,
            AfterError::NeedsRollback => true,
            AfterError::Ended => false,
        };
        *self.aborted.borrow_mut() =
            Some(Aborted { cause: crate::schema::error::shorten_sql(&e.to_string()), recoverable });
    }

    /// Every statement passes here before it runs: counted, echoed, recorded, and seen by the
    /// N+1 guard.
    fn hook(&self, sql: &str, params: &[Value<'_>]) {
        self.statements.set(self.statements.get() + 1);
        tracing::debug!(target: "relations::sql", params = ?params, "{sql}");
        if let Some(r) = self.recording.borrow_mut().as_mut() {
            r.push(sql.to_owned());
        }
        if !self.in_lazy_load.get() && self.n_plus_one.get() != NPlusOne::Allow {
            self.lazy_runs.borrow_mut().clear();
        }
    }

    /// Runs statements without parameters (DDL, transaction control).
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        self.check_open()?;
        self.hook(sql, &[]);
        self.backend.batch(sql).inspect_err(|e| self.note_error(e))
    }

    /// Executes a data-changing statement on `table`; returns the number of rows changed.
    pub(crate) fn execute(&self, sql: &str, params: &[Value<'_>], table: &str) -> Result<usize> {
        self.check_open()?;
        self.hook(sql, params);
        match self.backend.execute(sql, params, table) {
            Ok(n) => {
                self.writes.set(self.writes.get() + 1);
                Ok(n as usize)
            }
            Err(e) => {
                self.note_error(&e);
                Err(e)
            }
        }
    }

    /// Runs a query and hands each row to `f`.
    pub(crate) fn query_map_into(
        &self,
        sql: &str,
        params: &[Value<'_>],
        mut f: impl FnMut(&dyn RawRow) -> Result<()>,
    ) -> Result<()> {
        self.query_rows(sql, params, &mut f)
    }

    /// [`Db::query_map_into`]'s body, shared by every caller.
    fn query_rows(&self, sql: &str, params: &[Value<'_>], f: &mut dyn FnMut(&dyn RawRow) -> Result<()>) -> Result<()> {
        self.check_open()?;
        self.hook(sql, params);
        // an error of `f` (a value that does not decode) is not the database's
        let mut failed = None;
        let result = self.backend.query(sql, params, &mut |row| {
            f(row).map_err(|e| {
                failed = Some(e);
                Error::Unexpected("stopped".into())
            })
        });
        if (result.is_ok() || failed.is_some()) && is_write(sql) {
            self.writes.set(self.writes.get() + 1);
        }
        if let Some(e) = failed {
            return Err(e);
        }
        result.inspect_err(|e| self.note_error(e))
    }

    /// Runs a query returning one integer (a count, an existence test).
    pub(crate) fn query_i64(&self, sql: &str, params: &[Value<'_>]) -> Result<i64> {
        let mut value = None;
        self.query_map_into(sql, params, |row| {
            if value.is_none() {
                value = Some(row.int(0)?);
            }
            Ok(())
        })?;
        value.ok_or_else(|| Error::Unexpected(format!("no row from `{}`", crate::schema::error::shorten_sql(sql))))
    }
}

/// One open level of [`Db::transaction`]: the transaction or a savepoint, with the statements
/// that end it. Dropped without [`Level::close`] (the closure panicked), it rolls back.
struct Level<'a> {
    db: &'a Db,
    depth: u32,
    commit: String,
    rollback: String,
    open: bool,
}

/// How a closed level changes the closure's result.
enum Closed {
    /// The result stands.
    Keep,
    /// Ending the level failed: this error replaces the result.
    Fail(Error),
    /// The transaction was aborted: an error of the closure stands, a success becomes this.
    FailIfOk(Error),
}

impl Level<'_> {
    /// Commits the level after a success, rolls it back after a failure.
    fn close(mut self, ok: bool) -> Closed {
        self.open = false;
        let (db, depth) = (self.db, self.depth);
        db.depth.set(depth);
        if db.aborted.borrow().is_none() && !db.backend.in_transaction() {
            // the transaction ended under us (a statement run on the connection underneath)
            *db.aborted.borrow_mut() = Some(Aborted {
                cause: "the transaction ended outside `Db::transaction`".to_string(),
                recoverable: false,
            });
        }
        let aborted = db.aborted.borrow().as_ref().map(|a| (a.cause.clone(), a.recoverable));
        if let Some((cause, recoverable)) = aborted {
            if recoverable {
                // PostgreSQL: rolling this level back makes the transaction usable again
                if let Err(e) = db.roll_back(&self.rollback) {
                    return Closed::Fail(e);
                }
            } else if depth == 0 {
                // the database rolled the whole transaction back (or must): nothing is
                // committed, no savepoint is left to release
                db.end_aborted();
            }
            return Closed::FailIfOk(Error::TransactionAborted { cause });
        }
        if ok {
            if let Err(e) = db.batch(&self.commit) {
                if !db.is_ended() {
                    let _ = db.roll_back(&self.rollback);
                }
                if depth == 0 {
                    db.end_aborted();
                }
                return Closed::Fail(e);
            }
            Closed::Keep
        } else {
            match db.batch(&self.rollback) {
                Ok(()) => Closed::Keep,
                Err(e) => Closed::Fail(e),
            }
        }
    }
}

impl Drop for Level<'_> {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        // reached only when the closure panicked: undo its work before unwinding further
        self.db.depth.set(self.depth);
        if !self.db.is_ended() {
            let _ = self.db.roll_back(&self.rollback);
        } else if self.depth == 0 {
            self.db.end_aborted();
        }
    }
}

/// Whether a statement writes rows (what `query_map_into` runs: an `INSERT ... RETURNING`).
fn is_write(sql: &str) -> bool {
    let head = sql.trim_start().get(..6).unwrap_or_default();
    ["INSERT", "UPDATE", "DELETE"].iter().any(|w| head.eq_ignore_ascii_case(w))
}

/// How long a conflicting transaction waits before its next attempt: doubling from 1 ms up
/// to 64 ms, times a jitter between 0.5 and 1.5, so that the transactions that conflicted do
/// not meet again at once.
fn backoff(attempt: u32) -> std::time::Duration {
    let base = 1000u64 << attempt.saturating_sub(1).min(6);
    // the clock's nanoseconds as the jitter: no generator needed for a spread
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    std::time::Duration::from_micros(base / 2 + (u64::from(nanos) % 1000) * base / 1000)
}

/// A read whose statement's text depends on nothing but what it reads: the rows of a table by
/// key (`Model::get`, a `belongs_to`'s lazy load), or the rows a relationship relates to one
/// owner (a collection's lazy load). A connection renders each one's text once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Plain {
    /// The rows of the table at this address, by key.
    Key(usize),
    /// The target rows, for one owner, of the relationship at this address.
    Related(usize),
}

/// A plain read's statement and the number of values it binds; `None` for a read without a
/// shape, which runs as every query does.
pub(crate) type PlainSql = Option<(std::sync::Arc<str>, usize)>;

impl Plain {
    /// The rows of `table` by key.
    pub(crate) fn key(table: &'static Table) -> Plain {
        Plain::Key(std::ptr::from_ref(table) as usize)
    }

    /// The target rows of `rel` for one owner.
    pub(crate) fn related(rel: &'static RelationDef) -> Plain {
        Plain::Related(std::ptr::from_ref(rel) as usize)
    }
}

/// The key of a relationship's entry in [`Db::level_sizes`]: its definition's address.
fn level_key(def: &'static RelationDef) -> usize {
    std::ptr::from_ref(def) as usize
}
