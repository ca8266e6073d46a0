//! Pools of [`Db`] connections to one database: a SQLite file in WAL mode, or a PostgreSQL
//! server (`connect` with a `postgresql://` URL). [`Pool`] is sync, on
//! [r2d2](https://docs.rs/r2d2) (feature `pool`); [`AsyncPool`] is async, on
//! [deadpool](https://docs.rs/deadpool) (feature `deadpool`). Both open their connections the
//! same way, with the same [`PoolOptions`].
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

#[cfg(feature = "pool")]
use std::path::Path;
#[cfg(feature = "pool")]
use std::time::Duration;

#[cfg(feature = "pool")]
use crate::db::Db;
#[cfg(feature = "pool")]
use crate::error::{Error, Result};
#[cfg(feature = "pool")]
use crate::pool_options::{file_url, open_pooled};

#[cfg(feature = "deadpool")]
pub use crate::async_pool::AsyncPool;
pub use crate::pool_options::PoolOptions;

/// Opens [`Db`]s on one database for r2d2: the busy timeout set, and on SQLite the WAL
/// journal and foreign keys on.
#[cfg(feature = "pool")]
#[derive(Debug, Clone)]
pub struct DbManager {
    url: String,
    busy_timeout: Duration,
}

#[cfg(feature = "pool")]
impl DbManager {
    /// A manager for the database file at `path`.
    pub fn new(path: impl AsRef<Path>, busy_timeout: Duration) -> Self {
        DbManager { url: file_url(path.as_ref()), busy_timeout }
    }

    /// A manager for the database `url` names, as [`Db::connect`] reads it.
    pub fn for_url(url: &str, busy_timeout: Duration) -> Self {
        DbManager { url: url.to_string(), busy_timeout }
    }
}

#[cfg(feature = "pool")]
impl r2d2::ManageConnection for DbManager {
    type Connection = Db;
    type Error = Error;

    fn connect(&self) -> Result<Db> {
        open_pooled(&self.url, self.busy_timeout)
    }

    fn is_valid(&self, db: &mut Db) -> Result<()> {
        db.backend().batch("SELECT 1")
    }

    fn has_broken(&self, _: &mut Db) -> bool {
        false
    }
}

#[cfg(feature = "pool")]
/// A pool of [`Db`]s on one file.
#[derive(Debug, Clone)]
pub struct Pool {
    inner: r2d2::Pool<DbManager>,
}

#[cfg(feature = "pool")]
/// A [`Db`] borrowed from a [`Pool`]; it goes back when dropped.
pub type PooledDb = r2d2::PooledConnection<DbManager>;

#[cfg(feature = "pool")]
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
