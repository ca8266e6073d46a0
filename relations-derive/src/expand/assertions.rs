//! Zero-cost compile-time checks of what one derive cannot see: the other model. Each is a
//! constant spanned at the attribute that made the assumption; the runtime's `checks` read
//! the other model's metadata and word the failure, which the constant panics with.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::{lit, rt};
use crate::ir::{FkSource, Model, Relation, RelationKind, Through};

/// `const _: () = { let m = <check>; if m.failed() { panic!(..) } };`, spanned at `span`.
pub(super) fn check(span: Span, check: TokenStream) -> TokenStream {
    quote_spanned! {span=>
        const _: () = {
            let __m = #check;
            if __m.failed() {
                ::core::panic!("{}", __m.as_str())
            }
        };
    }
}

/// What the runtime's checks know of the relationship `r` of `model`.
fn ours(model: &Model, r: &Relation) -> TokenStream {
    let rt = rt();
    let m = lit(&model.ident.to_string());
    let table = lit(&model.table.value);
    let name = lit(&r.name.to_string());
    let kind = format_ident!("{}", super::relations::rel_kind(&r.kind));
    let through = !matches!(r.kind, RelationKind::ManyToMany { through: Through::Inverse(_) });
    quote!(#rt::Ours { model: #m, table: #table, name: #name, kind: #rt::RelKind::#kind, through: #through })
}

/// What the runtime's checks know of the model `path`.
fn theirs(path: &syn::Path) -> TokenStream {
    let rt = rt();
    let name = lit(&path.segments.last().expect("non-empty path").ident.to_string());
    quote! {
        #rt::Theirs {
            model: #name,
            table: <#path as #rt::Model>::TABLE,
            relations: <#path as #rt::Model>::RELATIONSHIPS,
            failed: <#path as #rt::Model>::DERIVE_FAILED,
        }
    }
}

pub fn expand(model: &Model) -> TokenStream {
    let rt = rt();
    let mut out = TokenStream::new();
    // a soft delete stamps the time (or the day) of the delete
    if let Some(c) = model.soft_delete.map(|i| &model.columns[i]) {
        let ty = &c.ty;
        let msg = lit(&format!(
            "`soft_delete = {}`: the column holds when the row was deleted; declare `{}` as `Option<chrono::NaiveDateTime>` (or `Option<chrono::NaiveDate>`)",
            c.field, c.field
        ));
        out.extend(quote_spanned! {c.span=>
            const _: () = if !#rt::soft_delete_type(#rt::sql_type::<#ty>()) { ::core::panic!(#msg) };
        });
    }
    for r in model.relations.iter().filter(|r| r.field) {
        let target = &r.target;
        let tspan = syn::spanned::Spanned::span(target);
        // a collection or `has_one` field's copy checks its target already (`duplicate_related`)
        // a composite foreign key has as many columns as the parent's key
        if let RelationKind::BelongsTo { column } = &r.kind {
            let columns = model.fk_columns(*column);
            if columns.len() > 1 {
                let n = columns.len();
                let names = columns.iter().map(|c| lit(&c.name.value));
                let model_name = lit(&model.ident.to_string());
                let field = lit(&r.name.to_string());
                out.extend(check(
                    columns[0].name.span,
                    quote!(#rt::check_composite_fk(#model_name, #field, &[#(#names),*], <#target as #rt::Model>::TABLE_NAME, <#target as #rt::Model>::KEY_COLUMNS, #n)),
                ));
            }
        }
        if matches!(r.kind, RelationKind::BelongsTo { .. }) {
            out.extend(quote_spanned!(tspan=> const _: () = #rt::assert_target::<#target>();));
        }
        let (ours, target_info) = (ours(model, r), theirs(target));
        if let Some(inv) = &r.inverse {
            let name = lit(&inv.to_string());
            out.extend(check(inv.span(), quote!(#rt::check_inverse(#ours, #target_info, #name))));
        }
        for (column, _) in &r.order_by {
            let c = lit(&column.value);
            let check_it = match &r.kind {
                // a column of the target, or of the association model
                RelationKind::ManyToMany { through: Through::Model { model: m, .. } } => {
                    let through = theirs(m);
                    quote!(#rt::check_order_column_through(#ours, #target_info, #through, #c))
                }
                _ => quote!(#rt::check_order_column(#ours, #target_info, #c)),
            };
            out.extend(check(column.span, check_it));
        }
        match &r.kind {
            RelationKind::HasMany { fk } | RelationKind::HasOne { fk } => {
                out.extend(cascade_checks(model, r, fk));
                if let FkSource::Column { column: c, given } = fk {
                    let col = lit(&c.value);
                    let owner = &r.owner;
                    let key = quote!(#rt::key_sql_type(<#owner as #rt::Model>::TABLE));
                    out.extend(check(c.span, quote!(#rt::check_fk_column(#ours, #target_info, #col, #key, #given))));
                }
            }
            RelationKind::ManyToMany { through: Through::Model { model: m, local, remote } } => {
                let through = theirs(m);
                let (l, re) = (lit(&local.value), lit(&remote.value));
                let owner_table = lit(&model.table.value);
                out.extend(check(local.span, quote!(#rt::check_through(#ours, #through, #l, #owner_table, "local"))));
                out.extend(check(
                    remote.span,
                    quote!(#rt::check_through(#ours, #through, #re, <#target as #rt::Model>::TABLE_NAME, "remote")),
                ));
            }
            _ => {}
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
        FkSource::Inverse(inv) => {
            let name = lit(&inv.to_string());
            (quote!(#rt::inverse_column(<#target as #rt::Model>::RELATIONSHIPS, #name)), format!("`{t}.{inv}`"))
        }
        FkSource::Column { column: c, .. } => {
            let l = lit(&c.value);
            (quote!(&[#l]), format!("`{t}`'s `{}`", c.value))
        }
    };
    let on_delete = quote!(#rt::fk_on_delete(<#target as #rt::Model>::TABLE, #column));
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
