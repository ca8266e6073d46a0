//! A pool of [`Db`] connections to one database on [r2d2](https://docs.rs/r2d2) (feature
//! `pool`): a SQLite file in WAL mode, or a PostgreSQL server (`Pool::connect` with a
//! `postgresql://` URL).
//!
//! ```
//! # fn main() -> relations_runtime::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("relations-pool-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! use relations_runtime::pool::{Pool, PoolOptions};
//! let pool = Pool::open(dir.join("app.db"), PoolOptions::default())?;
//! let db = pool.get()?; // a `Db`, back in the pool when dropped
//! assert_eq!(db.sqlite().unwrap().query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))?, "wal");
//! # Ok(()) }
//! ```

use std::path::Path;
use std::time::Duration;

use crate::db::Db;
use crate::error::{Error, Result};

/// How the pool's connections are opened.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// The most connections open at once (default 8).
    pub max_size: u32,
    /// How long a statement waits for another connection's write lock before
    /// [`Error::Busy`] (default 5 s).
    pub busy_timeout: Duration,
    /// How long [`Pool::get`] waits for a free connection (default 30 s).
    pub checkout_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions { max_size: 8, busy_timeout: Duration::from_secs(5), checkout_timeout: Duration::from_secs(30) }
    }
}

/// Opens [`Db`]s on one database for r2d2: the busy timeout set, and on SQLite the WAL
/// journal and foreign keys on.
#[derive(Debug, Clone)]
pub struct DbManager {
    url: String,
    busy_timeout: Duration,
}

impl DbManager {
    /// A manager for the database file at `path`.
    pub fn new(path: impl AsRef<Path>, busy_timeout: Duration) -> Self {
        DbManager { url: format!("sqlite:{}", path.as_ref().display()), busy_timeout }
    }

    /// A manager for the database `url` names, as [`Db::connect`] reads it.
    pub fn for_url(url: &str, busy_timeout: Duration) -> Self {
        DbManager { url: url.to_string(), busy_timeout }
    }
}

impl r2d2::ManageConnection for DbManager {
    type Connection = Db;
    type Error = Error;

    fn connect(&self) -> Result<Db> {
        let db = Db::connect(&self.url)?;
        db.set_busy_timeout(self.busy_timeout)?;
        if db.sqlite().is_some() {
            db.use_wal()?;
        }
        Ok(db)
    }

    fn is_valid(&self, db: &mut Db) -> Result<()> {
        db.backend().batch("SELECT 1")
    }

    fn has_broken(&self, _: &mut Db) -> bool {
        false
    }
}

/// A pool of [`Db`]s on one file.
#[derive(Debug, Clone)]
pub struct Pool {
    inner: r2d2::Pool<DbManager>,
}

/// A [`Db`] borrowed from a [`Pool`]; it goes back when dropped.
pub type PooledDb = r2d2::PooledConnection<DbManager>;

impl Pool {
    /// Opens a pool on the database file at `path` (created if needed). One connection is
    /// opened now, so that a wrong path fails here.
    pub fn open(path: impl AsRef<Path>, options: PoolOptions) -> Result<Pool> {
        Pool::with_manager(DbManager::new(path, options.busy_timeout), options)
    }

    /// Opens a pool on the database `url` names (`postgresql://...`, or a SQLite URL or path,
    /// as [`Db::connect`] reads it). One connection is opened now, so that a wrong URL fails
    /// here.
    pub fn connect(url: &str, options: PoolOptions) -> Result<Pool> {
        Pool::with_manager(DbManager::for_url(url, options.busy_timeout), options)
    }

    fn with_manager(manager: DbManager, options: PoolOptions) -> Result<Pool> {
        let inner = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(1))
            .connection_timeout(options.checkout_timeout)
            .build(manager)
            .map_err(|e| Error::Pool(e.to_string()))?;
        Ok(Pool { inner })
    }

    /// A connection, waiting up to the checkout timeout for one to be free.
    pub fn get(&self) -> Result<PooledDb> {
        self.inner.get().map_err(|e| Error::Pool(e.to_string()))
    }
}
