//! Polymorphic owners: `#[belongs_to(P, owner = Enum)]` fields grouped by their enum, each
//! group an accessor and a `CHECK` that exactly one of its keys is set.

use darling::error::Accumulator;
use darling::Error;
use syn::{Ident, Path, Type};

use super::util::{path_ident, type_str};
use crate::ir::*;
use crate::naming;

/// Records the `belongs_to` field `field` (the column `column`, to `target`) as an owner key of
/// `owner_enum`'s group.
#[allow(clippy::too_many_arguments)]
pub(super) fn member(
    errors: &mut Accumulator,
    model: &mut Model,
    field: &Ident,
    column: usize,
    target: &Path,
    owner_enum: &Path,
    nullable: bool,
    parent: &Type,
) {
    if !nullable {
        errors.push(
            Error::custom(format!(
                "an owner key of `{}` is set only when `{}` is the owner: make it nullable, `BelongsTo<Option<{}>>`",
                path_ident(owner_enum),
                path_ident(target),
                type_str(parent)
            ))
            .with_span(parent),
        );
    }
    let key = quote::quote!(#owner_enum).to_string();
    let member = (field.clone(), column, target.clone(), owner_enum.clone());
    let same = |g: &&mut OwnerGroup| {
        let p = &g.owner_enum;
        quote::quote!(#p).to_string() == key
    };
    match model.owners.iter_mut().find(same) {
        Some(group) => group.members.push(member),
        None => {
            let name = path_ident(owner_enum);
            let accessor = Ident::new(&naming::table_name(&name.to_string()), name.span());
            model.owners.push(OwnerGroup { owner_enum: owner_enum.clone(), accessor, members: vec![member] });
        }
    }
}

/// Checks each group (two members or more, of distinct models, an accessor name of its own)
/// and adds its `CHECK` constraint, `ck_<table>_<accessor>`.
pub(super) fn finish(errors: &mut Accumulator, model: &mut Model) {
    for g in &model.owners {
        let e = path_ident(&g.owner_enum);
        if g.members.len() < 2 {
            errors.push(
                Error::custom(format!(
                    "`{e}` is the owner of one `belongs_to` only; a polymorphic owner has two owner models or more (add `owner = {e}` to the others), and with one a plain `belongs_to` is the relationship"
                ))
                .with_span(&g.owner_enum),
            );
        }
        for (i, (field, _, target, _)) in g.members.iter().enumerate() {
            let t = path_ident(target);
            if g.members[..i].iter().any(|(_, _, other, _)| path_ident(other) == t) {
                errors.push(
                    Error::custom(format!(
                        "`{field}` is a second owner key to `{t}` in `{e}`: each owner model has one key in a polymorphic owner"
                    ))
                    .with_span(field),
                );
            }
        }
        let clash = model.columns.iter().any(|c| c.field == g.accessor)
            || model.relations.iter().any(|r| r.name == g.accessor && r.owner.is_ident(&model.ident));
        if clash {
            errors.push(
                Error::custom(format!(
                    "the polymorphic owner `{e}` gets the accessor `{0}` (and `set_{0}`), which `{1}` already has as a field or relationship; rename one",
                    g.accessor, model.ident
                ))
                .with_span(&g.owner_enum),
            );
        }
    }
    let checks: Vec<TableConstraint> = model
        .owners
        .iter()
        .map(|g| TableConstraint::ExactlyOne {
            name: SqlIdent { value: format!("ck_{}_{}", model.table.value, g.accessor), span: g.accessor.span() },
            columns: g.members.iter().map(|(_, c, _, _)| model.columns[*c].name.clone()).collect(),
        })
        .collect();
    model.constraints.extend(checks);
}
