//! [`Db`]: a SQLite connection with the model operations on it.

use std::cell::{Cell, RefCell};
use std::path::Path;

use rusqlite::Connection;

use crate::backend::{AfterError, Backend, RawRow};
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::model::{Key, Model, ModelSet};
use crate::schema::{RelationDef, Table};
use crate::value::Value;

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

/// A database: one SQLite connection with foreign keys enforced.
///
/// Every statement is prepared through rusqlite's statement cache and every value is bound as
/// a parameter. `Db` is `Send`, so a connection can move to another thread; give each thread
/// its own `Db` on the same file to work in parallel.
pub struct Db {
    backend: Box<dyn Backend>,
    dialect: &'static dyn Dialect,
    depth: Cell<u32>,
    statements: Cell<u64>,
    /// The SQL of each statement run inside [`Db::record`].
    recording: RefCell<Option<Vec<String>>>,
    n_plus_one: Cell<NPlusOne>,
    /// Whether the statements running now serve a lazy load.
    in_lazy_load: Cell<bool>,
    /// Lazy loads per relationship since the last other statement.
    lazy_runs: RefCell<Vec<((&'static str, &'static str), u32)>>,
    /// `INSERT` statements by table and by whether the key is left to SQLite: rendered once.
    inserts: RefCell<rustc_hash::FxHashMap<(&'static str, bool), String>>,
    /// Which tables reference which, read on the first delete that needs it.
    catalog: RefCell<Option<crate::cascade::SharedCatalog>>,
    /// Set when an error ended the open transaction (SQLite after a full disk, an I/O
    /// error...), or left it refusing statements until a rollback (PostgreSQL after any
    /// error). Every statement is refused until the transaction (or savepoint) returns.
    aborted: RefCell<Option<Aborted>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("database", &self.backend.describe()).finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (creating if needed) the SQLite database file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Db> {
        Db::from_connection(Connection::open(path)?)
    }

    /// Opens an existing database file for reading only: nothing can change it.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Db> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        Db::from_connection(Connection::open_with_flags(path, flags)?)
    }

    /// Opens a new, empty in-memory database.
    pub fn open_in_memory() -> Result<Db> {
        Db::from_connection(Connection::open_in_memory()?)
    }

    /// Opens the database a URL names, SQLAlchemy's way:
    /// - `postgresql://user@host:port/database` (or `postgres://`, or libpq's `host=... dbname=...`
    ///   form): a PostgreSQL server (feature `postgres`);
    /// - `sqlite::memory:` or `sqlite://` alone: a new in-memory SQLite database;
    /// - `sqlite:///<path>` or `sqlite:<path>`, or a plain path: a SQLite file, created if needed.
    ///
    /// ```
    /// # use relations_runtime::Db;
    /// let db = Db::connect("sqlite::memory:")?;
    /// assert_eq!(db.backend_name(), "sqlite");
    /// # Ok::<(), relations_runtime::Error>(())
    /// ```
    pub fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgresql://") || url.starts_with("postgres://") || url.contains("dbname=") {
            return Db::connect_postgres(url);
        }
        match url.strip_prefix("sqlite:") {
            Some("" | ":memory:" | "//" | "///:memory:") => Db::open_in_memory(),
            Some(rest) => Db::open(rest.strip_prefix("///").or_else(|| rest.strip_prefix("//")).unwrap_or(rest)),
            None => Db::open(url),
        }
    }

    #[cfg(feature = "postgres")]
    fn connect_postgres(url: &str) -> Result<Db> {
        Ok(Db::from_backend(Box::new(crate::backend::postgres::PgBackend::connect(url)?)))
    }

    #[cfg(not(feature = "postgres"))]
    fn connect_postgres(url: &str) -> Result<Db> {
        let _ = url;
        Err(Error::Setting("PostgreSQL needs the `postgres` feature of `relations`".into()))
    }

    /// `"sqlite"` or `"postgresql"`: which database this is.
    pub fn backend_name(&self) -> &'static str {
        self.dialect.name()
    }

    /// Wraps an open rusqlite connection, turning on `PRAGMA foreign_keys`.
    pub fn from_connection(conn: Connection) -> Result<Db> {
        Ok(Db::from_backend(Box::new(crate::backend::sqlite::SqliteBackend::new(conn)?)))
    }

    /// Wraps a connection of any backend.
    pub fn from_backend(backend: Box<dyn Backend>) -> Db {
        Db {
            dialect: backend.dialect(),
            backend,
            depth: Cell::new(0),
            statements: Cell::new(0),
            recording: RefCell::new(None),
            n_plus_one: Cell::new(NPlusOne::Allow),
            in_lazy_load: Cell::new(false),
            lazy_runs: RefCell::new(Vec::new()),
            inserts: RefCell::default(),
            catalog: RefCell::new(None),
            aborted: RefCell::new(None),
        }
    }

    /// How long a statement waits for another connection's lock before failing with
    /// [`Error::Busy`]: SQLite's busy timeout (rusqlite's default is 5 seconds), PostgreSQL's
    /// `lock_timeout` (none by default).
    pub fn set_busy_timeout(&self, timeout: std::time::Duration) -> Result<()> {
        match self.sqlite() {
            Some(conn) => Ok(conn.busy_timeout(timeout)?),
            None => self.backend.batch(&format!("SET lock_timeout = {}", timeout.as_millis().max(1))),
        }
    }

    /// Switches the database file to WAL journaling (`PRAGMA journal_mode = WAL`): readers no
    /// longer wait for the writer, so several connections (one per thread) work on one file.
    /// The mode is stored in the file. Fails for an in-memory database, which has no WAL.
    pub fn use_wal(&self) -> Result<()> {
        let Some(conn) = self.sqlite() else {
            return Err(Error::Setting("WAL journaling is SQLite's".into()));
        };
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            Ok(())
        } else {
            Err(Error::Setting(format!("journal_mode stayed `{mode}`: WAL needs a database file")))
        }
    }

    /// The underlying rusqlite connection, for what `relations` does not cover; `None` on
    /// another backend.
    pub fn sqlite(&self) -> Option<&Connection> {
        self.backend.as_any().downcast_ref::<crate::backend::sqlite::SqliteBackend>().map(|b| b.connection())
    }

    /// The PostgreSQL client underneath, for what `relations` does not cover; `None` on
    /// another backend. Statements run on it are not counted or echoed.
    #[cfg(feature = "postgres")]
    pub fn postgres(&self) -> Option<std::cell::RefMut<'_, postgres::Client>> {
        self.backend.as_any().downcast_ref::<crate::backend::postgres::PgBackend>().map(|b| b.client())
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

    /// The foreign keys between the database's tables, read once.
    pub(crate) fn catalog(&self) -> Result<crate::cascade::SharedCatalog> {
        if let Some(c) = self.catalog.borrow().as_ref() {
            return Ok(c.clone());
        }
        let c = std::sync::Arc::new(crate::cascade::Catalog::read(self)?);
        *self.catalog.borrow_mut() = Some(c.clone());
        Ok(c)
    }

    /// The largest number of parameters one statement may bind on this connection.
    pub(crate) fn max_variables(&self) -> usize {
        self.backend.max_variables()
    }

    /// The `CREATE TABLE` and `CREATE INDEX` statements for a set of models, association
    /// tables included, in foreign-key dependency order — what [`Db::create_all`] runs.
    pub fn schema<S: ModelSet>(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in creation_order(S::tables()) {
            out.push(self.dialect.create_table(t));
            out.extend(self.dialect.create_indexes(t));
        }
        out
    }

    /// Creates the tables of a set of models (`db.create_all::<(User, Post)>()`) that do not
    /// exist yet, with their indexes, in one transaction, parents before children — SQLAlchemy's
    /// `create_all` (`checkfirst=True`), so an application can call it at every start.
    ///
    /// A table that exists is checked against its model: another shape (a column missing, of
    /// another type or nullability, another primary key, or a `NOT NULL` column the model does
    /// not know) is [`Error::SchemaMismatch`] naming the table and the differences. A model
    /// whose foreign key references a table that is neither in the set nor in the database is
    /// [`Error::MissingModel`]. Either way nothing is created.
    pub fn create_all<S: ModelSet>(&self) -> Result<()> {
        let members = S::members();
        let tables = creation_order(members.iter().map(|(_, t)| *t).collect());
        self.forget_schema();
        self.transaction(|db| {
            let existing = db.table_names()?;
            let exists = |name: &str| existing.iter().any(|e| e.eq_ignore_ascii_case(name));
            for (model, t) in &members {
                for fk in t.foreign_keys {
                    if !exists(fk.references) && !tables.iter().any(|u| u.name.eq_ignore_ascii_case(fk.references)) {
                        return Err(Error::MissingModel {
                            model: (*model).to_string(),
                            column: format!("{}.{}", t.name, fk.column),
                            references: fk.references.to_string(),
                        });
                    }
                }
            }
            for t in &tables {
                if exists(t.name) {
                    db.check_shape(t)?;
                }
            }
            for t in tables.iter().filter(|t| !exists(t.name)) {
                db.batch(&db.dialect.create_table(t))?;
                for sql in db.dialect.create_indexes(t) {
                    db.batch(&sql)?;
                }
            }
            Ok(())
        })
    }

    /// The names of the database's tables.
    fn table_names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        self.query_map_into(self.dialect.table_names_sql(), &[], |row| {
            names.push(row.text(0)?.unwrap_or_default());
            Ok(())
        })?;
        Ok(names)
    }

    /// Compares an existing table with its model: [`Error::SchemaMismatch`] listing what differs.
    fn check_shape(&self, t: &Table) -> Result<()> {
        let mut found: Vec<(String, String, bool, bool)> = Vec::new();
        let name = [Value::Text(t.name.into())];
        self.query_map_into(self.dialect.table_columns_sql(), &name, |row| {
            found.push((
                row.text(0)?.unwrap_or_default(),
                row.text(1)?.unwrap_or_default(),
                row.int(2)? != 0,
                row.int(3)? > 0,
            ));
            Ok(())
        })?;
        let normal = |ty: &str| ty.split_whitespace().collect::<String>().to_ascii_uppercase();
        let mut differences = Vec::new();
        for c in t.columns {
            let Some((_, ty, not_null, pk)) = found.iter().find(|f| f.0.eq_ignore_ascii_case(c.name)) else {
                differences.push(format!("column `{}` is missing", c.name));
                continue;
            };
            let want = self.dialect.column_type(c);
            if normal(ty) != normal(&want) {
                differences.push(format!("column `{}` is {ty} in the database, {want} in the model", c.name));
            }
            // SQLite's INTEGER PRIMARY KEY never holds NULL, whatever it says
            if *not_null == c.nullable && !(c.primary_key && *pk) {
                let (db_says, model_says) = if *not_null { ("NOT NULL", "nullable") } else { ("nullable", "NOT NULL") };
                differences
                    .push(format!("column `{}` is {db_says} in the database, {model_says} in the model", c.name));
            }
            if *pk != c.primary_key {
                let (db_says, model_says) = if *pk { ("in", "not in") } else { ("not in", "in") };
                differences.push(format!(
                    "column `{}` is {db_says} the primary key in the database, {model_says} it in the model",
                    c.name
                ));
            }
        }
        for (name, _, not_null, _) in &found {
            if *not_null && !t.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
                differences.push(format!(
                    "column `{name}` is NOT NULL in the database and not in the model, so inserts would fail"
                ));
            }
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(Error::SchemaMismatch { table: t.name.to_string(), difference: differences.join("; ") })
        }
    }

    /// Drops the tables of a set of models that exist, children before parents (SQLAlchemy's
    /// `drop_all`, `checkfirst=True`).
    pub fn drop_all<S: ModelSet>(&self) -> Result<()> {
        let mut tables = creation_order(S::tables());
        tables.reverse();
        self.forget_schema();
        self.transaction(|db| {
            let existing = db.table_names()?;
            for t in tables.into_iter().filter(|t| existing.iter().any(|e| e.eq_ignore_ascii_case(t.name))) {
                db.batch(&db.dialect.drop_table(t))?;
            }
            Ok(())
        })
    }

    /// Runs `f` in a transaction: committed if it returns `Ok`, rolled back if it returns `Err`
    /// (or panics). Nested calls use savepoints, so an inner failure undoes only the inner work.
    ///
    /// After a database error inside it, SQLite goes on with the transaction (the failed
    /// statement alone is undone), while PostgreSQL refuses every further statement of it: there
    /// the innermost `transaction` returns the error and rolls back to where it began, and a
    /// statement run in between fails with [`Error::TransactionAborted`].
    pub fn transaction<T, E: From<Error>>(&self, f: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E> {
        let depth = self.depth.get();
        let d = self.dialect;
        let (begin, commit, rollback) = if depth == 0 {
            (d.begin().to_string(), "COMMIT".to_string(), "ROLLBACK".to_string())
        } else {
            let sp = format!("relations_sp{depth}");
            (format!("SAVEPOINT {sp}"), format!("RELEASE {sp}"), d.rollback_to_savepoint(&sp))
        };
        self.batch(&begin)?;
        self.depth.set(depth + 1);
        struct Guard<'a>(&'a Db, u32, &'a str);
        impl Drop for Guard<'_> {
            fn drop(&mut self) {
                // reached only when `f` panicked: undo its work before unwinding further
                self.0.depth.set(self.1);
                if !self.0.is_ended() {
                    let _ = self.0.roll_back(self.2);
                } else if self.1 == 0 {
                    self.0.end_aborted();
                }
            }
        }
        let guard = Guard(self, depth, &rollback);
        let result = f(self);
        std::mem::forget(guard);
        self.depth.set(depth);
        if self.aborted.borrow().is_none() && !self.backend.in_transaction() {
            // the transaction ended under us (a statement run on the connection underneath)
            *self.aborted.borrow_mut() = Some(Aborted {
                cause: "the transaction ended outside `Db::transaction`".to_string(),
                recoverable: false,
            });
        }
        let aborted = self.aborted.borrow().as_ref().map(|a| (a.cause.clone(), a.recoverable));
        if let Some((cause, recoverable)) = aborted {
            if recoverable {
                // PostgreSQL: rolling this level back makes the transaction usable again
                self.roll_back(&rollback)?;
            } else if depth == 0 {
                // the database rolled the whole transaction back (or must): nothing is
                // committed, no savepoint is left to release
                self.end_aborted();
            }
            return match result {
                Err(e) => Err(e),
                Ok(_) => Err(Error::TransactionAborted { cause }.into()),
            };
        }
        match result {
            Ok(v) => {
                if let Err(e) = self.batch(&commit) {
                    if !self.is_ended() {
                        let _ = self.roll_back(&rollback);
                    }
                    if depth == 0 {
                        self.end_aborted();
                    }
                    return Err(e.into());
                }
                Ok(v)
            }
            Err(e) => {
                self.batch(&rollback)?;
                Err(e)
            }
        }
    }

    /// [`Db::transaction`], run again (up to `attempts` times in all) while it fails with an
    /// error that a new attempt may not meet ([`Error::is_retryable`]: a conflict with a
    /// concurrent transaction, a lock held past the timeout). `f` must be safe to run again:
    /// each failed attempt was rolled back.
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
                Err(e) if e.is_retryable() && attempt < attempts && self.depth.get() == 0 => attempt += 1,
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
            self.hook("ROLLBACK", &[]);
            let _ = self.backend.batch("ROLLBACK");
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
        *self.aborted.borrow_mut() = Some(Aborted { cause: crate::error::shorten_sql(&e.to_string()), recoverable });
    }

    /// Inserts `model` and returns it with its key assigned (`db.session.add(x)` + commit).
    pub fn add<M: Model>(&self, mut model: M) -> Result<M> {
        self.insert(&mut model)?;
        Ok(model)
    }

    /// Inserts every model in one transaction and returns them with their keys assigned.
    pub fn add_all<M: Model>(&self, models: impl IntoIterator<Item = M>) -> Result<Vec<M>> {
        self.transaction(|db| models.into_iter().map(|m| db.add(m)).collect())
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
    fn batch(&self, sql: &str) -> Result<()> {
        self.check_open()?;
        self.hook(sql, &[]);
        self.backend.batch(sql).inspect_err(|e| self.note_error(e))
    }

    /// Executes a data-changing statement on `table`; returns the number of rows changed.
    pub(crate) fn execute(&self, sql: &str, params: &[Value<'_>], table: &str) -> Result<usize> {
        self.check_open()?;
        self.hook(sql, params);
        match self.backend.execute(sql, params, table) {
            Ok(n) => Ok(n as usize),
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
        value.ok_or_else(|| Error::Unexpected(format!("no row from `{}`", crate::error::shorten_sql(sql))))
    }

    /// Inserts `model`, then the new rows of its relationship fields (`save-update`), all in
    /// one transaction when there are any.
    pub(crate) fn insert<M: Model>(&self, model: &mut M) -> Result<()> {
        let parents = crate::cascade::has_parent_rules(model);
        if !parents && !crate::cascade::has_pending(model, true) {
            return self.insert_row(model);
        }
        self.transaction(|db| {
            if parents {
                crate::cascade::check_single_parents(db, model, true)?;
            }
            db.insert_row(model)?;
            crate::cascade::save_pending(db, model, true)?;
            crate::cascade::delete_let_go(db, model, true)
        })
    }

    /// Updates `model`, then inserts the new rows of its relationship fields (`save-update`),
    /// all in one transaction when there are any.
    pub(crate) fn save_existing<M: Model>(&self, model: &mut M) -> Result<()> {
        if !crate::cascade::has_pending(model, false) {
            return self.update_model(model);
        }
        self.transaction(|db| {
            db.update_model(model)?;
            crate::cascade::save_pending(db, model, false)
        })
    }

    /// Updates `model` under its parent rules: a `single_parent` parent that has another row
    /// is refused, a parent let go of under `delete-orphan` is deleted.
    pub(crate) fn update_model<M: Model>(&self, model: &M) -> Result<()> {
        if !crate::cascade::has_parent_rules(model) {
            return self.update(model);
        }
        self.transaction(|db| {
            crate::cascade::check_single_parents(db, model, false)?;
            db.update(model)?;
            crate::cascade::delete_let_go(db, model, false)
        })
    }

    fn insert_row<M: Model>(&self, model: &mut M) -> Result<()> {
        let t = M::TABLE;
        let skip_key = t.auto_key && model.is_new();
        let mut params = model.values();
        if skip_key {
            let mut columns = t.columns.iter();
            params.retain(|_| columns.next().is_some_and(|c| !c.primary_key));
        }
        // the dialect returns the assigned key with the row (`RETURNING`), or the connection
        // keeps it (SQLite's last rowid)
        let returning = skip_key && self.dialect.returns_keys();
        let assigned = {
            let mut inserts = self.inserts.borrow_mut();
            let sql = inserts.entry((t.name, skip_key)).or_insert_with(|| self.insert_sql(t, skip_key));
            let result = if returning {
                let mut id = None;
                self.query_map_into(sql, &params, |row| {
                    id = Some(row.int(0)?);
                    Ok(())
                })
                .map(|()| id)
            } else {
                self.execute(sql, &params, t.name).map(|_| None)
            };
            match result {
                Ok(id) => id,
                Err(e) => {
                    drop(inserts);
                    let columns = t.columns.iter().filter(|c| !(skip_key && c.primary_key));
                    let e = name_parameter(t, columns, e);
                    return Err(self.explain_foreign_key(t, &model.values(), e));
                }
            }
        };
        drop(params);
        if skip_key {
            let id = assigned.or_else(|| self.backend.last_insert_id()).ok_or_else(|| {
                Error::Unexpected(format!("the database did not say which key it gave the new `{}` row", t.name))
            })?;
            model.set_auto_key(id);
        }
        Ok(())
    }

    /// `INSERT INTO t (a, b) VALUES (?, ?)`, without the key column when SQLite assigns it.
    fn insert_sql(&self, t: &Table, skip_key: bool) -> String {
        let mut sql = String::from("INSERT INTO ");
        self.dialect.quote(t.name, &mut sql);
        sql.push_str(" (");
        let mut n = 0;
        for c in t.columns.iter().filter(|c| !(skip_key && c.primary_key)) {
            if n > 0 {
                sql.push_str(", ");
            }
            self.dialect.quote(c.name, &mut sql);
            n += 1;
        }
        if n == 0 {
            // only an auto key: "INSERT INTO t () VALUES ()" is not SQL
            sql.truncate(sql.len() - 2);
            self.dialect.default_values(&mut sql);
        } else {
            sql.push_str(") VALUES (");
            for i in 0..n {
                if i > 0 {
                    sql.push_str(", ");
                }
                self.dialect.placeholder(i + 1, &mut sql);
            }
            sql.push(')');
        }
        if skip_key && self.dialect.returns_keys() {
            if let Some(key) = t.single_key() {
                sql.push_str(" RETURNING ");
                self.dialect.quote(key.name, &mut sql);
            }
        }
        sql
    }

    pub(crate) fn update<M: Model>(&self, model: &M) -> Result<()> {
        let t = M::TABLE;
        if model.is_new() {
            return Err(Error::Unsaved { table: t.name, action: "update" });
        }
        let values = model.values();
        let mut sql = String::from("UPDATE ");
        self.dialect.quote(t.name, &mut sql);
        sql.push_str(" SET ");
        let mut params = Vec::with_capacity(values.len());
        let mut keys = Vec::new();
        for (c, v) in t.columns.iter().zip(values) {
            if c.primary_key {
                keys.push((c, v));
                continue;
            }
            if !params.is_empty() {
                sql.push_str(", ");
            }
            self.dialect.quote(c.name, &mut sql);
            sql.push_str(" = ");
            params.push(v);
            self.dialect.placeholder(params.len(), &mut sql);
        }
        if params.is_empty() {
            return Ok(()); // only key columns: nothing to write
        }
        self.where_key(&mut sql, &mut params, keys);
        let n = self.execute(&sql, &params, t.name).map_err(|e| {
            // the parameters: every column but the key's, then the key's
            let columns = t.columns.iter().filter(|c| !c.primary_key).chain(t.primary_key());
            self.explain_foreign_key(t, &model.values(), name_parameter(t, columns, e))
        })?;
        if n == 0 {
            let key = crate::query::key_text(&model.key().to_values());
            return Err(Error::NotFound { table: t.name, key });
        }
        Ok(())
    }

    /// A foreign key failure on writing a row of `t` with these column values: names the first
    /// foreign key column whose value references no row (SQLite's message does not).
    fn explain_foreign_key(&self, t: &'static Table, values: &[Value<'_>], e: Error) -> Error {
        let Error::ForeignKeyViolation { table, column: None } = e else { return e };
        let column = t.foreign_keys.iter().find_map(|fk| {
            let value = &values[t.column_index(fk.column)];
            if *value == Value::Null {
                return None;
            }
            let mut sql = String::from("SELECT EXISTS (SELECT 1 FROM ");
            self.dialect.quote(fk.references, &mut sql);
            sql.push_str(" WHERE ");
            self.dialect.quote(fk.target_column, &mut sql);
            sql.push_str(" = ");
            self.dialect.placeholder(1, &mut sql);
            sql.push(')');
            let found = self.query_i64(&sql, std::slice::from_ref(value)).ok()?;
            (found == 0).then(|| format!("{}.{}", t.name, fk.column))
        });
        Error::ForeignKeyViolation { table, column }
    }

    /// `UPDATE t SET column = NULL WHERE <key>` for one row.
    pub(crate) fn set_null<M: Model>(&self, model: &M, column: &str) -> Result<()> {
        let t = M::TABLE;
        let mut sql = String::from("UPDATE ");
        self.dialect.quote(t.name, &mut sql);
        sql.push_str(" SET ");
        self.dialect.quote(column, &mut sql);
        sql.push_str(" = NULL");
        self.execute_for_row(sql, model)?;
        Ok(())
    }

    /// Runs `sql` (a statement on `M`'s table) with ` WHERE <key> = ...` for `model` appended;
    /// returns the number of rows changed.
    fn execute_for_row<M: Model>(&self, mut sql: String, model: &M) -> Result<usize> {
        let mut params = Vec::new();
        let key = model.key();
        let keys = M::TABLE.primary_key().zip(key.to_values()).collect();
        self.where_key(&mut sql, &mut params, keys);
        self.execute(&sql, &params, M::TABLE.name)
    }

    /// `DELETE FROM t WHERE <key>` for one row, nothing else.
    pub(crate) fn delete_row<M: Model>(&self, model: &M) -> Result<bool> {
        let t = M::TABLE;
        if model.is_new() {
            return Err(Error::Unsaved { table: t.name, action: "delete" });
        }
        let mut sql = String::from("DELETE FROM ");
        self.dialect.quote(t.name, &mut sql);
        Ok(self.execute_for_row(sql, model)? > 0)
    }

    fn where_key<'v>(
        &self,
        sql: &mut String,
        params: &mut Vec<Value<'v>>,
        keys: Vec<(&'static crate::schema::ColumnDef, Value<'v>)>,
    ) {
        sql.push_str(" WHERE ");
        for (i, (c, v)) in keys.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(" AND ");
            }
            self.dialect.quote(c.name, sql);
            sql.push_str(" = ");
            params.push(v);
            self.dialect.placeholder(params.len(), sql);
        }
    }
}

/// An [`Error::Unstorable`] of a statement on `t` whose parameters are the values of `columns`,
/// in order, naming the parameter's column.
fn name_parameter<'c>(t: &Table, columns: impl Iterator<Item = &'c crate::schema::ColumnDef>, e: Error) -> Error {
    match e {
        Error::Unstorable { parameter, message, .. } => Error::Unstorable {
            table: t.name.to_string(),
            column: columns.map(|c| c.name).nth(parameter.wrapping_sub(1)).map(|c| format!("{}.{c}", t.name)),
            parameter,
            message,
        },
        e => e,
    }
}

/// Tables deduplicated by name and ordered so that every table comes after the tables its
/// foreign keys reference (self-references aside); ties keep the given order.
fn creation_order(tables: Vec<&'static Table>) -> Vec<&'static Table> {
    let mut unique: Vec<&'static Table> = Vec::new();
    for t in tables {
        if !unique.iter().any(|u| u.name == t.name) {
            unique.push(t);
        }
    }
    let mut done: Vec<&'static Table> = Vec::with_capacity(unique.len());
    while done.len() < unique.len() {
        let ready = unique.iter().find(|t| {
            !done.iter().any(|d| d.name == t.name)
                && t.foreign_keys.iter().all(|fk| {
                    fk.references == t.name
                        || done.iter().any(|d| d.name == fk.references)
                        || !unique.iter().any(|u| u.name == fk.references)
                })
        });
        match ready {
            Some(t) => done.push(t),
            // a cycle between tables: keep declaration order for the rest (SQLite accepts
            // forward references in FOREIGN KEY clauses)
            None => {
                for t in &unique {
                    if !done.iter().any(|d| d.name == t.name) {
                        done.push(t);
                    }
                }
            }
        }
    }
    done
}
