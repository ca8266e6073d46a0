//! `#[derive(Owner)]`: an enum of the models a row can belong to, one tuple variant per model.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

/// The expansion of `#[derive(Owner)]`, or its errors.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let rt = quote!(::relations::__private);
    let ident = &input.ident;
    let Data::Enum(data) = &input.data else {
        return darling::Error::custom(format!(
            "`#[derive(Owner)]` goes on an enum of the owner models, one variant each: `enum {ident} {{ Post(Post), Photo(Photo) }}`"
        ))
        .with_span(ident)
        .write_errors();
    };
    let mut errors = darling::Error::accumulator();
    if let Some(param) = input.generics.params.first() {
        errors
            .push(darling::Error::custom("an owner enum cannot be generic: its variants are models").with_span(param));
    }
    if data.variants.len() < 2 {
        errors.push(
            darling::Error::custom(format!(
                "`{ident}` needs two owner models or more (`{ident} {{ Post(Post), Photo(Photo) }}`); with one, a plain `belongs_to` is the relationship"
            ))
            .with_span(ident),
        );
    }
    let mut variants = Vec::new();
    for v in &data.variants {
        let ty = match &v.fields {
            Fields::Unnamed(f) if f.unnamed.len() == 1 => &f.unnamed[0].ty,
            _ => {
                errors.push(
                    darling::Error::custom(format!(
                        "each variant of an owner enum holds one model: write `{0}({0})`",
                        v.ident
                    ))
                    .with_span(&v.fields.span().join(v.ident.span()).unwrap_or(v.ident.span())),
                );
                continue;
            }
        };
        let text = quote!(#ty).to_string();
        if variants.iter().any(|(_, _, t): &(&syn::Ident, &syn::Type, String)| *t == text) {
            errors.push(
                darling::Error::custom(format!("`{text}` is the model of two variants; an owner model has one"))
                    .with_span(ty),
            );
            continue;
        }
        variants.push((&v.ident, ty, text));
    }
    if let Err(e) = errors.finish() {
        return e.write_errors();
    }
    let models = variants.iter().map(|(_, ty, text)| {
        let name = syn::LitStr::new(text, ty.span());
        quote_spanned!(ty.span()=> (#name, <#ty as #rt::Model>::TABLE_NAME))
    });
    let tables = variants.iter().map(|(v, ty, _)| quote!(#ident::#v(_) => <#ty as #rt::Model>::TABLE_NAME));
    let wraps = variants.iter().map(|(v, ty, _)| {
        quote_spanned! {ty.span()=>
            impl #rt::OwnerOf<#ty> for #ident {
                fn wrap(owner: #ty) -> Self {
                    #ident::#v(owner)
                }
            }
        }
    });
    quote! {
        const _: () = {
            impl #rt::Owner for #ident {
                const MODELS: &'static [(&'static str, &'static str)] = &[#(#models),*];
                fn table(&self) -> &'static str {
                    match self {
                        #(#tables,)*
                    }
                }
            }
            #(#wraps)*
        };
    }
}
