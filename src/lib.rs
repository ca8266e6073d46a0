//! SQLAlchemy-grade relationships for Rust: annotate plain structs with `#[derive(Model)]` and
//! `#[has_many]`, `#[belongs_to]`, `#[has_one]`, `#[many_to_many]`, `#[self_ref]`; get typed
//! accessors, typed queries, loading strategies, cascades and the DDL, on SQLite (bundled), on
//! PostgreSQL (feature `postgres`) and on MariaDB (feature `mariadb`), sync or async (feature
//! `tokio`).
//!
//! ```
//! use relations::prelude::*;
//!
//! #[derive(Model, Debug)]
//! struct User {
//!     id: i64,
//!     #[column(unique, len = 80)]
//!     username: String,
//!     #[has_many(Post, inverse = author)]
//!     posts: HasMany<Post>,
//! }
//!
//! #[derive(Model, Debug)]
//! struct Post {
//!     id: i64,
//!     #[column(len = 100)]
//!     title: String,
//!     #[belongs_to(User, inverse = posts)]
//!     author: BelongsTo<User>,
//! }
//!
//! fn main() -> relations::Result<()> {
//!     let db = Db::open_in_memory()?;
//!     db.create_all::<(User, Post)>()?;
//!     let ann = db.add(User { username: "ann".into(), ..Default::default() })?;
//!     db.add(Post { title: "Hello".into(), author: BelongsTo::to(&ann), ..Default::default() })?;
//!     let users = User::query(&db).options(selectinload(User::POSTS)).all()?; // 2 statements
//!     assert_eq!(users[0].posts.loaded().unwrap()[0].title, "Hello");
//!     Ok(())
//! }
//! ```
//!
//! # Where to start
//!
//! The [guide] teaches the library a chapter at a time: [getting started](guide::getting_started),
//! [modelling](guide::modelling), [loading](guide::loading), [queries](guide::queries),
//! [writing](guide::writing), [async and web](guide::async_and_web),
//! [backends](guide::backends), [schema over time](guide::schema_over_time),
//! [errors](guide::errors), [performance](guide::performance) and
//! [coming from SQLAlchemy](guide::from_sqlalchemy). The attributes' reference is the
//! documentation of [`derive(Model)`](derive@Model).
//!
//! # What is where
//!
//! | name | what it is |
//! |---|---|
//! | [`prelude`] | one glob import for an application: the derives, [`Db`], the relationship fields, the loader options, [`Result`], [`Error`] |
//! | [`Db`] | a connection: queries start from it, writes go through it, transactions are its closures |
//! | [`Model`] | what `#[derive(Model)]` implements: `query`, `get`, `update`, `save`, `delete`, ... |
//! | [`Query`], [`Expr`] | a query of one model, and its conditions |
//! | [`HasMany`], [`BelongsTo`], [`HasOne`], [`ManyToMany`], [`Dynamic`] | the relationship fields |
//! | [`selectinload`], [`joinedload`], [`subqueryload`], [`subtreeload`], [`lazyload`], [`raiseload`] | the loader options |
//! | [`Snapshot`], [`Version`], [`Deferred`] | fields with a behaviour: only what changed is written; a version counter; a column loaded when asked for |
//! | [`Hooks`], [`IndexForeignKeys`], [`NPlusOne`], [`FromRow`], [`Owner`] | a model's hooks; foreign-key indexes for `create_all`; the N+1 guard; rows into structs; a polymorphic owner |
//! | [`Error`], [`Result`] | every run-time error, named by table, column or constraint |
//! | [`query`] | what a query is built from and returns: column handles, terms, orders, projections, pages, batches, raw statements, rules |
//! | [`relation`] | the handles the relationship accessors return, and the traits behind the fields |
//! | [`load`] | loader options as values, and the relationship paths they take |
//! | [`model`] | the key type, the model sets `create_all` takes, a row being decoded |
//! | [`schema`] | the metadata the derive emits: tables, columns, keys, SQL types; [`SqlValue`](schema::SqlValue) for a column type of your own |
//! | [`catalog`] | a schema as data, from models or read from a live database |
//! | [`dialect`] | how each database spells SQL |
//! | [`backend`] | the drivers, and the trait a new backend implements |
//! | [`reach`] | the types that make a column of a table a statement does not reach a compile error |
//! | `AsyncDb` (feature `tokio`) | the async connection |
//! | `pool` (features `pool`, `deadpool`) | connection pools, sync and async |
//! | `migrate` (feature `migrate`) | schema diffs and versioned migration files |
//! | `codegen`, `erd` (feature `tools`) | models written from a schema; ER diagrams |
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod guide;

// the README's examples run as tests too
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[doc = include_str!("../docs/attributes.md")]
pub use relations_derive::{FromRow, Model, Owner, SqlEnum};
pub use relations_runtime::*;

/// The names an application uses most, for one glob import: the derive macros, the session
/// ([`Db`], and `AsyncDb` with the `tokio` feature), the [`Model`] trait, the relationship
/// fields, the loading options, [`Result`] and [`Error`].
///
/// ```
/// use relations::prelude::*;
///
/// #[derive(Model, Debug)]
/// struct User {
///     id: i64,
///     #[column(len = 80)]
///     username: String,
///     #[has_many(Post, inverse = author)]
///     posts: HasMany<Post>,
/// }
///
/// #[derive(Model, Debug)]
/// struct Post {
///     id: i64,
///     #[column(len = 100)]
///     title: String,
///     #[belongs_to(User)]
///     author: BelongsTo<User>,
/// }
///
/// fn main() -> Result<()> {
///     let db = Db::open_in_memory()?;
///     db.create_all::<(User, Post)>()?;
///     let ann = db.add(User { username: "ann".into(), ..Default::default() })?;
///     db.add(Post { title: "Hello".into(), author: BelongsTo::to(&ann), ..Default::default() })?;
///     let users = User::query(&db).options(selectinload(User::POSTS)).all()?;
///     assert_eq!(users[0].posts.loaded().map(|p| p.len()), Some(1));
///     Ok(())
/// }
/// ```
pub mod prelude {
    pub use relations_derive::{FromRow, Model, Owner, SqlEnum};
    pub use relations_runtime::prelude::*;
}

/// What the derive's generated code calls. Not a public API: the facade pins the derive
/// crate's exact version, so the two always match.
#[doc(hidden)]
pub mod __private {
    pub use relations_runtime::__private::*;
}
