//! Typed queries: column handles ([`Col`]), conditions ([`Expr`]), ordering and [`Query`].

use std::marker::PhantomData;

use crate::db::Db;
use crate::dialect::Dialect;
use crate::options::Load;
use crate::schema::RelationDef;
use crate::sql::{column, in_list, relation_join};
use crate::value::{Bind, Value};

/// A typed handle on a column of model `M` holding `T`; the derive emits one per column as an
/// associated constant named like the column (`User::username`, `Post::user_id`).
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

    fn cmp(self, op: &'static str, value: Value<'static>) -> Expr {
        Expr(Node::Compare { table: self.table, column: self.name, op, value })
    }

    /// `column = value`.
    pub fn eq(self, value: impl Bind<T>) -> Expr {
        self.cmp("=", value.bind())
    }
    /// `column != value`.
    pub fn ne(self, value: impl Bind<T>) -> Expr {
        self.cmp("!=", value.bind())
    }
    /// `column < value`.
    pub fn lt(self, value: impl Bind<T>) -> Expr {
        self.cmp("<", value.bind())
    }
    /// `column <= value`.
    pub fn le(self, value: impl Bind<T>) -> Expr {
        self.cmp("<=", value.bind())
    }
    /// `column > value`.
    pub fn gt(self, value: impl Bind<T>) -> Expr {
        self.cmp(">", value.bind())
    }
    /// `column >= value`.
    pub fn ge(self, value: impl Bind<T>) -> Expr {
        self.cmp(">=", value.bind())
    }
    /// `column LIKE pattern`.
    pub fn like(self, pattern: &str) -> Expr {
        self.cmp("LIKE", Value::Text(pattern.to_owned().into()))
    }
    /// `column IS NULL` (SQLAlchemy's `.is_(None)`).
    pub fn is_null(self) -> Expr {
        Expr(Node::Null { table: self.table, column: self.name, negated: false })
    }
    /// `column IS NOT NULL`.
    pub fn is_not_null(self) -> Expr {
        Expr(Node::Null { table: self.table, column: self.name, negated: true })
    }
    /// `column IN (values...)`; an empty list matches nothing.
    pub fn is_in<V: Bind<T>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        let values = values.into_iter().map(Bind::bind).collect();
        Expr(Node::In { table: self.table, column: self.name, values })
    }
    /// `column IN (SELECT ...)`, the keys a subquery selects: for example the keys of a
    /// relationship's rows, `Post::user_id.in_subquery(alice.followed(&db).keys())`.
    pub fn in_subquery(self, keys: Subquery) -> Expr {
        Expr(Node::InSubquery { table: self.table, column: self.name, sub: keys })
    }
    /// Ascending order on this column.
    pub fn asc(self) -> Order {
        Order { table: self.table, column: self.name, descending: false }
    }
    /// Descending order on this column.
    pub fn desc(self) -> Order {
        Order { table: self.table, column: self.name, descending: true }
    }
}

/// An `ORDER BY` term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    table: &'static str,
    column: &'static str,
    descending: bool,
}

impl Order {
    /// `"table"."column" [DESC]`.
    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String) {
        d.quote(self.table, sql);
        sql.push('.');
        d.quote(self.column, sql);
        if self.descending {
            sql.push_str(" DESC");
        }
    }
}

impl<M, T> From<Col<M, T>> for Order {
    fn from(c: Col<M, T>) -> Order {
        c.asc()
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
#[derive(Debug, Clone, PartialEq)]
pub struct Expr(Node);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Compare {
        table: &'static str,
        column: &'static str,
        op: &'static str,
        value: Value<'static>,
    },
    Null {
        table: &'static str,
        column: &'static str,
        negated: bool,
    },
    In {
        table: &'static str,
        column: &'static str,
        values: Vec<Value<'static>>,
    },
    InSubquery {
        table: &'static str,
        column: &'static str,
        sub: Subquery,
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

    /// `table.column = value` on an untyped column (relationship scopes use it).
    pub(crate) fn column_eq(table: &'static str, column: &'static str, value: Value<'static>) -> Expr {
        Expr(Node::Compare { table, column, op: "=", value })
    }

    /// A condition no row matches (the related rows of an owner that was never inserted).
    pub(crate) fn nothing() -> Expr {
        Expr(Node::In { table: "", column: "", values: Vec::new() })
    }

    pub(crate) fn in_subquery(table: &'static str, column: &'static str, sub: Subquery) -> Expr {
        Expr(Node::InSubquery { table, column, sub })
    }

    pub(crate) fn exists(rel: &'static RelationDef, condition: Option<Expr>) -> Expr {
        Expr(Node::Exists { rel, condition: condition.map(Box::new) })
    }

    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>) {
        self.render_in(d, sql, params, &mut Vec::new());
    }

    /// Renders the condition; `scope` maps the tables of enclosing `EXISTS` subqueries to their
    /// aliases (the innermost wins), so that a self-referential `any` correlates correctly.
    fn render_in(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Vec<(&'static str, String)>,
    ) {
        // a table's name in the current scope: its alias inside an `EXISTS` over it
        fn name<'s>(scope: &'s [(&'static str, String)], table: &'s str) -> &'s str {
            scope.iter().rev().find(|(t, _)| *t == table).map_or(table, |(_, alias)| alias.as_str())
        }
        let col = |sql: &mut String, scope: &[(&'static str, String)], table: &str, c: &str| {
            column(d, name(scope, table), c, sql);
        };
        match &self.0 {
            Node::Compare { table, column, op, value } => {
                col(sql, scope, table, column);
                sql.push(' ');
                sql.push_str(op);
                sql.push(' ');
                params.push(value.clone());
                d.placeholder(params.len(), sql);
            }
            Node::Null { table, column, negated } => {
                col(sql, scope, table, column);
                sql.push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Node::In { values, .. } if values.is_empty() => sql.push_str("0 = 1"),
            Node::In { table, column, values } if values.len() > d.max_inline_list() => {
                // one parameter however long the list: no bind limit, one cached statement
                col(sql, scope, table, column);
                params.push(Value::List(values.iter().cloned().collect()));
                d.in_bound_list(params.len(), sql);
            }
            Node::In { table, column, values } => {
                col(sql, scope, table, column);
                in_list(d, values.iter().cloned(), sql, params);
            }
            Node::InSubquery { table, column, sub } => {
                col(sql, scope, table, column);
                sql.push_str(" IN (SELECT ");
                col(sql, scope, sub.table, sub.select);
                sql.push_str(" FROM ");
                d.quote(sub.table, sql);
                sql.push_str(" WHERE ");
                for (i, (c, v)) in sub.filter.iter().zip(&sub.values).enumerate() {
                    if i > 0 {
                        sql.push_str(" AND ");
                    }
                    col(sql, scope, sub.table, c);
                    sql.push_str(" = ");
                    params.push(v.clone());
                    d.placeholder(params.len(), sql);
                }
                sql.push(')');
            }
            Node::Exists { rel, condition } => {
                let owner = name(scope, rel.owner.name).to_owned();
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

/// A `SELECT` over one model's table: filters, order, limit and offset, run by `all`, `first`,
/// `count` or `exists`. Built by `M::query(&db)` or by a relationship accessor. Without
/// [`Query::order_by`], rows come in key order on every backend (SQLAlchemy leaves the order to
/// the database; [`Query::unordered`] does too).
#[must_use = "a query does nothing until `all`, `first`, `count` or `exists` runs it"]
pub struct Query<'db, M> {
    pub(crate) db: &'db Db,
    pub(crate) loads: Vec<Load<M>>,
    pub(crate) filters: Vec<Expr>,
    pub(crate) order: Vec<Order>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    /// The order when no `order_by` is given (a relationship's rows): these terms, then the
    /// key.
    pub(crate) key_order: Option<&'static [crate::schema::OrderBy]>,
    pub(crate) _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Query<'_, M> {
    fn clone(&self) -> Self {
        Query {
            db: self.db,
            loads: self.loads.clone(),
            filters: self.filters.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
            key_order: self.key_order,
            _model: PhantomData,
        }
    }
}
