//! `relations`: the command line of the `relations` ORM. It reads an existing SQLite file, or a
//! PostgreSQL or MariaDB database, and writes its models (`inspect`), draws it (`erd`), prints its schema
//! as SQL (`ddl`), and applies versioned migrations (`migrate`).
//!
//! A `<database>` is a SQLite path, or a `postgresql://` or `mysql://` (`mariadb://`) URL. Errors are one line on stderr and
//! a non-zero exit; progress shows on a terminal only.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use relations::catalog::Catalog;
use relations::dialect::{Dialect, MariaDb, MySql, Postgres, Sqlite};
use relations::erd::Diagram;
use relations::migrate::{review_marks, Migrations, State, REVIEW_MARK};
use relations::{codegen, Db};

#[derive(Parser)]
#[command(
    name = "relations",
    version,
    about = "Models, diagrams, DDL and migrations for SQLite, PostgreSQL and MariaDB databases"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write Rust models, with their relationships, for every table of a database
    Inspect {
        /// A SQLite file, or a postgresql:// or mysql:// URL
        database: String,
        /// Write the source to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Draw a database's tables and the links between them
    Erd {
        /// A SQLite file, or a postgresql:// or mysql:// URL
        database: String,
        /// Mermaid's erDiagram or Graphviz DOT
        #[arg(long, value_enum, default_value_t = Format::Mermaid)]
        format: Format,
    },
    /// Print a database's schema as SQL
    Ddl {
        /// A SQLite file, or a postgresql:// or mysql:// URL
        database: String,
        /// The dialect to write (the database's own by default)
        #[arg(long, value_enum)]
        dialect: Option<DialectName>,
    },
    /// Versioned migrations: migrations/<version>_<name>/{up,down}.sql
    Migrate {
        /// The database: a SQLite file (created if needed), or a postgresql:// or mysql:// URL
        #[arg(long, global = true, env = "DATABASE_URL")]
        database: Option<String>,
        /// The migrations directory
        #[arg(long, global = true, default_value = "migrations")]
        dir: PathBuf,
        #[command(subcommand)]
        action: MigrateAction,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Write an empty migration to fill in by hand (a diff from models runs in your crate:
    /// `Migrations::generate`)
    New {
        /// Lower-case letters, digits and `_`
        name: String,
    },
    /// Apply every pending migration, oldest first
    Up,
    /// Revert the newest applied migration
    Down,
    /// List the migrations and whether each is applied
    Status,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
enum DialectName {
    Sqlite,
    Postgresql,
    Mariadb,
    Mysql,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(out) => match std::io::stdout().write_all(out.as_bytes()) {
            // a reader that stopped early (`| head`) is no failure
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write the output: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {}", e.to_string().replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

/// An existing database: a SQLite path (or `sqlite:` URL) that is missing is an error, not a
/// new empty file.
fn open_existing(database: &str) -> Result<Db, Failure> {
    if !database.contains("://") || database.starts_with("sqlite:") {
        let path =
            ["sqlite:///", "sqlite://", "sqlite:"].iter().find_map(|p| database.strip_prefix(p)).unwrap_or(database);
        let memory = matches!(path, "" | ":memory:");
        if !memory && !Path::new(path).is_file() {
            return Err(format!("no SQLite database at `{path}`").into());
        }
    }
    Ok(Db::connect(database)?)
}

/// A spinner on a terminal (nothing when stderr is piped), for what takes a moment.
fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// What stops a command: the database's typed error, or a usage mistake, said in one line.
type Failure = Box<dyn std::error::Error>;

fn inspect(database: &str) -> Result<Catalog, Failure> {
    Ok(inspect_with_dialect(database)?.0)
}

/// The schema of `database`, and the dialect it speaks.
fn inspect_with_dialect(database: &str) -> Result<(Catalog, &'static dyn Dialect), Failure> {
    let bar = spinner(format!("reading the schema of {database}"));
    let db = open_existing(database)?;
    let catalog = db.inspect();
    bar.finish_and_clear();
    Ok((catalog?, db.dialect()))
}

/// Runs the command; returns what it prints on standard output.
fn run(cli: Cli) -> Result<String, Failure> {
    let mut out = String::new();
    match cli.command {
        Command::Inspect { database, out: file } => {
            let catalog = inspect(&database)?;
            let source = codegen::models(&catalog);
            for name in codegen::unsupported_names(&catalog) {
                eprintln!("warning: {name} is not a valid model name; rename it in the database, or the models will not compile");
            }
            match file {
                Some(path) => {
                    std::fs::write(&path, source).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    eprintln!("wrote the models of {} tables to {}", catalog.tables.len(), path.display());
                }
                None => out.push_str(&source),
            }
        }
        Command::Erd { database, format } => {
            let diagram = Diagram::from_catalog(&inspect(&database)?);
            match format {
                Format::Mermaid => out.push_str(&diagram.mermaid()),
                Format::Dot => out.push_str(&diagram.dot()),
            }
        }
        Command::Ddl { database, dialect } => {
            let (catalog, own) = inspect_with_dialect(&database)?;
            let d: &dyn Dialect = match dialect {
                None => own,
                Some(DialectName::Sqlite) => &Sqlite,
                Some(DialectName::Postgresql) => &Postgres,
                Some(DialectName::Mariadb) => &MariaDb,
                Some(DialectName::Mysql) => &MySql,
            };
            for t in &catalog.tables {
                for statement in d.table_ddl(t) {
                    let _ = writeln!(out, "{statement};\n");
                }
            }
        }
        Command::Migrate { database, dir, action } => {
            let migrations = Migrations::new(dir);
            if let MigrateAction::New { name } = &action {
                let m = migrations.create(
                    name,
                    &format!("-- {name}: the statements that apply it\n"),
                    &format!("-- {name}: the statements that revert it\n"),
                )?;
                let _ = writeln!(out, "{}", m.dir.display());
                return Ok(out);
            }
            let database = database.ok_or("no database: give --database <path-or-url> or set DATABASE_URL")?;
            // only `up` may create the database; `status` and `down` read one that exists
            let db = match action {
                MigrateAction::Up => Db::connect(&database)?,
                _ => open_existing(&database)?,
            };
            match action {
                MigrateAction::New { .. } => unreachable!("answered above"),
                MigrateAction::Up => {
                    let pending = migrations.pending(&db)?;
                    let bar = ProgressBar::new(pending.len() as u64).with_style(
                        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("a valid template"),
                    );
                    for m in &pending {
                        bar.set_message(format!("{}_{}", m.version, m.name));
                        migrations.apply(&db, m)?;
                        bar.inc(1);
                    }
                    bar.finish_and_clear();
                    for m in &pending {
                        let _ = writeln!(out, "applied {}_{}", m.version, m.name);
                    }
                    if pending.is_empty() {
                        out.push_str("nothing to apply\n");
                    }
                }
                MigrateAction::Down => match migrations.down(&db)? {
                    Some(m) => {
                        let _ = writeln!(out, "reverted {m}");
                    }
                    None => out.push_str("nothing to revert\n"),
                },
                MigrateAction::Status => {
                    let status = migrations.status(&db)?;
                    let files = migrations.list()?;
                    // a pending file with steps that destroy or invent data says so: `up` refuses
                    // it until the marks are deleted
                    let to_review = |id: &str| {
                        files
                            .iter()
                            .find(|m| format!("{}_{}", m.version, m.name) == id)
                            .map_or(0, |m| review_marks(&m.up).len())
                    };
                    for (id, state) in &status.migrations {
                        let state = match state {
                            State::Applied { at } => format!("applied {at}"),
                            State::Pending => match to_review(id) {
                                0 => "pending".to_string(),
                                n => format!("pending, {n} step(s) to review (`{REVIEW_MARK}` lines in up.sql)"),
                            },
                            State::Edited { at } => format!("EDITED since it was applied {at}"),
                            State::Missing { .. } => "applied, but its files are missing".to_string(),
                        };
                        let _ = writeln!(out, "{id}  {state}");
                    }
                    if status.migrations.is_empty() {
                        let _ = writeln!(out, "no migrations in {}", migrations.dir().display());
                    }
                    if let Some(revision) = status.alembic_revision {
                        let _ = writeln!(out, "alembic_version: {revision} (Alembic's own table, left alone)");
                    }
                }
            }
        }
    }
    Ok(out)
}
