//! Rules on every read (SQLAlchemy's `with_loader_criteria`), as a change of the statement
//! tree: a condition on a table joins every place a statement reads that table — its own rows,
//! its joins (an inner join's in `WHERE`, an outer join's in `ON`), the related rows of an
//! `EXISTS` (`any`/`has`), of a relationship aggregate and of a subquery. The condition itself
//! is taken as written: the rules are not applied inside it again.

use crate::schema::value::Value;
use crate::schema::Table;
use crate::sql::expr::{Core, Expr, Node, Scalar};

/// A condition every read of one model's rows honours: built by
/// [`Model::rule`](crate::Model::rule) (`Post::rule(Post::published.eq(true))`),
/// set on a connection with [`Db::add_rule`](crate::Db::add_rule) (or on a pool's
/// connections) or on one query with
/// [`Query::rule`](crate::Query::rule). A row that fails it is not there for the reads it
/// governs: queries, `get`, counts and pages, lazy and eager loads of every strategy, `any` and
/// `has`, relationship aggregates, bulk updates and deletes. Lifted explicitly by
/// [`Db::without_rules`](crate::Db::without_rules) or
/// [`Query::without_rules`](crate::Query::without_rules).
///
/// What it does not govern: the delete planner's reads (it must see every referencing row to
/// keep the foreign keys whole), and the condition of a rule itself (taken as written).
#[derive(Clone, Debug)]
pub struct Rule {
    pub(crate) table: &'static Table,
    pub(crate) condition: Expr,
}

impl Rule {
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
    /// The connection's tenant (`Db::set_tenant`).
    pub(crate) tenant: Option<Value<'static>>,
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
    pub(crate) fn none_for(&self, reads: impl FnOnce(Watch) -> bool) -> bool {
        self.lifted || (!self.any() && !reads(Watch { tenant: self.tenant.is_some(), any: false }))
    }
}

/// The rule on a table's rows, if any (all of them ANDed).
pub(crate) type RuleFor<'a> = &'a dyn Fn(&'static Table) -> Option<Expr>;

/// What makes a table need a rule when the connection has none of its own, for
/// [`Core::reads`]: a soft delete column, or a tenant column when the connection has a tenant.
#[derive(Clone, Copy)]
pub(crate) struct Watch {
    tenant: bool,
    /// Every table: whether there is a subquery at all.
    any: bool,
}

impl Watch {
    /// Whether a statement reading `t` needs a rule.
    #[inline]
    pub(crate) fn hit(self, t: &Table) -> bool {
        self.any || t.soft_delete.is_some() || (self.tenant && t.tenant.is_some())
    }
}

/// `<soft delete column> IS NULL`: the rows of `table` not soft-deleted, when it has a soft
/// delete column.
pub(crate) fn live(table: &'static Table) -> Option<Expr> {
    let column = table.columns[table.soft_delete?].name;
    Some(Expr::new(Node::Null { term: Scalar::Column { table: table.name, column }, negated: false }))
}

/// `a AND b`, flattening an `AND` on the left.
pub(crate) fn and(a: Expr, b: Expr) -> Expr {
    match a.0 {
        Node::And(mut items) => {
            items.push(b);
            Expr::new(Node::And(items))
        }
        other => Expr::new(Node::And(vec![Expr::new(other), b])),
    }
}

impl Core {
    /// Adds `rule`'s condition on every table the statement reads.
    pub(crate) fn apply_rules(&mut self, rule: RuleFor<'_>) {
        for e in self.filters.iter_mut().chain(&mut self.having) {
            e.apply_rules(rule);
        }
        for s in self.columns.iter_mut().chain(&mut self.group_by).chain(self.order.iter_mut().map(|o| &mut o.term)) {
            s.apply_rules(rule);
        }
        for j in &mut self.joins {
            for e in &mut j.on {
                e.apply_rules(rule);
            }
        }
        let mut more = Vec::new();
        for j in &mut self.joins {
            let Some(r) = rule(j.rel.target) else { continue };
            // a subquery inside the rule correlates with the table's own name, which the alias
            // hides: refused rather than answered wrong
            if j.alias != j.rel.target.name && r.reads(Watch { tenant: true, any: true }) {
                self.invalid.get_or_insert_with(|| {
                    format!(
                        "a rule on `{}` holds a relationship condition or a subquery, which cannot follow the table under the alias `{}`; join it without an alias, or lift the rules for this query (`without_rules`)",
                        j.rel.target.name, j.alias
                    )
                });
                continue;
            }
            let r = r.retable(j.rel.target.name, j.alias);
            if j.outer {
                j.on.push(r);
            } else {
                more.push(r);
            }
        }
        self.filters.extend(more);
        if let Some(r) = rule(self.table) {
            self.filters.push(r);
        }
    }
}

impl Core {
    /// Whether the statement reads a table that `test` watches (where [`Core::apply_rules`]
    /// would look).
    pub(crate) fn reads(&self, test: Watch) -> bool {
        test.hit(self.table)
            || self.joins.iter().any(|j| test.hit(j.rel.target) || j.on.iter().any(|e| e.reads(test)))
            || self.filters.iter().chain(&self.having).any(|e| e.reads(test))
            || self
                .columns
                .iter()
                .chain(&self.group_by)
                .chain(self.order.iter().map(|o| &o.term))
                .any(|s| s.reads(test))
    }
}

impl Expr {
    /// Whether a subquery of the condition reads a table that `test` watches.
    pub(crate) fn reads(&self, test: Watch) -> bool {
        match &self.0 {
            Node::Compare { left, right, .. } => left.reads(test) || right.reads(test),
            Node::Null { term, .. }
            | Node::In { term, .. }
            | Node::InSubquery { term, .. }
            | Node::Holds { term, .. } => term.reads(test),
            Node::InSelect { term, sub, .. } => term.reads(test) || sub.reads(test),
            Node::Between { term, low, high } => [term, low, high].iter().any(|s| s.reads(test)),
            Node::Like { term, pattern, .. } => term.reads(test) || pattern.reads(test),
            Node::Exists { rel, condition } => {
                test.hit(rel.target) || condition.as_ref().is_some_and(|c| c.reads(test))
            }
            Node::And(items) | Node::Or(items) => items.iter().any(|e| e.reads(test)),
            Node::Not(e) => e.reads(test),
        }
    }

    /// Adds `rule`'s condition inside every subquery of the condition.
    pub(crate) fn apply_rules(&mut self, rule: RuleFor<'_>) {
        match &mut self.0 {
            Node::Compare { left, right, .. } => {
                left.apply_rules(rule);
                right.apply_rules(rule);
            }
            Node::Null { term, .. }
            | Node::In { term, .. }
            | Node::InSubquery { term, .. }
            | Node::Holds { term, .. } => {
                term.apply_rules(rule);
            }
            Node::InSelect { term, sub, .. } => {
                term.apply_rules(rule);
                sub.apply_rules(rule);
            }
            Node::Between { term, low, high } => {
                for s in [term, low, high] {
                    s.apply_rules(rule);
                }
            }
            Node::Like { term, pattern, .. } => {
                term.apply_rules(rule);
                pattern.apply_rules(rule);
            }
            Node::Exists { rel, condition } => ruled(rel.target, condition, rule),
            Node::And(items) | Node::Or(items) => {
                for e in items {
                    e.apply_rules(rule);
                }
            }
            Node::Not(e) => e.apply_rules(rule),
        }
    }

    /// The condition with the columns of `table` read from `alias` instead (a join's rows).
    pub(crate) fn retable(mut self, table: &str, alias: &'static str) -> Expr {
        if table != alias {
            self.0.retable(table, alias);
        }
        self
    }
}

/// A related-rows subquery's `condition` with the rule on `target` added.
fn ruled(target: &'static Table, condition: &mut Option<Box<Expr>>, rule: RuleFor<'_>) {
    if let Some(c) = condition {
        c.apply_rules(rule);
    }
    if let Some(r) = rule(target) {
        *condition = Some(Box::new(match condition.take() {
            Some(c) => and(*c, r),
            None => r,
        }));
    }
}

impl Scalar {
    /// Whether a subquery of the term reads a table that `test` watches.
    fn reads(&self, test: Watch) -> bool {
        match self {
            Scalar::Call { args, .. } => args.iter().any(|a| a.reads(test)),
            Scalar::Arith { left, right, .. } => left.reads(test) || right.reads(test),
            Scalar::Cast { inner, .. } => inner.reads(test),
            Scalar::Related { rel, arg, filter, .. } => {
                test.hit(rel.target)
                    || arg.as_ref().is_some_and(|a| a.reads(test))
                    || filter.as_ref().is_some_and(|f| f.reads(test))
            }
            Scalar::Subselect(core) => core.reads(test),
            Scalar::Column { .. } | Scalar::Bound(_) | Scalar::CountAll => false,
        }
    }

    /// Adds `rule`'s condition inside every subquery of the term.
    pub(crate) fn apply_rules(&mut self, rule: RuleFor<'_>) {
        match self {
            Scalar::Call { args, .. } => {
                for a in args {
                    a.apply_rules(rule);
                }
            }
            Scalar::Arith { left, right, .. } => {
                left.apply_rules(rule);
                right.apply_rules(rule);
            }
            Scalar::Cast { inner, .. } => inner.apply_rules(rule),
            Scalar::Related { rel, arg, filter, .. } => {
                if let Some(a) = arg {
                    a.apply_rules(rule);
                }
                ruled(rel.target, filter, rule);
            }
            Scalar::Subselect(core) => core.apply_rules(rule),
            Scalar::Column { .. } | Scalar::Bound(_) | Scalar::CountAll => {}
        }
    }

    fn retable(&mut self, table: &str, alias: &'static str) {
        match self {
            Scalar::Column { table: t, .. } if *t == table => *t = alias,
            Scalar::Call { args, .. } => args.iter_mut().for_each(|a| a.retable(table, alias)),
            Scalar::Arith { left, right, .. } => {
                left.retable(table, alias);
                right.retable(table, alias);
            }
            Scalar::Cast { inner, .. } => inner.retable(table, alias),
            _ => {}
        }
    }
}

impl Node {
    /// Columns of `table` read from `alias`; a subquery's own tables are left as they are.
    fn retable(&mut self, table: &str, alias: &'static str) {
        match self {
            Node::Compare { left, right, .. } => {
                left.retable(table, alias);
                right.retable(table, alias);
            }
            Node::Null { term, .. }
            | Node::In { term, .. }
            | Node::InSubquery { term, .. }
            | Node::Holds { term, .. }
            | Node::InSelect { term, .. } => term.retable(table, alias),
            Node::Between { term, low, high } => {
                for s in [term, low, high] {
                    s.retable(table, alias);
                }
            }
            Node::Like { term, pattern, .. } => {
                term.retable(table, alias);
                pattern.retable(table, alias);
            }
            Node::And(items) | Node::Or(items) => items.iter_mut().for_each(|e| e.0.retable(table, alias)),
            Node::Not(e) => e.0.retable(table, alias),
            Node::Exists { .. } => {}
        }
    }
}
