//! Typed queries: column handles ([`Col`]), joins through relationships ([`Alias`]) and
//! [`Query`]; the conditions and terms they build are in the SQL builder's expression tree.

use std::marker::PhantomData;

use crate::orm::db::Db;
use crate::orm::options::Load;
use crate::schema::reach::{Nil, One};
use crate::sql::expr::{Core, Expr, Node, Scalar, Subquery};

/// A typed handle on a column of model `M` holding `T`; the derive emits one per column as an
/// associated constant named like the column (`User::username`, `Post::user_id`). Through an
/// [`Alias`] it names the column of a joined copy of the table (`boss.col(Employee::name)`).
pub struct Col<M, T> {
    table: &'static str,
    name: &'static str,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Col<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T> Copy for Col<M, T> {}

impl<M, T> std::fmt::Debug for Col<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Col({})", self.name)
    }
}

impl<M, T> Col<M, T> {
    /// A handle on the column named `name` of `table`, `M`'s table (emitted by the derive).
    #[doc(hidden)]
    pub const fn new(table: &'static str, name: &'static str) -> Self {
        Col { table, name, _marker: PhantomData }
    }

    /// The column's SQL name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The table the column is read from: the model's, or an alias.
    pub(crate) fn table(&self) -> &'static str {
        self.table
    }

    /// `column IN (SELECT ...)`, the keys a subquery selects: for example the keys of a
    /// relationship's rows, `Post::user_id.in_subquery(alice.followed(&db).keys())`.
    pub fn in_subquery(self, keys: Subquery) -> Expr<One<M>> {
        Expr::new(Node::InSubquery { term: Scalar::Column { table: self.table, column: self.name }, sub: keys })
    }
}

/// A second name for a model's table inside one query, so that the table can be joined to
/// itself (employees with their manager): `let boss = Employee::alias("boss")`, then
/// `.outer_join_as(Employee::MANAGER, boss)` and `boss.col(Employee::name)`.
pub struct Alias<M> {
    name: &'static str,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Alias<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Alias<M> {}

impl<M> std::fmt::Debug for Alias<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Alias({})", self.name)
    }
}

impl<M> Alias<M> {
    /// The table of `M` under `name` (quoted by the dialect, like every identifier).
    pub const fn new(name: &'static str) -> Self {
        Alias { name, _marker: PhantomData }
    }

    /// The alias's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// A `SELECT` over one model's table: filters, joins, order, limit and offset, run by `all`,
/// `first`, `count` or `exists`, or turned into a [`Projection`](crate::orm::project::Projection) by
/// `select`. Built by `M::query(&db)` or by a relationship accessor. Without
/// [`Query::order_by`], rows come in key order on every backend (SQLAlchemy leaves the order to
/// the database; [`Query::unordered`] does too).
///
/// `C` is the connection it runs on: a [`Db`], or with the `tokio` feature an `AsyncDb`, whose
/// `all`, `first`, `count`... are awaited (`adb.query::<User>()`); the builder methods are the
/// same for both.
///
/// `J` lists the models its joins reach (see [`reach`](crate::schema::reach)): a condition, an order or
/// a selection naming a column of a model the query neither selects nor joins does not
/// compile.
#[must_use = "a query does nothing until `all`, `first`, `count` or `exists` runs it"]
pub struct Query<'db, M, C: ?Sized = Db, J = Nil> {
    pub(crate) db: &'db C,
    pub(crate) loads: Vec<Load<M>>,
    pub(crate) core: Core,
    pub(crate) _model: PhantomData<fn() -> (M, J)>,
}

impl<M, C: ?Sized, J> Clone for Query<'_, M, C, J> {
    fn clone(&self) -> Self {
        Query { db: self.db, loads: self.loads.clone(), core: self.core.clone(), _model: PhantomData }
    }
}
