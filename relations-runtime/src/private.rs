//! What `#[derive(Model)]`'s generated code calls. Not a public API: it may change in any
//! release, which is why the facade pins the derive crate's exact version.

pub use crate::cascade::Pending;
pub use crate::load::{Load, Rel};
pub use crate::relation::{HasMany, HasOne, ManyToMany, Slot};
pub use crate::schema::{
    no_relations, Cascade, ColumnDef, ColumnDefault, ForeignKey, Join, Lazy, OnDelete, RelationDef, SqlType, Table,
};
pub use crate::value::SqlValue;

use std::marker::PhantomData;

/// The declared type of a column: the Rust type's own unless the model overrides it.
pub const fn sql_type<T: SqlValue>() -> SqlType {
    T::SQL_TYPE
}

/// Whether a Rust type makes a nullable column.
pub const fn nullable<T: SqlValue>() -> bool {
    T::NULLABLE
}

/// The current UTC time, for `default = now`, at microsecond precision: the precision a
/// `DATETIME` column stores (as Python's `datetime`), so a new row equals its re-read self.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// The current UTC date, for `default = today`.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Kind markers of relationships, for the compile-time inverse checks.
pub mod kind {
    /// `#[has_many]`.
    pub enum HasMany {}
    /// `#[has_one]`.
    pub enum HasOne {}
    /// `#[belongs_to]` and the parent side of `#[self_ref]`.
    pub enum BelongsTo {}
    /// `#[many_to_many]`.
    pub enum ManyToMany {}
}

/// One relationship, typed: `Owner` has a relationship of kind `Kind` to `Target`, described
/// by `def`. Emitted as one hidden associated constant per relationship, so that the other
/// side's derive can check that an `inverse` exists, points back and agrees.
pub struct Relationship<Owner, Target, Kind> {
    /// The description the runtime reads.
    pub def: RelationDef,
    _types: PhantomData<Types<Owner, Target, Kind>>,
}

type Types<O, T, K> = fn() -> (O, T, K);

impl<O, T, K> Relationship<O, T, K> {
    /// Types a description.
    pub const fn new(def: RelationDef) -> Self {
        Relationship { def, _types: PhantomData }
    }
}

/// Implemented by the relationship markers that may be the inverse of a relationship of
/// kind `Kind` declared on `Owner`.
#[diagnostic::on_unimplemented(
    message = "the inverse `{Self}` does not point back at `{Owner}` with a matching kind",
    label = "this `inverse` must name a relationship of the target that points back at this model",
    note = "`has_many` pairs with `belongs_to`, `has_one` with `belongs_to`, `many_to_many` with `many_to_many`"
)]
pub trait InverseOf<Owner, Kind> {}

#[diagnostic::do_not_recommend]
impl<O, T> InverseOf<O, kind::HasMany> for Relationship<T, O, kind::BelongsTo> {}
#[diagnostic::do_not_recommend]
impl<O, T> InverseOf<O, kind::HasOne> for Relationship<T, O, kind::BelongsTo> {}
#[diagnostic::do_not_recommend]
impl<O, T> InverseOf<O, kind::BelongsTo> for Relationship<T, O, kind::HasMany> {}
#[diagnostic::do_not_recommend]
impl<O, T> InverseOf<O, kind::BelongsTo> for Relationship<T, O, kind::HasOne> {}
#[diagnostic::do_not_recommend]
impl<O, T> InverseOf<O, kind::ManyToMany> for Relationship<T, O, kind::ManyToMany> {}

/// Compiles only if `marker` may be the inverse of a `Kind` relationship on `Owner`.
pub const fn assert_inverse<Owner, Kind, M: InverseOf<Owner, Kind>>(_marker: &M) {}

/// The target of a `belongs_to`, `has_many`, `has_one` or `many_to_many` must be a model.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model, so it cannot be the target of a relationship",
    label = "not a `#[derive(Model)]` struct",
    note = "add `#[derive(Model)]` to `{Self}`, or name a model as the relationship's target"
)]
pub trait RelationTarget: crate::Model {}
impl<M: crate::Model> RelationTarget for M {}

/// Compiles only if `T` is a model.
pub const fn assert_target<T: RelationTarget>() {}

/// A relationship field's copy, with copies of what it loaded.
pub fn duplicate_related<T: RelationTarget, F: Slot<Target = T>>(field: &F) -> F {
    field.duplicate()
}

/// A relationship field as the rows `save-update` saves with its owner.
pub fn pending_field<T: RelationTarget, F: Pending + Slot<Target = T>>(field: &mut F) -> &mut dyn Pending {
    field
}

/// The foreign key of a `belongs_to` must match the type of the parent's key.
#[diagnostic::on_unimplemented(
    message = "the foreign key type `{Self}` does not match the key of `{Parent}`",
    label = "this field's column references `{Parent}`'s primary key",
    note = "a `BelongsTo<P>` stores `P`'s key type; use `BelongsTo<Option<P>>` for a nullable foreign key"
)]
pub trait ForeignKeyOf<Parent> {}
impl<P: crate::Parent> ForeignKeyOf<P> for crate::BelongsTo<P> {}

pub use crate::relation::tree::{ancestors, descendants};

/// The single key column of `M`, for a foreign key referencing it.
pub const fn key_column<M: crate::Model>() -> &'static str {
    match M::KEY_COLUMN {
        Some(c) => c,
        None => panic!("a relationship's target must have a single-column primary key, not a composite one"),
    }
}

/// The foreign key column of a `belongs_to` relationship (for its inverse `has_many`).
pub const fn forward_column(def: &RelationDef) -> &'static str {
    match def.join {
        Join::Forward { column } => column,
        // a wrong kind is reported by `assert_inverse`, spanned at the `inverse` key
        _ => "",
    }
}

/// The join of a many-to-many seen from its other side.
pub const fn swap_through(def: &RelationDef) -> Join {
    match def.join {
        Join::Through { table, local, remote } => Join::Through { table, local: remote, remote: local },
        // a wrong kind is reported by `assert_inverse`, spanned at the `inverse` key
        other => other,
    }
}

/// `a == b`, in a constant.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether two relationships agree on being each other's inverse: the other side names no
/// inverse, or names `ours`.
pub const fn inverse_agrees(theirs: Option<&str>, ours: &str) -> bool {
    match theirs {
        None => true,
        Some(t) => str_eq(t, ours),
    }
}

/// A column that can hold a foreign key to a model whose key is `K`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a foreign key to a `{K}` key",
    label = "the foreign key column's type must be the parent's key type",
    note = "name the right column with `foreign_key = ...`, or declare it as a `BelongsTo<Parent>` field"
)]
pub trait ForeignKeyColumn<K> {}
#[diagnostic::do_not_recommend]
impl<M, K> ForeignKeyColumn<K> for crate::Col<M, K> {}
#[diagnostic::do_not_recommend]
impl<M, K> ForeignKeyColumn<K> for crate::Col<M, Option<K>> {}

/// Compiles only if `column` can hold a foreign key to a key of type `K`.
pub const fn assert_fk_column<K, C: ForeignKeyColumn<K>>(_column: &C) {}

pub use crate::db::Db;
pub use crate::error::Result;
pub use crate::model::{decode, Model, Row};
pub use crate::query::Col;
pub use crate::relation::{
    BelongsTo, BelongsToRef, HasManyRef, HasOneRef, ManyToManyKind, ManyToManyRef, NoCache, OneToMany, Parent, Related,
};
pub use crate::value::Value;
pub use crate::value::ValueRef;

/// The `ON DELETE` action of `table`'s foreign key `column` (`Unset` when there is none).
pub const fn fk_on_delete(table: &Table, column: &str) -> OnDelete {
    let mut i = 0;
    while i < table.foreign_keys.len() {
        if str_eq(table.foreign_keys[i].column, column) {
            return table.foreign_keys[i].on_delete;
        }
        i += 1;
    }
    OnDelete::Unset
}

/// Whether an ORM `delete` cascade and the foreign key's `ON DELETE RESTRICT` contradict.
pub const fn cascade_fights_restrict(delete: bool, on_delete: OnDelete) -> bool {
    delete && matches!(on_delete, OnDelete::Restrict)
}

/// Whether `passive_deletes` has an `ON DELETE` action to rely on.
pub const fn passive_without_action(passive: bool, on_delete: OnDelete) -> bool {
    passive && !matches!(on_delete, OnDelete::Cascade | OnDelete::SetNull)
}
