//! The to-many fields, [`HasMany`] and [`ManyToMany`]: the rows loaded, the rows pushed
//! beside them until saved, and what saving them does.

use std::cell::{Cell, OnceCell};
use std::fmt;

use super::slot::{Fill, Slot};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::model::{Key, Model};
use crate::schema::{Lazy, RelationDef};
use crate::value::Value;

/// The state of a collection field ([`HasMany`], [`ManyToMany`]).
///
/// `cell` is the collection as the database has it (once loaded, or once saved under a new
/// owner), `rows[..stored]` being rows known to be stored as they are. Rows put in a collection
/// that was never loaded wait in `pending`: they never stand for the loaded state, so a later
/// `load()` reads the stored rows and adds them (SQLAlchemy's pending appends).
pub(crate) struct Collection<T> {
    pub(crate) cell: OnceCell<Vec<T>>,
    /// Boxed, and absent until a row is pushed: most collections never hold one, and every
    /// row loaded carries its collections.
    #[expect(clippy::box_collection, reason = "8 bytes in every row instead of a Vec's 24")]
    pending: Cell<Option<Box<Vec<T>>>>,
    stored: Cell<u32>,
    pub(crate) raise: Cell<bool>,
    /// The collection was assigned (`vec![..].into()`): saving an existing owner makes it
    /// exactly these rows, taking the others out.
    pub(crate) replace: bool,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            cell: OnceCell::new(),
            pending: Cell::new(None),
            stored: Cell::new(0),
            raise: Cell::new(false),
            replace: false,
        }
    }
}

impl<T: Clone> Clone for Collection<T> {
    fn clone(&self) -> Self {
        let pending = self.pending.take();
        let copy = pending.clone();
        self.pending.set(pending);
        Collection {
            cell: self.cell.clone(),
            pending: Cell::new(copy),
            stored: self.stored.clone(),
            raise: self.raise.clone(),
            replace: self.replace,
        }
    }
}

impl<T> Collection<T> {
    /// The pending rows, taken out (none left behind).
    fn take_pending(&self) -> Vec<T> {
        self.pending.take().map_or_else(Vec::new, |b| *b)
    }

    /// The pending rows, to push to.
    pub(crate) fn pending_mut(&mut self) -> &mut Vec<T> {
        self.pending.get_mut().get_or_insert_with(Box::default)
    }

    fn has_pending_rows(&self) -> bool {
        let pending = self.pending.take();
        let any = pending.as_ref().is_some_and(|p| !p.is_empty());
        self.pending.set(pending);
        any
    }

    fn stored(&self) -> usize {
        self.stored.get() as usize
    }

    fn set_stored(&self, n: usize) {
        self.stored.set(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn loaded(&self) -> Option<&[T]> {
        self.cell.get().map(Vec::as_slice)
    }

    fn reset(&mut self) {
        self.cell.take();
        self.stored.set(0);
        self.replace = false;
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
        let stored = merge_pending(&mut rows, self.take_pending());
        self.set_stored(stored);
        let _ = self.cell.set(rows);
    }

    /// The rows, loaded on first use (with the pending rows after them) and kept.
    pub(crate) fn get_or_load(
        &self,
        db: &Db,
        rel: &'static RelationDef,
        load: impl FnOnce() -> Result<Vec<T>>,
    ) -> Result<&[T]>
    where
        T: Model,
    {
        if let Some(v) = self.cell.get() {
            return Ok(v);
        }
        if rel.lazy == Lazy::Raise || self.raise.get() {
            return Err(Error::NotLoaded { relationship: rel.path() });
        }
        let rows = db.lazy_load(rel, load)?;
        self.fill(rows);
        Ok(self.cell.get().map_or(&[], Vec::as_slice))
    }

    fn duplicate(&self) -> Self
    where
        T: Model,
    {
        let pending = self.pending.take();
        let copy = pending.as_ref().map(|p| Box::new(p.iter().map(Model::duplicate).collect()));
        self.pending.set(pending);
        let c = Collection {
            raise: self.raise.clone(),
            stored: self.stored.clone(),
            pending: Cell::new(copy),
            replace: self.replace,
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
        let stored = if owner_is_new { 0 } else { self.stored() };
        if let Some(rows) = self.cell.get_mut() {
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
            /// to read or change in place (a `load()` moves them into the loaded rows).
            pub fn pending_mut(&mut self) -> &mut Vec<T> {
                self.rows.pending_mut()
            }
        }

        /// A collection assigned these rows: `posts: vec![post].into()`. Saving the owner saves
        /// them; for an owner already stored, the collection becomes exactly these rows (the
        /// others are taken out, as from [`Related::remove`]), as SQLAlchemy's assignment does.
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
            fn fill(&self, _: &'static RelationDef, rows: Fill<T>) -> Result<()> {
                if let Fill::Many(rows) = rows {
                    self.rows.fill(rows);
                }
                Ok(())
            }
            fn refuse_lazy_load(&self) {
                self.rows.raise.set(true);
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

/// The cache slot of a field-backed handle, which makes [`Related::load`] available.
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
