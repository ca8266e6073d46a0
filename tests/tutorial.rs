//! Runs every tutorial example three ways and checks it against SQLAlchemy:
//! 1. in memory: stdout is exactly `tests/fixtures/expected/<name>.txt` (what the tutorial's
//!    usage code prints under SQLAlchemy 2.1);
//! 2. on a new file: the same stdout, and the schema stored in the file is exactly the one
//!    SQLAlchemy's `create_all` stores for the tutorial's models (`fixtures/sqlalchemy/*.sql`);
//! 3. `--read`: the example's read-back part prints the same on the file Flask-SQLAlchemy wrote
//!    (`fixtures/sqlalchemy/*.db`) as on the file `relations` wrote;
//! 4. on a new PostgreSQL database: the same stdout, SQLAlchemy's PostgreSQL DDL
//!    (`fixtures/sqlalchemy/*.postgresql.sql`) in the statements it ran, and the same read-back;
//! 5. on a new MariaDB database: the same, with SQLAlchemy's MariaDB DDL
//!    (`fixtures/sqlalchemy/*.mariadb.sql`), and the stdout SQLAlchemy prints there (its
//!    `DATETIME` keeps whole seconds).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: &[&str] = &[
    "author_book",
    "one_to_many",
    "one_to_one",
    "many_to_many",
    "self_referential",
    "blog",
    "back_populates",
    "library",
    "social",
    "lazy_joined",
    "n_plus_one",
    "cascade",
    "ecommerce",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The example's binary, built by `cargo test` next to this test's own binary.
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps");
    let bin = dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building example {name} failed");
    }
    bin
}

fn run(name: &str, args: &[&Path], extra: Option<&str>) -> String {
    run_echoed(name, args, extra).0
}

/// The example's stdout, and the statements it ran (its SQL echo on stderr).
fn run_echoed(name: &str, args: &[&Path], extra: Option<&str>) -> (String, Vec<String>) {
    let mut cmd = Command::new(binary(name));
    if let Some(flag) = extra {
        cmd.arg(flag);
    }
    let out = cmd.args(args).env("RUST_LOG", "relations::sql=debug").output().expect("the example starts");
    assert!(out.status.success(), "example {name} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    // each echoed statement: `<time> DEBUG relations::sql: <sql> params=[...]`, over lines
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 echo");
    let statements = stderr
        .split(" DEBUG relations::sql: ")
        .skip(1)
        .map(|s| s.rsplit_once(" params=").map_or(s, |(sql, _)| sql).to_string())
        .collect();
    (String::from_utf8(out.stdout).expect("UTF-8 output"), statements)
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("expected").join(format!("{name}.txt"))).expect("expected output")
}

/// The `CREATE` statements stored in a database file, sorted.
fn stored_schema(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL").expect("prepare");
    let mut v: Vec<String> = stmt.query_map([], |r| r.get(0)).expect("query").map(|r| r.expect("row")).collect();
    v.sort();
    v
}

/// SQLAlchemy's `CREATE` statements for the same models, sorted.
fn sqlalchemy_schema(name: &str) -> Vec<String> {
    sqlalchemy_ddl(&format!("{name}.sql"))
}

/// The statements of a DDL fixture, sorted.
fn sqlalchemy_ddl(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixtures().join("sqlalchemy").join(file)).expect("fixture");
    let mut v: Vec<String> = text
        .split(";\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(';').to_string())
        .collect();
    v.sort();
    v
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("relations-tutorial-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn examples_print_the_expected_output_in_memory() {
    for name in EXAMPLES {
        assert_eq!(run(name, &[], None), expected(name), "example {name}, in memory");
    }
}

#[test]
fn examples_write_files_with_sqlalchemys_schema() {
    for name in EXAMPLES {
        let dir = temp_dir(name);
        let db = dir.join("new.db");
        assert_eq!(run(name, &[&db], None), expected(name), "example {name}, on a file");
        assert_eq!(stored_schema(&db), sqlalchemy_schema(name), "example {name}: schema differs from SQLAlchemy's");
        // an existing file is never overwritten
        let again = Command::new(binary(name)).arg(&db).output().expect("starts");
        assert!(!again.status.success(), "example {name} must refuse an existing file");
        std::fs::remove_dir_all(dir).ok();
    }
}

#[test]
fn examples_read_flask_sqlalchemy_files_as_their_own() {
    for name in EXAMPLES {
        let dir = temp_dir(&format!("read-{name}"));
        let python = dir.join("python.db");
        std::fs::copy(fixtures().join("sqlalchemy").join(format!("{name}.db")), &python).expect("copy fixture");
        let ours = dir.join("ours.db");
        run(name, &[&ours], None);
        let from_python = run(name, &[&python], Some("--read"));
        let from_ours = run(name, &[&ours], Some("--read"));
        assert_eq!(from_python, from_ours, "example {name} reads the Python file differently");
        assert!(!from_python.is_empty(), "example {name} printed nothing in --read mode");
        if *name != "many_to_many" {
            // many_to_many removes an enrollment after printing; every other example's
            // output is derived from the final state alone
            assert_eq!(from_python, expected(name), "example {name}, reading the Python file");
        }
        std::fs::remove_dir_all(dir).ok();
    }
}

/// A new database on the PostgreSQL test server for one example, dropped after it.
struct PgDatabase {
    name: String,
}

impl PgDatabase {
    fn new(example: &str) -> PgDatabase {
        let name = format!("relations_tutorial_{}_{example}", std::process::id());
        let db = PgDatabase { name };
        db.drop_it();
        db
    }

    /// The URL of the database on the server the tests use.
    fn url(&self) -> String {
        let server = common::backends::postgres_url();
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b).to_string();
        format!("{base}/{}", self.name)
    }

    fn drop_it(&self) {
        let admin = relations::Db::connect(&common::backends::postgres_url()).expect("PostgreSQL test server");
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        admin.driver::<relations::tokio_postgres::Client>().unwrap().batch_execute(&sql).expect("drop database");
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        self.drop_it();
    }
}

#[test]
fn examples_run_on_postgresql_with_sqlalchemys_ddl() {
    use common::backends::{use_backend, Backend};
    if !use_backend(Backend::Postgres, "examples_run_on_postgresql_with_sqlalchemys_ddl") {
        return;
    }
    for name in EXAMPLES {
        let db = PgDatabase::new(name);
        let url = db.url();
        let (stdout, statements) = run_echoed(name, &[Path::new(&url)], None);
        assert_eq!(stdout, expected(name), "example {name}, on PostgreSQL");
        let mut ddl: Vec<String> = statements.into_iter().filter(|s| s.starts_with("CREATE ")).collect();
        ddl.sort();
        assert_eq!(
            ddl,
            sqlalchemy_ddl(&format!("{name}.postgresql.sql")),
            "example {name}: DDL differs from SQLAlchemy's"
        );
        // a database with tables is never written to
        let again = Command::new(binary(name)).arg(&url).output().expect("starts");
        assert!(!again.status.success(), "example {name} must refuse a database with tables");
        let read = run(name, &[Path::new(&url)], Some("--read"));
        if *name != "many_to_many" {
            assert_eq!(read, expected(name), "example {name}, reading back from PostgreSQL");
        }
    }
}

/// A new database on the MariaDB test server for one example, dropped after it.
struct MariaDatabase {
    name: String,
}

impl MariaDatabase {
    fn new(example: &str) -> MariaDatabase {
        let db = MariaDatabase { name: format!("relations_tutorial_{}_{example}", std::process::id()) };
        db.drop_it();
        db
    }

    fn url(&self) -> String {
        let server = common::backends::mariadb_url();
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b).to_string();
        format!("{base}/{}", self.name)
    }

    fn drop_it(&self) {
        let admin = relations::Db::connect(&common::backends::mariadb_url()).expect("MariaDB test server");
        admin.sql(format!("DROP DATABASE IF EXISTS `{}`", self.name)).execute().expect("drop database");
    }
}

impl Drop for MariaDatabase {
    fn drop(&mut self) {
        self.drop_it();
    }
}

/// What SQLAlchemy prints on MariaDB: the expected output with the fractional seconds of its
/// times cut (`DATETIME` keeps whole seconds there).
fn expected_on_mariadb(name: &str) -> String {
    let text = expected(name);
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut skip_to = 0;
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        // `HH:MM:SS.ffffff` -> `HH:MM:SS`
        let fraction = c == '.'
            && i >= 6
            && bytes[i - 3] == b':'
            && bytes[i - 6] == b':'
            && bytes.get(i + 1..i + 7).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        if fraction {
            skip_to = i + 7;
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn examples_run_on_mariadb_with_sqlalchemys_ddl() {
    use common::backends::{use_backend, Backend};
    if !use_backend(Backend::Mariadb, "examples_run_on_mariadb_with_sqlalchemys_ddl") {
        return;
    }
    for name in EXAMPLES {
        let db = MariaDatabase::new(name);
        let url = db.url();
        let (stdout, statements) = run_echoed(name, &[Path::new(&url)], None);
        assert_eq!(stdout, expected_on_mariadb(name), "example {name}, on MariaDB");
        let mut ddl: Vec<String> =
            statements.into_iter().filter(|s| s.starts_with("CREATE ") && !s.starts_with("CREATE DATABASE")).collect();
        ddl.sort();
        assert_eq!(
            ddl,
            sqlalchemy_ddl(&format!("{name}.mariadb.sql")),
            "example {name}: DDL differs from SQLAlchemy's"
        );
        let again = Command::new(binary(name)).arg(&url).output().expect("starts");
        assert!(!again.status.success(), "example {name} must refuse a database with tables");
        let read = run(name, &[Path::new(&url)], Some("--read"));
        if *name != "many_to_many" {
            assert_eq!(read, expected_on_mariadb(name), "example {name}, reading back from MariaDB");
        }
    }
}
