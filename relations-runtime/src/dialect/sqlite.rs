//! SQLite, rendered exactly as SQLAlchemy 2's SQLite dialect renders it.

use super::common::{Dialect, Placement, TextTest, Writer};
use crate::schema::value::Value;
use crate::schema::SqlType;

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

fn type_name(t: SqlType, out: &mut String) {
    super::common::ddl::common_type_name(t, ["BLOB", "DATETIME", "TIME", "CHAR(32)", "TEXT"], out);
}

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    /// With case, SQLite's `LIKE` would ignore it for ASCII letters: `GLOB` keeps it, the
    /// pattern's `*`, `?` and `[` bracketed to stand for themselves.
    fn holds(&self, term: Writer<'_>, test: TextTest<'_>, sql: &mut String, params: &mut Vec<Value<'static>>) {
        let TextTest { text, at, ignore_case } = test;
        if ignore_case {
            return super::common::holds_by_like(self, term, test, sql, params);
        }
        let mut pattern = String::with_capacity(text.len() + 2);
        if at != Placement::Start {
            pattern.push('*');
        }
        for c in text.chars() {
            match c {
                '*' => pattern.push_str("[*]"),
                '?' => pattern.push_str("[?]"),
                '[' => pattern.push_str("[[]"),
                c => pattern.push(c),
            }
        }
        if at != Placement::End {
            pattern.push('*');
        }
        term(sql, params);
        sql.push_str(" GLOB ");
        params.push(Value::Text(pattern.into()));
        self.placeholder(params.len(), sql);
    }

    fn reserved_words(&self) -> &'static [&'static str] {
        RESERVED
    }

    fn placeholder(&self, _n: usize, out: &mut String) {
        out.push('?');
    }

    fn in_bound_list(&self, _n: usize, out: &mut String) {
        // the `rarray` table-valued function (rusqlite's `array` module, loaded at open)
        out.push_str(" IN rarray(?)");
    }

    fn ddl_type(&self, sql_type: SqlType, _auto_key: bool) -> String {
        // SQLite's INTEGER PRIMARY KEY is the rowid: it needs no SERIAL
        let mut s = String::new();
        type_name(sql_type, &mut s);
        s
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

    fn table_names_sql(&self) -> &'static str {
        "SELECT \"name\" FROM \"sqlite_master\" WHERE \"type\" = 'table'"
    }

    fn table_columns_sql(&self) -> &'static str {
        "SELECT \"name\", \"type\", \"notnull\", \"pk\" FROM pragma_table_info(?)"
    }

    fn catalog_type(&self, sql_type: SqlType) -> String {
        let mut s = String::new();
        type_name(sql_type, &mut s);
        s
    }

    fn trigger_test(&self, n: usize, out: &mut String) {
        out.push_str("EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ");
        self.placeholder(n, out);
        out.push(')');
    }

    fn rebuilds_tables(&self) -> bool {
        true
    }

    fn foreign_key_switch(&self) -> Option<(&'static str, &'static str)> {
        Some(("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"))
    }

    fn foreign_key_check(&self) -> Option<&'static str> {
        Some("PRAGMA foreign_key_check")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn requires_quotes(ident: &str) -> bool {
        super::super::common::ddl::requires_quotes(ident, RESERVED)
    }

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
