//! Rules that span several fields, one function per rule.

use darling::error::Accumulator;
use darling::Error;

use crate::ir::{ColumnValue, Model};
use crate::types::last_ident;

/// Runs every model-wide rule.
pub fn model(errors: &mut Accumulator, model: &mut Model) {
    primary_key(errors, model);
    unique_column_names(errors, model);
    unique_accessor_names(errors, model);
}

// Rule: a model has a primary key: the `#[key]` fields, or else a column field named `id`.
// One `i64` key column is assigned by SQLite on insert (an "auto key").
fn primary_key(errors: &mut Accumulator, model: &mut Model) {
    if model.columns.iter().all(|c| !c.key) {
        match model.columns.iter_mut().find(|c| c.field == "id" && matches!(c.value, ColumnValue::Plain)) {
            Some(id) if id.nullable => errors.push(
                Error::custom("the primary key `id` cannot be NULL: declare it `id: i64`, not an `Option`")
                    .with_span(&id.field),
            ),
            Some(id) => id.key = true,
            None => {
                errors.push(Error::custom(format!(
                    "`{}` has no primary key: add a field `id: i64` (assigned on insert), or mark the key fields with `#[key]`",
                    model.ident
                ))
                .with_span(&model.ident));
                return;
            }
        }
    }
    let keys: Vec<_> = model.keys().collect();
    model.auto_key = keys.len() == 1
        && matches!(keys[0].value, ColumnValue::Plain)
        && last_ident(&keys[0].ty).is_some_and(|i| i == "i64");
}

// Rule: column names are unique within the table (two `belongs_to` to one parent must name
// their columns).
fn unique_column_names(errors: &mut Accumulator, model: &Model) {
    for (i, c) in model.columns.iter().enumerate() {
        if let Some(first) = model.columns[..i].iter().find(|p| p.name.value == c.name.value) {
            let fix = match c.value {
                ColumnValue::ForeignKey { .. } => {
                    format!("; name this foreign key, like `#[belongs_to(..., column = {}_id)]`", c.field)
                }
                ColumnValue::Plain => "; rename one with `#[column(name = ...)]`".to_string(),
            };
            errors.push(
                Error::custom(format!(
                    "column `{}` is declared twice in table `{}` (by `{}` and `{}`){fix}",
                    c.name.value, model.table.value, first.field, c.field
                ))
                .with_span(&c.name.span),
            );
        }
    }
}

// Rule: the accessors generated on one type do not collide (a backref named like a field).
fn unique_accessor_names(errors: &mut Accumulator, model: &Model) {
    for (i, r) in model.relations.iter().enumerate() {
        let owner = &r.owner.segments.last().expect("non-empty path").ident;
        if model.relations[..i]
            .iter()
            .any(|p| p.name == r.name && p.owner.segments.last().expect("non-empty path").ident == *owner)
        {
            errors.push(
                Error::custom(format!("`{owner}` would get two relationship accessors named `{}`; rename one", r.name))
                    .with_span(&r.name),
            );
        }
    }
}
