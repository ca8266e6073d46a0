//! The PostgreSQL backend, on the `postgres` crate (feature `postgres`).
//!
//! Values are bound by the type the server inferred for each parameter: an integer becomes an
//! `int2`/`int4`/`int8`/`bool`/`numeric`, text in SQLAlchemy's formats becomes a `timestamp`,
//! `date` or `time`, a decimal stays exact. Rows are read back into the same [`Value`]s the
//! SQLite backend produces, so models decode alike on both.

use std::cell::{Cell, RefCell};
use std::error::Error as StdError;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type};
use postgres::{Client, NoTls, Statement};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

use super::{AfterError, Backend, RawRow, RowError};
use crate::dialect::{Dialect, Postgres};
use crate::error::{Error, Result};
use crate::value::{Value, ValueRef};

type BoxError = Box<dyn StdError + Sync + Send>;

/// A PostgreSQL connection with its prepared statements.
pub(crate) struct PgBackend {
    client: RefCell<Client>,
    statements: RefCell<rustc_hash::FxHashMap<String, Statement>>,
    in_transaction: Cell<bool>,
    url: String,
}

impl PgBackend {
    /// Connects to `url` (`postgresql://user@host:port/database`, libpq's key=value form too).
    pub(crate) fn connect(url: &str) -> Result<PgBackend> {
        let client =
            Client::connect(url, NoTls).map_err(|e| Error::Connect { url: redact(url), message: e.to_string() })?;
        Ok(PgBackend {
            client: RefCell::new(client),
            statements: RefCell::default(),
            in_transaction: Cell::new(false),
            url: redact(url),
        })
    }

    /// The client underneath.
    pub(crate) fn client(&self) -> std::cell::RefMut<'_, Client> {
        self.client.borrow_mut()
    }

    fn prepare(&self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.borrow_mut().prepare(sql).map_err(|e| translate(e, None))?;
        let mut statements = self.statements.borrow_mut();
        if statements.len() >= STATEMENT_CACHE {
            // bounded, as SQLite's cache is: the dropped statements are closed on the server
            statements.clear();
        }
        statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

/// How many prepared statements a connection keeps (SQLite's cache holds as many).
const STATEMENT_CACHE: usize = 256;

/// `url` without its password (in a URL's user info, or a `password=` setting).
pub(crate) fn redact(url: &str) -> String {
    if let Some(i) = url.find("password=") {
        let start = i + "password=".len();
        let end = url[start..].find([' ', '&']).map_or(url.len(), |e| start + e);
        return format!("{}***{}", &url[..start], &url[end..]);
    }
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A parameter, converted to the type the server expects; a value that does not fit says so
/// in `failure`, with its position.
#[derive(Debug)]
struct Param<'a> {
    value: &'a Value<'a>,
    index: usize,
    failure: &'a std::sync::OnceLock<(usize, String)>,
}

/// The parameters of one statement.
fn bind<'a>(params: &'a [Value<'a>], failure: &'a std::sync::OnceLock<(usize, String)>) -> Vec<Param<'a>> {
    params.iter().enumerate().map(|(i, value)| Param { value, index: i + 1, failure }).collect()
}

/// The typed error for a parameter that did not fit, if that is what failed.
fn unstorable(failure: &std::sync::OnceLock<(usize, String)>, table: &str) -> Option<Error> {
    failure.get().map(|(parameter, message)| Error::Unstorable {
        table: table.to_string(),
        column: None,
        parameter: *parameter,
        message: message.clone(),
    })
}

fn mismatch(value: &Value<'_>, ty: &Type) -> BoxError {
    format!("cannot bind {value} to a PostgreSQL {ty} parameter").into()
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        let result = self.convert(ty, out);
        if let Err(e) = &result {
            let _ = self.failure.set((self.index, e.to_string()));
        }
        result
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl Param<'_> {
    fn convert(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        let v = self.value;
        let mut int = |i: i64| -> Result<IsNull, BoxError> {
            let range = || -> BoxError {
                let hint = if *ty == Type::INT4 { "; declare the column `bigint` for 64 bits" } else { "" };
                format!("{i} is out of range for a PostgreSQL {ty}{hint}").into()
            };
            match *ty {
                Type::INT2 => i16::try_from(i).map_err(|_| range())?.to_sql(ty, out),
                Type::INT4 => i32::try_from(i).map_err(|_| range())?.to_sql(ty, out),
                Type::INT8 => i.to_sql(ty, out),
                Type::OID => u32::try_from(i).map_err(|_| range())?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::NUMERIC => Decimal::from(i).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => i.to_string().to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            }
        };
        match v {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => int(*i),
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                // the shortest decimal that reads back as this double: what was written
                Type::NUMERIC => {
                    let d = f.to_string().parse::<Decimal>().ok().or_else(|| Decimal::from_f64(*f));
                    d.ok_or_else(|| mismatch(v, ty))?.to_sql(ty, out)
                }
                _ => Err(mismatch(v, ty)),
            },
            Value::Decimal(d) => match *ty {
                Type::NUMERIC => d.to_sql(ty, out),
                Type::FLOAT8 => d.to_f64().ok_or_else(|| mismatch(v, ty))?.to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => d.to_string().to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Value::Text(t) if t.contains('\0') => {
                Err("PostgreSQL text cannot hold the NUL character (U+0000); store such values as bytes".into())
            }
            Value::Text(t) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => t.as_ref().to_sql(ty, out),
                Type::TIMESTAMP => crate::value::parse_iso_datetime(t).ok_or_else(|| mismatch(v, ty))?.to_sql(ty, out),
                Type::TIMESTAMPTZ => {
                    crate::value::parse_iso_datetime(t).ok_or_else(|| mismatch(v, ty))?.and_utc().to_sql(ty, out)
                }
                Type::DATE => NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| mismatch(v, ty))?.to_sql(ty, out),
                Type::TIME => crate::value::parse_iso_time(t).ok_or_else(|| mismatch(v, ty))?.to_sql(ty, out),
                Type::NUMERIC => t.trim().parse::<Decimal>().map_err(|_| mismatch(v, ty))?.to_sql(ty, out),
                // the binary form of JSON is its text; JSONB's is a version byte, then the text
                Type::JSON => t.as_ref().to_sql(ty, out),
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    t.as_ref().to_sql(&Type::TEXT, out)
                }
                #[cfg(feature = "uuid")]
                Type::UUID => {
                    out.extend_from_slice(uuid::Uuid::try_parse(t).map_err(|_| mismatch(v, ty))?.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(mismatch(v, ty)),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.as_ref().to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
            Value::List(values) => match ty.kind() {
                Kind::Array(_) => bind(values, self.failure).to_sql(ty, out),
                _ => Err(mismatch(v, ty)),
            },
        }
    }
}

/// A column value read back as the SQLite backend would give it.
struct ReadValue(Value<'static>);

impl<'a> FromSql<'a> for ReadValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        use crate::value::{DATETIME_FORMAT, TIME_FORMAT};
        let text = |s: String| Ok(ReadValue(Value::Text(s.into())));
        match *ty {
            Type::BOOL => Ok(ReadValue(Value::Integer(i64::from(bool::from_sql(ty, raw)?)))),
            Type::INT2 => Ok(ReadValue(Value::Integer(i64::from(i16::from_sql(ty, raw)?)))),
            Type::INT4 => Ok(ReadValue(Value::Integer(i64::from(i32::from_sql(ty, raw)?)))),
            Type::INT8 => Ok(ReadValue(Value::Integer(i64::from_sql(ty, raw)?))),
            Type::OID => Ok(ReadValue(Value::Integer(i64::from(u32::from_sql(ty, raw)?)))),
            Type::FLOAT4 => Ok(ReadValue(Value::Real(f64::from(f32::from_sql(ty, raw)?)))),
            Type::FLOAT8 => Ok(ReadValue(Value::Real(f64::from_sql(ty, raw)?))),
            // exact: the decimal's text, which `Decimal` columns read without a float between
            Type::NUMERIC => text(Decimal::from_sql(ty, raw)?.to_string()),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                text(<&str>::from_sql(ty, raw)?.to_owned())
            }
            Type::CHAR => text(char::from(i8::from_sql(ty, raw)? as u8).to_string()),
            Type::BYTEA => Ok(ReadValue(Value::Blob(<&[u8]>::from_sql(ty, raw)?.to_vec().into()))),
            Type::TIMESTAMP => text(NaiveDateTime::from_sql(ty, raw)?.format(DATETIME_FORMAT).to_string()),
            Type::TIMESTAMPTZ => {
                text(DateTime::<Utc>::from_sql(ty, raw)?.naive_utc().format(DATETIME_FORMAT).to_string())
            }
            Type::DATE => text(NaiveDate::from_sql(ty, raw)?.format("%Y-%m-%d").to_string()),
            Type::TIME => text(NaiveTime::from_sql(ty, raw)?.format(TIME_FORMAT).to_string()),
            Type::JSON => text(std::str::from_utf8(raw)?.to_owned()),
            Type::JSONB => match raw.split_first() {
                Some((1, json)) => text(std::str::from_utf8(json)?.to_owned()),
                _ => Err("a JSONB value of an unknown version".into()),
            },
            Type::UUID => text(hex_of(raw)),
            _ => Err(format!("PostgreSQL type {ty} has no Rust column type here").into()),
        }
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(ReadValue(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Whether a column of type `ty` reads straight from the row's bytes (integers, floats, text,
/// bytes), rather than through a conversion to the text SQLite would store (decimals, dates
/// and times).
fn reads_directly(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::BOOL
            | Type::INT2
            | Type::INT4
            | Type::INT8
            | Type::OID
            | Type::FLOAT4
            | Type::FLOAT8
            | Type::TEXT
            | Type::VARCHAR
            | Type::BPCHAR
            | Type::NAME
            | Type::UNKNOWN
            | Type::BYTEA
    )
}

/// A row as the layers above read it: each column decoded from the row's bytes when asked for
/// (text borrowed, not copied), or — when the statement has a column that needs converting —
/// every column converted once.
struct PgRow<'r> {
    row: &'r postgres::Row,
    converted: Vec<Value<'static>>,
}

impl PgRow<'_> {
    fn direct(&self, index: usize) -> Result<ValueRef<'_>, postgres::Error> {
        let row = self.row;
        let ty = row.columns()[index].type_();
        Ok(match *ty {
            Type::BOOL => {
                row.try_get::<_, Option<bool>>(index)?.map_or(ValueRef::Null, |b| ValueRef::Integer(i64::from(b)))
            }
            Type::INT2 => {
                row.try_get::<_, Option<i16>>(index)?.map_or(ValueRef::Null, |i| ValueRef::Integer(i64::from(i)))
            }
            Type::INT4 => {
                row.try_get::<_, Option<i32>>(index)?.map_or(ValueRef::Null, |i| ValueRef::Integer(i64::from(i)))
            }
            Type::INT8 => row.try_get::<_, Option<i64>>(index)?.map_or(ValueRef::Null, ValueRef::Integer),
            Type::OID => {
                row.try_get::<_, Option<u32>>(index)?.map_or(ValueRef::Null, |i| ValueRef::Integer(i64::from(i)))
            }
            Type::FLOAT4 => {
                row.try_get::<_, Option<f32>>(index)?.map_or(ValueRef::Null, |f| ValueRef::Real(f64::from(f)))
            }
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(index)?.map_or(ValueRef::Null, ValueRef::Real),
            Type::BYTEA => row.try_get::<_, Option<&[u8]>>(index)?.map_or(ValueRef::Null, ValueRef::Blob),
            // the text types: the only others `reads_directly` admits
            _ => row.try_get::<_, Option<&str>>(index)?.map_or(ValueRef::Null, ValueRef::Text),
        })
    }
}

impl RawRow for PgRow<'_> {
    fn width(&self) -> usize {
        self.row.len()
    }

    fn column_name(&self, index: usize) -> Option<&str> {
        self.row.columns().get(index).map(postgres::Column::name)
    }

    fn value(&self, index: usize) -> Result<ValueRef<'_>, RowError> {
        if index >= self.row.len() {
            return Err(RowError(format!("no column {index} in the row").into()));
        }
        if !self.converted.is_empty() {
            return Ok(self.converted[index].as_value_ref());
        }
        self.direct(index).map_err(|e| RowError(e.to_string().into()))
    }
}

/// `Key (a, b)=(1, 2) already exists.` → `["a", "b"]`.
fn key_columns(detail: &str) -> Vec<String> {
    detail
        .strip_prefix("Key (")
        .and_then(|d| d.split_once(")="))
        .map(|(cols, _)| cols.split(", ").map(|c| c.trim_matches('"').to_string()).collect())
        .unwrap_or_default()
}

/// Turns a server error into a typed error; `table` is the table being written, if known.
fn translate(e: postgres::Error, table: Option<&str>) -> Error {
    use postgres::error::SqlState;
    let Some(db) = e.as_db_error() else {
        return Error::Postgres(e);
    };
    let table = table.map(str::to_string).or_else(|| db.table().map(str::to_string)).unwrap_or_default();
    let detail = db.detail().unwrap_or("");
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        Error::UniqueViolation {
            table: db.table().map_or(table, str::to_string),
            columns: key_columns(detail),
            constraint: db.constraint().map(str::to_string),
        }
    } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
        // inserting a row that references nothing says "is not present in table"; deleting a
        // row still referenced says "is still referenced"
        let column = match (detail.contains("is not present"), key_columns(detail).as_slice(), db.table()) {
            (true, [c], Some(t)) => Some(format!("{t}.{c}")),
            _ => None,
        };
        Error::ForeignKeyViolation { table, column }
    } else if *code == SqlState::NOT_NULL_VIOLATION {
        Error::NotNullViolation {
            table: db.table().map_or(table, str::to_string),
            column: db.column().unwrap_or("").to_string(),
        }
    } else if *code == SqlState::CHECK_VIOLATION {
        Error::CheckViolation { table, constraint: db.constraint().unwrap_or("").to_string() }
    } else if *code == SqlState::LOCK_NOT_AVAILABLE {
        Error::Busy
    } else if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED {
        Error::Conflict { message: db.message().to_string() }
    } else {
        Error::Postgres(e)
    }
}

impl Backend for PgBackend {
    fn dialect(&self) -> &'static dyn Dialect {
        &Postgres
    }

    fn execute(&self, sql: &str, params: &[Value<'_>], table: &str) -> Result<u64> {
        let stmt = self.prepare(sql)?;
        let failure = std::sync::OnceLock::new();
        let params = bind(params, &failure);
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let result = self.client.borrow_mut().execute(&stmt, &refs);
        result.map_err(|e| unstorable(&failure, table).unwrap_or_else(|| translate(e, Some(table))))
    }

    fn query(&self, sql: &str, params: &[Value<'_>], f: &mut dyn FnMut(&dyn RawRow) -> Result<()>) -> Result<()> {
        let stmt = self.prepare(sql)?;
        let failure = std::sync::OnceLock::new();
        let params = bind(params, &failure);
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let result = self.client.borrow_mut().query(&stmt, &refs);
        let rows = result.map_err(|e| unstorable(&failure, "").unwrap_or_else(|| translate(e, None)))?;
        // the client is free again before `f` runs, so that `f` may run statements
        let direct = rows.first().is_none_or(|row| row.columns().iter().all(|c| reads_directly(c.type_())));
        for row in &rows {
            let converted = if direct {
                Vec::new()
            } else {
                (0..row.len())
                    .map(|i| row.try_get::<_, ReadValue>(i).map(|c| c.0))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| Error::Unexpected(e.to_string()))?
            };
            f(&PgRow { row, converted })?;
        }
        Ok(())
    }

    fn batch(&self, sql: &str) -> Result<()> {
        let result = self.client.borrow_mut().batch_execute(sql).map_err(|e| translate(e, None));
        // the transaction state, as the statements Db sends change it
        let head = sql.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        match head.as_str() {
            "BEGIN" | "START" if result.is_ok() => self.in_transaction.set(true),
            "COMMIT" | "END" => self.in_transaction.set(false),
            "ROLLBACK" if !sql.trim_start()[8..].trim_start().to_ascii_uppercase().starts_with("TO") => {
                self.in_transaction.set(false)
            }
            _ => {}
        }
        result
    }

    fn last_insert_id(&self) -> Option<i64> {
        None
    }

    fn in_transaction(&self) -> bool {
        self.in_transaction.get() && !self.client.borrow().is_closed()
    }

    fn max_variables(&self) -> usize {
        // the protocol's limit: a 16-bit parameter count
        65_535
    }

    fn after_error(&self, _: &Error) -> AfterError {
        if self.client.borrow().is_closed() {
            self.in_transaction.set(false);
            AfterError::Ended
        } else {
            AfterError::NeedsRollback
        }
    }

    fn describe(&self) -> String {
        self.url.clone()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A UUID's 16 bytes as its 32 hex digits (the form a `Uuid` column writes).
fn hex_of(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(32), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(redact("postgresql://ann:s3cret@db:5432/app"), "postgresql://ann:***@db:5432/app");
        assert_eq!(redact("postgresql://ann@db/app"), "postgresql://ann@db/app");
        assert_eq!(redact("host=db user=ann password=s3cret dbname=app"), "host=db user=ann password=*** dbname=app");
        assert_eq!(redact("postgresql://db/app?password=s3cret&x=1"), "postgresql://db/app?password=***&x=1");
    }
}
