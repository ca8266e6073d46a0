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
mod owner;
mod save;
mod slot;
pub mod tree;

#[doc(hidden)]
pub use belongs_to::{fk_part, read_composite_fk, set_fk_part, CompositeFk, KeyPart};
pub use belongs_to::{BelongsTo, Parent};
pub use collection::{Cached, HasMany, ManyToMany};
pub use handles::{
    BelongsToRef, Dynamic, HasManyRef, HasOneRef, KeepsRows, ManyToManyKind, ManyToManyRef, NoCache, OneToMany, Related,
};
pub use has_one::HasOne;
#[doc(hidden)]
pub use owner::{exactly_one, is_set, load_owner};
pub use owner::{Owner, OwnerOf, SetOwner};
pub use slot::{Fill, Slot};
