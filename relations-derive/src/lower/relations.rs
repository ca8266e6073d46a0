//! The relationships with more to them than one foreign key: `many_to_many` (a link table or
//! an association model) and `self_ref`.

use darling::error::Accumulator;
use darling::Error;
use proc_macro2::Span;
use syn::{Ident, Path};

use super::options::*;
use super::util::*;
use crate::input::{self, NameArg};
use crate::ir::*;
use crate::naming;
use crate::types::{last_ident, wrapped};

pub(crate) fn lower_many_to_many(
    errors: &mut Accumulator,
    model: &mut Model,
    ident: Ident,
    target: Path,
    args: input::ManyToManyArgs,
    span: Span,
) {
    let owner = path_of(&model.ident);
    let target_ident = path_ident(&target).clone();
    let self_ref = target_ident == model.ident || target_ident == "Self";
    let target_table = if self_ref { model.table.value.clone() } else { naming::table_name(&target_ident.to_string()) };
    let name_or = |errors: &mut Accumulator, given: &Option<NameArg>, default: String, span: Span| match given {
        Some(n) => sql_ident(errors, n, "column"),
        None => SqlIdent { value: default, span },
    };
    let through = match &args.through {
        None => match &args.inverse {
            Some(inv) => Through::Inverse(inv.0.clone()),
            None => {
                errors.push(Error::custom(format!(
                    "`#[many_to_many({target_ident})]` needs its association table: add `through = <table>` (a plain table, e.g. `through = {}_{}`) or `through = <Model>` (an association model), or name the other side with `inverse = ...` if it declares `through`",
                    model.table.value, target_table
                ))
                .with_span(&span));
                return;
            }
        },
        Some(path) => {
            let through_ident = path_ident(&path.0);
            if self_ref && (args.local.is_none() || args.remote.is_none()) {
                errors.push(Error::custom(format!(
                    "a many-to-many from `{}` to itself cannot infer its two columns (both would be `{}_id`); name them, like `local = follower_id, remote = followed_id`",
                    model.ident, model.table.value
                ))
                .with_span(&span));
            }
            // the convention of every foreign key: `<model in snake_case>_id`
            let local = name_or(
                errors,
                &args.local,
                naming::foreign_key(&naming::table_name(&model.ident.to_string())),
                through_ident.span(),
            );
            let remote = name_or(errors, &args.remote, naming::foreign_key(&target_table), through_ident.span());
            if local.value == remote.value && !(self_ref && (args.local.is_none() || args.remote.is_none())) {
                errors.push(
                    Error::custom(format!(
                        "`local` and `remote` are both `{}`; the association table needs two distinct columns",
                        local.value
                    ))
                    .with_span(&remote.span),
                );
            }
            let is_model =
                path.0.segments.len() > 1 || through_ident.to_string().starts_with(|c: char| c.is_ascii_uppercase());
            if is_model {
                if *through_ident == model.ident || through_ident == "Self" {
                    errors.push(Error::custom(format!(
                        "`through = {through_ident}` names this model itself; the association is a third table: a plain one (`through = {}_{}`) or another model with two `belongs_to`",
                        model.table.value, target_table
                    ))
                    .with_span(through_ident));
                }
                Through::Model { model: path.0.clone(), local, remote }
            } else {
                let name = sql_ident(
                    errors,
                    &NameArg { value: through_ident.to_string(), span: through_ident.span() },
                    "table",
                );
                Through::Table { name, local, remote }
            }
        }
    };
    if let (Some(inv), Some(_), Some(b)) = (&args.inverse, &args.through, &args.backref) {
        errors.push(
            Error::custom(format!("give `inverse = {}` or `backref = {}`, not both", inv.0, b.0)).with_span(&b.0),
        );
    }
    if let Some(backref) = &args.backref {
        let table = match &through {
            Through::Table { name, local, remote } => {
                Some((TableRef::Declared { owner: model.ident.clone(), name: name.clone() }, local, remote))
            }
            Through::Model { model: m, local, remote } => Some((TableRef::Model(m.clone()), local, remote)),
            Through::Inverse(_) => None,
        };
        match table {
            Some((table, local, remote)) => {
                let kind = RelationKind::ManyToManyBackref { table, local: remote.clone(), remote: local.clone() };
                model.relations.push(Relation::backref(&backref.0, target.clone(), owner.clone(), kind));
            }
            None => errors.push(
                Error::custom(
                    "`backref` needs `through`: the side that declares the association table also declares its backref",
                )
                .with_span(&backref.0),
            ),
        }
    }
    let many_lazy = lazy(&mut model.soft_errors, args.lazy, "many_to_many");
    let many_cascade = cascade(&mut model.soft_errors, args.cascade, "many_to_many", span);
    let many_order = order_by(&mut model.soft_errors, args.order_by, "many_to_many");
    model.relations.push(Relation {
        name: ident,
        field: true,
        owner,
        target,
        kind: RelationKind::ManyToMany { through },
        inverse: args.inverse.map(|i| i.0),
        tree: None,
        lazy: many_lazy,
        cascade: many_cascade,
        passive_deletes: false,
        single_parent: false,
        order_by: many_order,
        span,
    });
}

pub(crate) fn lower_self_ref(
    errors: &mut Accumulator,
    model: &mut Model,
    field: &syn::Field,
    ident: Ident,
    args: input::SelfRefArgs,
    key: Option<Span>,
    span: Span,
) {
    let name = &model.ident;
    let Some(parent) = wrapped(&field.ty, "BelongsTo") else {
        errors.push(
            Error::custom(format!(
                "a `#[self_ref]` field must have type `BelongsTo<Option<{name}>>`, found `{}`",
                type_str(&field.ty)
            ))
            .with_span(&field.ty),
        );
        return;
    };
    let Some(inner) = wrapped(parent, "Option") else {
        errors.push(Error::custom(format!(
            "`#[self_ref]` needs a nullable foreign key: the root of the tree has no parent; write `BelongsTo<Option<{name}>>`"
        ))
        .with_span(parent));
        return;
    };
    if last_ident(inner).is_none_or(|i| i != name && i != "Self") {
        errors.push(Error::custom(format!(
            "`#[self_ref]` points at the model itself, `{name}`, but the field holds `BelongsTo<Option<{}>>`; for another model use `#[belongs_to]`",
            type_str(inner)
        ))
        .with_span(inner));
        return;
    }
    if let Some(k) = key {
        errors.push(Error::custom("`#[key]` cannot be combined with `#[self_ref]`: a parent link is nullable and cannot be part of the primary key").with_span(&k));
    }
    let column_name = args
        .column
        .clone()
        .unwrap_or_else(|| NameArg { value: naming::foreign_key(&ident.to_string()), span: ident.span() });
    let self_ref_on_delete = on_delete(&mut model.soft_errors, args.on_delete.clone(), true, parent);
    let children_cascade = cascade(&mut model.soft_errors, args.cascade.clone(), "self_ref", span);
    let passive_deletes = args.passive_deletes.is_present();
    if args.children.is_none() {
        if let Some(c) = &args.cascade {
            errors.push(Error::custom(format!(
                "`cascade` on `#[self_ref]` applies to the children of a row; name them with `children = ...` (e.g. `#[self_ref(children = reports, cascade = \"{}\")]`)",
                c.value
            )).with_span(&c.span));
        }
    }
    self_ref_checks(&mut model.soft_errors, &children_cascade, passive_deletes, self_ref_on_delete, span);
    model.columns.push(Column {
        field: ident.clone(),
        ty: field.ty.clone(),
        name: sql_ident(errors, &column_name, "column"),
        value: ColumnValue::ForeignKey {
            parent: Box::new(parent.clone()),
            model: Box::new(path_of(name)),
            self_ref: true,
            on_delete: self_ref_on_delete,
        },
        key: false,
        unique: false,
        index: args.index.is_present(),
        sql_type: None,
        default: None,
        nullable: true,
        span: ident.span(),
        part: None,
        validate: None,
        deferred: false,
    });
    let column_index = model.columns.len() - 1;
    let owner = path_of(name);
    if let Some(children) = &args.children {
        let kind = RelationKind::Children { column: model.columns[column_index].name.clone() };
        model.relations.push(Relation {
            cascade: children_cascade,
            passive_deletes,
            ..Relation::backref(&children.0, owner.clone(), owner.clone(), kind)
        });
    }
    let tree_name =
        |given: Option<input::IdentArg>, default: &str| given.map_or_else(|| Ident::new(default, span), |i| i.0);
    let self_ref_lazy = lazy(&mut model.soft_errors, args.lazy, "self_ref");
    model.relations.push(Relation {
        name: ident,
        field: true,
        owner: owner.clone(),
        target: owner,
        kind: RelationKind::BelongsTo { column: column_index },
        inverse: None,
        tree: Some((tree_name(args.ancestors, "ancestors"), tree_name(args.descendants, "descendants"))),
        lazy: self_ref_lazy,
        cascade: Cascade::default_at(span),
        passive_deletes: false,
        single_parent: false,
        order_by: Vec::new(),
        span,
    });
}
