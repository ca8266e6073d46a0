//! Rules on every load (SQLAlchemy's `with_loader_criteria`): a condition on one model that
//! every statement reading its rows honours, on a [`Db`] (every statement of the connection,
//! and of every connection of a pool that sets it) or on one query (its statement and its
//! loads). Each statement's tree gets the condition where it reads the model (see
//! `sql::rules`): the rule joins the statement, never a second query.

use std::borrow::Cow;

use crate::orm::db::Db;
use crate::schema::error::{Error, Result};
use crate::schema::Table;
use crate::sql::expr::{Core, Expr};
use crate::sql::rules::Rule;

impl Db {
    /// Adds a rule every statement of this connection honours (SQLAlchemy's
    /// `with_loader_criteria`, set on every statement of the session): soft-deleted rows left
    /// out, one tenant's rows.
    ///
    /// `db.add_rule(Post::rule(Post::deleted_at.is_null()))` (the guide's *Queries*
    /// chapter, "Rules on every load", runs it).
    pub fn add_rule(&self, rule: Rule) {
        self.rules.borrow_mut().list.push(rule);
    }

    /// Removes every rule of the connection ([`Db::add_rule`]).
    pub fn clear_rules(&self) {
        self.rules.borrow_mut().list.clear();
    }

    /// The connection's rules.
    pub fn rules(&self) -> Vec<Rule> {
        self.rules.borrow().list.clone()
    }

    /// Runs `f` with every rule lifted for its reads: the connection's, a query's, soft
    /// deletion's filter and the tenant's — the explicit way to read every row (an
    /// administrator's view, a purge). Writes still check the tenant ([`Db::set_tenant`]).
    /// On an `AsyncDb`: `adb.run(|db| db.without_rules(|db| ..)).await`.
    pub fn without_rules<T>(&self, f: impl FnOnce(&Db) -> T) -> T {
        let was = std::mem::replace(&mut self.rules.borrow_mut().lifted, true);
        let _restore = Restore(self, Some(was), None);
        f(self)
    }

    /// Replaces the connection's rules by `rules` (a pool's, at checkout), without a tenant.
    #[cfg(any(feature = "pool", feature = "deadpool"))]
    pub(crate) fn reset_rules(&self, rules: &[Rule]) {
        *self.rules.borrow_mut() = crate::sql::rules::Rules { list: rules.to_vec(), ..Default::default() };
    }

    /// The rules on `table` in force now, ANDed.
    pub(crate) fn rule_for(&self, table: &'static Table) -> Option<Expr> {
        self.rules.borrow().on(table)
    }

    /// `core` with the rules in force on every table it reads; itself when there are none.
    /// [`Error::InvalidQuery`] when a rule cannot apply where the query reads its table.
    pub(crate) fn ruled<'c>(&self, core: &'c Core) -> Result<Cow<'c, Core>> {
        let rules = self.rules.borrow();
        if rules.none_for(|test| core.reads(test)) {
            return Ok(Cow::Borrowed(core));
        }
        let mut ruled = core.clone();
        ruled.apply_rules(&|t| rules.on(t));
        match ruled.invalid.take() {
            Some(message) if core.invalid.is_none() => Err(Error::InvalidQuery { table: core.table.name, message }),
            _ => Ok(Cow::Owned(ruled)),
        }
    }

    /// [`Db::ruled`] with the query's own rules (or their lifting) in force: the statement of a
    /// query that runs no loads (a count, a projection, a bulk write).
    pub(crate) fn ruled_query<'c>(&self, core: &'c Core) -> Result<Cow<'c, Core>> {
        self.with_query_rules(core, || self.ruled(core))
    }

    /// Runs `f` on the query `core` as it reads with the rules applied, with the query's own rules
    /// in force for its statement and its loads; `core` checked first. Shared by every model's
    /// [`Query::all`](crate::orm::query::Query::all): only `f` is generic.
    pub(crate) fn run_ruled(&self, core: &Core, f: &mut dyn FnMut(&Core) -> Result<()>) -> Result<()> {
        core.check()?;
        self.with_query_rules(core, || f(&*self.ruled(core)?))
    }

    /// Conditions on the related rows of a relationship's load: `filter` with the rules
    /// applied inside it, and the rule on `target`.
    pub(crate) fn ruled_filter<'f>(&self, target: &'static Table, filter: &'f [Expr]) -> Cow<'f, [Expr]> {
        let rules = self.rules.borrow();
        if rules.none_for(|test| test.hit(target) || filter.iter().any(|f| f.reads(test))) {
            return Cow::Borrowed(filter);
        }
        let mut out = filter.to_vec();
        for f in &mut out {
            f.apply_rules(&|t| rules.on(t));
        }
        out.extend(rules.on(target));
        Cow::Owned(out)
    }

    /// Runs `f` with the rules of the query `core` in force (or all lifted), for its statement
    /// and its loads.
    pub(crate) fn with_query_rules<T>(&self, core: &Core, f: impl FnOnce() -> T) -> T {
        let _restore = self.enter_query_rules(core);
        f()
    }

    /// Puts the rules of the query `core` in force until the guard returned drops (shared by
    /// every [`Db::with_query_rules`]).
    fn enter_query_rules(&self, core: &Core) -> Option<Restore<'_>> {
        if core.rules.is_empty() && !core.unruled {
            return None;
        }
        let (was, added) = {
            let mut rules = self.rules.borrow_mut();
            let was = rules.lifted;
            rules.lifted |= core.unruled;
            rules.query.extend(core.rules.iter().cloned());
            (was, core.rules.len())
        };
        Some(Restore(self, Some(was), Some(added)))
    }
}

/// Puts a connection's rules back as they were when dropped (after a panic too).
struct Restore<'a>(&'a Db, Option<bool>, Option<usize>);

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let mut rules = self.0.rules.borrow_mut();
        if let Some(was) = self.1 {
            rules.lifted = was;
        }
        if let Some(added) = self.2 {
            let keep = rules.query.len().saturating_sub(added);
            rules.query.truncate(keep);
        }
    }
}
