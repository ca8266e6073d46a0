//! Attributes → IR: conventions applied, every mistake collected into one accumulator.

use darling::error::Accumulator;
use darling::{Error, FromMeta};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Path, Type};

use crate::input::{self, NameArg, RelationAttr};
use crate::ir::*;
use crate::naming;
use crate::types::{last_ident, wrapped};

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
        if let Some(args) = errors.handle(parsed) {
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
        soft_errors: Vec::new(),
    };

    for field in fields.into_iter().flatten() {
        lower_field(&mut errors, &mut model, field);
    }
    if fields.is_some() {
        crate::check::model(&mut errors, &mut model);
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

fn sql_ident(errors: &mut Accumulator, name: &NameArg, what: &str) -> SqlIdent {
    if let Some(why) = naming::invalid_identifier(&name.value) {
        errors.push(
            Error::custom(format!("`{}` is not a valid SQL {what} name: {why}", name.value)).with_span(&name.span),
        );
    }
    SqlIdent { value: name.value.clone(), span: name.span }
}

fn path_ident(path: &Path) -> &Ident {
    &path.segments.last().expect("a parsed path has a segment").ident
}

fn path_of(ident: &Ident) -> Path {
    Path::from(ident.clone())
}

fn type_str(ty: &Type) -> String {
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// Checks that a relationship field has type `Wrapper<Target>`; returns the inner type.
fn relation_type<'t>(
    errors: &mut Accumulator,
    field: &'t syn::Field,
    attr: &str,
    wrapper: &str,
    target: &Path,
) -> Option<&'t Type> {
    let t = path_ident(target);
    let Some(inner) = wrapped(&field.ty, wrapper) else {
        errors.push(
            Error::custom(format!(
                "a `#[{attr}({t})]` field must have type `{wrapper}<{t}>`, found `{}`",
                type_str(&field.ty)
            ))
            .with_span(&field.ty),
        );
        return None;
    };
    if last_ident(inner) != Some(t) {
        errors.push(
            Error::custom(format!(
                "`#[{attr}({t})]` relates to `{t}`, but the field holds `{wrapper}<{}>`; make them the same model",
                type_str(inner)
            ))
            .with_span(inner),
        );
    }
    Some(inner)
}

fn lower_field(errors: &mut Accumulator, model: &mut Model, field: &syn::Field) {
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
            let column_name = args.column.clone().unwrap_or_else(|| NameArg {
                value: naming::foreign_key(&naming::table_name(&path_ident(&target).to_string())),
                span: target.span(),
            });
            let column = Column {
                field: ident.clone(),
                ty: field.ty.clone(),
                name: sql_ident(errors, &column_name, "column"),
                value: ColumnValue::ForeignKey {
                    parent: Box::new(parent.clone()),
                    model: Box::new(target.clone()),
                    self_ref: false,
                    on_delete: on_delete(&mut model.soft_errors, args.on_delete.clone(), nullable, parent),
                },
                key: is_key.is_some(),
                unique: args.unique.is_present(),
                index: args.index.is_present(),
                sql_type: None,
                default: None,
                nullable,
                span: ident.span(),
            };
            model.columns.push(column);
            let column_index = model.columns.len() - 1;
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

/// `lazy = ...`: one of SQLAlchemy's strategy names; `dynamic` only on a collection.
/// A mistake here is reported without giving up the model: the default strategy stands in, so
/// the rest of the expansion (and the other models' checks against it) still compile.
fn lazy(errors: &mut Vec<Error>, arg: Option<NameArg>, attr: &str) -> Lazy {
    let Some(arg) = arg else { return Lazy::Select };
    let Some(&(_, lazy)) = Lazy::NAMES.iter().find(|(n, _)| *n == arg.value) else {
        let names: Vec<String> = Lazy::NAMES.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        errors.push(
            Error::custom(format!(
                "unknown loading strategy `lazy = \"{}\"`; the strategies are {}",
                arg.value,
                names.join(", ")
            ))
            .with_span(&arg.span),
        );
        return Lazy::Select;
    };
    if lazy == Lazy::Dynamic && !matches!(attr, "has_many" | "many_to_many") {
        errors.push(
            Error::custom(format!(
                "`lazy = \"dynamic\"` makes a collection's accessor a query; `#[{attr}]` loads one row, so use `\"select\"`, `\"joined\"`, `\"selectin\"` or `\"raise\"`"
            ))
            .with_span(&arg.span),
        );
        return Lazy::Select;
    }
    lazy
}

/// `cascade = "..."`: SQLAlchemy's words, comma-separated. Mistakes are soft: the default
/// (`save-update`) stands in.
fn cascade(errors: &mut Vec<Error>, arg: Option<NameArg>, attr: &str, span: Span) -> Cascade {
    let mut c = Cascade::default_at(span);
    let Some(arg) = arg else { return c };
    c = Cascade { save_update: false, delete: false, delete_orphan: false, span: arg.span };
    let mut ok = true;
    for word in arg.value.split(',').map(str::trim) {
        match word {
            "save-update" => c.save_update = true,
            "delete" => c.delete = true,
            "delete-orphan" => c.delete_orphan = true,
            "all" => {
                c.save_update = true;
                c.delete = true;
            }
            "merge" | "refresh-expire" | "expunge" => {
                ok = false;
                errors.push(Error::custom(format!(
                    "`{word}` is a cascade of SQLAlchemy's session, which `relations` does not have; drop it (the cascades are \"save-update\", \"delete\", \"delete-orphan\" and \"all\")"
                )).with_span(&arg.span));
            }
            _ => {
                ok = false;
                errors.push(Error::custom(format!(
                    "unknown cascade `{word}`; the cascades are \"save-update\", \"delete\", \"delete-orphan\" and \"all\", comma-separated, like `cascade = \"all, delete-orphan\"`"
                )).with_span(&arg.span));
            }
        }
    }
    if attr == "many_to_many" && (c.delete || c.delete_orphan) {
        ok = false;
        let what = if c.delete_orphan { "delete-orphan" } else { "delete" };
        errors.push(Error::custom(format!(
            "a many-to-many cannot cascade `{what}`: the rows it links are shared with other owners. Deleting either side already removes its association rows; use `cascade = \"save-update\"`, or a `has_many` to an association model to own the links"
        )).with_span(&arg.span));
    }
    if ok {
        c
    } else {
        Cascade::default_at(span)
    }
}

/// `cascade = "..."` on a `belongs_to`: only the many-to-one `delete-orphan` (SQLAlchemy's
/// `single_parent=True`), with or without `delete`; every other cascade acts from the parent's
/// side and belongs there. Mistakes are soft: the default stands in.
fn many_to_one_cascade(
    errors: &mut Vec<Error>,
    arg: Option<NameArg>,
    single_parent: bool,
    span: Span,
    target: &Path,
    owner: &Ident,
) -> Cascade {
    let Some(given) = arg.clone() else { return Cascade::default_at(span) };
    let c = cascade(errors, arg, "belongs_to", span);
    let t = path_ident(target);
    if !c.delete_orphan {
        if c.delete || given.value.split(',').any(|w| w.trim() == "save-update") {
            errors.push(Error::custom(format!(
                "`cascade` on a `belongs_to` would act on the parent `{t}` from its child; cascades go on the parent's side, `#[has_many({owner}, cascade = \"{}\")]` on `{t}`. On this side only the many-to-one `cascade = \"delete-orphan\"` (with `single_parent`) exists: it deletes the `{t}` row this row lets go of",
                given.value
            )).with_span(&given.span));
        }
        return Cascade::default_at(span);
    }
    if !single_parent {
        errors.push(Error::custom(format!(
            "a many-to-one `delete-orphan` deletes the `{t}` row this row lets go of, which is only safe if no other row points at it: add `single_parent`, like `#[belongs_to({t}, cascade = \"{}\", single_parent)]`",
            given.value
        )).with_span(&given.span));
        return Cascade::default_at(span);
    }
    c
}

/// `order_by = "created_at desc, title"`: columns of the target, each `asc` (the default)
/// or `desc`. Mistakes are soft: key order stands in.
fn order_by(errors: &mut Vec<Error>, arg: Option<NameArg>, attr: &str) -> Vec<(SqlIdent, bool)> {
    let Some(arg) = arg else { return Vec::new() };
    if attr == "has_one" {
        errors.push(
            Error::custom("`order_by` orders a collection's rows; a `has_one` has one row, so drop it")
                .with_span(&arg.span),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for term in arg.value.split(',') {
        let words: Vec<&str> = term.split_whitespace().collect();
        let (column, descending) = match words.as_slice() {
            [c] => (*c, false),
            [c, dir] if dir.eq_ignore_ascii_case("asc") => (*c, false),
            [c, dir] if dir.eq_ignore_ascii_case("desc") => (*c, true),
            _ => {
                errors.push(Error::custom(format!(
                    "`order_by` takes columns of the related model, each optionally followed by `asc` or `desc`, comma-separated, like `order_by = \"created_at desc, id\"`; `{}` is not one",
                    term.trim()
                )).with_span(&arg.span));
                return Vec::new();
            }
        };
        if let Some(why) = naming::invalid_identifier(column) {
            errors.push(
                Error::custom(format!("`{column}` in `order_by` is not a valid SQL column name: {why}"))
                    .with_span(&arg.span),
            );
            return Vec::new();
        }
        out.push((SqlIdent { value: column.to_string(), span: arg.span }, descending));
    }
    out
}

/// `on_delete = "..."` on a foreign key. Mistakes are soft: no clause stands in.
fn on_delete(errors: &mut Vec<Error>, arg: Option<NameArg>, nullable: bool, parent: &Type) -> OnDelete {
    let Some(arg) = arg else { return OnDelete::Unset };
    let Some(&(_, action)) = OnDelete::NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(&arg.value)) else {
        errors.push(
            Error::custom(format!(
            "unknown `on_delete = \"{}\"`; the actions are \"cascade\", \"set null\", \"restrict\" and \"no action\"",
            arg.value
        ))
            .with_span(&arg.span),
        );
        return OnDelete::Unset;
    };
    if action == OnDelete::SetNull && !nullable {
        errors.push(Error::custom(format!(
            "`on_delete = \"set null\"` needs a nullable foreign key, but `BelongsTo<{}>` is NOT NULL; write `BelongsTo<Option<{}>>`, or use `on_delete = \"cascade\"`",
            type_str(parent), type_str(parent)
        )).with_span(&arg.span));
        return OnDelete::Unset;
    }
    action
}

/// A self-reference's children cascade against its own foreign key's `on_delete`.
fn self_ref_checks(errors: &mut Vec<Error>, cascade: &Cascade, passive: bool, on_delete: OnDelete, span: Span) {
    if cascade.delete && on_delete == OnDelete::Restrict {
        errors.push(Error::custom(
            "`cascade` deletes the children, but `on_delete = \"restrict\"` makes the database refuse exactly that; drop one of them",
        ).with_span(&cascade.span));
    }
    if passive && !matches!(on_delete, OnDelete::Cascade | OnDelete::SetNull) {
        errors.push(Error::custom(
            "`passive_deletes` leaves the children to the database, but this foreign key has no `on_delete` action to do it; add `on_delete = \"cascade\"` or `on_delete = \"set null\"`",
        ).with_span(&span));
    }
}

/// Where a `has_many` / `has_one` finds its foreign key: `inverse`, `foreign_key`, or the
/// convention, `<owner model in snake_case>_id` — the name a `belongs_to` gives its column.
fn fk_source(errors: &mut Accumulator, args: input::HasArgs, owner_name: &str, attr: &str, span: Span) -> FkSource {
    match (args.inverse, args.foreign_key) {
        (Some(i), Some(fk)) => {
            errors.push(
                Error::custom(format!(
                    "`#[{attr}]` takes the foreign key from `inverse = {}`; drop `foreign_key` or drop `inverse`",
                    i.0
                ))
                .with_span(&fk.span),
            );
            FkSource::Inverse(i.0)
        }
        (Some(i), None) => FkSource::Inverse(i.0),
        (None, Some(fk)) => FkSource::Column { column: sql_ident(errors, &fk, "column"), given: true },
        (None, None) => {
            FkSource::Column { column: SqlIdent { value: naming::foreign_key(owner_name), span }, given: false }
        }
    }
}

fn lower_many_to_many(
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

fn lower_self_ref(
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
        index: false,
        sql_type: None,
        default: None,
        nullable: true,
        span: ident.span(),
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

fn lower_column(
    errors: &mut Accumulator,
    model: &mut Model,
    field: &syn::Field,
    ident: Ident,
    key: Option<Span>,
    column: Option<(input::ColumnArgs, Span)>,
) {
    for (wrapper, attr) in
        [("HasMany", "has_many"), ("HasOne", "has_one"), ("ManyToMany", "many_to_many"), ("BelongsTo", "belongs_to")]
    {
        if let Some(inner) = wrapped(&field.ty, wrapper) {
            errors.push(
                Error::custom(format!(
                    "a `{wrapper}` field needs its relationship attribute: add `#[{attr}({})]`",
                    type_str(wrapped(inner, "Option").unwrap_or(inner))
                ))
                .with_span(&field.ty),
            );
            return;
        }
    }
    let args = column.map(|(a, _)| a).unwrap_or_default();
    let nullable = wrapped(&field.ty, "Option").is_some();
    let value_ty = wrapped(&field.ty, "Option").unwrap_or(&field.ty);
    let value_name = last_ident(value_ty).map(ToString::to_string).unwrap_or_default();
    let name = match &args.name {
        Some(n) => sql_ident(errors, n, "column"),
        None => SqlIdent { value: ident.to_string().trim_start_matches("r#").to_string(), span: ident.span() },
    };
    // mistakes in the column's options are soft: the Rust type's own SQL type (no default)
    // stands in, so the model's other items, its relationships too, are still generated and
    // one mistake does not echo at every use of the model
    let soft = &mut model.soft_errors;
    let mut sql_type = None;
    if let Some(len) = &args.len {
        if value_name != "String" {
            soft.push(
                Error::custom(format!(
                    "`len` declares `VARCHAR(n)`, which holds a `String`; `{ident}` is `{}`",
                    type_str(&field.ty)
                ))
                .with_span(&len.span()),
            );
        } else if **len == 0 {
            soft.push(
                Error::custom(
                    "`len = 0` would make a column that holds nothing; give the maximum length, like `len = 80`",
                )
                .with_span(&len.span()),
            );
        }
        sql_type = Some(SqlTypeOverride::Varchar(**len));
    }
    if args.text.is_present() {
        if value_name != "String" {
            soft.push(
                Error::custom(format!(
                    "`text` declares `TEXT`, which holds a `String`; `{ident}` is `{}`",
                    type_str(&field.ty)
                ))
                .with_span(&args.text.span()),
            );
        }
        if args.len.is_some() {
            soft.push(
                Error::custom(
                    "`text` and `len` cannot be combined: a column is `TEXT` (unbounded) or `VARCHAR(len)`; drop one",
                )
                .with_span(&args.text.span()),
            );
        }
        sql_type = Some(SqlTypeOverride::Text);
    }
    if args.bigint.is_present() {
        if value_name != "i64" {
            soft.push(
                Error::custom(format!(
                    "`bigint` declares `BIGINT` (64 bits on every database), which holds an `i64`; `{ident}` is `{}`",
                    type_str(&field.ty)
                ))
                .with_span(&args.bigint.span()),
            );
        }
        sql_type = Some(SqlTypeOverride::BigInteger);
    }
    if let Some(numeric) = &args.numeric {
        let (p, s) = (*numeric.precision, *numeric.scale);
        if value_name != "Decimal" {
            soft.push(
                Error::custom(format!(
                    "`numeric` declares `NUMERIC(p, s)`, which holds a `rust_decimal::Decimal`; `{ident}` is `{}`",
                    type_str(&field.ty)
                ))
                .with_span(&numeric.span()),
            );
        }
        if p == 0 || p > 38 {
            soft.push(
                Error::custom(format!("`precision = {p}` is out of range; use 1 to 38 digits"))
                    .with_span(&numeric.precision.span()),
            );
        } else if s > p {
            soft.push(Error::custom(format!("`scale = {s}` exceeds `precision = {p}`: the scale counts digits after the point, out of the precision")).with_span(&numeric.scale.span()));
        }
        sql_type = Some(SqlTypeOverride::Numeric(p, s));
    }
    if let (Some(k), true) = (key, nullable) {
        errors.push(
            Error::custom(format!("a primary key cannot be NULL: `{ident}` is an `Option`; use the value type itself"))
                .with_span(&k),
        );
    }
    let mut default = args.default.map(|e| e.0).map(|e| match &e {
        syn::Expr::Path(p) if p.path.is_ident("now") => DefaultValue::Now,
        syn::Expr::Path(p) if p.path.is_ident("today") => DefaultValue::Today,
        _ => DefaultValue::Expr(e),
    });
    if let (Some(DefaultValue::Now | DefaultValue::Today), false) =
        (&default, matches!(value_name.as_str(), "NaiveDateTime" | "NaiveDate"))
    {
        soft.push(
            Error::custom(format!(
                "`default = now` fills a `NaiveDateTime` and `default = today` a `NaiveDate`; `{ident}` is `{}`",
                type_str(&field.ty)
            ))
            .with_span(&field.ty),
        );
        default = None;
    }
    model.columns.push(Column {
        field: ident.clone(),
        ty: field.ty.clone(),
        name,
        value: ColumnValue::Plain,
        key: key.is_some(),
        unique: args.unique.is_present(),
        index: args.index.is_present(),
        sql_type,
        default,
        nullable,
        span: ident.span(),
    });
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
