//! What a backend is to the layers above, and to the registry that opens one by URL: the
//! [`Backend`] trait, a result's rows ([`RawRow`]), how a backend connects ([`Connector`]), and
//! the driver types a `Db` lends back or wraps ([`Driver`], [`IntoBackend`]).

use std::time::Duration;

use crate::dialect::Dialect;
use crate::schema::error::{Error, Result};
use crate::schema::value::{Value, ValueRef};

/// How a backend connects to a URL, waiting at most the given time (else the URL's own, else a
/// default).
pub(crate) type Open = fn(&str, Option<Duration>) -> Result<Box<dyn Backend>>;

/// A database `relations` opens by URL: which URLs are its, and how it connects.
pub(crate) struct Connector {
    /// Whether `url` names a database of this backend.
    pub(crate) accepts: fn(&str) -> bool,
    /// The URL forms it takes, for the message of a URL no backend takes.
    pub(crate) forms: &'static str,
    /// Opens `url`.
    pub(crate) open: Open,
}

impl Connector {
    /// The connector of a backend whose feature is off: its URLs fail with a message naming
    /// the feature, never open something else.
    #[cfg_attr(all(feature = "postgres", feature = "mariadb"), allow(dead_code))]
    pub(crate) const fn needs_feature(accepts: fn(&str) -> bool, forms: &'static str) -> Connector {
        Connector { accepts, forms, open: |url, _| Err(Error::Setting(format!("{url}: {}", feature_note(url)))) }
    }
}

/// What a URL of a backend compiled out needs, by its scheme.
#[cfg_attr(all(feature = "postgres", feature = "mariadb"), allow(dead_code))]
fn feature_note(url: &str) -> String {
    let scheme = url.split(':').next().unwrap_or(url);
    format!("the `{scheme}` backend needs its feature of `relations` (`postgres` or `mariadb`)")
}

/// Whether `url` names a PostgreSQL server (a `postgresql://` or `postgres://` URL, or libpq's
/// `key=value` form).
pub(crate) fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgresql://") || url.starts_with("postgres://") || url.contains("dbname=")
}

/// Whether `url` names a MySQL or MariaDB server (`mysql://`, `mariadb://`, SQLAlchemy's
/// `mysql+pymysql://` spelling included).
pub(crate) fn is_mysql_url(url: &str) -> bool {
    let scheme = url.split_once("://").map_or("", |(s, _)| s);
    matches!(scheme.split('+').next(), Some("mysql" | "mariadb"))
}

/// A driver whose connection a `Db` lends back, for what `relations` does not
/// cover (`Db::driver`): rusqlite's [`Connection`](rusqlite::Connection)
/// on SQLite; tokio-postgres' `Client` on PostgreSQL (feature `postgres`), lent as a
/// `PgClient` that also waits for its futures. Named by the driver's own type, as
/// [`Error::driver_error`] is.
pub trait Driver: 'static {
    /// What `Db::driver` lends.
    type Handle<'a>;

    /// The handle on `backend`'s connection, if it is this driver's.
    #[doc(hidden)]
    fn handle(backend: &dyn Backend) -> Option<Self::Handle<'_>>;
}

/// A driver's open connection that a `Db` can wrap
/// (`Db::from_connection`): rusqlite's
/// [`Connection`](rusqlite::Connection).
pub trait IntoBackend {
    /// The backend on this connection, readied as `relations` needs it.
    #[doc(hidden)]
    fn into_backend(self) -> Result<Box<dyn Backend>>;
}

/// Runs a catalog query through the connection's own statement path (counted and echoed as
/// every other statement), handing each row to the callback.
pub type Run<'a> = &'a dyn Fn(&str, &[Value<'_>], &mut dyn FnMut(&dyn RawRow) -> Result<()>) -> Result<()>;

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
    /// `error`, returned by a statement that writes `table` and returns rows (`RETURNING`),
    /// as the typed error [`Backend::execute`] gives for the same failure (the query path
    /// leaves constraint failures as the database reported them).
    fn writing(&self, error: Error, table: &str) -> Error {
        let _ = table;
        error
    }
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
    /// How long a statement waits for another connection's lock before failing with
    /// [`Error::Busy`].
    fn set_busy_timeout(&self, timeout: std::time::Duration) -> Result<()>;
    /// Whether the database is in this process (SQLite): a connection with no server to lose,
    /// which [`Backend::check`] has nothing to look at.
    fn is_embedded(&self) -> bool {
        false
    }
    /// Readies a connection for a pool whose other connections open the same database
    /// (SQLite's WAL journal, so that readers do not wait for the writer); nothing on a server.
    fn share(&self) -> Result<()> {
        Ok(())
    }
    /// Switches a database file to write-ahead logging; an error where there is none.
    fn use_wal(&self) -> Result<()> {
        Err(Error::Setting(format!("{} has no WAL journaling to switch to: it is SQLite's", self.describe())))
    }
    /// Every table of the database (of the connection's schema on a server), but the
    /// bookkeeping tables, in creation order, read from the database's own catalog through
    /// `run` (the connection's counted statement path).
    fn tables(&self, run: Run<'_>) -> Result<Vec<crate::schema::catalog::Table>>;
    /// Where the connection goes, for `Debug` (a path or a URL without its password).
    fn describe(&self) -> String;
    /// The backend as `Any`, so that `Db::driver` can hand out the
    /// rusqlite connection underneath.
    fn as_any(&self) -> &dyn std::any::Any;
}
