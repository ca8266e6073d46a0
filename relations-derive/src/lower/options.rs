//! The options relationships share: `lazy`, `cascade`, `order_by`, `on_delete`, the foreign key
//! a to-many relationship finds.

use darling::error::Accumulator;
use darling::Error;
use proc_macro2::Span;
use syn::{Ident, Path, Type};

use super::util::*;
use crate::input::{self, NameArg};
use crate::ir::*;
use crate::naming;

/// `lazy = ...`: one of SQLAlchemy's strategy names; `dynamic` only on a collection.
/// A mistake here is reported without giving up the model: the default strategy stands in, so
/// the rest of the expansion (and the other models' checks against it) still compile.
pub(crate) fn lazy(errors: &mut Vec<Error>, arg: Option<NameArg>, attr: &str) -> Lazy {
    let Some(arg) = arg else { return Lazy::Select };
    let Some(&(_, lazy)) = Lazy::NAMES.iter().find(|(n, _)| *n == arg.value) else {
        let names: Vec<String> = Lazy::NAMES.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        errors.push(
            Error::custom(format!(
                "unknown loading strategy `lazy = \"{}\"`; the strategies are {}",
                arg.value,
                names.join(", ")
            ))
            .with_span(&arg.span),
        );
        return Lazy::Select;
    };
    if lazy == Lazy::Dynamic && !matches!(attr, "has_many" | "many_to_many") {
        errors.push(
            Error::custom(format!(
                "`lazy = \"dynamic\"` makes a collection's accessor a query; `#[{attr}]` loads one row, so use `\"select\"`, `\"joined\"`, `\"selectin\"` or `\"raise\"`"
            ))
            .with_span(&arg.span),
        );
        return Lazy::Select;
    }
    lazy
}

/// `cascade = "..."`: SQLAlchemy's words, comma-separated. Mistakes are soft: the default
/// (`save-update`) stands in.
pub(crate) fn cascade(errors: &mut Vec<Error>, arg: Option<NameArg>, attr: &str, span: Span) -> Cascade {
    let mut c = Cascade::default_at(span);
    let Some(arg) = arg else { return c };
    c = Cascade { save_update: false, delete: false, delete_orphan: false, span: arg.span };
    let mut ok = true;
    for word in arg.value.split(',').map(str::trim) {
        match word {
            "save-update" => c.save_update = true,
            "delete" => c.delete = true,
            "delete-orphan" => c.delete_orphan = true,
            "all" => {
                c.save_update = true;
                c.delete = true;
            }
            "merge" | "refresh-expire" | "expunge" => {
                ok = false;
                errors.push(Error::custom(format!(
                    "`{word}` is a cascade of SQLAlchemy's session, which `relations` does not have; drop it (the cascades are \"save-update\", \"delete\", \"delete-orphan\" and \"all\")"
                )).with_span(&arg.span));
            }
            _ => {
                ok = false;
                errors.push(Error::custom(format!(
                    "unknown cascade `{word}`; the cascades are \"save-update\", \"delete\", \"delete-orphan\" and \"all\", comma-separated, like `cascade = \"all, delete-orphan\"`"
                )).with_span(&arg.span));
            }
        }
    }
    if attr == "many_to_many" && (c.delete || c.delete_orphan) {
        ok = false;
        let what = if c.delete_orphan { "delete-orphan" } else { "delete" };
        errors.push(Error::custom(format!(
            "a many-to-many cannot cascade `{what}`: the rows it links are shared with other owners. Deleting either side already removes its association rows; use `cascade = \"save-update\"`, or a `has_many` to an association model to own the links"
        )).with_span(&arg.span));
    }
    if ok {
        c
    } else {
        Cascade::default_at(span)
    }
}

/// `cascade = "..."` on a `belongs_to`: only the many-to-one `delete-orphan` (SQLAlchemy's
/// `single_parent=True`), with or without `delete`; every other cascade acts from the parent's
/// side and belongs there. Mistakes are soft: the default stands in.
pub(crate) fn many_to_one_cascade(
    errors: &mut Vec<Error>,
    arg: Option<NameArg>,
    single_parent: bool,
    span: Span,
    target: &Path,
    owner: &Ident,
) -> Cascade {
    let Some(given) = arg.clone() else { return Cascade::default_at(span) };
    let c = cascade(errors, arg, "belongs_to", span);
    let t = path_ident(target);
    if !c.delete_orphan {
        if c.delete || given.value.split(',').any(|w| w.trim() == "save-update") {
            errors.push(Error::custom(format!(
                "`cascade` on a `belongs_to` would act on the parent `{t}` from its child; cascades go on the parent's side, `#[has_many({owner}, cascade = \"{}\")]` on `{t}`. On this side only the many-to-one `cascade = \"delete-orphan\"` (with `single_parent`) exists: it deletes the `{t}` row this row lets go of",
                given.value
            )).with_span(&given.span));
        }
        return Cascade::default_at(span);
    }
    if !single_parent {
        errors.push(Error::custom(format!(
            "a many-to-one `delete-orphan` deletes the `{t}` row this row lets go of, which is only safe if no other row points at it: add `single_parent`, like `#[belongs_to({t}, cascade = \"{}\", single_parent)]`",
            given.value
        )).with_span(&given.span));
        return Cascade::default_at(span);
    }
    c
}

/// `order_by = "created_at desc, title"`: columns of the target, each `asc` (the default)
/// or `desc`. Mistakes are soft: key order stands in.
pub(crate) fn order_by(errors: &mut Vec<Error>, arg: Option<NameArg>, attr: &str) -> Vec<(SqlIdent, bool)> {
    let Some(arg) = arg else { return Vec::new() };
    if attr == "has_one" {
        errors.push(
            Error::custom("`order_by` orders a collection's rows; a `has_one` has one row, so drop it")
                .with_span(&arg.span),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for term in arg.value.split(',') {
        let words: Vec<&str> = term.split_whitespace().collect();
        let (column, descending) = match words.as_slice() {
            [c] => (*c, false),
            [c, dir] if dir.eq_ignore_ascii_case("asc") => (*c, false),
            [c, dir] if dir.eq_ignore_ascii_case("desc") => (*c, true),
            _ => {
                errors.push(Error::custom(format!(
                    "`order_by` takes columns of the related model, each optionally followed by `asc` or `desc`, comma-separated, like `order_by = \"created_at desc, id\"`; `{}` is not one",
                    term.trim()
                )).with_span(&arg.span));
                return Vec::new();
            }
        };
        if let Some(why) = naming::invalid_identifier(column) {
            errors.push(
                Error::custom(format!("`{column}` in `order_by` is not a valid SQL column name: {why}"))
                    .with_span(&arg.span),
            );
            return Vec::new();
        }
        out.push((SqlIdent { value: column.to_string(), span: arg.span }, descending));
    }
    out
}

/// `on_delete = "..."` on a foreign key. Mistakes are soft: no clause stands in.
pub(crate) fn on_delete(errors: &mut Vec<Error>, arg: Option<NameArg>, nullable: bool, parent: &Type) -> OnDelete {
    let Some(arg) = arg else { return OnDelete::Unset };
    let Some(&(_, action)) = OnDelete::NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(&arg.value)) else {
        errors.push(
            Error::custom(format!(
            "unknown `on_delete = \"{}\"`; the actions are \"cascade\", \"set null\", \"restrict\" and \"no action\"",
            arg.value
        ))
            .with_span(&arg.span),
        );
        return OnDelete::Unset;
    };
    if action == OnDelete::SetNull && !nullable {
        errors.push(Error::custom(format!(
            "`on_delete = \"set null\"` needs a nullable foreign key, but `BelongsTo<{}>` is NOT NULL; write `BelongsTo<Option<{}>>`, or use `on_delete = \"cascade\"`",
            type_str(parent), type_str(parent)
        )).with_span(&arg.span));
        return OnDelete::Unset;
    }
    action
}

/// A self-reference's children cascade against its own foreign key's `on_delete`.
pub(crate) fn self_ref_checks(
    errors: &mut Vec<Error>,
    cascade: &Cascade,
    passive: bool,
    on_delete: OnDelete,
    span: Span,
) {
    if cascade.delete && on_delete == OnDelete::Restrict {
        errors.push(Error::custom(
            "`cascade` deletes the children, but `on_delete = \"restrict\"` makes the database refuse exactly that; drop one of them",
        ).with_span(&cascade.span));
    }
    if passive && !matches!(on_delete, OnDelete::Cascade | OnDelete::SetNull) {
        errors.push(Error::custom(
            "`passive_deletes` leaves the children to the database, but this foreign key has no `on_delete` action to do it; add `on_delete = \"cascade\"` or `on_delete = \"set null\"`",
        ).with_span(&span));
    }
}

/// Where a `has_many` / `has_one` finds its foreign key: `inverse`, `foreign_key`, or the
/// convention, `<owner model in snake_case>_id` — the name a `belongs_to` gives its column.
pub(crate) fn fk_source(
    errors: &mut Accumulator,
    args: input::HasArgs,
    owner_name: &str,
    attr: &str,
    span: Span,
) -> FkSource {
    match (args.inverse, args.foreign_key) {
        (Some(i), Some(fk)) => {
            errors.push(
                Error::custom(format!(
                    "`#[{attr}]` takes the foreign key from `inverse = {}`; drop `foreign_key` or drop `inverse`",
                    i.0
                ))
                .with_span(&fk.span),
            );
            FkSource::Inverse(i.0)
        }
        (Some(i), None) => FkSource::Inverse(i.0),
        (None, Some(fk)) => FkSource::Column { column: sql_ident(errors, &fk, "column"), given: true },
        (None, None) => {
            FkSource::Column { column: SqlIdent { value: naming::foreign_key(owner_name), span }, given: false }
        }
    }
}
