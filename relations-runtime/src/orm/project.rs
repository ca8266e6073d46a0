//! Projections: chosen columns, aggregates and relationship aggregates of a query, decoded into
//! tuples or into a `#[derive(FromRow)]` struct ([`Projection`], [`Selection`], [`FromValues`],
//! [`FromRow`]); `GROUP BY`, `HAVING`, `DISTINCT`.

use std::marker::PhantomData;

use crate::backend::RawRow;
use crate::orm::db::Db;
use crate::orm::load::{Inside, Rel};
use crate::orm::model::Model;
use crate::orm::query::{Col, Query};
use crate::orm::relation::Slot;
use crate::orm::term::{Nullable, Numeric, Term};
use crate::schema::error::{Error, Result};
use crate::schema::reach::{Both, Cons, Nil, One, Within};
use crate::schema::value::SqlValue;
use crate::schema::ColumnDef;
use crate::sql::expr::{Core, Expr, Node, Order};
use crate::sql::expr::{Func, Scalar};

/// The expressions a [`Selection`] puts in a `SELECT` list, with the column declarations that
/// decode them. Opaque: built by the selections themselves.
#[derive(Debug, Default)]
pub struct Terms {
    pub(crate) nodes: Vec<Scalar>,
    pub(crate) columns: Vec<Option<&'static ColumnDef>>,
}

impl Terms {
    fn push<T, S>(&mut self, term: Term<T, S>) {
        self.nodes.push(term.node);
        self.columns.push(term.column);
    }
}

/// What a projection selects: a column handle, a [`Term`], or a tuple of them (up to 8, nested
/// tuples allowed). `Row` is the Rust type each result row decodes into: the column's type, or
/// the tuple of them.
pub trait Selection {
    /// The decoded row.
    type Row: FromValues;
    /// The models whose columns it reads (see [`reach`](crate::schema::reach)).
    type Src;
    #[doc(hidden)]
    fn collect(self, out: &mut Terms);
}

impl<M: Model, T: SqlValue + FromValues> Selection for Col<M, T> {
    type Row = T;
    type Src = One<M>;
    fn collect(self, out: &mut Terms) {
        out.push(self.term());
    }
}

impl<T: SqlValue + FromValues, S> Selection for Term<T, S> {
    type Row = T;
    type Src = S;
    fn collect(self, out: &mut Terms) {
        out.push(self);
    }
}

/// Where decoding a result row stands: the next column, and what declares each column.
#[doc(hidden)]
pub struct Cursor<'a> {
    at: usize,
    columns: &'a [Option<&'static ColumnDef>],
    labels: &'a [&'static str],
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(columns: &'a [Option<&'static ColumnDef>], labels: &'a [&'static str]) -> Self {
        Cursor { at: 0, columns, labels }
    }

    /// Decodes the next column as a `T`, with the declared column when there is one.
    pub fn next<T: SqlValue>(&mut self, row: &dyn RawRow) -> Result<T> {
        let i = self.at;
        self.at += 1;
        let label = || match self.labels.get(i) {
            Some(l) => (*l).to_string(),
            None => row.column_name(i).unwrap_or("?").to_string(),
        };
        let declared = self.columns.get(i).copied().flatten();
        let synthetic;
        let column = match declared {
            Some(c) => c,
            None => {
                synthetic = ColumnDef::new("", T::SQL_TYPE);
                &synthetic
            }
        };
        let value =
            row.value(i).map_err(|e| Error::DecodeResult { position: i, column: label(), message: e.0.into() })?;
        T::from_value(value, column).map_err(|e| Error::DecodeResult { position: i, column: label(), message: e.0 })
    }
}

/// A type a result row decodes into by position: a column type, a tuple of them (up to 8), or
/// a `#[derive(FromRow)]` struct (its fields in order).
pub trait FromValues: Sized {
    #[doc(hidden)]
    fn decode(row: &dyn RawRow, cursor: &mut Cursor<'_>) -> Result<Self>;
}

macro_rules! column_values {
    ($($t:ty),*) => {$(
        impl FromValues for $t {
            fn decode(row: &dyn RawRow, cursor: &mut Cursor<'_>) -> Result<Self> {
                cursor.next::<$t>(row)
            }
        }
        impl FromValues for Option<$t> {
            fn decode(row: &dyn RawRow, cursor: &mut Cursor<'_>) -> Result<Self> {
                cursor.next::<Option<$t>>(row)
            }
        }
    )*};
}
crate::schema::value::with_column_types!(column_values);

macro_rules! tuples {
    (@src $a:ident) => { <$a as Selection>::Src };
    (@src $a:ident, $($rest:ident),+) => { Both<<$a as Selection>::Src, tuples!(@src $($rest),+)> };
    ($($name:ident . $idx:tt),+) => {
        impl<$($name: FromValues),+> FromValues for ($($name,)+) {
            fn decode(row: &dyn RawRow, cursor: &mut Cursor<'_>) -> Result<Self> {
                Ok(($($name::decode(row, cursor)?,)+))
            }
        }
        impl<$($name: Selection),+> Selection for ($($name,)+) {
            type Row = ($($name::Row,)+);
            type Src = tuples!(@src $($name),+);
            fn collect(self, out: &mut Terms) {
                $(self.$idx.collect(out);)+
            }
        }
    };
}
tuples!(A.0);
tuples!(A.0, B.1);
tuples!(A.0, B.1, C.2);
tuples!(A.0, B.1, C.2, D.3);
tuples!(A.0, B.1, C.2, D.3, E.4);
tuples!(A.0, B.1, C.2, D.3, E.4, F.5);
tuples!(A.0, B.1, C.2, D.3, E.4, F.5, G.6);
tuples!(A.0, B.1, C.2, D.3, E.4, F.5, G.6, H.7);

/// A plain struct a projection's rows decode into, implemented by `#[derive(FromRow)]`: its
/// fields, in order, are the selected columns. `Values` is the tuple of the field types, which
/// [`Projection::into_struct`] checks against the selection's types at compile time.
pub trait FromRow: FromValues {
    /// The field types, as a tuple (or the one field's type).
    type Values;
}

/// What a [`Projection`] carries as types only: its model, its rows, its joins' models.
type Marks<M, R, J> = fn() -> (M, R, J);

/// A query's chosen columns and aggregates, from [`Query::select`]: `GROUP BY`, `HAVING`,
/// `DISTINCT`, order and limit, run by `all`, `first` or `one` into rows of type `R`. `J`: the
/// models the query's joins reach, as [`Query`]'s.
#[must_use = "a projection does nothing until `all`, `first` or `one` runs it"]
pub struct Projection<'db, M, R, J = Nil> {
    pub(crate) db: &'db Db,
    pub(crate) core: Core,
    columns: Vec<Option<&'static ColumnDef>>,
    _marker: PhantomData<Marks<M, R, J>>,
}

impl<M, R, J> Clone for Projection<'_, M, R, J> {
    fn clone(&self) -> Self {
        Projection { db: self.db, core: self.core.clone(), columns: self.columns.clone(), _marker: PhantomData }
    }
}

impl<'db, M: Model, J> Query<'db, M, Db, J> {
    /// The chosen columns and aggregates instead of whole rows: `select(User::username)`,
    /// `select((User::username, User::POSTS.count()))`, `select((Post::user_id, count()))`
    /// then [`Projection::group_by`]. Rows decode into the selection's types: `String`,
    /// `(String, i64)`. Filters, joins, order and limit carry over; loader options do not
    /// apply. Without an order, rows come in key order unless the projection aggregates,
    /// groups or is `DISTINCT` (then in the database's order). Its columns must be of models
    /// the query reaches: checked at compile time.
    pub fn select<S: Selection, I>(self, selection: S) -> Projection<'db, M, S::Row, J>
    where
        S::Src: Within<Cons<M, J>, I>,
    {
        let mut terms = Terms::default();
        selection.collect(&mut terms);
        let mut core = self.core;
        core.columns = terms.nodes;
        Projection { db: self.db, core, columns: terms.columns, _marker: PhantomData }
    }
}

impl<'db, M: Model, R: FromValues, J> Projection<'db, M, R, J> {
    /// Keeps the rows matching `condition`, before grouping (`WHERE`).
    pub fn filter<S, I>(mut self, condition: impl Into<Expr<S>>) -> Self
    where
        S: Within<Cons<M, J>, I>,
    {
        self.core.filters.push(condition.into().erase());
        self
    }

    /// Groups the rows by these columns or terms (one, or a tuple): each group gives one row,
    /// its aggregates over the group's rows.
    pub fn group_by<S: Selection, I>(mut self, by: S) -> Self
    where
        S::Src: Within<Cons<M, J>, I>,
    {
        let mut terms = Terms::default();
        by.collect(&mut terms);
        self.core.group_by.extend(terms.nodes);
        self
    }

    /// Keeps the groups matching `condition` (`HAVING`), which names aggregates:
    /// `.having(count().gt(1))`.
    pub fn having<S, I>(mut self, condition: impl Into<Expr<S>>) -> Self
    where
        S: Within<Cons<M, J>, I>,
    {
        self.core.having.push(condition.into().erase());
        self
    }

    /// Drops repeated rows (`SELECT DISTINCT`).
    pub fn distinct(mut self) -> Self {
        self.core.distinct = true;
        self
    }

    /// Adds an `ORDER BY` term: a column, a term, `.desc()` of either.
    pub fn order_by<S, I>(mut self, order: impl Into<Order<S>>) -> Self
    where
        S: Within<Cons<M, J>, I>,
    {
        self.core.order.push(order.into().erase());
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

    /// Decodes the rows into a `#[derive(FromRow)]` struct whose fields have the selection's
    /// types, in order (checked at compile time).
    pub fn into_struct<P: FromRow<Values = R>>(self) -> Projection<'db, M, P, J> {
        Projection { db: self.db, core: self.core, columns: self.columns, _marker: PhantomData }
    }

    /// The projection as a value inside another query (a scalar subquery): it must select one
    /// column and at most one row. A subquery that finds no row is `NULL`.
    pub fn as_term(mut self) -> Term<<R as Nullable>::Inner, Nil>
    where
        R: Nullable,
    {
        self.core.key_order = None;
        Term::of(Scalar::Subselect(Box::new(self.core)))
    }

    fn statement(&self) -> Result<(String, Vec<crate::schema::value::Value<'static>>)> {
        let mut core = self.db.ruled_query(&self.core)?.into_owned();
        if core.distinct || !core.group_by.is_empty() || core.columns.iter().any(Scalar::aggregates) {
            core.key_order = None;
        }
        let mut sql = String::with_capacity(128);
        let mut params = Vec::new();
        core.render_select(self.db.dialect(), &mut sql, &mut params, &mut Vec::new());
        Ok((sql, params))
    }

    /// Every row.
    pub fn all(&self) -> Result<Vec<R>> {
        self.core.check()?;
        let (sql, params) = self.statement()?;
        let labels: Vec<&'static str> = self.core.columns.iter().map(Scalar::label).collect();
        let mut rows = Vec::new();
        self.db.query_map_into(&sql, &params, |row| {
            rows.push(R::decode(row, &mut Cursor::new(&self.columns, &labels))?);
            Ok(())
        })?;
        Ok(rows)
    }

    /// The first row, if any.
    pub fn first(&self) -> Result<Option<R>> {
        Ok(self.clone().limit(1).all()?.into_iter().next())
    }

    /// The one row: [`Error::NoRowMatched`] if there is none, [`Error::MultipleRows`] if there
    /// are several. An aggregate without `group_by` always has one row.
    pub fn one(&self) -> Result<R> {
        crate::orm::select::only_row(self.clone().limit(2).all()?, M::TABLE.name)
    }
}

/// Aggregates over a relationship's rows, one value per owner row, as a correlated subquery:
/// `User::query(&db).select((User::username, User::POSTS.count()))`. Each reads the owner's
/// row: a query of the owner's model (or one that joins it) takes them.
impl<O: Model, F: Slot, L> Rel<O, F, L> {
    fn related<T>(self, func: Func, arg: Option<Scalar>, column: Option<&'static ColumnDef>) -> Term<T, One<O>> {
        let node = Scalar::Related { rel: self.def(), func, arg: arg.map(Box::new), filter: None };
        Term::with(node, column)
    }

    /// The number of related rows (0 for none).
    pub fn count(self) -> Term<i64, One<O>> {
        self.related(Func::Count, None, None)
    }

    /// The number of related rows matching `condition`, which names columns of the related
    /// model, of a many-to-many's association model (`Tag::POSTS.count_where(PostTag::weight.ge(2))`),
    /// or of the owner: checked at compile time.
    pub fn count_where<S, I>(self, condition: impl Into<Expr<S>>) -> Term<i64, One<O>>
    where
        S: Within<Inside<O, F, L>, I>,
    {
        let filter = Some(Box::new(condition.into().erase()));
        Term::of(Scalar::Related { rel: self.def(), func: Func::Count, arg: None, filter })
    }

    /// The sum of a column of the related rows (`None` for none).
    pub fn sum<T: Numeric>(self, column: Col<F::Target, T>) -> Term<T::Sum, One<O>> {
        let term = self.related::<T>(Func::Sum, Some(column.term().node), Some(column.def()));
        match T::SUM_AS {
            Some(to) => Term::of(Scalar::Cast { inner: Box::new(term.node), to }),
            None => Term::with(term.node, term.column),
        }
    }

    /// The mean of a column of the related rows (`None` for none).
    pub fn avg<T: Numeric>(self, column: Col<F::Target, T>) -> Term<T::Avg, One<O>> {
        let term = self.related::<T>(Func::Avg, Some(column.term().node), None);
        match T::AVG_AS {
            Some(to) => Term::of(Scalar::Cast { inner: Box::new(term.node), to }),
            None => Term::of(term.node),
        }
    }

    /// The smallest value of a column of the related rows (`None` for none).
    pub fn min<T: Nullable>(self, column: Col<F::Target, T>) -> Term<T::Option, One<O>> {
        self.related(Func::Min, Some(column.term().node), Some(column.def()))
    }

    /// The largest value of a column of the related rows (`None` for none).
    pub fn max<T: Nullable>(self, column: Col<F::Target, T>) -> Term<T::Option, One<O>> {
        self.related(Func::Max, Some(column.term().node), Some(column.def()))
    }
}

/// Membership in a one-column projection, for column handles and terms alike.
macro_rules! in_query {
    (impl[$($generics:tt)*] $ty:ty, $t:ident, $src:ty) => {
        impl<$($generics)*> $ty {
            /// `x IN (SELECT ...)`: the values a one-column projection selects
            /// (`Post::user_id.in_query(User::query(&db).filter(..).select(User::id))`).
            pub fn in_query<N, K>(self, query: Projection<'_, N, $t, K>) -> Expr<$src> {
                Expr::new(Node::InSelect { term: self.term().node, sub: Box::new(query.core), negated: false })
            }
            /// `x NOT IN (SELECT ...)`.
            pub fn not_in_query<N, K>(self, query: Projection<'_, N, $t, K>) -> Expr<$src> {
                Expr::new(Node::InSelect { term: self.term().node, sub: Box::new(query.core), negated: true })
            }
        }
    };
}
in_query!(impl[M: Model, T] Col<M, T>, T, One<M>);
in_query!(impl[T, S] Term<T, S>, T, S);
