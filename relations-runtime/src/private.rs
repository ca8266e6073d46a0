//! What `#[derive(Model)]`'s generated code calls. Not a public API: it may change in any
//! release, which is why the facade pins the derive crate's exact version.

pub use crate::backend::RawRow;
pub use crate::orm::hooks::{named as hook_error, Event, Hooks, HooksDeclared};
pub use crate::orm::load::Rel;
pub use crate::orm::model::{ParentLink, Pending, Sealed, Snapshot};
pub use crate::orm::options::Load;
pub use crate::orm::project::{Cursor, FromRow, FromValues};
pub use crate::orm::relation::{Cached, Dynamic, Fill, HasMany, HasOne, ManyToMany, Slot};
pub use crate::orm::version::Version;

pub use crate::schema::value::SqlValue;
pub use crate::schema::{
    no_relations, ordered_on_link, Cascade, ColumnDef, ColumnDefault, Constraint, ForeignKey, Index, Join, Lazy,
    OnDelete, OrderBy, RelationDef, SqlType, Table, Validator,
};
#[cfg(feature = "serde")]
pub use serde;

use std::marker::PhantomData;

/// The declared type of a column: the Rust type's own unless the model overrides it.
pub const fn sql_type<T: SqlValue>() -> SqlType {
    T::SQL_TYPE
}

/// Whether a column of this type can be a soft delete's stamp: a timestamp or a date.
pub const fn soft_delete_type(t: SqlType) -> bool {
    matches!(t, SqlType::DateTime | SqlType::Date)
}

/// Whether a Rust type makes a nullable column.
pub const fn nullable<T: SqlValue>() -> bool {
    T::NULLABLE
}

pub use crate::schema::value::{now, today};

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

/// The target of a `belongs_to`, `has_many`, `has_one` or `many_to_many` must be a model.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model, so it cannot be the target of a relationship",
    label = "not a `#[derive(Model)]` struct",
    note = "add `#[derive(Model)]` to `{Self}`, or name a model as the relationship's target"
)]
pub trait RelationTarget: crate::orm::model::Model {}
impl<M: crate::orm::model::Model> RelationTarget for M {}

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
impl<P: crate::orm::relation::Parent> ForeignKeyOf<P> for crate::orm::relation::BelongsTo<P> {}

pub use crate::orm::relation::tree::{ancestors, descendants};

/// The single key column of `M`, for a foreign key referencing it.
pub const fn key_column<M: crate::orm::model::Model>() -> &'static str {
    match M::KEY_COLUMN {
        Some(c) => c,
        None => panic!(
            "this foreign key is one column, but the model it references has a composite key: write `#[belongs_to(Model, columns(\"a\", \"b\"))]`, one column per key column (a many_to_many's ends and a self_ref need single-column keys)"
        ),
    }
}

pub use crate::schema::checks::{
    check_composite_fk, check_fk_column, check_inverse, check_order_column, check_order_column_through,
    check_owner_variants, check_through, inverse_column, inverse_through, str_eq, Msg, Ours, RelKind, RelationInfo,
    Theirs,
};

pub use crate::orm::db::Db;
pub use crate::orm::model::{decode, Model, Row};
pub use crate::orm::query::Col;
pub use crate::orm::relation::{
    exactly_one, fk_part, is_set, load_owner, read_composite_fk, set_fk_part, BelongsTo, BelongsToRef, CompositeFk,
    HasManyRef, HasOneRef, KeyPart, ManyToManyKind, ManyToManyRef, NoCache, OneToMany, Owner, OwnerOf, Parent, Related,
    SetOwner,
};
pub use crate::schema::error::Result;
/// The compile-time reach of statements, for the `Rel` and handle types the derive names.
pub use crate::schema::reach;
pub use crate::schema::value::{DecodeError, Value, ValueRef};

/// The declared type of `table`'s (first) primary key column.
pub const fn key_sql_type(table: &Table) -> SqlType {
    let mut i = 0;
    while i < table.columns.len() {
        if table.columns[i].primary_key {
            return table.columns[i].sql_type;
        }
        i += 1;
    }
    SqlType::Integer
}

/// The `ON DELETE` action of `table`'s foreign key over `columns` (`Unset` when there is none).
pub const fn fk_on_delete(table: &Table, columns: &[&str]) -> OnDelete {
    let mut i = 0;
    'fks: while i < table.foreign_keys.len() {
        let fk = table.foreign_keys[i].columns;
        i += 1;
        if fk.len() != columns.len() {
            continue;
        }
        let mut j = 0;
        while j < fk.len() {
            if !str_eq(fk[j], columns[j]) {
                continue 'fks;
            }
            j += 1;
        }
        return table.foreign_keys[i - 1].on_delete;
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
