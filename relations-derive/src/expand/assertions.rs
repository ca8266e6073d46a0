//! Zero-cost compile-time checks of what one derive cannot see: the other model. Each is
//! spanned at the attribute that made the assumption, and worded by the runtime's
//! `#[diagnostic::on_unimplemented]` traits.

use proc_macro2::TokenStream;
use quote::{format_ident, quote_spanned};

use super::{lit, rt};
use crate::ir::{FkSource, Model, RelationKind};

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
