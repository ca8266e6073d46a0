//! The runtime's error type: every variant names the table, column or constraint involved.

use std::fmt;

/// `Result` with the runtime's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, naming the table, column or constraint.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No row of `table` has this key (from `get_or_err`, `reload`, a required `belongs_to`).
    NotFound {
        /// The table searched.
        table: &'static str,
        /// The key, as text.
        key: String,
    },
    /// A `UNIQUE` or primary key constraint failed.
    UniqueViolation {
        /// The table.
        table: String,
        /// The columns of the constraint.
        columns: Vec<String>,
        /// The constraint's (or unique index's) name: PostgreSQL's always; on SQLite, which
        /// reports only the columns, the name declared for them, when the model declares one.
        constraint: Option<String>,
    },
    /// A `FOREIGN KEY` constraint failed while writing `table`.
    ForeignKeyViolation {
        /// The table being written.
        table: String,
        /// The foreign key column whose value references no row, as `table.column`, when it
        /// could be found (SQLite does not say; `relations` looks on the error path).
        column: Option<String>,
    },
    /// A `NOT NULL` constraint failed.
    NotNullViolation {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A `CHECK` constraint failed.
    CheckViolation {
        /// The table being written.
        table: String,
        /// The constraint's name or expression, as SQLite reports it.
        constraint: String,
    },
    /// A stored value could not be decoded into the field's Rust type.
    Decode {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// What was wrong with the value.
        message: String,
    },
    /// `Query::one` (or a projection's `one`) found no row matching the query (SQLAlchemy's
    /// `NoResultFound`).
    NoRowMatched {
        /// The table queried.
        table: &'static str,
    },
    /// A database file (SQLite's) could not be opened: it is not a database (or is encrypted),
    /// or it cannot be read or created there.
    CannotOpen {
        /// The file.
        path: String,
        /// Why, in the database's words, and as what it was opened.
        reason: String,
    },
    /// A URL whose scheme names no database `relations` opens (`ftp://...`); nothing was
    /// opened or created.
    UnsupportedUrl {
        /// The URL, without its password.
        url: String,
        /// The URL forms this build opens.
        opens: String,
    },
    /// `Query::one` found more than one row.
    MultipleRows {
        /// The table queried.
        table: &'static str,
    },
    /// A `has_one` found several rows pointing at its owner (its foreign key is not
    /// `unique`), lazily or eagerly; SQLAlchemy warns "Multiple rows returned with
    /// uselist=False" and keeps one, `relations` keeps none.
    MultipleRelated {
        /// The relationship, as `table.field`.
        relationship: String,
    },
    /// The database ended the transaction by itself after an error (a full disk, an I/O
    /// error, no memory, an interrupt): every statement of that transaction after the error is
    /// refused with this, nothing of it is committed, and the outermost
    /// `Db::transaction` returns the original error.
    TransactionAborted {
        /// The error that ended the transaction.
        cause: String,
    },
    /// `create_all` found a model's table in the database with another shape than the
    /// model's.
    SchemaMismatch {
        /// The table.
        table: String,
        /// What differs, column by column.
        difference: String,
    },
    /// `create_all` was given a model whose foreign key references a table that is neither
    /// in the set nor in the database; nothing was created.
    MissingModel {
        /// The model whose table has the foreign key (its Rust type name).
        model: String,
        /// The foreign key column, as `table.column`.
        column: String,
        /// The referenced table, whose model is missing from the set.
        references: String,
    },
    /// A `single_parent` relationship's parent row already has another row pointing at it
    /// (SQLAlchemy: "is already associated with an instance ... and is only allowed a single
    /// parent"); nothing was written.
    SingleParent {
        /// The relationship, as `table.field`.
        relationship: String,
        /// The parent's key, as text.
        parent: String,
    },
    /// A row with a polymorphic owner (`#[belongs_to(P, owner = Enum)]`) has none of its owner
    /// keys set, or several: exactly one must be.
    NotOneOwner {
        /// The owner accessor, as `table.owner`.
        relationship: String,
        /// The owner key columns set (all of them when none is).
        columns: Vec<String>,
        /// How many are set.
        set: usize,
    },
    /// A `Deferred` column that was not loaded was read, or would have been
    /// written by an insert.
    Deferred {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
    },
    /// A model's hook refused the write (or the load): [`Error::rejected`] in a
    /// `Hooks` method. The whole call was rolled back.
    Rejected {
        /// The table of the row the hook ran on.
        table: &'static str,
        /// The hook: `before_insert`, `after_update`, ...
        hook: &'static str,
        /// Why: the hook's own words.
        message: String,
    },
    /// A field validator (`#[column(validate = ...)]`) refused a value written to its column.
    /// Nothing was written.
    Validation {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// The validator, as the attribute names it.
        validator: &'static str,
        /// Why it refused: the validator's own words.
        message: String,
    },
    /// An update or delete of a versioned row (a `Version` column, SQLAlchemy's
    /// `StaleDataError`) found no row with its key and the version it was read with: someone
    /// else updated or deleted it since. Nothing was written.
    StaleData {
        /// The table.
        table: &'static str,
        /// The row's key, as text.
        key: String,
        /// The version the row was read with (0: it was never read from the database).
        version: i64,
        /// What was attempted: `"update"` or `"delete"`.
        action: &'static str,
    },
    /// A write that would cross tenants: the row says it is another tenant's than the
    /// connection's ([`Db::set_tenant`](crate::Db::set_tenant)). Nothing was written.
    CrossTenant {
        /// The table.
        table: &'static str,
        /// The tenant column.
        column: &'static str,
        /// The connection's tenant, as text.
        tenant: String,
        /// The row's, as text.
        row: String,
        /// What was attempted: `"insert"`, `"update"`, `"delete"`, or a bulk write's.
        action: &'static str,
    },
    /// A model's row was written or removed, but it has no key yet (it was never inserted).
    Unsaved {
        /// The table.
        table: &'static str,
        /// What was attempted.
        action: &'static str,
    },
    /// A relationship declared `lazy = "raise"` (or given `raiseload`) was touched without being
    /// loaded eagerly.
    NotLoaded {
        /// The relationship, as `table.field`.
        relationship: String,
    },
    /// The N+1 guard (`Db::set_n_plus_one`) stopped a lazy load
    /// repeated in a loop.
    NPlusOne {
        /// The relationship, as `table.field`.
        relationship: String,
        /// How many times in a row it was lazily loaded.
        count: u32,
    },
    /// Deleting rows of `table` was refused: rows still reference them through `by`, whose
    /// foreign key is `NOT NULL` (or `ON DELETE RESTRICT`, or the owner key of a polymorphic
    /// owner, which cannot be `NULL` alone), and no cascade deletes them.
    Referenced {
        /// The table whose row was being deleted.
        table: &'static str,
        /// The referencing column, as `table.column`.
        by: String,
        /// The relationship that declares it, as `table.field`, when the model declares one.
        relationship: Option<String>,
        /// Whether the foreign key says `ON DELETE RESTRICT`.
        restrict: bool,
        /// Whether `by` is an owner key of a polymorphic owner (nullable, but never `NULL`
        /// alone).
        owner_key: bool,
    },
    /// A row left a one-to-many relationship (removed from it, or replaced as a `has_one`)
    /// without `delete-orphan`, and its foreign key cannot be set to `NULL`.
    Orphan {
        /// The relationship, as `table.field`.
        relationship: String,
        /// The foreign key column, as `table.column`.
        column: String,
        /// Whether it is the owner key of a polymorphic owner (nullable, but never `NULL` alone)
        /// rather than a `NOT NULL` column.
        owner_key: bool,
    },
    /// A relationship field holds rows to save, but the relationship's `cascade` leaves out
    /// `save-update`.
    NotCascaded {
        /// The relationship, as `table.field`.
        relationship: String,
    },
    /// Another connection held the database's write lock for longer than the busy timeout
    /// (`Db::set_busy_timeout`).
    Busy,
    /// The transaction conflicted with a concurrent one (PostgreSQL's serialization failure or
    /// deadlock) and was rolled back: nothing of it is committed; run it again
    /// (`Db::transaction_retrying` does).
    Conflict {
        /// What the database said.
        message: String,
    },
    /// A connection setting could not be applied (WAL on an in-memory database).
    Setting(String),
    /// The connection pool could not hand out a connection (feature `pool`).
    Pool(String),
    /// A value the column's type cannot hold in this database: an integer beyond an `INTEGER`
    /// column's 32 bits on PostgreSQL, text with a NUL character there.
    Unstorable {
        /// The table written or queried.
        table: String,
        /// The column, as `table.column`, where the statement says which it is.
        column: Option<String>,
        /// The statement's parameter (1-based).
        parameter: usize,
        /// Why it does not fit.
        message: String,
    },
    /// A value its column cannot hold, found before any statement was sent, on every backend
    /// alike: text longer than its `VARCHAR(n)`, an integer beyond an `INTEGER`'s 32 bits or a
    /// `SMALLINT`'s 16, a number with more digits than its `NUMERIC(p, s)` allows, text with a
    /// NUL character (which PostgreSQL cannot store).
    ValueDoesNotFit {
        /// The table written.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// What the column holds (`VARCHAR(80) holds 80 characters`).
        limit: String,
        /// What the value is (`is 120 characters long`).
        found: String,
    },
    /// The database refused a value as data of the wrong shape (PostgreSQL's class 22: a text
    /// that is not a number, a value too long that a check here did not catch...).
    InvalidData {
        /// The table written or queried, when known.
        table: String,
        /// The SQLSTATE (`22001`, `22P02`...).
        code: String,
        /// What the database said.
        message: String,
    },
    /// A statement named a table the database does not have.
    NoSuchTable {
        /// The table.
        table: String,
    },
    /// A query that cannot run as built: a join from a table the query does not have, the same
    /// table joined twice under one name, a bulk write with a join.
    InvalidQuery {
        /// The table the query selects from.
        table: &'static str,
        /// What is wrong and how to build it instead.
        message: String,
    },
    /// A column of a projection's or a raw statement's result could not be decoded into the
    /// Rust type asked for.
    DecodeResult {
        /// The column's position in the result (0-based).
        position: usize,
        /// The column's name in the result (the expression's, for a computed column).
        column: String,
        /// What was wrong with the value.
        message: String,
    },
    /// A raw statement names a parameter that was not bound (`:name` without `.bind("name",
    /// ..)`), or is bound a parameter it does not name.
    RawParameter {
        /// The parameter's name.
        name: String,
        /// Whether the statement names it (unbound) or not (bound but unused).
        in_statement: bool,
    },
    /// An upsert's conflict target is neither the table's key nor one of its unique column
    /// sets (neither database can detect a conflict on other columns).
    NoUniqueConstraint {
        /// The table.
        table: &'static str,
        /// The columns given.
        columns: Vec<&'static str>,
    },
    /// A migration could not be read, written or applied, or its files no longer match what was
    /// applied: the version (or the directory) and what is wrong.
    Migration {
        /// The migration's version, or the migrations directory when no one migration is meant.
        version: String,
        /// What is wrong.
        problem: String,
    },
    /// A rename given to a schema diff (`migrate::Renames`) that cannot be made: neither its
    /// old nor its new name is in the database, both are, or the models lack the new name. (A
    /// rename already made — the old name gone, the new one there — is left out, not an error.)
    InvalidRename {
        /// The rename, as `table a -> b` or `column t.a -> b`.
        rename: String,
        /// Why it cannot be made.
        problem: String,
    },
    /// The database returned something the runtime did not expect (a catalog query's row of
    /// another shape, a key it did not report).
    Unexpected(String),
    /// Any other error the database or its driver reported: what it said (with the
    /// database's own error code where it gives one), and the driver's error as the source
    /// ([`Error::driver_error`] reaches it typed). The same variant on every backend.
    Database {
        /// What the database said.
        message: String,
        /// The driver's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database server could not be reached, refused the connection, or did not complete
    /// it within the connect timeout.
    Connect {
        /// Where, without the password.
        url: String,
        /// What went wrong: the server's own words when it answered (`database "app" does not
        /// exist (3D000)`), else the driver's and the system's.
        message: String,
        /// The driver's error, when there is one (also [`std::error::Error::source`]).
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The connection to the database server was lost — the server restarted, ended this
    /// session, or stopped answering — or was found closed before a call. An open transaction
    /// is gone with it (rolled back by the server, unless its `COMMIT` was already sent); the
    /// connection is never used again, and a pool replaces it.
    ConnectionLost {
        /// The database, as a URL without its password.
        database: String,
        /// What was seen.
        message: String,
    },
    /// A statement ran longer than the statement timeout
    /// (`Db::set_statement_timeout`,
    /// `PoolOptions::statement_timeout`) and was stopped; inside a transaction, as any failed
    /// statement does.
    StatementTimeout {
        /// The timeout.
        limit: std::time::Duration,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { table, key } => write!(f, "no row in table `{table}` with key {key}"),
            Error::NotLoaded { relationship } => write!(
                f,
                "`{relationship}` is lazy=\"raise\" here and was not loaded eagerly; load it with `selectinload` or `joinedload`"
            ),
            Error::NPlusOne { relationship, count } => write!(
                f,
                "N+1: `{relationship}` was lazily loaded {count} times in a row; load it eagerly with `selectinload` or `joinedload`"
            ),
            Error::UniqueViolation { table, columns, constraint } => {
                write!(f, "UNIQUE constraint ")?;
                if let Some(name) = constraint {
                    write!(f, "`{name}` ")?;
                }
                write!(f, "on `{table}` ({}) failed: a row with the same value already exists", columns.join(", "))
            }
            Error::ForeignKeyViolation { table, column: Some(column) } => write!(
                f,
                "FOREIGN KEY constraint failed while writing `{table}`: `{column}` references a row that does not exist"
            ),
            Error::ForeignKeyViolation { table, column: None } => write!(
                f,
                "FOREIGN KEY constraint failed while writing `{table}`: a referenced row does not exist, or rows still reference this one"
            ),
            Error::NotNullViolation { table, column } => {
                write!(f, "NOT NULL constraint failed: `{table}.{column}` needs a value")
            }
            Error::CheckViolation { table, constraint } => {
                write!(f, "CHECK constraint `{constraint}` failed on `{table}`")
            }
            Error::Decode { table, column, message } => {
                write!(f, "cannot decode `{table}.{column}`: {message}")
            }
            Error::NoRowMatched { table } => write!(f, "no row of `{table}` matched the query"),
            Error::CannotOpen { path, reason } => write!(f, "cannot open `{path}`: {reason}"),
            Error::UnsupportedUrl { url, opens } => {
                write!(f, "`{url}` names no database relations opens: it opens {opens}")
            }
            Error::MultipleRows { table } => write!(f, "expected one row of `{table}`, found several"),
            Error::SchemaMismatch { table, difference } => write!(
                f,
                "table `{table}` exists with another shape than its model's: {difference}; migrate it, or drop it to let `create_all` create it"
            ),
            Error::MissingModel { model, column, references } => write!(
                f,
                "`{model}`'s `{column}` references table `{references}`, which is neither in the models given to `create_all` nor in the database; add the model of table `{references}` to the set"
            ),
            Error::SingleParent { relationship, parent } => write!(
                f,
                "`{relationship}` is `single_parent`, and its row with key {parent} already has another parent row; let go of it there first"
            ),
            Error::MultipleRelated { relationship } => write!(
                f,
                "`{relationship}` is a has_one, but several rows point at this row; give its foreign key `unique`, or declare a `has_many`"
            ),
            Error::TransactionAborted { cause } => write!(
                f,
                "the transaction was rolled back by the database after an error ({cause}); nothing of it is committed, and no statement runs in it any more"
            ),
            Error::NotOneOwner { relationship, columns, set: 0 } => write!(
                f,
                "`{relationship}` has no owner: none of {} is set; point it at one with `set_{}`",
                columns.join(", "),
                relationship.rsplit('.').next().unwrap_or_default()
            ),
            Error::NotOneOwner { relationship, columns, set } => write!(
                f,
                "`{relationship}` has {set} owners ({} are set); exactly one may be: point it at one with `set_{}`",
                columns.join(", "),
                relationship.rsplit('.').next().unwrap_or_default()
            ),
            Error::Deferred { table, column } => write!(
                f,
                "`{table}.{column}` is deferred and was not loaded: ask for it in the query (`.undefer(..)`), or load it with `load_deferred(&db)`"
            ),
            Error::Rejected { table, hook, message } => write!(f, "the `{hook}` hook of `{table}` refuses: {message}"),
            Error::Validation { table, column, validator, message } => {
                write!(f, "`{validator}` refuses the value of `{table}.{column}`: {message}")
            }
            Error::StaleData { table, key, version: 0, action } => write!(
                f,
                "cannot {action} the `{table}` row with key {key}: it holds no version (0), so it was not read from the database; load the row, change it, and {action} that"
            ),
            Error::StaleData { table, key, version, action } => write!(
                f,
                "cannot {action} the `{table}` row with key {key}: it was read at version {version}, and someone else has updated or deleted it since; nothing was written: load it again and retry"
            ),
            Error::Unsaved { table, action } => {
                write!(f, "cannot {action} a `{table}` row that was never inserted (its key is unset)")
            }
            Error::CrossTenant { table, column, tenant, row, action } => write!(
                f,
                "cannot {action} a `{table}` row of tenant {row} (`{table}.{column}`) on a connection of tenant {tenant}; nothing was written"
            ),
            Error::Referenced { table, by, relationship, restrict, owner_key } => {
                write!(f, "cannot delete from `{table}`: rows of `{by}` still reference it")?;
                if *restrict {
                    return write!(
                        f,
                        " and its foreign key says ON DELETE RESTRICT; delete those rows first"
                    );
                }
                let fix = match relationship {
                    Some(r) => format!("give `{r}` `cascade = \"all\"` to delete them too"),
                    None => "declare the relationship with `cascade = \"all\"` to delete them too".to_string(),
                };
                let why = if *owner_key { "is the owner key of a polymorphic owner (one must stay set)" } else { "is NOT NULL" };
                write!(f, ", and `{by}` {why}; {fix}, or the foreign key `on_delete = \"cascade\"`")
            }
            Error::Orphan { relationship, column, owner_key } => write!(
                f,
                "a row left `{relationship}`, but `{column}` {} so it cannot be unhooked; declare `cascade = \"all, delete-orphan\"` to delete it instead",
                if *owner_key { "is the owner key of a polymorphic owner (one must stay set)" } else { "is NOT NULL" }
            ),
            Error::NotCascaded { relationship } => write!(
                f,
                "`{relationship}` holds rows to save, but its `cascade` leaves out `save-update`; add it, or save the rows yourself"
            ),
            Error::Busy => write!(
                f,
                "the database is locked by another connection's write, for longer than the busy timeout; retry, or raise the timeout with `Db::set_busy_timeout`"
            ),
            Error::Pool(e) => write!(f, "no connection from the pool: {e}"),
            Error::Conflict { message } => write!(
                f,
                "the transaction conflicted with a concurrent one and was rolled back ({message}); run it again, as `Db::transaction_retrying` does"
            ),
            Error::ValueDoesNotFit { table, column, limit, found } => {
                write!(f, "`{table}.{column}` cannot hold this value: {limit}, and the value {found}")
            }
            Error::InvalidData { table, code, message } if table.is_empty() => {
                write!(f, "the database refused a value: {message} ({code})")
            }
            Error::InvalidData { table, code, message } => {
                write!(f, "the database refused a value for `{table}`: {message} ({code})")
            }
            Error::NoSuchTable { table } => write!(
                f,
                "the database has no table `{table}`: create the models' tables with `db.create_all::<(..)>()`, or apply the migrations"
            ),
            Error::InvalidQuery { table, message } => write!(f, "the query on `{table}` cannot run: {message}"),
            Error::DecodeResult { position, column, message } => {
                write!(f, "cannot decode column {position} (`{column}`) of the result: {message}")
            }
            Error::RawParameter { name, in_statement: true } => {
                write!(f, "the statement names the parameter `:{name}`, which is not bound; add `.bind(\"{name}\", value)`")
            }
            Error::RawParameter { name, in_statement: false } => {
                write!(f, "the parameter `{name}` is bound, but the statement does not name `:{name}`")
            }
            Error::NoUniqueConstraint { table, columns } => write!(
                f,
                "`{table}` has no primary key or unique constraint on ({}): an upsert can only detect a conflict on one; declare `#[model(unique(..))]` or `#[column(unique)]`",
                columns.join(", ")
            ),
            Error::Setting(e) => write!(f, "cannot apply the setting: {e}"),
            Error::Migration { version, problem } => write!(f, "migration {version}: {problem}"),
            Error::InvalidRename { rename, problem } => {
                write!(f, "the rename `{rename}` cannot be made: {problem}; correct or remove it")
            }
            Error::Unexpected(e) => write!(f, "unexpected answer from the database: {e}"),
            Error::Unstorable { table, column: Some(column), message, .. } => {
                write!(f, "cannot store the value of `{column}` in `{table}`: {message}")
            }
            Error::Unstorable { table, column: None, parameter, message } => {
                write!(f, "cannot bind parameter {parameter} of a statement on `{table}`: {message}")
            }
            Error::Database { message, .. } => write!(f, "database error: {message}"),
            Error::Connect { url, message, .. } => write!(f, "cannot connect to {url}: {message}"),
            Error::ConnectionLost { database, message } => {
                write!(f, "the connection to {database} was lost: {message}")
            }
            Error::StatementTimeout { limit } => {
                write!(f, "the statement ran longer than the statement timeout ({limit:?}) and was stopped")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Database { source, .. } => Some(&**source),
            Error::Connect { source: Some(e), .. } => Some(&**e),
            _ => None,
        }
    }
}

/// `url` without its password (in a URL's user info, or a `password=` setting): how errors and
/// `Debug` show a connection string.
pub(crate) fn redact_url(url: &str) -> String {
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

/// The longest SQL text an error message quotes.
const SQL_IN_ERRORS: usize = 300;

/// `sql`, cut to [`SQL_IN_ERRORS`] bytes (at a character boundary) with what was left out said.
pub(crate) fn shorten_sql(sql: &str) -> String {
    if sql.len() <= SQL_IN_ERRORS {
        return sql.to_string();
    }
    let mut end = SQL_IN_ERRORS;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} more bytes)", &sql[..end], sql.len() - end)
}

impl Error {
    /// A hook's refusal, [`Error::Rejected`]: `Err(Error::rejected("a post needs a title"))`
    /// from a `Hooks` method. The runtime names the table and the hook.
    pub fn rejected(message: impl Into<String>) -> Error {
        Error::Rejected { table: "", hook: "", message: message.into() }
    }

    /// Whether running the same transaction again may succeed: [`Error::Conflict`], and
    /// [`Error::Busy`] (a lock held past the timeout).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Conflict { .. } | Error::Busy)
    }

    /// An error of the driver, passed on as the source of [`Error::Database`].
    pub fn database(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Database { message: message.into(), source: Box::new(source) }
    }

    /// The driver's own error underneath an [`Error::Database`], as the type `E` the backend's
    /// driver uses (`rusqlite::Error`, `tokio_postgres::Error`, `mysql::Error`); `None` for
    /// any other error or driver.
    pub fn driver_error<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Error::Database { source, .. } => source.downcast_ref::<E>(),
            _ => None,
        }
    }
}
