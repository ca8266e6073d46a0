//! Values crossing the SQL boundary, and the [`SqlValue`] trait that maps Rust column types to
//! them. Storage formats follow SQLAlchemy on SQLite so that databases are interchangeable.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

use crate::schema::{ColumnDef, SqlType};

/// A value bound to a statement parameter. Borrowed where the Rust value allows it, so that
/// binding a `String` column does not copy it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// SQL `NULL`.
    Null,
    /// A 64-bit integer (also booleans, stored as 1/0).
    Integer(i64),
    /// A double-precision float (also `NUMERIC`, bound as a float like SQLAlchemy does).
    Real(f64),
    /// Text (also dates and times in SQLAlchemy's ISO formats).
    Text(Cow<'a, str>),
    /// A byte string.
    Blob(Cow<'a, [u8]>),
}

impl Value<'_> {
    /// Detaches the value from the data it borrows.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Integer(i) => Value::Integer(i),
            Value::Real(f) => Value::Real(f),
            Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
            Value::Blob(b) => Value::Blob(Cow::Owned(b.into_owned())),
        }
    }
}

impl Value<'_> {
    /// The value as a row value would be read back.
    pub fn as_value_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl std::fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Real(r) => write!(f, "{r}"),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Blob(b) => write!(f, "<{} bytes>", b.len()),
        }
    }
}

/// A value read from a result row, borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// SQL `NULL`.
    Null,
    /// An integer.
    Integer(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(&'a str),
    /// A byte string.
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    /// The storage class, as SQLite names it, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Integer(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
        }
    }
}

/// Why a stored value could not be decoded; the runtime wraps it with the table and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl DecodeError {
    fn unexpected(expected: &str, got: ValueRef<'_>) -> Self {
        DecodeError(format!("expected {expected}, found {}", describe(got)))
    }
}

fn describe(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Text(t) if t.len() > 40 => format!("TEXT {:?}...", &t[..t.floor_char_boundary_compat(40)]),
        ValueRef::Text(t) => format!("TEXT {t:?}"),
        ValueRef::Integer(i) => format!("INTEGER {i}"),
        ValueRef::Real(r) => format!("REAL {r}"),
        other => other.type_name().to_string(),
    }
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// A Rust type that can be stored in a column.
///
/// Implemented for integers, `bool`, `f64`/`f32`, `String`, `Vec<u8>`, `Option<T>`, chrono's
/// `NaiveDateTime`/`NaiveDate`/`NaiveTime` and `rust_decimal::Decimal`.
pub trait SqlValue: Sized {
    /// The declared SQL type when the model gives no `len`, `text` or `numeric` option.
    const SQL_TYPE: SqlType;
    /// Whether the column accepts `NULL` (true only for `Option<T>`).
    const NULLABLE: bool = false;
    /// The value to bind.
    fn to_value(&self) -> Value<'_>;
    /// Decodes a stored value; `column` gives the declared type (e.g. a `NUMERIC` scale).
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError>;
}

macro_rules! int_value {
    ($($t:ty => $sql:expr),*) => {$(
        impl SqlValue for $t {
            const SQL_TYPE: SqlType = $sql;
            fn to_value(&self) -> Value<'_> {
                Value::Integer(i64::from(*self))
            }
            fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
                match value {
                    ValueRef::Integer(i) => <$t>::try_from(i).map_err(|_| {
                        DecodeError(format!("INTEGER {i} does not fit in {}", stringify!($t)))
                    }),
                    other => Err(DecodeError::unexpected("INTEGER", other)),
                }
            }
        }
    )*};
}
int_value!(i64 => SqlType::Integer, i32 => SqlType::Integer, i16 => SqlType::SmallInteger,
    i8 => SqlType::SmallInteger, u8 => SqlType::SmallInteger, u16 => SqlType::Integer,
    u32 => SqlType::BigInteger);

impl SqlValue for bool {
    const SQL_TYPE: SqlType = SqlType::Boolean;
    fn to_value(&self) -> Value<'_> {
        Value::Integer(i64::from(*self))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Integer(0) => Ok(false),
            ValueRef::Integer(1) => Ok(true),
            other => Err(DecodeError::unexpected("BOOLEAN 0 or 1", other)),
        }
    }
}

impl SqlValue for f64 {
    const SQL_TYPE: SqlType = SqlType::Float;
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Real(r) => Ok(r),
            // SQLite stores integral REAL values in NUMERIC-affinity columns as integers
            ValueRef::Integer(i) => Ok(i as f64),
            other => Err(DecodeError::unexpected("REAL", other)),
        }
    }
}

impl SqlValue for f32 {
    const SQL_TYPE: SqlType = SqlType::Float;
    fn to_value(&self) -> Value<'_> {
        Value::Real(f64::from(*self))
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        f64::from_value(value, column).map(|f| f as f32)
    }
}

impl SqlValue for String {
    const SQL_TYPE: SqlType = SqlType::Varchar(None);
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Borrowed(self))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Text(t) => Ok(t.to_owned()),
            other => Err(DecodeError::unexpected("TEXT", other)),
        }
    }
}

impl SqlValue for Vec<u8> {
    const SQL_TYPE: SqlType = SqlType::Blob;
    fn to_value(&self) -> Value<'_> {
        Value::Blob(Cow::Borrowed(self))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            other => Err(DecodeError::unexpected("BLOB", other)),
        }
    }
}

impl<T: SqlValue> SqlValue for Option<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;
    const NULLABLE: bool = true;
    fn to_value(&self) -> Value<'_> {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_value(other, column).map(Some),
        }
    }
}

/// SQLAlchemy's DateTime storage format on SQLite: always six fractional digits (finer
/// precision is truncated, as Python's `datetime` has none).
pub(crate) const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";
const TIME_FORMAT: &str = "%H:%M:%S%.6f";

fn text<'a>(value: ValueRef<'a>, expected: &str) -> Result<&'a str, DecodeError> {
    match value {
        ValueRef::Text(t) => Ok(t),
        other => Err(DecodeError::unexpected(expected, other)),
    }
}

impl SqlValue for NaiveDateTime {
    const SQL_TYPE: SqlType = SqlType::DateTime;
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Owned(self.format(DATETIME_FORMAT).to_string()))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        let t = text(value, "DATETIME text")?;
        // SQLAlchemy writes "YYYY-MM-DD HH:MM:SS.ffffff"; it also reads these shorter forms.
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
            .or_else(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().map(|d| d.and_time(NaiveTime::MIN)))
            .ok_or_else(|| DecodeError(format!("malformed DATETIME {t:?} (expected YYYY-MM-DD HH:MM:SS.ffffff)")))
    }
}

impl SqlValue for NaiveDate {
    const SQL_TYPE: SqlType = SqlType::Date;
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Owned(self.format("%Y-%m-%d").to_string()))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        let t = text(value, "DATE text")?;
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| DecodeError(format!("malformed DATE {t:?} (expected YYYY-MM-DD)")))
    }
}

impl SqlValue for NaiveTime {
    const SQL_TYPE: SqlType = SqlType::Time;
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Owned(self.format(TIME_FORMAT).to_string()))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        let t = text(value, "TIME text")?;
        NaiveTime::parse_from_str(t, "%H:%M:%S%.f")
            .map_err(|_| DecodeError(format!("malformed TIME {t:?} (expected HH:MM:SS.ffffff)")))
    }
}

impl SqlValue for Decimal {
    const SQL_TYPE: SqlType = SqlType::Numeric(None);
    fn to_value(&self) -> Value<'_> {
        // SQLAlchemy binds Numeric as a float on SQLite; so do we, for identical files.
        match self.to_f64() {
            Some(f) => Value::Real(f),
            None => Value::Text(Cow::Owned(self.to_string())),
        }
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        let d = match value {
            ValueRef::Integer(i) => Decimal::from(i),
            ValueRef::Real(r) => {
                Decimal::from_f64(r).ok_or_else(|| DecodeError(format!("REAL {r} is not a finite decimal")))?
            }
            ValueRef::Text(t) => t.parse::<Decimal>().map_err(|_| DecodeError(format!("malformed NUMERIC {t:?}")))?,
            other => return Err(DecodeError::unexpected("NUMERIC", other)),
        };
        Ok(match column.sql_type {
            // like SQLAlchemy's Numeric(p, s): the value comes back with the column's scale
            SqlType::Numeric(Some((_, scale))) => {
                let mut d = d.round_dp(u32::from(scale));
                d.rescale(u32::from(scale));
                d
            }
            _ => d.normalize(),
        })
    }
}

/// A value that can be compared with, or assigned to, a column of type `T`: `T` itself, and
/// borrowed or plain forms where they are unambiguous (`&str` for `String`, `T` for `Option<T>`).
pub trait Bind<T> {
    /// The value to bind, detached from `self`.
    fn bind(self) -> Value<'static>;
}

impl<T: SqlValue> Bind<T> for T {
    fn bind(self) -> Value<'static> {
        self.to_value().into_owned()
    }
}

impl<T: SqlValue> Bind<T> for &T {
    fn bind(self) -> Value<'static> {
        self.to_value().into_owned()
    }
}

impl Bind<String> for &str {
    fn bind(self) -> Value<'static> {
        Value::Text(Cow::Owned(self.to_owned()))
    }
}

impl Bind<Option<String>> for &str {
    fn bind(self) -> Value<'static> {
        Value::Text(Cow::Owned(self.to_owned()))
    }
}

macro_rules! bind_some {
    ($($t:ty),*) => {$(
        impl Bind<Option<$t>> for $t {
            fn bind(self) -> Value<'static> {
                self.to_value().into_owned()
            }
        }
    )*};
}
bind_some!(
    i64,
    i32,
    i16,
    i8,
    u8,
    u16,
    u32,
    bool,
    f64,
    f32,
    String,
    Vec<u8>,
    NaiveDateTime,
    NaiveDate,
    NaiveTime,
    Decimal
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnDef;

    const COL: ColumnDef = ColumnDef::new("c", SqlType::DateTime);

    #[test]
    fn datetime_uses_sqlalchemy_format() {
        let dt = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap().and_hms_opt(9, 30, 0).unwrap();
        assert_eq!(dt.to_value(), Value::Text("2024-05-01 09:30:00.000000".into()));
        let back = NaiveDateTime::from_value(ValueRef::Text("2024-05-01 09:30:00.000000"), &COL);
        assert_eq!(back, Ok(dt));
    }

    #[test]
    fn malformed_datetime_is_an_error_not_a_panic() {
        let err = NaiveDateTime::from_value(ValueRef::Text("yesterday"), &COL).unwrap_err();
        assert!(err.0.contains("malformed DATETIME \"yesterday\""), "{}", err.0);
    }

    #[test]
    fn numeric_comes_back_with_column_scale() {
        let col = ColumnDef::new("p", SqlType::Numeric(Some((10, 2))));
        let d = Decimal::from_value(ValueRef::Integer(5), &col).unwrap();
        assert_eq!(d.to_string(), "5.00");
        let d = Decimal::from_value(ValueRef::Real(129.99), &col).unwrap();
        assert_eq!(d.to_string(), "129.99");
    }

    #[test]
    fn integers_out_of_range_are_errors() {
        let col = ColumnDef::new("n", SqlType::Integer);
        assert!(i8::from_value(ValueRef::Integer(300), &col).is_err());
        assert!(bool::from_value(ValueRef::Integer(2), &col).is_err());
    }
}
