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

// the root: what an application names
#[cfg(feature = "tokio")]
pub use orm::async_db::{AsyncDb, BlockingDb};
pub use orm::db::{Db, NPlusOne};
pub use orm::deferred::Deferred;
pub use orm::hooks::Hooks;
pub use orm::load::{joinedload, lazyload, raiseload, selectinload, subqueryload, subtreeload};
pub use orm::model::{IndexForeignKeys, Model, Snapshot};
pub use orm::project::FromRow;
pub use orm::query::Query;
pub use orm::relation::{BelongsTo, Dynamic, HasMany, HasOne, ManyToMany, Owner};
pub use orm::term::{coalesce, count};
pub use orm::version::Version;
pub use schema::error::{Error, Result};
pub use sql::expr::Expr;

/// What a query is built from and hands back, beside [`Query`] itself: column handles
/// ([`Col`](query::Col)), terms, orders, projections, pages, batches, bulk updates, upserts'
/// conflict targets, raw statements and rules. Applications seldom name these: the methods
/// that return them are on [`Query`], the models' column constants and [`Db`].
pub mod query {
    pub use crate::orm::bulk::Update;
    pub use crate::orm::crud::INSERT_BATCH;
    pub use crate::orm::project::{Cursor, FromValues, Projection, Selection, Terms};
    pub use crate::orm::query::{Alias, Col};
    pub use crate::orm::raw::{Raw, RawBind};
    pub use crate::orm::select::Page;
    pub use crate::orm::stream::{Batches, Rows};
    pub use crate::orm::term::{Nullable, Numeric, Operand, Term, Text};
    pub use crate::orm::upsert::ConflictTarget;
    pub use crate::sql::expr::{Order, Subquery};
    pub use crate::sql::rules::Rule;
}

/// The machinery behind the relationship fields ([`BelongsTo`], [`HasMany`], [`HasOne`],
/// [`ManyToMany`], [`Dynamic`]): the handles their accessors return (`user.posts(&db)` is a
/// [`HasManyRef`](relation::HasManyRef)), what a polymorphic owner implements, and the traits
/// the derive implements for each field.
pub mod relation {
    #[doc(hidden)]
    pub use crate::orm::relation::Lazily;
    pub use crate::orm::relation::{
        BelongsToRef, HasManyRef, HasOneRef, KeepsRows, Loaded, ManyToManyKind, ManyToManyRef, NoCache, OneToMany,
        OwnerOf, Parent, Related, SetOwner, Slot,
    };
}

/// Loader options as values: what [`selectinload`] and its kin return ([`Eager`](load::Eager)),
/// the relationship paths they take (`User::POSTS` is a [`Rel`](load::Rel)), and what
/// [`Query::options`] and [`Db::preload`] accept ([`Load`](load::Load)).
pub mod load {
    pub use crate::orm::load::{Eager, Rel, RelTarget};
    pub use crate::orm::options::Load;
}

/// What a set of models and a row are to the runtime: the key type, the tuples `create_all`
/// takes, a row being decoded.
pub mod model {
    pub use crate::orm::model::{Key, ModelSet, Row};
}

/// Re-exported so that models can name chrono's and rust_decimal's types without adding them.
pub use chrono;
/// Re-exported for [`Db::driver`] and [`Db::from_connection`].
pub use rusqlite;
pub use rust_decimal;
/// Re-exported for [`Db::driver`]'s client, its rows and its errors.
#[cfg(feature = "postgres")]
pub use tokio_postgres;
