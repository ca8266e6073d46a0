//! The to-many fields, [`HasMany`] and [`ManyToMany`]: the rows loaded, the rows pushed
//! beside them until saved, and what saving them does.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::OnceLock;

use super::slot::{loaded_or_refused, Fill, Lazily, LazyRead, Slot};
use crate::orm::model::{Key, Model};
use crate::schema::error::Result;
use crate::schema::value::Value;
use crate::schema::RelationDef;

/// The state of a collection field ([`HasMany`], [`ManyToMany`]). Shareable between threads:
/// what `&self` changes (the rows loaded, and the flags that come with them) is a `OnceLock`
/// and atomics; the rest changes only through `&mut self`.
///
/// `cell` is the collection as the database has it (once loaded, or once saved under a new
/// owner), `rows[..stored]` being rows known to be stored as they are. Rows put in a collection
/// that was never loaded wait in `pending`: they never stand for the loaded state, so a later
/// `load()` reads the stored rows and adds them (SQLAlchemy's pending appends). Loading through
/// `&self` adds copies of them and leaves `pending` as it is, marked `copied`: the next change
/// through `&mut self` drops it. Rows pushed to `pending_mut` after that are saved after the
/// loaded ones.
#[doc(hidden)]
pub struct Collection<T> {
    pub(crate) cell: OnceLock<Vec<T>>,
    /// Boxed, and absent until a row is pushed: most collections never hold one, and every
    /// row loaded carries its collections.
    #[expect(clippy::box_collection, reason = "8 bytes in every row instead of a Vec's 24")]
    pending: Option<Box<Vec<T>>>,
    stored: AtomicU32,
    raise: AtomicBool,
    /// `pending` was copied into `cell` by a load, and stands for nothing any more.
    copied: AtomicBool,
    /// The collection was assigned (`vec![..].into()`): saving an existing owner makes it
    /// exactly these rows, taking the others out.
    pub(crate) replace: bool,
    /// The owner was just inserted under a key the database assigned, with no rows here: none
    /// pointed at it then (`loaded()` is empty; a `load()` still reads, once).
    born_empty: bool,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            cell: OnceLock::new(),
            pending: None,
            stored: AtomicU32::new(0),
            raise: AtomicBool::new(false),
            copied: AtomicBool::new(false),
            replace: false,
            born_empty: false,
        }
    }
}

impl<T: Clone> Clone for Collection<T> {
    fn clone(&self) -> Self {
        Collection {
            cell: self.cell.clone(),
            pending: self.live_pending().map(|p| Box::new(p.to_vec())),
            stored: AtomicU32::new(self.stored.load(Ordering::Relaxed)),
            raise: AtomicBool::new(self.refuses_lazy_load()),
            copied: AtomicBool::new(false),
            replace: self.replace,
            born_empty: self.born_empty,
        }
    }
}

impl<T> Collection<T> {
    /// The pending rows, unless a load copied them into `cell` since.
    fn live_pending(&self) -> Option<&[T]> {
        match self.copied.load(Ordering::Relaxed) {
            true => None,
            false => self.pending.as_deref().map(Vec::as_slice),
        }
    }

    /// Drops the pending rows if a load through `&self` copied them into `cell`.
    fn drop_void_pending(&mut self) {
        if std::mem::take(self.copied.get_mut()) {
            self.pending = None;
        }
    }

    /// The pending rows, taken out (none left behind).
    fn take_pending(&mut self) -> Vec<T> {
        self.drop_void_pending();
        self.pending.take().map_or_else(Vec::new, |b| *b)
    }

    /// The pending rows, to push to.
    pub(crate) fn pending_mut(&mut self) -> &mut Vec<T> {
        self.drop_void_pending();
        self.pending.get_or_insert_with(Box::default)
    }

    fn has_pending_rows(&self) -> bool {
        self.live_pending().is_some_and(|p| !p.is_empty())
    }

    /// Refuses a lazy load from now on.
    pub(crate) fn refuse_lazy_load(&self) {
        self.raise.store(true, Ordering::Relaxed);
    }

    fn refuses_lazy_load(&self) -> bool {
        self.raise.load(Ordering::Relaxed)
    }

    fn stored(&self) -> usize {
        self.stored.load(Ordering::Relaxed) as usize
    }

    fn set_stored(&self, n: usize) {
        self.stored.store(u32::try_from(n).unwrap_or(u32::MAX), Ordering::Relaxed);
    }

    fn loaded(&self) -> Option<&[T]> {
        self.cell.get().map(Vec::as_slice).or(if self.born_empty { Some(&[]) } else { None })
    }

    /// The owner was just inserted under a key the database assigned: without rows here, the
    /// collection is known to be empty.
    pub(crate) fn born(&mut self) {
        self.born_empty = self.cell.get().is_none() && !self.has_pending_rows();
    }

    fn reset(&mut self) {
        self.drop_void_pending();
        self.cell.take();
        self.set_stored(0);
        self.replace = false;
        self.born_empty = false;
    }

    fn push(&mut self, row: T) {
        match self.cell.get_mut() {
            Some(rows) => rows.push(row),
            None => self.pending_mut().push(row),
        }
    }

    fn assigned(rows: Vec<T>) -> Self {
        let c = Collection { replace: true, ..Collection::default() };
        let _ = c.cell.set(rows);
        c
    }

    /// Fills the collection with loaded rows (eager loading), unless it holds rows already.
    fn fill(&self, mut rows: Vec<T>)
    where
        T: Model,
    {
        if self.cell.get().is_some() {
            return;
        }
        let pending = self.pending.as_deref().map_or_else(Vec::new, |p| p.iter().map(Model::duplicate).collect());
        let stored = merge_pending(&mut rows, pending);
        // the first fill wins (another thread may have loaded the rows meanwhile)
        if self.cell.set(rows).is_ok() {
            self.set_stored(stored);
            self.copied.store(self.pending.is_some(), Ordering::Relaxed);
        }
    }

    fn duplicate(&self) -> Self
    where
        T: Model,
    {
        let c = Collection {
            raise: AtomicBool::new(self.refuses_lazy_load()),
            stored: AtomicU32::new(self.stored.load(Ordering::Relaxed)),
            pending: self.live_pending().map(|p| Box::new(p.iter().map(Model::duplicate).collect())),
            copied: AtomicBool::new(false),
            replace: self.replace,
            born_empty: self.born_empty,
            ..Collection::default()
        };
        if let Some(rows) = self.cell.get() {
            let _ = c.cell.set(rows.iter().map(Model::duplicate).collect());
        }
        c
    }

    /// Whether saving the owner has rows of this collection to save.
    pub(crate) fn has_pending(&self, owner_is_new: bool) -> bool
    where
        T: Model,
    {
        if self.has_pending_rows() || self.replace {
            return true;
        }
        self.cell.get().is_some_and(|rows| {
            (owner_is_new && !rows.is_empty()) || rows.len() > self.stored() || rows.iter().any(Model::is_new)
        })
    }

    /// Saves the rows to save with `save` (each row, and whether it was stored already as a
    /// row of this collection), after `replace` took the others out when the collection was
    /// assigned; then records the collection as stored.
    pub(crate) fn save_with(
        &mut self,
        owner_is_new: bool,
        replace: impl FnOnce(&[T]) -> Result<()>,
        mut save: impl FnMut(&mut T) -> Result<()>,
    ) -> Result<()>
    where
        T: Model,
    {
        // rows pushed to `pending_mut` after the collection was loaded go after the loaded ones
        let pushed = if self.cell.get().is_some() { self.take_pending() } else { Vec::new() };
        let stored = if owner_is_new { 0 } else { self.stored() };
        if let Some(rows) = self.cell.get_mut() {
            rows.extend(pushed);
            if self.replace && !owner_is_new {
                replace(rows)?;
            }
            for (i, row) in rows.iter_mut().enumerate() {
                if i >= stored || row.is_new() {
                    save(row)?;
                }
            }
            let n = rows.len();
            self.set_stored(n);
        } else {
            let mut pending = self.take_pending();
            for row in &mut pending {
                save(row)?;
            }
            if owner_is_new {
                // a new owner has exactly these rows
                self.set_stored(pending.len());
                let _ = self.cell.set(pending);
            }
        }
        self.replace = false;
        Ok(())
    }
}

/// Appends `pending` to freshly loaded `rows` (a pending row that is stored already replaces
/// its stored copy); returns how many rows are stored as they are.
fn merge_pending<T: Model>(rows: &mut Vec<T>, pending: Vec<T>) -> usize {
    if pending.is_empty() {
        return rows.len();
    }
    let keys: Vec<Vec<Value<'static>>> = pending
        .iter()
        .filter(|p| !p.is_new())
        .map(|p| p.key().to_values().into_iter().map(Value::into_owned).collect())
        .collect();
    rows.retain(|r| !keys.iter().any(|k| *k == r.key().to_values()));
    let stored = rows.len();
    rows.extend(pending);
    stored
}

macro_rules! collection_field {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            pub(crate) rows: Collection<T>,
        }

        impl<T> $name<T> {
            /// The rows loaded, if the relationship was loaded (or assigned): never only the
            /// rows pushed into a collection that was not loaded.
            pub fn loaded(&self) -> Option<&[T]> {
                self.rows.loaded()
            }

            /// Forgets the loaded rows, so that the next `load()` reads them again
            /// (SQLAlchemy's `expire`). Rows pushed and not saved yet are kept.
            pub fn reset(&mut self) {
                self.rows.reset();
            }

            #[doc(hidden)]
            pub fn cache(&self) -> Cached<'_, T> {
                Cached(&self.rows)
            }

            /// The rows held, to change in place (then `update` or `save` each one), if the
            /// relationship was loaded or assigned.
            pub fn loaded_mut(&mut self) -> Option<&mut Vec<T>> {
                self.rows.cell.get_mut()
            }

            /// Puts `row` in the collection (Python's `collection.append(row)` before a
            /// commit): saving the owner saves it, pointed at the owner (`save-update`). On a
            /// collection not loaded yet, the row waits beside it: a later `load()` reads the
            /// stored rows and adds it, as SQLAlchemy does.
            pub fn push(&mut self, row: T) {
                self.rows.push(row);
            }

            /// The rows pushed into the collection while it was not loaded and not saved yet,
            /// to read or change in place (a `load()` moves them into the loaded rows). Rows
            /// put here after a load are saved after the loaded ones, as `push` saves them.
            pub fn pending_mut(&mut self) -> &mut Vec<T> {
                self.rows.pending_mut()
            }
        }

        /// A collection assigned these rows: `posts: vec![post].into()`. Saving the owner saves
        /// them; for an owner already stored, the collection becomes exactly these rows (the
        /// others are taken out, as from [`Related::remove`](crate::orm::relation::Related::remove)), as SQLAlchemy's assignment does.
        impl<T> From<Vec<T>> for $name<T> {
            fn from(rows: Vec<T>) -> Self {
                $name { rows: Collection::assigned(rows) }
            }
        }

        impl<T> FromIterator<T> for $name<T> {
            fn from_iter<I: IntoIterator<Item = T>>(rows: I) -> Self {
                rows.into_iter().collect::<Vec<T>>().into()
            }
        }

        #[diagnostic::do_not_recommend]
        impl<T: Model> Slot for $name<T> {
            type Target = T;
            type Lazy = Collection<T>;
            fn lazy(&self) -> &Collection<T> {
                &self.rows
            }
            fn fill(&self, rel: &'static RelationDef, rows: Fill<T>) -> Result<()> {
                self.rows.put(rel, rows)
            }
            fn refuse_lazy_load(&self) {
                self.rows.refuse_lazy_load();
            }
            fn is_loaded(&self) -> bool {
                self.rows.cell.get().is_some()
            }
            fn duplicate(&self) -> Self {
                $name { rows: self.rows.duplicate() }
            }
        }

        impl<T> Default for $name<T> {
            fn default() -> Self {
                $name { rows: Collection::default() }
            }
        }

        impl<T: Clone> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name { rows: self.rows.clone() }
            }
        }

        /// Loaded rows are a cache, not part of the row's value: two models are equal when
        /// their columns are, whatever each has loaded.
        impl<T> PartialEq for $name<T> {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }
        impl<T> Eq for $name<T> {}

        impl<T: fmt::Debug> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.rows.cell.get() {
                    Some(rows) => f.debug_list().entries(rows).finish(),
                    None => f.write_str("<not loaded>"),
                }
            }
        }
    };
}

collection_field!(
    /// The field type of a `#[has_many(Target)]` relationship: the target rows whose foreign
    /// key points at this row. Holds them once loaded.
    HasMany
);
collection_field!(
    /// The field type of a `#[many_to_many(Target, through = ...)]` relationship: the target
    /// rows linked to this row through an association table. Holds them once loaded.
    ManyToMany
);

impl<T: Model> Lazily for Collection<T> {
    type Target = T;
    type Loaded<'a>
        = &'a [T]
    where
        T: 'a;
    fn loaded_or_refused(&self, rel: &'static RelationDef) -> Result<Option<&[T]>> {
        Ok(loaded_or_refused(&self.cell, self.refuses_lazy_load(), rel)?.map(Vec::as_slice))
    }
    fn read(&self, owner: Option<Vec<Value<'static>>>) -> LazyRead {
        LazyRead::Scoped { owner, at_most: None }
    }
    fn put(&self, _: &'static RelationDef, rows: Fill<T>) -> Result<()> {
        if let Fill::Many(rows) = rows {
            self.fill(rows);
        }
        Ok(())
    }
}

/// The cache slot of a field-backed handle, which makes
/// [`Related::load`](crate::orm::relation::Related::load) available.
pub struct Cached<'a, T>(pub(crate) &'a Collection<T>);

impl<T> fmt::Debug for Cached<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.cell.get().is_some() { "Cached(loaded)" } else { "Cached(not loaded)" })
    }
}

impl<T> Clone for Cached<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Cached<'_, T> {}
