//! The one seam for SQL text. Everything dialect-specific (quoting, DDL spelling, placeholders,
//! recursive queries) lives behind [`Dialect`]; SQLite is the only implementation today and
//! PostgreSQL will sit beside it.

mod sqlite;

pub use sqlite::Sqlite;

use crate::schema::Table;

/// How one SQL dialect spells things.
pub trait Dialect: Sync {
    /// Appends `ident` quoted, as every DML statement names tables and columns.
    fn quote(&self, ident: &str, out: &mut String);
    /// Appends `ident` as SQLAlchemy's DDL spells it (quoted only when it must be), so that the
    /// schema text stored by the database is the same whichever library created it.
    fn ddl_ident(&self, ident: &str, out: &mut String);
    /// Appends the placeholder for the `n`th (1-based) bound parameter.
    fn placeholder(&self, n: usize, out: &mut String);
    /// `CREATE TABLE` for `table`, as SQLAlchemy's `create_all` emits it.
    fn create_table(&self, table: &Table) -> String;
    /// The `CREATE [UNIQUE] INDEX` statements for `table`'s indexed columns.
    fn create_indexes(&self, table: &Table) -> Vec<String>;
    /// One query listing every single foreign key column of the database: `(referencing
    /// table, foreign key id, referenced table, column, referenced column, ON DELETE action,
    /// NOT NULL as 0/1, whether the referencing table is a plain association table as 0/1)`.
    fn foreign_keys_sql(&self) -> &'static str;
    /// `DROP TABLE` for `table`.
    fn drop_table(&self, table: &Table) -> String;
    /// One query listing the names of the database's tables.
    fn table_names_sql(&self) -> &'static str;
    /// One query listing a table's columns, the table's name bound as its one parameter:
    /// `(name, declared type, NOT NULL as 0/1, position in the primary key or 0)`.
    fn table_columns_sql(&self) -> &'static str;
    /// A column's declared type, as `create_table` writes it (`VARCHAR(80)`).
    fn column_type(&self, column: &crate::schema::ColumnDef) -> String;
    /// Appends the membership test against a list bound as the one `n`th parameter (a
    /// [`Value::List`](crate::Value::List)), after the tested expression: ` IN rarray(?)` on
    /// SQLite. Lists longer than [`Dialect::max_inline_list`] are bound so.
    fn in_bound_list(&self, n: usize, out: &mut String);
    /// The longest `IN (?, ?, ...)` list written out value by value, far below any bind limit.
    fn max_inline_list(&self) -> usize {
        500
    }
    /// The statement that opens a transaction.
    fn begin(&self) -> &'static str;
    /// The statements that undo a savepoint's work and close it.
    fn rollback_to_savepoint(&self, name: &str) -> String {
        format!("ROLLBACK TO {name}; RELEASE {name}")
    }
    /// Whether an `INSERT` returns the key the database assigned (`RETURNING "id"`); if not,
    /// the connection tells it (SQLite's last rowid).
    fn returns_keys(&self) -> bool;
    /// Appends what an `INSERT` of no column values says (` DEFAULT VALUES`).
    fn default_values(&self, out: &mut String) {
        out.push_str(" DEFAULT VALUES");
    }
    /// The hidden column that identifies a row of a table without a single-column key
    /// (SQLite's `rowid`, PostgreSQL's `ctid`), for statements about rows already read.
    fn row_id(&self) -> &'static str;
    /// Appends `LIMIT`/`OFFSET` with the placeholders `limit` and `offset` (1-based parameter
    /// numbers) for the bound values; an offset without a limit binds nothing for the limit.
    fn limit_offset(&self, limit: Option<usize>, offset: Option<usize>, out: &mut String);
}
