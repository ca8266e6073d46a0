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
    /// An exact decimal (`NUMERIC`): bound as one on PostgreSQL, and as a float on SQLite, as
    /// SQLAlchemy binds it there.
    Decimal(Decimal),
    /// A list of values bound as one parameter: how `Col::is_in` binds a list longer than a
    /// statement could bind one by one (`IN rarray(?)` on SQLite).
    List(std::sync::Arc<[Value<'static>]>),
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
            Value::Decimal(d) => Value::Decimal(d),
            Value::List(l) => Value::List(l),
        }
    }
}

impl Value<'_> {
    /// The value as a row value would be read back (a list, which no column holds, as `NULL`).
    pub fn as_value_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
            Value::Decimal(d) => d.to_f64().map_or(ValueRef::Null, ValueRef::Real),
            Value::List(_) => ValueRef::Null,
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
            Value::Decimal(d) => write!(f, "{d}"),
            Value::List(l) => write!(f, "<list of {} values>", l.len()),
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
    /// A stored value of another kind than the column type reads (`expected` names the kind
    /// it reads: `"INTEGER"`, `"VARCHAR"`), for a [`SqlValue`] written by hand.
    pub fn unexpected(expected: &str, got: ValueRef<'_>) -> Self {
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
/// `NaiveDateTime`/`NaiveDate`/`NaiveTime` and `rust_decimal::Decimal`, and by
/// `#[derive(SqlEnum)]` for an enum whose variants have no fields.
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
            #[inline]
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
    /// Reads what SQLAlchemy reads (Python's `bool(value)`): any integer or real but zero is
    /// true, and so is any text but the empty one (`'false'` included, as in Python). Written
    /// values are always 1 or 0.
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Integer(i) => Ok(i != 0),
            ValueRef::Real(r) => Ok(r != 0.0),
            ValueRef::Text(t) => Ok(!t.is_empty()),
            ValueRef::Blob(b) => Ok(!b.is_empty()),
            other => Err(DecodeError::unexpected("BOOLEAN", other)),
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
    #[inline]
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
pub(crate) const TIME_FORMAT: &str = "%H:%M:%S%.6f";

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
    /// Reads what SQLAlchemy reads (Python's `datetime.fromisoformat`): a date alone, `T` or
    /// a space before the time, the time to the hour, minute, second or any fraction (cut to
    /// microseconds, as Python does), and a `Z` or `±HH[:MM]` offset — converted to UTC, the
    /// time a `NaiveDateTime` column holds. Written values are always
    /// `YYYY-MM-DD HH:MM:SS.ffffff`.
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        let t = text(value, "DATETIME text")?;
        parse_iso_datetime(t)
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
        parse_iso_time(t).ok_or_else(|| DecodeError(format!("malformed TIME {t:?} (expected HH:MM:SS.ffffff)")))
    }
}

impl SqlValue for Decimal {
    const SQL_TYPE: SqlType = SqlType::Numeric(None);
    fn to_value(&self) -> Value<'_> {
        Value::Decimal(*self)
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        // SQLAlchemy's Numeric(p, s) reads `Decimal("%.{s}f" % value)`: the stored double
        // rounded to the scale by its exact binary value, ties to even (Rust's `{:.s}` rounds
        // the same way). Without a declared scale the value keeps the one the database gave:
        // the digits of a decimal's text; a double (SQLite's REAL, which has none) is read at
        // SQLAlchemy's 10 digits, its trailing zeros dropped.
        let scale = match column.sql_type {
            SqlType::Numeric(Some((_, scale))) => Some(u32::from(scale)),
            _ => None,
        };
        let d = match value {
            ValueRef::Integer(i) => Decimal::from(i),
            ValueRef::Real(r) if r.is_finite() => {
                let digits = scale.unwrap_or(10) as usize;
                let d = format!("{r:.digits$}")
                    .parse::<Decimal>()
                    .or_else(|_| Decimal::from_f64(r).ok_or(()))
                    .map_err(|_| DecodeError(format!("REAL {r} does not fit in a decimal")))?;
                if scale.is_none() {
                    return Ok(d.normalize());
                }
                d
            }
            ValueRef::Real(r) => return Err(DecodeError(format!("REAL {r} is not a finite decimal"))),
            // text that SQLite did not turn into a number (it does for well-formed numbers):
            // read as a decimal, rounded half to even below
            ValueRef::Text(t) => t
                .trim()
                .parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(t.trim()))
                .map_err(|_| DecodeError(format!("malformed NUMERIC {t:?}")))?,
            other => return Err(DecodeError::unexpected("NUMERIC", other)),
        };
        Ok(match scale {
            // the value comes back with the column's scale
            Some(scale) => {
                let mut d = d.round_dp(scale);
                d.rescale(scale);
                d
            }
            None => d,
        })
    }
}

/// `YYYY-MM-DD[(T| )HH[:MM[:SS[.f...]]][Z|±HH[:MM[:SS]]]]`, as Python's `fromisoformat` reads
/// it; an offset is converted to UTC.
pub(crate) fn parse_iso_datetime(t: &str) -> Option<NaiveDateTime> {
    let t = t.trim();
    let date = NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    // the offset starts at a `Z`, `+` or `-` after the time
    let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let local = date.and_time(parse_iso_time(time)?);
    let seconds = match offset {
        None => 0,
        Some(o) => parse_offset(o)?,
    };
    local.checked_sub_signed(chrono::TimeDelta::seconds(seconds))
}

/// `Z`, or `±HH[:MM[:SS]]` / `±HHMM`: seconds east of UTC.
fn parse_offset(o: &str) -> Option<i64> {
    if o.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = if o.starts_with('-') { -1 } else { 1 };
    let digits: String = o[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() < 2 || digits.len() > 6 || digits.len() % 2 == 1 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let part = |i: usize| digits.get(i..i + 2).map_or(Some(0), |p| p.parse::<i64>().ok());
    let (h, m, s) = (part(0)?, part(2)?, part(4)?);
    (h < 24 && m < 60 && s < 60).then_some(sign * (h * 3600 + m * 60 + s))
}

/// `HH[:MM[:SS[.f...]]]`, the fraction cut to microseconds (as Python does).
pub(crate) fn parse_iso_time(t: &str) -> Option<NaiveTime> {
    let (hms, fraction) = match t.split_once(['.', ',']) {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, f),
        Some(_) => return None,
        None => (t, ""),
    };
    let mut parts = hms.split(':');
    let mut next = |required: bool| -> Option<u32> {
        match parts.next() {
            Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
            None if !required => Some(0),
            _ => None,
        }
    };
    let (h, m, s) = (next(true)?, next(false)?, next(false)?);
    if parts.next().is_some() || (!fraction.is_empty() && hms.len() != 8) {
        return None;
    }
    let micros = format!("{fraction:0<6}")[..6].parse::<u32>().ok()?;
    NaiveTime::from_hms_micro_opt(h, m, s, micros)
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
/// Calls the macro `$m` with every column type `relations` implements [`SqlValue`] for (but
/// `Option`): the one list of them.
macro_rules! with_column_types {
    ($m:ident) => {
        $m!(
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
            chrono::NaiveDateTime,
            chrono::NaiveDate,
            chrono::NaiveTime,
            rust_decimal::Decimal
        );
    };
}
pub(crate) use with_column_types;
with_column_types!(bind_some);

/// The current UTC time, for `default = now`, at microsecond precision: the precision a
/// `DATETIME` column stores (as Python's `datetime`), so a new row equals its re-read self.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// The current UTC date, for `default = today`.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

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
    }

    /// What SQLAlchemy 2.1 with Python 3.11 reads from the same stored values.
    #[test]
    fn datetimes_read_as_python_fromisoformat_reads_them() {
        let dt = |s: &str| NaiveDateTime::from_value(ValueRef::Text(s), &COL).map(|d| d.to_string());
        for (stored, python_utc) in [
            ("2024-05-01T09:30:00", "2024-05-01 09:30:00"),
            ("2024-05-01 09:30:00Z", "2024-05-01 09:30:00"),
            ("2024-05-01 09:30:00+02:00", "2024-05-01 07:30:00"),
            ("2024-05-01T09:30:00.123Z", "2024-05-01 09:30:00.123"),
            ("2024-05-01 09:30", "2024-05-01 09:30:00"),
            ("2024-05-01", "2024-05-01 00:00:00"),
            ("2024-05-01 09:30:00.1234567", "2024-05-01 09:30:00.123456"),
            ("2024-05-01T09:30:00.5-03:30", "2024-05-01 13:00:00.500"),
            ("2024-05-01T23:30:00-0100", "2024-05-02 00:30:00"),
            ("2024-05-01T09", "2024-05-01 09:00:00"),
        ] {
            assert_eq!(dt(stored).as_deref(), Ok(python_utc), "{stored}");
        }
        for bad in ["2024-05-01X09:30", "2024-05-01 9:30", "2024-05-01 09:30:00+2", "2024-13-01", "09:30"] {
            assert!(dt(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn booleans_read_as_python_bool_reads_them() {
        let col = ColumnDef::new("b", SqlType::Boolean);
        let b = |v: ValueRef<'_>| bool::from_value(v, &col).unwrap();
        assert!(
            !b(ValueRef::Integer(0)) && b(ValueRef::Integer(1)) && b(ValueRef::Integer(2)) && b(ValueRef::Integer(-1))
        );
        assert!(b(ValueRef::Real(0.5)) && !b(ValueRef::Real(0.0)));
        // Python: bool("false") is True, bool("") is False
        assert!(b(ValueRef::Text("true")) && b(ValueRef::Text("false")) && b(ValueRef::Text("t")));
        assert!(!b(ValueRef::Text("")));
        assert_eq!(true.to_value(), Value::Integer(1));
    }

    #[test]
    fn numeric_rounds_to_the_scale_as_sqlalchemy_does() {
        let col = ColumnDef::new("p", SqlType::Numeric(Some((10, 2))));
        let d = |v: ValueRef<'_>| Decimal::from_value(v, &col).unwrap().to_string();
        // SQLite stores '12.345' in a NUMERIC column as the double 12.345 (a hair above)
        for (stored, python) in [
            (12.345, "12.35"),
            (12.355, "12.36"),
            (12.344, "12.34"),
            (0.125, "0.12"),
            (2.675, "2.67"),
            (0.005, "0.01"),
            (-12.345, "-12.35"),
            (12.345678901234567, "12.35"),
        ] {
            assert_eq!(d(ValueRef::Real(stored)), python, "{stored}");
        }
        assert_eq!(d(ValueRef::Integer(1000)), "1000.00");
        // without a declared scale, the database's: a decimal's digits, a double's shortest
        let free = ColumnDef::new("p", SqlType::Numeric(None));
        let f = |v: ValueRef<'_>| Decimal::from_value(v, &free).unwrap().to_string();
        assert_eq!(f(ValueRef::Text("12.50")), "12.50");
        assert_eq!(f(ValueRef::Text("18.7500")), "18.7500");
        assert_eq!(f(ValueRef::Real(12.5)), "12.5");
        assert_eq!(f(ValueRef::Real(0.1 * 3.0)), "0.3");
        assert_eq!(f(ValueRef::Integer(3)), "3");
        assert_eq!(d(ValueRef::Text("12.345")), "12.34", "text kept as text: decimal rounding, half to even");
        assert!(Decimal::from_value(ValueRef::Text("abc"), &col).is_err());
    }
}

/// `uuid::Uuid` (feature `uuid`): `UUID` on PostgreSQL; on SQLite `CHAR(32)` holding the 32
/// hex digits, as SQLAlchemy's `Uuid` stores it. Reads the hyphenated form too.
#[cfg(feature = "uuid")]
impl SqlValue for uuid::Uuid {
    const SQL_TYPE: SqlType = SqlType::Uuid;
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Owned(self.simple().to_string()))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        let t = text(value, "UUID text")?;
        uuid::Uuid::try_parse(t).map_err(|_| DecodeError(format!("malformed UUID {t:?}")))
    }
}

/// `serde_json::Value` (feature `json`): `JSON` on PostgreSQL, `TEXT` on SQLite, holding the
/// value's JSON text.
#[cfg(feature = "json")]
impl SqlValue for serde_json::Value {
    const SQL_TYPE: SqlType = SqlType::Json;
    fn to_value(&self) -> Value<'_> {
        Value::Text(Cow::Owned(self.to_string()))
    }
    fn from_value(value: ValueRef<'_>, _: &ColumnDef) -> Result<Self, DecodeError> {
        let t = text(value, "JSON text")?;
        serde_json::from_str(t).map_err(|e| DecodeError(format!("malformed JSON ({e})")))
    }
}

/// The `time` crate's types (feature `time`), stored exactly as chrono's: the same column
/// types and the same text, through chrono's conversions.
#[cfg(feature = "time")]
mod time_values {
    use super::*;

    fn date_to_chrono(d: time::Date) -> NaiveDate {
        NaiveDate::from_yo_opt(d.year(), u32::from(d.ordinal())).expect("a `time::Date` is a valid date")
    }

    fn time_to_chrono(t: time::Time) -> NaiveTime {
        NaiveTime::from_hms_nano_opt(u32::from(t.hour()), u32::from(t.minute()), u32::from(t.second()), t.nanosecond())
            .expect("a `time::Time` is a valid time")
    }

    fn date_from_chrono(d: NaiveDate) -> Result<time::Date, DecodeError> {
        use chrono::Datelike;
        let ordinal = u16::try_from(d.ordinal()).expect("an ordinal fits in u16");
        time::Date::from_ordinal_date(d.year(), ordinal)
            .map_err(|e| DecodeError(format!("DATE {d} is out of `time`'s range ({e})")))
    }

    fn time_from_chrono(t: NaiveTime) -> Result<time::Time, DecodeError> {
        use chrono::Timelike;
        let part = |v: u32| u8::try_from(v).expect("a time field fits in u8");
        time::Time::from_hms_nano(part(t.hour()), part(t.minute()), part(t.second()), t.nanosecond())
            .map_err(|e| DecodeError(format!("TIME {t} does not fit `time::Time` ({e})")))
    }

    impl SqlValue for time::PrimitiveDateTime {
        const SQL_TYPE: SqlType = SqlType::DateTime;
        fn to_value(&self) -> Value<'_> {
            NaiveDateTime::new(date_to_chrono(self.date()), time_to_chrono(self.time())).to_value().into_owned()
        }
        fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
            let dt = NaiveDateTime::from_value(value, column)?;
            Ok(time::PrimitiveDateTime::new(date_from_chrono(dt.date())?, time_from_chrono(dt.time())?))
        }
    }

    impl SqlValue for time::Date {
        const SQL_TYPE: SqlType = SqlType::Date;
        fn to_value(&self) -> Value<'_> {
            date_to_chrono(*self).to_value().into_owned()
        }
        fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
            date_from_chrono(NaiveDate::from_value(value, column)?)
        }
    }

    impl SqlValue for time::Time {
        const SQL_TYPE: SqlType = SqlType::Time;
        fn to_value(&self) -> Value<'_> {
            time_to_chrono(*self).to_value().into_owned()
        }
        fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
            time_from_chrono(NaiveTime::from_value(value, column)?)
        }
    }
}
