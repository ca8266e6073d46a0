//! One field: its attributes read, and lowered into a column, a relationship, or both.

use darling::error::Accumulator;
use darling::Error;
use syn::spanned::Spanned;
use syn::Path;

use super::column::lower_column;
use super::options::*;
use super::relations::{lower_many_to_many, lower_self_ref};
use super::util::*;
use crate::input::{self, NameArg, RelationAttr};
use crate::ir::*;
use crate::naming;
use crate::types::{last_ident, wrapped};

pub(crate) fn lower_field(errors: &mut Accumulator, model: &mut Model, field: &syn::Field) {
    let ident = field.ident.clone().expect("named fields have identifiers");
    let attrs = input::field_attrs(&field.attrs, errors);
    if let Some((second, span)) = attrs.relations.get(1) {
        errors.push(Error::custom(format!(
            "`{ident}` already has `#[{}]`; a field holds exactly one relationship, so `#[{}]` needs a field of its own",
            attrs.relations[0].0.attr_name(),
            second.attr_name()
        ))
        .with_span(span));
    }
    if attrs.relation_failed && attrs.relations.is_empty() {
        return; // its attribute's error is reported; guessing a column would only add noise
    }
    let Some((relation, rel_span)) = attrs.relations.into_iter().next() else {
        if last_ident(&field.ty).is_some_and(|t| t == "Snapshot") {
            return lower_snapshot(errors, model, field, ident, attrs.key.is_some() || attrs.column.is_some());
        }
        if last_ident(&field.ty).is_some_and(|t| t == "Version") {
            lower_version(errors, model, field, &ident, attrs.key);
        }
        lower_column(errors, model, field, ident, attrs.key, attrs.column);
        return;
    };
    if let Some((_, span)) = &attrs.column {
        errors.push(Error::custom(format!(
            "`#[column]` cannot be combined with `#[{}]`: a relationship field is not a plain column{}",
            relation.attr_name(),
            if matches!(relation, RelationAttr::BelongsTo(..)) {
                "; give the foreign key's options in the relationship, like `#[belongs_to(User, column = owner_id, unique)]`"
            } else {
                ""
            }
        ))
        .with_span(span));
    }
    let is_key = attrs.key;
    if let (Some(span), false) = (is_key, matches!(relation, RelationAttr::BelongsTo(..))) {
        errors.push(Error::custom(format!(
            "`#[key]` cannot be combined with `#[{}]`: only a column, or a `belongs_to` foreign key, can be part of the primary key",
            relation.attr_name()
        ))
        .with_span(&span));
    }
    let owner = path_of(&model.ident);
    let model_ident = model.ident.clone();
    let refuses_self = |errors: &mut Accumulator, target: &Path, attr: &str| {
        let t = path_ident(target);
        if *t == model_ident || t == "Self" {
            errors.push(Error::custom(format!(
                "`#[{attr}({t})]` relates `{t}` to itself; a self-reference is declared with `#[self_ref]` on a `BelongsTo<Option<{m}>>` field, and its children with `#[self_ref(children = ...)]` or with `#[has_many({m}, inverse = <that field>)]`",
                m = model_ident
            ))
            .with_span(target));
            true
        } else {
            false
        }
    };
    let one = matches!(relation, RelationAttr::HasOne(..));
    match relation {
        RelationAttr::HasMany(target, args) | RelationAttr::HasOne(target, args) => {
            let (attr, wrapper) = if one { ("has_one", "HasOne") } else { ("has_many", "HasMany") };
            // to itself, only as the other side of a `#[self_ref]` field, named by `inverse`
            if args.inverse.is_none() && refuses_self(errors, &target, attr) {
                return;
            }
            relation_type(errors, field, attr, wrapper, &target);
            let lazy = lazy(&mut model.soft_errors, args.lazy.clone(), attr);
            let cascade = cascade(&mut model.soft_errors, args.cascade.clone(), attr, rel_span);
            let passive_deletes = args.passive_deletes.is_present();
            let order = order_by(&mut model.soft_errors, args.order_by.clone(), attr);
            let fk = fk_source(errors, args, &naming::table_name(&model_ident.to_string()), attr, rel_span);
            let inverse = match &fk {
                FkSource::Inverse(i) => Some(i.clone()),
                FkSource::Column { .. } => None,
            };
            let kind = if one { RelationKind::HasOne { fk } } else { RelationKind::HasMany { fk } };
            model.relations.push(Relation {
                inverse,
                name: ident,
                field: true,
                owner,
                target,
                kind,
                tree: None,
                lazy,
                cascade,
                passive_deletes,
                single_parent: false,
                order_by: order,
                span: rel_span,
            });
        }
        RelationAttr::BelongsTo(target, args) => {
            if refuses_self(errors, &target, "belongs_to") {
                return;
            }
            let Some(parent) = wrapped(&field.ty, "BelongsTo") else {
                let t = path_ident(&target);
                errors.push(Error::custom(format!(
                    "a `#[belongs_to({t})]` field must have type `BelongsTo<{t}>` (or `BelongsTo<Option<{t}>>` for a nullable foreign key), found `{}`",
                    type_str(&field.ty)
                ))
                .with_span(&field.ty));
                return;
            };
            let nullable = wrapped(parent, "Option").is_some();
            let parent_model = wrapped(parent, "Option").unwrap_or(parent);
            if last_ident(parent_model) != Some(path_ident(&target)) {
                errors.push(Error::custom(format!(
                    "`#[belongs_to({})]` relates to `{}`, but the field holds `BelongsTo<{}>`; make them the same model",
                    path_ident(&target),
                    path_ident(&target),
                    type_str(parent)
                ))
                .with_span(parent));
            }
            if let (Some(i), Some(b)) = (&args.inverse, &args.backref) {
                errors.push(Error::custom(format!(
                    "give `inverse = {}` (the parent's field already declares the other side) or `backref = {}` (generate the other side), not both",
                    i.0, b.0
                ))
                .with_span(&b.0));
            }
            let composite =
                args.columns.as_ref().map(|c| super::composite::columns(errors, &args, c, nullable, parent));
            if let (Some(_), Some(key)) = (&composite, is_key) {
                errors.push(
                    Error::custom("a composite foreign key cannot be part of the primary key here; key the model by its own columns")
                        .with_span(&key),
                );
            }
            let column_name = args.column.clone().unwrap_or_else(|| NameArg {
                value: naming::foreign_key(&naming::table_name(&path_ident(&target).to_string())),
                span: target.span(),
            });
            let on_delete = on_delete(&mut model.soft_errors, args.on_delete.clone(), nullable, parent);
            let column = Column {
                field: ident.clone(),
                ty: field.ty.clone(),
                name: sql_ident(errors, &column_name, "column"),
                value: ColumnValue::ForeignKey {
                    parent: Box::new(parent.clone()),
                    model: Box::new(target.clone()),
                    self_ref: false,
                    on_delete,
                },
                key: is_key.is_some(),
                unique: args.unique.is_present(),
                index: args.index.is_present(),
                sql_type: None,
                default: None,
                nullable,
                span: ident.span(),
                part: None,
                validate: None,
                deferred: false,
            };
            let column_index = model.columns.len();
            match composite {
                // one column per part of the parent's key, in its order (fewer than two is
                // reported; the one column stands in, so that the field still has a column)
                Some(names) if names.len() >= 2 => {
                    let n = names.len();
                    for (k, name) in names.into_iter().enumerate() {
                        model.columns.push(Column {
                            name,
                            part: Some((k, n)),
                            validate: None,
                            deferred: false,
                            value: ColumnValue::ForeignKey {
                                parent: Box::new(parent.clone()),
                                model: Box::new(target.clone()),
                                self_ref: false,
                                on_delete,
                            },
                            ..column.clone()
                        });
                    }
                }
                _ => model.columns.push(column),
            }
            if let Some(owner) = &args.owner {
                super::owners::member(errors, model, &ident, column_index, &target, &owner.0, nullable, parent);
            }
            let belongs_to_lazy = lazy(&mut model.soft_errors, args.lazy.clone(), "belongs_to");
            let belongs_to_cascade = many_to_one_cascade(
                &mut model.soft_errors,
                args.cascade.clone(),
                args.single_parent.is_present(),
                rel_span,
                &target,
                &model.ident,
            );
            if let Some(backref) = &args.backref {
                let kind = RelationKind::Children { column: model.columns[column_index].name.clone() };
                model.relations.push(Relation::backref(&backref.0, target.clone(), owner.clone(), kind));
            }
            model.relations.push(Relation {
                name: ident,
                field: true,
                owner,
                target,
                kind: RelationKind::BelongsTo { column: column_index },
                inverse: args.inverse.map(|i| i.0),
                tree: None,
                lazy: belongs_to_lazy,
                cascade: belongs_to_cascade,
                passive_deletes: false,
                single_parent: args.single_parent.is_present(),
                order_by: Vec::new(),
                span: rel_span,
            });
        }
        RelationAttr::ManyToMany(target, args) => {
            relation_type(errors, field, "many_to_many", "ManyToMany", &target);
            lower_many_to_many(errors, model, ident, target, args, rel_span);
        }
        RelationAttr::SelfRef(args) => {
            lower_self_ref(errors, model, field, ident, args, is_key, rel_span);
        }
    }
}

/// A `relations::Snapshot` field: not a column, but the values the row was loaded with, so
/// that an update writes only what changed.
fn lower_snapshot(
    errors: &mut Accumulator,
    model: &mut Model,
    field: &syn::Field,
    ident: syn::Ident,
    attributed: bool,
) {
    if attributed {
        errors.push(
            Error::custom(format!(
                "`{ident}` is a `Snapshot`, the values the row was loaded with, not a column: remove `#[column]` / `#[key]` from it"
            ))
            .with_span(&field.ty),
        );
    }
    match &model.snapshot {
        Some(first) => errors.push(
            Error::custom(format!("`{first}` already keeps the row's snapshot; a model has one `Snapshot` field"))
                .with_span(&ident),
        ),
        None => model.snapshot = Some(ident),
    }
}

/// A `relations::Version` field: a column (`INTEGER NOT NULL`) that counts the row's versions,
/// SQLAlchemy's `version_id_col`.
fn lower_version(
    errors: &mut Accumulator,
    model: &mut Model,
    field: &syn::Field,
    ident: &syn::Ident,
    key: Option<proc_macro2::Span>,
) {
    if key.is_some() {
        errors.push(
            Error::custom(format!(
                "`{ident}` is a `Version`, the row's version counter, which changes at every update: it cannot be part of the primary key; remove `#[key]`"
            ))
            .with_span(&field.ty),
        );
        return;
    }
    match &model.version {
        Some(first) => errors.push(
            Error::custom(format!("`{first}` already counts the row's versions; a model has one `Version` field"))
                .with_span(ident),
        ),
        None => model.version = Some(ident.clone()),
    }
}
