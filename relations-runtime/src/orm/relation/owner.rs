//! Polymorphic owners: a row that belongs to one of several models, stored as one nullable
//! foreign key per owner model and a `CHECK` that exactly one is set. `#[derive(Owner)]` on an
//! enum of the owner models implements [`Owner`] and one [`OwnerOf`] per variant; each
//! `#[belongs_to(P, owner = Enum)]` field is an ordinary relationship besides.

use super::belongs_to::{BelongsTo, Parent};
use crate::orm::db::Db;
use crate::orm::model::{Key, Model};
use crate::schema::error::{Error, Result};
use crate::schema::RelationDef;
use crate::sql::key_text;

/// An enum of the models a row can belong to, one variant per owner model:
/// `#[derive(Owner)] enum Commentable { Post(Post), Photo(Photo) }`. Implemented by the derive.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an owner enum",
    label = "named as a polymorphic owner by `owner = {Self}`",
    note = "add `#[derive(Owner)]` to `{Self}`, an enum with one variant per owner model: `Post(Post)`"
)]
pub trait Owner: Sized + 'static {
    /// Each variant's model, as its Rust name and its table, in variant order.
    #[doc(hidden)]
    const MODELS: &'static [(&'static str, &'static str)];

    /// The table of the owner this value holds.
    fn table(&self) -> &'static str;
}

/// The variant of an [`Owner`] enum that holds the model `M`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no variant for the owner model `{M}`",
    label = "`{M}` is declared an owner here, with `owner = {Self}`",
    note = "add a variant `{M}({M})` to `{Self}`, or take `owner = {Self}` off the `belongs_to({M})`"
)]
pub trait OwnerOf<M: Model>: Owner {
    /// `M` in its variant.
    fn wrap(owner: M) -> Self;
}

/// A model whose polymorphic owner `E` can be the model `O`: generated for each
/// `#[belongs_to(O, owner = E)]` field, and what `set_<owner>(&o)` calls.
#[diagnostic::on_unimplemented(
    message = "`{O}` is not one of the owners of `{Self}` in `{E}`",
    label = "`{Self}` has no `#[belongs_to({O}, owner = {E})]` field",
    note = "the owners are the models of its `belongs_to(.., owner = {E})` fields"
)]
pub trait SetOwner<E, O: Model> {
    /// Points the row at `owner` and lets go of the owner it had.
    fn set_owner(&mut self, owner: &O);
}

/// Whether the foreign key of `field` is set.
#[doc(hidden)]
pub fn is_set<P: Parent>(field: &BelongsTo<P>) -> bool {
    P::parent_key(field.key()).is_some()
}

/// `Ok` when exactly one of the owner keys is set; [`Error::NotOneOwner`] otherwise.
#[doc(hidden)]
pub fn exactly_one(table: &'static str, owner: &'static str, columns: &[&str], set: &[bool]) -> Result<()> {
    let n = set.iter().filter(|s| **s).count();
    if n == 1 {
        return Ok(());
    }
    Err(Error::NotOneOwner {
        relationship: format!("{table}.{owner}"),
        columns: columns.iter().zip(set).filter(|(_, s)| n == 0 || **s).map(|(c, _)| c.to_string()).collect(),
        set: n,
    })
}

/// Loads the owner `field` points at (once, kept in the field) and wraps it in its variant.
#[doc(hidden)]
pub fn load_owner<E, M>(db: &Db, rel: &'static RelationDef, field: &BelongsTo<Option<M>>) -> Result<E>
where
    E: OwnerOf<M>,
    M: Model,
    Option<M>: Parent<Model = M, Fk = Option<M::Key>>,
{
    super::lazy::load_now(db, field, rel, || None)?;
    match field.loaded() {
        Some(owner) => Ok(E::wrap(owner.duplicate())),
        None => Err(Error::NotFound {
            table: M::TABLE.name,
            key: field.key().as_ref().map_or_else(|| "NULL".to_string(), |k| key_text(&k.to_values())),
        }),
    }
}
