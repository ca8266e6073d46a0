//! Per-model hooks (SQLAlchemy's mapper events `before_insert`, `after_update`, `load`, ...):
//! the [`Hooks`] trait a model declared `#[model(hooks)]` implements, and how the unit of work
//! runs them.

use crate::orm::db::Db;
pub use crate::orm::model::Event;
use crate::orm::model::Model;
use crate::schema::error::{Error, Result};
use crate::schema::Table;

/// What a model declared `#[model(hooks)]` does around its own writes and loads (SQLAlchemy's
/// mapper events). Every method has a default that does nothing; implement those you need:
///
/// `#[derive(Model)] #[model(hooks)] struct Post { .. }` and `impl relations::Hooks for Post
/// { fn before_insert(&mut self, db: &Db) -> relations::Result<()> { .. } }` (the guide's
/// *Writing* chapter, "Hooks", runs it).
///
/// - The `before_` hooks run before the row's statement and may change the row (a timestamp,
///   a slug); `after_` hooks run after it, in the same transaction.
/// - They run for every row a write is handed: `add`, `add_all`, `insert`, `save`, `update`,
///   `delete`, and the rows saved with it through its relationship fields or deleted as
///   orphans — each inside the one transaction of the call (a unit of work), so that a hook
///   that fails rolls all of it back, the row's own statement included.
/// - A hook refuses with [`Error::rejected`], which names the table and the hook; any other
///   error it returns (one of a statement it ran) passes as it is.
/// - `after_load` runs on each row read into a model, by any query or loader.
/// - Statements that change rows no one holds — a bulk update or delete, an upsert, the rows a
///   delete cascades to in the database — have no row to hand a hook: for a model with hooks
///   they are refused with [`Error::InvalidQuery`], naming the way to do it row by row.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has `#[model(hooks)]` but does not implement `relations::Hooks`",
    label = "hooks declared here",
    note = "add `impl relations::Hooks for {Self} {{}}` with the hooks it needs, or remove `hooks` from `#[model(..)]`"
)]
pub trait Hooks: Model + HooksDeclared {
    /// Before the row is inserted: it may change the row.
    fn before_insert(&mut self, db: &Db) -> Result<()> {
        let _ = db;
        Ok(())
    }
    /// After the row is inserted (its key assigned), in the same transaction.
    fn after_insert(&mut self, db: &Db) -> Result<()> {
        let _ = db;
        Ok(())
    }
    /// Before the row is updated: it may change the row. Runs even when a
    /// [`Snapshot`](crate::Snapshot) finds nothing changed (what it changes is written).
    fn before_update(&mut self, db: &Db) -> Result<()> {
        let _ = db;
        Ok(())
    }
    /// After the row is updated, in the same transaction.
    fn after_update(&mut self, db: &Db) -> Result<()> {
        let _ = db;
        Ok(())
    }
    /// Before the row (and what its cascades take with it) is deleted.
    fn before_delete(&self, db: &Db) -> Result<()> {
        let _ = db;
        Ok(())
    }
    /// After the row is deleted, in the same transaction.
    fn after_delete(&self, db: &Db) -> Result<()> {
        let _ = db;
        Ok(())
    }
    /// After the row is read into the model, by any query or loader: it may change the row
    /// (a field computed from others). No database: a load runs no statement of its own here.
    fn after_load(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Implemented by `#[model(hooks)]`: a model implements [`Hooks`] only where its derive runs
/// them, so that an `impl Hooks` without the attribute does not compile (rather than being
/// silently ignored).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` implements `relations::Hooks`, but its derive does not run them",
    label = "the derive of this model does not run hooks",
    note = "add `#[model(hooks)]` to `{Self}`"
)]
pub trait HooksDeclared {}

/// A hook's error, with a refusal's table and hook filled in.
pub fn named<M: Model>(e: Error, event: Event) -> Error {
    match e {
        Error::Rejected { table: "", message, .. } => {
            Error::Rejected { table: M::TABLE.name, hook: event.name(), message }
        }
        e => e,
    }
}

/// Runs `model`'s hook for `event` (one that may change the row), if it has hooks.
pub(crate) fn run<M: Model>(model: &mut M, db: &Db, event: Event) -> Result<()> {
    if !M::HOOKS {
        return Ok(());
    }
    model.hook(db, event).map_err(|e| named::<M>(e, event))
}

/// Runs `model`'s delete hook for `event`, if it has hooks.
pub(crate) fn run_ref<M: Model>(model: &M, db: &Db, event: Event) -> Result<()> {
    if !M::HOOKS {
        return Ok(());
    }
    model.hook_ref(db, event).map_err(|e| named::<M>(e, event))
}

/// [`Error::InvalidQuery`] for a set-based statement on `M`, which has hooks: `what` it is, and
/// the way to do it row by row.
pub(crate) fn refuse_set_based<M: Model>(what: &str, instead: &str) -> Result<()> {
    refuse_set_based_on(M::TABLE, M::HOOKS, what, instead)
}

/// [`refuse_set_based`] for a model whose table is `t`, with hooks or not.
pub(crate) fn refuse_set_based_on(t: &'static Table, hooked: bool, what: &str, instead: &str) -> Result<()> {
    if !hooked {
        return Ok(());
    }
    Err(Error::InvalidQuery {
        table: t.name,
        message: format!(
            "`{}` has hooks, and {what} changes rows without handing them to its hooks; {instead}",
            t.name
        ),
    })
}
