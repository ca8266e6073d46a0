//! Rules on every load (SQLAlchemy's `with_loader_criteria`): a condition on one model that
//! every statement reading its rows honours, on a [`Db`] (every statement of the connection,
//! and of every connection of a pool that sets it) or on one query (its statement and its
//! loads). Each statement's tree gets the condition where it reads the model (see
//! `sql::rules`): the rule joins the statement, never a second query.

use std::borrow::Cow;

use crate::orm::db::Db;
use crate::orm::model::Model;
use crate::schema::reach::{Cons, Nil, Within};
use crate::schema::Table;
use crate::sql::expr::{Core, Expr, Scalar};
use crate::sql::rules::{and, live, TableTest};

/// A condition every read of one model's rows honours: built by [`Rule::on`], set on a
/// connection with [`Db::add_rule`] (or on a pool's connections) or on one query with
/// [`Query::rule`](crate::Query::rule). A row that fails it is not there for the reads it
/// governs: queries, `get`, counts and pages, lazy and eager loads of every strategy, `any` and
/// `has`, relationship aggregates, bulk updates and deletes. Lifted explicitly by
/// [`Db::without_rules`] or [`Query::without_rules`](crate::Query::without_rules).
///
/// What it does not govern: the delete planner's reads (it must see every referencing row to
/// keep the foreign keys whole), and the condition of a rule itself (taken as written).
#[derive(Clone, Debug)]
pub struct Rule {
    pub(crate) table: &'static Table,
    pub(crate) condition: Expr,
}

impl Rule {
    /// The rule that rows of `M` match `condition`, a condition on `M`'s columns alone
    /// (checked at compile time): `Rule::on::<Post, _, _>(Post::published.eq(true))`, or
    /// `Post::rule(Post::published.eq(true))`.
    pub fn on<M: Model, S, I>(condition: impl Into<Expr<S>>) -> Rule
    where
        S: Within<Cons<M, Nil>, I>,
    {
        Rule { table: M::TABLE, condition: condition.into().erase() }
    }

    /// The name of the table the rule is on.
    pub fn table(&self) -> &'static str {
        self.table.name
    }
}

/// The rules of a connection, and those of the query running on it.
#[derive(Default)]
pub(crate) struct Rules {
    /// The connection's own.
    pub(crate) list: Vec<Rule>,
    /// The running query's, for its statement and its loads.
    pub(crate) query: Vec<(&'static Table, Expr)>,
    /// Lifted (by `without_rules`, the connection's or a query's).
    pub(crate) lifted: bool,
    /// The connection's tenant ([`Db::set_tenant`]).
    pub(crate) tenant: Option<crate::schema::value::Value<'static>>,
}

impl Rules {
    /// Whether some rule is in force.
    pub(crate) fn any(&self) -> bool {
        !self.lifted && (!self.list.is_empty() || !self.query.is_empty())
    }

    /// The rules on `table`, ANDed, soft deletion's first; `None` when there is none.
    pub(crate) fn on(&self, table: &'static Table) -> Option<Expr> {
        if self.lifted {
            return None;
        }
        let soft = live(table);
        let tenant = self.tenant.as_ref().and_then(|v| {
            let column = table.columns[table.tenant?].name;
            Some(Expr::compare(Scalar::Column { table: table.name, column }, "=", Scalar::Bound(v.clone())))
        });
        let built_in = soft.into_iter().chain(tenant);
        if !self.any() {
            return built_in.reduce(and);
        }
        let own = self.list.iter().filter(|r| r.table.name == table.name).map(|r| r.condition.clone());
        let query = self.query.iter().filter(|(t, _)| t.name == table.name).map(|(_, c)| c.clone());
        built_in.chain(own).chain(query).reduce(and)
    }

    /// Whether nothing applies to a statement that reads what `reads` says (with the test
    /// whether a table has rules): no rule, no soft-deleted table.
    fn none_for(&self, reads: impl FnOnce(TableTest<'_>) -> bool) -> bool {
        let tenant = self.tenant.is_some();
        self.lifted || (!self.any() && !reads(&|t| t.soft_delete.is_some() || (tenant && t.tenant.is_some())))
    }
}

impl Db {
    /// Adds a rule every statement of this connection honours (SQLAlchemy's
    /// `with_loader_criteria`, set on every statement of the session): soft-deleted rows left
    /// out, one tenant's rows.
    ///
    /// `db.add_rule(Post::rule(Post::deleted_at.is_null()))` (the README's "Rules on every
    /// load" paragraph runs it).
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

    /// Runs `f` with every rule lifted: the connection's, a query's, and soft deletion's
    /// filter — the explicit way to read every row (an administrator's view, a purge).
    pub fn without_rules<T>(&self, f: impl FnOnce(&Db) -> T) -> T {
        let was = std::mem::replace(&mut self.rules.borrow_mut().lifted, true);
        let _restore = Restore(self, Some(was), None);
        f(self)
    }

    /// Replaces the connection's rules by `rules` (a pool's, at checkout), without a tenant.
    #[cfg(any(feature = "pool", feature = "deadpool"))]
    pub(crate) fn reset_rules(&self, rules: &[Rule]) {
        *self.rules.borrow_mut() = Rules { list: rules.to_vec(), ..Rules::default() };
    }

    /// The rules on `table` in force now, ANDed.
    pub(crate) fn rule_for(&self, table: &'static Table) -> Option<Expr> {
        self.rules.borrow().on(table)
    }

    /// `core` with the rules in force on every table it reads; itself when there are none.
    pub(crate) fn ruled<'c>(&self, core: &'c Core) -> Cow<'c, Core> {
        let rules = self.rules.borrow();
        if rules.none_for(|test| core.reads(test)) {
            return Cow::Borrowed(core);
        }
        let mut ruled = core.clone();
        ruled.apply_rules(&|t| rules.on(t));
        Cow::Owned(ruled)
    }

    /// Conditions on the related rows of a relationship's load: `filter` with the rules
    /// applied inside it, and the rule on `target`.
    pub(crate) fn ruled_filter<'f>(&self, target: &'static Table, filter: &'f [Expr]) -> Cow<'f, [Expr]> {
        let rules = self.rules.borrow();
        if rules.none_for(|test| test(target) || filter.iter().any(|f| f.reads(test))) {
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
        if core.rules.is_empty() && !core.unruled {
            return f();
        }
        let (was, added) = {
            let mut rules = self.rules.borrow_mut();
            let was = rules.lifted;
            rules.lifted |= core.unruled;
            rules.query.extend(core.rules.iter().cloned());
            (was, core.rules.len())
        };
        let _restore = Restore(self, Some(was), Some(added));
        f()
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
