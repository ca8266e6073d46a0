//! Reading a SQLite database's schema: its `pragma_*` table functions and `sqlite_master`.

use crate::backend::catalog::{column, is_bookkeeping, on_delete, table_items, text_rows};
use crate::backend::connection::Run;
use crate::dialect::Sqlite;
use crate::schema::catalog::{Constraint, ForeignKey, Index, Table};
use crate::schema::error::Result;
use crate::schema::value::Value;

/// Every table of the database (but the bookkeeping tables), in creation order.
pub(crate) fn tables(run: Run<'_>) -> Result<Vec<Table>> {
    let names = text_rows(
        run,
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY rowid",
        &[],
        2,
    )?;
    let mut tables = Vec::new();
    for row in names.iter().filter(|r| !is_bookkeeping(&r[0])) {
        let (name, sql) = (&row[0], &row[1]);
        let t = [Value::Text(name.as_str().into())];
        let cols = text_rows(run, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", &t, 4)?;
        let mut columns = Vec::new();
        let mut key: Vec<(i64, String)> = Vec::new();
        for c in &cols {
            let pk: i64 = c[3].parse().unwrap_or(0);
            let mut col = column(&Sqlite, &c[0], &c[1], c[2] == "1");
            if pk > 0 {
                // no key column of a model is nullable (SQLite's INTEGER PRIMARY KEY never is)
                col.nullable = false;
                key.push((pk, c[0].clone()));
            }
            columns.push(col);
        }
        key.sort();
        let primary_key: Vec<String> = key.into_iter().map(|(_, c)| c).collect();
        let auto_key =
            matches!(&primary_key[..], [k] if cols.iter().any(|c| &c[0] == k && c[1].eq_ignore_ascii_case("INTEGER")));

        // foreign keys: SQLite numbers them from the last declared
        let fk_rows = text_rows(
            run,
            "SELECT id, \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) ORDER BY id DESC, seq",
            &t,
            5,
        )?;
        let mut foreign_keys: Vec<(String, ForeignKey)> = Vec::new();
        for r in &fk_rows {
            match foreign_keys.last_mut() {
                Some((id, fk)) if *id == r[0] => {
                    fk.columns.push(r[2].clone());
                    fk.target_columns.push(r[3].clone());
                }
                _ => foreign_keys.push((
                    r[0].clone(),
                    ForeignKey {
                        columns: vec![r[2].clone()],
                        references: r[1].clone(),
                        target_columns: vec![r[3].clone()],
                        on_delete: on_delete(&r[4]),
                        name: None,
                    },
                )),
            }
        }
        let mut foreign_keys: Vec<ForeignKey> = foreign_keys.into_iter().map(|(_, fk)| fk).collect();
        // `REFERENCES parent` without columns names the parent's primary key
        for fk in &mut foreign_keys {
            if fk.target_columns.iter().any(String::is_empty) {
                let target = [Value::Text(fk.references.as_str().into())];
                fk.target_columns =
                    text_rows(run, "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", &target, 1)?
                        .into_iter()
                        .map(|mut r| r.remove(0))
                        .collect();
            }
        }

        let declared = table_items(sql);
        // every index of the table with its columns, in one statement: (name, origin, column)
        let mut index_columns: Vec<(String, String, Vec<String>)> = Vec::new();
        let sql =
            "SELECT il.name, il.origin, ii.name FROM pragma_index_list(?) AS il, pragma_index_info(il.name) AS ii \
                   ORDER BY il.name, ii.seqno";
        for r in text_rows(run, sql, &t, 3)? {
            match index_columns.last_mut() {
                Some((index, _, columns)) if *index == r[0] => columns.push(r[2].clone()),
                _ => index_columns.push((r[0].clone(), r[1].clone(), vec![r[2].clone()])),
            }
        }
        let columns_of = |index: &str| {
            index_columns.iter().find(|(n, _, _)| n == index).map(|(_, _, c)| c.clone()).unwrap_or_default()
        };
        // UNIQUE constraints are the automatic indexes of origin `u`, numbered in declaration order
        let mut uniques: Vec<&str> =
            index_columns.iter().filter(|(_, origin, _)| origin == "u").map(|(n, _, _)| n.as_str()).collect();
        uniques.sort_by_key(|n| n.rsplit('_').next().and_then(|d| d.parse::<u32>().ok()).unwrap_or(0));
        let mut constraints = Vec::new();
        for index in uniques {
            let columns = columns_of(index);
            let name = declared.iter().find_map(|d| match d {
                Constraint::Unique { name: Some(n), columns: cs } if *cs == columns => Some(n.clone()),
                _ => None,
            });
            constraints.push(Constraint::Unique { name, columns });
        }
        constraints.extend(declared.into_iter().filter(|d| matches!(d, Constraint::Check { .. })));

        // the indexes created by CREATE INDEX, in the order they were
        let index_rows = text_rows(
            run,
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid",
            &t,
            2,
        )?;
        let indexes = index_rows
            .into_iter()
            .map(|r| {
                let unique = r[1].trim_start().to_ascii_uppercase().starts_with("CREATE UNIQUE");
                Index { columns: columns_of(&r[0]), name: r[0].clone(), unique }
            })
            .collect();
        let mut table =
            Table { name: name.clone(), columns, primary_key, auto_key, foreign_keys, constraints, indexes };
        table.column_uniques();
        tables.push(table);
    }
    Ok(tables)
}
