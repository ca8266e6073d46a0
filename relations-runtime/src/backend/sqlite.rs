//! The SQLite backend, on rusqlite (bundled SQLite).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, ValueRef as RValueRef};
use rusqlite::{Connection, ToSql};

use super::{AfterError, Backend, RawRow, RowError};
use crate::dialect::{Dialect, Sqlite};
use crate::error::{Error, Result};
use crate::value::{Value, ValueRef};

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

impl SqliteBackend {
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
        match (&e, self.statement_timeout.get()) {
            (Error::Database(rusqlite::Error::SqliteFailure(code, _)), Some(limit))
                if code.code == rusqlite::ffi::ErrorCode::OperationInterrupted =>
            {
                Error::StatementTimeout { limit }
            }
            _ => e,
        }
    }

    /// The rusqlite connection.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
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
            Err(e) => Err(self.timed_out(Error::from_sqlite(e, table))),
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
            error,
            Error::Database(rusqlite::Error::SqliteFailure(code, _)) if matches!(
                code.code,
                ErrorCode::DiskFull | ErrorCode::SystemIoFailure | ErrorCode::OutOfMemory
                    | ErrorCode::OperationInterrupted | ErrorCode::DatabaseCorrupt
            )
        );
        if fatal || self.conn.is_autocommit() {
            AfterError::Ended
        } else {
            AfterError::Continues
        }
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
