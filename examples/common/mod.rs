//! What every example shares: where its database lives, and Python-style printing.

use relations::chrono::NaiveDateTime;
use relations::{Db, Result};

/// The tutorial's e-mail literal, as the page it was scraped from rewrote it (U+00A0 inside).
#[allow(dead_code)]
pub const SEED_EMAIL: &str = "[email\u{a0}protected]";

/// `name@example.com`.
#[allow(dead_code)]
pub fn mail(name: &str) -> String {
    format!("{name}@example.com")
}

/// The example's database, and whether it is new (to be created and filled) or an existing
/// file to read:
/// - no argument: a new in-memory database;
/// - `<path>`: a new database file at `<path>` (an existing file is never overwritten);
/// - `--read <path>`: an existing file, opened read-only (one written by `relations` or by the
///   tutorial's Python models), on which only the read-back part of the example runs.
///
/// It also installs the SQL echo: `RUST_LOG=relations::sql=debug` prints every statement,
/// with its parameters, on stderr.
pub fn open() -> Result<(Db, bool)> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    match args.as_slice() {
        [] => Ok((Db::open_in_memory()?, true)),
        [flag, path] if flag == "--read" => Ok((Db::open_read_only(path)?, false)),
        [path] if !std::path::Path::new(path).exists() => Ok((Db::open(path)?, true)),
        [path] => {
            eprintln!("{} exists; give the path of a new database file, or `--read <path>`", path.to_string_lossy());
            std::process::exit(2)
        }
        _ => {
            eprintln!("usage: [<new database file> | --read <existing database file>]");
            std::process::exit(2)
        }
    }
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
