//! What both pools share: their options, and how they open a connection. Below both, so that
//! the sync pool, the async pool and the module that names them depend on it and not on each
//! other.

use std::path::Path;
use std::time::Duration;

use crate::db::Db;
use crate::error::Result;

/// How the pool's connections are opened.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// The most connections open at once (default 8).
    pub max_size: u32,
    /// How long a statement waits for another connection's write lock before
    /// [`Error::Busy`](crate::Error::Busy) (default 5 s).
    pub busy_timeout: Duration,
    /// How long getting a connection waits for a free one (default 30 s).
    pub checkout_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions { max_size: 8, busy_timeout: Duration::from_secs(5), checkout_timeout: Duration::from_secs(30) }
    }
}

/// Opens a pool's connection to `url`: the busy timeout set, and on SQLite the WAL journal
/// and foreign keys on.
pub(crate) fn open_pooled(url: &str, busy_timeout: Duration) -> Result<Db> {
    let db = Db::connect(url)?;
    db.set_busy_timeout(busy_timeout)?;
    if db.sqlite().is_some() {
        db.use_wal()?;
    }
    Ok(db)
}

/// The URL a pool on the SQLite file at `path` opens.
pub(crate) fn file_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}
