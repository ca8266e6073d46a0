//! Attributes → IR: conventions applied, every mistake collected into one accumulator.

mod column;
mod composite;
mod fields;
mod options;
mod owners;
mod relations;
mod table;
mod util;

use darling::{Error, FromMeta};
use syn::{Data, DeriveInput, Fields};

use crate::input::{self, NameArg};
use crate::ir::*;
use crate::naming;
use fields::lower_field;
use util::*;

/// Lowers a derive input into a validated model, or every error found in it.
pub fn lower(input: &DeriveInput) -> darling::Result<Model> {
    let mut errors = Error::accumulator();
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(&named.named),
            Fields::Unnamed(_) => {
                errors.push(
                    Error::custom(format!(
                        "`#[derive(Model)]` needs named fields, one per column: write `struct {} {{ id: i64, ... }}`",
                        input.ident
                    ))
                    .with_span(&input.ident),
                );
                None
            }
            Fields::Unit => {
                errors.push(
                    Error::custom(format!(
                        "`#[derive(Model)]` needs fields, one per column: write `struct {} {{ id: i64, ... }}`",
                        input.ident
                    ))
                    .with_span(&input.ident),
                );
                None
            }
        },
        Data::Enum(e) => {
            errors.push(
                Error::custom(
                    "`#[derive(Model)]` works on structs with named fields, not enums: a model is one table row",
                )
                .with_span(&e.enum_token),
            );
            None
        }
        Data::Union(u) => {
            errors.push(
                Error::custom("`#[derive(Model)]` works on structs with named fields, not unions")
                    .with_span(&u.union_token),
            );
            None
        }
    };
    if let Some(param) = input.generics.params.first() {
        errors.push(
            Error::custom("a model cannot be generic: a table has one fixed set of column types").with_span(param),
        );
    }

    let mut model_args = input::ModelArgs::default();
    let mut seen_model_attr = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("model")) {
        let parsed = match &attr.meta {
            syn::Meta::List(list) => {
                darling::ast::NestedMeta::parse_meta_list(list.tokens.clone()).map_err(Error::from).and_then(|nested| {
                    input::check_keys("model", &nested, input::MODEL_KEYS)?;
                    input::ModelArgs::from_list(&nested)
                })
            }
            meta => input::ModelArgs::from_meta(meta),
        };
        if std::mem::replace(&mut seen_model_attr, true) {
            errors.push(
                Error::custom("duplicate `#[model]` attribute; put every option in one `#[model(...)]`")
                    .with_span(attr.path()),
            );
        } else if let Some(args) = errors.handle(parsed) {
            model_args = args;
        }
    }
    let table_name = match &model_args.table {
        Some(name) => name.clone(),
        None => NameArg { value: naming::table_name(&input.ident.to_string()), span: input.ident.span() },
    };
    let table = sql_ident(&mut errors, &table_name, "table");
    let mut model = Model {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        table,
        columns: Vec::new(),
        relations: Vec::new(),
        auto_key: false,
        default_impl: !model_args.no_default.is_present(),
        serde: serde_flag(&mut errors, &model_args),
        hooks: model_args.hooks.is_present().then(|| model_args.hooks.span()),
        snapshot: None,
        version: None,
        soft_delete: None,
        tenant: None,
        soft_errors: Vec::new(),
        constraints: Vec::new(),
        indexes: Vec::new(),
        owners: Vec::new(),
    };

    for field in fields.into_iter().flatten() {
        lower_field(&mut errors, &mut model, field);
    }
    if fields.is_some() {
        crate::check::model(&mut errors, &mut model);
        table::table_args(&mut errors, &mut model, &model_args);
        composite::to_many(&mut errors, &model);
        owners::finish(&mut errors, &mut model);
    }
    // the soft mistakes are reported beside the hard ones too
    let soft = std::mem::take(&mut model.soft_errors);
    match errors.finish_with(model) {
        Ok(mut model) => {
            model.soft_errors = soft;
            Ok(model)
        }
        Err(hard) => Err(Error::multiple(std::iter::once(hard).chain(soft).collect())),
    }
}

/// `#[model(serde)]`: only with the `serde` feature, which brings the crate it needs.
fn serde_flag(errors: &mut darling::error::Accumulator, args: &crate::input::ModelArgs) -> bool {
    if !args.serde.is_present() {
        return false;
    }
    if cfg!(feature = "serde") {
        return true;
    }
    errors.push(
        Error::custom(
            "`#[model(serde)]` needs the `serde` feature: `relations = { version = \"0.1\", features = [\"serde\"] }`",
        )
        .with_span(&args.serde.span()),
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn model(tokens: proc_macro2::TokenStream) -> darling::Result<Model> {
        lower(&syn::parse2(tokens).expect("valid Rust"))
    }

    #[test]
    fn conventions_are_applied_in_the_ir() {
        let m = model(quote! {
            struct UserProfile {
                id: i64,
                #[belongs_to(User)]
                user: BelongsTo<User>,
                bio: Option<String>,
            }
        })
        .unwrap();
        assert_eq!(m.table.value, "user_profile");
        assert!(m.auto_key, "a single i64 `id` is assigned by the database");
        let names: Vec<&str> = m.columns.iter().map(|c| c.name.value.as_str()).collect();
        assert_eq!(names, ["id", "user_id", "bio"]);
        assert!(m.columns[0].key && !m.columns[0].nullable);
        assert!(m.columns[2].nullable, "Option<T> is a nullable column");
        assert!(matches!(m.relations[0].kind, RelationKind::BelongsTo { column: 1 }));
    }

    #[test]
    fn composite_keys_are_not_auto() {
        let m = model(quote! {
            struct Loan {
                #[key] #[belongs_to(Borrower)] borrower: BelongsTo<Borrower>,
                #[key] #[belongs_to(Book)] book: BelongsTo<Book>,
            }
        })
        .unwrap();
        assert_eq!(m.keys().count(), 2);
        assert!(!m.auto_key);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let err = model(quote! {
            #[model(table = "bad name")]
            struct User {
                #[column(len = 0)]
                name: String,
                #[column(uniqe)]
                email: String,
            }
        })
        .err()
        .expect("invalid");
        // the table name, `len = 0`, the unknown key, and the missing primary key
        assert_eq!(err.len(), 4, "{err}");
    }

    #[test]
    fn a_self_many_to_many_needs_its_columns() {
        let err = model(quote! {
            struct User { id: i64, #[many_to_many(User, through = follows)] followed: ManyToMany<User> }
        })
        .err()
        .expect("invalid");
        assert!(err.to_string().contains("local = follower_id"), "{err}");
    }
}
