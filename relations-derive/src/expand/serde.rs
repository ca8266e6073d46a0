//! `#[model(serde)]`: `Serialize` and `Deserialize` for the model.
//!
//! A row serializes as a map: its columns under their field names, a `belongs_to` as its key
//! under the key column's name (`user_id`; a composite key as a list under the field's name),
//! and every relationship field that is loaded nested under its name — skipped when it is not.
//! Deserializing reads the same shape: the rows of a to-many relationship become rows put in
//! the collection (saved with the owner, never replacing what is stored), a `has_one` row is
//! assigned, a nested parent is ignored (the key says which it is).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{lit, rt};
use crate::ir::{ColumnValue, Lazy, Model, RelationKind};

pub fn expand(model: &Model) -> TokenStream {
    let rt = rt();
    let ident = &model.ident;
    let serde_path = lit("::relations::__private::serde");

    // (what the serializer writes, the helper's field, how the model takes it back)
    let mut ser = Vec::new();
    let mut de_fields = Vec::new();
    let mut de_sets = Vec::new();
    for (i, c) in model.columns.iter().enumerate() {
        if !c.starts_field() {
            continue;
        }
        let field = &c.field;
        match &c.value {
            ColumnValue::Plain => {
                let name = lit(&field.to_string());
                let ty = &c.ty;
                // a new row comes without its assigned key, or its version counter
                let versioned = model.version.as_ref() == Some(field);
                let default = ((c.key && model.auto_key) || versioned).then(|| quote!(#[serde(default)]));
                ser.push(quote!(__m.serialize_entry(#name, &self.#field)?;));
                de_fields.push(quote!(#default #[serde(rename = #name)] #field: #ty,));
                de_sets.push(if c.deferred {
                    quote!(__row.#field = ::core::convert::From::from(__h.#field);)
                } else {
                    quote!(__row.#field = __h.#field;)
                });
            }
            ColumnValue::ForeignKey { parent, .. } => {
                let fk = model.fk_columns(i);
                let name = match fk {
                    [one] => lit(&one.name.value),
                    _ => lit(&field.to_string()),
                };
                ser.push(quote!(__m.serialize_entry(#name, self.#field.key())?;));
                de_fields.push(quote!(#[serde(rename = #name)] #field: <#parent as #rt::Parent>::Fk,));
                de_sets.push(quote!(__row.#field = #rt::BelongsTo::from_key(__h.#field);));
            }
        }
    }
    for r in model.relations.iter().filter(|r| r.field && r.lazy != Lazy::Dynamic) {
        let field = &r.name;
        let name = lit(&field.to_string());
        let target = &r.target;
        match &r.kind {
            RelationKind::HasMany { .. } | RelationKind::ManyToMany { .. } => {
                ser.push(quote!(if let Some(__rows) = self.#field.loaded() { __m.serialize_entry(#name, __rows)?; }));
                de_fields.push(quote!(#[serde(default, rename = #name)] #field: ::std::vec::Vec<#target>,));
                de_sets.push(quote!(for __r in __h.#field { __row.#field.push(__r); }));
            }
            RelationKind::HasOne { .. } => {
                ser.push(quote!(if let Some(__one) = self.#field.loaded() { __m.serialize_entry(#name, &__one)?; }));
                de_fields.push(quote!(#[serde(default, rename = #name)] #field: ::std::option::Option<#target>,));
                de_sets.push(quote!(if let Some(__r) = __h.#field { __row.#field = __r.into(); }));
            }
            RelationKind::BelongsTo { .. } => {
                // the key is written with the columns; the parent beside it when loaded
                ser.push(quote!(if let Some(__p) = self.#field.loaded() { __m.serialize_entry(#name, __p)?; }));
            }
            RelationKind::Children { .. } | RelationKind::ManyToManyBackref { .. } => {}
        }
    }
    let helper = format_ident!("__{}Serde", ident);
    quote! {
        impl #rt::serde::Serialize for #ident {
            fn serialize<__S: #rt::serde::Serializer>(&self, __s: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                use #rt::serde::ser::SerializeMap as _;
                let mut __m = __s.serialize_map(::core::option::Option::None)?;
                #(#ser)*
                __m.end()
            }
        }

        #[derive(#rt::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        struct #helper {
            #(#de_fields)*
        }

        impl<'de> #rt::serde::Deserialize<'de> for #ident {
            fn deserialize<__D: #rt::serde::Deserializer<'de>>(__d: __D) -> ::core::result::Result<Self, __D::Error> {
                let __h = <#helper as #rt::serde::Deserialize>::deserialize(__d)?;
                let mut __row: #ident = ::core::default::Default::default();
                #(#de_sets)*
                ::core::result::Result::Ok(__row)
            }
        }
    }
}
