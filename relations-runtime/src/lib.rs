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

#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

// the floors, from the ground up: each uses only those below it
// the schema: models' tables, columns and keys as data, values, checks, errors
pub mod schema;
// dialects: how each database spells SQL
pub mod dialect;
// SQL: the statement tree, rendered through a dialect (beside the backends: neither uses the other)
pub(crate) mod sql;
// backends: the drivers
pub mod backend;
// the ORM: the session, queries, loading, relationships, cascades, pools
pub(crate) mod orm;
// the schema tools: inspect, diff and migrations, models from a schema, diagrams
pub(crate) mod tools;

#[cfg(any(feature = "pool", feature = "deadpool"))]
pub use orm::pool;
pub use schema::{catalog, reach};
#[cfg(feature = "migrate")]
pub use tools::migrate;
#[cfg(feature = "tools")]
pub use tools::{codegen, erd};

/// The names an application uses most, for one glob import: the session, the model trait,
/// the relationship fields, the loading options, the result type and the error. The
/// `relations` facade's prelude adds the derive macros to these.
pub mod prelude {
    #[cfg(feature = "tokio")]
    pub use crate::AsyncDb;
    pub use crate::{
        coalesce, count, joinedload, lazyload, raiseload, selectinload, subqueryload, subtreeload, BelongsTo, Db,
        Deferred, Dynamic, Error, FromRow, HasMany, HasOne, Hooks, IndexForeignKeys, ManyToMany, Model, NPlusOne,
        Query, Result, Snapshot, Version,
    };
}

// what the derive's generated code calls, named so that no application reaches it by accident
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "tokio")]
pub use orm::async_db::{AsyncDb, BlockingDb};
pub use orm::bulk::Update;
pub use orm::crud::INSERT_BATCH;
pub use orm::db::{Db, NPlusOne};
pub use orm::deferred::Deferred;
pub use orm::hooks::Hooks;
pub use orm::load::{joinedload, lazyload, raiseload, selectinload, subqueryload, subtreeload, Eager, Rel, RelTarget};
pub use orm::model::{IndexForeignKeys, Key, Model, ModelSet, Row, Snapshot};
pub use orm::options::Load;
pub use orm::project::{Cursor, FromRow, FromValues, Projection, Selection, Terms};
pub use orm::query::{Alias, Col, Query};
pub use orm::raw::{Raw, RawBind};
#[doc(hidden)]
pub use orm::relation::Lazily;
pub use orm::relation::{
    BelongsTo, BelongsToRef, Dynamic, HasMany, HasManyRef, HasOne, HasOneRef, KeepsRows, Loaded, ManyToMany,
    ManyToManyKind, ManyToManyRef, NoCache, OneToMany, Owner, OwnerOf, Parent, Related, SetOwner, Slot,
};
pub use orm::select::Page;
pub use orm::stream::{Batches, Rows};
pub use orm::term::{coalesce, count, Nullable, Numeric, Operand, Term, Text};
pub use orm::upsert::ConflictTarget;
pub use orm::version::Version;
pub use schema::error::{Error, Result};
pub use schema::value::{Bind, DecodeError, SqlValue, Value, ValueRef};
pub use sql::expr::{Expr, Order, Subquery};
pub use sql::rules::Rule;

/// Re-exported so that models can name chrono's and rust_decimal's types without adding them.
pub use chrono;
/// Re-exported for [`Db::driver`] and [`Db::from_connection`].
pub use rusqlite;
pub use rust_decimal;
/// Re-exported for [`Db::driver`]'s client, its rows and its errors.
#[cfg(feature = "postgres")]
pub use tokio_postgres;
