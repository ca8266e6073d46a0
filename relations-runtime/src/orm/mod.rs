//! The ORM: the session ([`Db`](crate::orm::db::Db), its transactions and its statements' path), the
//! model operations on it (insert, update, delete, cascades, upserts, bulk writes), queries
//! and projections, loading strategies, relationship fields and handles, streaming, and the
//! pools. It builds statements from the `sql` floor and runs them through a backend.

#[cfg(feature = "tokio")]
pub(crate) mod async_db;
#[cfg(feature = "deadpool")]
pub(crate) mod async_pool;
pub(crate) mod bulk;
pub(crate) mod cascade;
pub(crate) mod create;
pub(crate) mod crud;
pub(crate) mod db;
pub(crate) mod deferred;
pub(crate) mod fetch;
pub(crate) mod hooks;
pub(crate) mod keys;
pub(crate) mod load;
pub(crate) mod model;
pub(crate) mod options;
#[cfg(any(feature = "pool", feature = "deadpool"))]
pub mod pool;
#[cfg(any(feature = "pool", feature = "deadpool"))]
pub(crate) mod pool_options;
pub(crate) mod preload;
pub(crate) mod project;
pub(crate) mod query;
pub(crate) mod raw;
pub(crate) mod relation;
pub(crate) mod rules;
pub(crate) mod select;
pub(crate) mod soft_delete;
pub(crate) mod stored;
pub(crate) mod stream;
pub(crate) mod tenant;
pub(crate) mod term;
pub(crate) mod upsert;
pub(crate) mod version;
