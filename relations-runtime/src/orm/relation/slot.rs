//! What every relationship field is to the loaders: a [`Slot`] that holds what was loaded,
//! and the [`Fill`] it is handed.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use crate::orm::model::Model;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::{Lazy, RelationDef};

/// What a relationship field keeps: the rows loaded, and two flags. Shareable between
/// threads: a model behind an `Arc` can be read, and lazily loaded, from any of them.
pub(crate) struct Cache<V> {
    pub(crate) cell: OnceLock<V>,
    flags: AtomicU8,
}

/// A lazy load is refused (`raiseload` on the query that produced the owner).
const RAISE: u8 = 1;
/// A `belongs_to` field's replaced key was dealt with when its owner was saved.
const SETTLED: u8 = 2;

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache { cell: OnceLock::new(), flags: AtomicU8::new(0) }
    }
}

impl<V: Clone> Clone for Cache<V> {
    fn clone(&self) -> Self {
        Cache { cell: self.cell.clone(), flags: AtomicU8::new(self.flags()) }
    }
}

impl<V> Cache<V> {
    fn flags(&self) -> u8 {
        self.flags.load(Ordering::Relaxed)
    }

    /// Refuses a lazy load from now on.
    pub(crate) fn refuse_lazy_load(&self) {
        self.flags.fetch_or(RAISE, Ordering::Relaxed);
    }

    fn refuses_lazy_load(&self) -> bool {
        self.flags() & RAISE != 0
    }

    /// Marks the replaced key as dealt with (see [`BelongsTo`](super::BelongsTo)).
    pub(crate) fn settle(&self) {
        self.flags.fetch_or(SETTLED, Ordering::Relaxed);
    }

    pub(crate) fn is_settled(&self) -> bool {
        self.flags() & SETTLED != 0
    }
}

impl<V> Cache<V> {
    /// The loaded value, or `load` run once (unless lazy loading is refused) and kept.
    /// The value kept; `Ok(None)` when there is none yet, [`Error::NotLoaded`] when there is
    /// none and a lazy load is refused.
    pub(crate) fn loaded_or_refused(&self, rel: &'static RelationDef) -> Result<Option<&V>> {
        loaded_or_refused(&self.cell, self.refuses_lazy_load(), rel)
    }
}

/// What a field keeps in `cell`; `Ok(None)` when it keeps nothing yet, [`Error::NotLoaded`]
/// when it keeps nothing and a lazy load is refused (`lazy = "raise"`, or `refused`: the
/// owner came from a query with `raiseload`).
pub(crate) fn loaded_or_refused<'a, V>(
    cell: &'a OnceLock<V>,
    refused: bool,
    rel: &'static RelationDef,
) -> Result<Option<&'a V>> {
    match cell.get() {
        Some(v) => Ok(Some(v)),
        None if rel.lazy == Lazy::Raise || refused => Err(Error::NotLoaded { relationship: rel.path() }),
        None => Ok(None),
    }
}

/// Rows loaded eagerly, handed to a relationship field.
#[doc(hidden)]
pub enum Fill<T> {
    /// The rows of a to-many relationship (or the at most one row of a `has_one`).
    Many(Vec<T>),
    /// The parent of a `belongs_to`, shared by every child that points at it.
    One(Option<Arc<T>>),
}

/// A relationship field that eager loading can fill: [`HasMany`](super::HasMany),
/// [`HasOne`](super::HasOne), [`ManyToMany`](super::ManyToMany), [`BelongsTo`](super::BelongsTo).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be loaded eagerly",
    label = "this relationship keeps no loaded rows",
    note = "a `lazy = \"dynamic\"` relationship's accessor is a query: read it with `.all()`, or drop `lazy = \"dynamic\"` to load it with `selectinload` / `joinedload`"
)]
pub trait Slot: 'static {
    /// The related model.
    type Target: Model;
    /// What keeps the loaded rows, and how a lazy load reads them.
    #[doc(hidden)]
    type Lazy: Lazily<Target = Self::Target>;
    #[doc(hidden)]
    fn lazy(&self) -> &Self::Lazy;
    /// Fills the field with eagerly loaded rows; a `has_one` given several is
    /// [`Error::MultipleRelated`].
    #[doc(hidden)]
    fn fill(&self, rel: &'static RelationDef, rows: Fill<Self::Target>) -> Result<()>;
    #[doc(hidden)]
    fn refuse_lazy_load(&self);
    #[doc(hidden)]
    fn is_loaded(&self) -> bool;
    /// A copy holding copies of what was loaded.
    #[doc(hidden)]
    fn duplicate(&self) -> Self
    where
        Self: Sized;
}

impl<V> Cache<V> {
    pub(crate) fn map(&self, f: impl FnOnce(&V) -> V) -> Self {
        let cell = OnceLock::new();
        if let Some(v) = self.cell.get() {
            let _ = cell.set(f(v));
        }
        Cache { cell, flags: AtomicU8::new(self.flags()) }
    }
}

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
