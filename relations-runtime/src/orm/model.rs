//! The [`Model`] trait that `#[derive(Model)]` implements, and the CRUD every model gets.

use crate::backend::RawRow;
use crate::orm::db::Db;
use crate::orm::query::Query;
use crate::schema::error::{Error, Result};
use crate::schema::value::{SqlValue, Value, ValueRef};
use crate::schema::{ColumnDef, RelationDef, Table};

/// A primary key: one column's value, or a tuple for a composite key.
pub trait Key {
    /// The key's values, in primary-key column order.
    fn to_values(&self) -> Vec<Value<'_>>;
}

impl<T: SqlValue> Key for T {
    fn to_values(&self) -> Vec<Value<'_>> {
        vec![self.to_value()]
    }
}

macro_rules! tuple_key {
    ($($name:ident . $idx:tt),+) => {
        impl<$($name: SqlValue),+> Key for ($($name,)+) {
            fn to_values(&self) -> Vec<Value<'_>> {
                vec![$(self.$idx.to_value()),+]
            }
        }
    };
}
tuple_key!(A.0, B.1);
tuple_key!(A.0, B.1, C.2);
tuple_key!(A.0, B.1, C.2, D.3);

/// Points `row`'s foreign key `columns` at `key` (the referenced key's values, in order).
pub(crate) fn set_link<T: Model>(row: &mut T, columns: &[&str], key: &[Value<'_>]) -> Result<()> {
    for (c, v) in columns.iter().zip(key) {
        row.set_column(c, v.as_value_ref())?;
    }
    Ok(())
}

/// Whether `row`'s foreign key `columns` hold `key`.
pub(crate) fn links_to<T: Model>(row: &T, columns: &[&str], key: &[Value<'_>]) -> bool {
    columns.len() == key.len() && columns.iter().zip(key).all(|(c, v)| row.column_value(T::TABLE.column_index(c)) == *v)
}

/// Decodes `value` for the `index`th column of `table`, naming `table.column` on failure.
pub fn decode<T: SqlValue>(table: &'static Table, index: usize, value: ValueRef<'_>) -> Result<T> {
    let column = &table.columns[index];
    T::from_value(value, column).map_err(|e| Error::Decode { table: table.name, column: column.name, message: e.0 })
}

/// A row being decoded into a model; reports decode failures as `table.column`.
pub struct Row<'r> {
    row: &'r dyn RawRow,
    table: &'static Table,
    offset: usize,
    /// The columns the statement left out (`NULL` in their place): bit `i` is column `i`.
    deferred: u64,
}

impl<'r> Row<'r> {
    /// A row of a statement that selected `table`'s columns from `offset` on, its deferred
    /// columns left out.
    pub(crate) fn new(row: &'r dyn RawRow, table: &'static Table, offset: usize) -> Self {
        Row { row, table, offset, deferred: table.deferred }
    }

    /// The row of a statement that left out the columns of `mask` instead.
    pub(crate) fn leaving_out(mut self, mask: u64) -> Self {
        self.deferred = mask;
        self
    }

    /// Decodes the `index`th column, a [`Deferred`](crate::orm::deferred::Deferred) one: not
    /// loaded when the statement left it out.
    #[doc(hidden)]
    pub fn deferred<T: SqlValue>(&self, index: usize) -> Result<crate::orm::deferred::Deferred<T>> {
        if crate::schema::in_mask(self.deferred, index) {
            return Ok(crate::orm::deferred::Deferred::not_loaded(self.table.name, self.table.columns[index].name));
        }
        self.get::<T>(index).map(crate::orm::deferred::Deferred::new)
    }

    /// Hands the `index`th column's stored value to `decode`, naming `table.column` when it
    /// fails.
    pub(crate) fn decode_into(
        &self,
        index: usize,
        decode: impl FnOnce(ValueRef<'_>, &ColumnDef) -> Result<(), crate::schema::value::DecodeError>,
    ) -> Result<()> {
        let column = &self.table.columns[index];
        let error = |message: String| Error::Decode { table: self.table.name, column: column.name, message };
        let value = self.row.value(self.offset + index).map_err(|e| error(e.0.into()))?;
        decode(value, column).map_err(|e| error(e.0))
    }

    /// Decodes the `index`th column of the model's table.
    #[inline]
    pub fn get<T: SqlValue>(&self, index: usize) -> Result<T> {
        let column = &self.table.columns[index];
        match self.row.value(self.offset + index) {
            Ok(value) => match T::from_value(value, column) {
                Ok(v) => Ok(v),
                Err(e) => Err(self.decode_error(index, e.0)),
            },
            Err(e) => Err(self.decode_error(index, e.0.into())),
        }
    }

    /// A decode failure of the `index`th column, named `table.column`.
    #[cold]
    fn decode_error(&self, index: usize, message: String) -> Error {
        Error::Decode { table: self.table.name, column: self.table.columns[index].name, message }
    }
}

/// What only `#[derive(Model)]` implements: `Model` requires it, so a hand-written `impl Model`
/// (which would have to keep every generated invariant) does not compile. Reached by the
/// derive through the hidden `__private` module only.
#[doc(hidden)]
pub trait Sealed {}

/// A table-backed struct. Implemented by `#[derive(Model)]`; not meant to be implemented by hand.
///
/// Every model is `Send + Sync`: loaded rows, with what their relationship fields have loaded,
/// can be shared between threads behind an `Arc`, and lazily loaded from any of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model",
    label = "not a `#[derive(Model)]` struct",
    note = "add `#[derive(Model)]` to `{Self}`: relationship targets, query rows and the members of `create_all`'s tuple are models"
)]
pub trait Model: Sealed + Sized + Send + Sync + 'static {
    /// The model's table.
    const TABLE: &'static Table;
    /// The table's name (`TABLE.name`, available where reading `TABLE` would be a cycle).
    const TABLE_NAME: &'static str;
    /// The primary key column when the key is one column; `None` for a composite key.
    const KEY_COLUMN: Option<&'static str>;
    /// The primary key columns, in order (one, or a composite key's).
    const KEY_COLUMNS: &'static [&'static str];
    /// The plain association tables this model declares with `many_to_many(through = ...)`.
    const ASSOCIATIONS: &'static [&'static Table];
    /// The primary key's type: the key field's type, or a tuple for a composite key.
    type Key: Key;
    /// A generated type whose associated constants describe the model's relationships, one
    /// per relationship field and named like it (`<Post as Model>::Relationships::author`).
    #[doc(hidden)]
    type Relationships;
    /// The model's relationship fields as plain data, which the other models' derives check
    /// their declarations against (an `inverse` by name, a foreign key column).
    #[doc(hidden)]
    const RELATIONSHIPS: &'static [crate::schema::checks::RelationInfo] = &[];
    /// Whether this model's derive failed: its error is reported, and other models' checks
    /// against it are skipped rather than reported again in other words.
    #[doc(hidden)]
    const DERIVE_FAILED: bool = false;

    /// This row's primary key.
    fn key(&self) -> Self::Key;
    /// Decodes a row whose columns are the table's, in order.
    fn from_row(row: &Row<'_>) -> Result<Self>;
    /// The values of every column, in order.
    fn values(&self) -> Vec<Value<'_>>;
    /// Sets the column named `column` from a value; returns whether the model has that column.
    fn set_column(&mut self, column: &str, value: ValueRef<'_>) -> Result<bool>;
    /// Stores the key SQLite assigned on insert (auto keys only).
    fn set_auto_key(&mut self, key: i64);
    /// Whether the row has not been inserted yet: an auto key that is still `0`.
    fn is_new(&self) -> bool;
    /// The value of the `index`th column (`values()[index]`, without building the rest).
    #[doc(hidden)]
    fn column_value(&self, index: usize) -> Value<'_>;
    /// A copy of the row with copies of everything it has loaded (a parent loaded eagerly is
    /// shared). Eager loading uses it when two owners hold the same related row.
    #[doc(hidden)]
    fn duplicate(&self) -> Self;
    /// Hands each relationship field that can hold unsaved rows ([`HasMany`](crate::orm::relation::HasMany),
    /// [`HasOne`](crate::orm::relation::HasOne), [`ManyToMany`](crate::orm::relation::ManyToMany)) to `f`, with its
    /// relationship: how saving the model saves them (`save-update`).
    #[doc(hidden)]
    fn visit_pending(
        &mut self,
        f: &mut dyn FnMut(&'static crate::schema::RelationDef, &mut dyn Pending) -> Result<()>,
    ) -> Result<()> {
        let _ = f;
        Ok(())
    }
    /// Hands each `belongs_to` field with a parent rule (`single_parent`, `delete-orphan`) to
    /// `f`, with its relationship.
    #[doc(hidden)]
    fn visit_parents(
        &self,
        f: &mut dyn FnMut(&'static crate::schema::RelationDef, &dyn ParentLink) -> Result<()>,
    ) -> Result<()> {
        let _ = f;
        Ok(())
    }
    /// The model's [`Snapshot`] field, when it has one.
    #[doc(hidden)]
    fn snapshot(&self) -> Option<&Snapshot> {
        None
    }
    /// Whether the model runs its `Hooks` (`#[model(hooks)]`).
    #[doc(hidden)]
    const HOOKS: bool = false;
    /// Runs the hook of `event` that may change the row (`#[model(hooks)]`).
    #[doc(hidden)]
    fn hook(&mut self, db: &Db, event: Event) -> Result<()> {
        let _ = (db, event);
        Ok(())
    }
    /// Runs the delete hook of `event` (`#[model(hooks)]`).
    #[doc(hidden)]
    fn hook_ref(&self, db: &Db, event: Event) -> Result<()> {
        let _ = (db, event);
        Ok(())
    }
    /// The [`Deferred`](crate::orm::deferred::Deferred) columns not loaded: bit `i` is column `i`.
    #[doc(hidden)]
    fn unloaded(&self) -> u64 {
        0
    }
    /// Puts in the deferred columns `from` (the same row, loaded whole) holds and this one
    /// does not.
    #[doc(hidden)]
    fn take_deferred(&self, from: Self) {
        let _ = from;
    }
    /// The model's [`Version`](crate::orm::version::Version) column, when it has one.
    #[doc(hidden)]
    fn version(&self) -> Option<&crate::orm::version::Version> {
        None
    }
    /// The loader options the model's relationships declare with an eager `lazy = ...`.
    #[doc(hidden)]
    fn default_loads() -> Vec<crate::orm::options::Load<Self>> {
        Vec::new()
    }

    /// A query over every row of the table: `User::query(&db).filter_by(User::name, "x").first()`.
    fn query(db: &Db) -> Query<'_, Self> {
        Query::new(db)
    }

    /// A rule on the model's rows, a condition on its columns that every read of them honours
    /// once set on a connection or a query: `db.add_rule(Post::rule(Post::deleted_at.is_null()))`
    /// (see [`Rule`](crate::sql::rules::Rule)).
    fn rule<S, I>(condition: impl Into<crate::sql::expr::Expr<S>>) -> crate::sql::rules::Rule
    where
        S: crate::schema::reach::Within<crate::schema::reach::Cons<Self, crate::schema::reach::Nil>, I>,
    {
        crate::sql::rules::Rule { table: Self::TABLE, condition: condition.into().erase() }
    }

    /// The model's table under another name, to join it to itself in one query:
    /// `let boss = Employee::alias("boss")` (see [`Alias`](crate::orm::query::Alias)).
    fn alias(name: &'static str) -> crate::orm::query::Alias<Self> {
        crate::orm::query::Alias::new(name)
    }

    /// The row with this primary key, if any.
    fn get(db: &Db, key: impl Into<Self::Key>) -> Result<Option<Self>> {
        let key = key.into();
        let values = key.to_values();
        let plain = crate::orm::db::Plain::key(Self::TABLE);
        let rows = Query::plain_rows(db, plain, None, &values, 1, || Query::new(db).filter_key(values.clone()))?;
        Ok(rows.into_iter().next())
    }

    /// Every row, in key order.
    fn all(db: &Db) -> Result<Vec<Self>> {
        Query::new(db).all()
    }

    /// Writes every column of this row back, by its key. Under a many-to-one `delete-orphan`,
    /// a parent this row let go of is deleted, in the same transaction. It takes the row
    /// mutably, as `save` does: writing may change it (its [`Version`](crate::Version), what a
    /// `before_update` [hook](crate::Hooks) sets).
    fn update(&mut self, db: &Db) -> Result<()> {
        db.update_model(self)
    }

    /// Inserts the row if it is new, updates it otherwise; either way, then saves the new rows
    /// put in its relationship fields (`save-update`), in one transaction. New means an auto key
    /// still `0`, or, for a key the database does not assign (natural or composite), that no row
    /// has it: the `UPDATE` finds none, and the row is inserted.
    fn save(&mut self, db: &Db) -> Result<()> {
        if self.is_new() {
            db.insert(self)
        } else {
            db.save_existing(self)
        }
    }

    /// Deletes this row, by its key, and first what goes with it, in one transaction: rows of
    /// relationships with the `delete` cascade (recursively, children before parents), the
    /// association rows of its many-to-many relationships (declared on either side), and, for
    /// other rows that reference it, their foreign key set to `NULL` — or
    /// [`Error::Referenced`] when that key is `NOT NULL`. Foreign keys with an `ON DELETE`
    /// action are left to the database. Returns whether the row existed.
    fn delete(&self, db: &Db) -> Result<bool> {
        db.delete_model(self)
    }

    /// Loads the [`Deferred`](crate::Deferred) columns this row was loaded without — one
    /// statement for all of them, none when there are none — and puts them in their fields
    /// (SQLAlchemy's lazy load of a deferred column, asked for). [`Error::NotFound`] when the
    /// row is gone.
    fn load_deferred(&self, db: &Db) -> Result<()> {
        if self.unloaded() == 0 {
            return Ok(());
        }
        let whole = Query::new(db).filter_key(self.key().to_values()).undefer_all().by_key()?;
        let whole = whole.ok_or_else(|| Error::NotFound {
            table: Self::TABLE.name,
            key: crate::sql::key_text(&self.key().to_values()),
        })?;
        let unloaded = self.unloaded();
        self.take_deferred(whole);
        // the snapshot keeps the values loaded now, as if loaded with the row
        if let Some(snapshot) = self.snapshot() {
            if let Some(mut stored) = snapshot.values() {
                let now = self.values();
                for (i, v) in now.into_iter().enumerate().filter(|(i, _)| crate::schema::in_mask(unloaded, *i)) {
                    stored[i] = v.into_owned();
                }
                snapshot.take(stored.into_vec());
            }
        }
        Ok(())
    }

    /// Re-reads this row from the database (SQLAlchemy's `refresh`).
    fn reload(&self, db: &Db) -> Result<Self> {
        Query::new(db).filter_key(self.key().to_values()).by_key()?.ok_or_else(|| Error::NotFound {
            table: Self::TABLE.name,
            key: crate::sql::key_text(&self.key().to_values()),
        })
    }
}

/// A relationship field that can hold rows not saved yet (`save-update`): [`HasMany`],
/// [`HasOne`], [`ManyToMany`].
///
/// [`HasMany`]: crate::orm::relation::HasMany
/// [`HasOne`]: crate::orm::relation::HasOne
/// [`ManyToMany`]: crate::orm::relation::ManyToMany
pub trait Pending {
    /// Whether saving the owner has rows of this field to save: any row when the owner is
    /// new, the new rows otherwise.
    #[doc(hidden)]
    fn has_pending(&self, owner_is_new: bool) -> bool;
    /// The owner was just inserted under a key the database assigned: if the field holds no
    /// rows, it is known to be empty (nothing could point at the owner yet), and says so
    /// through `loaded()`.
    #[doc(hidden)]
    fn born(&mut self);
    /// Saves them, pointing them at the owner whose key is `owner` (its columns' values).
    #[doc(hidden)]
    fn save_pending(
        &mut self,
        db: &Db,
        rel: &'static RelationDef,
        owner: &[Value<'static>],
        owner_is_new: bool,
    ) -> Result<()>;
}

/// A `belongs_to` field as the rules of its parent see it (`single_parent`, many-to-one
/// `delete-orphan`).
#[doc(hidden)]
pub trait ParentLink {
    /// The foreign key value now.
    fn current(&self) -> Value<'static>;
    /// The parent it let go of since it was read or saved, if any (not `NULL`, not the one
    /// it points at now).
    fn let_go(&self) -> Option<Value<'static>>;
    /// Whether it points at another parent (or none) than when it was read or saved.
    fn changed(&self) -> bool;
    /// Forgets the parent let go of: the owner was saved.
    fn settle(&self);
}

/// A set of models created or dropped together: a tuple of up to 32 model types,
/// `(User, Post, Tag)`.
pub trait ModelSet {
    /// The tables of the set's models and their association tables, in declaration order.
    fn tables() -> Vec<&'static Table> {
        Self::members().into_iter().map(|(_, t)| t).collect()
    }
    /// Each table with the Rust name of the model that declares it (association tables are
    /// named after the model declaring them), in declaration order.
    fn members() -> Vec<(&'static str, &'static Table)>;
    /// Whether `create_all` adds an index on every foreign key no other index covers (see
    /// [`IndexForeignKeys`]); `false`: the DDL is SQLAlchemy's, exactly.
    const INDEX_FOREIGN_KEYS: bool = false;
}

/// A set of models whose tables get an index on every foreign key that no other index covers:
/// `db.create_all::<IndexForeignKeys<(User, Post, Tag)>>()`.
///
/// SQLAlchemy (and so, by default, `relations`) indexes no foreign key: its DDL is what keeps a
/// database interchangeable with Flask-SQLAlchemy's. But every relationship loads and deletes by
/// its foreign key, so a growing table wants the index. This switch adds
/// `CREATE INDEX ix_<table>_<column>` for each foreign key column that is not already indexed,
/// unique, or the first column of its table's primary key. Tables that exist are left alone, as
/// `create_all` leaves them.
pub struct IndexForeignKeys<S>(std::marker::PhantomData<S>);

impl<S: ModelSet> ModelSet for IndexForeignKeys<S> {
    fn members() -> Vec<(&'static str, &'static Table)> {
        S::members()
    }
    const INDEX_FOREIGN_KEYS: bool = true;
}

macro_rules! model_set {
    ($($m:ident),+) => {
        impl<$($m: Model),+> ModelSet for ($($m,)+) {
            fn members() -> Vec<(&'static str, &'static Table)> {
                let mut v = Vec::new();
                $(
                    let name = std::any::type_name::<$m>();
                    v.push((name, $m::TABLE));
                    v.extend($m::ASSOCIATIONS.iter().map(|t| (name, *t)));
                )+
                v
            }
        }
    };
}

/// `model_set!` for every prefix length of the list.
macro_rules! model_sets {
    ($first:ident $(, $rest:ident)*) => {
        model_set!($first $(, $rest)*);
        model_sets!($($rest),*);
    };
    () => {};
}
model_sets!(
    A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17, A18, A19, A20, A21, A22, A23, A24, A25,
    A26, A27, A28, A29, A30, A31, A32
);

/// The column values a row was loaded (or last written) with, kept in a field of this type so
/// that `update` and `save` write only the columns that changed since, and nothing when none
/// did (SQLAlchemy's unit of work does the same from its instance state):
///
/// `#[derive(Model)] struct User { id: i64, username: String, loaded: relations::Snapshot }`
/// (the guide's *Writing* chapter, "Saving only what changed", runs it).
///
/// Not a column. A model without one writes every column on update. Rows built by hand start
/// with an empty snapshot (`Snapshot::default()`); loading, inserting, updating and upserting
/// fill it. Two snapshots always compare equal: it is not part of the row's value.
#[derive(Default)]
pub struct Snapshot(std::sync::Mutex<Option<Box<[Value<'static>]>>>);

impl Snapshot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Box<[Value<'static>]>>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether it holds the values of a row read from or written to the database.
    pub fn is_taken(&self) -> bool {
        self.lock().is_some()
    }

    /// Forgets the values: the next update writes every column.
    pub fn clear(&self) {
        *self.lock() = None;
    }

    /// Keeps `values` as the row's stored values.
    pub(crate) fn take(&self, values: Vec<Value<'_>>) {
        *self.lock() = Some(values.into_iter().map(Value::into_owned).collect());
    }

    /// The stored values, if taken.
    pub(crate) fn values(&self) -> Option<Box<[Value<'static>]>> {
        self.lock().clone()
    }
}

impl Clone for Snapshot {
    fn clone(&self) -> Self {
        Snapshot(std::sync::Mutex::new(self.lock().clone()))
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_taken() { "Snapshot(taken)" } else { "Snapshot(empty)" })
    }
}

impl PartialEq for Snapshot {
    fn eq(&self, _: &Snapshot) -> bool {
        true
    }
}

impl Eq for Snapshot {}

/// Keeps `row`'s current values in its snapshot, when it has one.
pub(crate) fn remember<T: Model>(row: &T) {
    if let Some(s) = row.snapshot() {
        s.take(row.values());
    }
}

/// The moments a `Hooks` method runs at, as [`Error::Rejected`] names them: what
/// [`Model::hook`] dispatches on.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// `Hooks::before_insert`.
    BeforeInsert,
    /// `Hooks::after_insert`.
    AfterInsert,
    /// `Hooks::before_update`.
    BeforeUpdate,
    /// `Hooks::after_update`.
    AfterUpdate,
    /// `Hooks::before_delete`.
    BeforeDelete,
    /// `Hooks::after_delete`.
    AfterDelete,
    /// `Hooks::after_load`.
    AfterLoad,
}

impl Event {
    /// The hook's name.
    pub fn name(self) -> &'static str {
        match self {
            Event::BeforeInsert => "before_insert",
            Event::AfterInsert => "after_insert",
            Event::BeforeUpdate => "before_update",
            Event::AfterUpdate => "after_update",
            Event::BeforeDelete => "before_delete",
            Event::AfterDelete => "after_delete",
            Event::AfterLoad => "after_load",
        }
    }
}
