//! The accessors of polymorphic owners: `comment.commentable(&db)` returns the owner as its
//! enum, `comment.set_commentable(&post)` points the row at it; and the check that every
//! variant of the enum is one of the model's owners.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{lit, rt};
use crate::ir::Model;

pub fn expand(model: &Model) -> TokenStream {
    let rt = rt();
    let ident = &model.ident;
    let vis = &model.vis;
    let mut out = TokenStream::new();
    for g in &model.owners {
        let e = &g.owner_enum;
        let accessor = &g.accessor;
        let setter = quote::format_ident!("set_{}", accessor);
        let e_name = e.segments.last().expect("non-empty path").ident.to_string();
        let fields: Vec<_> = g.members.iter().map(|(f, _, _, _)| f).collect();
        let columns = g.members.iter().map(|(_, c, _, _)| lit(&model.columns[*c].name.value));
        let models = g.members.iter().map(|(_, _, t, _)| quote!(#t).to_string()).collect::<Vec<_>>().join("` or `");
        // spanned at the member's own `owner = Enum`: an owner missing from the enum is
        // reported at the field that declares it
        let load = |f: &syn::Ident, target: &syn::Path, written: &syn::Path| {
            quote_spanned! {written.span()=>
                #rt::load_owner::<#written, #target>(__db, &<<#ident as #rt::Model>::Relationships>::#f.def, &self.#f)
            }
        };
        let (last, first) = g.members.split_last().expect("a group has a member");
        let tries = first.iter().map(|(f, _, t, w)| {
            let load = load(f, t, w);
            quote!(if #rt::is_set(&self.#f) { return #load; })
        });
        let last = load(&last.0, &last.2, &last.3);
        let (table, name) = (lit(&model.table.value), lit(&accessor.to_string()));
        let get_doc = lit(&format!(
            "The owner of this `{ident}`: the `{models}` its one set owner key points at, as a `{e_name}`, loaded on first use and kept in that field (eager options on the fields load it with the rows). Exactly one owner key must be set: none or several is `Error::NotOneOwner`."
        ));
        let set_doc = lit(&format!(
            "Points this `{ident}` at `owner` (a `{models}`), letting go of the owner it had; saved with the row."
        ));
        out.extend(quote! {
            impl #ident {
                #[doc = #get_doc]
                #vis fn #accessor(&self, __db: &#rt::Db) -> #rt::Result<#e> {
                    #rt::exactly_one(#table, #name, &[#(#columns),*], &[#(#rt::is_set(&self.#fields)),*])?;
                    #(#tries)*
                    #last
                }

                #[doc = #set_doc]
                #vis fn #setter<__O: #rt::Model>(&mut self, owner: &__O)
                where
                    Self: #rt::SetOwner<#e, __O>,
                {
                    <Self as #rt::SetOwner<#e, __O>>::set_owner(self, owner)
                }
            }
        });
        for (f, _, target, _) in &g.members {
            let others = fields.iter().filter(|o| **o != f);
            out.extend(quote! {
                impl #rt::SetOwner<#e, #target> for #ident {
                    fn set_owner(&mut self, owner: &#target) {
                        self.#f.set(owner);
                        #(self.#others.set_key(::core::option::Option::None);)*
                    }
                }
            });
        }
        let targets = g.members.iter().map(|(_, _, t, _)| quote!(<#t as #rt::Model>::TABLE_NAME));
        let model_name = lit(&ident.to_string());
        let e_lit = lit(&e_name);
        out.extend(super::assertions::check(
            e.span(),
            quote!(#rt::check_owner_variants(#model_name, #e_lit, <#e as #rt::Owner>::MODELS, &[#(#targets),*])),
        ));
    }
    out
}
