//! The loader options users build: [`Rel`], a relationship path, and [`Eager`], one
//! relationship with its strategy, order, filter, limit and nested options.

use std::fmt;
use std::marker::PhantomData;

use crate::orm::db::Db;
use crate::orm::model::Model;
use crate::orm::options::{How, JoinedAcc, Load, Node, Path, Tree};
use crate::orm::relation::Slot;
use crate::schema::error::Result;
use crate::schema::reach::{Cons, Nil, NoLink, One, Within};
use crate::schema::RelationDef;
use crate::sql::expr::Core;
use crate::sql::expr::{Expr, Order};
use crate::sql::loading::{Joins, ModelRows};

/// A relationship of model `O` held in its field of type `F`, as a value: the argument of the
/// loader options and of the `any` / `has` filters. The derive emits one per relationship
/// field, named like the field in upper case: `User::POSTS`, `Post::AUTHOR`, `Post::TAGS`
/// (the lower-case name is the accessor method).
///
/// `L` is the association model of a many-to-many through one (`BookAuthor`), whose columns a
/// join, a loader option, an aggregate or `any` over the relationship may name; [`NoLink`]
/// otherwise.
pub struct Rel<O, F, L = NoLink> {
    pub(crate) def: &'static RelationDef,
    pub(crate) field: fn(&O) -> &F,
    _link: PhantomData<fn() -> L>,
}

impl<O, F, L> Clone for Rel<O, F, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<O, F, L> Copy for Rel<O, F, L> {}

impl<O, F, L> fmt::Debug for Rel<O, F, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rel({})", self.def.path())
    }
}

impl<O, F, L> Rel<O, F, L> {
    /// A relationship path (emitted by the derive).
    #[doc(hidden)]
    pub const fn new(def: &'static RelationDef, field: fn(&O) -> &F) -> Self {
        Rel { def, field, _link: PhantomData }
    }

    /// The path without its association model (what the loaders carry).
    pub(crate) fn unlinked(self) -> Rel<O, F> {
        Rel { def: self.def, field: self.field, _link: PhantomData }
    }
}

/// The model a relationship's field relates to: its [`Slot`]'s target, or a `lazy =
/// "dynamic"` relationship's (which has no field to fill).
pub trait RelTarget {
    /// The related model.
    type Target;
}

impl<F: Slot> RelTarget for F {
    type Target = F::Target;
}

impl<T> RelTarget for crate::orm::relation::Dynamic<T> {
    type Target = T;
}

/// The models a condition inside a relationship's subquery reaches: its target and its
/// association model. (The owner's row is in scope in SQL too; naming it is not checked at
/// compile time — a self-referential relationship's target is its owner's model, and inside
/// the subquery that model's columns are the target's — so such a condition is written
/// `.erase()`d and checked when the statement runs.)
pub(crate) type Inside<O, F, L> = Cons<<F as RelTarget>::Target, Cons<L, PhantomData<O>>>;

impl<O: Model, F: RelTarget, L> Rel<O, F, L> {
    /// What the derive says about the relationship.
    pub fn def(self) -> &'static RelationDef {
        self.def
    }

    /// The owners with at least one related row matching `condition` (SQLAlchemy's
    /// `User.posts.any(...)`): `User::POSTS.any(Post::title.eq("Flask Tips"))`. One correlated
    /// `EXISTS` subquery; conditions nest (`User::POSTS.any(Post::TAGS.any(...))`). The
    /// condition names columns of the related model, of a many-to-many's association model,
    /// or of the owner: checked at compile time.
    pub fn any<S, I>(self, condition: impl Into<Expr<S>>) -> Expr<One<O>>
    where
        S: Within<Inside<O, F, L>, I>,
    {
        Expr::exists(self.def, Some(condition.into().erase()))
    }

    /// The owners whose related row matches `condition` (SQLAlchemy's `Post.author.has(...)`),
    /// for to-one relationships; the same `EXISTS` as [`Rel::any`].
    pub fn has<S, I>(self, condition: impl Into<Expr<S>>) -> Expr<One<O>>
    where
        S: Within<Inside<O, F, L>, I>,
    {
        self.any(condition)
    }

    /// The owners with at least one related row at all.
    pub fn is_not_empty(self) -> Expr<One<O>> {
        Expr::exists(self.def, None)
    }
}

/// What a `subtreeload` runs, as functions of the option: set only by [`subtreeload`](super::subtreeload), whose
/// field holds rows of the owner's own type, so the subtree code is compiled only for the
/// models that load one (not for every relationship an option names).
pub(crate) struct OwnTree<O, F: Slot> {
    /// Loads the subtree below owners already read.
    pub(crate) load: LoadOwn<O, F>,
    /// Hangs the rows the owners' own statement brought under them.
    pub(crate) assemble: AssembleOwn<O, F>,
    /// Runs the owners' statement with the subtree in it.
    pub(crate) fetch: FetchOwn<O, F>,
    /// The option as a [`Tree`] its owners' statement can include (`Eager::as_tree`).
    pub(crate) tree: TreeOwn<O, F>,
}

/// [`OwnTree::tree`]: the option.
pub(crate) type TreeOwn<O, F> = for<'a> fn(&'a Eager<O, F>) -> Option<(&'static str, &'a dyn Tree<O>)>;

/// [`OwnTree::fetch`]: the option, the owners' statement, the options (this one at the index).
pub(crate) type FetchOwn<O, F> =
    fn(&Eager<O, F>, &Db, ModelRows<'_>, &[Load<O>], usize, &mut Path, Option<&Core>) -> Result<Vec<O>>;

/// [`OwnTree::load`]: the option and the owners.
pub(crate) type LoadOwn<O, F> = fn(&Eager<O, F>, &Db, &[O], &mut Path) -> Result<()>;

/// [`OwnTree::assemble`]: the owners, the rows below them and each row's parent key.
pub(crate) type AssembleOwn<O, F> =
    fn(&Eager<O, F>, &Db, &[O], Vec<O>, Vec<crate::orm::keys::KeyVal>, &mut Path) -> Result<()>;

impl<O, F: Slot> Clone for OwnTree<O, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O, F: Slot> Copy for OwnTree<O, F> {}

/// One loader option, typed by the relationship it loads: built by [`joinedload`],
/// [`selectinload`] and friends, refined by nesting ([`Eager::then`], [`Eager::selectinload`],
/// [`Eager::joinedload`]) and per-owner limits ([`Eager::order_by`], [`Eager::limit`]), and
/// given to [`Query::options`](crate::orm::query::Query::options).
///
/// `L`: the relationship's association model, whose columns `filter` and `order_by` may name
/// beside the target's (checked at compile time).
pub struct Eager<O, F: Slot, L = NoLink> {
    pub(crate) rel: Rel<O, F>,
    pub(crate) how: How,
    pub(crate) nested: Vec<Load<F::Target>>,
    pub(crate) order: Vec<Order>,
    pub(crate) filter: Vec<Expr>,
    pub(crate) limit: Option<u64>,
    /// The related model's columns its rows leave out (bit `i`: column `i`); `None`: its
    /// deferred ones.
    pub(crate) deferred: Option<u64>,
    /// For `subtreeload`: fills the field with rows of the owner's own type.
    pub(crate) own_tree: Option<OwnTree<O, F>>,
    /// Adds the relationship to its owners' statement: set only where the option may load
    /// joined ([`joinedload`], a relationship declared `lazy = "joined"`), so that the joined
    /// loader is compiled only for the relationships that can use it.
    pub(crate) join: Option<JoinOwn<O, F>>,
    pub(crate) _link: PhantomData<fn() -> L>,
}

/// [`Eager::join`]: the option, the owners' statement's joins, the owners' alias.
pub(crate) type JoinOwn<O, F> = fn(&Eager<O, F>, &Db, &mut Joins, &str, &mut Path) -> Box<dyn JoinedAcc<O>>;

impl<O: Model, F: Slot, L> Eager<O, F, L> {
    pub(super) fn new(rel: Rel<O, F, L>, how: How) -> Self {
        Eager {
            rel: rel.unlinked(),
            how,
            nested: Vec::new(),
            order: Vec::new(),
            filter: Vec::new(),
            limit: None,
            deferred: None,
            own_tree: None,
            join: None,
            _link: PhantomData,
        }
    }

    /// The option, able to load joined.
    fn joining(self) -> Self {
        Eager { join: Some(Eager::join_into), ..self }
    }

    /// The option without its association model (what the loaders run).
    pub(crate) fn unlinked(self) -> Eager<O, F> {
        let Eager { rel, how, nested, order, filter, limit, deferred, own_tree, join, .. } = self;
        Eager { rel, how, nested, order, filter, limit, deferred, own_tree, join, _link: PhantomData }
    }

    /// Loads a relationship of the related rows too: `selectinload(User::POSTS)
    /// .then(joinedload(Post::COMMENTS).then(joinedload(Comment::AUTHOR)))` — to any depth,
    /// each level with its own strategy. Call it again for siblings.
    pub fn then(mut self, nested: impl Into<Load<F::Target>>) -> Self {
        self.nested.push(nested.into());
        self
    }

    /// `.then(joinedload(rel))`.
    pub fn joinedload<G: Slot, L2>(self, rel: Rel<F::Target, G, L2>) -> Self {
        self.then(joinedload(rel))
    }

    /// `.then(selectinload(rel))`.
    pub fn selectinload<G: Slot, L2>(self, rel: Rel<F::Target, G, L2>) -> Self {
        self.then(selectinload(rel))
    }

    /// `.then(subqueryload(rel))`.
    pub fn subqueryload<G: Slot, L2>(self, rel: Rel<F::Target, G, L2>) -> Self {
        self.then(subqueryload(rel))
    }

    /// `.then(raiseload(rel))`.
    pub fn raiseload<G: Slot, L2>(self, rel: Rel<F::Target, G, L2>) -> Self {
        self.then(raiseload(rel))
    }

    /// Orders each owner's related rows (default: by key). A many-to-many's rows can be
    /// ordered by a column of its association model too:
    /// `selectinload(Book::AUTHORS).order_by(BookAuthor::position)`.
    pub fn order_by<S, I>(mut self, order: impl Into<Order<S>>) -> Self
    where
        S: Within<Cons<F::Target, Cons<L, Nil>>, I>,
    {
        self.order.push(order.into().erase());
        self
    }

    /// Loads only the related rows matching `condition` (SQLAlchemy's
    /// `selectinload(User.posts.and_(...))`): the collection then holds those rows alone. The
    /// condition may name the columns of a many-to-many's association model. A filtered
    /// `joinedload` runs as `selectinload`.
    pub fn filter<S, I>(mut self, condition: impl Into<Expr<S>>) -> Self
    where
        S: Within<Cons<F::Target, Cons<L, Nil>>, I>,
    {
        self.filter.push(condition.into().erase());
        self
    }

    /// Loads the related rows' [`Deferred`](crate::Deferred) column `column` with them
    /// (SQLAlchemy's `selectinload(User.posts).undefer(Post.body)`):
    /// `selectinload(User::POSTS).undefer(Post::body)`. A column that is not deferred is loaded
    /// anyway. A `subtreeload`'s rows are the query's own model: the query's `undefer` loads
    /// them.
    pub fn undefer<T>(mut self, column: crate::orm::query::Col<F::Target, T>) -> Self {
        self.deferred = Some(self.rel.def.target.undeferring(self.deferred, column.name()));
        self
    }

    /// Loads every [`Deferred`](crate::Deferred) column of the related rows with them.
    pub fn undefer_all(mut self) -> Self {
        self.deferred = Some(0);
        self
    }

    /// Loads at most `n` related rows per owner — "each user's 3 latest posts":
    /// `selectinload(User::POSTS).order_by(Post::created_at.desc()).limit(3)`. One statement
    /// for all owners, with a `row_number()` window. A limited or ordered `joinedload` runs as
    /// `selectinload`, so that the owners' statement stays one row per related row.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }
}

/// Loads the relationship in the owners' own statement, with a `LEFT OUTER JOIN`
/// (SQLAlchemy's `joinedload`). Owners are de-duplicated; a `LIMIT`/`OFFSET` on the owners'
/// query moves into a subquery so that no collection is cut short.
pub fn joinedload<O: Model, F: Slot, L>(rel: Rel<O, F, L>) -> Eager<O, F, L> {
    Eager::new(rel, How::Joined).joining()
}

/// Loads the relationship for all owners with one more statement, `... WHERE fk IN (...)`
/// (SQLAlchemy's `selectinload`).
pub fn selectinload<O: Model, F: Slot, L>(rel: Rel<O, F, L>) -> Eager<O, F, L> {
    Eager::new(rel, How::Selectin)
}

/// Loads the relationship for all owners with one more statement that repeats the owners'
/// query as a subquery (SQLAlchemy's `subqueryload`). Below the first level, where no owners'
/// query exists, it lists the owners' keys as `selectinload` does.
pub fn subqueryload<O: Model, F: Slot, L>(rel: Rel<O, F, L>) -> Eager<O, F, L> {
    Eager::new(rel, How::Subquery)
}

/// Leaves the relationship to load lazily on first use, overriding an eager `lazy = ...`
/// declared on it (SQLAlchemy's `lazyload`).
pub fn lazyload<O: Model, F: Slot, L>(rel: Rel<O, F, L>) -> Eager<O, F, L> {
    Eager::new(rel, How::Lazy)
}

/// Makes a lazy load of the relationship an [`Error::NotLoaded`](crate::schema::error::Error::NotLoaded) on
/// the rows this query returns (SQLAlchemy's `raiseload`): a test that the code under it loads
/// everything it touches eagerly.
pub fn raiseload<O: Model, F: Slot, L>(rel: Rel<O, F, L>) -> Eager<O, F, L> {
    Eager::new(rel, How::Raise)
}

impl<O: Model, F: Slot, L> From<Eager<O, F, L>> for Load<O> {
    fn from(e: Eager<O, F, L>) -> Self {
        Load(std::sync::Arc::new(e.unlinked()))
    }
}

impl<O: Model, F: Slot> From<Rel<O, F>> for Load<O> {
    /// A relationship by itself loads with its declared strategy, or `selectin` if it is
    /// declared lazy.
    fn from(rel: Rel<O, F>) -> Self {
        match How::of(rel.def.lazy) {
            How::Lazy | How::Raise => Eager::new(rel, How::Selectin).into(),
            How::Joined => Eager::new(rel, How::Joined).joining().into(),
            how => Eager::new(rel, how).into(),
        }
    }
}

impl<O: Model> Load<O> {
    /// The option a relationship's declared `lazy` strategy implies, if it is an eager one
    /// (emitted by the derive for `Model::default_loads`).
    #[doc(hidden)]
    pub fn declared<F: Slot>(rel: Rel<O, F>) -> Option<Load<O>> {
        match How::of(rel.def.lazy) {
            How::Lazy | How::Raise => None,
            How::Joined => Some(Eager::new(rel, How::Joined).joining().into()),
            how => Some(Eager::new(rel, how).into()),
        }
    }
}

impl<O: Model, F: Slot> Node<O> for Eager<O, F> {
    fn def(&self) -> &'static RelationDef {
        self.rel.def
    }

    fn how(&self) -> How {
        self.how
    }

    fn limited(&self) -> bool {
        self.limit.is_some() || !self.order.is_empty() || !self.filter.is_empty()
    }

    fn joins(&self) -> bool {
        self.join.is_some()
    }

    fn joined(&self, db: &Db, js: &mut Joins, owner_alias: &str, path: &mut Path) -> Option<Box<dyn JoinedAcc<O>>> {
        self.join.map(|join| join(self, db, js, owner_alias, path))
    }

    fn tree(&self) -> Option<(&'static str, &dyn Tree<O>)> {
        self.own_tree.and_then(|own| (own.tree)(self))
    }

    fn after(&self, db: &Db, owners: &[O], owner_query: Option<&Core>, path: &mut Path) -> Result<()> {
        match self.how {
            How::Raise => {
                owners.iter().for_each(|o| (self.rel.field)(o).refuse_lazy_load());
                Ok(())
            }
            How::Lazy => Ok(()),
            How::Subtree => self.subtree(db, owners, path),
            How::Subquery => self.select_in(db, owners, owner_query, path),
            How::Selectin | How::Joined => self.select_in(db, owners, None, path),
        }
    }
}
