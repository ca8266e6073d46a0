//! Typed SQL expressions beyond a bare column: [`Term`] — a bound value, a function call, an
//! aggregate, arithmetic, a relationship aggregate or a scalar subquery — and the conversions
//! ([`Operand`]) that let a column, a term or a plain value stand on either side of a
//! comparison. Rendered through the [`Dialect`] like every other piece of SQL.

use std::marker::PhantomData;

use crate::dialect::Dialect;
use crate::query::{Col, Expr};
use crate::schema::{ColumnDef, RelationDef, SqlType};
use crate::sql::{column, relation_join};
use crate::value::{Bind, SqlValue, Value};

/// The untyped tree under a [`Term`].
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
    Subselect(Box<crate::query::Core>),
}

/// The functions a [`Term`] can call.
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
                sql.push_str(&d.column_type(&ColumnDef::new("", *to)));
                sql.push(')');
            }
            Scalar::Related { rel, func, arg, filter } => {
                let owner = scoped(scope, rel.owner.name).to_owned();
                let alias = format!("relations_s{}", scope.len() + 1);
                sql.push_str("(SELECT ");
                scope.push((rel.target.name, alias.clone()));
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
                scope.pop();
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

/// A typed SQL expression yielding a `T`: an aggregate (`count()`, `Post::views.sum()`), a
/// function (`coalesce`, `lower`), arithmetic (`Post::views + 1`), an aggregate over a
/// relationship for each owner row (`User::POSTS.count()`) or a subquery
/// ([`Projection::as_term`](crate::Projection::as_term)). Compared like a column
/// (`.gt(..)`, `.between(..)`), ordered by (`.desc()`), selected
/// ([`Query::select`](crate::Query::select)).
pub struct Term<T> {
    pub(crate) node: Scalar,
    /// The column whose declared type decodes the value (a `NUMERIC` scale), when there is one.
    pub(crate) column: Option<&'static ColumnDef>,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Clone for Term<T> {
    fn clone(&self) -> Self {
        Term::with(self.node.clone(), self.column)
    }
}

impl<T> std::fmt::Debug for Term<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Term({:?})", self.node)
    }
}

impl<T> Term<T> {
    pub(crate) fn with(node: Scalar, column: Option<&'static ColumnDef>) -> Self {
        Term { node, column, _marker: PhantomData }
    }

    pub(crate) fn of(node: Scalar) -> Self {
        Term::with(node, None)
    }

    /// A bound value as a term (`Term::value(1)`), for the few places where a plain value
    /// cannot stand: the left side of arithmetic, an argument of [`coalesce`].
    pub fn value(value: impl Bind<T>) -> Term<T> {
        Term::of(Scalar::Bound(value.bind()))
    }

    /// The value as another type the database agrees on: `CAST(x AS type)`, the type being
    /// `U`'s column type (`Post::views.term().cast::<f64>()`).
    pub fn cast<U: SqlValue>(self) -> Term<U> {
        Term::of(Scalar::Cast { inner: Box::new(self.node), to: U::SQL_TYPE })
    }

    /// The count of the rows where the expression is not `NULL`: `count(x)`.
    pub fn count(self) -> Term<i64> {
        Term::of(Scalar::Call { func: Func::Count, args: vec![self.node] })
    }

    /// The count of the distinct non-`NULL` values: `count(DISTINCT x)`.
    pub fn count_distinct(self) -> Term<i64> {
        Term::of(Scalar::Call { func: Func::CountDistinct, args: vec![self.node] })
    }

    /// The smallest value, `NULL` (`None`) over no rows.
    pub fn min(self) -> Term<<T as Nullable>::Option>
    where
        T: Nullable,
    {
        Term::with(Scalar::Call { func: Func::Min, args: vec![self.node] }, self.column)
    }

    /// The largest value, `NULL` (`None`) over no rows.
    pub fn max(self) -> Term<<T as Nullable>::Option>
    where
        T: Nullable,
    {
        Term::with(Scalar::Call { func: Func::Max, args: vec![self.node] }, self.column)
    }

    /// The sum, `NULL` (`None`) over no rows; integers add up as 64-bit integers on both
    /// databases.
    pub fn sum(self) -> Term<<T as Numeric>::Sum>
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
    pub fn avg(self) -> Term<<T as Numeric>::Avg>
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
    pub fn abs(self) -> Term<T>
    where
        T: Numeric,
    {
        Term::with(Scalar::Call { func: Func::Abs, args: vec![self.node] }, self.column)
    }

    /// `coalesce(x, fallback)`: the value, or `fallback` where it is `NULL`.
    pub fn or_else<U>(self, fallback: impl Operand<U>) -> Term<U>
    where
        T: Nullable<Inner = U>,
    {
        Term::of(Scalar::Call { func: Func::Coalesce, args: vec![self.node, fallback.term().node] })
    }

    pub(crate) fn compare(self, op: &'static str, other: Scalar) -> Expr {
        Expr::compare(self.node, op, other)
    }
}

impl<T: Text + Nullable> Term<T> {
    /// The text in lower case: `lower(x)`.
    pub fn lower(self) -> Term<T> {
        Term::of(Scalar::Call { func: Func::Lower, args: vec![self.node] })
    }
    /// The text in upper case: `upper(x)`.
    pub fn upper(self) -> Term<T> {
        Term::of(Scalar::Call { func: Func::Upper, args: vec![self.node] })
    }
    /// The text's length in characters: `length(x)`.
    pub fn length(self) -> Term<<T as Nullable>::WithInt> {
        Term::of(Scalar::Call { func: Func::Length, args: vec![self.node] })
    }
}

/// `count(*)`: the number of rows (of each group, under [`Projection::group_by`](crate::Projection::group_by)).
pub fn count() -> Term<i64> {
    Term::of(Scalar::CountAll)
}

/// `coalesce(a, b)`: `a`, or `b` where `a` is `NULL` (also [`Term::or_else`]).
pub fn coalesce<T: Nullable>(a: impl Operand<T>, b: impl Operand<T::Inner>) -> Term<T::Inner> {
    a.term().or_else(b)
}

/// Something that stands for a value of SQL type `T` in a comparison, an assignment or
/// arithmetic: a column handle, a [`Term`], or a plain value (bound as a parameter).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand for a value of type `{T}`",
    label = "not a `{T}`, a column of `{T}` or a term yielding `{T}`",
    note = "compare a column with a value, column or term of the column's own type; `.term().cast::<U>()` converts a column or term in SQL"
)]
pub trait Operand<T> {
    /// The operand as a term.
    fn term(self) -> Term<T>;
}

impl<T: SqlValue> Operand<T> for T {
    fn term(self) -> Term<T> {
        Term::of(Scalar::Bound(self.bind()))
    }
}

impl<T: SqlValue> Operand<T> for &T {
    fn term(self) -> Term<T> {
        Term::of(Scalar::Bound(self.bind()))
    }
}

/// A plain value for an optional column: `Post::rating.eq(5)`.
impl<T: SqlValue> Operand<Option<T>> for T {
    fn term(self) -> Term<Option<T>> {
        Term::of(Scalar::Bound(self.to_value().into_owned()))
    }
}

impl Operand<String> for &str {
    fn term(self) -> Term<String> {
        Term::of(Scalar::Bound(Value::Text(self.to_owned().into())))
    }
}

impl Operand<Option<String>> for &str {
    fn term(self) -> Term<Option<String>> {
        Term::of(Scalar::Bound(Value::Text(self.to_owned().into())))
    }
}

impl<T> Operand<T> for Term<T> {
    fn term(self) -> Term<T> {
        self
    }
}

impl<M: crate::Model, T> Operand<T> for Col<M, T> {
    fn term(self) -> Term<T> {
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
crate::value::with_column_types!(nullable);

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
        impl<T: Numeric, R: Operand<T>> std::ops::$trait<R> for Term<T> {
            type Output = Term<T>;
            fn $method(self, rhs: R) -> Term<T> {
                let node = Scalar::Arith { op: $op, left: Box::new(self.node), right: Box::new(rhs.term().node) };
                Term::with(node, self.column)
            }
        }
        impl<M: crate::Model, T: Numeric, R: Operand<T>> std::ops::$trait<R> for Col<M, T> {
            type Output = Term<T>;
            fn $method(self, rhs: R) -> Term<T> {
                std::ops::$trait::$method(self.term(), rhs)
            }
        }
    )*};
}
arithmetic!(Add add "+", Sub sub "-", Mul mul "*", Div div "/");
