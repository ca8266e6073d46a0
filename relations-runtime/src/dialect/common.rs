//! The [`Dialect`] trait, its default spellings (standard SQL, SQLite's and PostgreSQL's where
//! they agree), and the helpers every dialect shares.

use crate::schema::catalog::Table;

/// `t`'s SQLAlchemy generic name, the same in every dialect (`VARCHAR(80)`, `DATETIME`,
/// `UUID`), for diagrams and messages.
#[cfg_attr(not(any(feature = "tools", feature = "migrate")), allow(dead_code))]
pub(crate) fn type_word(t: SqlType, out: &mut String) {
    ddl::common_type_name(t, ["BLOB", "DATETIME", "TIME", "UUID", "JSON"], out);
}
use crate::schema::value::Value;
use crate::schema::{ColumnDef, SqlType};

/// Writes an expression into a statement, with its parameters (what a dialect wraps).
pub type Writer<'a> = &'a mut dyn FnMut(&mut String, &mut Vec<Value<'static>>);

/// A literal text test ([`Dialect::holds`]): `text`, where it is looked for, and whether case
/// counts.
#[derive(Debug, Clone, Copy)]
pub struct TextTest<'a> {
    /// The text, taken literally.
    pub text: &'a str,
    /// Where.
    pub at: Placement,
    /// Without case.
    pub ignore_case: bool,
}

/// Where a text is looked for in another (`Col::contains`,
/// `startswith`, `endswith`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Anywhere.
    Anywhere,
    /// At the start.
    Start,
    /// At the end.
    End,
}

/// How one SQL dialect spells things.
pub trait Dialect: Sync {
    /// The database's name, as SQLAlchemy's dialects name it (`sqlite`, `postgresql`,
    /// `mariadb`, `mysql`).
    fn name(&self) -> &'static str;
    /// The words SQLAlchemy quotes in this dialect's DDL, lower case and sorted.
    fn reserved_words(&self) -> &'static [&'static str];
    /// Appends `ident` quoted, as every DML statement names tables and columns.
    fn quote(&self, ident: &str, out: &mut String) {
        out.push('"');
        if ident.contains('"') {
            out.push_str(&ident.replace('"', "\"\""));
        } else {
            out.push_str(ident);
        }
        out.push('"');
    }
    /// Appends `ident` as SQLAlchemy's DDL spells it (quoted only when it must be), so that the
    /// schema text stored by the database is the same whichever library created it.
    fn ddl_ident(&self, ident: &str, out: &mut String) {
        if ddl::requires_quotes(ident, self.reserved_words()) {
            self.quote(ident, out);
        } else {
            out.push_str(ident);
        }
    }
    /// Appends the placeholder for the `n`th (1-based) bound parameter.
    fn placeholder(&self, n: usize, out: &mut String);
    /// Appends the `n`th placeholder where nothing around it tells the database its type (the
    /// first row of a recursive query): PostgreSQL's `CAST($n AS INTEGER)`, SQLite's `?`.
    fn typed_placeholder(&self, n: usize, column: &ColumnDef, out: &mut String) {
        let _ = column;
        self.placeholder(n, out);
    }
    /// What follows `NOT NULL` on the one integer key column the database assigns (MySQL's
    /// ` AUTO_INCREMENT`); nothing where [`Dialect::ddl_type`] says it (PostgreSQL's `SERIAL`).
    fn auto_key_suffix(&self) -> &'static str {
        ""
    }
    /// Appends `(sub)`, a subquery of `IN` that may hold a `LIMIT`/`OFFSET` or read the table
    /// the statement writes: as it is, or (MySQL, which refuses both there) read through a
    /// derived table.
    fn in_subquery(&self, sub: &str, out: &mut String) {
        out.push('(');
        out.push_str(sub);
        out.push(')');
    }
    /// Whether an `UPDATE` whose values read other tables names them before `SET` (MySQL's
    /// `UPDATE t JOIN a ON ... SET ...`), not in a `FROM` after it (`UPDATE ... FROM`).
    fn update_joins_before_set(&self) -> bool {
        false
    }
    /// Appends what an `INSERT` does on a conflict with a stored row: `ignore` it (then `key`
    /// names a column a no-op update may write, where the dialect needs one), or update the
    /// `set` columns to the new row's values, the conflict being on the `target` columns.
    /// SQLite and PostgreSQL: `ON CONFLICT [(target)] DO NOTHING | DO UPDATE SET c = excluded.c`.
    fn on_conflict(&self, target: Option<&[&str]>, set: &[&str], key: &str, out: &mut String) {
        let _ = key;
        let Some(target) = target else {
            out.push_str(" ON CONFLICT DO NOTHING");
            return;
        };
        out.push_str(" ON CONFLICT (");
        for (i, c) in target.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.quote(c, out);
        }
        out.push_str(") DO UPDATE SET ");
        for (i, c) in set.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.quote(c, out);
            out.push_str(" = excluded.");
            self.quote(c, out);
        }
    }
    /// Whether an ignoring [`Dialect::on_conflict`] still returns the stored row of a conflict
    /// to `RETURNING` (MySQL's no-op update does): then the insert's count, not its returned
    /// rows, tells whether it wrote.
    fn ignored_conflicts_return_rows(&self) -> bool {
        false
    }
    /// The `ALTER TABLE` statements that change `column` of `table` to `sql_type` (when
    /// `retype`) and to its nullability (when `renull`): PostgreSQL's `ALTER COLUMN c TYPE t
    /// USING c::t` and `SET`/`DROP NOT NULL`.
    fn alter_column(
        &self,
        table: &str,
        column: &str,
        sql_type: SqlType,
        nullable: bool,
        retype: bool,
        renull: bool,
    ) -> Vec<String> {
        let (t, c) = (ddl::ident(self, table), ddl::ident(self, column));
        let mut out = Vec::new();
        if retype {
            let ty = self.ddl_type(sql_type, false);
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}"));
        }
        if renull {
            let set = if nullable { "DROP NOT NULL" } else { "SET NOT NULL" };
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} {set}"));
        }
        out
    }
    /// `ALTER TABLE t DROP CONSTRAINT t_pkey` (PostgreSQL's name for the key).
    fn drop_primary_key(&self, table: &str) -> String {
        format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            ddl::ident(self, table),
            ddl::ident(self, &format!("{table}_pkey"))
        )
    }
    /// The statement that drops the constraint `name` of `table`, a `UNIQUE` one when `unique`.
    fn drop_constraint(&self, table: &str, name: &str, unique: bool) -> String {
        let _ = unique;
        format!("ALTER TABLE {} DROP CONSTRAINT {}", ddl::ident(self, table), ddl::ident(self, name))
    }
    /// The name the database gives an unnamed `UNIQUE` constraint on `columns`, or `CHECK`
    /// (PostgreSQL's `t_a_b_key`, `t_check`).
    fn default_constraint_name(&self, table: &str, columns: Option<&[String]>) -> String {
        match columns {
            Some(columns) => format!("{table}_{}_key", columns.join("_")),
            None => format!("{table}_check"),
        }
    }
    /// `ALTER TABLE t ADD FOREIGN KEY(..) REFERENCES ..` for the foreign key `fk` of `table`, as
    /// a migration adds it (unnamed: the database names it `t_a_fkey`, as PostgreSQL does).
    fn add_foreign_key(&self, table: &str, fk: &crate::schema::catalog::ForeignKey) -> String {
        format!("ALTER TABLE {} ADD {}", ddl::ident(self, table), ddl::foreign_key(self, fk))
    }
    /// `ALTER TABLE t DROP CONSTRAINT name` for the foreign key `fk` of `table`: its name as read
    /// from the database, else the one [`Dialect::add_foreign_key`] gave it (`t_a_fkey`).
    fn drop_foreign_key(&self, table: &str, fk: &crate::schema::catalog::ForeignKey) -> String {
        let name = fk.name.clone().unwrap_or_else(|| format!("{table}_{}_fkey", fk.columns.join("_")));
        format!("ALTER TABLE {} DROP CONSTRAINT {}", ddl::ident(self, table), ddl::ident(self, &name))
    }
    /// `DROP INDEX name` (of `table`, which MySQL names).
    fn drop_index(&self, table: &str, name: &str) -> String {
        let _ = table;
        format!("DROP INDEX {}", ddl::ident(self, name))
    }
    /// The type a column declared `sql_type` reads back as from this database's catalog
    /// (MySQL's `VARCHAR` without a length is `VARCHAR(255)`); the same elsewhere.
    fn stored_type(&self, sql_type: SqlType) -> SqlType {
        sql_type
    }
    /// `catalog` as this database would read it back once created: each column's type as
    /// [`Dialect::stored_type`] says (MariaDB keeps a `VARCHAR` without a length as
    /// `VARCHAR(255)`), so that it compares with what `Db::inspect` reads.
    fn stored(&self, catalog: &crate::schema::catalog::Catalog) -> crate::schema::catalog::Catalog {
        let mut out = catalog.clone();
        for t in &mut out.tables {
            for c in &mut t.columns {
                c.sql_type = self.stored_type(c.sql_type);
            }
        }
        out
    }
    /// The type a `CAST` to `sql_type` names: the catalog's spelling, or what MySQL's `CAST`
    /// takes there (`SIGNED`, `DOUBLE`, `CHAR`).
    fn cast_type(&self, sql_type: SqlType) -> String {
        self.catalog_type(sql_type)
    }
    /// `CREATE TABLE` for `table`, as SQLAlchemy's `create_all` emits it.
    fn create_table(&self, table: &Table) -> String {
        ddl::create_table(self, table)
    }
    /// The `CREATE [UNIQUE] INDEX` statements for `table`'s indexes.
    fn create_indexes(&self, table: &Table) -> Vec<String> {
        ddl::create_indexes(self, table)
    }
    /// `CREATE TABLE` for `table`, then its indexes: what `create_all` runs for it.
    fn table_ddl(&self, table: &Table) -> Vec<String> {
        let mut out = vec![self.create_table(table)];
        out.extend(self.create_indexes(table));
        out
    }
    /// One query listing every single foreign key column of the database: `(referencing
    /// table, foreign key id, referenced table, column, referenced column, ON DELETE action,
    /// NOT NULL as 0/1, whether the referencing table is a plain association table as 0/1)`.
    fn foreign_keys_sql(&self) -> &'static str;
    /// `DROP TABLE` for the table named `table`.
    fn drop_table(&self, table: &str) -> String {
        ddl::drop_table(self, table)
    }
    /// One query listing the names of the database's tables.
    fn table_names_sql(&self) -> &'static str;
    /// One query listing a table's columns, the table's name bound as its one parameter:
    /// `(name, declared type, NOT NULL as 0/1, position in the primary key or 0)`.
    fn table_columns_sql(&self) -> &'static str;
    /// A type as the database's catalog reports it (`VARCHAR(80)` on SQLite, `character
    /// varying(80)` on PostgreSQL), to compare an existing table with its model.
    fn catalog_type(&self, sql_type: SqlType) -> String;
    /// A column's type as the database's catalog reports it ([`Dialect::catalog_type`]).
    fn column_type(&self, column: &ColumnDef) -> String {
        self.catalog_type(column.sql_type)
    }
    /// The [`SqlType`] a type name of the database's catalog reads back as, and whether the
    /// name is the dialect's own spelling of it ([`parse_type`]).
    fn parse_type(&self, name: &str) -> (SqlType, bool) {
        parse_type(name, self)
    }
    /// A column's type as `CREATE TABLE` spells it; `auto_key` for the one integer key column
    /// the database assigns (PostgreSQL's `SERIAL`).
    fn ddl_type(&self, sql_type: SqlType, auto_key: bool) -> String;
    /// Appends the membership test against a list bound as the one `n`th parameter (a
    /// [`Value::List`]), after the tested expression: ` IN rarray(?)` on SQLite. Lists longer
    /// than [`Dialect::max_inline_list`] are bound so.
    fn in_bound_list(&self, n: usize, out: &mut String);
    /// The operator that compares with `LIKE` ignoring case (PostgreSQL's `ILIKE`); `None`
    /// where both sides are lowered instead (`lower(x) LIKE lower(?)`, SQLAlchemy's spelling).
    fn ilike(&self) -> Option<&'static str> {
        None
    }
    /// Appends a test that the text `term` writes holds `test.text` literally — anywhere, at the
    /// start or at the end — binding the pattern: `term LIKE ? ESCAPE ?`, the pattern's `%`,
    /// `_` and `/` escaped with `/` (SQLAlchemy's `autoescape`); without case through
    /// [`Dialect::ilike`] or `lower(..)` on both sides.
    fn holds(&self, term: Writer<'_>, test: TextTest<'_>, sql: &mut String, params: &mut Vec<Value<'static>>) {
        holds_by_like(self, term, test, sql, params);
    }
    /// Appends an `ORDER BY` term that `term` writes, descending or not, with its `NULL`s
    /// first or last when `nulls_first` says: ` NULLS FIRST` or ` NULLS LAST` after it (both
    /// SQLite, since 3.30, and PostgreSQL spell it so).
    fn order_term(
        &self,
        term: Writer<'_>,
        descending: bool,
        nulls_first: Option<bool>,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
    ) {
        term(sql, params);
        if descending {
            sql.push_str(" DESC");
        }
        if let Some(first) = nulls_first {
            sql.push_str(if first { " NULLS FIRST" } else { " NULLS LAST" });
        }
    }
    /// The longest `IN (?, ?, ...)` list written out value by value, far below any bind limit.
    fn max_inline_list(&self) -> usize {
        500
    }
    /// Whether a one-to-many level's rows are ordered by their owner's foreign key before
    /// their own order. An index on the foreign key (which holds the row's key after it) then
    /// gives each owner's rows together and in order without a sort. `false` where the planner
    /// does better with the rows' own order: MariaDB reads a table the bound keys mostly cover
    /// in its key's order, but sorts by (foreign key, key) and reads every row a second time.
    /// Either way each owner gets its rows in order: the loader groups them as they come.
    fn orders_levels_by_owner(&self) -> bool {
        true
    }
    /// Whether a subtree load's recursive expression carries the rows of `table` themselves,
    /// rather than their keys joined back to the table at the end. Its `UNION` then compares
    /// whole rows, so every column's type must have an equality. PostgreSQL's planner gains
    /// by it; MariaDB's does not (9.6 ms against 9.5 ms on the bench's 5,461-row tree), and
    /// SQLite keeps the statement its numbers were measured with.
    fn subtree_carries_rows(&self, _table: &crate::schema::Table) -> bool {
        false
    }
    /// The statement that opens a transaction.
    fn begin(&self) -> &'static str;
    /// The statement that ends a transaction, keeping its work.
    fn commit(&self) -> &'static str {
        "COMMIT"
    }
    /// The statement that ends a transaction, undoing its work.
    fn rollback(&self) -> &'static str {
        "ROLLBACK"
    }
    /// The statement that opens a savepoint inside a transaction.
    fn savepoint(&self, name: &str) -> String {
        format!("SAVEPOINT {name}")
    }
    /// The statement that closes a savepoint, keeping its work.
    fn release_savepoint(&self, name: &str) -> String {
        format!("RELEASE {name}")
    }
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
    /// Appends a test (1 or 0) of whether a trigger fires on writes to the table whose name is
    /// bound as the `n`th parameter: what tells a batch insert whether its keys can be known
    /// from the largest one before it ([`Dialect::returns_keys`] false).
    fn trigger_test(&self, n: usize, out: &mut String) {
        out.push_str("EXISTS (SELECT 1 FROM information_schema.triggers WHERE event_object_table = ");
        self.placeholder(n, out);
        out.push(')');
    }
    /// Whether `ALTER TABLE` cannot change a column's type, nullability or constraints, so a
    /// migration rebuilds the table instead (SQLite).
    fn rebuilds_tables(&self) -> bool {
        false
    }
    /// The statements that turn foreign key enforcement off and on again around a migration
    /// that rebuilds tables, run outside its transaction (so a migration must not be called
    /// inside one); `None` where a migration needs no switch.
    fn foreign_key_switch(&self) -> Option<(&'static str, &'static str)> {
        None
    }
    /// A query listing the rows that break a foreign key, `(table, row id)`, run before a
    /// migration that ran with foreign keys off commits.
    fn foreign_key_check(&self) -> Option<&'static str> {
        None
    }
    /// Whether DDL runs inside a transaction (rolled back with it). Where it does not
    /// (MariaDB, MySQL), a migration that fails half-way leaves its first statements applied.
    fn transactional_ddl(&self) -> bool {
        true
    }
    /// Appends `LIMIT`/`OFFSET` with the placeholders `limit` and `offset` (1-based parameter
    /// numbers) for the bound values; an offset without a limit binds nothing for the limit.
    fn limit_offset(&self, limit: Option<usize>, offset: Option<usize>, out: &mut String);
}

/// Whether a database keeps `name` for itself (SQLite: names starting with `sqlite_`), so that
/// no model may declare it.
#[cfg(feature = "tools")]
pub(crate) fn reserved_name(name: &str) -> bool {
    name.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("sqlite_"))
}

/// The `LIKE` pattern that finds `text` literally at `at`, its `%`, `_` and `/` escaped with `/`.
pub(crate) fn like_pattern(text: &str, at: Placement) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    if at != Placement::Start {
        pattern.push('%');
    }
    for c in text.chars() {
        if matches!(c, '%' | '_' | '/') {
            pattern.push('/');
        }
        pattern.push(c);
    }
    if at != Placement::End {
        pattern.push('%');
    }
    pattern
}

/// The [`SqlType`] a database's type name reads back as, and whether the name is the one
/// `dialect` itself reports for it ([`Dialect::catalog_type`], or its auto key's `SERIAL`). An
/// unknown name reads as SQLite's affinity rules say (`…INT…` is an integer, `…CHAR…`,
/// `…TEXT…` text, `…REAL…`, `…FLOA…`, `…DOUB…` floating point, otherwise numeric), never exact.
pub fn parse_type<D: Dialect + ?Sized>(name: &str, dialect: &D) -> (SqlType, bool) {
    let upper = name.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
    let (base, args) = match upper.find('(') {
        Some(open) => (upper[..open].trim(), upper[open + 1..].trim_end_matches(')').trim()),
        None => (upper.as_str(), ""),
    };
    let numbers: Vec<u32> = args.split(',').filter_map(|a| a.trim().parse().ok()).collect();
    let t = match (base, &numbers[..]) {
        ("INTEGER" | "INT" | "INT4" | "SERIAL", []) => SqlType::Integer,
        ("SMALLINT" | "INT2", []) => SqlType::SmallInteger,
        ("BIGINT" | "INT8" | "BIGSERIAL", []) => SqlType::BigInteger,
        ("BOOLEAN" | "BOOL", []) => SqlType::Boolean,
        ("FLOAT" | "REAL" | "DOUBLE" | "DOUBLE PRECISION" | "FLOAT8" | "FLOAT4", _) => SqlType::Float,
        ("VARCHAR" | "CHARACTER VARYING" | "NVARCHAR", []) => SqlType::Varchar(None),
        ("VARCHAR" | "CHARACTER VARYING" | "NVARCHAR" | "CHAR" | "CHARACTER" | "NCHAR", [n]) => {
            SqlType::Varchar(Some(*n))
        }
        ("TEXT" | "CLOB", []) => SqlType::Text,
        ("BLOB" | "BYTEA", []) => SqlType::Blob,
        ("DATETIME" | "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE", _) => SqlType::DateTime,
        ("DATE", []) => SqlType::Date,
        ("TIME" | "TIME WITHOUT TIME ZONE", _) => SqlType::Time,
        ("NUMERIC" | "DECIMAL", []) => SqlType::Numeric(None),
        ("NUMERIC" | "DECIMAL", [p, s]) if *p <= 255 && *s <= 255 => SqlType::Numeric(Some((*p as u8, *s as u8))),
        ("UUID", []) => SqlType::Uuid,
        ("JSON" | "JSONB", []) => SqlType::Json,
        _ if base.contains("INT") => SqlType::Integer,
        _ if base.contains("CHAR") || base.contains("TEXT") || base.contains("CLOB") => SqlType::Text,
        _ if base.contains("BLOB") || base.is_empty() => SqlType::Blob,
        _ if base.contains("REAL") || base.contains("FLOA") || base.contains("DOUB") => SqlType::Float,
        _ => return (SqlType::Numeric(None), false),
    };
    let normal = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    let exact =
        normal(&dialect.catalog_type(t)) == normal(&upper) || normal(&dialect.ddl_type(t, true)) == normal(&upper);
    (t, exact)
}

/// [`Dialect::holds`] by `LIKE ... ESCAPE`, for the dialects that do so.
pub(crate) fn holds_by_like<D: Dialect + ?Sized>(
    d: &D,
    term: Writer<'_>,
    TextTest { text, at, ignore_case }: TextTest<'_>,
    sql: &mut String,
    params: &mut Vec<Value<'static>>,
) {
    let pattern = like_pattern(text, at);
    let lowered = ignore_case && d.ilike().is_none();
    if lowered {
        sql.push_str("lower(");
    }
    term(sql, params);
    sql.push_str(match (ignore_case, lowered) {
        (false, _) => " LIKE ",
        (true, true) => ") LIKE lower(",
        (true, false) => "",
    });
    if ignore_case && !lowered {
        sql.push(' ');
        sql.push_str(d.ilike().unwrap_or("LIKE"));
        sql.push(' ');
    }
    params.push(Value::Text(pattern.into()));
    d.placeholder(params.len(), sql);
    if lowered {
        sql.push(')');
    }
    sql.push_str(" ESCAPE ");
    params.push(Value::Text("/".into()));
    d.placeholder(params.len(), sql);
}

/// DDL as SQLAlchemy's `create_all` renders it, the same shape on every dialect: only the
/// column types and the identifiers' quoting differ, and the [`Dialect`] gives those.
pub(crate) mod ddl {
    use std::fmt::Write;

    use super::Dialect;
    use crate::schema::catalog::{Constraint, ForeignKey, Index, Table};
    use crate::schema::SqlType;

    /// The type names both dialects spell alike (`INTEGER`, `VARCHAR(80)`, `NUMERIC(10, 2)`); the
    /// others are `BLOB`, `DATETIME`, `TIME`, `CHAR(32)`, `TEXT` on SQLite and `BYTEA`,
    /// `TIMESTAMP WITHOUT TIME ZONE`, `TIME WITHOUT TIME ZONE`, `UUID`, `JSON` on PostgreSQL.
    pub(crate) fn common_type_name(t: SqlType, [blob, datetime, time, uuid, json]: [&str; 5], out: &mut String) {
        match t {
            SqlType::Integer => out.push_str("INTEGER"),
            SqlType::SmallInteger => out.push_str("SMALLINT"),
            SqlType::BigInteger => out.push_str("BIGINT"),
            SqlType::Boolean => out.push_str("BOOLEAN"),
            SqlType::Float => out.push_str("FLOAT"),
            SqlType::Varchar(None) => out.push_str("VARCHAR"),
            SqlType::Varchar(Some(n)) => {
                let _ = write!(out, "VARCHAR({n})");
            }
            SqlType::Text => out.push_str("TEXT"),
            SqlType::Blob => out.push_str(blob),
            SqlType::DateTime => out.push_str(datetime),
            SqlType::Date => out.push_str("DATE"),
            SqlType::Time => out.push_str(time),
            SqlType::Numeric(None) => out.push_str("NUMERIC"),
            SqlType::Numeric(Some((p, s))) => {
                let _ = write!(out, "NUMERIC({p}, {s})");
            }
            SqlType::Uuid => out.push_str(uuid),
            SqlType::Json => out.push_str(json),
        }
    }

    /// `CREATE TABLE t (\n\tcol TYPE NOT NULL, \n\t...PRIMARY KEY (id), \n\tUNIQUE (c), \n\t
    /// FOREIGN KEY(c) REFERENCES p (id)\n)`.
    pub(crate) fn create_table<D: Dialect + ?Sized>(d: &D, table: &Table) -> String {
        let mut items: Vec<String> = Vec::new();
        for c in &table.columns {
            let mut s = String::new();
            d.ddl_ident(&c.name, &mut s);
            s.push(' ');
            let auto = table.auto_key && table.primary_key == [c.name.as_str()];
            s.push_str(&d.ddl_type(c.sql_type, auto));
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
            if auto {
                s.push_str(d.auto_key_suffix());
            }
            items.push(s);
        }
        if !table.primary_key.is_empty() {
            items.push(format!("PRIMARY KEY ({})", ident_list(d, &table.primary_key)));
        }
        // SQLAlchemy's order: the table's own constraints as declared (a composite foreign key
        // is one of them: `__table_args__ = (ForeignKeyConstraint(..), ...)`), then each column's,
        // in column order: its UNIQUE, then its FOREIGN KEY
        for fk in table.foreign_keys.iter().filter(|fk| fk.columns.len() > 1) {
            items.push(foreign_key(d, fk));
        }
        for c in &table.constraints {
            items.push(constraint(d, c));
        }
        for c in &table.columns {
            if c.unique {
                items.push(format!("UNIQUE ({})", ident_list(d, std::slice::from_ref(&c.name))));
            }
            for fk in table.foreign_keys.iter().filter(|fk| fk.columns == [c.name.as_str()]) {
                items.push(foreign_key(d, fk));
            }
        }
        let mut sql = String::from("CREATE TABLE ");
        d.ddl_ident(&table.name, &mut sql);
        sql.push_str(" (\n\t");
        sql.push_str(&items.join(", \n\t"));
        sql.push_str("\n)");
        sql
    }

    /// `[CONSTRAINT name] UNIQUE (a, b)` or `[CONSTRAINT name] CHECK (...)`.
    pub(crate) fn constraint<D: Dialect + ?Sized>(d: &D, c: &Constraint) -> String {
        let mut s = String::new();
        if let Some(name) = c.name() {
            s.push_str("CONSTRAINT ");
            d.ddl_ident(name, &mut s);
            s.push(' ');
        }
        match c {
            Constraint::Unique { columns, .. } => {
                let _ = write!(s, "UNIQUE ({})", ident_list(d, columns));
            }
            Constraint::Check { sql, .. } => {
                let _ = write!(s, "CHECK ({sql})");
            }
            // a sum of 0/1 terms: portable (PostgreSQL adds no booleans), one term per owner
            Constraint::ExactlyOne { columns, .. } => {
                s.push_str("CHECK (");
                for (i, c) in columns.iter().enumerate() {
                    if i > 0 {
                        s.push_str(" + ");
                    }
                    s.push_str("CASE WHEN ");
                    d.ddl_ident(c, &mut s);
                    s.push_str(" IS NULL THEN 0 ELSE 1 END");
                }
                s.push_str(" = 1)");
            }
        }
        s
    }

    /// `FOREIGN KEY(a, b) REFERENCES t (x, y) [ON DELETE ...]`.
    pub(crate) fn foreign_key<D: Dialect + ?Sized>(d: &D, fk: &ForeignKey) -> String {
        let mut s = format!("FOREIGN KEY({}) REFERENCES ", ident_list(d, &fk.columns));
        d.ddl_ident(&fk.references, &mut s);
        let _ = write!(s, " ({})", ident_list(d, &fk.target_columns));
        if let Some(action) = fk.on_delete.sql() {
            s.push_str(" ON DELETE ");
            s.push_str(action);
        }
        s
    }

    /// `CREATE [UNIQUE] INDEX name ON t (a, b)` for each of the table's indexes, in order.
    pub(crate) fn create_indexes<D: Dialect + ?Sized>(d: &D, table: &Table) -> Vec<String> {
        table.indexes.iter().map(|i| create_index(d, &table.name, i)).collect()
    }

    /// `CREATE [UNIQUE] INDEX name ON t (a, b)`.
    pub(crate) fn create_index<D: Dialect + ?Sized>(d: &D, table: &str, index: &Index) -> String {
        let mut sql = String::from(if index.unique { "CREATE UNIQUE INDEX " } else { "CREATE INDEX " });
        d.ddl_ident(&index.name, &mut sql);
        sql.push_str(" ON ");
        d.ddl_ident(table, &mut sql);
        let _ = write!(sql, " ({})", ident_list(d, &index.columns));
        sql
    }

    /// `DROP TABLE t`.
    pub(crate) fn drop_table<D: Dialect + ?Sized>(d: &D, table: &str) -> String {
        let mut sql = String::from("DROP TABLE ");
        d.ddl_ident(table, &mut sql);
        sql
    }

    /// `ALTER TABLE from RENAME TO to`.
    #[cfg(feature = "migrate")]
    pub(crate) fn rename_table<D: Dialect + ?Sized>(d: &D, from: &str, to: &str) -> String {
        format!("ALTER TABLE {} RENAME TO {}", ident(d, from), ident(d, to))
    }

    /// `ALTER TABLE t RENAME COLUMN from TO to`.
    #[cfg(feature = "migrate")]
    pub(crate) fn rename_column<D: Dialect + ?Sized>(d: &D, table: &str, from: &str, to: &str) -> String {
        format!("ALTER TABLE {} RENAME COLUMN {} TO {}", ident(d, table), ident(d, from), ident(d, to))
    }

    /// `ALTER TABLE t ADD COLUMN c <type>`, nullable; with a `fill`, `NOT NULL DEFAULT <fill>`
    /// (the value the rows there get), followed by the statement that drops that default again.
    #[cfg(feature = "migrate")]
    pub(crate) fn add_column<D: Dialect + ?Sized>(
        d: &D,
        table: &str,
        column: &str,
        ty: SqlType,
        fill: Option<&str>,
    ) -> Vec<String> {
        let (t, c, ty) = (ident(d, table), ident(d, column), d.ddl_type(ty, false));
        match fill {
            None => vec![format!("ALTER TABLE {t} ADD COLUMN {c} {ty}")],
            Some(fill) => vec![
                format!("ALTER TABLE {t} ADD COLUMN {c} {ty} NOT NULL DEFAULT {fill}"),
                format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"),
            ],
        }
    }

    /// `ALTER TABLE t DROP COLUMN c`.
    #[cfg(feature = "migrate")]
    pub(crate) fn drop_column<D: Dialect + ?Sized>(d: &D, table: &str, column: &str) -> String {
        format!("ALTER TABLE {} DROP COLUMN {}", ident(d, table), ident(d, column))
    }

    /// `ALTER TABLE t ADD PRIMARY KEY (a, b)`.
    #[cfg(feature = "migrate")]
    pub(crate) fn add_primary_key<D: Dialect + ?Sized, S: AsRef<str>>(d: &D, table: &str, columns: &[S]) -> String {
        format!("ALTER TABLE {} ADD PRIMARY KEY ({})", ident(d, table), ident_list(d, columns))
    }

    /// `ALTER TABLE t ADD <constraint>`.
    #[cfg(feature = "migrate")]
    pub(crate) fn add_constraint<D: Dialect + ?Sized>(d: &D, table: &str, c: &Constraint) -> String {
        format!("ALTER TABLE {} ADD {}", ident(d, table), constraint(d, c))
    }

    /// `DROP INDEX name` where an index's name is the schema's (SQLite).
    #[cfg(feature = "migrate")]
    pub(crate) fn drop_index_by_name<D: Dialect + ?Sized>(d: &D, index: &str) -> String {
        format!("DROP INDEX {}", ident(d, index))
    }

    /// `INSERT INTO into (columns) SELECT <select> FROM from`: a rebuilt table's rows copied, each
    /// of `select` a column of `from` or a literal.
    #[cfg(feature = "migrate")]
    pub(crate) fn copy_rows<D: Dialect + ?Sized>(
        d: &D,
        into: &str,
        columns: &[String],
        select: &[String],
        from: &str,
    ) -> String {
        format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            ident(d, into),
            ident_list(d, columns),
            select.join(", "),
            ident(d, from)
        )
    }

    /// A literal of `t` for the rows that exist when a `NOT NULL` column is added: zero, empty or
    /// the epoch — written into the migration, where it can be edited.
    #[cfg(feature = "migrate")]
    pub(crate) fn fill_literal(t: SqlType) -> &'static str {
        match t {
            SqlType::Integer | SqlType::SmallInteger | SqlType::BigInteger | SqlType::Numeric(_) => "0",
            SqlType::Float => "0.0",
            SqlType::Boolean => "FALSE",
            SqlType::Varchar(_) | SqlType::Text => "''",
            SqlType::Blob => "X''",
            SqlType::DateTime => "'1970-01-01 00:00:00'",
            SqlType::Date => "'1970-01-01'",
            SqlType::Time => "'00:00:00'",
            SqlType::Uuid => "'00000000000000000000000000000000'",
            SqlType::Json => "'null'",
        }
    }

    /// `ident` as DDL spells it.
    pub(crate) fn ident<D: Dialect + ?Sized>(d: &D, ident: &str) -> String {
        let mut s = String::new();
        d.ddl_ident(ident, &mut s);
        s
    }

    pub(crate) fn ident_list<D: Dialect + ?Sized, S: AsRef<str>>(d: &D, idents: &[S]) -> String {
        let mut s = String::new();
        for (i, c) in idents.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            d.ddl_ident(c.as_ref(), &mut s);
        }
        s
    }

    /// SQLAlchemy's test for an identifier it quotes in DDL: a reserved word (of `reserved`, sorted
    /// lower case), a leading digit or `$`, a character other than letters, digits, `_` and `$`,
    /// or an upper-case letter.
    pub(crate) fn requires_quotes(ident: &str, reserved: &[&str]) -> bool {
        let lower = ident.to_ascii_lowercase();
        ident.is_empty()
            || reserved.binary_search(&lower.as_str()).is_ok()
            || ident.starts_with(|c: char| c.is_ascii_digit() || c == '$')
            || !ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
            || lower != ident
    }
}
