//! Typed queries: column handles ([`Col`]), conditions ([`Expr`]), ordering and [`Query`].

use std::marker::PhantomData;

use crate::db::Db;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::load::{column, fetch, in_list, key_column, table_as, Load, OwnerQuery, Select};
use crate::model::Model;
use crate::schema::{Join, RelationDef};
use crate::value::{Bind, Value};

/// A typed handle on a column of model `M` holding `T`; the derive emits one per column as an
/// associated constant named like the column (`User::username`, `Post::user_id`).
pub struct Col<M, T> {
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

impl<M: Model, T> Col<M, T> {
    /// A handle on the column named `name` (emitted by the derive).
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        Col { name, _marker: PhantomData }
    }

    /// The column's SQL name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn cmp(self, op: &'static str, value: Value<'static>) -> Expr {
        Expr(Node::Compare { table: M::TABLE.name, column: self.name, op, value })
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
        Expr(Node::Null { table: M::TABLE.name, column: self.name, negated: false })
    }
    /// `column IS NOT NULL`.
    pub fn is_not_null(self) -> Expr {
        Expr(Node::Null { table: M::TABLE.name, column: self.name, negated: true })
    }
    /// `column IN (values...)`; an empty list matches nothing.
    pub fn is_in<V: Bind<T>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        let values = values.into_iter().map(Bind::bind).collect();
        Expr(Node::In { table: M::TABLE.name, column: self.name, values })
    }
    /// `column IN (SELECT ...)`, the keys a subquery selects: for example the keys of a
    /// relationship's rows, `Post::user_id.in_subquery(alice.followed(&db).keys())`.
    pub fn in_subquery(self, keys: Subquery) -> Expr {
        Expr(Node::InSubquery { table: M::TABLE.name, column: self.name, sub: keys })
    }
    /// Ascending order on this column.
    pub fn asc(self) -> Order {
        Order { table: M::TABLE.name, column: self.name, descending: false }
    }
    /// Descending order on this column.
    pub fn desc(self) -> Order {
        Order { table: M::TABLE.name, column: self.name, descending: true }
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

impl<M: Model, T> From<Col<M, T>> for Order {
    fn from(c: Col<M, T>) -> Order {
        c.asc()
    }
}

/// `SELECT column FROM table WHERE filter = ?`: the keys of a relationship's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    pub(crate) table: &'static str,
    pub(crate) select: &'static str,
    pub(crate) filter: &'static str,
    pub(crate) value: Value<'static>,
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
                col(sql, scope, sub.table, sub.filter);
                sql.push_str(" = ");
                params.push(sub.value.clone());
                d.placeholder(params.len(), sql);
                sql.push(')');
            }
            Node::Exists { rel, condition } => {
                let owner = name(scope, rel.owner.name).to_owned();
                let alias = format!("relations_e{}", scope.len() + 1);
                let target = rel.target;
                sql.push_str("EXISTS (SELECT 1 FROM ");
                match rel.join {
                    Join::Reverse { column: fk } => {
                        table_as(d, target.name, &alias, sql);
                        sql.push_str(" WHERE ");
                        column(d, &alias, fk, sql);
                        sql.push_str(" = ");
                        key_column(d, rel.owner, &owner, sql);
                    }
                    Join::Forward { column: fk } => {
                        table_as(d, target.name, &alias, sql);
                        sql.push_str(" WHERE ");
                        key_column(d, target, &alias, sql);
                        sql.push_str(" = ");
                        column(d, &owner, fk, sql);
                    }
                    Join::Through { table, local, remote } => {
                        let link = format!("{alias}_link");
                        table_as(d, table.name, &link, sql);
                        sql.push_str(" JOIN ");
                        table_as(d, target.name, &alias, sql);
                        sql.push_str(" ON ");
                        key_column(d, target, &alias, sql);
                        sql.push_str(" = ");
                        column(d, &link, remote, sql);
                        sql.push_str(" WHERE ");
                        column(d, &link, local, sql);
                        sql.push_str(" = ");
                        key_column(d, rel.owner, &owner, sql);
                    }
                }
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
    db: &'db Db,
    loads: Vec<Load<M>>,
    filters: Vec<Expr>,
    order: Vec<Order>,
    limit: Option<u64>,
    offset: Option<u64>,
    /// The order when no `order_by` is given (a relationship's rows): these terms, then the
    /// key.
    key_order: Option<&'static [crate::schema::OrderBy]>,
    _model: PhantomData<fn() -> M>,
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

impl<'db, M: Model> Query<'db, M> {
    pub(crate) fn new(db: &'db Db) -> Self {
        Query {
            db,
            loads: Vec::new(),
            filters: Vec::new(),
            order: Vec::new(),
            limit: None,
            offset: None,
            // rows come in key order unless ordered otherwise, on every backend
            key_order: Some(&[]),
            _model: PhantomData,
        }
    }

    /// Leaves the order of the rows to the database: no `ORDER BY` at all, where a query
    /// without [`Query::order_by`] returns its rows in key order. The order then depends on
    /// the backend and the plan it picks (SQLite usually reads in key order, PostgreSQL in
    /// storage order).
    pub fn unordered(mut self) -> Self {
        self.key_order = None;
        self
    }

    /// Loads relationships of the rows with a strategy (SQLAlchemy's `options(...)`):
    /// `User::query(&db).options(joinedload(User::POSTS))`, or nested,
    /// `.options(selectinload(User::POSTS).joinedload(Post::COMMENTS))`. A relationship given
    /// alone loads with its declared strategy (`selectin` if it is declared lazy).
    pub fn options(mut self, load: impl Into<Load<M>>) -> Self {
        self.loads.push(load.into());
        self
    }

    pub(crate) fn filter_key(mut self, key: Vec<Value<'_>>) -> Self {
        for (c, v) in M::TABLE.primary_key().zip(key) {
            self.filters.push(Expr::column_eq(M::TABLE.name, c.name, v.into_owned()));
        }
        // one row at most: nothing to order
        self.key_order = None;
        self
    }

    /// Orders the rows by `terms`, then by key, unless an `order_by` is given: how a
    /// relationship's rows come, whatever index the database picks.
    pub(crate) fn order_unless_ordered(mut self, terms: &'static [crate::schema::OrderBy]) -> Self {
        self.key_order = Some(terms);
        self
    }

    /// Keeps the rows matching `condition` (ANDed with earlier filters).
    pub fn filter(mut self, condition: Expr) -> Self {
        self.filters.push(condition);
        self
    }

    /// Keeps the rows whose `column` equals `value`: `filter_by(User::username, "john_doe")`.
    pub fn filter_by<T>(self, column: Col<M, T>, value: impl Bind<T>) -> Self {
        self.filter(column.eq(value))
    }

    /// Adds an `ORDER BY` term: a column (ascending) or `column.desc()`.
    pub fn order_by(mut self, order: impl Into<Order>) -> Self {
        self.order.push(order.into());
        self
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(n);
        self
    }

    /// `FROM ... [WHERE ...]`, the `ORDER BY` terms, and `LIMIT ? [OFFSET ?]`, each with its
    /// parameters.
    fn pieces(&self) -> Select {
        let d = self.db.dialect();
        let mut select = Select::default();
        d.quote(M::TABLE.name, &mut select.from);
        for (i, f) in self.filters.iter().enumerate() {
            if i > 0 {
                select.filter.push_str(" AND ");
            }
            f.render(d, &mut select.filter, &mut select.params);
        }
        for (i, o) in self.order.iter().enumerate() {
            if i > 0 {
                select.order.push_str(", ");
            }
            o.render(d, &mut select.order);
        }
        if let (true, Some(terms)) = (self.order.is_empty(), self.key_order) {
            declared_order(d, M::TABLE, M::TABLE.name, terms, &mut select.order);
        }
        if self.limit.is_some() || self.offset.is_some() {
            let mut next = select.params.len();
            let mut bind = |n: u64, params: &mut Vec<Value<'static>>| {
                params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
                next += 1;
                next
            };
            let limit = self.limit.map(|l| bind(l, &mut select.tail_params));
            let offset = self.offset.map(|o| bind(o, &mut select.tail_params));
            d.limit_offset(limit, offset, &mut select.tail);
        }
        select
    }

    /// The whole statement selecting `select` (a column list), without loader options.
    fn render(&self, select: &str) -> (String, Vec<Value<'static>>) {
        let (from, params) = self.after_select();
        (format!("SELECT {select}{from}"), params)
    }

    /// Everything after the `SELECT` list: ` FROM ... [WHERE ...] [ORDER BY ...] [LIMIT ...]`.
    fn after_select(&self) -> (String, Vec<Value<'static>>) {
        let mut p = self.pieces();
        let mut sql = String::with_capacity(128);
        sql.push_str(" FROM ");
        sql.push_str(&p.from);
        for (keyword, body) in [(" WHERE ", &p.filter), (" ORDER BY ", &p.order), (" ", &p.tail)] {
            if !body.is_empty() {
                sql.push_str(keyword);
                sql.push_str(body);
            }
        }
        p.params.append(&mut p.tail_params);
        (sql, p.params)
    }

    /// Every matching row.
    pub fn all(&self) -> Result<Vec<M>> {
        // what `subqueryload` repeats: the owners' query after its SELECT list
        let owners: &OwnerQuery<'_> = &|| self.after_select();
        let select = self.pieces();
        Ok(fetch(self.db, select, &self.loads, &mut Vec::new(), Some(owners))?.0)
    }

    /// The first matching row, if any.
    pub fn first(&self) -> Result<Option<M>> {
        Ok(self.clone().limit(1).all()?.into_iter().next())
    }

    /// The one matching row: [`Error::NotFound`](crate::Error::NotFound) if there is none,
    /// [`Error::MultipleRows`](crate::Error::MultipleRows) if there are several (SQLAlchemy's
    /// `one()`).
    pub fn one(&self) -> Result<M> {
        let mut rows = self.clone().limit(2).all()?.into_iter();
        match (rows.next(), rows.next()) {
            (Some(row), None) => Ok(row),
            (None, _) => Err(crate::Error::NotFound { table: M::TABLE.name, key: "matching the query".into() }),
            (Some(_), Some(_)) => Err(crate::Error::MultipleRows { table: M::TABLE.name }),
        }
    }

    /// The number of matching rows.
    pub fn count(&self) -> Result<i64> {
        let mut q = self.clone();
        q.order.clear();
        q.key_order = None;
        if q.limit.is_some() || q.offset.is_some() {
            let (inner, params) = q.render("1");
            return self.db.query_i64(&format!("SELECT count(*) FROM ({inner}) AS \"counted\""), &params);
        }
        let (sql, params) = q.render("count(*)");
        self.db.query_i64(&sql, &params)
    }

    /// Whether any row matches.
    pub fn exists(&self) -> Result<bool> {
        let mut q = self.clone().limit(1);
        q.key_order = q.key_order.filter(|_| q.offset.is_some());
        let (inner, params) = q.render("1");
        Ok(self.db.query_i64(&format!("SELECT EXISTS ({inner})"), &params)? != 0)
    }
}

/// Appends a relationship's declared order, then the key of `table` (seen as `alias`):
/// `"alias"."created_at" DESC, "alias"."id"`, after a `, ` when `sql` holds terms already.
pub(crate) fn declared_order(
    d: &dyn Dialect,
    table: &crate::schema::Table,
    alias: &str,
    terms: &[crate::schema::OrderBy],
    sql: &mut String,
) {
    for t in terms {
        if !sql.is_empty() {
            sql.push_str(", ");
        }
        column(d, alias, t.column, sql);
        if t.descending {
            sql.push_str(" DESC");
        }
    }
    for c in table.primary_key() {
        if !sql.is_empty() {
            sql.push_str(", ");
        }
        column(d, alias, c.name, sql);
    }
}

/// Appends `"t"."a", "t"."b", ...` for every column of `table`.
pub(crate) fn select_list(d: &dyn Dialect, table: &crate::schema::Table, sql: &mut String) {
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        d.quote(table.name, sql);
        sql.push('.');
        d.quote(c.name, sql);
    }
}

/// A key's values as text, for error messages: `3` or `(1, 2)`.
pub(crate) fn key_text(values: &[Value<'_>]) -> String {
    match values {
        [one] => one.to_string(),
        many => format!("({})", many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
    }
}
