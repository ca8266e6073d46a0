//! Relationship fields ([`HasMany`], [`HasOne`], [`BelongsTo`], [`ManyToMany`]) and the
//! handles their accessors return ([`Related`], [`HasOneRef`], [`BelongsToRef`]).
//!
//! A field holds what was loaded (and, for `BelongsTo`, the foreign key itself). An accessor
//! such as `user.posts(&db)` returns a handle: `.load()` loads the relationship on first use
//! and keeps it (SQLAlchemy's `lazy='select'`), while `.all()`, `.filter(..)`, `.count()`...
//! query afresh each time (`lazy='dynamic'`).

use std::cell::{Cell, OnceCell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::fetch::fetch;
use crate::model::{Key, Model};
use crate::query::{Col, Expr, Order, Query, Subquery};
use crate::schema::{Join, Lazy, RelationDef};
use crate::sql::{column, descendants_cte, key_text, tree_select, Select};
use crate::value::{Bind, SqlValue, Value};

/// What a relationship field keeps: the rows loaded, and whether a lazy load is refused
/// (`raiseload` on the query that produced the owner).
struct Cache<V> {
    cell: OnceCell<V>,
    raise: Cell<bool>,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache { cell: OnceCell::new(), raise: Cell::new(false) }
    }
}

impl<V: Clone> Clone for Cache<V> {
    fn clone(&self) -> Self {
        Cache { cell: self.cell.clone(), raise: self.raise.clone() }
    }
}

impl<V> Cache<V> {
    /// The loaded value, or `load` run once (unless lazy loading is refused) and kept.
    fn get_or_load(&self, db: &Db, rel: &'static RelationDef, load: impl FnOnce() -> Result<V>) -> Result<&V> {
        if let Some(v) = self.cell.get() {
            return Ok(v);
        }
        if rel.lazy == Lazy::Raise || self.raise.get() {
            return Err(Error::NotLoaded { relationship: rel.path() });
        }
        let v = db.lazy_load(rel, load)?;
        Ok(self.cell.get_or_init(|| v))
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

/// A relationship field that eager loading can fill: [`HasMany`], [`HasOne`], [`ManyToMany`],
/// [`BelongsTo`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be loaded eagerly",
    label = "this relationship keeps no loaded rows",
    note = "a `lazy = \"dynamic\"` relationship's accessor is a query: read it with `.all()`, or drop `lazy = \"dynamic\"` to load it with `selectinload` / `joinedload`"
)]
pub trait Slot: 'static {
    /// The related model.
    type Target: Model;
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
    fn map(&self, f: impl FnOnce(&V) -> V) -> Self {
        let cell = OnceCell::new();
        if let Some(v) = self.cell.get() {
            let _ = cell.set(f(v));
        }
        Cache { cell, raise: self.raise.clone() }
    }
}

/// The state of a collection field ([`HasMany`], [`ManyToMany`]).
///
/// `cell` is the collection as the database has it (once loaded, or once saved under a new
/// owner), `rows[..stored]` being rows known to be stored as they are. Rows put in a collection
/// that was never loaded wait in `pending`: they never stand for the loaded state, so a later
/// `load()` reads the stored rows and adds them (SQLAlchemy's pending appends).
struct Collection<T> {
    cell: OnceCell<Vec<T>>,
    raise: Cell<bool>,
    stored: Cell<usize>,
    pending: RefCell<Vec<T>>,
    /// The collection was assigned (`vec![..].into()`): saving an existing owner makes it
    /// exactly these rows, taking the others out.
    replace: bool,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            cell: OnceCell::new(),
            raise: Cell::new(false),
            stored: Cell::new(0),
            pending: RefCell::new(Vec::new()),
            replace: false,
        }
    }
}

impl<T: Clone> Clone for Collection<T> {
    fn clone(&self) -> Self {
        Collection {
            cell: self.cell.clone(),
            raise: self.raise.clone(),
            stored: self.stored.clone(),
            pending: self.pending.clone(),
            replace: self.replace,
        }
    }
}

impl<T> Collection<T> {
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
            None => self.pending.get_mut().push(row),
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
        let stored = merge_pending(&mut rows, self.pending.take());
        self.stored.set(stored);
        let _ = self.cell.set(rows);
    }

    /// The rows, loaded on first use (with the pending rows after them) and kept.
    fn get_or_load(&self, db: &Db, rel: &'static RelationDef, load: impl FnOnce() -> Result<Vec<T>>) -> Result<&[T]>
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
        let c = Collection {
            raise: self.raise.clone(),
            stored: self.stored.clone(),
            pending: RefCell::new(self.pending.borrow().iter().map(Model::duplicate).collect()),
            replace: self.replace,
            ..Collection::default()
        };
        if let Some(rows) = self.cell.get() {
            let _ = c.cell.set(rows.iter().map(Model::duplicate).collect());
        }
        c
    }

    /// Whether saving the owner has rows of this collection to save.
    fn has_pending(&self, owner_is_new: bool) -> bool
    where
        T: Model,
    {
        if !self.pending.borrow().is_empty() || self.replace {
            return true;
        }
        self.cell.get().is_some_and(|rows| {
            (owner_is_new && !rows.is_empty()) || rows.len() > self.stored.get() || rows.iter().any(Model::is_new)
        })
    }

    /// Saves the rows to save with `save` (each row, and whether it was stored already as a
    /// row of this collection), after `replace` took the others out when the collection was
    /// assigned; then records the collection as stored.
    fn save_with(
        &mut self,
        owner_is_new: bool,
        replace: impl FnOnce(&[T]) -> Result<()>,
        mut save: impl FnMut(&mut T) -> Result<()>,
    ) -> Result<()>
    where
        T: Model,
    {
        let stored = if owner_is_new { 0 } else { self.stored.get() };
        if let Some(rows) = self.cell.get_mut() {
            if self.replace && !owner_is_new {
                replace(rows)?;
            }
            for (i, row) in rows.iter_mut().enumerate() {
                if i >= stored || row.is_new() {
                    save(row)?;
                }
            }
            self.stored.set(rows.len());
        } else {
            let mut pending = std::mem::take(self.pending.get_mut());
            for row in &mut pending {
                save(row)?;
            }
            if owner_is_new {
                // a new owner has exactly these rows
                self.stored.set(pending.len());
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
            rows: Collection<T>,
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
                self.rows.pending.get_mut()
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

impl<T: Model> crate::model::Pending for HasMany<T> {
    fn has_pending(&self, owner_is_new: bool) -> bool {
        self.rows.has_pending(owner_is_new)
    }

    fn save_pending(&mut self, db: &Db, rel: &'static RelationDef, owner: &Value<'static>, new: bool) -> Result<()> {
        let handle: Related<'_, T> =
            Related { db, rel, owner: Some(owner.clone()), cache: NoCache, _marker: PhantomData };
        self.rows.save_with(
            new,
            |rows| {
                // assigned: the stored rows left out of the new collection are orphans
                left_out(rows, handle.all()?).try_for_each(|old| crate::cascade::orphan(db, rel, &old))
            },
            |row| crate::cascade::save_child(db, rel, row, owner, new),
        )
    }
}

impl<T: Model> crate::model::Pending for ManyToMany<T> {
    fn has_pending(&self, owner_is_new: bool) -> bool {
        self.rows.has_pending(owner_is_new)
    }

    fn save_pending(&mut self, db: &Db, rel: &'static RelationDef, owner: &Value<'static>, new: bool) -> Result<()> {
        let handle: Related<'_, T, ManyToManyKind> =
            Related { db, rel, owner: Some(owner.clone()), cache: NoCache, _marker: PhantomData };
        self.rows.save_with(
            new,
            |rows| {
                // assigned: the links to targets left out of the new collection go
                left_out(rows, handle.all()?).try_for_each(|old| handle.remove(&old).map(drop))
            },
            |row| {
                let fresh = row.is_new();
                if fresh {
                    db.insert(row)?;
                }
                if new || fresh || !handle.contains(row)? {
                    handle.add(row)?;
                }
                Ok(())
            },
        )
    }
}

/// The rows of `stored` whose key is not among `rows`' (an assigned collection).
fn left_out<T: Model>(rows: &[T], stored: Vec<T>) -> impl Iterator<Item = T> {
    let keep: Vec<Vec<Value<'static>>> = rows
        .iter()
        .filter(|r| !r.is_new())
        .map(|r| r.key().to_values().into_iter().map(Value::into_owned).collect())
        .collect();
    stored.into_iter().filter(move |old| !keep.iter().any(|k| *k == old.key().to_values()))
}

/// The field type of a `#[has_one(Target)]` relationship (`uselist=False`): the one target
/// row whose unique foreign key points at this row, if any. Holds it once loaded.
pub struct HasOne<T> {
    // boxed: a model holding its related model inline would be infinitely large
    cache: Cache<Option<Box<T>>>,
    /// The row was assigned (`row.into()`): saving an existing owner replaces its row.
    assigned: bool,
}

impl<T> HasOne<T> {
    /// The row loaded, if the relationship was loaded (`Some(None)`: loaded, no row).
    pub fn loaded(&self) -> Option<Option<&T>> {
        self.cache.cell.get().map(Option::as_deref)
    }

    /// Forgets the loaded (or assigned, unsaved) row.
    pub fn reset(&mut self) {
        self.cache.cell.take();
        self.assigned = false;
    }
}

impl<T> From<T> for HasOne<T> {
    /// A `has_one` assigned `row`: `profile: profile.into()`. Saving the owner saves it; for
    /// an owner already stored, it replaces the owner's row as [`HasOneRef::set`] does.
    fn from(row: T) -> Self {
        let field = HasOne { assigned: true, ..HasOne::default() };
        let _ = field.cache.cell.set(Some(Box::new(row)));
        field
    }
}

impl<T: Model> crate::model::Pending for HasOne<T> {
    fn has_pending(&self, owner_is_new: bool) -> bool {
        self.cache.cell.get().is_some_and(|r| r.as_ref().is_some_and(|r| owner_is_new || self.assigned || r.is_new()))
    }

    fn save_pending(&mut self, db: &Db, rel: &'static RelationDef, owner: &Value<'static>, new: bool) -> Result<()> {
        let assigned = std::mem::take(&mut self.assigned);
        if let Some(Some(row)) = self.cache.cell.get_mut() {
            if assigned && !new {
                // replaces the owner's row: the old one leaves first
                let handle = HasOneRef { db, rel, owner: Some(owner.clone()), field: &HasOne::default() };
                handle.orphan_others(db, row.as_ref())?;
            }
            if new || assigned || row.is_new() {
                crate::cascade::save_child(db, rel, row.as_mut(), owner, new)?;
            }
        }
        Ok(())
    }
}

#[diagnostic::do_not_recommend]
impl<T: Model> Slot for HasOne<T> {
    type Target = T;
    fn fill(&self, rel: &'static RelationDef, rows: Fill<T>) -> Result<()> {
        if let Fill::Many(rows) = rows {
            if rows.len() > 1 {
                return Err(Error::MultipleRelated { relationship: rel.path() });
            }
            let _ = self.cache.cell.set(rows.into_iter().next().map(Box::new));
        }
        Ok(())
    }
    fn refuse_lazy_load(&self) {
        self.cache.raise.set(true);
    }
    fn is_loaded(&self) -> bool {
        self.cache.cell.get().is_some()
    }
    fn duplicate(&self) -> Self {
        HasOne { cache: self.cache.map(|row| row.as_deref().map(|r| Box::new(r.duplicate()))), assigned: self.assigned }
    }
}

impl<T> Default for HasOne<T> {
    fn default() -> Self {
        HasOne { cache: Cache::default(), assigned: false }
    }
}

impl<T: Clone> Clone for HasOne<T> {
    fn clone(&self) -> Self {
        HasOne { cache: self.cache.clone(), assigned: self.assigned }
    }
}

/// The loaded row is a cache, not part of the row's value: two models are equal when their
/// columns are.
impl<T> PartialEq for HasOne<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for HasOne<T> {}

impl<T: fmt::Debug> fmt::Debug for HasOne<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cache.cell.get() {
            Some(row) => row.as_deref().fmt(f),
            None => f.write_str("<not loaded>"),
        }
    }
}

/// What a `BelongsTo` points at: a model (a `NOT NULL` foreign key) or `Option<Model>`
/// (a nullable one).
pub trait Parent {
    /// The parent model.
    type Model: Model;
    /// The foreign key column's Rust type: the parent's key, or `Option` of it.
    type Fk: SqlValue + Clone + Default + PartialEq + fmt::Debug;
    /// What `load()` returns: `&Model`, or `Option<&Model>`.
    type Loaded<'a>
    where
        Self: 'a;
    #[doc(hidden)]
    fn parent_key(fk: &Self::Fk) -> Option<&<Self::Model as Model>::Key>;
    #[doc(hidden)]
    fn fk_of(parent: &Self::Model) -> Self::Fk;
    #[doc(hidden)]
    fn wrap<'a>(parent: Option<&'a Self::Model>, fk: &Self::Fk) -> Result<Self::Loaded<'a>>;
}

impl<M: Model> Parent for M
where
    M::Key: SqlValue + Clone + Default + PartialEq + fmt::Debug,
{
    type Model = M;
    type Fk = M::Key;
    type Loaded<'a> = &'a M;
    fn parent_key(fk: &M::Key) -> Option<&M::Key> {
        Some(fk)
    }
    fn fk_of(parent: &M) -> M::Key {
        parent.key()
    }
    fn wrap<'a>(parent: Option<&'a M>, fk: &M::Key) -> Result<&'a M> {
        parent.ok_or_else(|| Error::NotFound { table: M::TABLE.name, key: key_text(&fk.to_values()) })
    }
}

impl<M: Model> Parent for Option<M>
where
    M::Key: SqlValue + Clone + Default + PartialEq + fmt::Debug,
{
    type Model = M;
    type Fk = Option<M::Key>;
    type Loaded<'a> = Option<&'a M>;
    fn parent_key(fk: &Option<M::Key>) -> Option<&M::Key> {
        fk.as_ref()
    }
    fn fk_of(parent: &M) -> Option<M::Key> {
        Some(parent.key())
    }
    fn wrap<'a>(parent: Option<&'a M>, _: &Option<M::Key>) -> Result<Option<&'a M>> {
        Ok(parent)
    }
}

/// The field type of a `#[belongs_to(Parent)]` relationship: the foreign key column itself,
/// plus the parent row once loaded. `BelongsTo<User>` is a `NOT NULL` key;
/// `BelongsTo<Option<User>>` a nullable one.
pub struct BelongsTo<P: Parent> {
    key: P::Fk,
    // shared: an eager load hands one parent to all of its children
    cache: Cache<Option<Arc<P::Model>>>,
    /// The key it pointed at before `set` / `set_key`, until the owner is saved: the parent a
    /// many-to-one `delete-orphan` deletes.
    replaced: RefCell<Option<P::Fk>>,
}

impl<P: Parent> BelongsTo<P> {
    /// Points at `parent`: `Post { author: BelongsTo::to(&user), .. }` (Python's
    /// `Post(author=user)`).
    pub fn to(parent: &P::Model) -> Self {
        BelongsTo::from_key(P::fk_of(parent))
    }

    /// Points at the parent with this foreign key value.
    pub fn from_key(key: P::Fk) -> Self {
        BelongsTo { key, cache: Cache::default(), replaced: RefCell::new(None) }
    }

    /// The foreign key value.
    pub fn key(&self) -> &P::Fk {
        &self.key
    }

    /// Points at another parent (forgetting the one loaded). Under a many-to-one
    /// `delete-orphan`, saving the owner deletes the parent it let go of.
    pub fn set(&mut self, parent: &P::Model) {
        self.set_key(P::fk_of(parent));
    }

    /// Sets the foreign key value (forgetting the parent loaded); `None` for a nullable key
    /// lets go of the parent.
    pub fn set_key(&mut self, key: P::Fk) {
        let old = std::mem::replace(&mut self.key, key);
        self.replaced.get_mut().get_or_insert(old);
        self.cache = Cache::default();
    }

    /// The parent loaded, if it was loaded.
    pub fn loaded(&self) -> Option<&P::Model> {
        self.cache.cell.get().and_then(Option::as_deref)
    }

    /// Loads the parent on first use and keeps it.
    fn load<'a>(&'a self, db: &Db, rel: &'static RelationDef) -> Result<P::Loaded<'a>> {
        let parent = self.cache.get_or_load(db, rel, || {
            let row = match P::parent_key(&self.key) {
                Some(k) => Query::<P::Model>::new(db).filter_key(k.to_values()).first()?,
                None => None,
            };
            Ok(row.map(Arc::new))
        })?;
        P::wrap(parent.as_deref(), &self.key)
    }
}

#[diagnostic::do_not_recommend]
impl<P: Parent + 'static> Slot for BelongsTo<P> {
    type Target = P::Model;
    fn fill(&self, _: &'static RelationDef, rows: Fill<P::Model>) -> Result<()> {
        if let Fill::One(row) = rows {
            let _ = self.cache.cell.set(row);
        }
        Ok(())
    }
    fn refuse_lazy_load(&self) {
        self.cache.raise.set(true);
    }
    fn is_loaded(&self) -> bool {
        self.cache.cell.get().is_some()
    }
    fn duplicate(&self) -> Self {
        BelongsTo { key: self.key.clone(), cache: self.cache.map(Clone::clone), replaced: self.replaced.clone() }
    }
}

/// A `BelongsTo` field is its foreign key column.
impl<P: Parent> SqlValue for BelongsTo<P> {
    const SQL_TYPE: crate::schema::SqlType = <P::Fk as SqlValue>::SQL_TYPE;
    const NULLABLE: bool = <P::Fk as SqlValue>::NULLABLE;
    fn to_value(&self) -> Value<'_> {
        self.key.to_value()
    }
    fn from_value(
        value: crate::value::ValueRef<'_>,
        column: &crate::schema::ColumnDef,
    ) -> Result<Self, crate::value::DecodeError> {
        P::Fk::from_value(value, column).map(BelongsTo::from_key)
    }
}

impl<P: Parent> Default for BelongsTo<P> {
    fn default() -> Self {
        BelongsTo::from_key(P::Fk::default())
    }
}

impl<P: Parent> Clone for BelongsTo<P> {
    fn clone(&self) -> Self {
        BelongsTo { replaced: self.replaced.clone(), ..BelongsTo::from_key(self.key.clone()) }
    }
}

impl<P: Parent> crate::model::ParentLink for BelongsTo<P> {
    fn current(&self) -> Value<'static> {
        self.key.to_value().into_owned()
    }

    fn let_go(&self) -> Option<Value<'static>> {
        let replaced = self.replaced.borrow();
        let old = replaced.as_ref()?.to_value().into_owned();
        (old != Value::Null && old != self.current()).then_some(old)
    }

    fn changed(&self) -> bool {
        self.replaced.borrow().as_ref().is_some_and(|old| *old != self.key)
    }

    fn settle(&self) {
        self.replaced.borrow_mut().take();
    }
}

impl<P: Parent> fmt::Debug for BelongsTo<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BelongsTo({}: {:?})", P::Model::TABLE.name, self.key)
    }
}

/// Equal when the foreign keys are equal (the loaded parent is a cache).
impl<P: Parent> PartialEq for BelongsTo<P> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<M: Model> From<&M> for BelongsTo<M>
where
    M: Parent<Model = M>,
{
    fn from(parent: &M) -> Self {
        BelongsTo::to(parent)
    }
}

impl<M: Model> From<&M> for BelongsTo<Option<M>>
where
    Option<M>: Parent<Model = M>,
{
    fn from(parent: &M) -> Self {
        BelongsTo::to(parent)
    }
}

/// The kind marker of a one-to-many [`Related`] handle.
#[derive(Debug, Clone, Copy)]
pub enum OneToMany {}
/// The kind marker of a many-to-many [`Related`] handle (it can `add`, `remove`, `contains`).
#[derive(Debug, Clone, Copy)]
pub enum ManyToManyKind {}

/// The cache slot of a field-backed handle, which makes [`Related::load`] available.
pub struct Cached<'a, T>(&'a Collection<T>);

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

/// The cache slot of a handle with no field behind it (a `backref`, or a `lazy = "dynamic"`
/// relationship): it only queries.
#[derive(Debug, Clone, Copy)]
pub struct NoCache;

/// The relationship path (`User::POSTS`) of a `lazy = "dynamic"` relationship: usable in
/// filters (`User::POSTS.any(...)`), refused by the loader options, since nothing is kept.
pub struct Dynamic<T>(PhantomData<fn() -> T>);

impl<T> Dynamic<T> {
    #[doc(hidden)]
    pub const NEW: Dynamic<T> = Dynamic(PhantomData);
}

/// What keeps a to-many handle's loaded rows, so that it has [`Related::load`].
#[diagnostic::on_unimplemented(
    message = "this relationship keeps no loaded rows, so it has no `load()`",
    label = "a query handle: a `lazy = \"dynamic\"` relationship, or a backref",
    note = "read its rows with `.all()` (or `.filter(..)`, `.count()`); to load and keep them, drop `lazy = \"dynamic\"` (a backref: declare the relationship as a field)"
)]
pub trait KeepsRows<'a, T> {
    #[doc(hidden)]
    fn cached(&self) -> Cached<'a, T>;
}

#[diagnostic::do_not_recommend]
impl<'a, T> KeepsRows<'a, T> for Cached<'a, T> {
    fn cached(&self) -> Cached<'a, T> {
        *self
    }
}

/// A to-many relationship of one row, returned by its accessor (`user.posts(&db)`).
///
/// `load()` (field-backed relationships only) loads the rows on first use and keeps them;
/// `all()`, `first()`, `count()`, `filter()`, `order_by()`... build or run a fresh query
/// scoped to the owning row. Many-to-many handles also `add`, `remove` and test `contains`.
pub struct Related<'a, T, K = OneToMany, C = NoCache> {
    db: &'a Db,
    rel: &'static RelationDef,
    owner: Option<Value<'static>>,
    cache: C,
    _marker: PhantomData<fn() -> (T, K)>,
}

/// The handle of a `#[has_many]` field.
pub type HasManyRef<'a, T> = Related<'a, T, OneToMany, Cached<'a, T>>;
/// The handle of a `#[many_to_many]` field.
pub type ManyToManyRef<'a, T> = Related<'a, T, ManyToManyKind, Cached<'a, T>>;

fn owner_key<O: Model>(owner: &O) -> Option<Value<'static>> {
    if owner.is_new() {
        return None;
    }
    owner.key().to_values().into_iter().next().map(Value::into_owned)
}

impl<'a, T: Model, K, C> Related<'a, T, K, C> {
    #[doc(hidden)]
    pub fn new<O: Model>(db: &'a Db, owner: &O, rel: &'static RelationDef, cache: C) -> Self {
        Related { db, rel, owner: owner_key(owner), cache, _marker: PhantomData }
    }

    /// The relationship's rows as a query, to refine with `filter`, `order_by`, `limit`...
    pub fn query(&self) -> Query<'a, T> {
        let q = Query::new(self.db);
        let Some(key) = self.owner.clone() else {
            // an unsaved owner has no related rows yet
            return q.filter(Expr::nothing());
        };
        q.filter(scope(self.rel, key)).order_unless_ordered(self.rel.order_by)
    }

    /// Every related row, read now.
    pub fn all(&self) -> Result<Vec<T>> {
        self.query().all()
    }

    /// The first related row, read now.
    pub fn first(&self) -> Result<Option<T>> {
        self.query().first()
    }

    /// How many rows are related.
    pub fn count(&self) -> Result<i64> {
        self.query().count()
    }

    /// Whether any row is related.
    pub fn exists(&self) -> Result<bool> {
        self.query().exists()
    }

    /// The related rows matching `condition`.
    pub fn filter(&self, condition: Expr) -> Query<'a, T> {
        self.query().filter(condition)
    }

    /// The related rows whose `column` equals `value`.
    pub fn filter_by<V>(&self, column: Col<T, V>, value: impl Bind<V>) -> Query<'a, T> {
        self.query().filter_by(column, value)
    }

    /// The related rows in this order.
    pub fn order_by(&self, order: impl Into<Order>) -> Query<'a, T> {
        self.query().order_by(order)
    }

    /// At most `n` related rows.
    pub fn limit(&self, n: u64) -> Query<'a, T> {
        self.query().limit(n)
    }

    /// The keys of the related rows, as a subquery for [`Col::in_subquery`].
    pub fn keys(&self) -> Subquery {
        let value = self.owner.clone().unwrap_or(Value::Null);
        match self.rel.join {
            Join::Through { .. } => linked_keys(self.rel, value),
            Join::Reverse { column } | Join::Forward { column } => Subquery {
                table: T::TABLE.name,
                // a to-many relationship's ends have single-column keys (the derive checks)
                select: T::TABLE.columns[T::TABLE.key_index()].name,
                filter: column,
                value,
            },
        }
    }
}

/// The condition selecting the target rows of `rel` for the owner with key `key`.
fn scope(rel: &'static RelationDef, key: Value<'static>) -> Expr {
    let target = rel.target;
    match rel.join {
        Join::Reverse { column } | Join::Forward { column } => Expr::column_eq(target.name, column, key),
        Join::Through { .. } => {
            Expr::in_subquery(target.name, target.columns[target.key_index()].name, linked_keys(rel, key))
        }
    }
}

/// `SELECT remote FROM through WHERE local = key`: the target keys a many-to-many links to
/// the owner with key `key`.
fn linked_keys(rel: &'static RelationDef, key: Value<'static>) -> Subquery {
    let Join::Through { table, local, remote } = rel.join else {
        unreachable!("only many-to-many relationships link through a table")
    };
    Subquery { table: table.name, select: remote, filter: local, value: key }
}

impl<'a, T: Model, K, C> Related<'a, T, K, C> {
    /// The related rows, loaded on first use and kept in the owner's field (SQLAlchemy's
    /// default `lazy='select'`). Call `reset()` on the field to read them again.
    ///
    /// A relationship declared `lazy = "raise"`, or fetched under `raiseload`, is
    /// [`Error::NotLoaded`] here unless it was loaded eagerly.
    pub fn load(&self) -> Result<&'a [T]>
    where
        C: KeepsRows<'a, T>,
    {
        let rows: &'a Collection<T> = self.cache.cached().0;
        rows.get_or_load(self.db, self.rel, || self.all())
    }
}

impl<T: Model, C> Related<'_, T, OneToMany, C> {
    /// Makes `child` one of the owner's rows (Python's `parent.children.append(child)`): sets
    /// its foreign key to the owner, then inserts it if it is new or updates it otherwise.
    /// Rows loaded earlier with `load()` are not changed; `reset()` the field to re-read them.
    pub fn add(&self, child: &mut T) -> Result<()> {
        let (Join::Reverse { column } | Join::Forward { column }) = self.rel.join else {
            unreachable!("one-to-many handles are only built for `Join::Reverse`")
        };
        let owner =
            self.owner.clone().ok_or(Error::Unsaved { table: self.rel.owner.name, action: "add children to" })?;
        child.set_column(column, owner.as_value_ref())?;
        child.save(self.db)
    }

    /// Takes `child` out of the owner's rows (Python's `parent.children.remove(child)` and a
    /// commit). Under `cascade = "..., delete-orphan"` the row is deleted (with what cascades
    /// from it); otherwise its foreign key is set to `NULL`, or, when the key is `NOT NULL`,
    /// nothing changes and the result is [`Error::Orphan`]. Returns `false` when `child` was
    /// not one of the owner's rows. Rows loaded earlier are not changed.
    pub fn remove(&self, child: &T) -> Result<bool> {
        let (Join::Reverse { column } | Join::Forward { column }) = self.rel.join else {
            unreachable!("one-to-many handles are only built for `Join::Reverse`")
        };
        let Some(owner) = &self.owner else { return Ok(false) };
        if child.is_new() || child.column_value(T::TABLE.column_index(column)) != *owner {
            return Ok(false);
        }
        crate::cascade::orphan(self.db, self.rel, child)?;
        Ok(true)
    }
}

impl<T: Model, C> Related<'_, T, ManyToManyKind, C> {
    fn link(&self, target: &T, action: &'static str) -> Result<(&'static crate::schema::Table, [Value<'static>; 2])> {
        let Join::Through { table, .. } = self.rel.join else {
            unreachable!("many-to-many handles are only built for `Join::Through`")
        };
        let owner = self.owner.clone().ok_or(Error::Unsaved { table: self.rel.owner.name, action })?;
        if target.is_new() {
            return Err(Error::Unsaved { table: T::TABLE.name, action });
        }
        let target = owner_key(target).ok_or(Error::Unsaved { table: T::TABLE.name, action })?;
        Ok((table, [owner, target]))
    }

    /// `prefix "through" <rest>`, where `rest` appends the two link columns in its own form.
    fn link_sql(
        &self,
        prefix: &str,
        rest: impl FnOnce(&dyn crate::dialect::Dialect, &str, &str, &mut String),
    ) -> String {
        let Join::Through { table, local, remote } = self.rel.join else {
            unreachable!("many-to-many handles are only built for `Join::Through`")
        };
        let d = self.db.dialect();
        let mut sql = String::from(prefix);
        d.quote(table.name, &mut sql);
        rest(d, local, remote, &mut sql);
        sql
    }

    /// `INSERT INTO through (local, remote) VALUES (?, ?)`.
    fn insert_link_sql(&self) -> String {
        self.link_sql("INSERT INTO ", |d, local, remote, sql| {
            sql.push_str(" (");
            d.quote(local, sql);
            sql.push_str(", ");
            d.quote(remote, sql);
            sql.push_str(") VALUES (");
            d.placeholder(1, sql);
            sql.push_str(", ");
            d.placeholder(2, sql);
            sql.push(')');
        })
    }

    /// `<prefix> through WHERE local = ? AND remote = ?<suffix>`.
    fn matching_link_sql(&self, prefix: &str, suffix: &str) -> String {
        self.link_sql(prefix, |d, local, remote, sql| {
            sql.push_str(" WHERE ");
            d.quote(local, sql);
            sql.push_str(" = ");
            d.placeholder(1, sql);
            sql.push_str(" AND ");
            d.quote(remote, sql);
            sql.push_str(" = ");
            d.placeholder(2, sql);
            sql.push_str(suffix);
        })
    }

    /// Links `target` to the owner (Python's `collection.append(target)`): inserts one row
    /// in the association table. Linking twice is a [`Error::UniqueViolation`].
    pub fn add(&self, target: &T) -> Result<()> {
        let (table, params) = self.link(target, "link")?;
        self.db.execute(&self.insert_link_sql(), &params, table.name)?;
        Ok(())
    }

    /// Links every target, in one transaction (Python's `collection.extend(targets)`).
    pub fn extend<'t>(&self, targets: impl IntoIterator<Item = &'t T>) -> Result<()>
    where
        T: 't,
    {
        self.db.transaction(|_| targets.into_iter().try_for_each(|t| self.add(t)))
    }

    /// Unlinks `target` (Python's `collection.remove(target)`); returns whether it was linked.
    pub fn remove(&self, target: &T) -> Result<bool> {
        let (table, params) = self.link(target, "unlink")?;
        Ok(self.db.execute(&self.matching_link_sql("DELETE FROM ", ""), &params, table.name)? > 0)
    }

    /// Whether `target` is linked to the owner.
    pub fn contains(&self, target: &T) -> Result<bool> {
        if self.owner.is_none() || target.is_new() {
            return Ok(false);
        }
        let (_, params) = self.link(target, "test")?;
        let sql = self.matching_link_sql("SELECT EXISTS (SELECT 1 FROM ", ")");
        Ok(self.db.query_i64(&sql, &params)? != 0)
    }
}

/// The handle of a `#[has_one]` field (`user.profile(&db)`).
pub struct HasOneRef<'a, T> {
    db: &'a Db,
    rel: &'static RelationDef,
    owner: Option<Value<'static>>,
    field: &'a HasOne<T>,
}

impl<'a, T: Model> HasOneRef<'a, T> {
    #[doc(hidden)]
    pub fn new<O: Model>(db: &'a Db, owner: &O, rel: &'static RelationDef, field: &'a HasOne<T>) -> Self {
        HasOneRef { db, rel, owner: owner_key(owner), field }
    }

    /// The rows pointing at the owner, as a query (`None` for an unsaved owner, which has none).
    fn scoped(&self) -> Option<Query<'a, T>> {
        self.owner
            .clone()
            .map(|key| Query::new(self.db).filter(scope(self.rel, key)).order_unless_ordered(self.rel.order_by))
    }

    /// The related row, if any, read now. Two rows pointing at the owner (a foreign key
    /// without `unique`) are [`Error::MultipleRelated`], never one of them picked silently.
    pub fn get(&self) -> Result<Option<T>> {
        let Some(q) = self.scoped() else { return Ok(None) };
        let mut rows = q.limit(2).all()?.into_iter();
        match (rows.next(), rows.next()) {
            (_, Some(_)) => Err(Error::MultipleRelated { relationship: self.rel.path() }),
            (row, None) => Ok(row),
        }
    }

    /// Takes every row pointing at the owner out of the relationship, except `row`.
    fn orphan_others(&self, db: &Db, row: &T) -> Result<()> {
        let keep =
            (!row.is_new()).then(|| row.key().to_values().into_iter().map(Value::into_owned).collect::<Vec<_>>());
        // every row pointing at the owner: at most one, unless the key is not `UNIQUE`
        for old in self.scoped().map_or(Ok(Vec::new()), |q| q.all())? {
            if keep.as_ref().is_some_and(|k| *k == old.key().to_values()) {
                continue;
            }
            crate::cascade::orphan(db, self.rel, &old)?;
        }
        Ok(())
    }

    /// Makes `row` the owner's one related row (Python's `user.profile = profile` and a
    /// commit), in one transaction: the row it replaces is taken out first — deleted under
    /// `delete-orphan`, otherwise unhooked (its key set to `NULL`), or [`Error::Orphan`] when
    /// the key is `NOT NULL` — so a `UNIQUE` foreign key never sees two rows. Then `row` is
    /// pointed at the owner and inserted, or updated if it exists.
    pub fn set(&self, row: &mut T) -> Result<()> {
        let (Join::Reverse { column } | Join::Forward { column }) = self.rel.join else {
            unreachable!("has-one handles are only built for `Join::Reverse`")
        };
        let owner =
            self.owner.clone().ok_or(Error::Unsaved { table: self.rel.owner.name, action: "set the row of" })?;
        self.db.transaction(|db| {
            self.orphan_others(db, row)?;
            row.set_column(column, owner.as_value_ref())?;
            row.save(db)
        })
    }

    /// The related row, loaded on first use and kept in the owner's field.
    pub fn load(&self) -> Result<Option<&'a T>> {
        let field: &'a HasOne<T> = self.field;
        Ok(field.cache.get_or_load(self.db, self.rel, || Ok(self.get()?.map(Box::new)))?.as_deref())
    }
}

/// The handle of a `#[belongs_to]` field (`post.author(&db)`).
pub struct BelongsToRef<'a, P: Parent> {
    db: &'a Db,
    rel: &'static RelationDef,
    field: &'a BelongsTo<P>,
}

impl<'a, P: Parent> BelongsToRef<'a, P> {
    #[doc(hidden)]
    pub fn new(db: &'a Db, rel: &'static RelationDef, field: &'a BelongsTo<P>) -> Self {
        BelongsToRef { db, rel, field }
    }

    /// The parent row, loaded on first use and kept in the field: `&Parent` for a
    /// `NOT NULL` key (a missing row is [`Error::NotFound`]), `Option<&Parent>` for a nullable one.
    pub fn load(&self) -> Result<P::Loaded<'a>> {
        self.field.load(self.db, self.rel)
    }

    /// The foreign key value.
    pub fn key(&self) -> &'a P::Fk {
        self.field.key()
    }
}

/// Self-referential trees (`#[self_ref]`): one cycle-safe `WITH RECURSIVE` statement each.
pub mod tree {
    use super::*;

    fn key_and_fk<M: Model>(m: &M, fk_index: usize) -> (Value<'static>, Value<'static>) {
        let values = m.values();
        let key = values[M::TABLE.key_index()].clone().into_owned();
        (key, values[fk_index].clone().into_owned())
    }

    /// The rows below `start` (a key), or above it (`up`: `start` is a parent key), in key order.
    fn recursive<M: Model>(db: &Db, fk: &'static str, up: bool, start: Value<'static>) -> Result<Vec<M>> {
        let t = M::TABLE;
        let d = db.dialect();
        let mut params = Vec::with_capacity(1);
        let cte = if up {
            // start at the parent key; climb through each row's foreign key
            let pk = t.single_key().map_or(d.row_id(), |c| c.name);
            let mut cte = String::from("WITH RECURSIVE \"relations_tree\"(\"id\") AS (SELECT ");
            params.push(start);
            d.typed_placeholder(1, &t.columns[t.key_index()], &mut cte);
            cte.push_str(" UNION SELECT ");
            column(d, t.name, fk, &mut cte);
            cte.push_str(" FROM ");
            d.quote(t.name, &mut cte);
            cte.push_str(" JOIN \"relations_tree\" ON ");
            column(d, t.name, pk, &mut cte);
            cte.push_str(" = \"relations_tree\".\"id\" WHERE ");
            column(d, t.name, fk, &mut cte);
            cte.push_str(" IS NOT NULL) ");
            cte
        } else {
            descendants_cte(d, t, fk, std::iter::once(start), &mut params)
        };
        let select = tree_select(d, t, fk, cte, false);
        Ok(fetch(db, Select { params, ..select }, &[], &mut Vec::new(), None)?.0)
    }

    /// The rows the recursive query returned, each with its key and parent link decoded once.
    struct Linked<M> {
        key: Value<'static>,
        parent: Value<'static>,
        row: Option<M>,
    }

    fn linked<M: Model>(rows: Vec<M>, fk_index: usize) -> Vec<Linked<M>> {
        rows.into_iter()
            .map(|row| {
                let (key, parent) = key_and_fk(&row, fk_index);
                Linked { key, parent, row: Some(row) }
            })
            .collect()
    }

    /// The chain of parents of `row` through the foreign key column `fk`, nearest first.
    pub fn ancestors<M: Model>(db: &Db, row: &M, fk: &'static str) -> Result<Vec<M>> {
        let fk_index = M::TABLE.column_index(fk);
        let (_, start) = key_and_fk(row, fk_index);
        if start == Value::Null {
            return Ok(Vec::new());
        }
        let mut rows = linked(recursive::<M>(db, fk, true, start.clone())?, fk_index);
        let mut chain = Vec::with_capacity(rows.len());
        let mut next = start;
        // each row is taken once, so a cycle in the data ends the walk
        while let Some(found) = rows.iter_mut().find(|r| r.row.is_some() && r.key == next) {
            next = found.parent.clone();
            chain.extend(found.row.take());
        }
        Ok(chain)
    }

    /// Every row below `row` through the foreign key column `fk`, level by level, each level in
    /// key order.
    pub fn descendants<M: Model>(db: &Db, row: &M, fk: &'static str) -> Result<Vec<M>> {
        let fk_index = M::TABLE.column_index(fk);
        if row.is_new() {
            return Ok(Vec::new());
        }
        let (root, _) = key_and_fk(row, fk_index);
        let mut rows = linked(recursive::<M>(db, fk, false, root.clone())?, fk_index);
        let mut out = Vec::with_capacity(rows.len());
        let mut level = vec![root];
        while !level.is_empty() {
            let mut next_level = Vec::new();
            for r in rows.iter_mut().filter(|r| r.row.is_some() && level.contains(&r.parent)) {
                next_level.push(r.key.clone());
                out.extend(r.row.take());
            }
            level = next_level;
        }
        Ok(out)
    }
}
