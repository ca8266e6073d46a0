//! After an error, a stand-in `impl Model` so that one mistake does not also produce an error
//! at every place the model is used.

use proc_macro2::TokenStream;
use quote::quote;

use super::{lit, rt};

pub fn expand(input: &syn::DeriveInput) -> TokenStream {
    let syn::Data::Struct(s) = &input.data else { return TokenStream::new() };
    if !matches!(s.fields, syn::Fields::Named(_)) || !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let rt = rt();
    let ident = &input.ident;
    let table = lit(&crate::naming::table_name(&ident.to_string()));
    let msg = lit(&format!("`#[derive(Model)]` on `{ident}` failed to compile"));
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #rt::Sealed for #ident {}

            #[automatically_derived]
            impl #rt::Model for #ident {
                const TABLE: &'static #rt::Table =
                    &#rt::Table::plain(#table, &[]);
                const TABLE_NAME: &'static str = #table;
                const KEY_COLUMN: ::core::option::Option<&'static str> = ::core::option::Option::Some("id");
                const KEY_COLUMNS: &'static [&'static str] = &["id"];
                const ASSOCIATIONS: &'static [&'static #rt::Table] = &[];
                const DERIVE_FAILED: bool = true;
                type Key = i64;
                type Relationships = ();
                fn key(&self) -> i64 { 0 }
                fn from_row(_: &#rt::Row<'_>) -> #rt::Result<Self> { ::core::panic!(#msg) }
                fn values(&self) -> ::std::vec::Vec<#rt::Value<'_>> { ::std::vec::Vec::new() }
                fn set_column(&mut self, _: &str, _: #rt::ValueRef<'_>) -> #rt::Result<bool> { ::core::panic!(#msg) }
                fn set_auto_key(&mut self, _: i64) {}
                fn is_new(&self) -> bool { false }
                fn column_value(&self, _: usize) -> #rt::Value<'_> { #rt::Value::Null }
                fn duplicate(&self) -> Self { ::core::panic!(#msg) }
            }
        };
    }
}
