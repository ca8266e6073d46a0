//! Relationship descriptions, kind markers and accessors — on the model, and on the other
//! model for `backref`s.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use super::{lit, rt};
use crate::ir::{ColumnValue, FkSource, Lazy, Model, Relation, RelationKind, TableRef, Through};

fn last(path: &syn::Path) -> &syn::Ident {
    &path.segments.last().expect("non-empty path").ident
}

/// The `Join` value of a relationship.
fn join(model: &Model, r: &Relation) -> TokenStream {
    let rt = rt();
    let target = &r.target;
    let through_join = |table: TokenStream, local: &crate::ir::SqlIdent, remote: &crate::ir::SqlIdent| {
        let (l, re) = (lit(&local.value), lit(&remote.value));
        quote!(#rt::Join::Through { table: #table, local: #l, remote: #re })
    };
    match &r.kind {
        RelationKind::HasMany { fk } | RelationKind::HasOne { fk } => match fk {
            FkSource::Inverse(inv) => {
                let inv = lit(&inv.to_string());
                quote!(#rt::Join::Reverse { columns: #rt::inverse_column(<#target as #rt::Model>::RELATIONSHIPS, #inv) })
            }
            FkSource::Column { column: c, .. } => {
                let c = lit(&c.value);
                quote!(#rt::Join::Reverse { columns: &[#c] })
            }
        },
        RelationKind::BelongsTo { column } => {
            let cs = model.fk_columns(*column).iter().map(|c| lit(&c.name.value));
            quote!(#rt::Join::Forward { columns: &[#(#cs),*] })
        }
        RelationKind::Children { column } => {
            let c = lit(&column.value);
            quote!(#rt::Join::Reverse { columns: &[#c] })
        }
        RelationKind::ManyToMany { through } => match through {
            Through::Table { name, local, remote } => {
                let owner = &model.ident;
                let assoc = format_ident!("__assoc_{}", name.value);
                through_join(quote!(&<#owner>::#assoc), local, remote)
            }
            Through::Model { model: m, local, remote } => {
                through_join(quote!(<#m as #rt::Model>::TABLE), local, remote)
            }
            Through::Inverse(inv) => {
                let inv = lit(&inv.to_string());
                quote!(#rt::inverse_through(<#target as #rt::Model>::RELATIONSHIPS, #inv))
            }
        },
        RelationKind::ManyToManyBackref { table, local, remote } => {
            let table = match table {
                TableRef::Declared { owner, name } => {
                    let assoc = format_ident!("__assoc_{}", name.value);
                    quote!(&<#owner>::#assoc)
                }
                TableRef::Model(m) => quote!(<#m as #rt::Model>::TABLE),
            };
            through_join(table, local, remote)
        }
    }
}

/// The `RelationInfo` of a field's relationship, for the other models' checks.
pub(super) fn info(model: &Model, r: &Relation) -> TokenStream {
    let rt = rt();
    let target = &r.target;
    let name = lit(&r.name.to_string());
    let kind = format_ident!("{}", rel_kind(&r.kind));
    let columns = match &r.kind {
        RelationKind::BelongsTo { column } => {
            let cs = model.fk_columns(*column).iter().map(|c| lit(&c.name.value));
            quote!(&[#(#cs),*])
        }
        _ => quote!(&[]),
    };
    let inverse = match &r.inverse {
        Some(i) => {
            let i = lit(&i.to_string());
            quote!(::core::option::Option::Some(#i))
        }
        None => quote!(::core::option::Option::None),
    };
    let through = match &r.kind {
        RelationKind::ManyToMany { through: Through::Table { .. } | Through::Model { .. } } => {
            let join = join(model, r);
            quote!(::core::option::Option::Some(#join))
        }
        _ => quote!(::core::option::Option::None),
    };
    let dynamic = r.lazy == Lazy::Dynamic;
    quote! {
        #rt::RelationInfo {
            name: #name,
            kind: #rt::RelKind::#kind,
            target: <#target as #rt::Model>::TABLE_NAME,
            columns: #columns,
            inverse: #inverse,
            through: #through,
            dynamic: #dynamic,
        }
    }
}

/// The `RelKind` variant of a relationship.
pub(super) fn rel_kind(kind: &RelationKind) -> &'static str {
    match kind {
        RelationKind::HasMany { .. } | RelationKind::Children { .. } => "HasMany",
        RelationKind::HasOne { .. } => "HasOne",
        RelationKind::BelongsTo { .. } => "BelongsTo",
        RelationKind::ManyToMany { .. } | RelationKind::ManyToManyBackref { .. } => "ManyToMany",
    }
}

/// The field type of a field's relationship, as the runtime names it.
fn field_type(model: &Model, r: &Relation) -> Option<TokenStream> {
    let rt = rt();
    let target = &r.target;
    Some(match &r.kind {
        RelationKind::HasMany { .. } => quote!(#rt::HasMany<#target>),
        RelationKind::HasOne { .. } => quote!(#rt::HasOne<#target>),
        RelationKind::ManyToMany { .. } => quote!(#rt::ManyToMany<#target>),
        RelationKind::BelongsTo { column } => match &model.columns[*column].value {
            ColumnValue::ForeignKey { parent, .. } => quote!(#rt::BelongsTo<#parent>),
            ColumnValue::Plain => return None,
        },
        RelationKind::Children { .. } | RelationKind::ManyToManyBackref { .. } => return None,
    })
}

/// The name of a field's relationship path constant: the field's name in upper case.
pub(super) fn path_name(r: &Relation) -> syn::Ident {
    let name = r.name.to_string();
    format_ident!("{}", name.trim_start_matches("r#").to_uppercase(), span = r.name.span())
}

/// `pub const POSTS: Rel<User, HasMany<Post>>`: a field's relationship as a value, for
/// loader options and `any` / `has` filters. Dynamic relationships load nothing, so they
/// have none.
fn path_const(model: &Model, r: &Relation, def_path: &TokenStream) -> Option<TokenStream> {
    if !r.field {
        return None;
    }
    let rt = rt();
    let field_ty = field_type(model, r)?;
    let (owner, name) = (&r.owner, &r.name);
    let konst = path_name(r);
    if r.lazy == Lazy::Dynamic {
        // for filters only: the loader options refuse `Dynamic`, in their own words
        let target = &r.target;
        let doc = lit(&format!(
            "The `{name}` relationship as a value, for filters: `{o}::{konst}.any(...)` (it is `lazy = \"dynamic\"`, so nothing loads it).",
            o = last(owner)
        ));
        return Some(quote! {
            #[doc = #doc]
            pub const #konst: #rt::Rel<#owner, #rt::Dynamic<#target>> =
                #rt::Rel::new(&#def_path.def, |_: &#owner| &#rt::Dynamic::NEW);
        });
    }
    let doc = lit(&format!(
        "The `{name}` relationship as a value, for loader options and filters: `{o}::query(&db).options(selectinload({o}::{konst}))`, `{o}::{konst}.any(...)`.",
        o = last(owner)
    ));
    let link = link_model(r);
    Some(quote! {
        #[doc = #doc]
        pub const #konst: #rt::Rel<#owner, #field_ty, #link> = #rt::Rel::new(&#def_path.def, |__o: &#owner| &__o.#name);
    })
}

/// The association model a many-to-many goes through, whose columns its joins, options,
/// aggregates and handle may name; `NoLink` for every other relationship.
fn link_model(r: &Relation) -> TokenStream {
    let rt = rt();
    match &r.kind {
        RelationKind::ManyToMany { through: Through::Model { model, .. } } => quote!(#model),
        _ => quote!(#rt::reach::NoLink),
    }
}

pub(super) fn kind_marker(kind: &RelationKind) -> TokenStream {
    let rt = rt();
    match kind {
        RelationKind::HasMany { .. } | RelationKind::Children { .. } => quote!(#rt::kind::HasMany),
        RelationKind::HasOne { .. } => quote!(#rt::kind::HasOne),
        RelationKind::BelongsTo { .. } => quote!(#rt::kind::BelongsTo),
        RelationKind::ManyToMany { .. } | RelationKind::ManyToManyBackref { .. } => quote!(#rt::kind::ManyToMany),
    }
}

/// The items one relationship adds to its owner's `impl` block, and for a field's
/// relationship its constant on the model's `Relationships` type.
fn items(model: &Model, r: &Relation) -> (TokenStream, Option<TokenStream>) {
    let rt = rt();
    let (owner, target, name) = (&r.owner, &r.target, &r.name);
    // a field's relationship is a constant named like it on `<Owner as Model>::Relationships`;
    // a backref's, a hidden constant on the type it is generated on
    let def = if r.field { name.clone() } else { format_ident!("__relation_{}", name) };
    let def_path = if r.field { quote!(<<#owner as #rt::Model>::Relationships>::#def) } else { quote!(<#owner>::#def) };
    let join = join(model, r);
    let name_lit = lit(&name.to_string());
    let inverse = match &r.inverse {
        Some(i) => {
            let i = lit(&i.to_string());
            quote!(::core::option::Option::Some(#i))
        }
        None => quote!(::core::option::Option::None),
    };
    let kind = kind_marker(&r.kind);
    let lazy = format_ident!("{}", r.lazy.variant());
    let (o, t) = (last(owner), last(target));
    let dynamic = r.lazy == Lazy::Dynamic;
    let (ret, body, doc) = match &r.kind {
        RelationKind::HasMany { .. } if dynamic => (
            quote!(#rt::Related<'__a, #target>),
            quote!(#rt::Related::new(__db, self, &#def_path.def, #rt::NoCache)),
            format!("The `{t}` rows of this `{o}` as a query (`lazy = \"dynamic\"`): `.filter(..)`, `.order_by(..)`, `.count()`, `.all()`, `.add(..)`."),
        ),
        RelationKind::ManyToMany { .. } if dynamic => (
            {
                let link = link_model(r);
                quote!(#rt::Related<'__a, #target, #rt::ManyToManyKind<#link>>)
            },
            quote!(#rt::Related::new(__db, self, &#def_path.def, #rt::NoCache)),
            format!("The `{t}` rows linked to this `{o}` as a query (`lazy = \"dynamic\"`): `.filter(..)`, `.count()`, `.all()`, `.add(..)`, `.remove(..)`."),
        ),
        RelationKind::HasMany { .. } => (
            quote!(#rt::HasManyRef<'__a, #target>),
            quote!(#rt::Related::new(__db, self, &#def_path.def, self.#name.cache())),
            format!("The `{t}` rows of this `{o}` (`#[has_many]`): `.load()` loads them once and keeps them; `.all()`, `.filter(..)`, `.count()` query afresh."),
        ),
        RelationKind::ManyToMany { .. } => (
            {
                let link = link_model(r);
                quote!(#rt::ManyToManyRef<'__a, #target, #link>)
            },
            quote!(#rt::Related::new(__db, self, &#def_path.def, self.#name.cache())),
            format!("The `{t}` rows linked to this `{o}` (`#[many_to_many]`): `.load()` loads them once; `.all()` and `.filter(..)` query afresh; `.add(..)`, `.remove(..)`, `.contains(..)` edit and test the links."),
        ),
        RelationKind::HasOne { .. } => (
            quote!(#rt::HasOneRef<'__a, #target>),
            quote!(#rt::HasOneRef::new(__db, self, &#def_path.def, &self.#name)),
            format!("The `{t}` row of this `{o}`, if any (`#[has_one]`): `.load()` loads it once and keeps it."),
        ),
        RelationKind::BelongsTo { column } => {
            let ColumnValue::ForeignKey { parent, .. } = &model.columns[*column].value else {
                unreachable!("a belongs_to relation's column is a foreign key")
            };
            (
                quote!(#rt::BelongsToRef<'__a, #parent>),
                quote!(#rt::BelongsToRef::new(__db, &#def_path.def, &self.#name)),
                format!("The `{t}` this `{o}` belongs to (`#[belongs_to]`): `.load()` loads it once and keeps it."),
            )
        }
        RelationKind::Children { column } => (
            quote!(#rt::Related<'__a, #target>),
            quote!(#rt::Related::new(__db, self, &#def_path.def, #rt::NoCache)),
            format!("The `{t}` rows whose `{}` points at this `{o}` (a backref): `.all()`, `.filter(..)`, `.count()` query them.", column.value),
        ),
        RelationKind::ManyToManyBackref { .. } => (
            quote!(#rt::Related<'__a, #target, #rt::ManyToManyKind>),
            quote!(#rt::Related::new(__db, self, &#def_path.def, #rt::NoCache)),
            format!("The `{t}` rows linked to this `{o}` (a many-to-many backref): `.all()` and `.filter(..)` query them; `.add(..)`, `.remove(..)`, `.contains(..)` edit and test the links."),
        ),
    };
    let doc = lit(&doc);
    let vis = &model.vis;
    let tree = r.tree.as_ref().map(|(up, down)| {
        let RelationKind::BelongsTo { column } = &r.kind else {
            unreachable!("tree accessors come with the parent link")
        };
        let col = lit(&model.columns[*column].name.value);
        let up_doc = lit(&format!("Every `{o}` above this one, nearest first, in one recursive query (cycle-safe)."));
        let down_doc =
            lit(&format!("Every `{o}` below this one, level by level, in one recursive query (cycle-safe)."));
        quote! {
            #[doc = #up_doc]
            #vis fn #up(&self, __db: &#rt::Db) -> #rt::Result<::std::vec::Vec<Self>> {
                #rt::ancestors(__db, self, #col)
            }
            #[doc = #down_doc]
            #vis fn #down(&self, __db: &#rt::Db) -> #rt::Result<::std::vec::Vec<Self>> {
                #rt::descendants(__db, self, #col)
            }
        }
    });
    let assoc = match &r.kind {
        RelationKind::ManyToMany { through: Through::Table { name, local, remote } } => {
            let c = format_ident!("__assoc_{}", name.value);
            let table = super::schema::association(&model.ident, &model.table.value, target, name, local, remote);
            Some(quote! {
                #[doc(hidden)]
                pub const #c: #rt::Table = #table;
            })
        }
        _ => None,
    };
    let span = r.span;
    let crate::ir::Cascade { save_update, delete, delete_orphan, .. } = r.cascade;
    let passive = r.passive_deletes;
    let single_parent = r.single_parent;
    // through an association model, a column the target lacks may be the model's
    let link_table = match &r.kind {
        RelationKind::ManyToMany { through: Through::Model { model: m, .. } } => {
            Some(quote!(<#m as #rt::Model>::TABLE))
        }
        _ => None,
    };
    let order_by = r.order_by.iter().map(|(c, descending)| {
        let c = lit(&c.value);
        let on_link = match &link_table {
            Some(link) => quote!(#rt::ordered_on_link(<#target as #rt::Model>::TABLE, #link, #c)),
            None => quote!(false),
        };
        quote!(#rt::OrderBy { column: #c, descending: #descending, on_link: #on_link })
    });
    let def_const = quote_spanned! {span=>
        #[doc(hidden)]
        pub const #def: #rt::Relationship<#owner, #target, #kind> = #rt::Relationship::new(#rt::RelationDef {
            name: #name_lit,
            owner: <#owner as #rt::Model>::TABLE,
            target: <#target as #rt::Model>::TABLE,
            join: #join,
            inverse: #inverse,
            lazy: #rt::Lazy::#lazy,
            cascade: #rt::Cascade { save_update: #save_update, delete: #delete, delete_orphan: #delete_orphan },
            passive_deletes: #passive,
            single_parent: #single_parent,
            order_by: &[#(#order_by),*],
        });
    };
    let (def_here, def_there) = if r.field { (None, Some(def_const)) } else { (Some(def_const), None) };
    let path = path_const(model, r, &def_path);
    let accessors = quote_spanned! {span=>
        #def_here
        #path
        #assoc
        #[doc = #doc]
        #vis fn #name<'__a>(&'__a self, __db: &'__a #rt::Db) -> #ret {
            #body
        }
        #tree
    };
    (accessors, def_there)
}

pub fn expand(model: &Model) -> TokenStream {
    // group the accessors by the type they are generated on, in first-seen order
    let mut owners: Vec<(&syn::Path, Vec<TokenStream>)> = Vec::new();
    let mut defs = Vec::new();
    for r in &model.relations {
        let (tokens, def) = items(model, r);
        defs.extend(def);
        match owners.iter_mut().find(|(o, _)| last(o) == last(&r.owner)) {
            Some((_, v)) => v.push(tokens),
            None => owners.push((&r.owner, vec![tokens])),
        }
    }
    let blocks = owners.into_iter().map(|(owner, items)| {
        quote! {
            #[automatically_derived]
            #[allow(dead_code)]
            impl #owner {
                #(#items)*
            }
        }
    });
    let relationships = format_ident!("{}Relationships", model.ident);
    quote! {
        #(#blocks)*
        #[automatically_derived]
        #[allow(dead_code)]
        impl #relationships {
            #(#defs)*
        }
    }
}
