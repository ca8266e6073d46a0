//! Typed SQL expressions beyond a bare column: [`Term`] — a bound value, a function call, an
//! aggregate, arithmetic, a relationship aggregate or a scalar subquery — the conversions
//! ([`Operand`]) that let a column, a term or a plain value stand on either side of a
//! comparison, and the comparisons column handles and terms share.

use std::marker::PhantomData;

use crate::dialect::Placement;
use crate::orm::model::Model;
use crate::orm::query::Col;
use crate::schema::reach::{Both, Dyn, Nil, One};
use crate::schema::value::{Bind, SqlValue, Value};
use crate::schema::{ColumnDef, SqlType};
use crate::sql::expr::{Expr, Func, Like, Node, Order, Scalar};

/// A typed SQL expression yielding a `T`: an aggregate (`count()`, `Post::views.sum()`), a
/// function (`coalesce`, `lower`), arithmetic (`Post::views + 1`), an aggregate over a
/// relationship for each owner row (`User::POSTS.count()`) or a subquery
/// ([`Projection::as_term`](crate::orm::project::Projection::as_term)). Compared like a column
/// (`.gt(..)`, `.between(..)`), ordered by (`.desc()`), selected
/// ([`Query::select`](crate::orm::query::Query::select)).
///
/// `S` is the models whose columns it reads (see [`reach`](crate::schema::reach)), so that a query
/// takes it only when it reaches them; `Term<T>` alone is a term whose models were erased
/// ([`Term::erase`]), checked when the statement runs.
pub struct Term<T, S = Dyn> {
    pub(crate) node: Scalar,
    /// The column whose declared type decodes the value (a `NUMERIC` scale), when there is one.
    pub(crate) column: Option<&'static ColumnDef>,
    _marker: PhantomData<fn() -> (T, S)>,
}

impl<T, S> Clone for Term<T, S> {
    fn clone(&self) -> Self {
        Term::with(self.node.clone(), self.column)
    }
}

impl<T, S> std::fmt::Debug for Term<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Term({:?})", self.node)
    }
}

impl<T> Term<T, Nil> {
    /// A bound value as a term (`Term::value(1)`), for the few places where a plain value
    /// cannot stand: the left side of arithmetic, an argument of [`coalesce`].
    pub fn value(value: impl Bind<T>) -> Term<T, Nil> {
        Term::of(Scalar::Bound(value.bind()))
    }
}

impl<T, S> Term<T, S> {
    pub(crate) fn with(node: Scalar, column: Option<&'static ColumnDef>) -> Self {
        Term { node, column, _marker: PhantomData }
    }

    pub(crate) fn of(node: Scalar) -> Self {
        Term::with(node, None)
    }

    /// The term itself (what `.term()` makes of a column; here for symmetry, so that code
    /// written for either reads alike).
    pub fn term(self) -> Term<T, S> {
        self
    }

    /// The same term, its models no longer known to the compiler: for terms built at run time
    /// (a `Vec<Term<i64>>` of several models'). A statement then checks its columns when it
    /// runs.
    pub fn erase(self) -> Term<T> {
        Term::with(self.node, self.column)
    }

    /// The value as another type the database agrees on: `CAST(x AS type)`, the type being
    /// `U`'s column type (`Post::views.term().cast::<f64>()`).
    pub fn cast<U: SqlValue>(self) -> Term<U, S> {
        Term::of(Scalar::Cast { inner: Box::new(self.node), to: U::SQL_TYPE })
    }

    /// The count of the rows where the expression is not `NULL`: `count(x)`.
    pub fn count(self) -> Term<i64, S> {
        Term::of(Scalar::Call { func: Func::Count, args: vec![self.node] })
    }

    /// The count of the distinct non-`NULL` values: `count(DISTINCT x)`.
    pub fn count_distinct(self) -> Term<i64, S> {
        Term::of(Scalar::Call { func: Func::CountDistinct, args: vec![self.node] })
    }

    /// The smallest value, `NULL` (`None`) over no rows.
    pub fn min(self) -> Term<<T as Nullable>::Option, S>
    where
        T: Nullable,
    {
        Term::with(Scalar::Call { func: Func::Min, args: vec![self.node] }, self.column)
    }

    /// The largest value, `NULL` (`None`) over no rows.
    pub fn max(self) -> Term<<T as Nullable>::Option, S>
    where
        T: Nullable,
    {
        Term::with(Scalar::Call { func: Func::Max, args: vec![self.node] }, self.column)
    }

    /// The sum, `NULL` (`None`) over no rows; integers add up as 64-bit integers on both
    /// databases.
    pub fn sum(self) -> Term<<T as Numeric>::Sum, S>
    where
        T: Numeric,
    {
        let sum = Scalar::Call { func: Func::Sum, args: vec![self.node] };
        match T::SUM_AS {
            Some(to) => Term::of(Scalar::Cast { inner: Box::new(sum), to }),
            None => Term::with(sum, self.column),
        }
    }

    /// The mean, `NULL` (`None`) over no rows: a float for integers and floats, a decimal for
    /// decimals.
    pub fn avg(self) -> Term<<T as Numeric>::Avg, S>
    where
        T: Numeric,
    {
        let avg = Scalar::Call { func: Func::Avg, args: vec![self.node] };
        match T::AVG_AS {
            Some(to) => Term::of(Scalar::Cast { inner: Box::new(avg), to }),
            None => Term::of(avg),
        }
    }

    /// The absolute value.
    pub fn abs(self) -> Term<T, S>
    where
        T: Numeric,
    {
        Term::with(Scalar::Call { func: Func::Abs, args: vec![self.node] }, self.column)
    }

    /// `coalesce(x, fallback)`: the value, or `fallback` where it is `NULL`.
    pub fn or_else<U, O: Operand<U>>(self, fallback: O) -> Term<U, Both<S, O::Src>>
    where
        T: Nullable<Inner = U>,
    {
        Term::of(Scalar::Call { func: Func::Coalesce, args: vec![self.node, fallback.term().node] })
    }

    pub(crate) fn compare<X>(self, op: &'static str, other: Scalar) -> Expr<X> {
        Expr::new(Node::Compare { left: self.node, op, right: other })
    }
}

impl<T: Text + Nullable, S> Term<T, S> {
    /// The text in lower case: `lower(x)`.
    pub fn lower(self) -> Term<T, S> {
        Term::of(Scalar::Call { func: Func::Lower, args: vec![self.node] })
    }
    /// The text in upper case: `upper(x)`.
    pub fn upper(self) -> Term<T, S> {
        Term::of(Scalar::Call { func: Func::Upper, args: vec![self.node] })
    }
    /// The text's length in characters: `length(x)`.
    pub fn length(self) -> Term<<T as Nullable>::WithInt, S> {
        Term::of(Scalar::Call { func: Func::Length, args: vec![self.node] })
    }
}

/// `count(*)`: the number of rows (of each group, under [`Projection::group_by`](crate::orm::project::Projection::group_by)).
pub fn count() -> Term<i64, Nil> {
    Term::of(Scalar::CountAll)
}

/// `coalesce(a, b)`: `a`, or `b` where `a` is `NULL` (also [`Term::or_else`]).
pub fn coalesce<T: Nullable, A: Operand<T>, B: Operand<T::Inner>>(a: A, b: B) -> Term<T::Inner, Both<A::Src, B::Src>> {
    a.term().or_else(b)
}

/// Something that stands for a value of SQL type `T` in a comparison, an assignment or
/// arithmetic: a column handle, a [`Term`], or a plain value (bound as a parameter).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand for a value of type `{T}`",
    label = "not a value, column or term of type `{T}`",
    note = "compare a column with a value, column or term of the column's own type; `.term().cast::<U>()` converts a column or term in SQL"
)]
pub trait Operand<T> {
    /// The models whose columns it reads ([`Nil`] for a value).
    type Src;
    /// The operand as a term.
    fn term(self) -> Term<T, Self::Src>;
}

impl<T: SqlValue> Operand<T> for T {
    type Src = Nil;
    fn term(self) -> Term<T, Nil> {
        Term::of(Scalar::Bound(self.bind()))
    }
}

impl<T: SqlValue> Operand<T> for &T {
    type Src = Nil;
    fn term(self) -> Term<T, Nil> {
        Term::of(Scalar::Bound(self.bind()))
    }
}

/// A plain value for an optional column: `Post::rating.eq(5)`.
impl<T: SqlValue> Operand<Option<T>> for T {
    type Src = Nil;
    fn term(self) -> Term<Option<T>, Nil> {
        Term::of(Scalar::Bound(self.to_value().into_owned()))
    }
}

impl Operand<String> for &str {
    type Src = Nil;
    fn term(self) -> Term<String, Nil> {
        Term::of(Scalar::Bound(Value::Text(self.to_owned().into())))
    }
}

impl Operand<Option<String>> for &str {
    type Src = Nil;
    fn term(self) -> Term<Option<String>, Nil> {
        Term::of(Scalar::Bound(Value::Text(self.to_owned().into())))
    }
}

impl<T, S> Operand<T> for Term<T, S> {
    type Src = S;
    fn term(self) -> Term<T, S> {
        self
    }
}

impl<M: crate::orm::model::Model, T> Operand<T> for Col<M, T> {
    type Src = One<M>;
    fn term(self) -> Term<T, One<M>> {
        Term::with(Scalar::Column { table: self.table(), column: self.name() }, Some(self.def()))
    }
}

/// A column type with a nullable form: `T` and `Option<T>` both name `Option<T>` as what an
/// aggregate over no rows (`NULL`) decodes to.
pub trait Nullable {
    /// The type without `Option`.
    type Inner;
    /// The type with `Option`.
    type Option;
    /// `i64`, or `Option<i64>` when the type is optional (what `length` yields).
    type WithInt;
}

/// A numeric column type: what `sum` and `avg` yield for it, and the cast that makes both
/// databases return that type.
pub trait Numeric: Nullable {
    /// What `sum` yields: `Option<i64>` for integers, `Option<f64>`, `Option<Decimal>`.
    type Sum;
    /// What `avg` yields: `Option<f64>`, or `Option<Decimal>` for decimals.
    type Avg;
    #[doc(hidden)]
    const SUM_AS: Option<SqlType>;
    #[doc(hidden)]
    const AVG_AS: Option<SqlType>;
}

/// A text column type (`String`, `Option<String>`), for `lower`, `upper`, `like`.
pub trait Text: Nullable {}
impl Text for String {}
impl Text for Option<String> {}

macro_rules! nullable {
    ($($t:ty),*) => {$(
        impl Nullable for $t {
            type Inner = $t;
            type Option = Option<$t>;
            type WithInt = i64;
        }
        impl Nullable for Option<$t> {
            type Inner = $t;
            type Option = Option<$t>;
            type WithInt = Option<i64>;
        }
    )*};
}
crate::schema::value::with_column_types!(nullable);

macro_rules! numeric {
    ($sum:ty, $avg:ty, $sum_as:expr, $avg_as:expr; $($t:ty),*) => {$(
        impl Numeric for $t {
            type Sum = Option<$sum>;
            type Avg = Option<$avg>;
            const SUM_AS: Option<SqlType> = $sum_as;
            const AVG_AS: Option<SqlType> = $avg_as;
        }
        impl Numeric for Option<$t> {
            type Sum = Option<$sum>;
            type Avg = Option<$avg>;
            const SUM_AS: Option<SqlType> = $sum_as;
            const AVG_AS: Option<SqlType> = $avg_as;
        }
    )*};
}
numeric!(i64, f64, Some(SqlType::BigInteger), Some(SqlType::Float); i64, i32, i16, i8, u8, u16, u32);
numeric!(f64, f64, None, Some(SqlType::Float); f64, f32);
numeric!(rust_decimal::Decimal, rust_decimal::Decimal, None, None; rust_decimal::Decimal);

macro_rules! arithmetic {
    ($($trait:ident $method:ident $op:literal),*) => {$(
        impl<T: Numeric, S, R: Operand<T>> std::ops::$trait<R> for Term<T, S> {
            type Output = Term<T, Both<S, R::Src>>;
            fn $method(self, rhs: R) -> Self::Output {
                let node = Scalar::Arith { op: $op, left: Box::new(self.node), right: Box::new(rhs.term().node) };
                // a sum or difference has its column's scale; a product or quotient the one
                // the database computes (12.50 × 1.5 is 18.750, not 18.75)
                let column = if matches!($op, "+" | "-") { self.column } else { None };
                Term::with(node, column)
            }
        }
        impl<M: crate::orm::model::Model, T: Numeric, R: Operand<T>> std::ops::$trait<R> for Col<M, T> {
            type Output = Term<T, Both<One<M>, R::Src>>;
            fn $method(self, rhs: R) -> Self::Output {
                std::ops::$trait::$method(self.term(), rhs)
            }
        }
    )*};
}
arithmetic!(Add add "+", Sub sub "-", Mul mul "*", Div div "/");

impl<M: Model, T> Col<M, T> {
    /// The column's declaration in `M`'s table.
    pub(crate) fn def(&self) -> &'static ColumnDef {
        let columns: &'static [ColumnDef] = M::TABLE.columns;
        columns.iter().find(|c| c.name == self.name()).expect("the derive names an existing column")
    }

    /// The column as a [`Term`], for what only terms do.
    pub fn term(self) -> Term<T, One<M>> {
        Operand::term(self)
    }

    /// The number of rows where the column is not `NULL`: `count(column)`.
    pub fn count(self) -> Term<i64, One<M>> {
        self.term().count()
    }
    /// The number of distinct non-`NULL` values: `count(DISTINCT column)`.
    pub fn count_distinct(self) -> Term<i64, One<M>> {
        self.term().count_distinct()
    }
    /// The smallest value (`None` over no rows).
    pub fn min(self) -> Term<<T as crate::orm::term::Nullable>::Option, One<M>>
    where
        T: crate::orm::term::Nullable,
    {
        self.term().min()
    }
    /// The largest value (`None` over no rows).
    pub fn max(self) -> Term<<T as crate::orm::term::Nullable>::Option, One<M>>
    where
        T: crate::orm::term::Nullable,
    {
        self.term().max()
    }
    /// The sum (`None` over no rows).
    pub fn sum(self) -> Term<<T as crate::orm::term::Numeric>::Sum, One<M>>
    where
        T: crate::orm::term::Numeric,
    {
        self.term().sum()
    }
    /// The mean (`None` over no rows).
    pub fn avg(self) -> Term<<T as crate::orm::term::Numeric>::Avg, One<M>>
    where
        T: crate::orm::term::Numeric,
    {
        self.term().avg()
    }
    /// `coalesce(column, fallback)`: the value, or `fallback` where it is `NULL`.
    pub fn or_else<U, O: Operand<U>>(self, fallback: O) -> Term<U, Both<One<M>, O::Src>>
    where
        T: crate::orm::term::Nullable<Inner = U>,
    {
        self.term().or_else(fallback)
    }
    /// `lower(column)`.
    pub fn lower(self) -> Term<T, One<M>>
    where
        T: crate::orm::term::Text,
    {
        self.term().lower()
    }
    /// `upper(column)`.
    pub fn upper(self) -> Term<T, One<M>>
    where
        T: crate::orm::term::Text,
    {
        self.term().upper()
    }
    /// The text's length in characters: `length(column)`.
    pub fn length(self) -> Term<<T as Nullable>::WithInt, One<M>>
    where
        T: crate::orm::term::Text,
    {
        self.term().length()
    }
    /// The absolute value: `abs(column)`.
    pub fn abs(self) -> Term<T, One<M>>
    where
        T: crate::orm::term::Numeric,
    {
        self.term().abs()
    }
    /// The value as another type the database agrees on: `CAST(column AS type)`, the type
    /// being `U`'s column type (`Post::views.cast::<f64>()`).
    pub fn cast<U: SqlValue>(self) -> Term<U, One<M>> {
        self.term().cast()
    }
}

impl<M: Model> crate::orm::query::Alias<M> {
    /// `column` of the aliased table, as a term (compared, ordered, selected like the
    /// column). Which aliases a query has is known when it runs: a column of an alias it did
    /// not join is [`Error::InvalidQuery`](crate::schema::error::Error::InvalidQuery) then.
    pub fn col<T>(&self, column: Col<M, T>) -> Term<T> {
        let def = column.def();
        Term::with(Scalar::Column { table: self.name(), column: column.name() }, Some(def))
    }
}

/// The comparisons, shared by column handles and terms: one list, two receivers (`$src`: the
/// models the receiver reads).
macro_rules! comparisons {
    (impl[$($generics:tt)*] $ty:ty, $t:ident, $src:ty) => {
        impl<$($generics)*> $ty {
            /// `x = value` (a value, a column or a term).
            pub fn eq<O: Operand<$t>>(self, value: O) -> Expr<Both<$src, O::Src>> {
                self.term().compare("=", value.term().node)
            }
            /// `x != value`.
            pub fn ne<O: Operand<$t>>(self, value: O) -> Expr<Both<$src, O::Src>> {
                self.term().compare("!=", value.term().node)
            }
            /// `x < value`.
            pub fn lt<O: Operand<$t>>(self, value: O) -> Expr<Both<$src, O::Src>> {
                self.term().compare("<", value.term().node)
            }
            /// `x <= value`.
            pub fn le<O: Operand<$t>>(self, value: O) -> Expr<Both<$src, O::Src>> {
                self.term().compare("<=", value.term().node)
            }
            /// `x > value`.
            pub fn gt<O: Operand<$t>>(self, value: O) -> Expr<Both<$src, O::Src>> {
                self.term().compare(">", value.term().node)
            }
            /// `x >= value`.
            pub fn ge<O: Operand<$t>>(self, value: O) -> Expr<Both<$src, O::Src>> {
                self.term().compare(">=", value.term().node)
            }
            /// `x BETWEEN low AND high`, both ends included.
            pub fn between<A: Operand<$t>, B: Operand<$t>>(self, low: A, high: B) -> Expr<Both<$src, Both<A::Src, B::Src>>> {
                Expr::new(Node::Between { term: self.term().node, low: low.term().node, high: high.term().node })
            }
            /// `x LIKE pattern` (`%` any run of characters, `_` one; `.escape(c)` names a
            /// character that makes them literal). SQLite compares ASCII letters without case,
            /// PostgreSQL with case: use [`ilike`](Self::ilike) for the same answer on both, or
            /// `contains` for a literal text.
            pub fn like(self, pattern: &str) -> Like<$src> {
                let pattern = Scalar::Bound(Value::Text(pattern.to_owned().into()));
                Like::new(self.term().node, pattern, false)
            }
            /// `x LIKE pattern` without case (SQLAlchemy's `ilike`): PostgreSQL's `ILIKE`,
            /// `lower(x) LIKE lower(pattern)` on SQLite.
            pub fn ilike(self, pattern: &str) -> Like<$src> {
                let pattern = Scalar::Bound(Value::Text(pattern.to_owned().into()));
                Like::new(self.term().node, pattern, true)
            }
            /// `x IS NULL` (SQLAlchemy's `.is_(None)`).
            pub fn is_null(self) -> Expr<$src> {
                Expr::new(Node::Null { term: self.term().node, negated: false })
            }
            /// `x IS NOT NULL`.
            pub fn is_not_null(self) -> Expr<$src> {
                Expr::new(Node::Null { term: self.term().node, negated: true })
            }
            /// `x IN (values...)`; an empty list matches nothing.
            pub fn is_in<V: Bind<$t>>(self, values: impl IntoIterator<Item = V>) -> Expr<$src> {
                let values = values.into_iter().map(Bind::bind).collect();
                Expr::new(Node::In { term: self.term().node, values, negated: false })
            }
            /// `x NOT IN (values...)`; an empty list matches every row. A `NULL` is in no list
            /// and out of none: its row matches neither `is_in` nor `not_in`, as in SQL.
            pub fn not_in<V: Bind<$t>>(self, values: impl IntoIterator<Item = V>) -> Expr<$src> {
                let values = values.into_iter().map(Bind::bind).collect();
                Expr::new(Node::In { term: self.term().node, values, negated: true })
            }
            /// Ascending order on this.
            pub fn asc(self) -> Order<$src> {
                Order::new(self.term().node, false)
            }
            /// Descending order on this.
            pub fn desc(self) -> Order<$src> {
                Order::new(self.term().node, true)
            }
        }
    };
}
comparisons!(impl[M: Model, T] Col<M, T>, T, One<M>);
comparisons!(impl[T, S] Term<T, S>, T, S);

/// The literal text tests, for text columns and terms.
macro_rules! text_matches {
    (impl[$($generics:tt)*] $ty:ty, $src:ty) => {
        impl<$($generics)*> $ty where T: Text {
            /// The text holds `text` as it is — `%`, `_` and every other character stand for
            /// themselves (SQLAlchemy's `contains(text, autoescape=True)`) — with case, on both
            /// databases (SQLite's `GLOB`, PostgreSQL's `LIKE ... ESCAPE`).
            pub fn contains(self, text: &str) -> Expr<$src> {
                self.holds(text, Placement::Anywhere, false)
            }
            /// The text starts with `text`, taken literally ([`contains`](Self::contains)).
            pub fn startswith(self, text: &str) -> Expr<$src> {
                self.holds(text, Placement::Start, false)
            }
            /// The text ends with `text`, taken literally ([`contains`](Self::contains)).
            pub fn endswith(self, text: &str) -> Expr<$src> {
                self.holds(text, Placement::End, false)
            }
            /// [`contains`](Self::contains) without case (SQLAlchemy's `icontains`).
            pub fn icontains(self, text: &str) -> Expr<$src> {
                self.holds(text, Placement::Anywhere, true)
            }
            fn holds(self, text: &str, at: Placement, ignore_case: bool) -> Expr<$src> {
                Expr::new(Node::Holds { term: self.term().node, text: text.to_owned(), at, ignore_case })
            }
        }
    };
}
text_matches!(impl[M: Model, T] Col<M, T>, One<M>);
text_matches!(impl[T, S] Term<T, S>, S);

impl<M: Model, T> From<Col<M, T>> for Order<One<M>> {
    fn from(c: Col<M, T>) -> Order<One<M>> {
        c.asc()
    }
}

impl<T, S> From<Term<T, S>> for Order<S> {
    fn from(t: Term<T, S>) -> Order<S> {
        t.asc()
    }
}
