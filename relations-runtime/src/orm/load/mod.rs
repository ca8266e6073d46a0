//! Eager loading: the relationship paths ([`Rel`]), the per-query options that choose a
//! strategy ([`joinedload`], [`selectinload`], [`subqueryload`], [`subtreeload`],
//! [`lazyload`], [`raiseload`]) and the engine that runs them and fills relationship fields.
//!
//! Every strategy costs a fixed number of statements, whatever the number of rows:
//! - `joined`: none of its own; its rows come in the owner's statement (`LEFT OUTER JOIN`);
//! - `selectin`, `subquery`: one per relationship level (`IN (...)`, chunked below SQLite's
//!   variable limit; `subquery` repeats the owner's query instead of listing keys);
//! - `subtree`: one recursive statement for every level below the owners.

mod eager;
mod hand;
mod joined;
mod select_in;
mod subtree;

pub(crate) use eager::Inside;
pub use eager::{joinedload, lazyload, raiseload, selectinload, subqueryload, Eager, Rel, RelTarget};
pub use subtree::subtreeload;
