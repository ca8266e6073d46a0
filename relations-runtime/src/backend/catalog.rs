//! What the backends' catalog readers share: running a catalog query into rows of text, a
//! column from its catalog row, and the pieces of SQL text some catalogs report constraints in.

use super::connection::Run;
use crate::dialect::Dialect;
use crate::schema::catalog::{Column, Constraint, ForeignKey, Index, BOOKKEEPING_TABLES};
use crate::schema::error::Result;
use crate::schema::value::Value;
use crate::schema::OnDelete;

pub(crate) fn on_delete(action: &str) -> OnDelete {
    match action.to_ascii_uppercase().as_str() {
        "CASCADE" => OnDelete::Cascade,
        "SET NULL" => OnDelete::SetNull,
        "RESTRICT" => OnDelete::Restrict,
        // SQLite reports NO ACTION for no clause: the two behave alike
        _ => OnDelete::Unset,
    }
}

/// The rows of `sql`, each as its first `columns` cells in text (NULL as empty).
pub(crate) fn text_rows(run: Run<'_>, sql: &str, params: &[Value<'_>], columns: usize) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    run(sql, params, &mut |row| {
        let mut r = Vec::with_capacity(columns);
        for i in 0..columns {
            // SQLite's pragmas report numbers as integers
            let cell = match row.text(i) {
                Ok(t) => t.unwrap_or_default(),
                Err(_) => row.int(i)?.to_string(),
            };
            r.push(cell);
        }
        rows.push(r);
        Ok(())
    })?;
    Ok(rows)
}

pub(crate) fn column(dialect: &dyn Dialect, name: &str, ty: &str, not_null: bool) -> Column {
    let (sql_type, exact) = dialect.parse_type(ty);
    Column {
        name: name.to_string(),
        sql_type,
        declared_type: (!exact).then(|| ty.to_string()),
        nullable: !not_null,
        unique: false,
    }
}

pub(crate) fn is_bookkeeping(name: &str) -> bool {
    BOOKKEEPING_TABLES.contains(&name)
}

/// The named `UNIQUE` constraints and every `CHECK` of a `CREATE TABLE` statement's text (which
/// SQLite keeps as written, and reports no other way), in declaration order.
pub(crate) fn table_items(sql: &str) -> Vec<Constraint> {
    let Some(open) = sql.find('(') else { return Vec::new() };
    let body = &sql[open + 1..];
    let mut out = Vec::new();
    for item in split_top(body, ',') {
        let words = split_top(&item, ' ');
        let mut words = words.iter().map(String::as_str).filter(|w| !w.is_empty()).peekable();
        let mut name = None;
        let first = words.peek().map(|w| w.to_ascii_uppercase());
        if first.as_deref() == Some("CONSTRAINT") {
            words.next();
            name = words.next().map(unquote);
        }
        let rest: Vec<&str> = words.collect();
        let upper: Vec<String> = rest.iter().map(|w| w.to_ascii_uppercase()).collect();
        match upper.first().map(String::as_str) {
            Some("UNIQUE") if name.is_some() => {
                let list = rest[1..].concat();
                let columns = inner(&list).split(',').map(|c| unquote(c.trim())).collect();
                out.push(Constraint::Unique { name, columns });
            }
            Some("CHECK") => out.push(Constraint::Check { name, sql: inner(&rest[1..].join(" ")).trim().to_string() }),
            // a column's own CHECK
            _ => {
                if let Some(at) = upper.iter().position(|w| w == "CHECK" || w.starts_with("CHECK(")) {
                    let tail = rest[at..].join(" ");
                    out.push(Constraint::Check { name: None, sql: inner(&tail["CHECK".len()..]).trim().to_string() });
                }
            }
        }
    }
    out
}

/// `s` without parentheses around the whole of it (PostgreSQL writes `(price > 0)`).
#[cfg_attr(not(any(feature = "postgres", feature = "mariadb")), allow(dead_code))]
pub(crate) fn unwrap_parens(s: &str) -> &str {
    let mut s = s.trim();
    while s.starts_with('(') && s.ends_with(')') && inner(s).len() == s.len() - 2 {
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// What the first parenthesis of `s` encloses.
pub(crate) fn inner(s: &str) -> &str {
    let Some(open) = s.find('(') else { return s };
    let mut depth = 0;
    for (i, ch) in s[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &s[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    &s[open + 1..]
}

/// `s` split at `sep` outside parentheses and quotes, up to the parenthesis closing the list.
pub(crate) fn split_top(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let (mut depth, mut quote) = (0i32, None::<char>);
    for ch in s.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`' | '[') => quote = Some(if ch == '[' { ']' } else { ch }),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => break,
            (None, ')') => depth -= 1,
            (None, c) if depth == 0 && (c == sep || (sep == ' ' && c.is_whitespace())) => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        parts.last_mut().expect("never empty").push(ch);
    }
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// An identifier without its quotes.
pub(crate) fn unquote(s: &str) -> String {
    let s = s.trim();
    match (s.chars().next(), s.chars().last()) {
        (Some('"'), Some('"')) | (Some('`'), Some('`')) | (Some('['), Some(']')) if s.len() >= 2 => {
            s[1..s.len() - 1].replace("\"\"", "\"")
        }
        _ => s.to_string(),
    }
}

/// Indexes from catalog rows `(name, unique as "1"/"0", column)`, each index's rows together
/// and in column order.
#[cfg_attr(not(any(feature = "postgres", feature = "mariadb")), allow(dead_code))]
pub(crate) fn grouped_indexes(rows: Vec<Vec<String>>) -> Vec<Index> {
    let mut indexes: Vec<Index> = Vec::new();
    for r in rows {
        match indexes.last_mut() {
            Some(i) if i.name == r[0] => i.columns.push(r[2].clone()),
            _ => indexes.push(Index { name: r[0].clone(), columns: vec![r[2].clone()], unique: r[1] == "1" }),
        }
    }
    indexes
}

/// Adds one column of the foreign key named `name` (`column` referencing `references`
/// `(target)`, with `ON DELETE` `action` as SQL spells it) to `keys`, by name.
#[cfg_attr(not(any(feature = "postgres", feature = "mariadb")), allow(dead_code))]
pub(crate) fn add_foreign_key_column(
    keys: &mut Vec<(String, ForeignKey)>,
    name: &str,
    column: &str,
    references: &str,
    target: &str,
    action: &str,
) {
    match keys.iter_mut().find(|(n, _)| n == name) {
        Some((_, fk)) => {
            fk.columns.push(column.to_string());
            fk.target_columns.push(target.to_string());
        }
        None => keys.push((
            name.to_string(),
            ForeignKey {
                columns: vec![column.to_string()],
                references: references.to_string(),
                target_columns: vec![target.to_string()],
                on_delete: on_delete(action),
                name: Some(name.to_string()),
            },
        )),
    }
}
