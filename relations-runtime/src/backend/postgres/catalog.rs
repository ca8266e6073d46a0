//! Reading a PostgreSQL database's schema (its current schema) from `pg_catalog`.

use crate::backend::catalog::{
    add_foreign_key_column, column, grouped_indexes, inner, is_bookkeeping, text_rows, unwrap_parens,
};
use crate::backend::connection::Run;
use crate::dialect::Postgres;
use crate::schema::catalog::{Column, Constraint, ForeignKey, Table};
use crate::schema::error::Result;
use crate::schema::value::Value;

/// Every table of the current schema (but the bookkeeping tables), in creation order.
pub(crate) fn tables(run: Run<'_>) -> Result<Vec<Table>> {
    let names = text_rows(
        run,
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.oid",
        &[],
        1,
    )?;
    let mut tables = Vec::new();
    for name in names.into_iter().map(|mut r| r.remove(0)).filter(|n| !is_bookkeeping(n)) {
        let t = [Value::Text(name.as_str().into())];
        const TABLE: &str = "(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n \
             ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = $1)";
        let cols = text_rows(
            run,
            &format!(
                "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull::int4::text, \
                   (a.attidentity <> '' OR coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%')::int4::text \
                 FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d \
                   ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                 WHERE a.attrelid = {TABLE} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
            ),
            &t,
            4,
        )?;
        let mut columns: Vec<Column> = cols.iter().map(|c| column(&Postgres, &c[0], &c[1], c[2] == "1")).collect();
        // one row per column of each constraint, in the constraint's column order
        let cons = text_rows(
            run,
            &format!(
                "SELECT con.conname, con.contype::text, a.attname, coalesce(r.relname, ''), coalesce(ra.attname, ''), \
                   con.confdeltype::text, pg_catalog.pg_get_constraintdef(con.oid) \
                 FROM pg_catalog.pg_constraint con \
                 CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) \
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum \
                 LEFT JOIN pg_catalog.pg_class r ON r.oid = con.confrelid \
                 LEFT JOIN pg_catalog.pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[k.ord] \
                 WHERE con.conrelid = {TABLE} ORDER BY con.oid, k.ord"
            ),
            &t,
            7,
        )?;
        let mut primary_key = Vec::new();
        let mut foreign_keys: Vec<(String, ForeignKey)> = Vec::new();
        let mut constraints: Vec<Constraint> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for r in &cons {
            let (con, kind, col) = (&r[0], r[1].as_str(), &r[2]);
            let first = !seen.contains(con);
            if first {
                seen.push(con.clone());
            }
            match kind {
                "p" => primary_key.push(col.clone()),
                "f" => {
                    let action = match r[5].as_str() {
                        "c" => "CASCADE",
                        "n" => "SET NULL",
                        "r" => "RESTRICT",
                        _ => "",
                    };
                    add_foreign_key_column(&mut foreign_keys, con, col, &r[3], &r[4], action)
                }
                "u" if first => {
                    constraints.push(Constraint::Unique { name: Some(con.clone()), columns: vec![col.clone()] })
                }
                "u" => {
                    if let Some(Constraint::Unique { columns, .. }) = constraints.last_mut() {
                        columns.push(col.clone());
                    }
                }
                "c" if first => {
                    let def = r[6].trim();
                    let sql = unwrap_parens(def.strip_prefix("CHECK ").map(inner).unwrap_or(def).trim()).to_string();
                    constraints.push(Constraint::Check { name: Some(con.clone()), sql });
                }
                _ => {}
            }
        }
        // the names PostgreSQL gives unnamed constraints are not declared names
        for c in &mut constraints {
            let default = match c {
                Constraint::Unique { columns, .. } => vec![format!("{name}_{}_key", columns.join("_"))],
                Constraint::Check { .. } => vec![format!("{name}_check")],
                Constraint::ExactlyOne { .. } => vec![],
            };
            let generated = |n: &str| {
                default.iter().any(|d| d.get(..63).unwrap_or(d) == n)
                    || (matches!(c, Constraint::Check { .. })
                        && n.starts_with(&format!("{name}_"))
                        && n.trim_end_matches(|d: char| d.is_ascii_digit()).ends_with("_check"))
            };
            let is_generated = c.name().is_some_and(generated);
            if is_generated {
                if let Constraint::Unique { name, .. } | Constraint::Check { name, .. } = c {
                    *name = None;
                }
            }
        }
        let auto_key = matches!(&primary_key[..], [k] if cols.iter().any(|c| &c[0] == k && c[3] == "1"));
        for c in &mut columns {
            if primary_key.contains(&c.name) {
                c.nullable = false;
            }
        }
        let index_rows = text_rows(
            run,
            &format!(
                "SELECT ic.relname, i.indisunique::int4::text, a.attname \
                 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
                 CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                 WHERE i.indrelid = {TABLE} AND NOT i.indisprimary \
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid) \
                 ORDER BY i.indexrelid, k.ord"
            ),
            &t,
            3,
        )?;
        let indexes = grouped_indexes(index_rows);
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
