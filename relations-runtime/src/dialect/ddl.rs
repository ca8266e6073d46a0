//! DDL as SQLAlchemy's `create_all` renders it, the same shape on every dialect: only the
//! column types and the identifiers' quoting differ, and the [`Dialect`] gives those.

use std::fmt::Write;

use super::Dialect;
use crate::schema::{Constraint, ForeignKey, SqlType, Table};

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
pub(crate) fn create_table(d: &dyn Dialect, table: &Table) -> String {
    let mut items: Vec<String> = Vec::new();
    for c in table.columns {
        let mut s = String::new();
        d.ddl_ident(c.name, &mut s);
        s.push(' ');
        s.push_str(&d.ddl_type(c, table));
        if !c.nullable {
            s.push_str(" NOT NULL");
        }
        items.push(s);
    }
    let pk: Vec<&str> = table.primary_key().map(|c| c.name).collect();
    if !pk.is_empty() {
        items.push(format!("PRIMARY KEY ({})", ident_list(d, &pk)));
    }
    // SQLAlchemy's order: the table's own constraints as declared (a composite foreign key
    // is one of them: `__table_args__ = (ForeignKeyConstraint(..), ...)`), then each column's,
    // in column order: its UNIQUE, then its FOREIGN KEY
    for fk in table.foreign_keys.iter().filter(|fk| fk.columns.len() > 1) {
        items.push(foreign_key(d, fk));
    }
    for c in table.constraints {
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
        items.push(s);
    }
    for c in table.columns {
        if c.unique && !c.index {
            items.push(format!("UNIQUE ({})", ident_list(d, &[c.name])));
        }
        for fk in table.foreign_keys.iter().filter(|fk| fk.columns == [c.name]) {
            items.push(foreign_key(d, fk));
        }
    }
    let mut sql = String::from("CREATE TABLE ");
    d.ddl_ident(table.name, &mut sql);
    sql.push_str(" (\n\t");
    sql.push_str(&items.join(", \n\t"));
    sql.push_str("\n)");
    sql
}

/// `FOREIGN KEY(a, b) REFERENCES t (x, y) [ON DELETE ...]`.
fn foreign_key(d: &dyn Dialect, fk: &ForeignKey) -> String {
    let mut s = format!("FOREIGN KEY({}) REFERENCES ", ident_list(d, fk.columns));
    d.ddl_ident(fk.references, &mut s);
    let _ = write!(s, " ({})", ident_list(d, fk.target_columns));
    if let Some(action) = fk.on_delete.sql() {
        s.push_str(" ON DELETE ");
        s.push_str(action);
    }
    s
}

/// `CREATE [UNIQUE] INDEX ix_<table>_<column> ON t (c)` for each indexed column, then the
/// table's multi-column indexes, as declared.
pub(crate) fn create_indexes(d: &dyn Dialect, table: &Table) -> Vec<String> {
    let columns = table
        .columns
        .iter()
        .filter(|c| c.index)
        .map(|c| index(d, table, &table.index_name(&[c.name]), &[c.name], c.unique));
    columns.chain(table.indexes.iter().map(|i| index(d, table, i.name, i.columns, i.unique))).collect()
}

/// `CREATE [UNIQUE] INDEX name ON t (a, b)`.
fn index(d: &dyn Dialect, table: &Table, name: &str, columns: &[&str], unique: bool) -> String {
    let mut sql = String::from(if unique { "CREATE UNIQUE INDEX " } else { "CREATE INDEX " });
    d.ddl_ident(name, &mut sql);
    sql.push_str(" ON ");
    d.ddl_ident(table.name, &mut sql);
    let _ = write!(sql, " ({})", ident_list(d, columns));
    sql
}

/// `CREATE INDEX ix_<table>_<columns> ON t (c[, d])` for each foreign key of `table` that no
/// other index covers: not an indexed or unique column, not the leading columns of the primary
/// key, of a multi-column index or of a unique constraint.
pub(crate) fn foreign_key_indexes(d: &dyn Dialect, table: &Table) -> Vec<String> {
    let key: Vec<&str> = table.key_names().collect();
    // an index (or unique constraint, or the primary key) whose leading columns are the foreign
    // key's covers it
    let leads = |fk: &ForeignKey, columns: &[&str]| columns.starts_with(fk.columns);
    table
        .foreign_keys
        .iter()
        .filter(|fk| {
            let single = match fk.columns {
                [c] => table.column(c).is_some_and(|c| c.index || c.unique),
                _ => false,
            };
            let covered = table.indexes.iter().any(|i| leads(fk, i.columns))
                || table
                    .constraints
                    .iter()
                    .any(|k| matches!(k, Constraint::Unique { columns, .. } if leads(fk, columns)))
                || leads(fk, &key);
            !(single || covered)
        })
        .map(|fk| index(d, table, &table.index_name(fk.columns), fk.columns, false))
        .collect()
}

/// `DROP TABLE t`.
pub(crate) fn drop_table(d: &dyn Dialect, table: &Table) -> String {
    let mut sql = String::from("DROP TABLE ");
    d.ddl_ident(table.name, &mut sql);
    sql
}

fn ident_list(d: &dyn Dialect, idents: &[&str]) -> String {
    let mut s = String::new();
    for (i, c) in idents.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        d.ddl_ident(c, &mut s);
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
