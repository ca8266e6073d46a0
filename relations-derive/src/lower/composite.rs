//! `#[belongs_to(P, columns("a", "b"))]`: a foreign key of several columns, to a model whose key
//! is composite (an association object as a parent).

use darling::error::Accumulator;
use darling::Error;
use syn::Type;

use super::util::{sql_ident, type_str};
use crate::input::{BelongsToArgs, ColumnsArg};
use crate::ir::{FkSource, Model, RelationKind, SqlIdent};

/// The columns of a composite foreign key, checked; the options it does not take are reported.
pub(super) fn columns(
    errors: &mut Accumulator,
    args: &BelongsToArgs,
    given: &ColumnsArg,
    nullable: bool,
    parent: &Type,
) -> Vec<SqlIdent> {
    let refuse = |errors: &mut Accumulator, span: proc_macro2::Span, message: String| {
        errors.push(Error::custom(message).with_span(&span));
    };
    for (word, span) in &given.misplaced {
        refuse(
            errors,
            *span,
            format!("`columns(...)` takes the column names as strings, in the order of the parent's key: write `\"{word}\"`"),
        );
    }
    if let Some(name) = &given.name {
        refuse(errors, name.span, "`columns(...)` takes column names only, no `name`".into());
    }
    if given.columns.len() < 2 {
        refuse(
            errors,
            given.span,
            "`columns(...)` is a composite foreign key, of two columns or more, in the order of the parent's key; for one column write `column = ...`".into(),
        );
    }
    if let Some(c) = &args.column {
        refuse(
            errors,
            c.span,
            "give the foreign key as `column = ...` (one column) or `columns(...)` (several), not both".into(),
        );
    }
    if nullable {
        errors.push(
            Error::custom(format!(
                "a composite foreign key is NOT NULL: write `BelongsTo<{}>` (a nullable one is not supported)",
                type_str(crate::types::wrapped(parent, "Option").unwrap_or(parent))
            ))
            .with_span(parent),
        );
    }
    // what a composite foreign key does not take (yet), each with the way to say it instead
    let unsupported: [(bool, &str); 5] = [
        (args.unique.is_present(), "`unique` (declare `#[model(unique(\"a\", \"b\"))]` on the model instead)"),
        (args.index.is_present(), "`index` (declare `#[model(index(\"a\", \"b\"))]` on the model instead)"),
        (args.single_parent.is_present(), "`single_parent`"),
        (args.owner.is_some(), "`owner` (a polymorphic owner's keys are single columns)"),
        (args.backref.is_some(), "`backref` (declare the `has_many` on the parent, with `inverse = ...`)"),
    ];
    for (_, what) in unsupported.iter().filter(|(present, _)| *present) {
        refuse(errors, given.span, format!("a composite foreign key takes no {what}"));
    }
    let mut out: Vec<SqlIdent> = Vec::new();
    for name in &given.columns {
        let ident = sql_ident(errors, name, "column");
        if out.iter().any(|c| c.value == ident.value) {
            refuse(errors, name.span, format!("column `{}` is named twice in `columns(...)`", name.value));
            continue;
        }
        out.push(ident);
    }
    out
}

/// A `has_many` / `has_one` from a model with a composite key finds its rows through the
/// target's composite `belongs_to`: by `inverse`, never by a one-column convention.
pub(super) fn to_many(errors: &mut Accumulator, model: &Model) {
    if model.keys().count() < 2 {
        return;
    }
    for r in model.relations.iter().filter(|r| r.owner.is_ident(&model.ident)) {
        let (RelationKind::HasMany { fk: FkSource::Column { .. } }
        | RelationKind::HasOne { fk: FkSource::Column { .. } }) = &r.kind
        else {
            continue;
        };
        let keys = model.keys().map(|c| c.name.value.as_str()).collect::<Vec<_>>().join(", ");
        errors.push(
            Error::custom(format!(
                "the key of `{}` is composite ({keys}): `{}` finds its rows through the target's `#[belongs_to({}, columns(...))]`; name it with `inverse = ...`",
                model.ident, r.name, model.ident
            ))
            .with_span(&r.name),
        );
    }
}
