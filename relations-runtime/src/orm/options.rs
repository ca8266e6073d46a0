//! What a loader option is, as the layers above see it: [`Load`], one option for rows of a
//! model, type-erased over the relationship it loads, and the interface each strategy
//! implements (in `load`). Below the models: a model names its declared options here.

use std::fmt;
use std::sync::Arc;

use crate::backend::RawRow;
use crate::orm::db::Db;
use crate::schema::error::Result;
use crate::schema::{Lazy, RelationDef};
use crate::sql::expr::Core;
use crate::sql::loading::{Joins, ModelRows};

/// How an option loads its relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum How {
    Joined,
    Selectin,
    Subquery,
    Subtree,
    Lazy,
    Raise,
}

impl How {
    pub(crate) fn of(lazy: Lazy) -> How {
        match lazy {
            Lazy::Joined => How::Joined,
            Lazy::Selectin => How::Selectin,
            Lazy::Subquery => How::Subquery,
            Lazy::Raise => How::Raise,
            Lazy::Select | Lazy::Dynamic => How::Lazy,
        }
    }
}

/// A loader option for rows of `O`, whatever relationship it loads; what
/// [`Query::options`](crate::orm::query::Query::options) takes (every [`Eager`](crate::orm::load::Eager) converts into one).
pub struct Load<O>(pub(crate) Arc<dyn Node<O>>);

impl<O> Clone for Load<O> {
    fn clone(&self) -> Self {
        Load(Arc::clone(&self.0))
    }
}

impl<O> fmt::Debug for Load<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Load({:?} {})", self.0.how(), self.0.def().path())
    }
}

/// The tables a load has passed through: a declared eager strategy is not followed back into
/// one of them, so `lazy = "joined"` on both sides of a relationship does not loop.
pub(crate) type Path = Vec<&'static str>;

/// Collects one joined relationship's rows from the owners' statement.
pub(crate) trait JoinedAcc<O> {
    /// Reads this relationship's columns of `row`, whose owner is `owners[owner]`.
    fn absorb(&mut self, row: &dyn RawRow, owner: usize) -> Result<()>;
    /// Hands the rows to the owners' fields (after loading their own relationships).
    fn finish(self: Box<Self>, db: &Db, owners: &[O], path: &mut Path) -> Result<()>;
}

/// A subtree option that can run inside its owners' statement (see `Eager::as_tree`).
pub(crate) trait Tree<O> {
    /// Runs the owners' statement `rows` with the subtree's rows in it, then `loads` (the
    /// subtree option among them at `index`) on the owners.
    fn fetch_with(
        &self,
        db: &Db,
        rows: ModelRows<'_>,
        loads: &[Load<O>],
        index: usize,
        path: &mut Path,
        owner_query: Option<&Core>,
    ) -> Result<Vec<O>>;

    /// Hangs `rows`, each with its parent's key, under `owners`, level by level, after loading
    /// the options nested in the subtree option on them.
    fn assemble(
        &self,
        db: &Db,
        owners: &[O],
        rows: Vec<O>,
        parents: Vec<crate::orm::keys::KeyVal>,
        path: &mut Path,
    ) -> Result<()>;
}

/// A loader option, type-erased over the relationship's field.
pub(crate) trait Node<O>: Send + Sync {
    fn def(&self) -> &'static RelationDef;
    fn how(&self) -> How;
    fn limited(&self) -> bool;
    /// Whether the option can load in the owners' statement (see `Eager::join`).
    fn joins(&self) -> bool;
    /// Adds the relationship to the owners' statement; `None` where it cannot load there.
    fn joined(&self, db: &Db, js: &mut Joins, owner_alias: &str, path: &mut Path) -> Option<Box<dyn JoinedAcc<O>>>;
    /// This option as a subtree its owners' statement can include, when it is one, with the
    /// self-reference's foreign key column.
    fn tree(&self) -> Option<(&'static str, &dyn Tree<O>)>;
    /// Loads the relationship of `owners`, already read.
    fn after(&self, db: &Db, owners: &[O], owner_query: Option<&Core>, path: &mut Path) -> Result<()>;
}
