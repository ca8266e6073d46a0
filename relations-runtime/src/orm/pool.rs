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
//! assert_eq!(db.driver::<relations_runtime::rusqlite::Connection>().unwrap().query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))?, "wal");
//! # Ok(()) }
//! ```

#[cfg(feature = "pool")]
use std::path::Path;
#[cfg(feature = "pool")]
use std::time::Duration;

#[cfg(feature = "pool")]
use crate::backend::file_url;
#[cfg(feature = "pool")]
use crate::orm::db::Db;
use crate::orm::pool_options::open_pooled;
#[cfg(feature = "pool")]
use crate::schema::error::{Error, Result};

#[cfg(feature = "deadpool")]
pub use crate::orm::async_pool::AsyncPool;
pub use crate::orm::pool_options::PoolOptions;

/// Opens [`Db`]s on one database for r2d2: the connect, busy and statement timeouts set, and
/// on SQLite the WAL journal and foreign keys on. A connection is checked before it is handed
/// out ([`Db::check`]: no round trip unless an error left it in doubt) and discarded when it is
/// returned broken ([`Db::is_broken`]).
#[cfg(feature = "pool")]
#[derive(Debug, Clone)]
pub struct DbManager {
    url: String,
    options: PoolOptions,
}

#[cfg(feature = "pool")]
impl DbManager {
    /// A manager for the database file at `path`.
    pub fn new(path: impl AsRef<Path>, busy_timeout: Duration) -> Self {
        DbManager { url: file_url(path.as_ref()), options: PoolOptions { busy_timeout, ..PoolOptions::default() } }
    }

    /// A manager for the database `url` names, as [`Db::connect`] reads it.
    pub fn for_url(url: &str, busy_timeout: Duration) -> Self {
        DbManager { url: url.to_string(), options: PoolOptions { busy_timeout, ..PoolOptions::default() } }
    }

    /// A manager for the database `url` names, opening connections with `options`.
    pub fn with_options(url: &str, options: PoolOptions) -> Self {
        DbManager { url: url.to_string(), options }
    }
}

#[cfg(feature = "pool")]
impl r2d2::ManageConnection for DbManager {
    type Connection = Db;
    type Error = Error;

    fn connect(&self) -> Result<Db> {
        open_pooled(&self.url, &self.options)
    }

    fn is_valid(&self, db: &mut Db) -> Result<()> {
        crate::orm::pool_options::reset(db, &self.options);
        db.check()
    }

    fn has_broken(&self, db: &mut Db) -> bool {
        // a call that failed for the connection's sake, or was cut short mid-transaction
        db.is_broken() || db.backend().in_transaction()
    }
}

#[cfg(feature = "pool")]
/// A pool of [`Db`]s on one database.
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
        Pool::with_manager(DbManager::with_options(&file_url(path.as_ref()), options))
    }

    /// Opens a pool on the database `url` names (`postgresql://...`, or a SQLite URL or path,
    /// as [`Db::connect`] reads it). One connection is opened now, so that a wrong URL or a
    /// server that is down fails here, at once, with the cause ([`Error::Connect`]).
    pub fn connect(url: &str, options: PoolOptions) -> Result<Pool> {
        Pool::with_manager(DbManager::with_options(url, options))
    }

    fn with_manager(manager: DbManager) -> Result<Pool> {
        // the first connection, opened here: its error is the cause, returned as soon as it is
        // known (r2d2's own build would retry until the checkout timeout)
        let first = r2d2::ManageConnection::connect(&manager)?;
        drop(first);
        let options = manager.options.clone();
        let inner = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(1))
            .connection_timeout(options.checkout_timeout)
            .build_unchecked(manager);
        Ok(Pool { inner })
    }

    /// A connection, waiting up to the checkout timeout for one to be free; one found broken
    /// is discarded and another opened.
    pub fn get(&self) -> Result<PooledDb> {
        self.inner.get().map_err(|e| Error::Pool(e.to_string()))
    }
}
