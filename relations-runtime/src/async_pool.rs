//! [`AsyncPool`]: async connections on deadpool (feature `deadpool`).

use std::path::Path;

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};

use crate::async_db::{blocking, AsyncDb, Conn};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::pool_options::{file_url, open_pooled, PoolOptions};

/// Opens and checks the pool's connections, on tokio's blocking pool.
#[derive(Debug)]
struct Manager {
    url: String,
    options: PoolOptions,
}

impl managed::Manager for Manager {
    type Type = Db;
    type Error = Error;

    async fn create(&self) -> Result<Db> {
        let (url, busy) = (self.url.clone(), self.options.busy_timeout);
        blocking(move || open_pooled(&url, busy)).await?
    }

    async fn recycle(&self, db: &mut Db, _: &Metrics) -> RecycleResult<Error> {
        // a call that panicked or was cut short mid-transaction leaves the connection unusable
        match db.backend().in_transaction() {
            true => Err(RecycleError::message("the connection was returned inside a transaction")),
            false => Ok(()),
        }
    }
}

/// A pool of async connections to one database: `AsyncPool::connect(url, options).await?`,
/// then `pool.get().await?` for an [`AsyncDb`] of its own, back in the pool when dropped —
/// or `pool.run(|db| ...)` for one call on any free connection. Cheap to clone; the clones
/// share the pool. Connections are opened as the sync `pool::Pool` opens
/// them (busy timeout, WAL on SQLite), when needed, up to `max_size`; getting one waits up to
/// the checkout timeout for one to be free, then is [`Error::Pool`].
#[derive(Clone, Debug)]
pub struct AsyncPool {
    inner: managed::Pool<Manager>,
}

impl AsyncPool {
    /// A pool on the SQLite file at `path` (created if needed). One connection is opened now,
    /// so that a wrong path fails here.
    pub async fn open(path: impl AsRef<Path>, options: PoolOptions) -> Result<AsyncPool> {
        AsyncPool::new(file_url(path.as_ref()), options).await
    }

    /// A pool on the database `url` names (`postgresql://...`, or a SQLite URL or path, as
    /// [`Db::connect`] reads it). One connection is opened now, so that a wrong URL fails here.
    pub async fn connect(url: &str, options: PoolOptions) -> Result<AsyncPool> {
        AsyncPool::new(url.to_string(), options).await
    }

    async fn new(url: String, options: PoolOptions) -> Result<AsyncPool> {
        let (max, wait) = (options.max_size as usize, options.checkout_timeout);
        let inner = managed::Pool::builder(Manager { url, options })
            .max_size(max.max(1))
            .wait_timeout(Some(wait))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| Error::Pool(e.to_string()))?;
        let pool = AsyncPool { inner };
        drop(pool.object().await?);
        Ok(pool)
    }

    async fn object(&self) -> Result<managed::Object<Manager>> {
        self.inner.get().await.map_err(|e| match e {
            managed::PoolError::Backend(e) => e,
            e => Error::Pool(e.to_string()),
        })
    }

    /// A connection of its own, for several calls in a row: back in the pool when the
    /// `AsyncDb` and its clones are dropped.
    pub async fn get(&self) -> Result<AsyncDb> {
        Ok(AsyncDb::from_conn(Conn::Held(Box::new(self.object().await?))))
    }

    /// Runs `f` on a free connection, as [`AsyncDb::run`] does.
    pub async fn run<R, E>(&self, f: impl FnOnce(&Db) -> Result<R, E> + Send + 'static) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        let object = self.object().await?;
        blocking(move || f(&object)).await?
    }

    /// Runs `f` in a transaction on a free connection, as [`AsyncDb::transaction`] does.
    pub async fn transaction<R, E>(&self, f: impl FnOnce(&Db) -> Result<R, E> + Send + 'static) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        self.run(move |db| db.transaction(f)).await
    }

    /// How many connections are open, and how many of them are free.
    pub fn status(&self) -> (usize, usize) {
        let s = self.inner.status();
        (s.size, s.available)
    }
}
