//! Migrations (feature `migrate`): the [`diff`](fn@diff) between a live database and a set of
//! models, and versioned files — `migrations/<version>_<name>/{up,down}.sql` — written from
//! it, edited by hand where needed, applied in order, each in its own transaction, and
//! recorded in the `relations_migrations` table.
//!
//! [`Migrations::generate`] writes the files that bring a database to a set of models (in the
//! application's crate, where the models are: `migrations.generate::<(User, Post)>(&db,
//! "add_posts", &Renames::none())`); [`Migrations::up`] applies what is pending:
//!
//! ```no_run
//! use relations_runtime::migrate::Migrations;
//! use relations_runtime::Db;
//! # fn main() -> relations_runtime::Result<()> {
//! let db = Db::open("app.db")?;
//! let applied = Migrations::new("migrations").up(&db)?;
//! println!("applied {applied:?}");
//! # Ok(()) }
//! ```
//!
//! Nothing here destroys data without a decision of yours. A generated step that drops a table
//! or a column, fills the rows there are with a placeholder, or narrows a type is marked in
//! the file with a `-- REVIEW:` line (Alembic's rule: what autogenerate writes is read before it
//! runs), and [`Migrations::apply`] refuses the file until every such line is deleted. A rename
//! is never guessed: a table or column that disappears while another appears is a drop and an
//! add, marked with the question whether it was a rename; a [`Renames`] entry whose rename was
//! already made is left out, never turned into a drop and a create. Each generated file names
//! the dialect it was written for, and is refused by a database of another.
//!
//! A database Alembic manages keeps its `alembic_version` table: these migrations never read
//! it as part of the schema, never write or drop it, and [`Status`] reports its revision.

mod diff;

pub use diff::{diff, Change, Diff, Renames};

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::orm::db::Db;
use crate::orm::model::ModelSet;
use crate::schema::catalog::Catalog;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::sql::write::{Col, Cond, Delete, Insert, Rows, Select};

/// The table recording the applied migrations.
pub const VERSION_TABLE: &str = "relations_migrations";

/// One migration's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Its version: the UTC time it was written, `YYYYMMDDHHMMSS`; migrations apply in this order.
    pub version: String,
    /// Its name (`add_users`).
    pub name: String,
    /// The directory holding `up.sql` and `down.sql`.
    pub dir: PathBuf,
    /// `up.sql`: the statements that apply it.
    pub up: String,
    /// `down.sql`: the statements that revert it.
    pub down: String,
}

impl Migration {
    /// The SHA-256 of `up.sql`, hex: what was applied, to notice an edit afterwards.
    pub fn checksum(&self) -> String {
        Sha256::digest(self.up.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Where a migration stands in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Applied, at this time (UTC), and its `up.sql` is what was applied.
    Applied {
        /// When.
        at: String,
    },
    /// Not applied yet.
    Pending,
    /// Applied, but its `up.sql` changed since: `up` and `down` refuse to run.
    Edited {
        /// When it was applied.
        at: String,
    },
    /// Recorded as applied, but no directory holds its files.
    Missing {
        /// The name it was applied under.
        name: String,
    },
}

/// The migrations of a directory against a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Every migration, files and records together, in version order.
    pub migrations: Vec<(String, State)>,
    /// The revision in Alembic's `alembic_version` table, when the database has one.
    pub alembic_revision: Option<String>,
}

/// A directory of migrations.
#[derive(Debug, Clone)]
pub struct Migrations {
    dir: PathBuf,
}

fn io_error(dir: &Path, e: std::io::Error) -> Error {
    Error::Migration { version: dir.display().to_string(), problem: e.to_string() }
}

impl Migrations {
    /// The migrations in `dir` (which need not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> Migrations {
        Migrations { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every migration in the directory, in version order.
    pub fn list(&self) -> Result<Vec<Migration>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&self.dir, e))?;
            let dir = entry.path();
            let file_name = entry.file_name().to_string_lossy().to_string();
            let Some((version, name)) = file_name.split_once('_') else { continue };
            if !dir.is_dir() || version.len() != 14 || !version.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let read = |f: &str| {
                std::fs::read_to_string(dir.join(f)).map_err(|e| Error::Migration {
                    version: version.to_string(),
                    problem: format!("cannot read {}: {e}", dir.join(f).display()),
                })
            };
            out.push(Migration {
                version: version.to_string(),
                name: name.to_string(),
                up: read("up.sql")?,
                down: read("down.sql")?,
                dir,
            });
        }
        out.sort_by(|a, b| a.version.cmp(&b.version));
        if let Some(w) = out.windows(2).find(|w| w[0].version == w[1].version) {
            return Err(Error::Migration {
                version: w[0].version.clone(),
                problem: format!("two migrations have this version: {} and {}", w[0].name, w[1].name),
            });
        }
        Ok(out)
    }

    /// Writes a new migration, `<version>_<name>/{up,down}.sql`, its version the current UTC
    /// time (a second later than the newest one's when that is not later).
    pub fn create(&self, name: &str, up: &str, down: &str) -> Result<Migration> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            return Err(Error::Migration {
                version: self.dir.display().to_string(),
                problem: format!("`{name}` is not a migration name: use lower-case letters, digits and `_`"),
            });
        }
        let mut version = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
        if let Some(last) = self.list()?.last() {
            if last.version >= version {
                let t = chrono::NaiveDateTime::parse_from_str(&last.version, "%Y%m%d%H%M%S")
                    .map_err(|e| Error::Migration { version: last.version.clone(), problem: e.to_string() })?;
                version = (t + chrono::Duration::seconds(1)).format("%Y%m%d%H%M%S").to_string();
            }
        }
        let dir = self.dir.join(format!("{version}_{name}"));
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        for (file, text) in [("up.sql", up), ("down.sql", down)] {
            std::fs::write(dir.join(file), text).map_err(|e| io_error(&dir, e))?;
        }
        Ok(Migration { version, name: name.to_string(), dir, up: up.to_string(), down: down.to_string() })
    }

    /// Writes the migration that brings `db` from its schema now to the models `S` declare
    /// (`renames` says which tables and columns were renamed rather than replaced); `None`
    /// when there is nothing to change. The difference is taken from the live database, so a
    /// pending migration (one written, not applied) is refused: apply it first, or it would be
    /// written twice.
    pub fn generate<S: ModelSet>(&self, db: &Db, name: &str, renames: &Renames) -> Result<Option<Migration>> {
        if let Some(m) = self.pending(db)?.first() {
            return Err(Error::Migration {
                version: m.version.clone(),
                problem: format!(
                    "{}_{} is not applied yet; apply it (`up`) before writing the next from the difference",
                    m.version, m.name
                ),
            });
        }
        let current = db.inspect()?;
        let target = Catalog::of::<S>();
        let (up, down) = migration_sql(db, &current, &target, renames)?;
        match up {
            None => Ok(None),
            Some(up) => self.create(name, &up, &down).map(Some),
        }
    }

    /// The applied migrations' rows, oldest first (none before the version table exists).
    fn records(&self, db: &Db) -> Result<Vec<Record>> {
        if !db.table_exists(VERSION_TABLE)? {
            return Ok(Vec::new());
        }
        let columns = ["version", "name", "checksum", "applied_at"].map(Col::bare).to_vec();
        let (mut sql, mut params) = (String::new(), Vec::new());
        Select { columns, from: VERSION_TABLE, filter: None }.render(db.dialect(), &mut sql, &mut params);
        let mut records: Vec<Record> = text_rows(db, &sql, &params, 4)?
            .into_iter()
            .map(|r| {
                let [version, name, checksum, applied_at] = <[String; 4]>::try_from(r).expect("four columns asked for");
                Record { version, name, checksum, applied_at }
            })
            .collect();
        // versions are timestamps of one width: their text's order is theirs
        records.sort_unstable_by(|a, b| a.version.cmp(&b.version));
        Ok(records)
    }

    /// Where each migration stands in `db`.
    pub fn status(&self, db: &Db) -> Result<Status> {
        let files = self.list()?;
        let records = self.records(db)?;
        let mut migrations: Vec<(String, State)> = Vec::new();
        for m in &files {
            let state = match records.iter().find(|r| r.version == m.version) {
                None => State::Pending,
                Some(r) if r.checksum == m.checksum() => State::Applied { at: r.applied_at.clone() },
                Some(r) => State::Edited { at: r.applied_at.clone() },
            };
            migrations.push((format!("{}_{}", m.version, m.name), state));
        }
        for r in records.iter().filter(|r| !files.iter().any(|m| m.version == r.version)) {
            migrations.push((format!("{}_{}", r.version, r.name), State::Missing { name: r.name.clone() }));
        }
        migrations.sort_by(|a, b| a.0.cmp(&b.0));
        let alembic_revision = match db.table_exists("alembic_version")? {
            true => {
                let (mut sql, mut params) = (String::new(), Vec::new());
                let select = Select { columns: vec![Col::bare("version_num")], from: "alembic_version", filter: None };
                select.render(db.dialect(), &mut sql, &mut params);
                text_rows(db, &sql, &params, 1)?.pop().and_then(|mut r| r.pop())
            }
            false => None,
        };
        Ok(Status { migrations, alembic_revision })
    }

    /// Refuses when an applied migration's `up.sql` was edited or its files are gone.
    fn check(&self, db: &Db) -> Result<()> {
        for (id, state) in self.status(db)?.migrations {
            let version = id.split('_').next().unwrap_or_default().to_string();
            match state {
                State::Edited { at } => {
                    return Err(Error::Migration {
                        version,
                        problem: format!(
                            "{id}/up.sql was edited after it was applied ({at}); restore it, or write a new migration for the change"
                        ),
                    })
                }
                State::Missing { name } => {
                    return Err(Error::Migration {
                        version,
                        problem: format!("`{name}` is recorded as applied but {} holds no files for it", self.dir.display()),
                    })
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Applies every pending migration, oldest first, each in its own transaction with its
    /// record; returns the versions applied. Refuses to start when an applied migration was
    /// edited (see [`State::Edited`]); stops at a migration written for another dialect or with
    /// a step left to review (see [`Migrations::apply`]). On SQLite each runs with foreign keys off and
    /// `PRAGMA foreign_key_check` clean before it commits, as SQLite's table rebuild needs.
    pub fn up(&self, db: &Db) -> Result<Vec<String>> {
        let mut applied = Vec::new();
        for m in self.pending(db)? {
            self.apply(db, &m)?;
            applied.push(format!("{}_{}", m.version, m.name));
        }
        Ok(applied)
    }

    /// The migrations not applied to `db` yet, oldest first, after the check [`Migrations::up`]
    /// makes; apply them one by one with [`Migrations::apply`] (to show progress, say).
    pub fn pending(&self, db: &Db) -> Result<Vec<Migration>> {
        self.check(db)?;
        let records = self.records(db)?;
        Ok(self.list()?.into_iter().filter(|m| !records.iter().any(|r| r.version == m.version)).collect())
    }

    /// Applies one migration and records it, in one transaction. Refused, before anything
    /// runs, when its `up.sql` was written for another dialect or still has a `-- REVIEW:`
    /// line (a step that destroys or invents data, which someone must read first).
    pub fn apply(&self, db: &Db, m: &Migration) -> Result<()> {
        runnable(db, m, &m.up, "up.sql")?;
        self.ensure_version_table(db)?;
        run(db, m, &m.up, |db| {
            let at = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
            let params = [
                Value::Text(m.version.as_str().into()),
                Value::Text(m.name.as_str().into()),
                Value::Text(m.checksum().into()),
                Value::Text(at.into()),
            ];
            let columns = vec!["version", "name", "checksum", "applied_at"];
            let insert = Insert { table: VERSION_TABLE, columns, rows: 1, conflict: None, returning: None };
            db.execute(&insert.render(db.dialect()), &params, VERSION_TABLE).map(|_| ())
        })
    }

    /// Reverts the newest applied migration (its `down.sql` and its record, in one
    /// transaction); returns it, or `None` when none is applied. Refused as [`Migrations::apply`]
    /// refuses: `down.sql` written for another dialect, or with a `-- REVIEW:` line left.
    pub fn down(&self, db: &Db) -> Result<Option<String>> {
        self.check(db)?;
        let records = self.records(db)?;
        let Some(last) = records.last() else { return Ok(None) };
        let files = self.list()?;
        let Some(m) = files.iter().find(|m| m.version == last.version) else {
            return Err(Error::Migration {
                version: last.version.clone(),
                problem: format!(
                    "`{}` is recorded as applied but {} holds no files for it",
                    last.name,
                    self.dir.display()
                ),
            });
        };
        runnable(db, m, &m.down, "down.sql")?;
        run(db, m, &m.down, |db| {
            let rows = Rows::Where(Cond::key([("version", Value::Text(m.version.as_str().into()))]));
            let (mut sql, mut params) = (String::new(), Vec::with_capacity(1));
            Delete { table: VERSION_TABLE, rows }.render(db.dialect(), &mut sql, &mut params);
            db.execute(&sql, &params, VERSION_TABLE).map(|_| ())
        })?;
        Ok(Some(format!("{}_{}", m.version, m.name)))
    }

    fn ensure_version_table(&self, db: &Db) -> Result<()> {
        if db.table_exists(VERSION_TABLE)? {
            return Ok(());
        }
        let column = |name: &str, n| crate::schema::catalog::Column {
            name: name.to_string(),
            sql_type: crate::schema::SqlType::Varchar(Some(n)),
            declared_type: None,
            nullable: false,
            unique: false,
        };
        let table = crate::schema::catalog::Table {
            name: VERSION_TABLE.to_string(),
            columns: vec![column("version", 14), column("name", 200), column("checksum", 64), column("applied_at", 19)],
            primary_key: vec!["version".to_string()],
            auto_key: false,
            foreign_keys: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
        };
        match db.batch(&db.dialect().create_table(&table)) {
            // another runner made it in between
            Err(_) if db.table_exists(VERSION_TABLE)? => Ok(()),
            made => made,
        }
    }
}

/// One row of the version table.
struct Record {
    version: String,
    name: String,
    checksum: String,
    applied_at: String,
}

/// The first line of a migration written for `dialect`: what [`Migrations::apply`] and
/// [`Migrations::down`] compare with the database's dialect.
fn dialect_line(dialect: &str) -> String {
    format!("{DIALECT_MARK}{dialect}")
}

/// How a file names the dialect it was written for.
const DIALECT_MARK: &str = "-- dialect: ";

/// How a file marks a step that destroys or invents data, until someone has read it.
pub const REVIEW_MARK: &str = "-- REVIEW:";

/// The dialect a migration file says it was written for, if it says.
fn written_for(sql: &str) -> Option<&str> {
    sql.lines().find_map(|l| l.trim().strip_prefix(DIALECT_MARK)).map(str::trim)
}

/// The `-- REVIEW:` lines of a migration file, each as `line <n>: <what it says>`: the steps
/// that destroy or invent data, which nothing applies until they are deleted.
pub fn review_marks(sql: &str) -> Vec<String> {
    sql.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with(REVIEW_MARK))
        .map(|(i, l)| format!("line {}: {}", i + 1, l.trim_start()[REVIEW_MARK.len()..].trim()))
        .collect()
}

/// The `up.sql` and `down.sql` that turn `current` into `target` on `db`'s dialect, each
/// naming the dialect, listing the changes, and marking with `-- REVIEW:` every step that
/// destroys or invents data (see [`Diff::reviews`]); `up` is `None` when there are no changes.
/// A rename already made is left out and said in the header (and as a `WARN` event on target
/// `relations::migrate`); one that cannot be made is [`Error::InvalidRename`].
pub fn migration_sql(
    db: &Db,
    current: &Catalog,
    target: &Catalog,
    renames: &Renames,
) -> Result<(Option<String>, String)> {
    let target = &db.dialect().stored(target);
    let forward = diff(current, target, renames)?;
    for skipped in &forward.skipped {
        tracing::warn!(target: "relations::migrate", "rename left out: {skipped}");
    }
    if forward.is_empty() {
        return Ok((None, String::new()));
    }
    // the way back undoes the renames this way made, and only those
    let back = diff(target, current, &forward.renames.reversed())?;
    let text = |d: &Diff, notes: &[String]| {
        let mut s = dialect_line(db.dialect().name());
        s.push_str("\n-- written by relations from the difference between the database and the models:\n");
        for c in &d.changes {
            s.push_str("--   ");
            s.push_str(&c.describe());
            s.push('\n');
        }
        for note in notes {
            s.push_str("-- left out, ");
            s.push_str(note);
            s.push('\n');
        }
        let reviews = d.reviews();
        if !reviews.is_empty() {
            s.push_str("--\n");
            for r in &reviews {
                s.push_str(REVIEW_MARK);
                s.push(' ');
                s.push_str(r);
                s.push('\n');
            }
            s.push_str(
                "-- Nothing applies this file while a `-- REVIEW:` line is left: read each, change the statements\n\
                 -- below if they are not what you want, then delete the line.\n",
            );
        }
        s.push('\n');
        for stmt in d.sql(db.dialect()) {
            s.push_str(&stmt);
            s.push_str(";\n\n");
        }
        s
    };
    Ok((Some(text(&forward, &forward.skipped)), text(&back, &[])))
}

/// Refuses to run `sql` (a migration's `up.sql` or `down.sql`, `file`) on `db` when it was
/// written for another dialect, or still has steps to review.
fn runnable(db: &Db, m: &Migration, sql: &str, file: &str) -> Result<()> {
    if let Some(dialect) = written_for(sql) {
        if dialect != db.dialect().name() {
            return Err(Error::Migration {
                version: m.version.clone(),
                problem: format!(
                    "{}_{}/{file} was written for {dialect}, and this database is {}; write the migrations for each database from its own schema",
                    m.version,
                    m.name,
                    db.dialect().name()
                ),
            });
        }
    }
    let marks = review_marks(sql);
    if !marks.is_empty() {
        return Err(Error::Migration {
            version: m.version.clone(),
            problem: format!(
                "{}_{}/{file} has {} step(s) to review, which destroy or invent data: {}; read them, edit the statements if needed, then delete each `{REVIEW_MARK}` line",
                m.version,
                m.name,
                marks.len(),
                marks.join("; ")
            ),
        });
    }
    Ok(())
}

/// Runs one migration's `sql` and `record` in a transaction; where the dialect switches
/// foreign keys off for it, checked before the commit.
fn run(db: &Db, m: &Migration, sql: &str, record: impl FnOnce(&Db) -> Result<()>) -> Result<()> {
    let d = db.dialect();
    let switch = d.foreign_key_switch();
    let failed = |e: Error| {
        let kept = if d.transactional_ddl() {
            ""
        } else {
            // each DDL statement commits: what ran before the failure stays
            "; the statements before the failing one stay applied (this database's DDL is not transactional) and the migration is not recorded: repair the schema by hand, then run it again"
        };
        Error::Migration { version: m.version.clone(), problem: format!("{}: {e}{kept}", m.name) }
    };
    if switch.is_some() && db.backend().in_transaction() {
        // foreign keys cannot be turned off inside a transaction, and a table rebuilt with
        // them on would take the rows referencing it along (ON DELETE CASCADE) when dropped
        return Err(Error::Migration {
            version: m.version.clone(),
            problem: format!(
                "{}: on {} a migration runs in a transaction of its own; call it outside one",
                m.name,
                d.name()
            ),
        });
    }
    if let Some((off, _)) = switch {
        db.batch(off)?;
    }
    let result = db.schema_change(|db| {
        if !sql.trim().is_empty() {
            db.batch(sql).map_err(failed)?;
        }
        if let Some(check) = d.foreign_key_check() {
            let mut broken = Vec::new();
            db.query_map_into(check, &[], |row| {
                broken.push(format!("{} row {}", row.text(0)?.unwrap_or_default(), row.int(1).unwrap_or_default()));
                Ok(())
            })?;
            if !broken.is_empty() {
                return Err(Error::Migration {
                    version: m.version.clone(),
                    problem: format!("{}: rows would break foreign keys: {}", m.name, broken.join(", ")),
                });
            }
        }
        record(db)
    });
    if let Some((_, on)) = switch {
        db.batch(on)?;
    }
    db.forget_schema();
    result
}

/// The rows of `sql` on `db`, each as its first `columns` cells in text.
fn text_rows(
    db: &Db,
    sql: &str,
    params: &[crate::schema::value::Value<'_>],
    columns: usize,
) -> Result<Vec<Vec<String>>> {
    crate::backend::catalog::text_rows(&|s, p, f| db.query_map_into(s, p, f), sql, params, columns)
}
