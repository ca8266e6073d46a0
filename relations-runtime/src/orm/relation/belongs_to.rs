//! [`BelongsTo`]: a foreign key and the parent row it points at, once loaded.

use std::fmt;
use std::sync::Arc;

use super::slot::{Cache, Fill, Lazily, LazyRead, Slot};
use crate::orm::model::Row;
use crate::orm::model::{Key, Model};
use crate::schema::error::{Error, Result};
use crate::schema::value::{DecodeError, SqlValue, Value, ValueRef};
use crate::schema::{ColumnDef, RelationDef, Table};
use crate::sql::key_text;

/// What a `BelongsTo` points at: a model (a `NOT NULL` foreign key) or `Option<Model>`
/// (a nullable one).
pub trait Parent {
    /// The parent model.
    type Model: Model;
    /// The foreign key's Rust type: the parent's key (a tuple for a composite one), or
    /// `Option` of it.
    type Fk: Clone + Default + PartialEq + fmt::Debug;
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
    M::Key: Clone + Default + PartialEq + fmt::Debug,
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
    M::Key: Clone + Default + PartialEq + fmt::Debug,
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
    /// Boxed, and absent but for a parent replaced on a row not saved since: most rows never
    /// have one, and every row loaded carries its `belongs_to` fields. Changed only through
    /// `&mut self`; saving through `&self` marks it dealt with in the cache's flags instead.
    replaced: Option<Box<P::Fk>>,
}

impl<P: Parent> BelongsTo<P> {
    /// A copy of the key it pointed at before `set` / `set_key`, if any.
    fn replaced_key(&self) -> Option<Box<P::Fk>> {
        if self.cache.is_settled() {
            return None;
        }
        self.replaced.clone()
    }

    /// Points at `parent`: `Post { author: BelongsTo::to(&user), .. }` (Python's
    /// `Post(author=user)`).
    pub fn to(parent: &P::Model) -> Self {
        BelongsTo::from_key(P::fk_of(parent))
    }

    /// Points at the parent with this foreign key value.
    pub fn from_key(key: P::Fk) -> Self {
        BelongsTo { key, cache: Cache::default(), replaced: None }
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
        if self.cache.is_settled() {
            self.replaced = None;
        }
        self.replaced.get_or_insert_with(|| Box::new(old));
        self.cache = Cache::default();
    }

    /// The parent loaded, if it was loaded.
    pub fn loaded(&self) -> Option<&P::Model> {
        self.cache.cell.get().and_then(Option::as_deref)
    }
}

#[diagnostic::do_not_recommend]
impl<P: Parent + 'static> Slot for BelongsTo<P> {
    type Target = P::Model;
    type Lazy = BelongsTo<P>;
    fn lazy(&self) -> &BelongsTo<P> {
        self
    }
    fn fill(&self, rel: &'static RelationDef, rows: Fill<P::Model>) -> Result<()> {
        self.put(rel, rows)
    }
    fn refuse_lazy_load(&self) {
        self.cache.refuse_lazy_load();
    }
    fn is_loaded(&self) -> bool {
        self.cache.cell.get().is_some()
    }
    fn duplicate(&self) -> Self {
        BelongsTo { key: self.key.clone(), cache: self.cache.map(Clone::clone), replaced: self.replaced_key() }
    }
}

impl<P: Parent> Lazily for BelongsTo<P> {
    type Target = P::Model;
    type Loaded<'a>
        = P::Loaded<'a>
    where
        P: 'a;
    /// `&Parent` for a `NOT NULL` key (a missing row is [`Error::NotFound`]), `Option<&Parent>`
    /// for a nullable one.
    fn loaded_or_refused(&self, rel: &'static RelationDef) -> Result<Option<P::Loaded<'_>>> {
        self.cache.loaded_or_refused(rel)?.map(|parent| P::wrap(parent.as_deref(), &self.key)).transpose()
    }
    fn read(&self, _: Option<Vec<Value<'static>>>) -> LazyRead {
        LazyRead::ByKey(P::parent_key(&self.key).map(|k| k.to_values().into_iter().map(Value::into_owned).collect()))
    }
    fn put(&self, _: &'static RelationDef, rows: Fill<P::Model>) -> Result<()> {
        if let Fill::One(row) = rows {
            let _ = self.cache.cell.set(row);
        }
        Ok(())
    }
}

/// The value of a one-column foreign key: any column type. A tuple (a composite key's value)
/// is one too, only so that a one-column `BelongsTo` to a model with a composite key type-checks
/// and then fails to compile with [`FkColumn::SQL_TYPE`]'s message instead of rustc's.
#[doc(hidden)]
pub trait FkColumn: Sized {
    /// The column's declared type.
    const SQL_TYPE: crate::schema::SqlType;
    /// Whether the column accepts `NULL`.
    const NULLABLE: bool;
    /// The value to bind.
    fn to_value(&self) -> Value<'_>;
    /// Decodes a stored value.
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError>;
}

impl<T: SqlValue> FkColumn for T {
    const SQL_TYPE: crate::schema::SqlType = T::SQL_TYPE;
    const NULLABLE: bool = T::NULLABLE;
    fn to_value(&self) -> Value<'_> {
        SqlValue::to_value(self)
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        SqlValue::from_value(value, column)
    }
}

macro_rules! not_one_column {
    ($($name:ident),+) => {
        impl<$($name: SqlValue),+> FkColumn for ($($name,)+) {
            const SQL_TYPE: crate::schema::SqlType = panic!(
                "a `belongs_to` with one column references a model whose key is composite: give it one column per key column, `#[belongs_to(Model, columns(\"a\", \"b\"))]`"
            );
            const NULLABLE: bool = false;
            fn to_value(&self) -> Value<'_> {
                Value::Null
            }
            fn from_value(_: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
                Err(DecodeError(format!("`{}` cannot hold a composite key", column.name)))
            }
        }
        impl<$($name: SqlValue),+> FkColumn for Option<($($name,)+)> {
            const SQL_TYPE: crate::schema::SqlType = <($($name,)+) as FkColumn>::SQL_TYPE;
            const NULLABLE: bool = true;
            fn to_value(&self) -> Value<'_> {
                Value::Null
            }
            fn from_value(_: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
                Err(DecodeError(format!("`{}` cannot hold a composite key", column.name)))
            }
        }
    };
}
not_one_column!(A, B);
not_one_column!(A, B, C);
not_one_column!(A, B, C, D);

/// A `BelongsTo` field is its foreign key column (one column: a composite foreign key is
/// read and written part by part, through [`CompositeFk`]).
impl<P: Parent> SqlValue for BelongsTo<P>
where
    P::Fk: FkColumn,
{
    const SQL_TYPE: crate::schema::SqlType = <P::Fk as FkColumn>::SQL_TYPE;
    const NULLABLE: bool = <P::Fk as FkColumn>::NULLABLE;
    fn to_value(&self) -> Value<'_> {
        FkColumn::to_value(&self.key)
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        <P::Fk as FkColumn>::from_value(value, column).map(BelongsTo::from_key)
    }
}

impl<P: Parent> Default for BelongsTo<P> {
    fn default() -> Self {
        BelongsTo::from_key(P::Fk::default())
    }
}

impl<P: Parent> Clone for BelongsTo<P> {
    fn clone(&self) -> Self {
        BelongsTo { replaced: self.replaced_key(), ..BelongsTo::from_key(self.key.clone()) }
    }
}

impl<P: Parent> crate::orm::model::ParentLink for BelongsTo<P>
where
    P::Fk: FkColumn,
{
    fn current(&self) -> Value<'static> {
        FkColumn::to_value(&self.key).into_owned()
    }

    fn let_go(&self) -> Option<Value<'static>> {
        let replaced = self.replaced_key();
        let old = FkColumn::to_value(replaced.as_deref()?).into_owned();
        (old != Value::Null && old != self.current()).then_some(old)
    }

    fn changed(&self) -> bool {
        self.replaced_key().is_some_and(|old| *old != self.key)
    }

    fn settle(&self) {
        self.cache.settle();
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

/// A composite foreign key's value: a tuple of the referenced key's column types, read and
/// written one column at a time. Implemented for tuples of two to four columns.
#[doc(hidden)]
pub trait CompositeFk: Sized {
    /// The `part`th column's value.
    fn part(&self, part: usize) -> Value<'_>;
    /// Decodes the `part`th column into the key.
    fn set_part(&mut self, part: usize, value: ValueRef<'_>, column: &ColumnDef) -> Result<(), DecodeError>;
}

/// The type of the `I`th column of a composite key: `<(i64, String) as KeyPart<1>>::T` is
/// `String`.
#[doc(hidden)]
pub trait KeyPart<const I: usize> {
    /// The column's Rust type.
    type T: SqlValue;
}

/// The type of a column that a composite foreign key names beyond the referenced key's: the
/// derive's arity check reports that mistake, in its own words, and this type keeps rustc
/// from adding its own about the missing key column. Never stored.
#[doc(hidden)]
pub struct NoSuchColumn;

impl SqlValue for NoSuchColumn {
    const SQL_TYPE: crate::schema::SqlType = crate::schema::SqlType::Integer;
    fn to_value(&self) -> Value<'_> {
        Value::Null
    }
    fn from_value(_: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        Err(DecodeError(format!("`{}` is not a column of the referenced key", column.name)))
    }
}

macro_rules! composite_fk {
    ($($name:ident . $idx:tt),+ ; $($beyond:tt),*) => {
        impl<$($name: SqlValue),+> CompositeFk for ($($name,)+) {
            fn part(&self, part: usize) -> Value<'_> {
                match part {
                    $($idx => self.$idx.to_value(),)+
                    _ => Value::Null,
                }
            }
            fn set_part(&mut self, part: usize, value: ValueRef<'_>, column: &ColumnDef) -> Result<(), DecodeError> {
                match part {
                    $($idx => self.$idx = $name::from_value(value, column)?,)+
                    _ => {}
                }
                Ok(())
            }
        }
        composite_fk!(@parts ($($name),+) $($name . $idx),+);
        composite_fk!(@beyonds ($($name),+) $($beyond),*);
    };
    (@beyonds $all:tt $($b:tt),*) => {
        $(composite_fk!(@beyond $all $b);)*
    };
    (@parts $all:tt $($name:ident . $idx:tt),+) => {
        $(composite_fk!(@part $all $name $idx);)+
    };
    (@part ($($all:ident),+) $name:ident $idx:tt) => {
        impl<$($all: SqlValue),+> KeyPart<$idx> for ($($all,)+) {
            type T = $name;
        }
    };
    (@beyond ($($all:ident),+) $idx:tt) => {
        impl<$($all: SqlValue),+> KeyPart<$idx> for ($($all,)+) {
            type T = NoSuchColumn;
        }
    };
}
composite_fk!(A.0, B.1; 2, 3);
composite_fk!(A.0, B.1, C.2; 3);
composite_fk!(A.0, B.1, C.2, D.3;);

/// A one-column key given a composite foreign key: the derive's arity check reports it; these
/// keep rustc quiet about it meanwhile.
macro_rules! single_key_parts {
    ($($t:ty),*) => {$(
        impl CompositeFk for $t {
            fn part(&self, _: usize) -> Value<'_> {
                Value::Null
            }
            fn set_part(&mut self, _: usize, _: ValueRef<'_>, _: &ColumnDef) -> Result<(), DecodeError> {
                Ok(())
            }
        }
        impl KeyPart<0> for $t { type T = NoSuchColumn; }
        impl KeyPart<1> for $t { type T = NoSuchColumn; }
        impl KeyPart<2> for $t { type T = NoSuchColumn; }
        impl KeyPart<3> for $t { type T = NoSuchColumn; }
    )*};
}
crate::schema::value::with_column_types!(single_key_parts);

/// The `part`th column of a composite `BelongsTo` field.
#[doc(hidden)]
pub fn fk_part<P: Parent>(field: &BelongsTo<P>, part: usize) -> Value<'_>
where
    P::Fk: CompositeFk,
{
    field.key.part(part)
}

/// Decodes the `index`th column of `table` into the `part`th column of a composite
/// `BelongsTo` field (which forgets the parent it had loaded, as setting a key does).
#[doc(hidden)]
pub fn set_fk_part<P: Parent>(
    field: &mut BelongsTo<P>,
    part: usize,
    table: &'static Table,
    index: usize,
    value: ValueRef<'_>,
) -> Result<()>
where
    P::Fk: CompositeFk,
{
    let column = &table.columns[index];
    let mut key = field.key.clone();
    key.set_part(part, value, column).map_err(|e| Error::Decode {
        table: table.name,
        column: column.name,
        message: e.0,
    })?;
    *field = BelongsTo::from_key(key);
    Ok(())
}

/// Reads a composite `BelongsTo` field from the row's columns at `indexes`, in key order.
#[doc(hidden)]
pub fn read_composite_fk<P: Parent>(row: &Row<'_>, indexes: &[usize]) -> Result<BelongsTo<P>>
where
    P::Fk: CompositeFk,
{
    let mut key = P::Fk::default();
    for (part, &i) in indexes.iter().enumerate() {
        row.decode_into(i, |value, column| key.set_part(part, value, column))?;
    }
    Ok(BelongsTo::from_key(key))
}
