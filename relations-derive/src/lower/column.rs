//! A plain field's `#[column(...)]`: name, type overrides, defaults, constraints.

use darling::error::Accumulator;
use darling::Error;
use proc_macro2::Span;
use syn::Ident;

use super::util::*;
use crate::input::{self};
use crate::ir::*;
use crate::types::{last_ident, wrapped};

pub(crate) fn lower_column(
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
    // a `Deferred<T>` field is a column of `T`, left out of loads unless asked for
    let deferred = wrapped(&field.ty, "Deferred");
    let column_ty = deferred.unwrap_or(&field.ty);
    if let (Some(k), Some(_)) = (key, deferred) {
        errors.push(
            Error::custom(format!(
                "`{ident}` is `Deferred`, left out of loads, but a row is found by its key: a key column is always loaded; use the value type itself"
            ))
            .with_span(&k),
        );
    }
    if deferred.is_some() && model.columns.len() >= 64 {
        errors.push(
            Error::custom(format!(
                "`{ident}` is column {} of the model; only its first 64 columns can be `Deferred`: declare it earlier",
                model.columns.len() + 1
            ))
            .with_span(&field.ty),
        );
    }
    let nullable = wrapped(column_ty, "Option").is_some();
    let value_ty = wrapped(column_ty, "Option").unwrap_or(column_ty);
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
        ty: column_ty.clone(),
        deferred: deferred.is_some(),
        name,
        value: ColumnValue::Plain,
        key: key.is_some(),
        unique: args.unique.is_present(),
        index: args.index.is_present(),
        sql_type,
        default,
        validate: args.validate.map(|p| p.0),
        nullable,
        span: ident.span(),
        part: None,
    });
}
