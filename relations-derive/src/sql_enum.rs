//! `#[derive(SqlEnum)]`: a fieldless enum stored in one column, as the member's name
//! (SQLAlchemy's `Enum`: `VARCHAR(n)`, `n` the longest name) or, with
//! `#[sql_enum(integer)]`, as its discriminant.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

/// How the enum is stored.
enum Storage {
    Name,
    Integer,
}

/// The expansion of `#[derive(SqlEnum)]`, or its errors.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let rt = quote!(::relations::__private);
    let ident = &input.ident;
    let Data::Enum(data) = &input.data else {
        return darling::Error::custom(format!(
            "`#[derive(SqlEnum)]` goes on an enum whose variants have no fields: `enum {ident} {{ Draft, Published }}`"
        ))
        .with_span(ident)
        .write_errors();
    };
    let mut errors = darling::Error::accumulator();
    let mut storage = Storage::Name;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("sql_enum")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("integer") {
                storage = Storage::Integer;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown `sql_enum` option: `#[sql_enum(integer)]` stores the discriminant; without it the variant's name is stored",
                ))
            }
        });
        if let Err(e) = parsed {
            errors.push(e.into());
        }
    }
    if let Some(param) = input.generics.params.first() {
        errors.push(darling::Error::custom("a `SqlEnum` cannot be generic").with_span(param));
    }
    if data.variants.is_empty() {
        errors.push(
            darling::Error::custom(format!("`{ident}` has no variants: a column of it could hold no value"))
                .with_span(ident),
        );
    }
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            errors.push(
                darling::Error::custom(format!(
                    "variant `{}` has fields; a `SqlEnum` variant is a name only: write `{}`",
                    v.ident, v.ident
                ))
                .with_span(&v.fields),
            );
        }
    }
    if let Err(e) = errors.finish() {
        return e.write_errors();
    }
    let variants: Vec<&syn::Ident> = data.variants.iter().map(|v| &v.ident).collect();
    let names: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
    let list = names.join(", ");
    let body = match storage {
        Storage::Name => {
            let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(1) as u32;
            quote! {
                const SQL_TYPE: #rt::SqlType = #rt::SqlType::Varchar(::core::option::Option::Some(#longest));
                fn to_value(&self) -> #rt::Value<'_> {
                    #rt::Value::Text(::std::borrow::Cow::Borrowed(match self { #(Self::#variants => #names,)* }))
                }
                fn from_value(value: #rt::ValueRef<'_>, _: &#rt::ColumnDef) -> ::core::result::Result<Self, #rt::DecodeError> {
                    match value {
                        #(#rt::ValueRef::Text(#names) => ::core::result::Result::Ok(Self::#variants),)*
                        #rt::ValueRef::Text(other) => ::core::result::Result::Err(#rt::DecodeError(::std::format!(
                            "'{}' is not a {} (one of {})", other, ::core::stringify!(#ident), #list
                        ))),
                        other => ::core::result::Result::Err(#rt::DecodeError::unexpected("VARCHAR", other)),
                    }
                }
            }
        }
        Storage::Integer => quote! {
            const SQL_TYPE: #rt::SqlType = #rt::SqlType::Integer;
            fn to_value(&self) -> #rt::Value<'_> {
                #rt::Value::Integer(match self { #(Self::#variants => Self::#variants as i64,)* })
            }
            fn from_value(value: #rt::ValueRef<'_>, _: &#rt::ColumnDef) -> ::core::result::Result<Self, #rt::DecodeError> {
                match value {
                    #(#rt::ValueRef::Integer(i) if i == Self::#variants as i64 => ::core::result::Result::Ok(Self::#variants),)*
                    #rt::ValueRef::Integer(i) => ::core::result::Result::Err(#rt::DecodeError(::std::format!(
                        "INTEGER {} is not a {} discriminant ({})", i, ::core::stringify!(#ident), #list
                    ))),
                    other => ::core::result::Result::Err(#rt::DecodeError::unexpected("INTEGER", other)),
                }
            }
        },
    };
    quote! {
        impl #rt::SqlValue for #ident {
            #body
        }
    }
}
