//! The `#[derive(Model)]` macro of `relations`. Use it through the `relations` crate, whose
//! documentation of `Model` is the attribute manual.

mod check;
mod expand;
mod input;
mod ir;
mod lower;
mod naming;

use proc_macro::TokenStream;

/// Derives `relations::Model`: the table, its columns, relationship accessors and DDL.
/// See the `relations` crate's documentation for the attribute manual.
#[proc_macro_derive(Model, attributes(model, key, column, has_many, has_one, belongs_to, many_to_many, self_ref))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    expand::derive(input.into()).into()
}
