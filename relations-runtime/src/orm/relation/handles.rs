//! The handles relationship accessors return ([`Related`], [`HasOneRef`], [`BelongsToRef`]):
//! `.load()` keeps what it loads in the field, `.all()`, `.filter(..)`, `.count()`... query
//! afresh each time.

use std::marker::PhantomData;

use super::belongs_to::{BelongsTo, Parent};
use super::collection::{Cached, Collection};
use super::has_one::HasOne;
use super::lazy::{linked_keys, load_now, owner_key, scope, scoped};
use crate::orm::db::Db;
use crate::orm::model::{links_to, set_link, Key, Model};
use crate::orm::query::{Col, Query};
use crate::orm::term::Operand;
use crate::schema::error::{Error, Result};
use crate::schema::reach::{Cons, Nil, NoLink, Within};
use crate::schema::value::Value;
use crate::schema::{Join, RelationDef};
use crate::sql::expr::{Expr, Order, Subquery};
use crate::sql::write::{Cond, Delete, Exists, Insert, Rows};

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

/// The kind marker of a one-to-many [`Related`] handle.
#[derive(Debug, Clone, Copy)]
pub enum OneToMany {}
/// The kind marker of a many-to-many [`Related`] handle (it can `add`, `remove`, `contains`);
/// `L` is its association model, whose columns its query may name, or [`NoLink`].
pub struct ManyToManyKind<L = NoLink>(PhantomData<fn() -> L>);

/// What a handle's query reaches beside its rows' model: a many-to-many's association model.
pub trait HandleKind {
    /// The association model, or [`NoLink`].
    type Link;
}

impl HandleKind for OneToMany {
    type Link = NoLink;
}

impl<L> HandleKind for ManyToManyKind<L> {
    type Link = L;
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
    pub(crate) db: &'a Db,
    pub(crate) rel: &'static RelationDef,
    /// The owner's key (its columns' values, in order); `None` for an unsaved owner.
    pub(crate) owner: Option<Vec<Value<'static>>>,
    pub(crate) cache: C,
    pub(crate) _marker: PhantomData<fn() -> (T, K)>,
}

/// The handle of a `#[has_many]` field.
pub type HasManyRef<'a, T> = Related<'a, T, OneToMany, Cached<'a, T>>;
/// The handle of a `#[many_to_many]` field (`L`: its association model, or [`NoLink`]).
pub type ManyToManyRef<'a, T, L = NoLink> = Related<'a, T, ManyToManyKind<L>, Cached<'a, T>>;

/// A handle's query: the related model's rows, reaching its association model too.
pub type HandleQuery<'a, T, K> = Query<'a, T, Db, Cons<<K as HandleKind>::Link, Nil>>;

impl<'a, T: Model, K: HandleKind, C> Related<'a, T, K, C> {
    #[doc(hidden)]
    pub fn new<O: Model>(db: &'a Db, owner: &O, rel: &'static RelationDef, cache: C) -> Self {
        Related { db, rel, owner: owner_key(owner), cache, _marker: PhantomData }
    }

    /// The relationship's rows as a query, to refine with `filter`, `order_by`, `limit`...;
    /// a many-to-many's may name its association model's columns
    /// (`book.authors(&db).order_by(BookAuthor::position)`).
    pub fn query(&self) -> HandleQuery<'a, T, K> {
        scoped(Query::on(self.db), self.rel, self.owner.clone())
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
    pub fn filter<S, I>(&self, condition: impl Into<Expr<S>>) -> HandleQuery<'a, T, K>
    where
        S: Within<Cons<T, Cons<K::Link, Nil>>, I>,
    {
        self.query().filter(condition)
    }

    /// The related rows whose `column` equals `value`.
    pub fn filter_by<V, O: Operand<V>, I>(&self, column: Col<T, V>, value: O) -> HandleQuery<'a, T, K>
    where
        O::Src: Within<Cons<T, Cons<K::Link, Nil>>, I>,
    {
        self.query().filter_by(column, value)
    }

    /// The related rows in this order.
    pub fn order_by<S, I>(&self, order: impl Into<Order<S>>) -> HandleQuery<'a, T, K>
    where
        S: Within<Cons<T, Cons<K::Link, Nil>>, I>,
    {
        self.query().order_by(order)
    }

    /// At most `n` related rows.
    pub fn limit(&self, n: u64) -> HandleQuery<'a, T, K> {
        self.query().limit(n)
    }

    /// The keys of the related rows, as a subquery for [`Col::in_subquery`].
    pub fn keys(&self) -> Subquery {
        let values = self.owner.clone().unwrap_or_else(|| vec![Value::Null]);
        match self.rel.join {
            Join::Through { .. } => linked_keys(self.rel, values),
            Join::Reverse { columns } | Join::Forward { columns } => Subquery {
                table: T::TABLE.name,
                // the column a `Col` names: the target's (first) key column
                select: T::TABLE.columns[T::TABLE.key_index()].name,
                filter: columns,
                values,
            },
        }
    }
}

impl<'a, T: Model, K: HandleKind, C> Related<'a, T, K, C> {
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
        load_now(self.db, rows, self.rel, || self.owner.clone())
    }
}

impl<T: Model, C> Related<'_, T, OneToMany, C> {
    /// Makes `child` one of the owner's rows (Python's `parent.children.append(child)`): sets
    /// its foreign key to the owner, then inserts it if it is new or updates it otherwise.
    /// Rows loaded earlier with `load()` are not changed; `reset()` the field to re-read them.
    pub fn add(&self, child: &mut T) -> Result<()> {
        let (Join::Reverse { columns } | Join::Forward { columns }) = self.rel.join else {
            unreachable!("one-to-many handles are only built for `Join::Reverse`")
        };
        let owner =
            self.owner.as_ref().ok_or(Error::Unsaved { table: self.rel.owner.name, action: "add children to" })?;
        set_link(child, columns, owner)?;
        child.save(self.db)
    }

    /// Takes `child` out of the owner's rows (Python's `parent.children.remove(child)` and a
    /// commit). Under `cascade = "..., delete-orphan"` the row is deleted (with what cascades
    /// from it); otherwise its foreign key is set to `NULL`, or, when the key is `NOT NULL`,
    /// nothing changes and the result is [`Error::Orphan`]. Returns `false` when `child` was
    /// not one of the owner's rows. Rows loaded earlier are not changed.
    pub fn remove(&self, child: &T) -> Result<bool> {
        let (Join::Reverse { columns } | Join::Forward { columns }) = self.rel.join else {
            unreachable!("one-to-many handles are only built for `Join::Reverse`")
        };
        let Some(owner) = &self.owner else { return Ok(false) };
        if child.is_new() || !links_to(child, columns, owner) {
            return Ok(false);
        }
        crate::orm::cascade::orphan(self.db, self.rel, child)?;
        Ok(true)
    }
}

impl<T: Model, C, L> Related<'_, T, ManyToManyKind<L>, C> {
    /// The association table's row that links `target` to the owner: the table, its two
    /// columns (the owner's side first) and their values.
    fn link(&self, target: &T, action: &'static str) -> Result<Link> {
        let Join::Through { table, local, remote } = self.rel.join else {
            unreachable!("many-to-many handles are only built for `Join::Through`")
        };
        // a many-to-many's ends have single-column keys (the derive checks)
        let one = |key: Option<Vec<Value<'static>>>| key.and_then(|k| k.into_iter().next());
        let owner = one(self.owner.clone()).ok_or(Error::Unsaved { table: self.rel.owner.name, action })?;
        if target.is_new() {
            return Err(Error::Unsaved { table: T::TABLE.name, action });
        }
        let target = one(owner_key(target)).ok_or(Error::Unsaved { table: T::TABLE.name, action })?;
        Ok(Link { table: table.name, columns: [local, remote], values: [owner, target] })
    }

    /// Links `target` to the owner (Python's `collection.append(target)`): inserts one row
    /// in the association table. Linking twice is a [`Error::UniqueViolation`].
    pub fn add(&self, target: &T) -> Result<()> {
        let link = self.link(target, "link")?;
        let insert =
            Insert { table: link.table, columns: link.columns.to_vec(), rows: 1, conflict: None, returning: None };
        self.db.execute(&insert.render(self.db.dialect()), &link.values, link.table)?;
        Ok(())
    }

    /// Links every target, in one transaction (Python's `collection.extend(targets)`).
    pub fn extend<'t>(&self, targets: impl IntoIterator<Item = &'t T>) -> Result<()>
    where
        T: 't,
    {
        self.db.as_one_unit(|_| targets.into_iter().try_for_each(|t| self.add(t)))
    }

    /// Unlinks `target` (Python's `collection.remove(target)`); returns whether it was linked.
    pub fn remove(&self, target: &T) -> Result<bool> {
        let link = self.link(target, "unlink")?;
        let (mut sql, mut params) = (String::new(), Vec::with_capacity(2));
        Delete { table: link.table, rows: Rows::Where(link.row()) }.render(self.db.dialect(), &mut sql, &mut params);
        Ok(self.db.execute(&sql, &params, link.table)? > 0)
    }

    /// Whether `target` is linked to the owner.
    pub fn contains(&self, target: &T) -> Result<bool> {
        if self.owner.is_none() || target.is_new() {
            return Ok(false);
        }
        let link = self.link(target, "test")?;
        let (mut sql, mut params) = (String::new(), Vec::with_capacity(2));
        Exists { from: link.table, filter: link.row() }.render(self.db.dialect(), &mut sql, &mut params);
        Ok(self.db.query_i64(&sql, &params)? != 0)
    }
}

/// One row of a many-to-many's association table.
struct Link {
    table: &'static str,
    /// The owner's column, then the target's.
    columns: [&'static str; 2],
    values: [Value<'static>; 2],
}

impl Link {
    /// `local = ? AND remote = ?`: this row.
    fn row(&self) -> Cond<'static> {
        Cond::key(self.columns.into_iter().zip(self.values.iter().cloned()))
    }
}

/// The handle of a `#[has_one]` field (`user.profile(&db)`).
pub struct HasOneRef<'a, T> {
    pub(crate) db: &'a Db,
    pub(crate) rel: &'static RelationDef,
    pub(crate) owner: Option<Vec<Value<'static>>>,
    pub(crate) field: &'a HasOne<T>,
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
    pub(crate) fn orphan_others(&self, db: &Db, row: &T) -> Result<()> {
        let keep =
            (!row.is_new()).then(|| row.key().to_values().into_iter().map(Value::into_owned).collect::<Vec<_>>());
        // every row pointing at the owner: at most one, unless the key is not `UNIQUE`
        for old in self.scoped().map_or(Ok(Vec::new()), |q| q.all())? {
            if keep.as_ref().is_some_and(|k| *k == old.key().to_values()) {
                continue;
            }
            crate::orm::cascade::orphan(db, self.rel, &old)?;
        }
        Ok(())
    }

    /// Makes `row` the owner's one related row (Python's `user.profile = profile` and a
    /// commit), in one transaction: the row it replaces is taken out first — deleted under
    /// `delete-orphan`, otherwise unhooked (its key set to `NULL`), or [`Error::Orphan`] when
    /// the key is `NOT NULL` — so a `UNIQUE` foreign key never sees two rows. Then `row` is
    /// pointed at the owner and inserted, or updated if it exists.
    pub fn set(&self, row: &mut T) -> Result<()> {
        let (Join::Reverse { columns } | Join::Forward { columns }) = self.rel.join else {
            unreachable!("has-one handles are only built for `Join::Reverse`")
        };
        let owner =
            self.owner.as_ref().ok_or(Error::Unsaved { table: self.rel.owner.name, action: "set the row of" })?;
        self.db.as_one_unit(|db| {
            self.orphan_others(db, row)?;
            set_link(row, columns, owner)?;
            row.save(db)
        })
    }

    /// The related row, loaded on first use and kept in the owner's field.
    pub fn load(&self) -> Result<Option<&'a T>> {
        let field: &'a HasOne<T> = self.field;
        load_now(self.db, field, self.rel, || self.owner.clone())
    }
}

/// The handle of a `#[belongs_to]` field (`post.author(&db)`).
pub struct BelongsToRef<'a, P: Parent> {
    pub(crate) db: &'a Db,
    pub(crate) rel: &'static RelationDef,
    pub(crate) field: &'a BelongsTo<P>,
}

impl<'a, P: Parent> BelongsToRef<'a, P> {
    #[doc(hidden)]
    pub fn new(db: &'a Db, rel: &'static RelationDef, field: &'a BelongsTo<P>) -> Self {
        BelongsToRef { db, rel, field }
    }

    /// The parent row, loaded on first use and kept in the field: `&Parent` for a
    /// `NOT NULL` key (a missing row is [`Error::NotFound`]), `Option<&Parent>` for a nullable one.
    pub fn load(&self) -> Result<P::Loaded<'a>> {
        let field: &'a BelongsTo<P> = self.field;
        load_now(self.db, field, self.rel, || None)
    }

    /// The foreign key value.
    pub fn key(&self) -> &'a P::Fk {
        self.field.key()
    }
}
