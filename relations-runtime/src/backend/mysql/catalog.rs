//! Reading a MariaDB (or MySQL) database's schema — the connection's current database — from
//! `information_schema`.

use crate::backend::catalog::{
    add_foreign_key_column, column, grouped_indexes, is_bookkeeping, text_rows, unwrap_parens,
};
use crate::backend::connection::Run;
use crate::dialect::Dialect;
use crate::schema::catalog::{Constraint, ForeignKey, Table};
use crate::schema::error::Result;
use crate::schema::value::Value;

/// Whether `name` is one the server made up for an unnamed constraint or index on `first`
/// (its first column): the column's name, with `_2`, `_3`... when taken; `CONSTRAINT_1`... for
/// a table's `CHECK`.
fn generated(name: &str, first: &str) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|n| n.strip_prefix('_'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    name == first || numbered(first) || numbered("CONSTRAINT")
}

/// Every table of the current database (but the bookkeeping tables), in creation order.
pub(crate) fn tables(dialect: &dyn Dialect, run: Run<'_>) -> Result<Vec<Table>> {
    let names = text_rows(
        run,
        // InnoDB numbers its tables as they are created (CREATE_TIME counts whole seconds)
        "SELECT t.TABLE_NAME FROM information_schema.TABLES t LEFT JOIN information_schema.INNODB_SYS_TABLES i \
           ON i.NAME = concat(t.TABLE_SCHEMA, '/', t.TABLE_NAME) \
         WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' \
         ORDER BY i.TABLE_ID, t.CREATE_TIME, t.TABLE_NAME",
        &[],
        1,
    )?;
    let mut tables = Vec::new();
    for name in names.into_iter().map(|mut r| r.remove(0)).filter(|n| !is_bookkeeping(n)) {
        let t = [Value::Text(name.as_str().into())];
        let cols = text_rows(
            run,
            "SELECT COLUMN_NAME, COLUMN_TYPE, IF(IS_NULLABLE = 'NO', '1', '0'), \
               IF(EXTRA LIKE '%auto_increment%', '1', '0') \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
             ORDER BY ORDINAL_POSITION",
            &t,
            4,
        )?;
        let mut columns: Vec<_> = cols.iter().map(|c| column(dialect, &c[0], &c[1], c[2] == "1")).collect();
        // every key and constraint's columns, in order: (name, kind, column, referenced table,
        // referenced column, ON DELETE)
        let keys = text_rows(
            run,
            "SELECT c.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, k.COLUMN_NAME, coalesce(k.REFERENCED_TABLE_NAME, ''), \
               coalesce(k.REFERENCED_COLUMN_NAME, ''), IF(r.DELETE_RULE = 'RESTRICT', '', coalesce(r.DELETE_RULE, '')) \
             FROM information_schema.TABLE_CONSTRAINTS c \
             JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA \
               AND k.TABLE_NAME = c.TABLE_NAME AND k.CONSTRAINT_NAME = c.CONSTRAINT_NAME \
             LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA \
               AND r.TABLE_NAME = c.TABLE_NAME AND r.CONSTRAINT_NAME = c.CONSTRAINT_NAME \
             WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ? \
             ORDER BY c.CONSTRAINT_TYPE = 'PRIMARY KEY' DESC, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            &t,
            6,
        )?;
        let mut primary_key = Vec::new();
        let mut foreign_keys: Vec<(String, ForeignKey)> = Vec::new();
        let mut uniques: Vec<(String, Vec<String>)> = Vec::new();
        for r in &keys {
            let (con, kind, col) = (&r[0], r[1].as_str(), &r[2]);
            match kind {
                "PRIMARY KEY" => primary_key.push(col.clone()),
                "FOREIGN KEY" => add_foreign_key_column(&mut foreign_keys, con, col, &r[3], &r[4], &r[5]),
                "UNIQUE" => match uniques.iter_mut().find(|(n, _)| n == con) {
                    Some((_, cs)) => cs.push(col.clone()),
                    None => uniques.push((con.clone(), vec![col.clone()])),
                },
                _ => {}
            }
        }
        // a unique index and a UNIQUE constraint are one thing to InnoDB: a unique key named
        // as indexes are (`ix_...`) reads back as an index, any other as a constraint
        uniques.retain(|(n, cs)| !n.starts_with("ix_") || generated(n, &cs[0]));
        let mut constraints: Vec<Constraint> = uniques
            .iter()
            .map(|(n, cs)| Constraint::Unique { name: (!generated(n, &cs[0])).then(|| n.clone()), columns: cs.clone() })
            .collect();
        let checks = text_rows(
            run,
            "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME",
            &t,
            2,
        )?;
        for r in checks {
            let name = (!generated(&r[0], "") && !columns.iter().any(|c| c.name == r[0])).then(|| r[0].clone());
            // MariaDB writes back its own spelling: `octet_length` for `length` (which it is there)
            let sql = unwrap_parens(&r[1]).replace('`', "").replace("octet_length(", "length(");
            constraints.push(Constraint::Check { name, sql });
        }
        let auto_key = matches!(&primary_key[..], [k] if cols.iter().any(|c| &c[0] == k && c[3] == "1"));
        for c in &mut columns {
            if primary_key.contains(&c.name) {
                c.nullable = false;
            }
        }
        // the indexes made by CREATE INDEX: not the key's, a constraint's, or the one the
        // server adds for a foreign key
        let index_rows = text_rows(
            run,
            "SELECT INDEX_NAME, IF(NON_UNIQUE = 0, '1', '0'), COLUMN_NAME FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' \
             ORDER BY INDEX_NAME, SEQ_IN_INDEX",
            &t,
            3,
        )?;
        let mut indexes = grouped_indexes(index_rows);
        indexes.retain(|i| {
            let of_constraint = uniques.iter().any(|(n, _)| *n == i.name);
            let of_foreign_key = foreign_keys.iter().any(|(n, fk)| {
                *n == i.name || (!i.unique && fk.columns == i.columns && generated(&i.name, &fk.columns[0]))
            });
            !of_constraint && !of_foreign_key
        });
        let mut table = Table {
            name,
            columns,
            primary_key,
            auto_key,
            foreign_keys: foreign_keys.into_iter().map(|(_, fk)| fk).collect(),
            constraints,
            indexes,
        };
        table.column_uniques();
        tables.push(table);
    }
    Ok(tables)
}
