//! Zero-cost compile-time checks of what one derive cannot see: the other model. Each is
//! spanned at the attribute that made the assumption, and worded by the runtime's
//! `#[diagnostic::on_unimplemented]` traits.

use proc_macro2::TokenStream;
use quote::{format_ident, quote_spanned};

use super::{lit, rt};
use crate::ir::{FkSource, Model, Relation, RelationKind};

pub fn expand(model: &Model) -> TokenStream {
    let rt = rt();
    let mut out = TokenStream::new();
    for r in model.relations.iter().filter(|r| r.field) {
        let (owner, target) = (&r.owner, &r.target);
        let tspan = syn::spanned::Spanned::span(target);
        // a collection or `has_one` field's copy checks its target already (`duplicate_related`)
        if matches!(r.kind, RelationKind::BelongsTo { .. }) {
            out.extend(quote_spanned!(tspan=> const _: () = #rt::assert_target::<#target>();));
        }
        if let Some(inv) = &r.inverse {
            let kind = super::relations_kind(&r.kind);
            let def = quote::quote!(<<#target as #rt::Model>::Relationships>::#inv);
            let ours = lit(&r.name.to_string());
            let o = &model.ident;
            let t = &target.segments.last().expect("non-empty path").ident;
            let msg = lit(&format!(
                "`{o}.{}` names `{t}.{inv}` as its inverse, but `{t}.{inv}` names a different inverse; make both sides name each other",
                r.name
            ));
            out.extend(quote_spanned! {inv.span()=>
                const _: () = #rt::assert_inverse::<#owner, #kind, _>(&#def);
                const _: () = if !#rt::inverse_agrees(#def.def.inverse, #ours) {
                    ::core::panic!(#msg)
                };
            });
        }
        if let RelationKind::HasMany { fk } | RelationKind::HasOne { fk } = &r.kind {
            out.extend(cascade_checks(model, r, fk));
        }
        if let RelationKind::HasMany { fk: FkSource::Column(c) } | RelationKind::HasOne { fk: FkSource::Column(c) } =
            &r.kind
        {
            let col = format_ident!("{}", c.value, span = c.span);
            out.extend(quote_spanned! {c.span=>
                const _: () = #rt::assert_fk_column::<<#owner as #rt::Model>::Key, _>(&<#target>::#col);
            });
        }
    }
    out
}

/// The cascade of a `has_many` / `has_one` against its foreign key's `on_delete`, declared on
/// the other model.
fn cascade_checks(model: &Model, r: &Relation, fk: &FkSource) -> TokenStream {
    let rt = rt();
    if !r.cascade.delete && !r.passive_deletes {
        return TokenStream::new();
    }
    let target = &r.target;
    let t = &target.segments.last().expect("non-empty path").ident;
    let (column, key) = match fk {
        FkSource::Inverse(inv) => (
            quote::quote!(#rt::forward_column(&<<#target as #rt::Model>::Relationships>::#inv.def)),
            format!("`{t}.{inv}`"),
        ),
        FkSource::Column(c) => {
            let l = lit(&c.value);
            (quote::quote!(#l), format!("`{t}`'s `{}`", c.value))
        }
    };
    let on_delete = quote::quote!(#rt::fk_on_delete(<#target as #rt::Model>::TABLE, #column));
    let path = format!("{}.{}", model.ident, r.name);
    let mut out = TokenStream::new();
    if r.cascade.delete {
        let msg = lit(&format!(
            "`{path}` deletes its `{t}` rows (its `cascade` has \"delete\"), but {key} says `on_delete = \"restrict\"`, which refuses exactly that; drop one of the two"
        ));
        out.extend(quote_spanned! {r.cascade.span=>
            const _: () = if #rt::cascade_fights_restrict(true, #on_delete) { ::core::panic!(#msg) };
        });
    }
    if r.passive_deletes {
        let msg = lit(&format!(
            "`passive_deletes` on `{path}` leaves its `{t}` rows to the database, but {key} has no `on_delete` action; add `on_delete = \"cascade\"` (or \"set null\") to it"
        ));
        out.extend(quote_spanned! {r.span=>
            const _: () = if #rt::passive_without_action(true, #on_delete) { ::core::panic!(#msg) };
        });
    }
    out
}
