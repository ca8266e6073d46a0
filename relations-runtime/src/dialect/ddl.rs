//! DDL as SQLAlchemy's `create_all` renders it, the same shape on every dialect: only the
//! column types and the identifiers' quoting differ, and the [`Dialect`] gives those.

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
