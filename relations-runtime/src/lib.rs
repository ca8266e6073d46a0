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

// the schema: models' tables, columns and keys as data, values, checks, errors
#[path = "schema/catalog.rs"]
pub mod catalog;
#[path = "schema/checks.rs"]
mod checks;
#[path = "schema/error.rs"]
mod error;
#[path = "schema/fit.rs"]
mod fit;
#[path = "schema/reach.rs"]
pub mod reach;
#[path = "schema/schema.rs"]
pub mod schema;
#[path = "schema/value.rs"]
mod value;

// SQL: the statement tree and the pieces every statement is built from
#[path = "sql/expr.rs"]
mod expr;
#[path = "sql/loading.rs"]
mod loading;
#[path = "sql/sql.rs"]
mod sql;
#[path = "sql/write.rs"]
mod write;

// dialects: how each database spells SQL
pub mod dialect;

// backends: the drivers
pub mod backend;

// the ORM: the session, queries, loading, relationships, cascades, pools
#[cfg(feature = "tokio")]
#[path = "orm/async_db.rs"]
mod async_db;
#[cfg(feature = "deadpool")]
#[path = "orm/async_pool.rs"]
mod async_pool;
#[path = "orm/bulk.rs"]
mod bulk;
#[path = "orm/cascade.rs"]
mod cascade;
#[path = "orm/create.rs"]
mod create;
#[path = "orm/crud.rs"]
mod crud;
#[path = "orm/db.rs"]
mod db;
#[path = "orm/fetch.rs"]
mod fetch;
#[path = "orm/keys.rs"]
mod keys;
#[path = "orm/load/mod.rs"]
mod load;
#[path = "orm/model.rs"]
mod model;
#[path = "orm/options.rs"]
mod options;
#[cfg(any(feature = "pool", feature = "deadpool"))]
#[path = "orm/pool.rs"]
pub mod pool;
#[cfg(any(feature = "pool", feature = "deadpool"))]
#[path = "orm/pool_options.rs"]
mod pool_options;
#[path = "orm/preload.rs"]
mod preload;
#[path = "orm/project.rs"]
mod project;
#[path = "orm/query.rs"]
mod query;
#[path = "orm/raw.rs"]
mod raw;
#[path = "orm/relation/mod.rs"]
mod relation;
#[path = "orm/select.rs"]
mod select;
#[path = "orm/stream.rs"]
mod stream;
#[path = "orm/term.rs"]
mod term;
#[path = "orm/upsert.rs"]
mod upsert;

// the schema tools: inspect, diff and migrations, models from a schema, diagrams
#[cfg(feature = "tools")]
#[path = "tools/codegen.rs"]
pub mod codegen;
#[cfg(feature = "tools")]
#[path = "tools/erd.rs"]
pub mod erd;
#[path = "tools/inspect.rs"]
mod inspect;
#[cfg(feature = "migrate")]
#[path = "tools/migrate/mod.rs"]
pub mod migrate;

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
/// Re-exported for [`Db::driver`] and [`Db::from_connection`].
pub use rusqlite;
pub use rust_decimal;
/// Re-exported for [`Db::driver`]'s client, its rows and its errors.
#[cfg(feature = "postgres")]
pub use tokio_postgres;
