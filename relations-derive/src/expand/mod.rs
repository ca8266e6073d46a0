//! IR → tokens. Generated code is data (static tables and relationship descriptions) plus
//! one-line accessors calling generic runtime functions through `::relations::__private`.

mod assertions;
mod fallback;
mod model;
mod relations;
mod schema;

use proc_macro2::TokenStream;
use quote::quote;

/// The derive's whole expansion: the model's code, or its errors plus a fallback impl.
pub fn derive(input: TokenStream) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    match crate::lower::lower(&input) {
        Ok(mut model) => {
            let soft = std::mem::take(&mut model.soft_errors);
            let soft = (!soft.is_empty()).then(|| darling::Error::multiple(soft).write_errors());
            let model_impl = model::expand(&model);
            let relations = relations::expand(&model);
            let assertions = assertions::expand(&model);
            quote! {
                #soft
                #[allow(non_upper_case_globals, clippy::all, clippy::pedantic)]
                const _: () = {
                    #model_impl
                    #relations
                    #assertions
                };
            }
        }
        Err(errors) => {
            let fallback = fallback::expand(&input);
            let errors = errors.write_errors();
            quote! { #errors #fallback }
        }
    }
}

/// The runtime path generated code reaches everything through.
fn rt() -> TokenStream {
    quote!(::relations::__private)
}

fn lit(s: &str) -> syn::LitStr {
    syn::LitStr::new(s, proc_macro2::Span::call_site())
}
