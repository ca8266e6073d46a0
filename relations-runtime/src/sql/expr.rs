//! The SQL builder's expression tree, untyped and without a connection: [`Expr`] (a
//! condition), [`Order`], the scalar expressions under every typed column and term, and the
//! description of a whole `SELECT` (a query, a projection, a subquery), each rendered through
//! a [`Dialect`] with its values bound as parameters. The typed front ends — column handles,
//! terms, queries — build these.

use std::marker::PhantomData;

use crate::dialect::{Dialect, Placement};
use crate::schema::reach::{Both, Dyn};
use crate::schema::value::Value;
use crate::schema::{Join, OrderBy, RelationDef, SqlType, Table};
use crate::sql::{column, declared_order, in_list, relation_join};

/// The untyped tree under the ORM's typed `Term`.
#[derive(Debug, Clone)]
pub(crate) enum Scalar {
    /// `"table"."column"` (the table's name, or an alias).
    Column { table: &'static str, column: &'static str },
    /// A bound parameter.
    Bound(Value<'static>),
    /// `count(*)`.
    CountAll,
    /// `func(args...)`.
    Call { func: Func, args: Vec<Scalar> },
    /// `(left op right)`.
    Arith { op: &'static str, left: Box<Scalar>, right: Box<Scalar> },
    /// `CAST(inner AS type)`, so that an aggregate comes back in the type both databases agree
    /// on (PostgreSQL's `sum` of a `bigint` is a `numeric`, its `avg` of integers too).
    Cast { inner: Box<Scalar>, to: SqlType },
    /// `(SELECT func(arg) FROM <target> WHERE <target belongs to the owner row> [AND filter])`:
    /// an aggregate over a relationship's rows, for each owner row.
    Related { rel: &'static RelationDef, func: Func, arg: Option<Box<Scalar>>, filter: Option<Box<Expr>> },
    /// `(SELECT ...)`, a subquery yielding one value.
    Subselect(Box<Core>),
}

/// The functions a typed `Term` can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Coalesce,
    Lower,
    Upper,
    Length,
    Abs,
}

impl Func {
    fn name(self) -> &'static str {
        match self {
            Func::Count | Func::CountDistinct => "count",
            Func::Sum => "sum",
            Func::Avg => "avg",
            Func::Min => "min",
            Func::Max => "max",
            Func::Coalesce => "coalesce",
            Func::Lower => "lower",
            Func::Upper => "upper",
            Func::Length => "length",
            Func::Abs => "abs",
        }
    }

    fn aggregates(self) -> bool {
        matches!(self, Func::Count | Func::CountDistinct | Func::Sum | Func::Avg | Func::Min | Func::Max)
    }
}

/// The tables of enclosing subqueries, each with the alias it has there (the innermost wins),
/// so that a column of a self-referential relationship's rows names the right row.
pub(crate) type Scope = Vec<(&'static str, String)>;

/// A table's name in `scope`: its alias inside a subquery over it.
pub(crate) fn scoped<'s>(scope: &'s [(&'static str, String)], table: &'s str) -> &'s str {
    scope.iter().rev().find(|(t, _)| *t == table).map_or(table, |(_, alias)| alias.as_str())
}

impl Scalar {
    /// A short name for messages: the column's, or the function's.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Scalar::Column { column, .. } => column,
            Scalar::Bound(_) => "value",
            Scalar::CountAll => "count",
            Scalar::Call { func, .. } | Scalar::Related { func, .. } => func.name(),
            Scalar::Arith { .. } => "expression",
            Scalar::Cast { inner, .. } => inner.label(),
            Scalar::Subselect(_) => "subquery",
        }
    }

    /// A column the expression reads outside any aggregate of its own query, if any.
    pub(crate) fn bare_column(&self) -> Option<&'static str> {
        match self {
            Scalar::Column { column, .. } => Some(column),
            Scalar::Call { func, .. } if func.aggregates() => None,
            Scalar::Call { args, .. } => args.iter().find_map(Scalar::bare_column),
            Scalar::Arith { left, right, .. } => left.bare_column().or_else(|| right.bare_column()),
            Scalar::Cast { inner, .. } => inner.bare_column(),
            Scalar::Bound(_) | Scalar::CountAll | Scalar::Related { .. } | Scalar::Subselect(_) => None,
        }
    }

    /// Whether the expression names a column of `table` (outside subqueries of its own).
    pub(crate) fn mentions(&self, table: &str) -> bool {
        match self {
            Scalar::Column { table: t, .. } => *t == table,
            Scalar::Call { args, .. } => args.iter().any(|a| a.mentions(table)),
            Scalar::Arith { left, right, .. } => left.mentions(table) || right.mentions(table),
            Scalar::Cast { inner, .. } => inner.mentions(table),
            Scalar::Related { filter, arg, .. } => {
                filter.as_ref().is_some_and(|f| f.mentions(table)) || arg.as_ref().is_some_and(|a| a.mentions(table))
            }
            Scalar::Bound(_) | Scalar::CountAll | Scalar::Subselect(_) => false,
        }
    }

    /// Whether the expression aggregates the rows of its own query (a relationship aggregate
    /// or a subquery aggregates rows of its own).
    pub(crate) fn aggregates(&self) -> bool {
        match self {
            Scalar::CountAll => true,
            Scalar::Call { func, args } => func.aggregates() || args.iter().any(Scalar::aggregates),
            Scalar::Arith { left, right, .. } => left.aggregates() || right.aggregates(),
            Scalar::Cast { inner, .. } => inner.aggregates(),
            Scalar::Column { .. } | Scalar::Bound(_) | Scalar::Related { .. } | Scalar::Subselect(_) => false,
        }
    }

    pub(crate) fn render(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        match self {
            Scalar::Column { table, column: c } => column(d, scoped(scope, table), c, sql),
            Scalar::Bound(v) => {
                params.push(v.clone());
                d.placeholder(params.len(), sql);
            }
            Scalar::CountAll => sql.push_str("count(*)"),
            Scalar::Call { func, args } => {
                sql.push_str(func.name());
                sql.push('(');
                if *func == Func::CountDistinct {
                    sql.push_str("DISTINCT ");
                }
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    a.render(d, sql, params, scope);
                }
                sql.push(')');
            }
            Scalar::Arith { op, left, right } => {
                sql.push('(');
                left.render(d, sql, params, scope);
                sql.push(' ');
                sql.push_str(op);
                sql.push(' ');
                right.render(d, sql, params, scope);
                sql.push(')');
            }
            Scalar::Cast { inner, to } => {
                sql.push_str("CAST(");
                inner.render(d, sql, params, scope);
                sql.push_str(" AS ");
                sql.push_str(&d.cast_type(*to));
                sql.push(')');
            }
            Scalar::Related { rel, func, arg, filter } => {
                let owner = scoped(scope, rel.owner.name).to_owned();
                let alias = format!("relations_s{}", scope.len() + 1);
                sql.push_str("(SELECT ");
                let depth = scope.len();
                scope.push((rel.target.name, alias.clone()));
                // a many-to-many's association table, so that a condition names its columns
                if let Join::Through { table, .. } = rel.join {
                    scope.push((table.name, format!("{alias}_link")));
                }
                let agg = match arg {
                    None => Scalar::CountAll,
                    Some(a) => Scalar::Call { func: *func, args: vec![(**a).clone()] },
                };
                agg.render(d, sql, params, scope);
                let j = relation_join(d, rel.join, rel.owner, &owner, rel.target, &alias);
                sql.push_str(" FROM ");
                sql.push_str(&j.from);
                sql.push_str(" WHERE ");
                sql.push_str(&j.on);
                if let Some(f) = filter {
                    sql.push_str(" AND ");
                    f.render_in(d, sql, params, scope);
                }
                scope.truncate(depth);
                sql.push(')');
            }
            Scalar::Subselect(core) => {
                sql.push('(');
                core.render_select(d, sql, params, scope);
                sql.push(')');
            }
        }
    }
}

/// An `ORDER BY` term: a column or a term, ascending or descending, with its `NULL`s first or
/// last when asked. `S`: the models it reads (see [`reach`](crate::schema::reach)).
pub struct Order<S = Dyn> {
    pub(crate) term: Scalar,
    pub(crate) descending: bool,
    /// `Some(true)`: `NULLS FIRST`; `Some(false)`: `NULLS LAST`; `None`: the database's way
    /// (SQLite puts `NULL`s first in ascending order, PostgreSQL last).
    pub(crate) nulls_first: Option<bool>,
    _models: PhantomData<fn() -> S>,
}

impl<S> Clone for Order<S> {
    fn clone(&self) -> Self {
        Order { nulls_first: self.nulls_first, ..Order::new(self.term.clone(), self.descending) }
    }
}

impl<S> std::fmt::Debug for Order<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Order").field("term", &self.term).field("descending", &self.descending).finish_non_exhaustive()
    }
}

impl<S> Order<S> {
    pub(crate) fn new(term: Scalar, descending: bool) -> Order<S> {
        Order { term, descending, nulls_first: None, _models: PhantomData }
    }

    /// `NULL`s before every value (SQLAlchemy's `nullsfirst()`), on every database alike.
    pub fn nulls_first(mut self) -> Order<S> {
        self.nulls_first = Some(true);
        self
    }

    /// `NULL`s after every value (SQLAlchemy's `nullslast()`), on every database alike.
    pub fn nulls_last(mut self) -> Order<S> {
        self.nulls_first = Some(false);
        self
    }

    /// The same order, its models no longer known to the compiler (see [`Expr::erase`]).
    pub fn erase(self) -> Order {
        Order { nulls_first: self.nulls_first, ..Order::new(self.term, self.descending) }
    }
}

impl Order {
    /// `"table"."column" [DESC]`, the tables of `scope` under their aliases.
    pub(crate) fn render_in(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        d.order_term(
            &mut |sql, params| self.term.render(d, sql, params, scope),
            self.descending,
            self.nulls_first,
            sql,
            params,
        );
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

/// A `LIKE` test (from `like` or `ilike`), which may name its escape character:
/// `Post::title.like("100/%%").escape('/')` matches titles starting `100%`, as SQLAlchemy's
/// `like(pattern, escape='/')`. Used wherever a condition is. `S`: the models it reads.
#[must_use = "a condition does nothing until a query filters by it"]
pub struct Like<S = Dyn> {
    pub(crate) term: Scalar,
    pub(crate) pattern: Scalar,
    pub(crate) escape: Option<char>,
    pub(crate) ignore_case: bool,
    _models: PhantomData<fn() -> S>,
}

impl<S> Clone for Like<S> {
    fn clone(&self) -> Self {
        Like { escape: self.escape, ..Like::new(self.term.clone(), self.pattern.clone(), self.ignore_case) }
    }
}

impl<S> std::fmt::Debug for Like<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Like").field("term", &self.term).field("pattern", &self.pattern).finish_non_exhaustive()
    }
}

impl<S> Like<S> {
    pub(crate) fn new(term: Scalar, pattern: Scalar, ignore_case: bool) -> Self {
        Like { term, pattern, escape: None, ignore_case, _models: PhantomData }
    }

    /// `... ESCAPE 'c'`: in the pattern, `c` before `%`, `_` or itself makes it stand for
    /// itself (the character is bound as a parameter, like the pattern).
    pub fn escape(mut self, c: char) -> Like<S> {
        self.escape = Some(c);
        self
    }
    /// Both conditions.
    pub fn and<S2>(self, other: impl Into<Expr<S2>>) -> Expr<Both<S, S2>> {
        Expr::from(self).and(other)
    }
    /// Either condition.
    pub fn or<S2>(self, other: impl Into<Expr<S2>>) -> Expr<Both<S, S2>> {
        Expr::from(self).or(other)
    }
    /// The negated condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr<S> {
        Expr::from(self).not()
    }
    /// The condition, its models erased (see [`Expr::erase`]).
    pub fn erase(self) -> Expr {
        Expr::from(self).erase()
    }
}

impl<S> From<Like<S>> for Expr<S> {
    fn from(l: Like<S>) -> Expr<S> {
        Expr::new(Node::Like { term: l.term, pattern: l.pattern, escape: l.escape, ignore_case: l.ignore_case })
    }
}

/// A condition for `Query::filter`; combine with [`Expr::and`],
/// [`Expr::or`], [`Expr::not`]. `S` is the models whose columns it reads (see
/// [`reach`](crate::schema::reach)): a query takes it only when it reaches them. `Expr` alone is a
/// condition whose models were erased ([`Expr::erase`]), to build conditions at run time; its
/// columns are checked when the statement runs.
pub struct Expr<S = Dyn>(pub(crate) Node, PhantomData<fn() -> S>);

impl<S> Clone for Expr<S> {
    fn clone(&self) -> Self {
        Expr::new(self.0.clone())
    }
}

impl<S> std::fmt::Debug for Expr<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expr").field(&self.0).finish()
    }
}

impl<S> Expr<S> {
    pub(crate) fn new(node: Node) -> Self {
        Expr(node, PhantomData)
    }

    /// `EXISTS` a related row of `rel` (matching `condition`).
    pub(crate) fn exists(rel: &'static RelationDef, condition: Option<Expr>) -> Self {
        Expr::new(Node::Exists { rel, condition: condition.map(Box::new) })
    }

    /// Both conditions.
    pub fn and<S2>(self, other: impl Into<Expr<S2>>) -> Expr<Both<S, S2>> {
        Expr::new(Node::And(vec![self.erase(), other.into().erase()]))
    }
    /// Either condition.
    pub fn or<S2>(self, other: impl Into<Expr<S2>>) -> Expr<Both<S, S2>> {
        Expr::new(Node::Or(vec![self.erase(), other.into().erase()]))
    }
    /// The negated condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr<S> {
        Expr::new(Node::Not(Box::new(self.erase())))
    }

    /// The same condition, its models no longer known to the compiler: for conditions
    /// gathered at run time (`let mut all: Vec<Expr> = ..; all.push(User::karma.gt(3).erase())`).
    /// A query checks its columns when it runs: a column of a model it does not reach is then
    /// [`Error::InvalidQuery`](crate::schema::error::Error::InvalidQuery).
    pub fn erase(self) -> Expr {
        Expr::new(self.0)
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
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
    /// `term LIKE pattern [ESCAPE c]`, with or without case.
    Like {
        term: Scalar,
        pattern: Scalar,
        escape: Option<char>,
        ignore_case: bool,
    },
    /// `term` holds `text` literally (no wildcard), at `at`: SQLAlchemy's `contains`,
    /// `startswith` and `endswith` with `autoescape=True`.
    Holds {
        term: Scalar,
        text: String,
        at: Placement,
        ignore_case: bool,
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
    pub(crate) fn compare(left: Scalar, op: &'static str, right: Scalar) -> Expr {
        Expr::new(Node::Compare { left, op, right })
    }

    /// `table.column = value` on an untyped column (relationship scopes use it).
    pub(crate) fn column_eq(table: &'static str, column: &'static str, value: Value<'static>) -> Expr {
        Expr::compare(Scalar::Column { table, column }, "=", Scalar::Bound(value))
    }

    /// A condition no row matches (the related rows of an owner that was never inserted).
    pub(crate) fn nothing() -> Expr {
        Expr::new(Node::In { term: Scalar::CountAll, values: Vec::new(), negated: false })
    }

    pub(crate) fn in_subquery(table: &'static str, column: &'static str, sub: Subquery) -> Expr {
        Expr::new(Node::InSubquery { term: Scalar::Column { table, column }, sub })
    }

    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        self.render_in(d, sql, params, &mut Vec::new());
    }

    /// Whether the condition names a column of `table` (a correlated subquery's condition
    /// included, where an outer table may be named).
    pub(crate) fn mentions(&self, table: &str) -> bool {
        match &self.0 {
            Node::Compare { left, right, .. } => left.mentions(table) || right.mentions(table),
            Node::Null { term, .. } | Node::In { term, .. } | Node::InSubquery { term, .. } => term.mentions(table),
            Node::InSelect { term, .. } => term.mentions(table),
            Node::Between { term, low, high } => term.mentions(table) || low.mentions(table) || high.mentions(table),
            Node::Like { term, pattern, .. } => term.mentions(table) || pattern.mentions(table),
            Node::Holds { term, .. } => term.mentions(table),
            Node::Exists { condition, .. } => condition.as_ref().is_some_and(|c| c.mentions(table)),
            Node::And(items) | Node::Or(items) => items.iter().any(|e| e.mentions(table)),
            Node::Not(e) => e.mentions(table),
        }
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
                sql.push_str(if *negated { " NOT IN " } else { " IN " });
                let mut inner = String::new();
                sub.render_select(d, &mut inner, params, scope);
                d.in_subquery(&inner, sql);
            }
            Node::Between { term, low, high } => {
                term.render(d, sql, params, scope);
                sql.push_str(" BETWEEN ");
                low.render(d, sql, params, scope);
                sql.push_str(" AND ");
                high.render(d, sql, params, scope);
            }
            Node::Like { term, pattern, escape, ignore_case } => {
                match (ignore_case, d.ilike()) {
                    (false, _) | (true, Some(_)) => {
                        term.render(d, sql, params, scope);
                        sql.push(' ');
                        sql.push_str(if *ignore_case { d.ilike().unwrap_or("LIKE") } else { "LIKE" });
                        sql.push(' ');
                        pattern.render(d, sql, params, scope);
                    }
                    (true, None) => {
                        sql.push_str("lower(");
                        term.render(d, sql, params, scope);
                        sql.push_str(") LIKE lower(");
                        pattern.render(d, sql, params, scope);
                        sql.push(')');
                    }
                }
                if let Some(c) = escape {
                    sql.push_str(" ESCAPE ");
                    params.push(Value::Text(c.to_string().into()));
                    d.placeholder(params.len(), sql);
                }
            }
            Node::Holds { term, text, at, ignore_case } => {
                let test = crate::dialect::TextTest { text, at: *at, ignore_case: *ignore_case };
                d.holds(&mut |sql, params| term.render(d, sql, params, scope), test, sql, params)
            }
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
                    let depth = scope.len();
                    // a many-to-many's association table, so that the condition names its
                    // columns (`Tag::POSTS.any(PostTag::weight.ge(4))`)
                    if let Join::Through { table, .. } = rel.join {
                        scope.push((table.name, format!("{alias}_link")));
                    }
                    scope.push((target.name, alias));
                    c.render_in(d, sql, params, scope);
                    scope.truncate(depth);
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

/// One join of a query: a relationship from a table already in the query (under `owner`) to
/// its target (under `alias`).
#[derive(Debug, Clone)]
pub(crate) struct JoinClause {
    pub(crate) rel: &'static RelationDef,
    pub(crate) owner: &'static str,
    pub(crate) alias: &'static str,
    pub(crate) outer: bool,
    /// Conditions on the joined rows beside the relationship's own (an outer join's rules on
    /// its target: in `ON`, so that a row without a match keeps its `NULL`s).
    pub(crate) on: Vec<Expr>,
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
    /// The model's columns the rows leave out (bit `i`: column `i`); `None`: its deferred ones.
    pub(crate) deferred: Option<u64>,
    /// Rules on tables that this query (its statement and its loads) honours beside the
    /// connection's.
    pub(crate) rules: Vec<(&'static Table, Expr)>,
    /// Whether the query lifts every rule.
    pub(crate) unruled: bool,
}

/// What the text of a plain query's statement depends on: its table, its default order and
/// the structure of its filters, each named by the address and length of its static text. Two
/// queries of one shape render the same SQL (their values differ, bound as parameters), so a
/// connection renders each shape once. See [`Core::shape`].
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    words: [usize; SHAPE_WORDS],
    len: usize,
}

/// The most words a [`Shape`] holds: a table, its order and up to four filter terms.
const SHAPE_WORDS: usize = 32;

impl Shape {
    fn push(&mut self, word: usize) -> Option<()> {
        *self.words.get_mut(self.len)? = word;
        self.len += 1;
        Some(())
    }

    fn text(&mut self, s: &'static str) -> Option<()> {
        self.push(s.as_ptr() as usize)?;
        self.push(s.len())
    }

    /// `"table"."column" = ?` terms, `AND`s of them, and a many-to-many's link subquery; `None`
    /// for anything else.
    fn filter(&mut self, e: &Expr, params: &mut Vec<Value<'static>>) -> Option<()> {
        match &e.0 {
            Node::Compare { left: Scalar::Column { table, column }, op: "=", right: Scalar::Bound(v) } => {
                self.push(1)?;
                self.text(table)?;
                self.text(column)?;
                params.push(v.clone());
            }
            Node::Null { term: Scalar::Column { table, column }, negated } => {
                self.push(5 + usize::from(*negated))?;
                self.text(table)?;
                self.text(column)?;
            }
            Node::And(items) => {
                self.push(2)?;
                self.push(items.len())?;
                for item in items {
                    self.filter(item, params)?;
                }
                self.push(3)?;
            }
            Node::InSubquery { term: Scalar::Column { table, column }, sub } => {
                let n = sub.filter.len().min(sub.values.len());
                self.push(4)?;
                self.text(table)?;
                self.text(column)?;
                self.text(sub.table)?;
                self.text(sub.select)?;
                self.push(sub.filter.as_ptr() as usize)?;
                self.push(n)?;
                params.extend(sub.values[..n].iter().cloned());
            }
            _ => return None,
        }
        Some(())
    }
}

impl PartialEq for Shape {
    fn eq(&self, other: &Shape) -> bool {
        self.words[..self.len] == other.words[..other.len]
    }
}

impl Eq for Shape {}

impl std::hash::Hash for Shape {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.words[..self.len].hash(state);
    }
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
            deferred: None,
            rules: Vec::new(),
            unruled: false,
        }
    }

    /// The shape of the statements run most often (a lazy load, a get by key: the model's rows
    /// filtered by `column = value` terms or a many-to-many's link, in the default order, with
    /// no join, limit or projection), and the values its statement binds, in order; `None` for
    /// any other query.
    pub(crate) fn shape(&self) -> Option<(Shape, Vec<Value<'static>>)> {
        let plain = self.joins.is_empty()
            && self.order.is_empty()
            && self.limit.is_none()
            && self.offset.is_none()
            && self.columns.is_empty()
            && !self.distinct
            && self.group_by.is_empty()
            && self.having.is_empty()
            && self.invalid.is_none()
            && self.deferred.is_none();
        if !plain {
            return None;
        }
        let mut shape = Shape { words: [0; SHAPE_WORDS], len: 0 };
        shape.push(std::ptr::from_ref(self.table) as usize)?;
        match self.key_order {
            None => shape.push(0)?,
            Some(terms) => {
                shape.push(1)?;
                shape.push(terms.as_ptr() as usize)?;
                shape.push(terms.len())?;
            }
        }
        shape.push(self.filters.len())?;
        let mut params = Vec::new();
        for f in &self.filters {
            shape.filter(f, &mut params)?;
        }
        Some((shape, params))
    }

    /// The query's error, if it cannot run: a join it could not make, or a projection that
    /// selects a plain column beside an aggregate without grouping (which SQLite would answer
    /// with one arbitrary row's value).
    pub(crate) fn check(&self) -> crate::schema::error::Result<()> {
        if let Some(message) = &self.invalid {
            return Err(crate::schema::error::Error::InvalidQuery { table: self.table.name, message: message.clone() });
        }
        if self.group_by.is_empty() && self.columns.iter().any(Scalar::aggregates) {
            if let Some(column) = self.columns.iter().find_map(Scalar::bare_column) {
                return Err(crate::schema::error::Error::InvalidQuery {
                    table: self.table.name,
                    message: format!(
                        "it selects `{column}` beside an aggregate without grouping; add `.group_by(..)` with `{column}`, or aggregate it too"
                    ),
                });
            }
        }
        self.check_reach(&mut Vec::new())
    }

    /// The tables (and aliases) the statement has in its `FROM`: its own, its joins', their
    /// association tables, and a many-to-many handle's association table.
    fn reached(&self, out: &mut Vec<&'static str>) {
        out.push(self.table.name);
        for j in &self.joins {
            out.push(j.alias);
            if let Join::Through { table, .. } = j.rel.join {
                out.push(table.name);
            }
        }
        for f in &self.filters {
            if let Node::InSubquery { term: Scalar::Column { table, .. }, sub } = &f.0 {
                if *table == self.table.name {
                    out.push(sub.table);
                }
            }
        }
    }

    /// What the compiler checks for typed conditions, checked here for the ones whose models
    /// were erased and for aliases' columns: every column names a table the statement reaches
    /// (`outer`: those of enclosing statements, for a correlated subquery).
    pub(crate) fn check_reach(&self, outer: &mut Vec<&'static str>) -> crate::schema::error::Result<()> {
        let depth = outer.len();
        self.reached(outer);
        let scalars = self.columns.iter().chain(&self.group_by).chain(self.order.iter().map(|o| &o.term));
        let mut result = Ok(());
        for s in scalars {
            result = result.and_then(|()| reach_scalar(s, self.table.name, outer));
        }
        for e in self.filters.iter().chain(&self.having) {
            result = result.and_then(|()| reach_expr(e, self.table.name, outer));
        }
        outer.truncate(depth);
        result
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
            // an alias the query has joined (or its own table's name)
            Some(from) if from == self.table.name || self.joins.iter().any(|j| j.alias == from) => Some(from),
            Some(from) => {
                self.invalid.get_or_insert_with(|| {
                    format!("`{}` starts at the alias `{from}`, which no earlier join of the query made", rel.path())
                });
                return;
            }
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
                    "`{}` would join `{}` a second time under the same name; give it an alias: `join_as({}, <its model>::alias(\"..\"))`",
                    rel.path(),
                    alias,
                    rel.path()
                )
            });
            return;
        }
        self.joins.push(JoinClause { rel, owner, alias, outer, on: Vec::new() });
    }

    /// The filter scoping the rows to a many-to-many owner's (`key IN (SELECT remote FROM link
    /// WHERE local = ?)`, what a relationship handle's query holds) when the query also names a
    /// column of the association model (`book.authors(&db).order_by(BookAuthor::position)`):
    /// its index and the subquery. The association table is then joined instead, under its own
    /// name (one row per target: an association model is keyed by its two ends), and the
    /// filter tests its owner column.
    fn linked(&self) -> Option<(usize, &Subquery)> {
        let (i, sub) = self.filters.iter().enumerate().find_map(|(i, f)| match &f.0 {
            Node::InSubquery { term: Scalar::Column { table, .. }, sub } if *table == self.table.name => Some((i, sub)),
            _ => None,
        })?;
        let link = sub.table;
        let declared = self.order.is_empty() && self.key_order.is_some_and(|terms| terms.iter().any(|t| t.on_link));
        let named = declared
            || self.filters.iter().enumerate().any(|(j, f)| j != i && f.mentions(link))
            || self.order.iter().any(|o| o.term.mentions(link))
            || self.columns.iter().chain(&self.group_by).any(|c| c.mentions(link))
            || self.having.iter().any(|h| h.mentions(link));
        let joined = self.joins.iter().any(|j| matches!(j.rel.join, Join::Through { table, .. } if table.name == link));
        (named && !joined).then_some((i, sub))
    }

    /// The association table a many-to-many handle's query joins under its own name (see
    /// `linked`), which its declared order may name.
    pub(crate) fn order_link(&self) -> Option<&'static str> {
        self.linked().map(|(_, sub)| sub.table)
    }

    /// The names the query's joins give the association tables of many-to-many relationships
    /// (`<alias>_link`), as a scope: what lets a filter, an order or a projection name their
    /// columns (`.join(Book::AUTHORS).order_by(BookAuthor::position)`).
    pub(crate) fn link_scope(&self, scope: &mut Scope) {
        for j in &self.joins {
            if let Join::Through { table, .. } = j.rel.join {
                scope.push((table.name, format!("{}_link", j.alias)));
            }
        }
    }

    /// `"table" [JOIN "target" AS "alias" ON ...]...`, binding what the joins' own conditions
    /// compare with.
    pub(crate) fn render_from(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        d.quote(self.table.name, sql);
        if let Some((_, sub)) = self.linked() {
            sql.push_str(" JOIN ");
            d.quote(sub.table, sql);
            sql.push_str(" ON ");
            column(d, sub.table, sub.select, sql);
            sql.push_str(" = ");
            crate::sql::key_column(d, self.table, self.table.name, sql);
        }
        for j in &self.joins {
            relation_join(d, j.rel.join, j.rel.owner, j.owner, j.rel.target, j.alias).push_join(j.outer, sql);
            for c in &j.on {
                sql.push_str(" AND ");
                c.render(d, sql, params);
            }
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
        let linked = self.linked();
        for (i, f) in self.filters.iter().enumerate() {
            if i > 0 {
                sql.push_str(" AND ");
            }
            match linked {
                // the association table is joined: its owner column tested in place
                Some((l, sub)) if l == i => {
                    for (k, (c, v)) in sub.filter.iter().zip(&sub.values).enumerate() {
                        if k > 0 {
                            sql.push_str(" AND ");
                        }
                        column(d, sub.table, c, sql);
                        sql.push_str(" = ");
                        params.push(v.clone());
                        d.placeholder(params.len(), sql);
                    }
                }
                _ => f.render_in(d, sql, params, scope),
            }
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
            declared_order(d, self.table, self.table.name, self.order_link(), terms, sql);
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

    /// Appends ` WHERE ...` selecting the rows the query matches: its filters, or — when it
    /// joins, limits or offsets — `key IN (SELECT key FROM <the query>)`, for a bulk write.
    pub(crate) fn render_matching(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        let core = self;
        let t = self.table;
        if core.joins.is_empty() && core.limit.is_none() && core.offset.is_none() {
            if !core.filters.is_empty() {
                sql.push_str(" WHERE ");
                core.render_filter(d, sql, params, &mut Vec::new());
            }
            return;
        }
        let mut keys = String::new();
        for (i, k) in t.key_names().enumerate() {
            if i > 0 {
                keys.push_str(", ");
            }
            column(d, t.name, k, &mut keys);
        }
        let row = t.primary_key().count() > 1;
        sql.push_str(" WHERE ");
        sql.push_str(&if row { format!("({keys})") } else { keys.clone() });
        sql.push_str(" IN ");
        let mut inner = String::new();
        core.selecting(t.key_names()).render_select(d, &mut inner, params, &mut Vec::new());
        d.in_subquery(&inner, sql);
    }

    /// Appends ` FROM <joined tables> WHERE <the first join's condition> AND ...` for an
    /// `UPDATE` of the query's table whose new values read the joined tables' columns (every
    /// join a `belongs_to`, checked by the caller): the other joins stay joins inside `FROM`,
    /// and the rows are the query's filters, or — with a limit or an offset — its keys.
    pub(crate) fn render_update_from(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        let mut first_on = String::new();
        sql.push_str(" FROM ");
        for (i, j) in self.joins.iter().enumerate() {
            let rj = relation_join(d, j.rel.join, j.rel.owner, j.owner, j.rel.target, j.alias);
            if i == 0 {
                sql.push_str(&rj.from);
                first_on = rj.on;
            } else {
                sql.push_str(" JOIN ");
                sql.push_str(&rj.from);
                sql.push_str(" ON ");
                sql.push_str(&rj.on);
            }
        }
        sql.push_str(" WHERE ");
        sql.push_str(&first_on);
        self.render_update_rows(d, sql, params, " AND ");
    }

    /// Appends ` JOIN <table> ON <condition> ...` for each join: the tables an `UPDATE` whose
    /// new values read them names before `SET` where the dialect does so
    /// ([`Dialect::update_joins_before_set`]); its rows follow with
    /// [`Core::render_update_rows`].
    pub(crate) fn render_update_joins(&self, d: &dyn Dialect, sql: &mut String) {
        for j in &self.joins {
            let rj = relation_join(d, j.rel.join, j.rel.owner, j.owner, j.rel.target, j.alias);
            sql.push_str(" JOIN ");
            sql.push_str(&rj.from);
            sql.push_str(" ON ");
            sql.push_str(&rj.on);
        }
    }

    /// Appends the rows an `UPDATE` of joined tables writes, `lead` (` WHERE ` or ` AND `)
    /// first: the query's filters, or — with a limit or an offset — its keys.
    pub(crate) fn render_update_rows(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        mut lead: &'static str,
    ) {
        if self.limit.is_none() && self.offset.is_none() {
            for f in &self.filters {
                sql.push_str(lead);
                lead = " AND ";
                f.render_in(d, sql, params, &mut Vec::new());
            }
            return;
        }
        let t = self.table;
        sql.push_str(lead);
        let row = t.primary_key().count() > 1;
        if row {
            sql.push('(');
        }
        for (i, k) in t.key_names().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            column(d, t.name, k, sql);
        }
        sql.push_str(if row { ") IN " } else { " IN " });
        let mut inner = String::new();
        self.selecting(t.key_names()).render_select(d, &mut inner, params, &mut Vec::new());
        d.in_subquery(&inner, sql);
    }

    /// The query selecting these columns of its table for the rows it matches (the keys a bulk
    /// write goes by), ordered only where a limit or an offset needs the order.
    pub(crate) fn selecting(&self, columns: impl Iterator<Item = &'static str>) -> Core {
        let mut inner = self.clone();
        inner.columns = columns.map(|c| Scalar::Column { table: self.table.name, column: c }).collect();
        if inner.limit.is_none() && inner.offset.is_none() {
            inner.order.clear();
            inner.key_order = None;
        }
        inner
    }

    /// The whole `SELECT` of a projection (or of the model's columns when it selects none).
    pub(crate) fn render_select(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        let depth = scope.len();
        self.link_scope(scope);
        sql.push_str(if self.distinct { "SELECT DISTINCT " } else { "SELECT " });
        if self.columns.is_empty() {
            let mask = self.deferred.unwrap_or(self.table.deferred);
            crate::sql::select_list(d, self.table, self.table.name, mask, sql);
        }
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            c.render(d, sql, params, scope);
        }
        sql.push_str(" FROM ");
        self.render_from(d, sql, params);
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
        scope.truncate(depth);
    }
}

/// The error for a column of a table the statement does not reach.
fn unreached(query: &'static str, table: &str, column: &str) -> crate::schema::error::Error {
    crate::schema::error::Error::InvalidQuery {
        table: query,
        message: format!(
            "it names `{table}.{column}`, and `{table}` is no table, join or alias of the statement; join it first (`.join(..)`), or name the alias it was joined under"
        ),
    }
}

/// [`Core::check_reach`] of one expression.
fn reach_scalar(s: &Scalar, query: &'static str, reached: &mut Vec<&'static str>) -> crate::schema::error::Result<()> {
    match s {
        Scalar::Column { table, column } => match reached.contains(table) {
            true => Ok(()),
            false => Err(unreached(query, table, column)),
        },
        Scalar::Call { args, .. } => args.iter().try_for_each(|a| reach_scalar(a, query, reached)),
        Scalar::Arith { left, right, .. } => {
            reach_scalar(left, query, reached).and_then(|()| reach_scalar(right, query, reached))
        }
        Scalar::Cast { inner, .. } => reach_scalar(inner, query, reached),
        Scalar::Related { rel, arg, filter, .. } => inside(rel, reached, |reached| {
            arg.as_deref().map_or(Ok(()), |a| reach_scalar(a, query, reached))?;
            filter.as_deref().map_or(Ok(()), |f| reach_expr(f, query, reached))
        }),
        Scalar::Subselect(core) => core.check_reach(reached),
        Scalar::Bound(_) | Scalar::CountAll => Ok(()),
    }
}

/// The tables a relationship's subquery adds (its target, its association table) while `f`
/// checks what is inside it.
fn inside(
    rel: &RelationDef,
    reached: &mut Vec<&'static str>,
    f: impl FnOnce(&mut Vec<&'static str>) -> crate::schema::error::Result<()>,
) -> crate::schema::error::Result<()> {
    let depth = reached.len();
    reached.push(rel.target.name);
    if let Join::Through { table, .. } = rel.join {
        reached.push(table.name);
    }
    let result = f(reached);
    reached.truncate(depth);
    result
}

/// [`Core::check_reach`] of one condition.
fn reach_expr(e: &Expr, query: &'static str, reached: &mut Vec<&'static str>) -> crate::schema::error::Result<()> {
    let terms = |list: &[&Scalar], reached: &mut Vec<&'static str>| {
        list.iter().try_for_each(|t| reach_scalar(t, query, reached))
    };
    match &e.0 {
        Node::Compare { left, right, .. } => terms(&[left, right], reached),
        Node::Null { term, .. } | Node::In { term, .. } | Node::InSubquery { term, .. } | Node::Holds { term, .. } => {
            terms(&[term], reached)
        }
        Node::InSelect { term, sub, .. } => terms(&[term], reached).and_then(|()| sub.check_reach(reached)),
        Node::Between { term, low, high } => terms(&[term, low, high], reached),
        Node::Like { term, pattern, .. } => terms(&[term, pattern], reached),
        Node::Exists { rel, condition } => {
            inside(rel, reached, |reached| condition.as_deref().map_or(Ok(()), |c| reach_expr(c, query, reached)))
        }
        Node::And(items) | Node::Or(items) => items.iter().try_for_each(|i| reach_expr(i, query, reached)),
        Node::Not(e) => reach_expr(e, query, reached),
    }
}

/// The parts of a query's statement, rendered once for every model, and the statements that
/// count its rows or test for one.
impl Core {
    /// Everything after the `SELECT` list: ` FROM ... [WHERE ...] [ORDER BY ...] [LIMIT ...]`.
    fn after_select(&self, d: &dyn Dialect) -> (String, Vec<Value<'static>>) {
        let (mut sql, mut params) = (String::with_capacity(128), Vec::new());
        let scope = &mut Vec::new();
        self.link_scope(scope);
        sql.push_str(" FROM ");
        self.render_from(d, &mut sql, &mut params);
        if !self.filters.is_empty() {
            sql.push_str(" WHERE ");
            self.render_filter(d, &mut sql, &mut params, scope);
        }
        let mut order = String::new();
        self.render_order(d, &mut order, &mut params, scope);
        if !order.is_empty() {
            sql.push_str(" ORDER BY ");
            sql.push_str(&order);
        }
        if self.limit.is_some() || self.offset.is_some() {
            sql.push(' ');
            self.render_tail(d, &mut sql, &mut params);
        }
        (sql, params)
    }

    /// `SELECT <select> FROM ...`: the whole statement selecting a column list, without
    /// loader options.
    fn render_selecting(&self, d: &dyn Dialect, select: &str) -> (String, Vec<Value<'static>>) {
        let (from, params) = self.after_select(d);
        (format!("SELECT {select}{from}"), params)
    }

    /// `SELECT count(*) FROM ...`, or through a subquery when the query limits or offsets.
    pub(crate) fn render_count(&self, d: &dyn Dialect) -> (String, Vec<Value<'static>>) {
        if self.limit.is_none() && self.offset.is_none() {
            return self.render_selecting(d, "count(*)");
        }
        let (inner, params) = self.render_selecting(d, "1");
        let mut sql = format!("SELECT count(*) FROM ({inner}) AS ");
        d.quote("counted", &mut sql);
        (sql, params)
    }

    /// `SELECT EXISTS (SELECT 1 FROM ...)`: 1 when the query matches a row, else 0.
    pub(crate) fn render_exists(&self, d: &dyn Dialect) -> (String, Vec<Value<'static>>) {
        let (inner, params) = self.render_selecting(d, "1");
        (format!("SELECT EXISTS ({inner})"), params)
    }
}
