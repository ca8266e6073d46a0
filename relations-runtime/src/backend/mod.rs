//! The backend layer: one small connection trait, [`Backend`], and its implementations —
//! SQLite through rusqlite (always there) and PostgreSQL through tokio-postgres (feature
//! `postgres`). A backend runs SQL text it is given with bound [`Value`]s, caches its prepared
//! statements, reports whether a transaction is open, and turns the database's errors into the
//! typed [`Error`]s that name the table, column and constraint. It knows nothing of models.

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::PgClient;
pub(crate) mod sqlite;

use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::value::{Value, ValueRef};

/// Why a column of a row could not be read (no such column, text that is not UTF-8). Small,
/// so that reading a value, the loaders' innermost step, moves little.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError(pub Box<str>);

impl From<RowError> for Error {
    fn from(e: RowError) -> Error {
        Error::Unexpected(e.0.into())
    }
}

/// One row of a result, read column by column.
pub trait RawRow {
    /// The value of the `index`th column (0-based).
    fn value(&self, index: usize) -> Result<ValueRef<'_>, RowError>;

    /// The number of columns.
    fn width(&self) -> usize;

    /// The `index`th column's name in the result, if the statement gives one.
    fn column_name(&self, index: usize) -> Option<&str>;

    /// The `index`th column as an integer (booleans as 1/0).
    fn int(&self, index: usize) -> Result<i64> {
        match self.value(index)? {
            ValueRef::Integer(i) => Ok(i),
            other => {
                Err(Error::Unexpected(format!("expected an integer in column {index}, found {}", other.type_name())))
            }
        }
    }

    /// The `index`th column as text, `None` for `NULL`.
    fn text(&self, index: usize) -> Result<Option<String>> {
        match self.value(index)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => Ok(Some(t.to_owned())),
            other => Err(Error::Unexpected(format!("expected text in column {index}, found {}", other.type_name()))),
        }
    }
}

/// What an error inside an open transaction did to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterError {
    /// Nothing: the statement failed alone, and the transaction goes on (SQLite's constraint
    /// errors).
    Continues,
    /// The transaction refuses every statement until it is rolled back to the innermost open
    /// savepoint (PostgreSQL, after any error).
    NeedsRollback,
    /// The database ended the whole transaction (SQLite after a full disk, an I/O error...).
    Ended,
}

/// A database connection as the layers above use it.
///
/// Statements arrive as SQL text rendered by the backend's [`Dialect`], with every value bound
/// as a parameter; the backend prepares each text once and reuses it.
pub trait Backend: Send {
    /// How SQL is spelled for this database.
    fn dialect(&self) -> &'static dyn Dialect;
    /// Runs a data-changing statement on `table` and returns the number of rows it changed;
    /// constraint failures come back typed, naming `table` when the database does not.
    fn execute(&self, sql: &str, params: &[Value<'_>], table: &str) -> Result<u64>;
    /// Runs a query and hands each row to `f`, stopping at `f`'s first error.
    fn query(&self, sql: &str, params: &[Value<'_>], f: &mut dyn FnMut(&dyn RawRow) -> Result<()>) -> Result<()>;
    /// Runs statements without parameters (DDL, transaction control), several allowed.
    fn batch(&self, sql: &str) -> Result<()>;
    /// The key the database assigned to the row the last `INSERT` added, where the dialect
    /// does not return it with `RETURNING`.
    fn last_insert_id(&self) -> Option<i64>;
    /// Whether a transaction is open.
    fn in_transaction(&self) -> bool;
    /// The largest number of parameters one statement may bind.
    fn max_variables(&self) -> usize;
    /// What `error`, returned by a statement inside a transaction, did to the transaction.
    fn after_error(&self, error: &Error) -> AfterError;
    /// Whether the connection is known to be unusable — closed, lost in a call, or given up
    /// on after a timeout — without asking the database: what a pool asks of a connection
    /// returned to it.
    fn is_broken(&self) -> bool {
        false
    }
    /// Checks that the connection can be used, cheaply: its own state, and for a server
    /// connection whatever the server sent while it was idle (one turn of its I/O, no round
    /// trip), or a ping when an earlier error left it in doubt. What a pool asks before it hands
    /// a connection out; a broken one is [`Error::ConnectionLost`].
    fn check(&self) -> Result<()> {
        Ok(())
    }
    /// Limits how long one statement may run before it fails with
    /// [`Error::StatementTimeout`]; `None` lifts the limit.
    fn set_statement_timeout(&self, timeout: Option<std::time::Duration>) -> Result<()>;
    /// Where the connection goes, for `Debug` (a path or a URL without its password).
    fn describe(&self) -> String;
    /// The backend as `Any`, so that [`Db::sqlite`](crate::Db::sqlite) can hand out the
    /// rusqlite connection underneath.
    fn as_any(&self) -> &dyn std::any::Any;
}
