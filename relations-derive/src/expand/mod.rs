//! IR → tokens. Generated code is data (static tables and relationship descriptions) plus
//! one-line accessors calling generic runtime functions through `::relations::__private`.

mod assertions;
mod fallback;
mod model;
mod owners;
mod relations;
mod schema;
mod serde;

use proc_macro2::TokenStream;
use quote::quote;

/// A validated model's code: its soft errors, then everything it generates, in one
/// `const _: () = { ... };`.
pub fn expand(mut model: crate::ir::Model) -> TokenStream {
    let soft = std::mem::take(&mut model.soft_errors);
    let soft = (!soft.is_empty()).then(|| darling::Error::multiple(soft).write_errors());
    let model_impl = model::expand(&model);
    let relations = relations::expand(&model);
    let assertions = assertions::expand(&model);
    let owners = owners::expand(&model);
    let serde = model.serde.then(|| serde::expand(&model));
    quote! {
        #soft
        #[allow(non_upper_case_globals, clippy::all, clippy::pedantic)]
        const _: () = {
            #model_impl
            #relations
            #assertions
            #owners
            #serde
        };
    }
}

/// After an error: a stand-in `impl Model`, so that one mistake is not reported again at every
/// use of the model.
pub fn fallback(input: &syn::DeriveInput) -> TokenStream {
    fallback::expand(input)
}

/// The runtime path generated code reaches everything through.
fn rt() -> TokenStream {
    quote!(::relations::__private)
}

fn lit(s: &str) -> syn::LitStr {
    syn::LitStr::new(s, proc_macro2::Span::call_site())
}
