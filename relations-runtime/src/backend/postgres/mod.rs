//! The PostgreSQL backend, on tokio-postgres driven by a current-thread runtime of the
//! connection's own (feature `postgres`).
//!
//! Values are bound by the type the server inferred for each parameter: an integer becomes an
//! `int2`/`int4`/`int8`/`bool`/`numeric`, text in SQLAlchemy's formats becomes a `timestamp`,
//! `date` or `time`, a decimal stays exact. Rows are read back into the same [`Value`]s the
//! SQLite backend produces, so models decode alike on both.
//!
//! Why not the `postgres` crate, which is the same client driven the same way: its connection
//! cannot bound the start-up exchange with the server (a server that accepts and never answers
//! hangs `connect` for ever), it cannot tell that an idle connection's server went away without
//! a round trip or a millisecond's wait, and dropping it inside a tokio runtime panics. Owning
//! the runtime, this backend bounds the whole connect, sees a closed socket with one turn of
//! its I/O driver, and closes from a thread of its own when dropped inside a runtime.

mod catalog;

use std::cell::{Cell, RefCell};
use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};
use tokio_postgres::{AsyncMessage, Client, NoTls, Socket, Statement};

use super::connection::{AfterError, Backend, RawRow, RowError};
use crate::dialect::{Dialect, Postgres};
use crate::schema::error::{Error, Result};
use crate::schema::value::{Value, ValueRef};

type BoxError = Box<dyn StdError + Sync + Send>;
type PgError = tokio_postgres::Error;

/// How long connecting (the TCP connection and the start-up exchange together) may take when
/// the URL sets no `connect_timeout`.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the ping after a doubtful error, and a polite close, may wait for the server.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// What the last calls say about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    /// It answered as a server does.
    Good,
    /// A call failed in a way that does not say whether the connection still works: ping it
    /// before trusting it again.
    Doubtful,
    /// It is closed, lost, or in an unknown state (a call given up on): never used again.
    Broken,
}

/// The connection to the server: the client, the connection task that carries its messages,
/// and the runtime that drives both while a call waits.
struct Driver {
    runtime: tokio::runtime::Runtime,
    client: Client,
    connection: RefCell<tokio_postgres::Connection<Socket, NoTlsStream>>,
    /// The connection task ended (the server closed it, or it failed).
    ended: Cell<bool>,
}

/// A call given up on after its time limit.
struct TimedOut;

impl Driver {
    /// `call`, with the connection driven meanwhile: an error of the connection itself (the
    /// server's `FATAL` before it closed) is returned in place of the call's bare "connection
    /// closed".
    fn driving<'s, T>(
        &'s self,
        call: impl Future<Output = Result<T, PgError>> + 's,
    ) -> impl Future<Output = Result<T, PgError>> + 's {
        let mut connection = self.connection.borrow_mut();
        let ended = &self.ended;
        let mut failure = None;
        async move {
            let mut call = std::pin::pin!(call);
            std::future::poll_fn(move |cx| {
                while !ended.get() {
                    match Pin::new(&mut *connection).poll_message(cx) {
                        Poll::Ready(Some(Ok(AsyncMessage::Notice(notice)))) => {
                            tracing::info!(target: "relations::sql", "{}: {}", notice.severity(), notice.message());
                        }
                        Poll::Ready(Some(Ok(_))) => {}
                        Poll::Ready(Some(Err(e))) => {
                            ended.set(true);
                            failure = Some(e);
                        }
                        Poll::Ready(None) => ended.set(true),
                        Poll::Pending => break,
                    }
                }
                match call.as_mut().poll(cx) {
                    Poll::Ready(Err(e)) if e.is_closed() => Poll::Ready(Err(failure.take().unwrap_or(e))),
                    Poll::Ready(result) => Poll::Ready(result),
                    Poll::Pending => match failure.take() {
                        Some(e) => Poll::Ready(Err(e)),
                        None => Poll::Pending,
                    },
                }
            })
            .await
        }
    }

    /// Waits for `call`, driving the connection meanwhile, for at most `limit` if one is given.
    fn drive<T>(
        &self,
        call: impl Future<Output = Result<T, PgError>>,
        limit: Option<Duration>,
    ) -> Result<Result<T, PgError>, TimedOut> {
        match limit {
            None => Ok(self.wait(call)),
            Some(limit) => self
                .runtime
                .block_on(async { tokio::time::timeout(limit, self.driving(call)).await })
                .map_err(|_| TimedOut),
        }
    }

    /// Waits for `call`, driving the connection meanwhile, as long as it takes.
    fn wait<T>(&self, call: impl Future<Output = Result<T, PgError>>) -> Result<T, PgError> {
        self.runtime.block_on(self.driving(call))
    }

    /// Whether the connection is still open, without a round trip: one turn of the I/O
    /// driver reads what the server sent while the connection was idle (the `FATAL` of a
    /// terminated backend, the end of the stream of a server that went away).
    fn is_open(&self) -> bool {
        if self.ended.get() || self.client.is_closed() {
            return false;
        }
        let turned = self.drive(
            async {
                // yielding lets the runtime poll its I/O driver before the call resumes
                tokio::task::yield_now().await;
                Ok(())
            },
            Some(PING_TIMEOUT),
        );
        matches!(turned, Ok(Ok(()))) && !self.ended.get() && !self.client.is_closed()
    }

    /// Closes the connection politely (the client's `Terminate`), waiting a bounded time.
    /// Runs outside any tokio runtime.
    fn close(self) {
        let Driver { runtime, client, connection, ended } = self;
        drop(client);
        if !ended.get() {
            let mut connection = connection.into_inner();
            let _ = runtime.block_on(async { tokio::time::timeout(PING_TIMEOUT, &mut connection).await });
        }
    }

    /// Drops the connection where blocking is not allowed (inside a tokio runtime): the
    /// socket is closed without a goodbye.
    fn abandon(self) {
        let Driver { runtime, client, connection, .. } = self;
        drop(client);
        drop(connection);
        runtime.shutdown_background();
    }
}

/// A PostgreSQL connection with its prepared statements.
pub(crate) struct PgBackend {
    /// `Some` until the backend is dropped.
    driver: Option<Driver>,
    statements: RefCell<rustc_hash::FxHashMap<String, Statement>>,
    in_transaction: Cell<bool>,
    health: Cell<Health>,
    /// The statement timeout set on the server (`SET statement_timeout`), if any; calls wait
    /// a little longer than that on the client's side before giving up on the server.
    statement_timeout: Cell<Option<Duration>>,
    url: String,
}

/// `postgresql://` and `postgres://` URLs, and libpq's `key=value` strings.
pub(crate) const CONNECTOR: super::connection::Connector = super::connection::Connector {
    accepts: super::connection::is_postgres_url,
    forms: "`postgresql://user@host/database` (or `postgres://`)",
    open: |url, timeout| Ok(Box::new(PgBackend::connect(url, timeout)?)),
};

impl PgBackend {
    /// Connects to `url` (`postgresql://user@host:port/database`, libpq's key=value form too),
    /// waiting at most `timeout` — or the URL's `connect_timeout`, or
    /// [`DEFAULT_CONNECT_TIMEOUT`] — for the connection and the start-up exchange together.
    pub(crate) fn connect(url: &str, timeout: Option<Duration>) -> Result<PgBackend> {
        let shown = crate::schema::error::redact_url(url);
        let connect_error =
            |message: String, source: Option<BoxError>| Error::Connect { url: shown.clone(), message, source };
        let mut config: tokio_postgres::Config = url.parse().map_err(|e: PgError| {
            connect_error(format!("not a PostgreSQL connection string: {}", describe(&e)), Some(e.into()))
        })?;
        let limit = timeout.or_else(|| config.get_connect_timeout().copied()).unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        // per address, for the TCP connection; the whole exchange is bounded below
        config.connect_timeout(limit);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| connect_error(format!("cannot start the connection's runtime: {e}"), Some(e.into())))?;
        let connected = runtime.block_on(async { tokio::time::timeout(limit, config.connect(NoTls)).await });
        let (client, connection) = match connected {
            Ok(Ok(pair)) => pair,
            Ok(Err(e)) => return Err(connect_error(describe(&e), Some(e.into()))),
            Err(_) => {
                return Err(connect_error(
                    format!(
                        "the server did not complete the connection within {limit:?} (`connect_timeout`); is it a PostgreSQL server, and is it overloaded?"
                    ),
                    None,
                ))
            }
        };
        Ok(PgBackend {
            driver: Some(Driver { runtime, client, connection: RefCell::new(connection), ended: Cell::new(false) }),
            statements: RefCell::default(),
            in_transaction: Cell::new(false),
            health: Cell::new(Health::Good),
            statement_timeout: Cell::new(None),
            url: shown,
        })
    }

    fn driver(&self) -> &Driver {
        self.driver.as_ref().expect("the connection is open until the backend is dropped")
    }

    /// The tokio-postgres client underneath.
    pub(crate) fn client(&self) -> &Client {
        &self.driver().client
    }

    /// Waits for a call of the client underneath, driving the connection meanwhile.
    pub(crate) fn block_on<T>(&self, call: impl Future<Output = Result<T, PgError>>) -> Result<T, PgError> {
        self.driver().wait(call)
    }

    /// Waits for `call` (a statement), at most the statement timeout and a second more; what
    /// failed is noted in the connection's health and returned typed.
    fn call<T>(
        &self,
        call: impl Future<Output = Result<T, PgError>>,
        table: Option<&str>,
        bound: Option<&std::sync::OnceLock<(usize, String)>>,
    ) -> Result<T> {
        if self.health.get() == Health::Broken {
            return Err(self.lost("the connection was lost in an earlier call"));
        }
        let limit = self.statement_timeout.get().map(|t| t + t / 2 + Duration::from_secs(1));
        match self.driver().drive(call, limit) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                if let Some(e) = bound.and_then(|b| unstorable(b, table.unwrap_or(""))) {
                    // the value was refused before anything was sent
                    return Err(e);
                }
                Err(self.failed(e, table))
            }
            Err(TimedOut) => {
                // the server did not answer even its own timeout: its state is unknown
                self.health.set(Health::Broken);
                self.in_transaction.set(false);
                Err(Error::StatementTimeout { limit: self.statement_timeout.get().unwrap_or_default() })
            }
        }
    }

    /// Notes what `e` says of the connection, and turns it into a typed error.
    fn failed(&self, e: PgError, table: Option<&str>) -> Error {
        let driver = self.driver();
        let lost = e.is_closed()
            || driver.ended.get()
            || driver.client.is_closed()
            || e.code().is_some_and(|c| c.code().starts_with("08") || matches!(c.code(), "57P01" | "57P02" | "57P03"));
        if lost {
            self.health.set(Health::Broken);
            self.in_transaction.set(false);
            return self.lost(&describe(&e));
        }
        if e.as_db_error().is_none() {
            // not the server's answer: the connection may be out of step
            self.health.set(Health::Doubtful);
        }
        if e.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED) {
            if let Some(limit) = self.statement_timeout.get() {
                return Error::StatementTimeout { limit };
            }
        }
        translate(e, table)
    }

    fn lost(&self, message: &str) -> Error {
        Error::ConnectionLost { database: self.url.clone(), message: message.to_string() }
    }

    fn prepare(&self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let client = self.client();
        let stmt = self.call(client.prepare(sql), None, None)?;
        let mut statements = self.statements.borrow_mut();
        if statements.len() >= STATEMENT_CACHE {
            // bounded, as SQLite's cache is: the dropped statements are closed on the server
            statements.clear();
        }
        statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

impl Drop for PgBackend {
    fn drop(&mut self) {
        let Some(driver) = self.driver.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            driver.close();
            return;
        }
        // inside a runtime no thread may block on another one: close from a thread of its own
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(driver)));
        let theirs = slot.clone();
        let closer = std::thread::Builder::new().name("relations-pg-close".into()).spawn(move || {
            if let Some(driver) = theirs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                driver.close();
            }
        });
        if closer.is_err() {
            if let Some(driver) = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                driver.abandon();
            }
        }
    }
}

/// A `Db`'s PostgreSQL connection, for what `relations` does not cover
/// (`Db::driver` with tokio-postgres' `Client`): the client, and the
/// sync calls most often wanted of it. Statements run here are not counted or echoed, and see
/// the `Db`'s open transaction.
///
/// ```no_run
/// # fn main() -> relations_runtime::Result<()> {
/// let db = relations_runtime::Db::connect("postgresql://postgres@127.0.0.1/app")?;
/// let pg = db.driver::<relations_runtime::tokio_postgres::Client>().expect("a PostgreSQL connection");
/// pg.batch_execute("SET application_name = 'reports'")?;
/// // anything else tokio-postgres offers, waited for on the connection's own runtime
/// let pid: i32 = pg.block_on(pg.client().query_one("SELECT pg_backend_pid()", &[]))?.get(0);
/// # let _ = pid; Ok(()) }
/// ```
pub struct PgClient<'a> {
    backend: &'a PgBackend,
}

impl<'a> PgClient<'a> {
    pub(crate) fn new(backend: &'a PgBackend) -> Self {
        PgClient { backend }
    }

    /// The tokio-postgres client: its futures are waited for with [`PgClient::block_on`].
    pub fn client(&self) -> &'a Client {
        self.backend.client()
    }

    /// Waits for a call of [`PgClient::client`], driving the connection meanwhile (on the
    /// connection's own runtime: call it where blocking is allowed, never on a runtime's
    /// worker thread).
    pub fn block_on<T>(&self, call: impl Future<Output = Result<T, PgError>>) -> Result<T, PgError> {
        self.backend.block_on(call)
    }

    /// Runs statements without parameters (the simple query protocol), several allowed.
    pub fn batch_execute(&self, sql: &str) -> Result<(), PgError> {
        self.block_on(self.client().batch_execute(sql))
    }

    /// Runs a statement and returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, PgError> {
        self.block_on(self.client().execute(sql, params))
    }

    /// Runs a query and returns its rows.
    pub fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<tokio_postgres::Row>, PgError> {
        self.block_on(self.client().query(sql, params))
    }

    /// Runs a query that returns exactly one row.
    pub fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<tokio_postgres::Row, PgError> {
        self.block_on(self.client().query_one(sql, params))
    }
}

impl super::connection::Driver for Client {
    type Handle<'a> = PgClient<'a>;

    fn handle(backend: &dyn Backend) -> Option<PgClient<'_>> {
        backend.as_any().downcast_ref::<PgBackend>().map(PgClient::new)
    }
}

impl std::fmt::Debug for PgClient<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PgClient").field(&self.backend.url).finish()
    }
}

/// What a tokio-postgres error says, the server's own words first: `database "x" does not
/// exist (3D000)` rather than "db error"; for other errors, each cause in turn.
pub(crate) fn describe(e: &PgError) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = format!("{} ({})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            s.push_str(&format!("; {detail}"));
        }
        if let Some(hint) = db.hint() {
            s.push_str(&format!("; hint: {hint}"));
        }
        return s;
    }
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(&format!(": {c}"));
        cause = c.source();
    }
    s
}

/// How many prepared statements a connection keeps (SQLite's cache holds as many).
const STATEMENT_CACHE: usize = 256;

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

    tokio_postgres::types::to_sql_checked!();
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
                Type::TIMESTAMP => {
                    crate::schema::value::parse_iso_datetime(t).ok_or_else(|| mismatch(v, ty))?.to_sql(ty, out)
                }
                Type::TIMESTAMPTZ => crate::schema::value::parse_iso_datetime(t)
                    .ok_or_else(|| mismatch(v, ty))?
                    .and_utc()
                    .to_sql(ty, out),
                Type::DATE => NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| mismatch(v, ty))?.to_sql(ty, out),
                Type::TIME => crate::schema::value::parse_iso_time(t).ok_or_else(|| mismatch(v, ty))?.to_sql(ty, out),
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
        use crate::schema::value::{DATETIME_FORMAT, TIME_FORMAT};
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
    row: &'r tokio_postgres::Row,
    converted: Vec<Value<'static>>,
}

impl PgRow<'_> {
    fn direct(&self, index: usize) -> Result<ValueRef<'_>, PgError> {
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
        self.row.columns().get(index).map(tokio_postgres::Column::name)
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
fn translate(e: PgError, table: Option<&str>) -> Error {
    use tokio_postgres::error::SqlState;
    let Some(db) = e.as_db_error() else {
        return driver_error(e);
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
    } else if *code == SqlState::UNDEFINED_TABLE {
        // `relation "user" does not exist`
        let named = db.message().split('"').nth(1).unwrap_or(table.as_str());
        Error::NoSuchTable { table: named.to_string() }
    } else if code.code().starts_with("22") {
        Error::InvalidData { table, code: code.code().to_string(), message: db.message().to_string() }
    } else if *code == SqlState::LOCK_NOT_AVAILABLE {
        Error::Busy
    } else if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED {
        Error::Conflict { message: db.message().to_string() }
    } else {
        driver_error(e)
    }
}

/// [`Error::Database`] of a PostgreSQL error: the server's message and code, or the driver's.
fn driver_error(e: PgError) -> Error {
    let message = match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    };
    Error::database(message, e)
}

/// For what is run on `Db::driver`'s client directly.
impl From<PgError> for Error {
    fn from(e: PgError) -> Self {
        driver_error(e)
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
        self.call(self.client().execute(&stmt, &refs), Some(table), Some(&failure))
    }

    fn query(&self, sql: &str, params: &[Value<'_>], f: &mut dyn FnMut(&dyn RawRow) -> Result<()>) -> Result<()> {
        let stmt = self.prepare(sql)?;
        let failure = std::sync::OnceLock::new();
        let params = bind(params, &failure);
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.call(self.client().query(&stmt, &refs), None, Some(&failure))?;
        // the connection is free again before `f` runs, so that `f` may run statements
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
        let result = self.call(self.client().batch_execute(sql), None, None);
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

    fn set_busy_timeout(&self, timeout: Duration) -> Result<()> {
        self.batch(&format!("SET lock_timeout = {}", timeout.as_millis().max(1)))
    }

    fn last_insert_id(&self) -> Option<i64> {
        None
    }

    fn in_transaction(&self) -> bool {
        self.in_transaction.get() && self.health.get() != Health::Broken && !self.client().is_closed()
    }

    fn max_variables(&self) -> usize {
        // the protocol's limit: a 16-bit parameter count
        65_535
    }

    fn after_error(&self, _: &Error) -> AfterError {
        if self.health.get() == Health::Broken || self.client().is_closed() {
            self.in_transaction.set(false);
            AfterError::Ended
        } else {
            AfterError::NeedsRollback
        }
    }

    fn is_broken(&self) -> bool {
        self.health.get() == Health::Broken || self.driver().ended.get() || self.client().is_closed()
    }

    fn check(&self) -> Result<()> {
        let driver = self.driver();
        let open = match self.health.get() {
            Health::Broken => false,
            Health::Good => driver.is_open(),
            // an error that did not say: a round trip decides
            Health::Doubtful => {
                let ping = driver.drive(driver.client.simple_query(""), Some(PING_TIMEOUT));
                matches!(ping, Ok(Ok(_))) && driver.is_open()
            }
        };
        if open {
            self.health.set(Health::Good);
            Ok(())
        } else {
            self.health.set(Health::Broken);
            self.in_transaction.set(false);
            Err(self.lost("the server closed the connection"))
        }
    }

    fn set_statement_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        let ms = timeout.map_or(0, |t| t.as_millis().max(1));
        self.batch(&format!("SET statement_timeout = {ms}"))?;
        self.statement_timeout.set(timeout);
        Ok(())
    }

    fn tables(&self, run: super::connection::Run<'_>) -> Result<Vec<crate::schema::catalog::Table>> {
        catalog::tables(run)
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
    use crate::schema::error::redact_url as redact;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(redact("postgresql://ann:s3cret@db:5432/app"), "postgresql://ann:***@db:5432/app");
        assert_eq!(redact("postgresql://ann@db/app"), "postgresql://ann@db/app");
        assert_eq!(redact("host=db user=ann password=s3cret dbname=app"), "host=db user=ann password=*** dbname=app");
        assert_eq!(redact("postgresql://db/app?password=s3cret&x=1"), "postgresql://db/app?password=***&x=1");
    }
}
