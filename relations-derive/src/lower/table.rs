//! `#[model(unique(..), index(..), check(..))]`: table-level constraints and indexes, their
//! columns resolved against the model's.

use darling::error::Accumulator;
use darling::Error;

use super::util::sql_ident;
use crate::input::{CheckArg, ColumnsArg, ModelArgs, NameArg};
use crate::ir::*;
use crate::naming;

pub(super) fn table_args(errors: &mut Accumulator, model: &mut Model, args: &ModelArgs) {
    for u in &args.unique {
        misplaced(errors, "unique", u);
        let columns = columns(errors, model, "unique", u);
        let name = u.name.as_ref().map(|n| sql_ident(errors, n, "constraint"));
        model.constraints.push(TableConstraint::Unique { name, columns });
    }
    for c in &args.check {
        model.constraints.push(check(errors, c));
    }
    let indexes = args.index.iter().map(|i| ("index", i, false));
    for (attr, i, unique) in indexes.chain(args.unique_index.iter().map(|i| ("unique_index", i, true))) {
        misplaced(errors, attr, i);
        let columns = columns(errors, model, attr, i);
        // SQLAlchemy's default name: `ix_<table>_<first column>`
        let name = match &i.name {
            Some(n) => sql_ident(errors, n, "index"),
            None => SqlIdent {
                value: naming::index_name(&model.table.value, columns.first().map_or("", |c| c.value.as_str())),
                span: i.span,
            },
        };
        model.indexes.push(TableIndex { name, columns, unique, named: i.name.is_some() });
    }
    unique_names(errors, model);
    if let Some(name) = &args.soft_delete {
        let hint = "a field such as `deleted_at: Option<chrono::NaiveDateTime>`";
        model.soft_delete = named_column(errors, model, "soft_delete", name, hint, soft_delete_problem);
    }
    if let Some(name) = &args.tenant {
        let hint = "the column that says whose the row is, such as `org_id`";
        model.tenant = named_column(errors, model, "tenant", name, hint, tenant_problem);
    }
}

/// `soft_delete = deleted_at`: a nullable column, not part of the key; its type is checked
/// where the table is built (a date or a timestamp).
fn soft_delete_problem(c: &Column) -> Option<String> {
    if c.key {
        return Some(format!(
            "`{}` is part of the primary key: a soft delete cannot stamp it; name another column",
            c.field
        ));
    }
    (!c.nullable).then(|| {
        format!(
            "`{}` is not an `Option`: a soft delete column is NULL while the row is live; declare it `Option<chrono::NaiveDateTime>`",
            c.field
        )
    })
}

/// `tenant = org_id`: never NULL, every row is some tenant's.
fn tenant_problem(c: &Column) -> Option<String> {
    c.nullable.then(|| {
        format!(
            "`{}` is an `Option`: every row belongs to a tenant; declare the tenant column without `Option`",
            c.field
        )
    })
}

/// The position of the column `attr = name` names (a field, a foreign key's column, or a
/// column's name), when `problem` finds nothing wrong with it; otherwise the error, spanned at
/// the name.
fn named_column(
    errors: &mut Accumulator,
    model: &Model,
    attr: &str,
    name: &NameArg,
    hint: &str,
    problem: impl Fn(&Column) -> Option<String>,
) -> Option<usize> {
    let found = model.columns.iter().position(|c| c.field == name.value.as_str() || c.name.value == name.value);
    let problem = match found.map(|i| &model.columns[i]) {
        None => Some(format!("`{attr} = {}` names no column of `{}`; name {hint}", name.value, model.ident)),
        Some(c) => problem(c),
    };
    match problem {
        None => found,
        Some(p) => {
            errors.push(Error::custom(p).with_span(&name.span));
            None
        }
    }
}

/// Reports the items of a `unique(..)` / `index(..)` that are not a column string or `name`.
fn misplaced(errors: &mut Accumulator, attr: &str, arg: &ColumnsArg) {
    for (word, span) in &arg.misplaced {
        let message = if word == "unique" && attr == "index" {
            "a unique index is `unique_index(\"column_a\", \"column_b\")`".to_string()
        } else {
            format!(
                "`{attr}(...)` takes column names as strings and `name = \"...\"`: write `\"{word}\"` if `{word}` is a column (strings, as in SQLAlchemy's `UniqueConstraint('a', 'b')`)"
            )
        };
        errors.push(Error::custom(message).with_span(span));
    }
}

/// The columns of a `unique(..)` or `index(..)`, each one of the model's, none twice.
fn columns(errors: &mut Accumulator, model: &Model, attr: &str, arg: &ColumnsArg) -> Vec<SqlIdent> {
    if arg.columns.is_empty() && arg.misplaced.is_empty() {
        errors.push(
            Error::custom(format!("`{attr}(...)` needs its columns: write `{attr}(\"column_a\", \"column_b\")`"))
                .with_span(&arg.span),
        );
    }
    let mut out: Vec<SqlIdent> = Vec::new();
    for name in &arg.columns {
        if !resolve(errors, model, name) {
            continue;
        }
        if out.iter().any(|c| c.value == name.value) {
            errors.push(
                Error::custom(format!("column `{}` is named twice in `{attr}(...)`", name.value)).with_span(&name.span),
            );
            continue;
        }
        out.push(SqlIdent { value: name.value.clone(), span: name.span });
    }
    out
}

/// Whether `name` is a column of the model; reports it when it is not, naming the column a
/// field of that name has, or the closest column.
fn resolve(errors: &mut Accumulator, model: &Model, name: &NameArg) -> bool {
    if model.columns.iter().any(|c| c.name.value == name.value) {
        return true;
    }
    let all = model.columns.iter().map(|c| c.name.value.as_str()).collect::<Vec<_>>().join(", ");
    let message = match model.columns.iter().find(|c| c.field == name.value.as_str()) {
        Some(c) => format!(
            "`{}` is a field; its column is `{}`: table constraints and indexes name columns",
            name.value, c.name.value
        ),
        None => {
            let closest = naming::closest(&name.value, model.columns.iter().map(|c| c.name.value.as_str()))
                .map_or_else(|| ".".to_string(), |c| format!("; did you mean `{c}`?"));
            format!("table `{}` has no column `{}`{closest} Its columns are: {all}", model.table.value, name.value)
        }
    };
    errors.push(Error::custom(message).with_span(&name.span));
    false
}

fn check(errors: &mut Accumulator, c: &CheckArg) -> TableConstraint {
    let name = c.name.as_ref().map(|n| sql_ident(errors, n, "constraint"));
    let Some(sql) = &c.sql else {
        errors.push(
            Error::custom("`check(...)` needs its condition as SQL text: write `check(\"price > 0\")`")
                .with_span(&c.span),
        );
        return TableConstraint::Check { name, sql: String::new() };
    };
    if let Some(why) = malformed_condition(&sql.value()) {
        errors.push(Error::custom(format!("this `check` condition {why}")).with_span(sql));
    }
    TableConstraint::Check { name, sql: sql.value() }
}

/// Why `sql` cannot stand inside `CHECK (...)`: empty, a `;` or an unclosed quote or
/// parenthesis (outside quoted text), or a `)` that closes nothing.
fn malformed_condition(sql: &str) -> Option<String> {
    if sql.trim().is_empty() {
        return Some("is empty: write the SQL condition, like `check(\"price > 0\")`".into());
    }
    let (mut depth, mut quote) = (0usize, None::<char>);
    for ch in sql.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => return Some("has a `)` that closes nothing".into()),
            (None, ')') => depth -= 1,
            (None, ';') => return Some("has a `;`: it is one SQL condition, not statements".into()),
            _ => {}
        }
    }
    match (quote, depth) {
        (Some(q), _) => Some(format!("has an unclosed `{q}`")),
        (None, 0) => None,
        _ => Some("has an unclosed `(`".into()),
    }
}

/// No two indexes, and no two constraints, of a table share a name (counting the
/// `ix_<table>_<column>` of each `#[column(index)]`).
fn unique_names(errors: &mut Accumulator, model: &Model) {
    let mut seen: Vec<String> = model
        .columns
        .iter()
        .filter(|c| c.index)
        .map(|c| naming::index_name(&model.table.value, &c.name.value))
        .collect();
    // an index without columns is reported already
    for i in model.indexes.iter().filter(|i| !i.columns.is_empty()) {
        if seen.contains(&i.name.value) {
            let hint =
                if i.named { "" } else { " (the default name, after its first column); give it `name = \"...\"`" };
            errors.push(
                Error::custom(format!("table `{}` has two indexes named `{}`{hint}", model.table.value, i.name.value))
                    .with_span(&i.name.span),
            );
        }
        seen.push(i.name.value.clone());
    }
    let mut names: Vec<&str> = Vec::new();
    for c in &model.constraints {
        let (TableConstraint::Unique { name: Some(n), .. }
        | TableConstraint::Check { name: Some(n), .. }
        | TableConstraint::ExactlyOne { name: n, .. }) = c
        else {
            continue;
        };
        if names.contains(&n.value.as_str()) {
            errors.push(
                Error::custom(format!("table `{}` has two constraints named `{}`", model.table.value, n.value))
                    .with_span(&n.span),
            );
        }
        names.push(&n.value);
    }
}
