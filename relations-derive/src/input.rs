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

/// A default value, kept exactly as written: `default = "pending"` is the string literal, not
/// the code inside it (darling parses a string given for a `syn::Expr`).
#[derive(Debug, Clone)]
pub struct ExprArg(pub Expr);

impl FromMeta for ExprArg {
    fn from_expr(expr: &Expr) -> Result<Self> {
        Ok(ExprArg(expr.clone()))
    }
}

/// `#[model(...)]` on the struct.
#[derive(Debug, Default, FromMeta)]
pub struct ModelArgs {
    /// The table name (default: the struct name in snake_case).
    pub table: Option<NameArg>,
    /// Do not generate `Default`.
    pub no_default: Flag,
    /// Generate `Serialize` and `Deserialize` (feature `serde`).
    pub serde: Flag,
    /// Run the model's `relations::Hooks` around its writes and loads.
    pub hooks: Flag,
    /// `soft_delete = deleted_at`: `delete` stamps this column instead, and every read leaves
    /// the stamped rows out.
    pub soft_delete: Option<NameArg>,
    /// `tenant = org_id`: the column that says whose the row is; a connection with a tenant
    /// reads only its rows and writes them with its tenant.
    pub tenant: Option<NameArg>,
    /// `unique(a, b)`: table-level unique constraints.
    #[darling(multiple)]
    pub unique: Vec<ColumnsArg>,
    /// `index(a, b)`: multi-column indexes.
    #[darling(multiple)]
    pub index: Vec<ColumnsArg>,
    /// `unique_index(a, b)`: multi-column unique indexes.
    #[darling(multiple)]
    pub unique_index: Vec<ColumnsArg>,
    /// `check("sql")`: check constraints.
    #[darling(multiple)]
    pub check: Vec<CheckArg>,
}

/// `unique("a", "b", name = "uq_x")`, `index("a", "b", name = "ix_x")`, `unique_index(..)`:
/// column names as strings (as SQLAlchemy's `UniqueConstraint('a', 'b')`; bare words repeated
/// across constraints would trip clippy's `duplicated_attributes`) and an optional name.
#[derive(Debug, Clone)]
pub struct ColumnsArg {
    pub columns: Vec<NameArg>,
    pub name: Option<NameArg>,
    /// Items that are neither: bare words (a column written without quotes), unknown keys.
    pub misplaced: Vec<(String, Span)>,
    /// The whole `unique(...)` / `index(...)`.
    pub span: Span,
}

impl FromMeta for ColumnsArg {
    fn from_meta(meta: &syn::Meta) -> Result<Self> {
        let attr = meta.path().get_ident().map_or_else(String::new, ToString::to_string);
        let syn::Meta::List(list) = meta else {
            return Err(darling::Error::custom(format!("write `{attr}(\"column_a\", \"column_b\")`")).with_span(meta));
        };
        let nested = darling::ast::NestedMeta::parse_meta_list(list.tokens.clone())?;
        let mut out = ColumnsArg { columns: Vec::new(), name: None, misplaced: Vec::new(), span: meta.span() };
        for item in &nested {
            match item {
                darling::ast::NestedMeta::Lit(syn::Lit::Str(s)) => {
                    out.columns.push(NameArg { value: s.value(), span: s.span() })
                }
                darling::ast::NestedMeta::Meta(syn::Meta::NameValue(nv)) if nv.path.is_ident("name") => {
                    out.name = Some(NameArg::from_expr(&nv.value)?)
                }
                darling::ast::NestedMeta::Meta(m) => {
                    let key = m.path().get_ident().map_or_else(|| "?".to_string(), ToString::to_string);
                    out.misplaced.push((key, m.path().span()))
                }
                other => {
                    return Err(darling::Error::custom("expected a column name as a string, like `\"shop_id\"`")
                        .with_span(other))
                }
            }
        }
        Ok(out)
    }
}

/// `check("price > 0", name = "ck_price_positive")`.
#[derive(Debug, Clone)]
pub struct CheckArg {
    pub sql: Option<syn::LitStr>,
    pub name: Option<NameArg>,
    pub span: Span,
}

impl FromMeta for CheckArg {
    fn from_meta(meta: &syn::Meta) -> Result<Self> {
        let usage = "write `check(\"price > 0\")`, or `check(\"price > 0\", name = \"ck_price_positive\")`: the condition is SQL text";
        let syn::Meta::List(list) = meta else {
            return Err(darling::Error::custom(usage).with_span(meta));
        };
        let nested = darling::ast::NestedMeta::parse_meta_list(list.tokens.clone())
            .map_err(|_| darling::Error::custom(usage).with_span(&list.tokens))?;
        let mut out = CheckArg { sql: None, name: None, span: meta.span() };
        for item in &nested {
            match item {
                darling::ast::NestedMeta::Lit(syn::Lit::Str(s)) if out.sql.is_none() => out.sql = Some(s.clone()),
                darling::ast::NestedMeta::Meta(syn::Meta::NameValue(nv)) if nv.path.is_ident("name") => {
                    out.name = Some(NameArg::from_expr(&nv.value)?)
                }
                other => return Err(darling::Error::custom(usage).with_span(other)),
            }
        }
        Ok(out)
    }
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
    pub bigint: Flag,
    pub numeric: Option<SpannedValue<NumericArgs>>,
    pub default: Option<ExprArg>,
    /// `validate = path::to::function`: the field's validator.
    pub validate: Option<PathArg>,
}

/// `#[has_many(Target, ...)]` and `#[has_one(Target, ...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct HasArgs {
    pub order_by: Option<NameArg>,
    pub inverse: Option<IdentArg>,
    pub foreign_key: Option<NameArg>,
    pub lazy: Option<NameArg>,
    pub cascade: Option<NameArg>,
    pub passive_deletes: Flag,
}

/// `#[belongs_to(Parent, ...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct BelongsToArgs {
    pub column: Option<NameArg>,
    pub inverse: Option<IdentArg>,
    pub backref: Option<IdentArg>,
    pub unique: Flag,
    pub index: Flag,
    pub lazy: Option<NameArg>,
    pub on_delete: Option<NameArg>,
    pub cascade: Option<NameArg>,
    pub single_parent: Flag,
    /// `owner = Enum`: one of the owner keys of a polymorphic owner.
    pub owner: Option<PathArg>,
    /// `columns("a", "b")`: the columns of a composite foreign key.
    pub columns: Option<ColumnsArg>,
}

/// `#[many_to_many(Target, ...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct ManyToManyArgs {
    pub order_by: Option<NameArg>,
    pub through: Option<PathArg>,
    pub local: Option<NameArg>,
    pub remote: Option<NameArg>,
    pub inverse: Option<IdentArg>,
    pub backref: Option<IdentArg>,
    pub lazy: Option<NameArg>,
    pub cascade: Option<NameArg>,
}

/// `#[self_ref(...)]` (no target: the model itself).
#[derive(Debug, Default, FromMeta)]
pub struct SelfRefArgs {
    pub children: Option<IdentArg>,
    pub column: Option<NameArg>,
    pub ancestors: Option<IdentArg>,
    pub descendants: Option<IdentArg>,
    pub lazy: Option<NameArg>,
    pub cascade: Option<NameArg>,
    pub passive_deletes: Flag,
    pub on_delete: Option<NameArg>,
    pub index: Flag,
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
    /// A relationship attribute was present but could not be read (its error is reported).
    pub relation_failed: bool,
}

/// The keys each attribute accepts, for "unknown key" messages.
pub const MODEL_KEYS: &[&str] =
    &["table", "no_default", "serde", "hooks", "soft_delete", "tenant", "unique", "index", "unique_index", "check"];
const COLUMN_KEYS: &[&str] = &["name", "unique", "index", "len", "text", "bigint", "numeric", "default", "validate"];
const HAS_KEYS: &[&str] = &["inverse", "foreign_key", "lazy", "cascade", "passive_deletes", "order_by"];
const BELONGS_TO_KEYS: &[&str] = &[
    "column",
    "columns",
    "inverse",
    "backref",
    "unique",
    "index",
    "lazy",
    "on_delete",
    "cascade",
    "single_parent",
    "owner",
];
const MANY_TO_MANY_KEYS: &[&str] = &["through", "local", "remote", "inverse", "backref", "lazy", "cascade", "order_by"];
const SELF_REF_KEYS: &[&str] =
    &["children", "column", "ancestors", "descendants", "lazy", "cascade", "passive_deletes", "on_delete", "index"];

/// Reports every key of `nested` that `#[attr]` does not accept, naming the closest valid key
/// and listing them all.
pub fn check_keys(attr: &str, nested: &[darling::ast::NestedMeta], valid: &[&str]) -> Result<()> {
    let mut errors = darling::Error::accumulator();
    for item in nested {
        let darling::ast::NestedMeta::Meta(meta) = item else {
            errors.push(
                darling::Error::custom(format!(
                    "`#[{attr}]` takes `key` or `key = value` items; the keys are: {}",
                    valid.join(", ")
                ))
                .with_span(item),
            );
            continue;
        };
        let Some(key) = meta.path().get_ident().map(ToString::to_string) else { continue };
        if valid.contains(&key.as_str()) {
            continue;
        }
        let closest = crate::naming::closest(&key, valid.iter().copied())
            .map(|v| format!("; did you mean `{v}`?"))
            .unwrap_or_default();
        errors.push(
            darling::Error::custom(format!(
                "unknown key `{key}` in `#[{attr}]`{closest} The keys are: {}",
                valid.join(", ")
            ))
            .with_span(meta.path()),
        );
    }
    errors.finish()
}

pub const RELATION_ATTRS: [&str; 5] = ["has_many", "has_one", "belongs_to", "many_to_many", "self_ref"];

/// Parses the attributes of a field that belong to this derive; errors go to `errors`.
pub fn field_attrs(attrs: &[syn::Attribute], errors: &mut darling::error::Accumulator) -> FieldAttrs {
    let mut out = FieldAttrs { key: None, column: None, relations: Vec::new(), relation_failed: false };
    for attr in attrs {
        let Some(name) = attr.path().get_ident().map(ToString::to_string) else { continue };
        let span = attr.path().span();
        match name.as_str() {
            "key" => {
                if let Err(e) = attr.meta.require_path_only() {
                    errors.push(
                        darling::Error::custom("`#[key]` takes no arguments; write `#[key]`").with_span(&e.span()),
                    );
                }
                if out.key.is_some() {
                    errors.push(darling::Error::custom("duplicate `#[key]` attribute").with_span(&span));
                }
                out.key = Some(span);
            }
            "column" => {
                let parsed = match &attr.meta {
                    syn::Meta::Path(_) => Ok(ColumnArgs::default()),
                    syn::Meta::List(list) => darling::ast::NestedMeta::parse_meta_list(list.tokens.clone())
                        .map_err(darling::Error::from)
                        .and_then(|nested| {
                            check_keys("column", &nested, COLUMN_KEYS)?;
                            ColumnArgs::from_list(&nested)
                        }),
                    meta => ColumnArgs::from_meta(meta),
                };
                if let Some(args) = errors.handle(parsed.map_err(|e| e.with_span(&attr.meta))) {
                    if out.column.is_some() {
                        errors.push(
                            darling::Error::custom(
                                "duplicate `#[column]` attribute; put every option in one `#[column(...)]`",
                            )
                            .with_span(&span),
                        );
                    } else {
                        out.column = Some((args, span));
                    }
                }
            }
            n if RELATION_ATTRS.contains(&n) => match errors.handle(relation_attr(n, attr)) {
                Some(rel) => out.relations.push((rel, span)),
                None => out.relation_failed = true,
            },
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
        check_keys(name, &nested, SELF_REF_KEYS)?;
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
    check_keys(
        name,
        rest,
        match name {
            "has_many" | "has_one" => HAS_KEYS,
            "belongs_to" => BELONGS_TO_KEYS,
            _ => MANY_TO_MANY_KEYS,
        },
    )?;
    Ok(match name {
        "has_many" => RelationAttr::HasMany(target, HasArgs::from_list(rest)?),
        "has_one" => RelationAttr::HasOne(target, HasArgs::from_list(rest)?),
        "belongs_to" => RelationAttr::BelongsTo(target, BelongsToArgs::from_list(rest)?),
        _ => RelationAttr::ManyToMany(target, ManyToManyArgs::from_list(rest)?),
    })
}
