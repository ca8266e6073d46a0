//! Relationship fields ([`HasMany`], [`HasOne`], [`BelongsTo`], [`ManyToMany`]) and the
//! handles their accessors return ([`Related`], [`HasOneRef`], [`BelongsToRef`]).
//!
//! A field holds what was loaded (and, for `BelongsTo`, the foreign key itself). An accessor
//! such as `user.posts(&db)` returns a handle: `.load()` loads the relationship on first use
//! and keeps it (SQLAlchemy's `lazy='select'`), while `.all()`, `.filter(..)`, `.count()`...
//! query afresh each time (`lazy='dynamic'`).

mod belongs_to;
mod collection;
mod handles;
mod has_one;
mod lazy;
mod owner;
mod save;
mod slot;
pub mod tree;

#[doc(hidden)]
pub use belongs_to::{fk_part, read_composite_fk, set_fk_part, CompositeFk, KeyPart};
pub use belongs_to::{BelongsTo, Parent};
#[cfg(feature = "tokio")]
pub(crate) use collection::Collection;
pub use collection::{Cached, HasMany, ManyToMany};
pub use handles::{
    BelongsToRef, Dynamic, HasManyRef, HasOneRef, KeepsRows, ManyToManyKind, ManyToManyRef, NoCache, OneToMany, Related,
};
pub use has_one::HasOne;
#[cfg(feature = "tokio")]
pub(crate) use lazy::{kept, owner_key as lazy_owner_key, scoped};
#[doc(hidden)]
pub use slot::Lazily;

/// What a loaded relationship field `F` reads as: `&[T]` for a to-many, `Option<&T>` for a
/// `has_one`, the parent (`&P`, or `Option<&P>` for a nullable key) for a `belongs_to`.
pub type Loaded<'a, F> = <<F as Slot>::Lazy as Lazily>::Loaded<'a>;
#[doc(hidden)]
pub use owner::{exactly_one, is_set, load_owner};
pub use owner::{Owner, OwnerOf, SetOwner};
pub use slot::{Fill, Slot};
