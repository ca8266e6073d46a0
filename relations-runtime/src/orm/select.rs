//! Running a [`Query`]: its statement, rendered through the dialect, and the rows it returns
//! decoded into models, with the eager loads it carries; joins, pages.

use std::marker::PhantomData;

use crate::orm::db::Db;
use crate::orm::db::Plain;
use crate::orm::fetch::{fetch, shaped_sql, Source};
use crate::orm::load::Rel;
use crate::orm::model::{Model, Row};
use crate::orm::options::Load;
use crate::orm::query::{Alias, Col, Query};
use crate::orm::relation::Slot;
use crate::orm::term::Operand;
use crate::schema::error::Result;
use crate::schema::reach::{Cons, Reaches, Within};
use crate::schema::value::{SqlValue, Value};
use crate::schema::Table;
use crate::sql::expr::{Core, Expr, Order};

impl<'db, M: Model> Query<'db, M> {
    pub(crate) fn new(db: &'db Db) -> Self {
        Query::on(db)
    }
}

/// The builder methods, the same whatever connection the query runs on.
impl<'db, M: Model, C: ?Sized, J> Query<'db, M, C, J> {
    /// A query over every row of `M`'s table, to run on `db`.
    pub(crate) fn on(db: &'db C) -> Self {
        Query { db, loads: Vec::new(), core: Core::new(M::TABLE), _model: PhantomData }
    }

    /// The same query under another list of reached models (the joins' bookkeeping).
    fn reaching<K>(self) -> Query<'db, M, C, K> {
        Query { db: self.db, loads: self.loads, core: self.core, _model: PhantomData }
    }

    /// Leaves the order of the rows to the database: no `ORDER BY` at all, where a query
    /// without [`Query::order_by`] returns its rows in key order. The order then depends on
    /// the backend and the plan it picks (SQLite usually reads in key order, PostgreSQL in
    /// storage order).
    pub fn unordered(mut self) -> Self {
        self.core.key_order = None;
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

    /// Loads the [`Deferred`](crate::Deferred) column `column` with the rows (SQLAlchemy's
    /// `undefer`): `Post::query(&db).undefer(Post::body)`. A column that is not deferred is
    /// loaded anyway. Only the query's own rows: the rows a loader option loads are undeferred
    /// on the option ([`Eager::undefer`](crate::orm::load::Eager::undefer)).
    pub fn undefer<T>(mut self, column: Col<M, T>) -> Self {
        self.core.deferred = Some(M::TABLE.undeferring(self.core.deferred, column.name()));
        self
    }

    /// Loads every [`Deferred`](crate::Deferred) column with the rows (SQLAlchemy's
    /// `undefer('*')`).
    pub fn undefer_all(mut self) -> Self {
        self.core.deferred = Some(0);
        self
    }

    pub(crate) fn filter_key(mut self, key: Vec<Value<'_>>) -> Self {
        for (c, v) in M::TABLE.primary_key().zip(key) {
            self.core.filters.push(Expr::column_eq(M::TABLE.name, c.name, v.into_owned()));
        }
        // one row at most: nothing to order
        self.core.key_order = None;
        self
    }

    /// Orders the rows by `terms`, then by key, unless an `order_by` is given: how a
    /// relationship's rows come, whatever index the database picks.
    pub(crate) fn order_unless_ordered(mut self, terms: &'static [crate::schema::OrderBy]) -> Self {
        self.core.key_order = Some(terms);
        self
    }

    /// A condition already erased (a relationship's scope), added as it is.
    pub(crate) fn filter_erased(mut self, condition: Expr) -> Self {
        self.core.filters.push(condition);
        self
    }

    /// Keeps the rows matching `condition` (ANDed with earlier filters). Its columns must be
    /// of models the query reaches (its own, or one it joins): checked at compile time.
    pub fn filter<S, I>(mut self, condition: impl Into<Expr<S>>) -> Self
    where
        S: Within<Cons<M, J>, I>,
    {
        self.core.filters.push(condition.into().erase());
        self
    }

    /// Keeps the rows whose `column` equals `value`: `filter_by(User::username, "john_doe")`.
    pub fn filter_by<T, O: Operand<T>, I>(self, column: Col<M, T>, value: O) -> Self
    where
        O::Src: Within<Cons<M, J>, I>,
    {
        let condition: Expr = column.eq(value).erase();
        self.filter_erased(condition)
    }

    /// Adds an `ORDER BY` term: a column (ascending), `column.desc()`, or a term
    /// (`(Post::likes - Post::dislikes).desc()`), of this model or of a joined one.
    pub fn order_by<S, I>(mut self, order: impl Into<Order<S>>) -> Self
    where
        S: Within<Cons<M, J>, I>,
    {
        self.core.order.push(order.into().erase());
        self
    }

    /// Adds a rule this query honours beside the connection's: its statement and every load
    /// it runs (SQLAlchemy's `.options(with_loader_criteria(...))`). See [`Rule`](crate::query::Rule).
    pub fn rule(mut self, rule: crate::sql::rules::Rule) -> Self {
        self.core.rules.push((rule.table, rule.condition));
        self
    }

    /// Lifts every rule for this query, its statement and its loads: the connection's, the
    /// query's own, and soft deletion's filter (an administrator's view of every row).
    pub fn without_rules(mut self) -> Self {
        self.core.unruled = true;
        self
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.core.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.core.offset = Some(n);
        self
    }

    /// Joins the relationship's rows (`JOIN`), so that filters, order and projections can
    /// name their columns: `Post::query(&db).join(Post::AUTHOR).order_by(User::username)`.
    /// The relationship starts at this query's model, or at a model a previous join reached
    /// (`.join(User::POSTS).join(Post::COMMENTS)`): checked at compile time. A many-to-many
    /// through an association model reaches that model too
    /// (`.join(Book::AUTHORS).order_by(BookAuthor::position)`). Model rows repeat once per
    /// joined row, as in SQL; to filter without repeats use [`Rel::any`].
    pub fn join<O: Model, F: Slot, L, I>(self, rel: Rel<O, F, L>) -> Query<'db, M, C, Cons<F::Target, Cons<L, J>>>
    where
        Cons<M, J>: Reaches<O, I>,
    {
        self.joined(rel.def(), None, None, false)
    }

    /// Joins the relationship's rows as `LEFT OUTER JOIN`: rows without related ones stay,
    /// with `NULL` in the joined columns.
    pub fn outer_join<O: Model, F: Slot, L, I>(self, rel: Rel<O, F, L>) -> Query<'db, M, C, Cons<F::Target, Cons<L, J>>>
    where
        Cons<M, J>: Reaches<O, I>,
    {
        self.joined(rel.def(), None, None, true)
    }

    /// [`join`](Self::join) with the target under an alias: how a table joins itself. The
    /// alias's columns (`alias.col(..)`) are checked when the query runs.
    pub fn join_as<O: Model, F: Slot, L, I>(
        self,
        rel: Rel<O, F, L>,
        alias: Alias<F::Target>,
    ) -> Query<'db, M, C, Cons<L, J>>
    where
        Cons<M, J>: Reaches<O, I>,
    {
        self.joined(rel.def(), None, Some(alias.name()), false)
    }

    /// [`outer_join`](Self::outer_join) with the target under an alias: employees with their
    /// manager's name, `NULL` for the one without.
    pub fn outer_join_as<O: Model, F: Slot, L, I>(
        self,
        rel: Rel<O, F, L>,
        alias: Alias<F::Target>,
    ) -> Query<'db, M, C, Cons<L, J>>
    where
        Cons<M, J>: Reaches<O, I>,
    {
        self.joined(rel.def(), None, Some(alias.name()), true)
    }

    /// [`join_as`](Self::join_as) starting at an aliased table already joined (the
    /// manager's manager): `.join_from(boss, Employee::MANAGER, Employee::alias("top"))`.
    pub fn join_from<O: Model, F: Slot, L>(
        self,
        from: Alias<O>,
        rel: Rel<O, F, L>,
        alias: Alias<F::Target>,
    ) -> Query<'db, M, C, Cons<L, J>> {
        self.joined(rel.def(), Some(from.name()), Some(alias.name()), false)
    }

    /// Adds the join, under the reached models `K` it leads to.
    fn joined<K>(
        mut self,
        rel: &'static crate::schema::RelationDef,
        from: Option<&'static str>,
        alias: Option<&'static str>,
        outer: bool,
    ) -> Query<'db, M, C, K> {
        self.core.join(rel, from, alias, outer);
        self.reaching()
    }
}

/// Running the query on a [`Db`].
impl<'db, M: Model, J> Query<'db, M, Db, J> {
    /// Every matching row.
    pub fn all(&self) -> Result<Vec<M>> {
        self.all_in(0)
    }

    /// [`all`](Self::all), into a vector with room for `capacity` rows.
    pub(crate) fn all_in(&self, capacity: usize) -> Result<Vec<M>> {
        let mut rows = Vec::new();
        self.db.run_ruled(&self.core, &mut |core| {
            // what `subqueryload` repeats: the owners' query
            rows = fetch(self.db, Source::Query(core), &self.loads, &mut Vec::new(), Some(core), capacity)?.0;
            Ok(())
        })?;
        Ok(rows)
    }

    /// The rows of the plain read `plain`, which `query` describes, binding `params` (the key's
    /// values, in the order the statement binds them), in a vector with room for `room` rows.
    ///
    /// When no rule reads `T`'s table (or `through`, the association table the statement reads
    /// too) and `T` declares no eager load, the statement is the one rendered for `plain` on this
    /// connection, and `query` is not built: no query tree, no checks, no shape to hash. Otherwise,
    /// and the first time, it runs as every query does.
    pub(crate) fn plain_rows(
        db: &'db Db,
        plain: Plain,
        through: Option<&'static Table>,
        params: &[Value<'_>],
        room: usize,
        query: impl Fn() -> Self,
    ) -> Result<Vec<M>> {
        let table = M::TABLE;
        let ruled = !db.rules.borrow().none_for(|w| w.hit(table) || through.is_some_and(|t| w.hit(t)));
        if ruled || !M::default_loads().is_empty() {
            return query().all_in(room);
        }
        let cached = db.plain.borrow().get(&plain).cloned();
        let sql = match cached {
            Some(sql) => sql,
            None => {
                let sql = shaped_sql(db, table, &query().core).map(|(sql, params)| (sql, params.len()));
                db.plain.borrow_mut().insert(plain, sql.clone());
                sql
            }
        };
        // a read without a shape, or (never seen) with a different number of values
        let Some(sql) = sql.filter(|(_, n)| *n == params.len()).map(|(sql, _)| sql) else {
            return query().all_in(room);
        };
        // every debug build (the tests) checks that the statement is the query's
        #[cfg(debug_assertions)]
        {
            let fresh = shaped_sql(db, table, &query().core).map(|(sql, fresh)| (sql.to_string(), fresh));
            let given: Vec<Value<'static>> = params.iter().map(|v| v.clone().into_owned()).collect();
            debug_assert_eq!(fresh, Some((sql.to_string(), given)), "{plain:?}");
        }
        let mask = table.deferred;
        let mut rows = Vec::with_capacity(room);
        db.query_map_into(&sql, params, |row| {
            let model = M::from_row(&Row::new(row, table, 0).leaving_out(mask))?;
            crate::orm::model::remember(&model);
            rows.push(model);
            Ok(())
        })?;
        Ok(rows)
    }

    /// The first matching row, if any.
    pub fn first(&self) -> Result<Option<M>> {
        Ok(self.clone().limit(1).all()?.into_iter().next())
    }

    /// The row a query by the whole primary key finds, if any: no `LIMIT`, the key being unique.
    pub(crate) fn by_key(&self) -> Result<Option<M>> {
        Ok(self.all()?.into_iter().next())
    }

    /// The one matching row: [`Error::NoRowMatched`](crate::schema::error::Error::NoRowMatched) if there is none,
    /// [`Error::MultipleRows`](crate::schema::error::Error::MultipleRows) if there are several (SQLAlchemy's
    /// `one()`).
    pub fn one(&self) -> Result<M> {
        only_row(self.clone().limit(2).all()?, M::TABLE.name)
    }

    /// The number of matching rows.
    pub fn count(&self) -> Result<i64> {
        self.core.check()?;
        let mut q = self.clone();
        q.core.order.clear();
        q.core.key_order = None;
        let (sql, params) = self.db.ruled_query(&q.core)?.render_count(self.db.dialect());
        self.db.query_i64(&sql, &params)
    }

    /// Whether any row matches.
    pub fn exists(&self) -> Result<bool> {
        self.core.check()?;
        let mut q = self.clone().limit(1);
        q.core.key_order = q.core.key_order.filter(|_| q.core.offset.is_some());
        let (sql, params) = self.db.ruled_query(&q.core)?.render_exists(self.db.dialect());
        Ok(self.db.query_i64(&sql, &params)? != 0)
    }

    /// Page `page` (from 1) of `per_page` rows, with the total number of matching rows
    /// (Flask-SQLAlchemy's `paginate`): two statements, the count and the page. A page past
    /// the last is empty; `page` 0 is page 1.
    pub fn paginate(&self, page: u64, per_page: u64) -> Result<Page<M>> {
        let page = page.max(1);
        let total = u64::try_from(self.count()?).unwrap_or(0);
        let items = self.clone().limit(per_page).offset((page - 1).saturating_mul(per_page)).all()?;
        Ok(Page { items, page, per_page, total })
    }

    /// Keyset pagination: the first `size` rows whose `key` comes after `after` (all rows when
    /// `after` is `None`), in `key` order — `WHERE key > ? ORDER BY key LIMIT ?`, which an
    /// index on `key` answers without reading the rows before, however deep the page. `key`
    /// must be unique (the primary key, or a unique column); pass the last row's value to get
    /// the next page.
    pub fn page_after<T: SqlValue>(&self, key: Col<M, T>, after: Option<T>, size: u64) -> Result<Vec<M>> {
        let mut q = self.clone();
        q.core.order.clear();
        if let Some(after) = after {
            q = q.filter_erased(key.gt(after).erase());
        }
        q.core.order.push(key.asc().erase());
        q.limit(size).all()
    }

    /// [`page_after`](Self::page_after) backwards: the first `size` rows whose `key` comes
    /// before `before`, in descending `key` order (newest first).
    pub fn page_before<T: SqlValue>(&self, key: Col<M, T>, before: Option<T>, size: u64) -> Result<Vec<M>> {
        let mut q = self.clone();
        q.core.order.clear();
        if let Some(before) = before {
            q = q.filter_erased(key.lt(before).erase());
        }
        q.core.order.push(key.desc().erase());
        q.limit(size).all()
    }
}

/// One page of a query's rows, with what a page navigation needs (Flask-SQLAlchemy's
/// `Pagination`).
#[derive(Debug, Clone)]
pub struct Page<M> {
    /// The rows of this page.
    pub items: Vec<M>,
    /// This page's number, from 1.
    pub page: u64,
    /// The number of rows a full page holds.
    pub per_page: u64,
    /// The number of rows on all pages.
    pub total: u64,
}

impl<M> Page<M> {
    /// The number of pages (0 when no row matches).
    pub fn pages(&self) -> u64 {
        if self.per_page == 0 {
            0
        } else {
            self.total.div_ceil(self.per_page)
        }
    }
    /// Whether a page comes after this one.
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
    /// Whether a page comes before this one.
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    /// The next page's number, if there is one.
    pub fn next_num(&self) -> Option<u64> {
        self.has_next().then_some(self.page + 1)
    }
    /// The previous page's number, if there is one.
    pub fn prev_num(&self) -> Option<u64> {
        self.has_prev().then(|| self.page - 1)
    }
}

/// The one row of `rows`: [`Error::NoRowMatched`](crate::schema::error::Error::NoRowMatched) for none,
/// [`Error::MultipleRows`](crate::schema::error::Error::MultipleRows) for several (`table` names the query's).
pub(crate) fn only_row<R>(rows: Vec<R>, table: &'static str) -> Result<R> {
    let mut rows = rows.into_iter();
    match (rows.next(), rows.next()) {
        (Some(row), None) => Ok(row),
        (None, _) => Err(crate::schema::error::Error::NoRowMatched { table }),
        (Some(_), Some(_)) => Err(crate::schema::error::Error::MultipleRows { table }),
    }
}
