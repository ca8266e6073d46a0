//! The SQLite backend, on rusqlite (bundled SQLite).

mod catalog;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, ValueRef as RValueRef};
use rusqlite::{Connection, ToSql};

use super::connection::{AfterError, Backend, RawRow, RowError};
use crate::dialect::{Dialect, Sqlite};
use crate::schema::error::{shorten_sql, Error, Result};
use crate::schema::value::{Value, ValueRef};

/// A rusqlite connection with foreign keys enforced and long `IN` lists bindable.
pub(crate) struct SqliteBackend {
    conn: Connection,
    max_variables: usize,
    /// The statement timeout, if one is set.
    statement_timeout: std::cell::Cell<Option<Duration>>,
    /// When the running statement must stop, in nanoseconds after `epoch` (0: never): what the
    /// progress handler reads.
    deadline: Arc<AtomicU64>,
    epoch: Instant,
}

/// How many of SQLite's virtual machine steps run between two looks at the statement's
/// deadline: rare enough to cost nothing measurable, often enough to stop within microseconds.
const STEPS_BETWEEN_LOOKS: i32 = 10_000;

/// `sqlite:` URLs and plain paths: every URL without another `scheme://`.
pub(crate) const CONNECTOR: super::connection::Connector = super::connection::Connector {
    accepts: |url| match url.split_once("://") {
        Some((scheme, _)) => {
            scheme == "sqlite"
                || scheme.is_empty()
                || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => true,
    },
    forms: "`sqlite:///<path>` (or a plain path), `sqlite::memory:`",
    open: |url, _| {
        Ok(Box::new(match url.strip_prefix("sqlite:") {
            Some("" | ":memory:" | "//" | "///:memory:") => SqliteBackend::in_memory()?,
            Some(rest) => SqliteBackend::file(
                rest.strip_prefix("///").or_else(|| rest.strip_prefix("//")).unwrap_or(rest),
                false,
            )?,
            None => SqliteBackend::file(url, false)?,
        }))
    },
};

impl SqliteBackend {
    /// Opens (creating if needed) the database file at `path`, or only reads an existing one;
    /// one that is not a SQLite database, or cannot be read or created, is
    /// [`Error::CannotOpen`] naming it, here rather than at the first statement.
    pub(crate) fn file(path: impl AsRef<std::path::Path>, read_only: bool) -> Result<SqliteBackend> {
        use rusqlite::OpenFlags;
        let path = path.as_ref();
        let opened = if read_only {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
            Connection::open_with_flags(path, flags)
        } else {
            Connection::open(path)
        };
        let cannot = |e: rusqlite::Error| Error::CannotOpen {
            path: path.display().to_string(),
            reason: format!("{e} (opened as a SQLite database)"),
        };
        let conn = opened.map_err(cannot)?;
        // SQLite reads a file at its first statement: read its header now
        conn.query_row("PRAGMA schema_version", [], |_| Ok(())).map_err(cannot)?;
        SqliteBackend::new(conn)
    }

    /// A new, empty in-memory database.
    pub(crate) fn in_memory() -> Result<SqliteBackend> {
        SqliteBackend::new(Connection::open_in_memory()?)
    }

    /// Wraps an open connection, turning on `PRAGMA foreign_keys` and the query planner
    /// stability guarantee.
    pub(crate) fn new(mut conn: Connection) -> Result<SqliteBackend> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // `rarray(?)`: long `IN` lists are bound as one parameter
        rusqlite::vtab::array::load_module(&conn)?;
        conn.set_prepared_statement_cache_capacity(256);
        // the query planner stability guarantee: a plan never depends on a bound value, so
        // that re-binding a cached statement never re-prepares it (without it, SQLite 3.54
        // re-prepared a lazy load's `WHERE fk = ? ORDER BY id` at every run)
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        let max_variables = conn.limit(rusqlite::limits::Limit::SQLITE_LIMIT_VARIABLE_NUMBER)?.max(1) as usize;
        // the statement timeout: a statement past its deadline is interrupted
        let (deadline, epoch) = (Arc::new(AtomicU64::new(0)), Instant::now());
        let watched = deadline.clone();
        conn.progress_handler(
            STEPS_BETWEEN_LOOKS,
            Some(move || {
                let at = watched.load(Ordering::Relaxed);
                at != 0 && epoch.elapsed().as_nanos() > u128::from(at)
            }),
        )?;
        Ok(SqliteBackend { conn, max_variables, statement_timeout: std::cell::Cell::new(None), deadline, epoch })
    }

    /// Starts the running statement's clock, when a statement timeout is set.
    fn start_clock(&self) {
        if let Some(limit) = self.statement_timeout.get() {
            let at = (self.epoch.elapsed() + limit).as_nanos().min(u128::from(u64::MAX)) as u64;
            self.deadline.store(at.max(1), Ordering::Relaxed);
        }
    }

    /// [`Error::StatementTimeout`] for an interrupt the timeout caused; other errors as they are.
    fn timed_out(&self, e: Error) -> Error {
        match (sqlite_code(&e), self.statement_timeout.get()) {
            (Some(rusqlite::ffi::ErrorCode::OperationInterrupted), Some(limit)) => Error::StatementTimeout { limit },
            _ => e,
        }
    }

    /// The rusqlite connection.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}

impl super::connection::Driver for Connection {
    type Handle<'a> = &'a Connection;

    fn handle(backend: &dyn Backend) -> Option<&Connection> {
        backend.as_any().downcast_ref::<SqliteBackend>().map(SqliteBackend::connection)
    }
}

impl super::connection::IntoBackend for Connection {
    fn into_backend(self) -> Result<Box<dyn Backend>> {
        Ok(Box::new(SqliteBackend::new(self)?))
    }
}

impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        if let Value::List(values) = self {
            use rusqlite::types::Value as V;
            let array: Vec<V> = values
                .iter()
                .map(|v| match v {
                    Value::Integer(i) => V::Integer(*i),
                    Value::Real(f) => V::Real(*f),
                    Value::Text(t) => V::Text(t.to_string()),
                    Value::Blob(b) => V::Blob(b.to_vec()),
                    Value::Decimal(d) => decimal(d),
                    Value::Null | Value::List(_) => V::Null,
                })
                .collect();
            // the pointer type `rarray(?)` reads (rusqlite's `array` module)
            return Ok(ToSqlOutput::from_rc(std::rc::Rc::new(array), c"rarray"));
        }
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(RValueRef::Null),
            Value::Integer(i) => ToSqlOutput::Borrowed(RValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(RValueRef::Real(*f)),
            Value::Text(t) => ToSqlOutput::Borrowed(RValueRef::Text(t.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(RValueRef::Blob(b)),
            Value::Decimal(d) => ToSqlOutput::Owned(decimal(d)),
            Value::List(_) => unreachable!("bound as an array above"),
        })
    }
}

/// SQLAlchemy binds `Numeric` as a float on SQLite; so do we, for identical files (a decimal
/// beyond a double's range is bound as its text).
fn decimal(d: &rust_decimal::Decimal) -> rusqlite::types::Value {
    use rust_decimal::prelude::ToPrimitive;
    match d.to_f64() {
        Some(f) => rusqlite::types::Value::Real(f),
        None => rusqlite::types::Value::Text(d.to_string()),
    }
}

impl RawRow for rusqlite::Row<'_> {
    fn width(&self) -> usize {
        self.as_ref().column_count()
    }

    fn column_name(&self, index: usize) -> Option<&str> {
        self.as_ref().column_name(index).ok()
    }

    fn value(&self, index: usize) -> Result<ValueRef<'_>, RowError> {
        Ok(match self.get_ref(index).map_err(|e| RowError(e.to_string().into()))? {
            RValueRef::Null => ValueRef::Null,
            RValueRef::Integer(i) => ValueRef::Integer(i),
            RValueRef::Real(f) => ValueRef::Real(f),
            RValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => ValueRef::Text(s),
                Err(_) => return Err(RowError("stored TEXT is not valid UTF-8".into())),
            },
            RValueRef::Blob(b) => ValueRef::Blob(b),
        })
    }
}

impl Backend for SqliteBackend {
    fn dialect(&self) -> &'static dyn Dialect {
        &Sqlite
    }

    fn execute(&self, sql: &str, params: &[Value<'_>], table: &str) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        self.start_clock();
        match stmt.execute(rusqlite::params_from_iter(params.iter())) {
            Ok(n) => Ok(n as u64),
            Err(e) => Err(self.timed_out(constraint_error(e, table))),
        }
    }

    fn query(&self, sql: &str, params: &[Value<'_>], f: &mut dyn FnMut(&dyn RawRow) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        self.start_clock();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter())).map_err(|e| self.timed_out(e.into()))?;
        while let Some(row) = rows.next().map_err(|e| self.timed_out(e.into()))? {
            f(row)?;
        }
        Ok(())
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.start_clock();
        self.conn.execute_batch(sql).map_err(|e| self.timed_out(e.into()))
    }

    fn set_statement_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        self.statement_timeout.set(timeout);
        if timeout.is_none() {
            self.deadline.store(0, Ordering::Relaxed);
        }
        Ok(())
    }

    fn set_busy_timeout(&self, timeout: Duration) -> Result<()> {
        Ok(self.conn.busy_timeout(timeout)?)
    }

    fn is_embedded(&self) -> bool {
        true
    }

    fn share(&self) -> Result<()> {
        self.use_wal()
    }

    fn use_wal(&self) -> Result<()> {
        let mode: String = self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            Ok(())
        } else {
            Err(Error::Setting(format!("journal_mode stayed `{mode}`: WAL needs a database file")))
        }
    }

    fn last_insert_id(&self) -> Option<i64> {
        Some(self.conn.last_insert_rowid())
    }

    fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    fn max_variables(&self) -> usize {
        self.max_variables
    }

    fn after_error(&self, error: &Error) -> AfterError {
        use rusqlite::ffi::ErrorCode;
        let fatal = matches!(
            sqlite_code(error),
            Some(
                ErrorCode::DiskFull
                    | ErrorCode::SystemIoFailure
                    | ErrorCode::OutOfMemory
                    | ErrorCode::OperationInterrupted
                    | ErrorCode::DatabaseCorrupt
            )
        );
        if fatal || self.conn.is_autocommit() {
            AfterError::Ended
        } else {
            AfterError::Continues
        }
    }

    fn writing(&self, error: Error, table: &str) -> Error {
        match error.driver_error::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(code, Some(msg))) => {
                constraint_error(rusqlite::Error::SqliteFailure(*code, Some(msg.clone())), table)
            }
            _ => error,
        }
    }

    fn tables(&self, run: super::connection::Run<'_>) -> Result<Vec<crate::schema::catalog::Table>> {
        catalog::tables(run)
    }

    fn describe(&self) -> String {
        match self.conn.path() {
            Some("") | None => "sqlite::memory:".to_string(),
            Some(p) => format!("sqlite:{p}"),
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// For what is run on `Db::driver`'s connection directly, and for every
/// statement of this backend: a missing table or a lock becomes its typed error, anything else
/// [`Error::Database`] with SQLite's message (a few hundred characters of quoted SQL at most).
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        let message = match &e {
            rusqlite::Error::SqliteFailure(_, Some(msg)) => Some(msg.as_str()),
            rusqlite::Error::SqlInputError { msg, .. } => Some(msg.as_str()),
            _ => None,
        };
        if let Some(table) = message.and_then(|m| m.strip_prefix("no such table: ")) {
            let table = table.rsplit('.').next().unwrap_or(table);
            return Error::NoSuchTable { table: table.to_string() };
        }
        match &e {
            rusqlite::Error::SqliteFailure(code, _)
                if matches!(
                    code.code,
                    rusqlite::ffi::ErrorCode::DatabaseBusy | rusqlite::ffi::ErrorCode::DatabaseLocked
                ) =>
            {
                Error::Busy
            }
            _ => {
                // errors that quote the statement keep a few hundred characters of it
                let e = match e {
                    rusqlite::Error::SqlInputError { error, msg, sql, offset } if sql.len() > 300 => {
                        rusqlite::Error::SqlInputError { error, msg, sql: shorten_sql(&sql), offset }
                    }
                    rusqlite::Error::SqliteFailure(code, Some(msg)) if msg.len() > 300 => {
                        rusqlite::Error::SqliteFailure(code, Some(shorten_sql(&msg)))
                    }
                    e => e,
                };
                let message = match &e {
                    rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
                    e => e.to_string(),
                };
                Error::database(message, e)
            }
        }
    }
}

/// SQLite's result code underneath `error`, if it is a SQLite failure.
fn sqlite_code(error: &Error) -> Option<rusqlite::ffi::ErrorCode> {
    match error.driver_error::<rusqlite::Error>() {
        Some(rusqlite::Error::SqliteFailure(code, _)) => Some(code.code),
        _ => None,
    }
}

/// Turns a SQLite constraint failure into a typed error; `table` is the table being written.
fn constraint_error(e: rusqlite::Error, table: &str) -> Error {
    use rusqlite::ffi::ErrorCode;
    let rusqlite::Error::SqliteFailure(code, Some(msg)) = &e else {
        return Error::from(e);
    };
    if code.code != ErrorCode::ConstraintViolation {
        return Error::from(e);
    }
    // SQLite's messages: "UNIQUE constraint failed: t.a, t.b", "NOT NULL constraint failed:
    // t.c", "FOREIGN KEY constraint failed", "CHECK constraint failed: name".
    let detail = msg.split_once(": ").map(|(_, d)| d).unwrap_or("");
    let split = |qualified: &str| -> (String, String) {
        match qualified.split_once('.') {
            Some((t, c)) => (t.to_string(), c.to_string()),
            None => (table.to_string(), qualified.to_string()),
        }
    };
    if msg.starts_with("UNIQUE constraint failed") {
        let cols: Vec<(String, String)> = detail.split(", ").map(split).collect();
        Error::UniqueViolation {
            table: cols.first().map_or_else(|| table.to_string(), |c| c.0.clone()),
            columns: cols.into_iter().map(|c| c.1).collect(),
            constraint: None,
        }
    } else if msg.starts_with("NOT NULL constraint failed") {
        let (table, column) = split(detail);
        Error::NotNullViolation { table, column }
    } else if msg.starts_with("FOREIGN KEY constraint failed") {
        Error::ForeignKeyViolation { table: table.to_string(), column: None }
    } else if msg.starts_with("CHECK constraint failed") {
        Error::CheckViolation { table: table.to_string(), constraint: detail.to_string() }
    } else {
        Error::from(e)
    }
}
