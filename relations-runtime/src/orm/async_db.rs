//! The async API (feature `tokio`): [`AsyncDb`], a connection that tasks share and await.
//!
//! It is the sync runtime, run where it may block: every call locks the connection (tasks
//! queue on an async mutex, in order), then runs the same code a [`Db`] runs — the same SQL
//! builder, loaders, cascades and unit of work — on tokio's blocking pool, and the awaiting
//! task resumes with the result. No strategy or cascade exists twice; what is async is the
//! waiting. A runtime worker thread never blocks on the database — unless a SQLite
//! connection is asked to run its calls in place ([`AsyncDb::in_place`]), which trades that
//! guarantee for calls as cheap as the sync ones.
//!
//! On SQLite that is the only sound way: rusqlite blocks. On PostgreSQL the connection is
//! tokio-postgres driven by a small runtime of its own on the thread that runs the call. Data crosses to that thread and back by value: models are
//! `Send + Sync`, queries are owned data, and what a call borrows from the caller (an owner
//! whose relationship [`AsyncDb::load`] fills) stays with the caller.

use std::sync::Arc;

use crate::orm::db::Db;
use crate::orm::load::Rel;
use crate::orm::model::{Model, ModelSet};
use crate::orm::query::Query;
use crate::orm::relation::{kept, lazy_owner_key, scoped, Collection, Lazily, Loaded, Slot};
use crate::schema::error::{Error, Result};
use crate::schema::reach::{Cons, Nil};

/// A database connection for async code: `AsyncDb::connect(url).await?`, then
/// `adb.query::<User>().filter_by(User::username, "ann").one().await?`. Cheap to clone: the
/// clones share the connection, and their calls run one at a time, in the order they were
/// awaited. For several connections at once, use an `AsyncPool` (`relations::pool::AsyncPool`,
/// feature `deadpool`).
///
/// Calls must be awaited on a tokio runtime (any flavour): each one runs on tokio's blocking
/// pool. What has no method of its own here runs through [`run`](AsyncDb::run), which hands
/// the sync [`Db`] to a closure: `adb.run(|db| user_posts_report(db)).await`.
#[derive(Clone)]
pub struct AsyncDb {
    conn: Arc<tokio::sync::Mutex<Conn>>,
    backend: &'static str,
    describe: Arc<str>,
    /// Whether the database runs in the process (SQLite): what [`AsyncDb::in_place`] needs.
    embedded: bool,
    /// Whether calls run on the awaiting task's thread instead of the blocking pool.
    in_place: bool,
}

impl std::fmt::Debug for AsyncDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncDb").field("backend", &self.backend).field("at", &self.describe).finish()
    }
}

/// An [`AsyncDb`]'s connection held by sync code ([`AsyncDb::blocking_connection`]): a
/// [`Db`] until dropped.
pub struct BlockingDb(tokio::sync::OwnedMutexGuard<Conn>);

impl std::ops::Deref for BlockingDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.0
    }
}

impl std::fmt::Debug for BlockingDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("BlockingDb").field(&self.0.backend().describe()).finish()
    }
}

/// Where an [`AsyncDb`]'s connection lives: its own, or held for another owner until the last
/// clone drops (a pool's connection, back in the pool then).
pub(crate) enum Conn {
    Own(Box<Db>),
    #[cfg_attr(not(feature = "deadpool"), allow(dead_code))]
    Held(Box<dyn std::ops::Deref<Target = Db> + Send>),
}

impl std::ops::Deref for Conn {
    type Target = Db;
    fn deref(&self) -> &Db {
        match self {
            Conn::Own(db) => db,
            Conn::Held(db) => db,
        }
    }
}

/// Runs `f` on tokio's blocking pool and returns what it returns; a panic in `f` resumes in
/// the caller.
pub(crate) async fn blocking<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Result<R> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => Ok(r),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(Error::Unexpected(format!("the database call did not run: {e}"))),
    }
}

impl AsyncDb {
    /// Opens (or creates) the SQLite database file at `path`, as [`Db::open`] does.
    pub async fn open(path: impl AsRef<std::path::Path>) -> Result<AsyncDb> {
        let path = path.as_ref().to_path_buf();
        Ok(AsyncDb::from_db(blocking(move || Db::open(path)).await??))
    }

    /// A new in-memory SQLite database, as [`Db::open_in_memory`].
    pub async fn open_in_memory() -> Result<AsyncDb> {
        Ok(AsyncDb::from_db(blocking(Db::open_in_memory).await??))
    }

    /// Connects to `url` as [`Db::connect`] does: a `postgresql://` URL (feature `postgres`), a
    /// `sqlite://` URL, or a path.
    pub async fn connect(url: &str) -> Result<AsyncDb> {
        let url = url.to_string();
        Ok(AsyncDb::from_db(blocking(move || Db::connect(&url)).await??))
    }

    /// The async handle of a connection opened by the sync API.
    pub fn from_db(db: Db) -> AsyncDb {
        AsyncDb::from_conn(Conn::Own(Box::new(db)))
    }

    pub(crate) fn from_conn(conn: Conn) -> AsyncDb {
        AsyncDb {
            backend: conn.backend_name(),
            describe: conn.backend().describe().into(),
            embedded: conn.backend().is_embedded(),
            in_place: false,
            conn: Arc::new(conn.into()),
        }
    }

    /// This handle with its calls run in place: on the thread of the task that awaits them,
    /// once the calls awaited before have run, instead of on tokio's blocking pool. SQLite
    /// only (an in-process database); a server's connection is refused with
    /// [`Error::Setting`].
    ///
    /// A call to the blocking pool costs a hop of tens of µs: on SQLite, where a lookup by key
    /// takes about one, an awaited loop of small statements is many times the sync loop. In
    /// place, a call costs what the sync call costs, plus the task's own bookkeeping. The
    /// price: while a call runs, it holds the runtime's worker thread, as any code between two
    /// `.await`s does — a large load, or a write waiting for another connection's lock (up to
    /// the busy timeout), holds it that long. Use it for a connection of its own (an in-memory
    /// or single-writer database, a request's short statements), and keep the blocking pool
    /// for long loads or a file many connections write. It applies to this handle and the
    /// clones made from it after.
    ///
    /// ```
    /// # use relations_runtime::{AsyncDb, Db, Error};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # rt.block_on(async {
    /// let adb = AsyncDb::from_db(Db::open_in_memory()?).in_place()?;
    /// let here = std::thread::current().id();
    /// let ran_on = adb.run(|_db| Ok::<_, Error>(std::thread::current().id())).await?;
    /// assert_eq!(ran_on, here);
    /// # Ok::<(), Error>(())
    /// # })?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn in_place(mut self) -> Result<AsyncDb> {
        if !self.embedded {
            return Err(Error::Setting(format!(
                "`in_place` runs calls on the awaiting task's thread, which only an in-process database (SQLite) allows; \
                 this connection is to {}: its calls wait for the server on the blocking pool",
                self.describe
            )));
        }
        self.in_place = true;
        Ok(self)
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        self.backend
    }

    /// Runs `f` on the connection, on tokio's blocking pool (or in place: see
    /// [`in_place`](AsyncDb::in_place)), once the calls awaited before it have run: everything
    /// the sync API does, awaited. Dropping the future before it is done does not stop `f`,
    /// which runs to its end (a transaction in it commits or rolls back whole); only its result
    /// is lost.
    pub async fn run<R, E>(&self, f: impl FnOnce(&Db) -> Result<R, E> + Send + 'static) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        let conn = self.conn.clone().lock_owned().await;
        if self.in_place {
            return f(&conn);
        }
        blocking(move || f(&conn)).await?
    }

    /// The connection itself, for sync code on a thread that may block (in
    /// `tokio::task::spawn_blocking`, or a thread of its own): waits for the calls awaited
    /// before, then holds the connection — every other call waits — until the guard is
    /// dropped. Panics on a runtime worker thread, which it would block.
    pub fn blocking_connection(&self) -> BlockingDb {
        BlockingDb(self.conn.clone().blocking_lock_owned())
    }

    /// Runs `f` in a transaction, as [`Db::transaction`]: committed when it returns `Ok`,
    /// rolled back when it returns an error (or panics). The closure is sync: nothing awaits
    /// while the transaction is open, so no task waits on another one holding it.
    pub async fn transaction<R, E>(&self, f: impl FnOnce(&Db) -> Result<R, E> + Send + 'static) -> Result<R, E>
    where
        R: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        self.run(move |db| db.transaction(f)).await
    }

    /// [`Db::transaction_retrying`]: the transaction run again, up to `attempts` times, when
    /// the database reports a conflict.
    pub async fn transaction_retrying<R: Send + 'static>(
        &self,
        attempts: u32,
        f: impl FnMut(&Db) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.run(move |db| db.transaction_retrying(attempts, f)).await
    }

    /// Creates the tables of the models in `S`, as [`Db::create_all`].
    pub async fn create_all<S: ModelSet + 'static>(&self) -> Result<()> {
        self.run(|db| db.create_all::<S>()).await
    }

    /// Drops the tables of the models in `S`, as [`Db::drop_all`].
    pub async fn drop_all<S: ModelSet + 'static>(&self) -> Result<()> {
        self.run(|db| db.drop_all::<S>()).await
    }

    /// Inserts `model` (and the rows put in its relationship fields) and returns it with its
    /// assigned key, as [`Db::add`].
    pub async fn add<M: Model>(&self, model: M) -> Result<M> {
        self.run(move |db| db.add(model)).await
    }

    /// Inserts every model, in one transaction, as [`Db::add_all`].
    pub async fn add_all<M: Model>(&self, models: Vec<M>) -> Result<Vec<M>> {
        self.run(move |db| db.add_all(models)).await
    }

    /// The row of `M` with this key, if any ([`Model::get`]).
    pub async fn get<M: Model>(&self, key: impl Into<M::Key>) -> Result<Option<M>>
    where
        M::Key: Send,
    {
        let key = key.into();
        self.run(move |db| M::get(db, key)).await
    }

    /// Adds a rule every statement of this connection honours ([`Db::add_rule`]).
    pub async fn add_rule(&self, rule: crate::sql::rules::Rule) -> Result<()> {
        self.run(move |db| {
            db.add_rule(rule);
            Ok(())
        })
        .await
    }

    /// Removes every rule of the connection ([`Db::clear_rules`]).
    pub async fn clear_rules(&self) -> Result<()> {
        self.run(|db| {
            db.clear_rules();
            Ok(())
        })
        .await
    }

    /// Every row of `M`, in key order ([`Model::all`]).
    pub async fn all<M: Model>(&self) -> Result<Vec<M>> {
        self.run(|db| M::all(db)).await
    }

    /// A query over `M`'s rows, built as on a [`Db`] and awaited:
    /// `adb.query::<Post>().options(selectinload(Post::TAGS)).all().await`.
    pub fn query<M: Model>(&self) -> Query<'_, M, AsyncDb> {
        Query::on(self)
    }

    /// The rows the to-many relationship `rel` relates to `owner`, as a query to refine and
    /// await — the sync handle's `user.posts(&db).filter(..)`, `.count()`, `.all()`:
    /// `adb.related(&user, User::POSTS).filter(Post::title.like("F%")).count().await`. Read
    /// afresh each time; nothing is kept in the owner ([`load`](AsyncDb::load) keeps).
    pub fn related<O: Model, T: Model, F: Slot<Target = T, Lazy = Collection<T>>, L>(
        &self,
        owner: &O,
        rel: Rel<O, F, L>,
    ) -> Query<'_, T, AsyncDb, Cons<L, Nil>> {
        scoped(Query::on(self), rel.def, lazy_owner_key(owner))
    }

    /// Saves `model` as [`Model::save`] does — inserted if new, updated otherwise, with the
    /// rows put in its relationship fields — and returns it with what saving assigned.
    pub async fn save<M: Model>(&self, mut model: M) -> Result<M> {
        self.run(move |db| model.save(db).map(|()| model)).await
    }

    /// Writes every column of `model` back, by its key ([`Model::update`]), and returns it.
    pub async fn update<M: Model>(&self, mut model: M) -> Result<M> {
        self.run(move |db| model.update(db).map(|()| model)).await
    }

    /// Deletes `model` and what its cascades take with it ([`Model::delete`]); whether the row
    /// existed.
    pub async fn delete<M: Model>(&self, model: M) -> Result<bool> {
        self.run(move |db| model.delete(db)).await
    }

    /// Inserts `model`, or updates the row with its key ([`Db::upsert`]), and returns it.
    pub async fn upsert<M: Model>(&self, mut model: M) -> Result<M> {
        self.run(move |db| db.upsert(&mut model).map(|()| model)).await
    }

    /// Loads the relationship `rel` of `owner` unless it is loaded, keeps it in the owner's
    /// field and returns it — `&[Post]` for a to-many, `Option<&Profile>` for a `has_one`, the
    /// parent for a `belongs_to` — as the sync accessor's `load()` does (SQLAlchemy's
    /// `await user.awaitable_attrs.posts`): `adb.load(&user, User::POSTS).await?`. The same
    /// N+1 guard and `lazy = "raise"` apply. To load a relationship of many rows, eager
    /// options on their query are one statement for all of them.
    pub async fn load<'o, O: Model, F: Slot, L>(&self, owner: &'o O, rel: Rel<O, F, L>) -> Result<Loaded<'o, F>> {
        let field: &'o F::Lazy = (rel.field)(owner).lazy();
        let def = rel.def;
        if let Some(rows) = field.loaded_or_refused(def)? {
            return Ok(rows);
        }
        let read = field.read(lazy_owner_key(owner));
        let rows = self.run(move |db| read.run::<F::Target>(db, def)).await?;
        field.put(def, rows)?;
        kept(field, def)
    }
}

/// Running a query on an [`AsyncDb`]: the same terminals as on a [`Db`], awaited.
impl<M: Model, J: 'static> Query<'_, M, AsyncDb, J> {
    /// Runs `f` on the query moved to the connection, as on a [`Db`]: any terminal, a
    /// projection, a bulk change —
    /// `adb.query::<Post>().filter(..).run(|q| q.select((Post::title,)).all()).await`.
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(Query<'_, M, Db, J>) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let (loads, core) = (self.loads.clone(), self.core.clone());
        self.db.run(move |db| f(Query { db, loads, core, _model: std::marker::PhantomData })).await
    }

    /// Every matching row ([`Query::all`]).
    pub async fn all(&self) -> Result<Vec<M>> {
        self.run(|q| q.all()).await
    }

    /// The first matching row, if any ([`Query::first`]).
    pub async fn first(&self) -> Result<Option<M>> {
        self.run(|q| q.first()).await
    }

    /// The one matching row ([`Query::one`]): [`Error::NoRowMatched`] if none, [`Error::MultipleRows`]
    /// if several.
    pub async fn one(&self) -> Result<M> {
        self.run(|q| q.one()).await
    }

    /// The number of matching rows ([`Query::count`]).
    pub async fn count(&self) -> Result<i64> {
        self.run(|q| q.count()).await
    }

    /// Whether any row matches ([`Query::exists`]).
    pub async fn exists(&self) -> Result<bool> {
        self.run(|q| q.exists()).await
    }

    /// Page `page` of `per_page` rows, with the total ([`Query::paginate`]).
    pub async fn paginate(&self, page: u64, per_page: u64) -> Result<crate::orm::select::Page<M>> {
        self.run(move |q| q.paginate(page, per_page)).await
    }

    /// Deletes the matching rows in one statement ([`Query::delete`]); the number deleted.
    pub async fn delete(&self) -> Result<u64> {
        self.run(|q| q.delete()).await
    }
}
