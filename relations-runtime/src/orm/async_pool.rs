//! [`AsyncPool`]: async connections on deadpool (feature `deadpool`).

use std::path::Path;

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};

use crate::backend::file_url;
use crate::orm::async_db::{blocking, AsyncDb, Conn};
use crate::orm::db::Db;
use crate::orm::pool_options::{open_pooled, PoolOptions};
use crate::schema::error::{Error, Result};

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
        let (url, options) = (self.url.clone(), self.options.clone());
        blocking(move || open_pooled(&url, &options)).await?
    }

    async fn recycle(&self, db: &mut Db, _: &Metrics) -> RecycleResult<Error> {
        // what is known without I/O (which must not run on a runtime's worker): a call that
        // lost the connection, or was cut short mid-transaction, leaves it unusable; the
        // look at the socket follows on the blocking pool (`AsyncPool::on_checked`)
        if db.is_broken() {
            return Err(RecycleError::message("the connection was lost"));
        }
        match db.backend().in_transaction() {
            true => Err(RecycleError::message("the connection was returned inside a transaction")),
            false => {
                crate::orm::pool_options::reset(db, &self.options);
                Ok(())
            }
        }
    }
}

/// A pool of async connections to one database: `AsyncPool::connect(url, options).await?`,
/// then `pool.get().await?` for an [`AsyncDb`] of its own, back in the pool when dropped —
/// or `pool.run(|db| ...)` for one call on any free connection. Cheap to clone; the clones
/// share the pool. Connections are opened as the sync `pool::Pool` opens
/// them (connect, busy and statement timeouts, WAL on SQLite), when needed, up to `max_size`;
/// getting one waits up to the checkout timeout for one to be free, then is [`Error::Pool`].
///
/// A connection is checked before it is handed out ([`Db::check`], on the blocking pool and in
/// the same hop as the call it serves): one whose server went away while it sat idle, or that
/// a call lost, is discarded and another one taken or opened, so that a restarted server or a
/// terminated session costs the calls in flight at that moment, never a later one.
#[derive(Clone, Debug)]
pub struct AsyncPool {
    inner: managed::Pool<Manager>,
}

type Object = managed::Object<Manager>;

impl AsyncPool {
    /// A pool on the SQLite file at `path` (created if needed). One connection is opened now,
    /// so that a wrong path fails here.
    pub async fn open(path: impl AsRef<Path>, options: PoolOptions) -> Result<AsyncPool> {
        AsyncPool::new(file_url(path.as_ref()), options).await
    }

    /// A pool on the database `url` names (`postgresql://...`, or a SQLite URL or path, as
    /// [`Db::connect`] reads it). One connection is opened now, so that a wrong URL or a server
    /// that is down fails here, with the cause ([`Error::Connect`]), within the connect timeout.
    pub async fn connect(url: &str, options: PoolOptions) -> Result<AsyncPool> {
        AsyncPool::new(url.to_string(), options).await
    }

    async fn new(url: String, options: PoolOptions) -> Result<AsyncPool> {
        let (max, wait) = (options.max_size as usize, options.checkout_timeout);
        // opening waits for its own connect timeout on the blocking pool; a little more here
        let create = options.connect_timeout + std::time::Duration::from_secs(1);
        let inner = managed::Pool::builder(Manager { url, options })
            .max_size(max.max(1))
            .wait_timeout(Some(wait))
            .create_timeout(Some(create))
            .recycle_timeout(Some(create))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| Error::Pool(e.to_string()))?;
        let pool = AsyncPool { inner };
        drop(pool.object().await?);
        Ok(pool)
    }

    async fn object(&self) -> Result<Object> {
        self.inner.get().await.map_err(|e| match e {
            managed::PoolError::Backend(e) => e,
            managed::PoolError::Timeout(managed::TimeoutType::Create) => {
                Error::Pool("opening a connection took longer than the connect timeout".into())
            }
            e => Error::Pool(e.to_string()),
        })
    }

    /// Runs `f` on a connection of the pool that [`Db::check`] finds usable, on the blocking
    /// pool; a broken one is taken out of the pool and closed, and the next one tried (a new
    /// connection, once the broken ones are gone, needs no look). `f` comes back unrun with a
    /// broken connection, so that nothing runs twice. When `f` need not block (`light`), a
    /// SQLite connection, which has nothing to look at, is handed to it here.
    async fn on_checked<R: Send + 'static>(
        &self,
        light: bool,
        f: impl FnOnce(Object) -> R + Send + 'static,
    ) -> Result<R> {
        let mut f = f;
        // every connection the pool held, and one more: past that, the new ones fail too
        for _ in 0..=self.inner.status().max_size {
            let object = self.object().await?;
            if light && object.backend().is_embedded() {
                return Ok(f(object));
            }
            let ran = blocking(move || match object.check() {
                Ok(()) => Ok(f(object)),
                Err(e) => Err(Box::new((f, object, e))),
            })
            .await?;
            match ran {
                Ok(r) => return Ok(r),
                Err(unrun) => {
                    let (unrun, broken, e) = *unrun;
                    tracing::warn!(target: "relations::pool", "discarding a pooled connection: {e}");
                    drop(Object::take(broken));
                    f = unrun;
                }
            }
        }
        Err(Error::Pool("every connection the pool opened was broken at once".into()))
    }

    /// A connection of its own, for several calls in a row: back in the pool when the
    /// `AsyncDb` and its clones are dropped.
    pub async fn get(&self) -> Result<AsyncDb> {
        let object = self.on_checked(true, |object| object).await?;
        Ok(AsyncDb::from_conn(Conn::Held(Box::new(object))))
    }

    /// Runs `f` on a free connection, as [`AsyncDb::run`] does.
    pub async fn run<R, E>(&self, f: impl FnOnce(&Db) -> Result<R, E> + Send + 'static) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        self.on_checked(false, move |object| f(&object)).await?
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
