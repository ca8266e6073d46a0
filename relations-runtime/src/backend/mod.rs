//! The backend layer: one small connection trait, [`Backend`], and its implementations —
//! SQLite through rusqlite (always there), PostgreSQL through tokio-postgres (feature
//! `postgres`) and MariaDB through the `mysql` crate (feature `mariadb`), each registered by one
//! entry of the URL registry (`CONNECTORS`). A backend runs SQL text it is given with bound
//! [`Value`](crate::schema::value::Value)s, caches its prepared statements, reports whether a transaction is open, reads its
//! database's catalog, and turns the database's errors into the typed [`Error`]s that name the
//! table, column and constraint. It knows nothing of models.

pub(crate) mod catalog;
pub(crate) mod connection;
#[cfg(feature = "mariadb")]
pub(crate) mod mysql;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::PgClient;
pub(crate) mod sqlite;

use std::time::Duration;

use crate::schema::error::{Error, Result};
pub(crate) use connection::Connector;
#[cfg(not(all(feature = "postgres", feature = "mariadb")))]
use connection::{is_mysql_url, is_postgres_url};
pub use connection::{AfterError, Backend, Driver, IntoBackend, RawRow, RowError};

/// Every backend that opens by URL, asked in order: the server backends by their schemes, then
/// SQLite, which takes `sqlite:` URLs and plain paths. A backend is registered by one entry here.
pub(crate) const CONNECTORS: &[Connector] = &[
    #[cfg(feature = "postgres")]
    postgres::CONNECTOR,
    #[cfg(not(feature = "postgres"))]
    Connector::needs_feature(is_postgres_url, "`postgresql://user@host/database` (feature `postgres`)"),
    #[cfg(feature = "mariadb")]
    mysql::CONNECTOR,
    #[cfg(not(feature = "mariadb"))]
    Connector::needs_feature(is_mysql_url, "`mysql://user@host/database` (feature `mariadb`)"),
    sqlite::CONNECTOR,
];

/// Opens the database `url` names, on the first backend that takes it; a `scheme://` no backend
/// takes is [`Error::UnsupportedUrl`], never a file of that name.
pub(crate) fn open_url(url: &str, timeout: Option<Duration>) -> Result<Box<dyn Backend>> {
    match CONNECTORS.iter().find(|c| (c.accepts)(url)) {
        Some(c) => (c.open)(url, timeout),
        None => Err(Error::UnsupportedUrl {
            url: crate::schema::error::redact_url(url),
            opens: CONNECTORS.iter().map(|c| c.forms).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// Opens (creating it unless `read_only`) the embedded database's file at `path`.
pub(crate) fn open_file(path: &std::path::Path, read_only: bool) -> Result<Box<dyn Backend>> {
    Ok(Box::new(sqlite::SqliteBackend::file(path, read_only)?))
}

/// A new, empty in-memory database of the embedded backend.
pub(crate) fn open_in_memory() -> Result<Box<dyn Backend>> {
    Ok(Box::new(sqlite::SqliteBackend::in_memory()?))
}

/// The URL that opens the embedded database's file at `path`.
#[cfg(any(feature = "pool", feature = "deadpool"))]
pub(crate) fn file_url(path: &std::path::Path) -> String {
    format!("sqlite:{}", path.display())
}
