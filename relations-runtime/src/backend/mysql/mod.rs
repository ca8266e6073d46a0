//! The MariaDB backend (MySQL's protocol), on the pure-Rust `mysql` crate without TLS: a sync
//! connection, as SQLite's and PostgreSQL's are, which `AsyncDb` and the pools run on their
//! blocking threads. It speaks [`MariaDb`] to a MariaDB server and [`MySql`] to a MySQL one.

mod catalog;

use std::cell::{Cell, RefCell};
use std::time::Duration;

use mysql::consts::ColumnType;
use mysql::prelude::Queryable;

use super::connection::{AfterError, Backend, RawRow, RowError};
use crate::dialect::{Dialect, MariaDb, MySql};
use crate::schema::error::{redact_url, Error, Result};
use crate::schema::value::{Value, ValueRef};

/// How long connecting waits when neither the caller nor the URL says.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The binary character set's number: a string column of it holds bytes.
const BINARY_CHARSET: u16 = 63;

/// `mysql://`, `mariadb://` and SQLAlchemy's `mysql+pymysql://` URLs.
pub(crate) const CONNECTOR: super::connection::Connector = super::connection::Connector {
    accepts: super::connection::is_mysql_url,
    forms: "`mysql://user@host/database` (or `mariadb://`)",
    open: |url, timeout| Ok(Box::new(MysqlBackend::connect(url, timeout)?)),
};

/// Why a connection could not be opened: the message, and the driver's error if there is one.
type OpenError = (String, Option<Box<dyn std::error::Error + Send + Sync>>);

/// Connects with `opts` within `limit`, and sets the session up: strict, so that a value that
/// does not fit is an error rather than a changed value, in UTC. The driver bounds only the TCP
/// connection, so the exchange runs on a thread of its own, abandoned after the bound: it ends
/// when the server answers or closes.
fn open(opts: mysql::Opts, limit: Duration) -> std::result::Result<mysql::Conn, OpenError> {
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("relations-mariadb-connect".into())
        .spawn(move || drop(sent.send(mysql::Conn::new(opts))))
        .map_err(|e| (format!("cannot start the connecting thread: {e}"), Some(Box::new(e) as _)))?;
    let mut conn = match received.recv_timeout(limit) {
        Ok(connected) => connected.map_err(|e| (describe(&e), Some(Box::new(e) as _)))?,
        Err(_) => return Err((format!("the server did not complete the connection within {limit:?}"), None)),
    };
    // `||` and `"` as the SQL standard reads them are not relied on
    conn.query_drop(
        "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', \
         SESSION time_zone = '+00:00'",
    )
    .map_err(|e| (describe(&e), Some(Box::new(e) as _)))?;
    Ok(conn)
}

/// Whether `e` is a read (or write) that ran out of its timeout, as the driver reports it: an
/// I/O error, or one inside its packet codec.
fn read_timed_out(e: &mysql::Error) -> bool {
    let io = match e {
        mysql::Error::IoError(io) => Some(io),
        mysql::Error::CodecError(codec) => {
            std::error::Error::source(codec).and_then(|s| s.downcast_ref::<std::io::Error>())
        }
        _ => None,
    };
    io.is_some_and(|io| matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock))
}

/// A connection to a MariaDB or MySQL server.
pub(crate) struct MysqlBackend {
    conn: RefCell<mysql::Conn>,
    dialect: &'static dyn Dialect,
    url: String,
    /// Set when a call lost the connection.
    broken: Cell<bool>,
    /// The statement timeout, if one is set.
    statement_timeout: Cell<Option<Duration>>,
    /// What the connection was opened with (without a read timeout), to open it again with one.
    opts: mysql::Opts,
    /// How long connecting may take.
    connect_limit: Duration,
    /// The lock wait timeout set, in seconds, set again on a connection opened anew.
    busy_timeout: Cell<Option<u64>>,
}

impl MysqlBackend {
    /// Connects to `url`, waiting at most `timeout` — or the URL's `connect_timeout` (seconds),
    /// or five seconds — for the TCP connection and the start-up exchange together. No read
    /// timeout until a statement timeout is set (one would cut long statements short).
    pub(crate) fn connect(url: &str, timeout: Option<Duration>) -> Result<MysqlBackend> {
        let shown = redact_url(url);
        let connect_error = |message: String, source: Option<Box<dyn std::error::Error + Send + Sync>>| {
            Error::Connect { url: shown.clone(), message, source }
        };
        let (_, rest) = url.split_once("://").unwrap_or(("", url));
        // the URL's own `connect_timeout`, which the driver does not read, is taken out
        let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut url_timeout = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| match kv.split_once('=') {
                Some(("connect_timeout", v)) => {
                    url_timeout = v.parse::<f64>().ok().map(Duration::from_secs_f64);
                    false
                }
                _ => !kv.is_empty(),
            })
            .collect();
        let normalized = if kept.is_empty() {
            format!("mysql://{address}")
        } else {
            format!("mysql://{address}?{}", kept.join("&"))
        };
        let opts = mysql::Opts::from_url(&normalized)
            .map_err(|e| connect_error(format!("not a MySQL URL: {e}"), Some(Box::new(e))))?;
        let limit = timeout.or(url_timeout).unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let opts = mysql::OptsBuilder::from_opts(opts)
            .tcp_connect_timeout(Some(limit))
            .prefer_socket(false)
            .stmt_cache_size(Some(256));
        let mut conn = open(opts.clone().into(), limit).map_err(|(m, e)| connect_error(m, e))?;
        let version: String = conn
            .query_first("SELECT VERSION()")
            .map_err(|e| connect_error(describe(&e), Some(Box::new(e))))?
            .unwrap_or_default();
        let dialect: &'static dyn Dialect = if version.contains("MariaDB") { &MariaDb } else { &MySql };
        Ok(MysqlBackend {
            conn: RefCell::new(conn),
            dialect,
            url: shown,
            broken: Cell::new(false),
            statement_timeout: Cell::new(None),
            opts: opts.into(),
            connect_limit: limit,
            busy_timeout: Cell::new(None),
        })
    }

    /// [`Error::ConnectionLost`] once a call lost the connection or was given up on: what was
    /// left on it is never read as the answer to another statement.
    fn usable(&self) -> Result<()> {
        match self.broken.get() {
            true => {
                Err(Error::ConnectionLost { database: self.url.clone(), message: "lost in an earlier call".into() })
            }
            false => Ok(()),
        }
    }

    /// Opens the connection anew with `read_bound` as its read and write timeout — the driver
    /// fixes them when it connects — and the session as this backend set it up.
    fn reopen(&self, read_bound: Option<Duration>) -> Result<()> {
        let opts = mysql::OptsBuilder::from_opts(self.opts.clone()).read_timeout(read_bound).write_timeout(read_bound);
        let conn = open(opts.into(), self.connect_limit).map_err(|(message, source)| Error::Connect {
            url: self.url.clone(),
            message,
            source,
        })?;
        *self.conn.borrow_mut() = conn;
        self.broken.set(false);
        if let Some(seconds) = self.busy_timeout.get() {
            self.batch(&format!("SET SESSION innodb_lock_wait_timeout = {seconds}"))?;
        }
        Ok(())
    }

    /// The typed error of a failed call on `table` (empty when not known); a lost connection
    /// marks this one broken.
    fn error(&self, e: mysql::Error, table: &str) -> Error {
        // the read bound of a statement timeout ran out: a server that stopped answering,
        // given up on, and the connection with it
        if let (true, Some(limit)) = (read_timed_out(&e), self.statement_timeout.get()) {
            self.broken.set(true);
            return Error::StatementTimeout { limit };
        }
        if matches!(e, mysql::Error::IoError(_) | mysql::Error::CodecError(_)) {
            self.broken.set(true);
            return Error::ConnectionLost { database: self.url.clone(), message: e.to_string() };
        }
        // MariaDB's `max_statement_time` exceeded (1969), MySQL's `max_execution_time` (3024)
        if let (mysql::Error::MySqlError(m), Some(limit)) = (&e, self.statement_timeout.get()) {
            if m.code == 1969 || m.code == 3024 {
                return Error::StatementTimeout { limit };
            }
        }
        self.unique_columns(translate(e, table))
    }

    /// A unique violation with the columns of the key MariaDB named (looked up in the catalog),
    /// and without the key's name when the server made it up from the first column's.
    fn unique_columns(&self, error: Error) -> Error {
        let Error::UniqueViolation { table, columns, constraint: Some(key) } = error else { return error };
        if !columns.is_empty() || table.is_empty() {
            return Error::UniqueViolation { table, columns, constraint: Some(key) };
        }
        let sql = "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
                   AND TABLE_NAME = ? AND INDEX_NAME = ? ORDER BY SEQ_IN_INDEX";
        let found: mysql::Result<Vec<String>> = self.conn.borrow_mut().exec(sql, (table.as_str(), key.as_str()));
        let columns = found.unwrap_or_default();
        let generated = columns.first().is_some_and(|first| {
            key == *first
                || key
                    .strip_prefix(first.as_str())
                    .and_then(|n| n.strip_prefix('_'))
                    .is_some_and(|n| n.parse::<u32>().is_ok())
        });
        Error::UniqueViolation { table, columns, constraint: (!generated).then_some(key) }
    }
}

/// The server's words for a connection that failed, or the driver's.
fn describe(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(m) => format!("{} ({})", m.message, m.code),
        e => e.to_string(),
    }
}

/// The quoted name after `key` in a server message (`Duplicate entry 'a' for key 'username'`).
fn quoted_after<'m>(message: &'m str, key: &str) -> Option<&'m str> {
    let rest = &message[message.find(key)? + key.len()..];
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| matches!(c, '\'' | '`' | '"'))?;
    rest[1..].split(quote).next()
}

/// Turns a server error into a typed error; `table` is the table being written, if known.
fn translate(e: mysql::Error, table: &str) -> Error {
    let mysql::Error::MySqlError(m) = &e else {
        return Error::database(e.to_string(), e);
    };
    let message = m.message.as_str();
    // `... fails (`db`.`post`, CONSTRAINT ...`, `... failed for `db`.`user``: the table written
    let named = message
        .split_once("`.`")
        .and_then(|(_, rest)| rest.split('`').next())
        .filter(|t| !t.is_empty())
        .unwrap_or(table);
    let table = if table.is_empty() { named.to_string() } else { table.to_string() };
    match m.code {
        1062 | 1586 => {
            let key = quoted_after(message, "for key").unwrap_or("");
            // MariaDB names the key `table.key` since 10.5; the columns are looked up by it
            let key = key.rsplit('.').next().unwrap_or(key).to_string();
            Error::UniqueViolation { table, columns: Vec::new(), constraint: Some(key) }
        }
        1216 | 1452 => {
            let column = quoted_after(message, "FOREIGN KEY (")
                .or_else(|| message.split("FOREIGN KEY (`").nth(1).and_then(|r| r.split('`').next()));
            let column = column.map(|c| format!("{table}.{}", c.trim_matches('`')));
            Error::ForeignKeyViolation { table, column }
        }
        1217 | 1451 => Error::ForeignKeyViolation { table, column: None },
        1048 | 1364 => {
            let column = quoted_after(message, "Column").or_else(|| quoted_after(message, "Field")).unwrap_or("");
            Error::NotNullViolation { table, column: column.to_string() }
        }
        1146 => {
            // `Table 'db.t' doesn't exist`
            let named = quoted_after(message, "Table").unwrap_or(&table);
            Error::NoSuchTable { table: named.rsplit('.').next().unwrap_or(named).to_string() }
        }
        1213 => Error::Conflict { message: message.to_string() },
        1205 => Error::Busy,
        // too long, out of range, an incorrect value, division by zero
        1406 | 1264 | 1292 | 1366 | 1365 => {
            Error::InvalidData { table, code: m.code.to_string(), message: message.to_string() }
        }
        // MariaDB's 4025 (`CONSTRAINT `name` failed for `db`.`t``), MySQL's 3819
        4025 | 3819 => {
            let constraint = quoted_after(message, "CONSTRAINT").unwrap_or("").to_string();
            Error::CheckViolation { table, constraint }
        }
        _ => Error::database(describe(&e), e),
    }
}

/// A value as the driver binds it: dates and times are bound as the text SQLAlchemy writes
/// (the server parses it), decimals as their text, a list as one JSON array (which holds no
/// byte strings: such a list is [`Error::Unstorable`]).
fn bind(v: &Value<'_>, parameter: usize, table: &str) -> Result<mysql::Value> {
    Ok(match v {
        Value::Null => mysql::Value::NULL,
        Value::Integer(i) => mysql::Value::Int(*i),
        Value::Real(f) => mysql::Value::Double(*f),
        Value::Text(t) => mysql::Value::Bytes(t.as_bytes().to_vec()),
        Value::Blob(b) => mysql::Value::Bytes(b.to_vec()),
        Value::Decimal(d) => mysql::Value::Bytes(d.to_string().into_bytes()),
        Value::List(items) => {
            let mut json = String::from("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    json.push(',');
                }
                match item {
                    Value::Null => json.push_str("null"),
                    Value::Integer(n) => json.push_str(&n.to_string()),
                    Value::Real(f) => json.push_str(&f.to_string()),
                    Value::Decimal(d) => json.push_str(&d.to_string()),
                    Value::Text(t) => {
                        json.push('"');
                        for c in t.chars() {
                            match c {
                                '"' => json.push_str("\\\""),
                                '\\' => json.push_str("\\\\"),
                                c if (c as u32) < 0x20 => json.push_str(&format!("\\u{:04x}", c as u32)),
                                c => json.push(c),
                            }
                        }
                        json.push('"');
                    }
                    Value::Blob(_) | Value::List(_) => {
                        return Err(Error::Unstorable {
                            table: table.to_string(),
                            column: None,
                            parameter,
                            message: "a long list is bound as JSON text here, which holds no byte strings; \
                                      filter by fewer values at a time"
                                .into(),
                        })
                    }
                }
            }
            json.push(']');
            mysql::Value::Bytes(json.into_bytes())
        }
    })
}

/// The parameters of a statement on `table` (empty when not known).
fn params(values: &[Value<'_>], table: &str) -> Result<mysql::Params> {
    if values.is_empty() {
        return Ok(mysql::Params::Empty);
    }
    let bound = values.iter().enumerate().map(|(i, v)| bind(v, i + 1, table)).collect::<Result<_>>()?;
    Ok(mysql::Params::Positional(bound))
}

/// One column of a row read into the value SQLite would hold: dates and times as SQLAlchemy's
/// text, decimals as their text, strings of the binary character set as bytes.
fn read(value: mysql::Value, column: &mysql::Column) -> std::result::Result<Value<'static>, RowError> {
    Ok(match value {
        mysql::Value::NULL => Value::Null,
        mysql::Value::Int(i) => Value::Integer(i),
        mysql::Value::UInt(u) => {
            Value::Integer(i64::try_from(u).map_err(|_| RowError(format!("{u} does not fit a 64-bit integer").into()))?)
        }
        // FLOAT is single precision: its shortest decimal text, as the text protocol reads it
        mysql::Value::Float(f) => Value::Real(f.to_string().parse().unwrap_or(f64::from(f))),
        mysql::Value::Double(f) => Value::Real(f),
        mysql::Value::Date(y, mo, d, h, mi, s, us) => Value::Text(
            match column.column_type() {
                ColumnType::MYSQL_TYPE_DATE | ColumnType::MYSQL_TYPE_NEWDATE => format!("{y:04}-{mo:02}-{d:02}"),
                _ => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}"),
            }
            .into(),
        ),
        mysql::Value::Time(negative, days, h, mi, s, us) => {
            let sign = if negative { "-" } else { "" };
            Value::Text(format!("{sign}{:02}:{mi:02}:{s:02}.{us:06}", u32::from(h) + days * 24).into())
        }
        mysql::Value::Bytes(bytes) => {
            let binary = column.character_set() == BINARY_CHARSET
                && !matches!(
                    column.column_type(),
                    ColumnType::MYSQL_TYPE_NEWDECIMAL | ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_JSON
                );
            if binary {
                Value::Blob(bytes.into())
            } else {
                match String::from_utf8(bytes) {
                    Ok(t) => Value::Text(t.into()),
                    Err(e) => return Err(RowError(format!("text that is not UTF-8: {e}").into())),
                }
            }
        }
    })
}

/// A row read into owned values.
struct MysqlRow<'c> {
    values: Vec<Value<'static>>,
    columns: &'c [mysql::Column],
}

impl RawRow for MysqlRow<'_> {
    fn value(&self, index: usize) -> std::result::Result<ValueRef<'_>, RowError> {
        self.values
            .get(index)
            .map(Value::as_value_ref)
            .ok_or_else(|| RowError(format!("no column {index} in the row").into()))
    }

    fn width(&self) -> usize {
        self.values.len()
    }

    fn column_name(&self, index: usize) -> Option<&str> {
        self.columns.get(index).map(|c| std::str::from_utf8(c.name_ref()).unwrap_or(""))
    }
}

impl Backend for MysqlBackend {
    fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    fn execute(&self, sql: &str, values: &[Value<'_>], table: &str) -> Result<u64> {
        self.usable()?;
        let params = params(values, table)?;
        let ran = {
            let mut conn = self.conn.borrow_mut();
            conn.exec_drop(sql, params).map(|()| {
                // an UPDATE counts the rows it matched, as on the other databases, not only
                // those whose values changed (`Rows matched: 1  Changed: 0  Warnings: 0`)
                let info = conn.info_str();
                let matched =
                    info.strip_prefix("Rows matched: ").and_then(|r| r.split_whitespace().next()?.parse().ok());
                matched.unwrap_or_else(|| conn.affected_rows())
            })
        };
        // the connection is free again: the error may look up what it names
        ran.map_err(|e| self.error(e, table))
    }

    fn query(&self, sql: &str, values: &[Value<'_>], f: &mut dyn FnMut(&dyn RawRow) -> Result<()>) -> Result<()> {
        self.usable()?;
        let params = params(values, "")?;
        let ran: std::result::Result<Result<()>, mysql::Error> = (|| {
            let mut conn = self.conn.borrow_mut();
            let mut result = conn.exec_iter(sql, params)?;
            while let Some(set) = result.iter() {
                let columns: Vec<mysql::Column> = set.columns().as_ref().to_vec();
                for row in set {
                    let row = row?;
                    let values = row.unwrap().into_iter().zip(&columns).map(|(v, c)| read(v, c)).collect();
                    let values = match values {
                        Ok(values) => values,
                        Err(e) => return Ok(Err(e.into())),
                    };
                    if let Err(e) = f(&MysqlRow { values, columns: &columns }) {
                        return Ok(Err(e));
                    }
                }
            }
            Ok(Ok(()))
        })();
        ran.map_err(|e| self.error(e, ""))?
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.usable()?;
        self.conn.borrow_mut().query_drop(sql).map_err(|e| self.error(e, ""))
    }

    fn writing(&self, error: Error, table: &str) -> Error {
        match error {
            Error::UniqueViolation { table: t, columns, constraint } if t.is_empty() => {
                self.unique_columns(Error::UniqueViolation { table: table.to_string(), columns, constraint })
            }
            Error::NotNullViolation { table: t, column } if t.is_empty() => {
                Error::NotNullViolation { table: table.to_string(), column }
            }
            Error::ForeignKeyViolation { table: t, column } if t.is_empty() => {
                Error::ForeignKeyViolation { table: table.to_string(), column }
            }
            Error::CheckViolation { table: t, constraint } if t.is_empty() => {
                Error::CheckViolation { table: table.to_string(), constraint }
            }
            Error::InvalidData { table: t, code, message } if t.is_empty() => {
                Error::InvalidData { table: table.to_string(), code, message }
            }
            e => e,
        }
    }

    fn last_insert_id(&self) -> Option<i64> {
        i64::try_from(self.conn.borrow().last_insert_id()).ok()
    }

    fn in_transaction(&self) -> bool {
        // a connection given up on is in no transaction it can go on with, and is not asked
        if self.broken.get() {
            return false;
        }
        // the server's own flag: DDL and deadlocks end a transaction without a word
        let asked: mysql::Result<Option<i64>> = self.conn.borrow_mut().query_first("SELECT @@in_transaction");
        matches!(asked, Ok(Some(1)))
    }

    fn max_variables(&self) -> usize {
        65_535
    }

    fn after_error(&self, error: &Error) -> AfterError {
        match error {
            // InnoDB rolls the whole transaction back on a deadlock
            Error::Conflict { .. } | Error::ConnectionLost { .. } => AfterError::Ended,
            _ => AfterError::Continues,
        }
    }

    fn is_broken(&self) -> bool {
        self.broken.get()
    }

    fn check(&self) -> Result<()> {
        self.usable()?;
        self.conn.borrow_mut().ping().map_err(|e| {
            self.broken.set(true);
            Error::ConnectionLost { database: self.url.clone(), message: e.to_string() }
        })
    }

    fn set_statement_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        // the client's bound, for a server that stops answering: the connection's read timeout,
        // a little longer than the server's (half the timeout and a second), which the driver
        // fixes when it connects; so the connection is opened anew, outside a transaction
        if timeout != self.statement_timeout.get() {
            if self.in_transaction() {
                return Err(Error::Setting(format!(
                    "{}: set the statement timeout outside a transaction (on MariaDB and MySQL it opens the \
                     connection anew)",
                    self.url
                )));
            }
            self.reopen(timeout.map(|t| t + t / 2 + Duration::from_secs(1)))?;
        }
        // MariaDB's `max_statement_time` (seconds, 0 for none); MySQL's `max_execution_time`
        // (milliseconds, SELECT only)
        let sql = match (self.dialect.name(), timeout) {
            ("mariadb", t) => format!("SET SESSION max_statement_time = {}", t.map_or(0.0, |t| t.as_secs_f64())),
            (_, t) => format!("SET SESSION max_execution_time = {}", t.map_or(0, |t| t.as_millis().max(1))),
        };
        self.batch(&sql)?;
        self.statement_timeout.set(timeout);
        Ok(())
    }

    fn set_busy_timeout(&self, timeout: Duration) -> Result<()> {
        let seconds = timeout.as_secs().max(1);
        self.batch(&format!("SET SESSION innodb_lock_wait_timeout = {seconds}"))?;
        self.busy_timeout.set(Some(seconds));
        Ok(())
    }

    fn tables(&self, run: super::connection::Run<'_>) -> Result<Vec<crate::schema::catalog::Table>> {
        catalog::tables(self.dialect, run)
    }

    fn describe(&self) -> String {
        self.url.clone()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
