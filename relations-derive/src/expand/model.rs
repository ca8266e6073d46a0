//! `impl Model`, the column handles, and `impl Default` with the column defaults.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use super::{lit, rt};
use crate::ir::{ColumnValue, DefaultValue, Lazy, Model, RelationKind, Through};

pub fn expand(model: &Model) -> TokenStream {
    let rt = rt();
    let ident = &model.ident;
    let table = super::schema::table(model);
    let table_name = lit(&model.table.value);
    let keys: Vec<_> = model.keys().collect();
    let key_names = keys.iter().map(|c| lit(&c.name.value));
    let key_columns = quote!(&[#(#key_names),*]);
    let key_column = match keys.as_slice() {
        [one] => {
            let n = lit(&one.name.value);
            quote!(::core::option::Option::Some(#n))
        }
        _ => quote!(::core::option::Option::None),
    };
    // the key's type and value: a plain field's own, a `BelongsTo<P>`'s `P::Fk`
    let key_parts: Vec<(TokenStream, TokenStream)> = keys
        .iter()
        .map(|c| {
            let f = &c.field;
            match &c.value {
                ColumnValue::Plain => {
                    let ty = &c.ty;
                    (quote!(#ty), quote!(::core::clone::Clone::clone(&self.#f)))
                }
                ColumnValue::ForeignKey { parent, .. } => {
                    (quote!(<#parent as #rt::Parent>::Fk), quote!(::core::clone::Clone::clone(self.#f.key())))
                }
            }
        })
        .collect();
    let (key_ty, key_value) = match key_parts.as_slice() {
        [(t, v)] => (t.clone(), v.clone()),
        many => {
            let (ts, vs): (Vec<_>, Vec<_>) = many.iter().cloned().unzip();
            (quote!((#(#ts,)*)), quote!((#(#vs,)*)))
        }
    };
    let (set_key, is_new) = if model.auto_key {
        let f = &keys[0].field;
        (quote!(self.#f = key;), quote!(self.#f == 0))
    } else {
        (quote!(let _ = key;), quote!(false))
    };
    let associations = model.relations.iter().filter_map(|r| match &r.kind {
        RelationKind::ManyToMany { through: Through::Table { name, .. } } if r.field => {
            let c = format_ident!("__assoc_{}", name.value);
            Some(quote!(&<#ident>::#c))
        }
        _ => None,
    });
    // each column field read from the row: a composite foreign key from its consecutive columns
    let reads = model.columns.iter().enumerate().filter_map(|(i, c)| {
        let f = &c.field;
        match c.part {
            None if c.deferred => Some(quote!(#f: __row.deferred(#i)?)),
            None => Some(quote!(#f: __row.get(#i)?)),
            Some((0, n)) => {
                let indexes = i..i + n;
                Some(quote!(#f: #rt::read_composite_fk(__row, &[#(#indexes),*])?))
            }
            Some(_) => None,
        }
    });
    // the relationship fields that are not columns: they start empty
    let relation_fields: Vec<_> = model
        .relations
        .iter()
        .filter(|r| r.field && !matches!(r.kind, RelationKind::BelongsTo { .. }))
        .map(|r| &r.name)
        // the snapshot starts empty, as relationship fields start unloaded
        .chain(model.snapshot.as_ref())
        .collect();
    let value_of = |c: &crate::ir::Column| {
        let f = &c.field;
        match c.part {
            None => quote!(#rt::SqlValue::to_value(&self.#f)),
            Some((k, _)) => quote!(#rt::fk_part(&self.#f, #k)),
        }
    };
    let values = model.columns.iter().map(value_of);
    let setters = model.columns.iter().enumerate().map(|(i, c)| {
        let (f, name) = (&c.field, lit(&c.name.value));
        let set = match c.part {
            None => quote!(self.#f = #rt::decode(<Self as #rt::Model>::TABLE, #i, __value)?;),
            Some((k, _)) => quote!(#rt::set_fk_part(&mut self.#f, #k, <Self as #rt::Model>::TABLE, #i, __value)?;),
        };
        quote! {
            #name => {
                #set
                ::core::result::Result::Ok(true)
            }
        }
    });
    let column_values = model.columns.iter().enumerate().map(|(i, c)| {
        let v = value_of(c);
        quote!(#i => #v,)
    });
    // a copy: columns cloned, relationship fields (`BelongsTo` columns too) with what they loaded
    let duplicates = model.columns.iter().filter(|c| c.starts_field()).map(|c| {
        let f = &c.field;
        match c.value {
            ColumnValue::Plain => quote!(#f: ::core::clone::Clone::clone(&self.#f)),
            ColumnValue::ForeignKey { .. } => quote!(#f: #rt::Slot::duplicate(&self.#f)),
        }
    });
    // spanned at the target: a target that is not a model is reported there
    let relation_duplicates =
        model.relations.iter().filter(|r| r.field && !matches!(r.kind, RelationKind::BelongsTo { .. })).map(|r| {
            let (f, t) = (&r.name, &r.target);
            quote_spanned!(syn::spanned::Spanned::span(t)=> #f: #rt::duplicate_related::<#t, _>(&self.#f))
        });
    let snapshot_copy = model.snapshot.as_ref().map(|f| quote!(#f: ::core::clone::Clone::clone(&self.#f),));
    let snapshot_fn = model.snapshot.as_ref().map(|f| {
        quote! {
            fn snapshot(&self) -> ::core::option::Option<&#rt::Snapshot> {
                ::core::option::Option::Some(&self.#f)
            }
        }
    });
    // the version counter, spanned at its field: a `Version` that is not `relations::Version`
    // is reported there
    let version_fn = model.version.as_ref().map(|f| {
        quote_spanned! {f.span()=>
            fn version(&self) -> ::core::option::Option<&#rt::Version> {
                ::core::option::Option::Some(&self.#f)
            }
        }
    });
    // `#[model(hooks)]`: the model's `Hooks`, spanned at `hooks` (a model that does not
    // implement them is reported there)
    let (after_load, hook_fns) = match model.hooks {
        None => (None, None),
        Some(span) => {
            let h = quote_spanned!(span=> <Self as #rt::Hooks>);
            let after_load = quote! {
                #h::after_load(&mut __model).map_err(|__e| #rt::hook_error::<Self>(__e, #rt::Event::AfterLoad))?;
            };
            let fns = quote! {
                const HOOKS: bool = true;
                fn hook(&mut self, __db: &#rt::Db, __event: #rt::Event) -> #rt::Result<()> {
                    match __event {
                        #rt::Event::BeforeInsert => #h::before_insert(self, __db),
                        #rt::Event::AfterInsert => #h::after_insert(self, __db),
                        #rt::Event::BeforeUpdate => #h::before_update(self, __db),
                        #rt::Event::AfterUpdate => #h::after_update(self, __db),
                        #rt::Event::AfterLoad => #h::after_load(self),
                        _ => ::core::result::Result::Ok(()),
                    }
                }
                fn hook_ref(&self, __db: &#rt::Db, __event: #rt::Event) -> #rt::Result<()> {
                    match __event {
                        #rt::Event::BeforeDelete => #h::before_delete(self, __db),
                        #rt::Event::AfterDelete => #h::after_delete(self, __db),
                        _ => ::core::result::Result::Ok(()),
                    }
                }
            };
            (Some(after_load), Some(fns))
        }
    };
    // the deferred columns: which are not loaded, and how a later load fills them
    let deferred: Vec<_> = model.columns.iter().enumerate().filter(|(_, c)| c.deferred).collect();
    let deferred_fns = (!deferred.is_empty()).then(|| {
        let unloaded = deferred.iter().map(|(i, c)| {
            let f = &c.field;
            quote!(if !self.#f.is_loaded() { __mask |= 1u64 << #i; })
        });
        let fills = deferred.iter().map(|(_, c)| {
            let f = &c.field;
            quote!(self.#f.fill(__from.#f);)
        });
        quote! {
            fn unloaded(&self) -> u64 {
                let mut __mask = 0u64;
                #(#unloaded)*
                __mask
            }
            fn take_deferred(&self, __from: Self) {
                #(#fills)*
            }
        }
    });
    let hooks_declared = model.hooks.map(|_| quote!(impl #rt::HooksDeclared for #ident {}));
    let eager = model
        .relations
        .iter()
        .filter(|r| r.field && matches!(r.lazy, Lazy::Joined | Lazy::Selectin | Lazy::Subquery))
        .map(|r| {
            let konst = super::relations::path_name(r);
            quote!(__loads.extend(#rt::Load::declared(Self::#konst));)
        })
        .collect::<Vec<_>>();
    let default_loads = (!eager.is_empty()).then(|| {
        quote! {
            fn default_loads() -> ::std::vec::Vec<#rt::Load<Self>> {
                let mut __loads = ::std::vec::Vec::new();
                #(#eager)*
                __loads
            }
        }
    });
    // the fields that can hold rows to save with the model (`save-update`)
    let pending = model
        .relations
        .iter()
        .filter(|r| {
            r.field
                && matches!(
                    r.kind,
                    RelationKind::HasMany { .. } | RelationKind::HasOne { .. } | RelationKind::ManyToMany { .. }
                )
        })
        .map(|r| {
            let (name, t) = (&r.name, &r.target);
            quote_spanned!(syn::spanned::Spanned::span(t)=>
                __f(&<<Self as #rt::Model>::Relationships>::#name.def, #rt::pending_field::<#t, _>(&mut self.#name))?;
            )
        })
        .collect::<Vec<_>>();
    let visit_pending = (!pending.is_empty()).then(|| {
        quote! {
            fn visit_pending(
                &mut self,
                __f: &mut dyn FnMut(&'static #rt::RelationDef, &mut dyn #rt::Pending) -> #rt::Result<()>,
            ) -> #rt::Result<()> {
                #(#pending)*
                ::core::result::Result::Ok(())
            }
        }
    });
    // the `belongs_to` fields with a parent rule (`single_parent`, many-to-one `delete-orphan`)
    let parents: Vec<_> = model
        .relations
        .iter()
        .filter(|r| {
            r.field
                && matches!(r.kind, RelationKind::BelongsTo { .. })
                && (r.single_parent || r.cascade.delete_orphan || r.cascade.delete)
        })
        .map(|r| {
            let name = &r.name;
            quote!(__f(&<<Self as #rt::Model>::Relationships>::#name.def, &self.#name)?;)
        })
        .collect();
    let visit_parents = (!parents.is_empty()).then(|| {
        quote! {
            fn visit_parents(
                &self,
                __f: &mut dyn FnMut(&'static #rt::RelationDef, &dyn #rt::ParentLink) -> #rt::Result<()>,
            ) -> #rt::Result<()> {
                #(#parents)*
                ::core::result::Result::Ok(())
            }
        }
    });
    let infos: Vec<_> = model.relations.iter().filter(|r| r.field).map(|r| super::relations::info(model, r)).collect();
    let relationships = format_ident!("{}Relationships", ident);
    let relationships_doc =
        lit(&format!("The relationships of `{ident}`, as constants named like them (used by the derive's checks)."));
    let model_impl = quote! {
        #[doc = #relationships_doc]
        #[doc(hidden)]
        pub struct #relationships;

        #[automatically_derived]
        impl #rt::Sealed for #ident {}
        #hooks_declared

        #[automatically_derived]
        impl #rt::Model for #ident {
            const TABLE: &'static #rt::Table = #table;
            const TABLE_NAME: &'static str = #table_name;
            const KEY_COLUMN: ::core::option::Option<&'static str> = #key_column;
            const KEY_COLUMNS: &'static [&'static str] = #key_columns;
            const ASSOCIATIONS: &'static [&'static #rt::Table] = &[#(#associations),*];
            const RELATIONSHIPS: &'static [#rt::RelationInfo] = &[#(#infos),*];
            type Key = #key_ty;
            type Relationships = #relationships;

            fn key(&self) -> Self::Key {
                #key_value
            }

            fn from_row(__row: &#rt::Row<'_>) -> #rt::Result<Self> {
                #[allow(unused_mut)]
                let mut __model = Self {
                    #(#reads,)*
                    #(#relation_fields: ::core::default::Default::default(),)*
                };
                #after_load
                ::core::result::Result::Ok(__model)
            }

            fn values(&self) -> ::std::vec::Vec<#rt::Value<'_>> {
                ::std::vec![#(#values),*]
            }

            fn set_column(&mut self, __column: &str, __value: #rt::ValueRef<'_>) -> #rt::Result<bool> {
                match __column {
                    #(#setters)*
                    _ => ::core::result::Result::Ok(false),
                }
            }

            fn set_auto_key(&mut self, key: i64) {
                #set_key
            }

            fn is_new(&self) -> bool {
                #is_new
            }

            fn column_value(&self, __index: usize) -> #rt::Value<'_> {
                match __index {
                    #(#column_values)*
                    _ => #rt::Value::Null,
                }
            }

            fn duplicate(&self) -> Self {
                Self {
                    #(#duplicates,)*
                    #(#relation_duplicates,)*
                    #snapshot_copy
                }
            }

            #snapshot_fn
            #version_fn
            #hook_fns
            #deferred_fns

            #default_loads
            #visit_pending
            #visit_parents
        }
    };

    let column_consts = model.columns.iter().map(|c| {
        let const_name = crate::naming::column_const(&c.name.value, c.name.span);
        let name = lit(&c.name.value);
        let value_ty = match &c.value {
            ColumnValue::Plain => {
                let ty = &c.ty;
                quote!(#ty)
            }
            ColumnValue::ForeignKey { model: m, .. } if c.part.is_some() => {
                let k = c.part.map_or(0, |(k, _)| k);
                quote!(<<#m as #rt::Model>::Key as #rt::KeyPart<#k>>::T)
            }
            ColumnValue::ForeignKey { parent, .. } => quote!(<#parent as #rt::Parent>::Fk),
        };
        let doc = lit(&format!(
            "The `{}` column, for queries: `{}::query(&db).filter({}::{}.eq(...))`.",
            c.name.value, ident, ident, c.name.value
        ));
        quote! {
            #[doc = #doc]
            pub const #const_name: #rt::Col<#ident, #value_ty> = #rt::Col::new(#table_name, #name);
        }
    });
    let columns_impl = quote! {
        #[automatically_derived]
        #[allow(dead_code)]
        impl #ident {
            #(#column_consts)*
        }
    };

    let default_impl = model.default_impl.then(|| {
        let fields = model.columns.iter().filter(|c| c.starts_field()).map(|c| {
            let f = &c.field;
            let value = match &c.default {
                None => quote!(::core::default::Default::default()),
                Some(DefaultValue::Now) => quote_spanned!(c.span=> ::core::convert::Into::into(#rt::now())),
                Some(DefaultValue::Today) => quote_spanned!(c.span=> ::core::convert::Into::into(#rt::today())),
                Some(DefaultValue::Expr(e)) => {
                    quote_spanned!(syn::spanned::Spanned::span(e)=> ::core::convert::Into::into(#e))
                }
            };
            quote!(#f: #value)
        });
        quote! {
            #[automatically_derived]
            impl ::core::default::Default for #ident {
                fn default() -> Self {
                    Self {
                        #(#fields,)*
                        #(#relation_fields: ::core::default::Default::default(),)*
                    }
                }
            }
        }
    });
    quote!(#model_impl #columns_impl #default_impl)
}
