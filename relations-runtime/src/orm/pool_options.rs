//! What both pools share: their options, and how they open a connection. Below both, so that
//! the sync pool, the async pool and the module that names them depend on it and not on each
//! other.

use std::time::Duration;

use crate::orm::db::Db;
use crate::schema::error::Result;

/// How the pool's connections are opened, and how long each wait may last.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// The most connections open at once (default 8).
    pub max_size: u32,
    /// How long a statement waits for another connection's write lock before
    /// [`Error::Busy`](crate::schema::error::Error::Busy) (default 5 s).
    pub busy_timeout: Duration,
    /// How long getting a connection waits for a free one (default 30 s).
    pub checkout_timeout: Duration,
    /// How long opening one connection to a server may take, the TCP connection and the
    /// start-up exchange together (default 5 s); past it, [`Error::Connect`](crate::schema::error::Error::Connect)
    /// says so. It replaces the URL's `connect_timeout`.
    pub connect_timeout: Duration,
    /// How long one statement may run before [`Error::StatementTimeout`](crate::schema::error::Error::StatementTimeout)
    /// (default: no limit), as [`Db::set_statement_timeout`] sets it on each connection.
    pub statement_timeout: Option<Duration>,
    /// The rules every connection of the pool honours ([`Db::add_rule`]): each connection
    /// starts every checkout with these, whatever rules its last user added.
    pub rules: Vec<crate::sql::rules::Rule>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 8,
            busy_timeout: Duration::from_secs(5),
            checkout_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            statement_timeout: None,
            rules: Vec::new(),
        }
    }
}

/// Opens a pool's connection to `url`: the connect timeout honoured, the busy and statement
/// timeouts set, and the connection readied for sharing its database (SQLite's WAL journal).
pub(crate) fn open_pooled(url: &str, options: &PoolOptions) -> Result<Db> {
    let db = Db::connect_timeout(url, options.connect_timeout)?;
    db.set_busy_timeout(options.busy_timeout)?;
    if options.statement_timeout.is_some() {
        db.set_statement_timeout(options.statement_timeout)?;
    }
    db.backend().share()?;
    reset(&db, options);
    Ok(db)
}

/// Gives a pool's connection, at checkout, the pool's rules and only those.
pub(crate) fn reset(db: &Db, options: &PoolOptions) {
    db.reset_rules(&options.rules);
}
