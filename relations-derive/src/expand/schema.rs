//! The static `Table` of a model and of the plain association tables it declares.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use super::{lit, rt};
use crate::ir::{Column, ColumnValue, DefaultValue, Model, SqlIdent, SqlTypeOverride, TableConstraint};

fn column_def(c: &Column) -> TokenStream {
    let rt = rt();
    let name = lit(&c.name.value);
    let ty = &c.ty;
    // a composite foreign key's column has the type of the parent's key column it references,
    // NOT NULL
    let part = match (c.part, &c.value) {
        (Some((k, _)), ColumnValue::ForeignKey { model, .. }) => {
            Some(quote!(<<#model as #rt::Model>::Key as #rt::KeyPart<#k>>::T))
        }
        _ => None,
    };
    let sql_type = match &c.sql_type {
        _ if part.is_some() => quote_spanned!(c.span=> #rt::sql_type::<#part>()),
        Some(SqlTypeOverride::Varchar(n)) => quote!(#rt::SqlType::Varchar(::core::option::Option::Some(#n))),
        Some(SqlTypeOverride::Text) => quote!(#rt::SqlType::Text),
        Some(SqlTypeOverride::BigInteger) => quote!(#rt::SqlType::BigInteger),
        Some(SqlTypeOverride::Numeric(p, s)) => quote!(#rt::SqlType::Numeric(::core::option::Option::Some((#p, #s)))),
        None => quote_spanned!(c.span=> #rt::sql_type::<#ty>()),
    };
    let (pk, unique, index) = (c.key, c.unique, c.index);
    let default = match &c.default {
        None => quote!(#rt::ColumnDefault::None),
        Some(DefaultValue::Now | DefaultValue::Today) => quote!(#rt::ColumnDefault::Now),
        Some(DefaultValue::Expr(e)) => {
            let text = lit(&quote!(#e).to_string());
            quote!(#rt::ColumnDefault::Value(#text))
        }
    };
    let nullable = match part {
        Some(_) => quote!(false),
        None => quote!(#rt::nullable::<#ty>()),
    };
    // the validator: decodes the value into the field's type and calls the function with it,
    // spanned at the function so that one of another shape is reported there
    let validate = match &c.validate {
        None => quote!(::core::option::Option::None),
        Some(path) => {
            let text = lit(&quote!(#path).to_string().replace(' ', ""));
            let call = quote_spanned! {syn::spanned::Spanned::span(path)=>
                #path(&__value).map_err(|__e| ::std::string::ToString::to_string(&__e))
            };
            quote! {
                ::core::option::Option::Some(#rt::Validator {
                    name: #text,
                    check: {
                        fn __validate(
                            __v: #rt::ValueRef<'_>,
                            __c: &#rt::ColumnDef,
                        ) -> ::core::result::Result<(), ::std::string::String> {
                            let __value: #ty = <#ty as #rt::SqlValue>::from_value(__v, __c).map_err(|__e| __e.0)?;
                            #call
                        }
                        __validate
                    },
                })
            }
        }
    };
    quote! {
        #rt::ColumnDef {
            name: #name,
            sql_type: #sql_type,
            nullable: #nullable,
            primary_key: #pk,
            unique: #unique,
            index: #index,
            default: #default,
            validate: #validate,
        }
    }
}

/// `&Table { ... }` for the model.
pub fn table(model: &Model) -> TokenStream {
    let rt = rt();
    let name = lit(&model.table.value);
    let columns = model.columns.iter().map(column_def);
    let auto_key = model.auto_key;
    let fks = model.columns.iter().enumerate().filter_map(|(i, c)| {
        let ColumnValue::ForeignKey { model: parent, self_ref, on_delete, .. } = &c.value else { return None };
        let column = lit(&c.name.value);
        let on_delete = format_ident!("{}", on_delete.variant());
        match c.part {
            Some((0, _)) => {
                let columns = model.fk_columns(i).iter().map(|c| lit(&c.name.value));
                return Some(quote!(#rt::ForeignKey {
                    columns: &[#(#columns),*],
                    references: <#parent as #rt::Model>::TABLE_NAME,
                    target_columns: <#parent as #rt::Model>::KEY_COLUMNS,
                    on_delete: #rt::OnDelete::#on_delete,
                }));
            }
            Some(_) => return None,
            None => {}
        }
        Some(if *self_ref {
            quote!(#rt::ForeignKey {
                columns: &[#column],
                references: #name,
                target_columns: &[#rt::key_column::<Self>()],
                on_delete: #rt::OnDelete::#on_delete,
            })
        } else {
            quote!(#rt::ForeignKey {
                columns: &[#column],
                references: <#parent as #rt::Model>::TABLE_NAME,
                target_columns: &[#rt::key_column::<#parent>()],
                on_delete: #rt::OnDelete::#on_delete,
            })
        })
    });
    // the relationships declared on the model itself: fields, and a self-reference's children
    let ident = &model.ident;
    let defs = model.relations.iter().filter(|r| r.owner.is_ident(ident)).map(|r| {
        let name = &r.name;
        if r.field {
            quote!(&<<#ident as #rt::Model>::Relationships>::#name.def)
        } else {
            let hidden = format_ident!("__relation_{}", name);
            quote!(&<#ident>::#hidden.def)
        }
    });
    let opt = |n: &Option<SqlIdent>| match n {
        Some(n) => {
            let n = lit(&n.value);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    };
    let names = |cs: &[SqlIdent]| {
        let cs = cs.iter().map(|c| lit(&c.value));
        quote!(&[#(#cs),*])
    };
    let constraints = model.constraints.iter().map(|c| match c {
        TableConstraint::Unique { name, columns } => {
            let (name, columns) = (opt(name), names(columns));
            quote!(#rt::Constraint::Unique { name: #name, columns: #columns })
        }
        TableConstraint::ExactlyOne { name, columns } => {
            let (name, columns) = (lit(&name.value), names(columns));
            quote!(#rt::Constraint::ExactlyOne { name: #name, columns: #columns })
        }
        TableConstraint::Check { name, sql } => {
            let (name, sql) = (opt(name), lit(sql));
            quote!(#rt::Constraint::Check { name: #name, sql: #sql })
        }
    });
    let indexes = model.indexes.iter().map(|i| {
        let (name, columns, unique) = (lit(&i.name.value), names(&i.columns), i.unique);
        quote!(#rt::Index { name: #name, columns: #columns, unique: #unique })
    });
    let version = match model.version.as_ref().and_then(|v| model.columns.iter().position(|c| c.field == *v)) {
        Some(i) => quote!(::core::option::Option::Some(#i)),
        None => quote!(::core::option::Option::None),
    };
    let hooks = model.hooks.is_some();
    let position = |i: Option<usize>| match i {
        Some(i) => quote!(::core::option::Option::Some(#i)),
        None => quote!(::core::option::Option::None),
    };
    let (soft_delete, tenant) = (position(model.soft_delete), position(model.tenant));
    let deferred: u64 =
        model.columns.iter().enumerate().filter(|(i, c)| c.deferred && *i < 64).map(|(i, _)| 1u64 << i).sum();
    quote! {
        &#rt::Table {
            name: #name,
            columns: &[#(#columns),*],
            auto_key: #auto_key,
            foreign_keys: &[#(#fks),*],
            constraints: &[#(#constraints),*],
            indexes: &[#(#indexes),*],
            relations: {
                fn __relations() -> &'static [&'static #rt::RelationDef] {
                    const RELATIONS: &[&#rt::RelationDef] = &[#(#defs),*];
                    RELATIONS
                }
                __relations
            },
            version: #version,
            hooks: #hooks,
            deferred: #deferred,
            soft_delete: #soft_delete,
            tenant: #tenant,
        }
    }
}

/// A plain association table: `(local, remote)` columns, composite key, two foreign keys.
pub fn association(
    owner: &syn::Ident,
    owner_table: &str,
    target: &syn::Path,
    name: &SqlIdent,
    local: &SqlIdent,
    remote: &SqlIdent,
) -> TokenStream {
    let rt = rt();
    let (name, local, remote) = (lit(&name.value), lit(&local.value), lit(&remote.value));
    let owner_table = lit(owner_table);
    let col = |c: &syn::LitStr, model: TokenStream| {
        quote! {
            #rt::ColumnDef {
                name: #c,
                sql_type: #rt::sql_type::<<#model as #rt::Model>::Key>(),
                nullable: false,
                primary_key: true,
                unique: false,
                index: false,
                default: #rt::ColumnDefault::None,
                validate: ::core::option::Option::None,
            }
        }
    };
    let (lc, rc) = (col(&local, quote!(#owner)), col(&remote, quote!(#target)));
    quote! {
        #rt::Table {
            foreign_keys: &[
                #rt::ForeignKey {
                    columns: &[#local],
                    references: #owner_table,
                    target_columns: &[#rt::key_column::<#owner>()],
                    on_delete: #rt::OnDelete::Unset,
                },
                #rt::ForeignKey {
                    columns: &[#remote],
                    references: <#target as #rt::Model>::TABLE_NAME,
                    target_columns: &[#rt::key_column::<#target>()],
                    on_delete: #rt::OnDelete::Unset,
                },
            ],
            ..#rt::Table::plain(#name, &[#lc, #rc])
        }
    }
}
