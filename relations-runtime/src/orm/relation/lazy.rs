//! Lazy loading, one procedure for the sync handles' `load()` and the async `AsyncDb::load`:
//! the read a field's [`LazyRead`] describes — owned data, so that it can run on the
//! connection's thread while the owner stays with its caller — and the conditions that scope a
//! relationship's rows to one owner.

use std::sync::Arc;

use super::slot::{Fill, Lazily, LazyRead};
use crate::orm::db::{Db, Plain};
use crate::orm::model::{Key, Model};
use crate::orm::query::Query;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::{Join, RelationDef};
use crate::sql::expr::{Expr, Subquery};

/// The most rows a lazy load makes room for before reading them.
const LAZY_ROOM: usize = 256;

impl LazyRead {
    /// Reads the rows, counted by the N+1 guard as one lazy load of `rel`.
    pub(crate) fn run<T: Model>(self, db: &Db, rel: &'static RelationDef) -> Result<Fill<T>> {
        db.lazy_load(rel, || match self {
            LazyRead::Scoped { owner: None, .. } => Ok(Fill::Many(Vec::new())),
            LazyRead::Scoped { owner: Some(key), at_most } => {
                let query = || scoped(Query::<T>::new(db), rel, Some(key.clone()));
                Ok(Fill::Many(match at_most {
                    Some(n) => query().limit(n).all()?,
                    None => {
                        // room for as many rows as the relationship's last load read per owner
                        // (a few hundred at most): the vector becomes the owner's collection,
                        // so one that a smaller load left half empty is shrunk, and none keeps
                        // more room than a vector grown row by row would
                        let room = db.rows_for(rel, 1, std::mem::size_of::<T>()).min(LAZY_ROOM);
                        let through = match rel.join {
                            Join::Through { table, .. } => Some(table),
                            Join::Reverse { .. } | Join::Forward { .. } => None,
                        };
                        let mut rows = Query::plain_rows(db, Plain::related(rel), through, &key, room, query)?;
                        db.note_rows(rel, rows.len(), 1);
                        if rows.capacity() > 2 * rows.len() {
                            rows.shrink_to_fit();
                        }
                        rows
                    }
                }))
            }
            LazyRead::ByKey(None) => Ok(Fill::One(None)),
            LazyRead::ByKey(Some(key)) => {
                let query = || Query::<T>::new(db).filter_key(key.clone());
                let rows = Query::plain_rows(db, Plain::key(T::TABLE), None, &key, 1, query)?;
                Ok(Fill::One(rows.into_iter().next().map(Arc::new)))
            }
        })
    }
}

/// `q` narrowed to the rows `rel` relates to the owner with key `owner`, in the relationship's
/// order: what a to-many handle's `query()` and `AsyncDb::related` return.
pub(crate) fn scoped<'c, T: Model, C: ?Sized, J>(
    q: Query<'c, T, C, J>,
    rel: &'static RelationDef,
    owner: Option<Vec<Value<'static>>>,
) -> Query<'c, T, C, J> {
    match owner {
        // an unsaved owner has no related rows yet
        None => q.filter_erased(Expr::nothing()),
        Some(key) => q.filter_erased(scope(rel, key)).order_unless_ordered(rel.order_by),
    }
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

/// The condition selecting the target rows of `rel` for the owner with key `key`.
pub(crate) fn scope(rel: &'static RelationDef, key: Vec<Value<'static>>) -> Expr {
    let target = rel.target;
    match rel.join {
        Join::Reverse { columns } | Join::Forward { columns } => {
            let mut terms = columns.iter().zip(key).map(|(c, v)| Expr::column_eq(target.name, c, v));
            let first = terms.next().unwrap_or_else(Expr::nothing);
            terms.fold(first, |a, b| a.and(b).erase())
        }
        Join::Through { .. } => {
            Expr::in_subquery(target.name, target.columns[target.key_index()].name, linked_keys(rel, key))
        }
    }
}

/// `SELECT remote FROM through WHERE local = key`: the target keys a many-to-many links to
/// the owner with key `key` (one column: the derive refuses composite keys at its ends).
pub(crate) fn linked_keys(rel: &'static RelationDef, key: Vec<Value<'static>>) -> Subquery {
    // borrowed from the static relationship, so that the column list is static too
    let Join::Through { table, local, remote } = &rel.join else {
        unreachable!("only many-to-many relationships link through a table")
    };
    Subquery { table: table.name, select: remote, filter: std::slice::from_ref(local), values: key }
}
