//! SQLite, rendered exactly as SQLAlchemy 2's SQLite dialect renders it.

use std::fmt::Write;

use super::Dialect;
use crate::schema::{SqlType, Table};

/// The SQLite dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

/// SQLAlchemy's reserved words for SQLite: identifiers it quotes in DDL.
const RESERVED: &[&str] = &[
    "add",
    "after",
    "all",
    "alter",
    "analyze",
    "and",
    "as",
    "asc",
    "attach",
    "autoincrement",
    "before",
    "begin",
    "between",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "false",
    "for",
    "foreign",
    "from",
    "full",
    "glob",
    "group",
    "having",
    "if",
    "ignore",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "match",
    "natural",
    "not",
    "notnull",
    "null",
    "of",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "plan",
    "pragma",
    "primary",
    "query",
    "raise",
    "references",
    "reindex",
    "rename",
    "replace",
    "restrict",
    "right",
    "rollback",
    "row",
    "select",
    "set",
    "table",
    "temp",
    "temporary",
    "then",
    "to",
    "transaction",
    "trigger",
    "true",
    "union",
    "unique",
    "update",
    "using",
    "vacuum",
    "values",
    "view",
    "virtual",
    "when",
    "where",
];

fn requires_quotes(ident: &str) -> bool {
    let lower = ident.to_ascii_lowercase();
    ident.is_empty()
        || RESERVED.binary_search(&lower.as_str()).is_ok()
        || ident.starts_with(|c: char| c.is_ascii_digit() || c == '$')
        || !ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        || lower != ident
}

fn type_name(t: SqlType, out: &mut String) {
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
        SqlType::Blob => out.push_str("BLOB"),
        SqlType::DateTime => out.push_str("DATETIME"),
        SqlType::Date => out.push_str("DATE"),
        SqlType::Time => out.push_str("TIME"),
        SqlType::Numeric(None) => out.push_str("NUMERIC"),
        SqlType::Numeric(Some((p, s))) => {
            let _ = write!(out, "NUMERIC({p}, {s})");
        }
    }
}

impl Dialect for Sqlite {
    fn quote(&self, ident: &str, out: &mut String) {
        out.push('"');
        if ident.contains('"') {
            out.push_str(&ident.replace('"', "\"\""));
        } else {
            out.push_str(ident);
        }
        out.push('"');
    }

    fn ddl_ident(&self, ident: &str, out: &mut String) {
        if requires_quotes(ident) {
            self.quote(ident, out);
        } else {
            out.push_str(ident);
        }
    }

    fn placeholder(&self, _n: usize, out: &mut String) {
        out.push('?');
    }

    fn in_bound_list(&self, _n: usize, out: &mut String) {
        // the `rarray` table-valued function (rusqlite's `array` module, loaded at open)
        out.push_str(" IN rarray(?)");
    }

    fn create_table(&self, table: &Table) -> String {
        // SQLAlchemy: "CREATE TABLE t (\n\tcol TYPE NOT NULL, \n\t...PRIMARY KEY (id), \n\t
        // UNIQUE (c), \n\tFOREIGN KEY(c) REFERENCES p (id)\n)"
        let mut items: Vec<String> = Vec::new();
        for c in table.columns {
            let mut s = String::new();
            self.ddl_ident(c.name, &mut s);
            s.push(' ');
            type_name(c.sql_type, &mut s);
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
            items.push(s);
        }
        let pk: Vec<&str> = table.primary_key().map(|c| c.name).collect();
        if !pk.is_empty() {
            items.push(format!("PRIMARY KEY ({})", self.ident_list(&pk)));
        }
        for c in table.columns.iter().filter(|c| c.unique && !c.index) {
            items.push(format!("UNIQUE ({})", self.ident_list(&[c.name])));
        }
        for fk in table.foreign_keys {
            let mut s = String::from("FOREIGN KEY(");
            self.ddl_ident(fk.column, &mut s);
            s.push_str(") REFERENCES ");
            self.ddl_ident(fk.references, &mut s);
            s.push_str(" (");
            self.ddl_ident(fk.target_column, &mut s);
            s.push(')');
            if let Some(action) = fk.on_delete.sql() {
                s.push_str(" ON DELETE ");
                s.push_str(action);
            }
            items.push(s);
        }
        let mut sql = String::from("CREATE TABLE ");
        self.ddl_ident(table.name, &mut sql);
        sql.push_str(" (\n\t");
        sql.push_str(&items.join(", \n\t"));
        sql.push_str("\n)");
        sql
    }

    fn foreign_keys_sql(&self) -> &'static str {
        // a plain association table: as many key columns as columns, each a foreign key
        "SELECT m.\"name\", f.\"id\", f.\"table\", f.\"from\", f.\"to\", f.\"on_delete\", c.\"notnull\", \
         (SELECT count(*) FROM pragma_table_info(m.\"name\")) \
           = (SELECT count(*) FROM pragma_table_info(m.\"name\") WHERE \"pk\" > 0) \
         AND (SELECT count(*) FROM pragma_table_info(m.\"name\")) \
           = (SELECT count(*) FROM pragma_foreign_key_list(m.\"name\")) \
         FROM \"sqlite_master\" AS m \
         JOIN pragma_foreign_key_list(m.\"name\") AS f \
         JOIN pragma_table_info(m.\"name\") AS c ON c.\"name\" = f.\"from\" \
         WHERE m.\"type\" = 'table' \
         ORDER BY m.\"name\", f.\"id\", f.\"seq\""
    }

    fn create_indexes(&self, table: &Table) -> Vec<String> {
        table
            .columns
            .iter()
            .filter(|c| c.index)
            .map(|c| {
                let mut sql = String::from(if c.unique { "CREATE UNIQUE INDEX " } else { "CREATE INDEX " });
                self.ddl_ident(&format!("ix_{}_{}", table.name, c.name), &mut sql);
                sql.push_str(" ON ");
                self.ddl_ident(table.name, &mut sql);
                sql.push_str(" (");
                self.ddl_ident(c.name, &mut sql);
                sql.push(')');
                sql
            })
            .collect()
    }

    fn drop_table(&self, table: &Table) -> String {
        let mut sql = String::from("DROP TABLE ");
        self.ddl_ident(table.name, &mut sql);
        sql
    }

    fn table_names_sql(&self) -> &'static str {
        "SELECT \"name\" FROM \"sqlite_master\" WHERE \"type\" = 'table'"
    }

    fn table_columns_sql(&self) -> &'static str {
        "SELECT \"name\", \"type\", \"notnull\", \"pk\" FROM pragma_table_info(?)"
    }

    fn column_type(&self, column: &crate::schema::ColumnDef) -> String {
        let mut s = String::new();
        type_name(column.sql_type, &mut s);
        s
    }

    fn begin(&self) -> &'static str {
        // IMMEDIATE: take the write lock up front, so that a read-then-write transaction
        // waits for other writers (busy timeout) instead of failing at its first write
        "BEGIN IMMEDIATE"
    }

    fn returns_keys(&self) -> bool {
        false
    }

    fn row_id(&self) -> &'static str {
        "rowid"
    }

    fn limit_offset(&self, limit: Option<usize>, offset: Option<usize>, out: &mut String) {
        match limit {
            Some(n) => {
                out.push_str("LIMIT ");
                self.placeholder(n, out);
            }
            // SQLite needs a LIMIT before an OFFSET; -1 means none
            None => out.push_str("LIMIT -1"),
        }
        if let Some(n) = offset {
            out.push_str(" OFFSET ");
            self.placeholder(n, out);
        }
    }
}

impl Sqlite {
    fn ident_list(&self, idents: &[&str]) -> String {
        let mut s = String::new();
        for (i, c) in idents.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            self.ddl_ident(c, &mut s);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_for_binary_search() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn quotes_like_sqlalchemy() {
        assert!(requires_quotes("order"));
        assert!(requires_quotes("Order"));
        assert!(requires_quotes("1st"));
        assert!(requires_quotes("weird name"));
        assert!(!requires_quotes("user"));
        assert!(!requires_quotes("user_profile"));
    }

    #[test]
    fn dml_quoting_escapes_quotes() {
        let mut s = String::new();
        Sqlite.quote("a\"b", &mut s);
        assert_eq!(s, "\"a\"\"b\"");
    }
}
