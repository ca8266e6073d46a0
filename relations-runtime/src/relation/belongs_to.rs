//! [`BelongsTo`]: a foreign key and the parent row it points at, once loaded.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use super::slot::{Cache, Fill, Slot};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::model::{Key, Model};
use crate::query::Query;
use crate::schema::RelationDef;
use crate::sql::key_text;
use crate::value::{SqlValue, Value};

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
    pub(crate) fn load<'a>(&'a self, db: &Db, rel: &'static RelationDef) -> Result<P::Loaded<'a>> {
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
