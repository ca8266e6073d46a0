//! Preloading rows in hand (Ecto's `Repo.preload`, SeaORM's loaders): [`Db::preload`] fills a
//! relationship path for models already loaded, one statement per relationship and level.

use crate::orm::db::Db;
use crate::orm::model::Model;
use crate::orm::options::Load;
use crate::schema::error::Result;

impl Db {
    /// Loads a relationship (with the options nested in it) for every row of `rows` at once:
    /// one statement per relationship and level, whatever the number of rows, as a query's
    /// [`options`](crate::orm::query::Query::options) would have — for rows that came from several queries,
    /// were built level by level, or were loaded before the need was known.
    ///
    /// The strategies and options are a query's: `order_by`, `filter`, `limit` and nesting
    /// apply; `joinedload` and `subqueryload` run as `selectinload`, since there is no owners'
    /// statement to join or to nest; `raiseload` marks the rows' field. A relationship a row has
    /// loaded already keeps its rows.
    ///
    /// ```
    /// # use relations_runtime::{selectinload, Db};
    /// # fn demo<U: relations_runtime::Model>(db: &Db, users: &[U], posts: relations_runtime::load::Load<U>) -> relations_runtime::Result<()> {
    /// db.preload(users, posts)?; // e.g. `db.preload(&users, selectinload(User::POSTS))`
    /// # Ok(()) }
    /// ```
    pub fn preload<M: Model>(&self, rows: &[M], load: impl Into<Load<M>>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let load = load.into();
        let mut path = vec![M::TABLE.name];
        load.0.after(self, rows, None, &mut path)
    }
}
