//! The runtime of [`relations`](https://docs.rs/relations): a [`Db`] on SQLite or PostgreSQL
//! (feature `postgres`), the [`Model`] trait that `#[derive(Model)]` implements, relationship
//! fields and handles, typed queries and DDL rendering. Use it through the `relations` facade
//! crate.
//!
//! ```
//! use relations_runtime::{Db, Result};
//! # fn main() -> Result<()> {
//! let db = Db::open_in_memory()?;
//! assert_eq!(db.statement_count(), 0);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

#[cfg(feature = "tokio")]
mod async_db;
#[cfg(feature = "deadpool")]
mod async_pool;
pub mod backend;
mod bulk;
mod cascade;
pub mod catalog;
mod checks;
#[cfg(feature = "tools")]
pub mod codegen;
mod create;
mod crud;
mod db;
pub mod dialect;
#[cfg(feature = "tools")]
pub mod erd;
mod error;
mod expr;
mod fetch;
mod fit;
mod inspect;
mod keys;
mod load;
#[cfg(feature = "migrate")]
pub mod migrate;
mod model;
mod options;
#[cfg(any(feature = "pool", feature = "deadpool"))]
pub mod pool;
#[cfg(any(feature = "pool", feature = "deadpool"))]
mod pool_options;
mod preload;
mod project;
mod query;
mod raw;
pub mod reach;
mod relation;
pub mod schema;
mod select;
mod sql;
mod stream;
mod term;
mod upsert;
mod value;

#[doc(hidden)]
pub mod private;

#[cfg(feature = "tokio")]
pub use async_db::{AsyncDb, BlockingDb};
pub use bulk::Update;
pub use crud::INSERT_BATCH;
pub use db::{Db, NPlusOne};
pub use error::{Error, Result};
pub use expr::{Expr, Order, Subquery};
pub use load::{joinedload, lazyload, raiseload, selectinload, subqueryload, subtreeload, Eager, Rel, RelTarget};
pub use model::{IndexForeignKeys, Key, Model, ModelSet, Row, Snapshot};
pub use options::Load;
pub use project::{Cursor, FromRow, FromValues, Projection, Selection, Terms};
pub use query::{Alias, Col, Query};
pub use raw::{Raw, RawBind};
#[doc(hidden)]
pub use relation::Lazily;
pub use relation::{
    BelongsTo, BelongsToRef, Dynamic, HasMany, HasManyRef, HasOne, HasOneRef, KeepsRows, Loaded, ManyToMany,
    ManyToManyKind, ManyToManyRef, NoCache, OneToMany, Owner, OwnerOf, Parent, Related, SetOwner, Slot,
};
pub use select::Page;
pub use stream::{Batches, Rows};
pub use term::{coalesce, count, Nullable, Numeric, Operand, Term, Text};
pub use upsert::ConflictTarget;
pub use value::{Bind, DecodeError, SqlValue, Value, ValueRef};

/// Re-exported so that models can name chrono's and rust_decimal's types without adding them.
pub use chrono;
/// Re-exported for [`Db::connection`] and [`Db::from_connection`].
pub use rusqlite;
pub use rust_decimal;
/// Re-exported for [`Db::postgres`]'s client, its rows and its errors.
#[cfg(feature = "postgres")]
pub use tokio_postgres;
