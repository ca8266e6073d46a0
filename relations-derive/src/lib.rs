//! The `#[derive(Model)]` macro of `relations`. Use it through the `relations` crate, whose
//! documentation of `Model` is the attribute manual.

#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod check;
mod expand;
mod from_row;
mod input;
mod ir;
mod lower;
mod naming;
mod owner;
mod sql_enum;
mod types;

use proc_macro::TokenStream;

/// Derives `relations::Model`: the table, its columns, relationship accessors and DDL.
/// See the `relations` crate's documentation for the attribute manual.
#[proc_macro_derive(Model, attributes(model, key, column, has_many, has_one, belongs_to, many_to_many, self_ref))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    derive(input.into()).into()
}

/// Derives `relations::Owner` on an enum of owner models, one tuple variant each
/// (`enum Commentable { Post(Post), Photo(Photo) }`): the type a polymorphic owner's accessor
/// returns. See the `relations` crate's documentation of polymorphic owners.
#[proc_macro_derive(Owner)]
pub fn derive_owner(input: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => owner::derive(&input).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Derives `relations::schema::SqlValue` on an enum whose variants have no fields, so that it
/// can be a model's column: stored as the variant's name in a `VARCHAR(n)` (`n` the longest
/// name), as SQLAlchemy's `Enum` stores it, or with `#[sql_enum(integer)]` as its discriminant in an
/// `INTEGER`. A stored value that is no variant is a decode error naming the value, the enum
/// and the table's column.
#[proc_macro_derive(SqlEnum, attributes(sql_enum))]
pub fn derive_sql_enum(input: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => sql_enum::derive(&input).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Derives `relations::FromRow` on a plain struct whose fields, in order, are a projection's
/// columns (`struct AuthorPosts { username: String, posts: i64 }`): what
/// `Projection::into_struct` and `Raw::all` decode rows into.
#[proc_macro_derive(FromRow)]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => from_row::derive(&input).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The derive's whole expansion: attributes → validated model → code, or every error found plus
/// a stand-in impl.
fn derive(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    match lower::lower(&input) {
        Ok(model) => expand::expand(model),
        Err(errors) => {
            let errors = errors.write_errors();
            let fallback = expand::fallback(&input);
            quote::quote! { #errors #fallback }
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn the_expansion_is_valid_rust() {
        let out = super::derive(quote! {
            struct Post {
                id: i64,
                #[column(len = 100)] title: String,
                #[belongs_to(User, backref = posts)] author: BelongsTo<User>,
                #[many_to_many(Tag, through = post_tags)] tags: ManyToMany<Tag>,
            }
        });
        let file: syn::File = syn::parse2(out.clone()).expect("the expansion parses as items");
        let text = out.to_string();
        assert!(!text.contains("compile_error"), "{text}");
        assert_eq!(file.items.len(), 1, "everything is wrapped in one `const _: () = {{ ... }};`");
        assert!(text.contains("\"post_tags\""));
    }
}
