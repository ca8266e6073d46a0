//! Reading the Rust types written in a model: what a field's type wraps, and what it names.

use syn::{Ident, Type};

/// `Wrapper<Inner>` → `Inner`.
pub fn wrapped<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// The last identifier of a type path (`crate::models::User` → `User`).
pub fn last_ident(ty: &Type) -> Option<&Ident> {
    match ty {
        Type::Path(tp) if tp.qself.is_none() => tp.path.segments.last().map(|s| &s.ident),
        Type::Group(g) => last_ident(&g.elem),
        _ => None,
    }
}
