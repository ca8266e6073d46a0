//! Lazy loading, one procedure for the sync handles' `load()` and the async `AsyncDb::load`:
//! what a field reads as once loaded, and the read that loads it — made of owned data, so that
//! it can run on the connection's thread while the owner stays with its caller.

use std::sync::Arc;

use super::handles::scope;
use super::slot::Fill;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::model::{Key, Model};
use crate::query::Query;
use crate::schema::RelationDef;
use crate::value::Value;

/// The statement a lazy load runs, without the owner it fills.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum LazyRead {
    /// The target rows pointing at, or linked to, the owner with this key (`None`: an unsaved
    /// owner, which has none), at most `at_most` of them.
    Scoped { owner: Option<Vec<Value<'static>>>, at_most: Option<u64> },
    /// The parent row with this key (`None`: a `NULL` foreign key, no parent).
    ByKey(Option<Vec<Value<'static>>>),
}

impl LazyRead {
    /// Reads the rows, counted by the N+1 guard as one lazy load of `rel`.
    pub(crate) fn run<T: Model>(self, db: &Db, rel: &'static RelationDef) -> Result<Fill<T>> {
        db.lazy_load(rel, || match self {
            LazyRead::Scoped { owner: None, .. } => Ok(Fill::Many(Vec::new())),
            LazyRead::Scoped { owner: Some(key), at_most } => {
                let q = Query::<T>::new(db).filter(scope(rel, key)).order_unless_ordered(rel.order_by);
                Ok(Fill::Many(match at_most {
                    Some(n) => q.limit(n).all()?,
                    None => q.all()?,
                }))
            }
            LazyRead::ByKey(None) => Ok(Fill::One(None)),
            LazyRead::ByKey(Some(key)) => Ok(Fill::One(Query::<T>::new(db).filter_key(key).by_key()?.map(Arc::new))),
        })
    }
}

/// What keeps a relationship's loaded rows: a collection, a `has_one`, a `belongs_to`.
#[doc(hidden)]
pub trait Lazily {
    /// The related model.
    type Target: Model;
    /// What the loaded field reads as.
    type Loaded<'a>
    where
        Self: 'a;
    /// The loaded rows; `Ok(None)` when not loaded, [`Error::NotLoaded`] when not loaded and
    /// a lazy load is refused (`lazy = "raise"`, `raiseload`).
    fn loaded_or_refused(&self, rel: &'static RelationDef) -> Result<Option<Self::Loaded<'_>>>;
    /// The read that loads it, for the owner with key `owner`.
    fn read(&self, owner: Option<Vec<Value<'static>>>) -> LazyRead;
    /// Keeps the rows read (the first rows kept win).
    fn put(&self, rel: &'static RelationDef, rows: Fill<Self::Target>) -> Result<()>;
}

/// The rows of `field`, loaded now unless they were already.
pub(crate) fn load_now<'a, L: Lazily>(
    db: &Db,
    field: &'a L,
    rel: &'static RelationDef,
    owner: impl FnOnce() -> Option<Vec<Value<'static>>>,
) -> Result<L::Loaded<'a>> {
    if let Some(rows) = field.loaded_or_refused(rel)? {
        return Ok(rows);
    }
    field.put(rel, field.read(owner()).run(db, rel)?)?;
    kept(field, rel)
}

/// The rows just put in `field`.
pub(crate) fn kept<'a, L: Lazily>(field: &'a L, rel: &'static RelationDef) -> Result<L::Loaded<'a>> {
    field.loaded_or_refused(rel)?.ok_or_else(|| Error::NotLoaded { relationship: rel.path() })
}

/// The owner's key, as a lazy read names it; `None` for an unsaved owner.
pub(crate) fn owner_key<O: Model>(owner: &O) -> Option<Vec<Value<'static>>> {
    if owner.is_new() {
        return None;
    }
    Some(owner.key().to_values().into_iter().map(Value::into_owned).collect())
}
