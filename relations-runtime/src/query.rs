//! Typed queries: column handles ([`Col`]), conditions ([`Expr`]), ordering, joins through
//! relationships ([`Alias`]) and [`Query`].

use std::marker::PhantomData;

use crate::db::Db;
use crate::dialect::Dialect;
use crate::model::Model;
use crate::options::Load;
use crate::schema::{ColumnDef, OrderBy, RelationDef, Table};
use crate::sql::{column, declared_order, in_list, relation_join};
use crate::term::{scoped, Operand, Scalar, Scope, Term};
use crate::value::{Bind, Value};

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
    pub fn in_subquery(self, keys: Subquery) -> Expr {
        Expr(Node::InSubquery { term: Scalar::Column { table: self.table, column: self.name }, sub: keys })
    }
}

impl<M: Model, T> Col<M, T> {
    /// The column's declaration in `M`'s table.
    pub(crate) fn def(&self) -> &'static ColumnDef {
        let columns: &'static [ColumnDef] = M::TABLE.columns;
        columns.iter().find(|c| c.name == self.name).expect("the derive names an existing column")
    }

    /// The column as a [`Term`], for what only terms do (`Post::views.term().cast::<f64>()`).
    pub fn term(self) -> Term<T> {
        Operand::term(self)
    }

    /// The number of rows where the column is not `NULL`: `count(column)`.
    pub fn count(self) -> Term<i64> {
        self.term().count()
    }
    /// The number of distinct non-`NULL` values: `count(DISTINCT column)`.
    pub fn count_distinct(self) -> Term<i64> {
        self.term().count_distinct()
    }
    /// The smallest value (`None` over no rows).
    pub fn min(self) -> Term<<T as crate::term::Nullable>::Option>
    where
        T: crate::term::Nullable,
    {
        self.term().min()
    }
    /// The largest value (`None` over no rows).
    pub fn max(self) -> Term<<T as crate::term::Nullable>::Option>
    where
        T: crate::term::Nullable,
    {
        self.term().max()
    }
    /// The sum (`None` over no rows).
    pub fn sum(self) -> Term<<T as crate::term::Numeric>::Sum>
    where
        T: crate::term::Numeric,
    {
        self.term().sum()
    }
    /// The mean (`None` over no rows).
    pub fn avg(self) -> Term<<T as crate::term::Numeric>::Avg>
    where
        T: crate::term::Numeric,
    {
        self.term().avg()
    }
    /// `coalesce(column, fallback)`: the value, or `fallback` where it is `NULL`.
    pub fn or_else<U>(self, fallback: impl Operand<U>) -> Term<U>
    where
        T: crate::term::Nullable<Inner = U>,
    {
        self.term().or_else(fallback)
    }
    /// `lower(column)`.
    pub fn lower(self) -> Term<T>
    where
        T: crate::term::Text,
    {
        self.term().lower()
    }
    /// `upper(column)`.
    pub fn upper(self) -> Term<T>
    where
        T: crate::term::Text,
    {
        self.term().upper()
    }
}

/// The comparisons, shared by column handles and terms: one list, two receivers.
macro_rules! comparisons {
    (impl[$($generics:tt)*] $ty:ty, $t:ident) => {
        impl<$($generics)*> $ty {
            /// `x = value` (a value, a column or a term).
            pub fn eq(self, value: impl Operand<$t>) -> Expr {
                self.term().compare("=", value.term().node)
            }
            /// `x != value`.
            pub fn ne(self, value: impl Operand<$t>) -> Expr {
                self.term().compare("!=", value.term().node)
            }
            /// `x < value`.
            pub fn lt(self, value: impl Operand<$t>) -> Expr {
                self.term().compare("<", value.term().node)
            }
            /// `x <= value`.
            pub fn le(self, value: impl Operand<$t>) -> Expr {
                self.term().compare("<=", value.term().node)
            }
            /// `x > value`.
            pub fn gt(self, value: impl Operand<$t>) -> Expr {
                self.term().compare(">", value.term().node)
            }
            /// `x >= value`.
            pub fn ge(self, value: impl Operand<$t>) -> Expr {
                self.term().compare(">=", value.term().node)
            }
            /// `x BETWEEN low AND high`, both ends included.
            pub fn between(self, low: impl Operand<$t>, high: impl Operand<$t>) -> Expr {
                Expr(Node::Between { term: self.term().node, low: low.term().node, high: high.term().node })
            }
            /// `x LIKE pattern`. SQLite compares ASCII letters without case, PostgreSQL with
            /// case: use [`ilike`](Self::ilike) for the same answer on both.
            pub fn like(self, pattern: &str) -> Expr {
                self.term().compare("LIKE", Scalar::Bound(Value::Text(pattern.to_owned().into())))
            }
            /// `x LIKE pattern` without case (SQLAlchemy's `ilike`): PostgreSQL's `ILIKE`,
            /// `lower(x) LIKE lower(pattern)` on SQLite.
            pub fn ilike(self, pattern: &str) -> Expr {
                let pattern = Scalar::Bound(Value::Text(pattern.to_owned().into()));
                Expr(Node::ILike { term: self.term().node, pattern })
            }
            /// `x IS NULL` (SQLAlchemy's `.is_(None)`).
            pub fn is_null(self) -> Expr {
                Expr(Node::Null { term: self.term().node, negated: false })
            }
            /// `x IS NOT NULL`.
            pub fn is_not_null(self) -> Expr {
                Expr(Node::Null { term: self.term().node, negated: true })
            }
            /// `x IN (values...)`; an empty list matches nothing.
            pub fn is_in<V: Bind<$t>>(self, values: impl IntoIterator<Item = V>) -> Expr {
                let values = values.into_iter().map(Bind::bind).collect();
                Expr(Node::In { term: self.term().node, values, negated: false })
            }
            /// `x NOT IN (values...)`; an empty list matches every row. A `NULL` is in no list
            /// and out of none: its row matches neither `is_in` nor `not_in`, as in SQL.
            pub fn not_in<V: Bind<$t>>(self, values: impl IntoIterator<Item = V>) -> Expr {
                let values = values.into_iter().map(Bind::bind).collect();
                Expr(Node::In { term: self.term().node, values, negated: true })
            }
            /// `x IN (SELECT ...)`: the values a one-column projection selects
            /// (`Post::user_id.in_query(User::query(&db).filter(..).select(User::id))`).
            pub fn in_query<N>(self, query: crate::project::Projection<'_, N, $t>) -> Expr {
                Expr(Node::InSelect { term: self.term().node, sub: Box::new(query.core), negated: false })
            }
            /// `x NOT IN (SELECT ...)`.
            pub fn not_in_query<N>(self, query: crate::project::Projection<'_, N, $t>) -> Expr {
                Expr(Node::InSelect { term: self.term().node, sub: Box::new(query.core), negated: true })
            }
            /// Ascending order on this.
            pub fn asc(self) -> Order {
                Order { term: self.term().node, descending: false }
            }
            /// Descending order on this.
            pub fn desc(self) -> Order {
                Order { term: self.term().node, descending: true }
            }
        }
    };
}
comparisons!(impl[M: Model, T] Col<M, T>, T);
comparisons!(impl[T] Term<T>, T);

/// An `ORDER BY` term: a column or a term, ascending or descending.
#[derive(Debug, Clone)]
pub struct Order {
    pub(crate) term: Scalar,
    pub(crate) descending: bool,
}

impl Order {
    /// `"table"."column" [DESC]`.
    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        self.render_in(d, sql, params, &mut Vec::new());
    }

    fn render_in(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>, scope: &mut Scope) {
        self.term.render(d, sql, params, scope);
        if self.descending {
            sql.push_str(" DESC");
        }
    }
}

impl<M: Model, T> From<Col<M, T>> for Order {
    fn from(c: Col<M, T>) -> Order {
        c.asc()
    }
}

impl<T> From<Term<T>> for Order {
    fn from(t: Term<T>) -> Order {
        t.asc()
    }
}

/// `SELECT column FROM table WHERE filter = ? [AND ...]`: the keys of a relationship's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    pub(crate) table: &'static str,
    pub(crate) select: &'static str,
    /// The columns tested, each against its value: one, or a composite foreign key's.
    pub(crate) filter: &'static [&'static str],
    pub(crate) values: Vec<Value<'static>>,
}

/// A condition for [`Query::filter`]; combine with [`Expr::and`], [`Expr::or`], [`Expr::not`].
#[derive(Debug, Clone)]
pub struct Expr(Node);

#[derive(Debug, Clone)]
enum Node {
    Compare {
        left: Scalar,
        op: &'static str,
        right: Scalar,
    },
    Null {
        term: Scalar,
        negated: bool,
    },
    In {
        term: Scalar,
        values: Vec<Value<'static>>,
        negated: bool,
    },
    InSubquery {
        term: Scalar,
        sub: Subquery,
    },
    InSelect {
        term: Scalar,
        sub: Box<Core>,
        negated: bool,
    },
    Between {
        term: Scalar,
        low: Scalar,
        high: Scalar,
    },
    ILike {
        term: Scalar,
        pattern: Scalar,
    },
    /// `EXISTS` a related row of the relationship (matching the condition).
    Exists {
        rel: &'static RelationDef,
        condition: Option<Box<Expr>>,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

impl Expr {
    /// Both conditions.
    pub fn and(self, other: Expr) -> Expr {
        Expr(Node::And(vec![self, other]))
    }
    /// Either condition.
    pub fn or(self, other: Expr) -> Expr {
        Expr(Node::Or(vec![self, other]))
    }
    /// The negated condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr {
        Expr(Node::Not(Box::new(self)))
    }

    pub(crate) fn compare(left: Scalar, op: &'static str, right: Scalar) -> Expr {
        Expr(Node::Compare { left, op, right })
    }

    /// `table.column = value` on an untyped column (relationship scopes use it).
    pub(crate) fn column_eq(table: &'static str, column: &'static str, value: Value<'static>) -> Expr {
        Expr::compare(Scalar::Column { table, column }, "=", Scalar::Bound(value))
    }

    /// A condition no row matches (the related rows of an owner that was never inserted).
    pub(crate) fn nothing() -> Expr {
        Expr(Node::In { term: Scalar::CountAll, values: Vec::new(), negated: false })
    }

    pub(crate) fn in_subquery(table: &'static str, column: &'static str, sub: Subquery) -> Expr {
        Expr(Node::InSubquery { term: Scalar::Column { table, column }, sub })
    }

    pub(crate) fn exists(rel: &'static RelationDef, condition: Option<Expr>) -> Expr {
        Expr(Node::Exists { rel, condition: condition.map(Box::new) })
    }

    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        self.render_in(d, sql, params, &mut Vec::new());
    }

    /// Renders the condition; `scope` maps the tables of enclosing subqueries to their
    /// aliases (the innermost wins), so that a self-referential `any` correlates correctly.
    pub(crate) fn render_in(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        match &self.0 {
            Node::Compare { left, op, right } => {
                left.render(d, sql, params, scope);
                sql.push(' ');
                sql.push_str(op);
                sql.push(' ');
                right.render(d, sql, params, scope);
            }
            Node::Null { term, negated } => {
                term.render(d, sql, params, scope);
                sql.push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Node::In { values, negated, .. } if values.is_empty() => {
                sql.push_str(if *negated { "1 = 1" } else { "0 = 1" });
            }
            Node::In { term, values, negated } if values.len() > d.max_inline_list() => {
                // one parameter however long the list: no bind limit, one cached statement
                if *negated {
                    sql.push_str("NOT (");
                }
                term.render(d, sql, params, scope);
                params.push(Value::List(values.iter().cloned().collect()));
                d.in_bound_list(params.len(), sql);
                if *negated {
                    sql.push(')');
                }
            }
            Node::In { term, values, negated } => {
                term.render(d, sql, params, scope);
                if *negated {
                    sql.push_str(" NOT");
                }
                in_list(d, values.iter().cloned(), sql, params);
            }
            Node::InSubquery { term, sub } => {
                term.render(d, sql, params, scope);
                sql.push_str(" IN (SELECT ");
                column(d, scoped(scope, sub.table), sub.select, sql);
                sql.push_str(" FROM ");
                d.quote(sub.table, sql);
                sql.push_str(" WHERE ");
                for (i, (c, v)) in sub.filter.iter().zip(&sub.values).enumerate() {
                    if i > 0 {
                        sql.push_str(" AND ");
                    }
                    column(d, scoped(scope, sub.table), c, sql);
                    sql.push_str(" = ");
                    params.push(v.clone());
                    d.placeholder(params.len(), sql);
                }
                sql.push(')');
            }
            Node::InSelect { term, sub, negated } => {
                term.render(d, sql, params, scope);
                sql.push_str(if *negated { " NOT IN (" } else { " IN (" });
                sub.render_select(d, sql, params, scope);
                sql.push(')');
            }
            Node::Between { term, low, high } => {
                term.render(d, sql, params, scope);
                sql.push_str(" BETWEEN ");
                low.render(d, sql, params, scope);
                sql.push_str(" AND ");
                high.render(d, sql, params, scope);
            }
            Node::ILike { term, pattern } => match d.ilike() {
                Some(op) => {
                    term.render(d, sql, params, scope);
                    sql.push(' ');
                    sql.push_str(op);
                    sql.push(' ');
                    pattern.render(d, sql, params, scope);
                }
                None => {
                    sql.push_str("lower(");
                    term.render(d, sql, params, scope);
                    sql.push_str(") LIKE lower(");
                    pattern.render(d, sql, params, scope);
                    sql.push(')');
                }
            },
            Node::Exists { rel, condition } => {
                let owner = scoped(scope, rel.owner.name).to_owned();
                let alias = format!("relations_e{}", scope.len() + 1);
                let target = rel.target;
                sql.push_str("EXISTS (SELECT 1 FROM ");
                let j = relation_join(d, rel.join, rel.owner, &owner, target, &alias);
                sql.push_str(&j.from);
                sql.push_str(" WHERE ");
                sql.push_str(&j.on);
                if let Some(c) = condition {
                    sql.push_str(" AND ");
                    scope.push((target.name, alias));
                    c.render_in(d, sql, params, scope);
                    scope.pop();
                }
                sql.push(')');
            }
            Node::And(items) | Node::Or(items) => {
                let sep = if matches!(self.0, Node::And(_)) { " AND " } else { " OR " };
                sql.push('(');
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(sep);
                    }
                    e.render_in(d, sql, params, scope);
                }
                sql.push(')');
            }
            Node::Not(e) => {
                sql.push_str("NOT (");
                e.render_in(d, sql, params, scope);
                sql.push(')');
            }
        }
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

impl<M: Model> Alias<M> {
    /// The table of `M` under `name` (quoted by the dialect, like every identifier).
    pub const fn new(name: &'static str) -> Self {
        Alias { name, _marker: PhantomData }
    }

    /// The alias's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `column` of the aliased table.
    pub fn col<T>(&self, column: Col<M, T>) -> Col<M, T> {
        Col::new(self.name, column.name)
    }
}

/// One join of a query: a relationship from a table already in the query (under `owner`) to
/// its target (under `alias`).
#[derive(Debug, Clone)]
pub(crate) struct JoinClause {
    pub(crate) rel: &'static RelationDef,
    pub(crate) owner: &'static str,
    pub(crate) alias: &'static str,
    pub(crate) outer: bool,
}

/// What a `SELECT` says, without the connection that runs it: the model's table with its
/// joins, filters, order, limit and offset, and for a projection its columns, grouping and
/// `DISTINCT`. A subquery is one of these inside another statement.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    pub(crate) table: &'static Table,
    pub(crate) joins: Vec<JoinClause>,
    pub(crate) filters: Vec<Expr>,
    pub(crate) order: Vec<Order>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    /// The order when no `order_by` is given (a relationship's rows): these terms, then the
    /// key.
    pub(crate) key_order: Option<&'static [OrderBy]>,
    /// A projection's columns; none for model rows.
    pub(crate) columns: Vec<Scalar>,
    pub(crate) distinct: bool,
    pub(crate) group_by: Vec<Scalar>,
    pub(crate) having: Vec<Expr>,
    /// Why the query cannot run (a join from a table it does not have), reported when it runs.
    pub(crate) invalid: Option<String>,
}

impl Core {
    pub(crate) fn new(table: &'static Table) -> Core {
        Core {
            table,
            joins: Vec::new(),
            filters: Vec::new(),
            order: Vec::new(),
            limit: None,
            offset: None,
            // rows come in key order unless ordered otherwise, on every backend
            key_order: Some(&[]),
            columns: Vec::new(),
            distinct: false,
            group_by: Vec::new(),
            having: Vec::new(),
            invalid: None,
        }
    }

    /// The query's error, if it cannot run.
    pub(crate) fn check(&self) -> crate::Result<()> {
        match &self.invalid {
            Some(message) => Err(crate::Error::InvalidQuery { table: self.table.name, message: message.clone() }),
            None => Ok(()),
        }
    }

    /// Adds a join along `rel`, from the table `rel` starts at, to its target under `alias`.
    pub(crate) fn join(
        &mut self,
        rel: &'static RelationDef,
        from: Option<&'static str>,
        alias: Option<&'static str>,
        outer: bool,
    ) {
        let owner = match from {
            Some(from) => Some(from),
            // the query's own table, else the latest join to the relationship's owner
            None if rel.owner.name == self.table.name => Some(self.table.name),
            None => self.joins.iter().rev().find(|j| j.rel.target.name == rel.owner.name).map(|j| j.alias),
        };
        let Some(owner) = owner else {
            self.invalid.get_or_insert_with(|| {
                format!(
                    "`{}` starts at `{}`, which the query neither selects nor has joined; join a relationship to `{}` first",
                    rel.path(),
                    rel.owner.name,
                    rel.owner.name
                )
            });
            return;
        };
        let alias = alias.unwrap_or(rel.target.name);
        let taken = alias == self.table.name || self.joins.iter().any(|j| j.alias == alias);
        if taken {
            self.invalid.get_or_insert_with(|| {
                format!(
                    "`{}` would join `{}` a second time under the same name; give it an alias with `join_as(.., {}::alias(\"..\"))`",
                    rel.path(),
                    alias,
                    rel.target.name
                )
            });
            return;
        }
        self.joins.push(JoinClause { rel, owner, alias, outer });
    }

    /// `"table" [JOIN "target" AS "alias" ON ...]...`.
    pub(crate) fn render_from(&self, d: &dyn Dialect, sql: &mut String) {
        d.quote(self.table.name, sql);
        for j in &self.joins {
            let rj = relation_join(d, j.rel.join, j.rel.owner, j.owner, j.rel.target, j.alias);
            sql.push_str(if j.outer { " LEFT OUTER JOIN " } else { " JOIN " });
            if rj.through {
                sql.push('(');
                sql.push_str(&rj.from);
                sql.push(')');
            } else {
                sql.push_str(&rj.from);
            }
            sql.push_str(" ON ");
            sql.push_str(&rj.on);
        }
    }

    /// The filters, ANDed.
    pub(crate) fn render_filter(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        for (i, f) in self.filters.iter().enumerate() {
            if i > 0 {
                sql.push_str(" AND ");
            }
            f.render_in(d, sql, params, scope);
        }
    }

    /// The `ORDER BY` terms: the ones given, else the default order (when there is one).
    pub(crate) fn render_order(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        for (i, o) in self.order.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            o.render_in(d, sql, params, scope);
        }
        if let (true, Some(terms)) = (self.order.is_empty(), self.key_order) {
            declared_order(d, self.table, self.table.name, terms, sql);
        }
    }

    /// `LIMIT ? [OFFSET ?]`, binding both.
    pub(crate) fn render_tail(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        if self.limit.is_none() && self.offset.is_none() {
            return;
        }
        let mut bind = |n: u64| {
            params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
            params.len()
        };
        let limit = self.limit.map(&mut bind);
        let offset = self.offset.map(&mut bind);
        d.limit_offset(limit, offset, sql);
    }

    /// The whole `SELECT` of a projection (or of the model's columns when it selects none).
    pub(crate) fn render_select(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        sql.push_str(if self.distinct { "SELECT DISTINCT " } else { "SELECT " });
        if self.columns.is_empty() {
            crate::sql::select_list(d, self.table, sql);
        }
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            c.render(d, sql, params, scope);
        }
        sql.push_str(" FROM ");
        self.render_from(d, sql);
        if !self.filters.is_empty() {
            sql.push_str(" WHERE ");
            self.render_filter(d, sql, params, scope);
        }
        for (i, g) in self.group_by.iter().enumerate() {
            sql.push_str(if i == 0 { " GROUP BY " } else { ", " });
            g.render(d, sql, params, scope);
        }
        for (i, h) in self.having.iter().enumerate() {
            sql.push_str(if i == 0 { " HAVING " } else { " AND " });
            h.render_in(d, sql, params, scope);
        }
        let mut order = String::new();
        self.render_order(d, &mut order, params, scope);
        if !order.is_empty() {
            sql.push_str(" ORDER BY ");
            sql.push_str(&order);
        }
        let mut tail = String::new();
        self.render_tail(d, &mut tail, params);
        if !tail.is_empty() {
            sql.push(' ');
            sql.push_str(&tail);
        }
    }
}

/// A `SELECT` over one model's table: filters, joins, order, limit and offset, run by `all`,
/// `first`, `count` or `exists`, or turned into a [`Projection`](crate::Projection) by
/// `select`. Built by `M::query(&db)` or by a relationship accessor. Without
/// [`Query::order_by`], rows come in key order on every backend (SQLAlchemy leaves the order to
/// the database; [`Query::unordered`] does too).
#[must_use = "a query does nothing until `all`, `first`, `count` or `exists` runs it"]
pub struct Query<'db, M> {
    pub(crate) db: &'db Db,
    pub(crate) loads: Vec<Load<M>>,
    pub(crate) core: Core,
    pub(crate) _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Query<'_, M> {
    fn clone(&self) -> Self {
        Query { db: self.db, loads: self.loads.clone(), core: self.core.clone(), _model: PhantomData }
    }
}
