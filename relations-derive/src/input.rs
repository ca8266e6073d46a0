//! Reading the attributes: one darling args struct per attribute, no validation beyond syntax.

use darling::util::{Flag, SpannedValue};
use darling::{FromMeta, Result};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Path};

/// A name given as an identifier (`table = orders`) or a string (`table = "orders"`).
#[derive(Debug, Clone)]
pub struct NameArg {
    pub value: String,
    pub span: Span,
}

impl FromMeta for NameArg {
    fn from_expr(expr: &Expr) -> Result<Self> {
        match expr {
            Expr::Path(p) if p.path.get_ident().is_some() => {
                let ident = p.path.get_ident().expect("checked by the guard");
                Ok(NameArg { value: ident.to_string().trim_start_matches("r#").to_string(), span: ident.span() })
            }
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Ok(NameArg { value: s.value(), span: s.span() }),
            Expr::Group(g) => NameArg::from_expr(&g.expr),
            other => Err(darling::Error::custom("expected a name, like `user_id` or \"user_id\"").with_span(other)),
        }
    }
}

/// An identifier naming a field or accessor: `inverse = author`.
#[derive(Debug, Clone)]
pub struct IdentArg(pub Ident);

impl FromMeta for IdentArg {
    fn from_expr(expr: &Expr) -> Result<Self> {
        match expr {
            Expr::Path(p) if p.path.get_ident().is_some() => Ok(IdentArg(p.path.get_ident().expect("guarded").clone())),
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => s
                .parse::<Ident>()
                .map(IdentArg)
                .map_err(|_| darling::Error::custom("expected an identifier, like `author`").with_span(s)),
            Expr::Group(g) => IdentArg::from_expr(&g.expr),
            other => Err(darling::Error::custom("expected an identifier, like `author`").with_span(other)),
        }
    }
}

/// A path: `through = enrollments` or `through = BookLoan`.
#[derive(Debug, Clone)]
pub struct PathArg(pub Path);

impl FromMeta for PathArg {
    fn from_expr(expr: &Expr) -> Result<Self> {
        match expr {
            Expr::Path(p) => Ok(PathArg(p.path.clone())),
            Expr::Group(g) => PathArg::from_expr(&g.expr),
            other => Err(darling::Error::custom("expected a table name or a model type").with_span(other)),
        }
    }
}

/// `#[model(...)]` on the struct.
#[derive(Debug, Default, FromMeta)]
pub struct ModelArgs {
    /// The table name (default: the struct name in snake_case).
    pub table: Option<NameArg>,
    /// Do not generate `Default`.
    pub no_default: Flag,
}

/// `numeric(precision = 10, scale = 2)`.
#[derive(Debug, FromMeta)]
pub struct NumericArgs {
    pub precision: SpannedValue<u8>,
    pub scale: SpannedValue<u8>,
}

/// `#[column(...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct ColumnArgs {
    pub name: Option<NameArg>,
    pub unique: Flag,
    pub index: Flag,
    pub len: Option<SpannedValue<u32>>,
    pub text: Flag,
    pub numeric: Option<SpannedValue<NumericArgs>>,
    pub default: Option<Expr>,
}

/// `#[has_many(Target, ...)]` and `#[has_one(Target, ...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct HasArgs {
    pub inverse: Option<IdentArg>,
    pub foreign_key: Option<NameArg>,
}

/// `#[belongs_to(Parent, ...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct BelongsToArgs {
    pub column: Option<NameArg>,
    pub inverse: Option<IdentArg>,
    pub backref: Option<IdentArg>,
    pub unique: Flag,
    pub index: Flag,
}

/// `#[many_to_many(Target, ...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct ManyToManyArgs {
    pub through: Option<PathArg>,
    pub local: Option<NameArg>,
    pub remote: Option<NameArg>,
    pub inverse: Option<IdentArg>,
    pub backref: Option<IdentArg>,
}

/// `#[self_ref(...)]` (no target: the model itself).
#[derive(Debug, Default, FromMeta)]
pub struct SelfRefArgs {
    pub children: Option<IdentArg>,
    pub column: Option<NameArg>,
    pub ancestors: Option<IdentArg>,
    pub descendants: Option<IdentArg>,
}

/// A relationship attribute as written.
pub enum RelationAttr {
    HasMany(Path, HasArgs),
    HasOne(Path, HasArgs),
    BelongsTo(Path, BelongsToArgs),
    ManyToMany(Path, ManyToManyArgs),
    SelfRef(SelfRefArgs),
}

impl RelationAttr {
    pub fn attr_name(&self) -> &'static str {
        match self {
            RelationAttr::HasMany(..) => "has_many",
            RelationAttr::HasOne(..) => "has_one",
            RelationAttr::BelongsTo(..) => "belongs_to",
            RelationAttr::ManyToMany(..) => "many_to_many",
            RelationAttr::SelfRef(..) => "self_ref",
        }
    }
}

/// The attributes of one field, parsed.
pub struct FieldAttrs {
    pub key: Option<Span>,
    pub column: Option<(ColumnArgs, Span)>,
    pub relations: Vec<(RelationAttr, Span)>,
}

pub const RELATION_ATTRS: [&str; 5] = ["has_many", "has_one", "belongs_to", "many_to_many", "self_ref"];

/// Parses the attributes of a field that belong to this derive; errors go to `errors`.
pub fn field_attrs(attrs: &[syn::Attribute], errors: &mut darling::error::Accumulator) -> FieldAttrs {
    let mut out = FieldAttrs { key: None, column: None, relations: Vec::new() };
    for attr in attrs {
        let Some(name) = attr.path().get_ident().map(ToString::to_string) else { continue };
        let span = attr.path().span();
        match name.as_str() {
            "key" => {
                if let Err(e) = attr.meta.require_path_only() {
                    errors.push(darling::Error::custom("`#[key]` takes no arguments; write `#[key]`").with_span(&e.span()));
                } else if out.key.is_some() {
                    errors.push(darling::Error::custom("duplicate `#[key]` attribute").with_span(&span));
                } else {
                    out.key = Some(span);
                }
            }
            "column" => {
                let parsed = match &attr.meta {
                    syn::Meta::Path(_) => Ok(ColumnArgs::default()),
                    meta => ColumnArgs::from_meta(meta),
                };
                if let Some(args) = errors.handle(parsed.map_err(|e| e.with_span(&attr.meta))) {
                    if out.column.is_some() {
                        errors.push(darling::Error::custom("duplicate `#[column]` attribute; put every option in one `#[column(...)]`").with_span(&span));
                    } else {
                        out.column = Some((args, span));
                    }
                }
            }
            n if RELATION_ATTRS.contains(&n) => {
                if let Some(rel) = errors.handle(relation_attr(n, attr)) {
                    out.relations.push((rel, span));
                }
            }
            _ => {}
        }
    }
    out
}

fn relation_attr(name: &str, attr: &syn::Attribute) -> Result<RelationAttr> {
    let nested = match &attr.meta {
        syn::Meta::Path(_) => Vec::new(),
        syn::Meta::List(list) => darling::ast::NestedMeta::parse_meta_list(list.tokens.clone())?,
        syn::Meta::NameValue(nv) => {
            return Err(darling::Error::custom(format!("write `#[{name}(...)]`, not `#[{name} = ...]`")).with_span(nv))
        }
    };
    if name == "self_ref" {
        return Ok(RelationAttr::SelfRef(SelfRefArgs::from_list(&nested)?));
    }
    // The target comes first, as a bare path: `#[has_many(Post, inverse = author)]`.
    let (target, rest) = match nested.split_first() {
        Some((darling::ast::NestedMeta::Meta(syn::Meta::Path(p)), rest)) => (p.clone(), rest),
        _ => {
            return Err(darling::Error::custom(format!(
                "`#[{name}]` needs the related model first, like `#[{name}(Post)]`"
            ))
            .with_span(&attr.meta))
        }
    };
    Ok(match name {
        "has_many" => RelationAttr::HasMany(target, HasArgs::from_list(rest)?),
        "has_one" => RelationAttr::HasOne(target, HasArgs::from_list(rest)?),
        "belongs_to" => RelationAttr::BelongsTo(target, BelongsToArgs::from_list(rest)?),
        _ => RelationAttr::ManyToMany(target, ManyToManyArgs::from_list(rest)?),
    })
}
