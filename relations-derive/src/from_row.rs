//! `#[derive(FromRow)]`: a plain struct that a projection's or a raw statement's rows decode
//! into, its fields in order.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

/// The expansion of `#[derive(FromRow)]`, or its error.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let rt = quote!(::relations::__private);
    let ident = &input.ident;
    let fields = match &input.data {
        Data::Struct(s) if !s.fields.is_empty() => &s.fields,
        _ => {
            return darling::Error::custom(format!(
                "`#[derive(FromRow)]` goes on a struct with one field per selected column: `struct {ident} {{ username: String, posts: i64 }}`"
            ))
            .with_span(ident)
            .write_errors();
        }
    };
    if let Some(param) = input.generics.params.first() {
        return darling::Error::custom("a `FromRow` struct cannot be generic: its fields are the columns' types")
            .with_span(param)
            .write_errors();
    }
    let types: Vec<&syn::Type> = fields.iter().map(|f| &f.ty).collect();
    let decode = fields.iter().map(|f| {
        let ty = &f.ty;
        quote_spanned!(ty.span()=> <#ty as #rt::FromValues>::decode(row, cursor)?)
    });
    let build = match fields {
        Fields::Named(_) => {
            let names = fields.iter().map(|f| f.ident.as_ref());
            quote!(#ident { #(#names: #decode),* })
        }
        _ => quote!(#ident ( #(#decode),* )),
    };
    let values = match types.as_slice() {
        [one] => quote!(#one),
        many => quote!((#(#many,)*)),
    };
    quote! {
        const _: () = {
            impl #rt::FromValues for #ident {
                fn decode(row: &dyn #rt::RawRow, cursor: &mut #rt::Cursor<'_>) -> #rt::Result<Self> {
                    ::core::result::Result::Ok(#build)
                }
            }
            impl #rt::FromRow for #ident {
                type Values = #values;
            }
        };
    }
}
