//! Small helpers of the lowering: SQL identifiers checked, paths and types named.

use darling::error::Accumulator;
use darling::Error;
use syn::{Ident, Path, Type};

use crate::input::NameArg;
use crate::ir::*;
use crate::naming;
use crate::types::{last_ident, wrapped};

pub(crate) fn sql_ident(errors: &mut Accumulator, name: &NameArg, what: &str) -> SqlIdent {
    if let Some(why) = naming::invalid_identifier(&name.value) {
        errors.push(
            Error::custom(format!("`{}` is not a valid SQL {what} name: {why}", name.value)).with_span(&name.span),
        );
    }
    SqlIdent { value: name.value.clone(), span: name.span }
}

pub(crate) fn path_ident(path: &Path) -> &Ident {
    &path.segments.last().expect("a parsed path has a segment").ident
}

pub(crate) fn path_of(ident: &Ident) -> Path {
    Path::from(ident.clone())
}

pub(crate) fn type_str(ty: &Type) -> String {
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// Checks that a relationship field has type `Wrapper<Target>`; returns the inner type.
pub(crate) fn relation_type<'t>(
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
