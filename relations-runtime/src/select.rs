//! Running a [`Query`]: its statement, rendered through the dialect, and the rows it returns
//! decoded into models, with the eager loads it carries.

use std::marker::PhantomData;

use crate::db::Db;
use crate::error::Result;
use crate::fetch::fetch;
use crate::model::Model;
use crate::options::{Load, OwnerQuery};
use crate::query::{Col, Expr, Order, Query};
use crate::sql::{declared_order, Select};
use crate::value::{Bind, Value};

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
