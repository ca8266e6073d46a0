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

/// An in-memory database, or with `-- <path>` a new database file at `<path>` (an existing
/// file is never overwritten).
pub fn open() -> Result<Db> {
    match std::env::args_os().nth(1) {
        Some(path) => {
            if std::path::Path::new(&path).exists() {
                eprintln!("{} exists; give a path for a new database file", path.to_string_lossy());
                std::process::exit(2);
            }
            Db::open(path)
        }
        None => Db::open_in_memory(),
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
