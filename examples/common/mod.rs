//! What every example shares: where its database lives, and Python-style printing.

use relations::chrono::NaiveDateTime;
use relations::prelude::*;

/// The tutorial's e-mail literal, as the page it was scraped from rewrote it (U+00A0 inside).
#[allow(dead_code)]
pub const SEED_EMAIL: &str = "[email\u{a0}protected]";

/// `name@example.com`.
#[allow(dead_code)]
pub fn mail(name: &str) -> String {
    format!("{name}@example.com")
}

/// The example's database, and whether it is new (to be created and filled) or an existing
/// one to read:
/// - no argument: a new in-memory SQLite database;
/// - `<path>`: a new SQLite file at `<path>` (an existing file is never overwritten);
/// - `postgresql://user@host:port/<name>`: a new PostgreSQL database `<name>`, created on the
///   server (one that exists with tables in it is never written to);
/// - `mysql://user@host:port/<name>` (or `mariadb://`): the same on a MariaDB server;
/// - `--read <path or URL>`: an existing database, opened read-only (one written by
///   `relations` or by the tutorial's Python models), on which only the read-back part of the
///   example runs.
///
/// It also installs the SQL echo: `RUST_LOG=relations::sql=debug` prints every statement,
/// with its parameters, on stderr.
pub fn open() -> Result<(Db, bool)> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => Ok((Db::open_in_memory()?, true)),
        ["--read", url] if is_postgres(url) => {
            let db = Db::connect(url)?;
            if let Some(client) = db.driver::<relations::tokio_postgres::Client>() {
                client.batch_execute("SET default_transaction_read_only = on").map_err(relations::Error::from)?;
            }
            Ok((db, false))
        }
        ["--read", url] if is_mysql(url) => {
            let db = Db::connect(url)?;
            db.sql("SET SESSION TRANSACTION READ ONLY").execute()?;
            Ok((db, false))
        }
        ["--read", path] => Ok((Db::open_read_only(path)?, false)),
        [url] if is_postgres(url) => Ok((new_postgres_database(url)?, true)),
        [url] if is_mysql(url) => Ok((new_mysql_database(url)?, true)),
        [path] if !std::path::Path::new(path).exists() => Ok((Db::open(path)?, true)),
        [path] => {
            eprintln!("{path} exists; give the path of a new database file, or `--read <path>`");
            std::process::exit(2)
        }
        _ => {
            eprintln!("usage: [<new database file, postgresql:// or mysql:// URL> | --read <existing database>]");
            std::process::exit(2)
        }
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgresql://") || url.starts_with("postgres://")
}

fn is_mysql(url: &str) -> bool {
    url.starts_with("mysql://") || url.starts_with("mariadb://")
}

/// Creates the database a `mysql://.../<name>` URL names (through the server's `mysql`
/// database) and connects to it; one that exists with tables is refused, as a file is.
fn new_mysql_database(url: &str) -> Result<Db> {
    let (base, name) = url.rsplit_once('/').expect("a mysql:// URL has a path");
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        eprintln!("give the new database a name of letters, digits and `_`: {url}");
        std::process::exit(2)
    }
    let server = Db::connect(&format!("{base}/mysql"))?;
    server.sql(format!("CREATE DATABASE IF NOT EXISTS `{name}`")).execute()?;
    let db = Db::connect(url)?;
    let (tables,): (i64,) =
        db.sql("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").one()?;
    if tables > 0 {
        eprintln!("database {name} exists and has tables; give a new database, or `--read {url}`");
        std::process::exit(2)
    }
    Ok(db)
}

/// Creates the database a `postgresql://.../<name>` URL names (through the server's `postgres`
/// database) and connects to it; one that exists with tables is refused, as a file is.
fn new_postgres_database(url: &str) -> Result<Db> {
    let (base, rest) = url.rsplit_once('/').expect("a postgresql:// URL has a path");
    let (name, query) = rest.split_once('?').map_or((rest, ""), |(n, q)| (n, q));
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        eprintln!("give the new database a name of letters, digits and `_`: {url}");
        std::process::exit(2)
    }
    let sep = if query.is_empty() { "" } else { "?" };
    let server = Db::connect(&format!("{base}/postgres{sep}{query}"))?;
    let exists = {
        let client = server.driver::<relations::tokio_postgres::Client>().expect("a PostgreSQL connection");
        let row = client
            .query_one("SELECT count(*) FROM pg_database WHERE datname = $1", &[&name])
            .map_err(relations::Error::from)?;
        row.get::<_, i64>(0) > 0
    };
    if !exists {
        let sql = format!("CREATE DATABASE \"{name}\"");
        server
            .driver::<relations::tokio_postgres::Client>()
            .expect("a PostgreSQL connection")
            .batch_execute(&sql)
            .map_err(relations::Error::from)?;
    }
    let db = Db::connect(url)?;
    let tables = {
        let client = db.driver::<relations::tokio_postgres::Client>().expect("a PostgreSQL connection");
        let sql = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()";
        client.query_one(sql, &[]).map_err(relations::Error::from)?.get::<_, i64>(0)
    };
    if tables > 0 {
        eprintln!("database {name} exists and has tables; give a new database, or `--read {url}`");
        std::process::exit(2)
    }
    Ok(db)
}

/// Python's `datetime.isoformat(sep=' ')`: microseconds only when there are some.
#[allow(dead_code)]
pub fn isoformat(dt: &NaiveDateTime) -> String {
    if dt.and_utc().timestamp_subsec_micros() == 0 {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}

/// Python's spelling of a bool.
#[allow(dead_code)]
pub fn py(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Names joined with ", ", or "-" when there are none.
#[allow(dead_code)]
pub fn join_or_dash<S: AsRef<str>>(names: &[S]) -> String {
    if names.is_empty() {
        "-".to_string()
    } else {
        names.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")
    }
}
