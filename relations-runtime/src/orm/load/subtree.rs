//! `subtreeload`: a self-referential relationship loaded for the whole subtree below the
//! owners in one recursive statement — the owners' own statement, when the option is given to
//! the query itself.

use rustc_hash::FxHashMap as HashMap;

use super::eager::{Eager, OwnTree, Rel};
use crate::orm::db::Db;
use crate::orm::fetch::{fetch, plan};
use crate::orm::keys::KeyVal;
use crate::orm::model::Model;
use crate::orm::options::{How, Load, Node, Path, Tree};
use crate::orm::relation::{Fill, HasMany, Slot};
use crate::schema::error::{Error, Result};
use crate::schema::{Join, RelationDef};
use crate::sql::expr::Core;
use crate::sql::loading::{descendants, tree_select, ModelRows};

/// Loads a self-referential collection — every level of it — with one recursive statement:
/// `subtreeload(Employee::REPORTS)` fills each employee's `reports`, their reports' `reports`,
/// and so on down to the leaves, each collection in key order. Given to the query itself, the
/// owners come in that same statement. Cycle-safe: a row is never below itself. Owners inside
/// each other's subtrees each get theirs whole. Options nested with [`then`](Eager::then) load
/// for the rows of every level; `order_by`, `filter` and `limit` are refused
/// ([`Error::InvalidQuery`]).
pub fn subtreeload<O: Model>(rel: Rel<O, HasMany<O>>) -> Eager<O, HasMany<O>> {
    let own = OwnTree { load: load::<O>, assemble: assemble::<O>, fetch: fetch_owners::<O>, tree: Eager::as_tree };
    Eager { own_tree: Some(own), ..Eager::new(rel, How::Subtree) }
}

impl<O: Model, F: Slot> Eager<O, F> {
    /// The self-reference's link when one recursive statement can load the subtree (a
    /// one-column foreign key to the table's one-column key); `None` loads it level by level.
    fn tree_link(&self) -> Option<&'static str> {
        match self.rel.def.join {
            Join::Reverse { columns: [fk] } if self.own_tree.is_some() && O::TABLE.single_key().is_some() => Some(fk),
            _ => None,
        }
    }

    /// This option as a [`Tree`] the owners' statement can include, with the self-reference's
    /// foreign key column.
    pub(crate) fn as_tree(&self) -> Option<(&'static str, &dyn Tree<O>)> {
        let fk = self.tree_link()?;
        check_subtree(self.rel.def, self.limited(), std::any::type_name::<O>())
            .is_ok()
            .then_some((fk, self as &dyn Tree<O>))
    }

    /// `subtree` for owners already read.
    pub(crate) fn subtree(&self, db: &Db, owners: &[O], path: &mut Path) -> Result<()> {
        match self.own_tree {
            Some(own) => (own.load)(self, db, owners, path),
            None => self.select_in(db, owners, None, path),
        }
    }
}

impl<O: Model, F: Slot> Tree<O> for Eager<O, F> {
    fn fetch_with(
        &self,
        db: &Db,
        rows: ModelRows<'_>,
        loads: &[Load<O>],
        index: usize,
        path: &mut Path,
        owner_query: Option<&Core>,
    ) -> Result<Vec<O>> {
        let own = self.own_tree.ok_or_else(|| Error::Unexpected("a subtree option without its tree".into()))?;
        (own.fetch)(self, db, rows, loads, index, path, owner_query)
    }

    fn assemble(&self, db: &Db, owners: &[O], rows: Vec<O>, parents: Vec<KeyVal>, path: &mut Path) -> Result<()> {
        match self.own_tree {
            Some(own) => (own.assemble)(self, db, owners, rows, parents, path),
            None => self.select_in(db, owners, None, path),
        }
    }
}

/// A subtree's collections are whole and in key order at every level: a filter, order or
/// limit on them is refused rather than ignored.
fn check_subtree(def: &RelationDef, limited: bool, model: &str) -> Result<()> {
    if limited {
        return Err(Error::InvalidQuery {
            table: def.owner.name,
            message: format!(
                "subtreeload({}::{}) loads every level whole, in key order: it takes no order_by, filter or \
                 limit; use selectinload for one level with those",
                model.rsplit("::").next().unwrap_or_default(),
                def.name.to_uppercase()
            ),
        });
    }
    Ok(())
}

/// [`OwnTree::load`](super::eager::OwnTree): every level below owners already read, in one
/// recursive statement (one per `max_variables` owners).
pub(crate) fn load<O: Model>(e: &Eager<O, HasMany<O>>, db: &Db, owners: &[O], path: &mut Path) -> Result<()> {
    check_subtree(e.rel.def, e.limited(), std::any::type_name::<O>())?;
    let Some(fk) = e.tree_link() else {
        return e.select_in(db, owners, None, path);
    };
    let d = db.dialect();
    let table = O::TABLE;
    let link_index = table.key_index();
    let mut keys = Vec::with_capacity(owners.len());
    for k in owners.iter().filter_map(|o| KeyVal::of(&o.column_value(link_index))) {
        k.push_values(&mut keys);
    }
    let mut rows = Vec::new();
    let mut parents = Vec::new();
    let chunk = db.max_variables().saturating_sub(8).max(1);
    let mut seen = rustc_hash::FxHashSet::default();
    let rule = db.rule_for(table);
    for keys in keys.chunks(chunk) {
        let tree = descendants(d, table, fk, keys.to_vec(), rule.as_ref());
        let select = tree_select(d, table, fk, tree, true, rule.as_ref());
        let (r, t) = fetch::<O>(db, select.into(), &e.nested, path, None, 0)?;
        // a row below owners of two chunks comes twice
        for (r, t) in r.into_iter().zip(t) {
            if KeyVal::of(&r.column_value(link_index)).is_none_or(|k| seen.insert(k)) {
                rows.push(r);
                parents.push(t);
            }
        }
    }
    hang(e, owners, rows, &parents)
}

/// [`OwnTree::assemble`](super::eager::OwnTree): loads the nested options on the rows the
/// owners' statement brought, and hangs them under the owners.
pub(crate) fn assemble<O: Model>(
    e: &Eager<O, HasMany<O>>,
    db: &Db,
    owners: &[O],
    rows: Vec<O>,
    parents: Vec<KeyVal>,
    path: &mut Path,
) -> Result<()> {
    if e.tree_link().is_none() {
        return load(e, db, owners, path);
    }
    path.push(O::TABLE.name);
    for load in plan::<O>(&e.nested, path) {
        load.0.after(db, &rows, None, path)?;
    }
    path.pop();
    hang(e, owners, rows, &parents)
}

/// [`OwnTree::fetch`](super::eager::OwnTree): the owners' statement with the subtree's rows in it.
pub(crate) fn fetch_owners<O: Model>(
    e: &Eager<O, HasMany<O>>,
    db: &Db,
    rows: ModelRows<'_>,
    loads: &[Load<O>],
    index: usize,
    path: &mut Path,
    owner_query: Option<&Core>,
) -> Result<Vec<O>> {
    let link = e.tree_link().ok_or_else(|| Error::Unexpected("a subtree option without its link".into()))?;
    crate::orm::fetch::fetch_with_tree(db, rows, loads, (index, (link, e as &dyn Tree<O>)), path, owner_query)
}

/// Hangs `rows` (each below the row whose key is its `parents` entry) under `owners`, in the
/// order [`plan_trees`] works out.
fn hang<O: Model>(e: &Eager<O, HasMany<O>>, owners: &[O], rows: Vec<O>, parents: &[KeyVal]) -> Result<()> {
    let key_index = O::TABLE.key_index();
    let keys: Vec<Option<KeyVal>> = rows.iter().map(|r| KeyVal::of(&r.column_value(key_index))).collect();
    let owner_keys: Vec<Option<KeyVal>> = owners.iter().map(|o| KeyVal::of(&o.column_value(key_index))).collect();
    let (plans, mut uses) = plan_trees(&owner_keys, &keys, parents);
    // build bottom-up, the plan backwards: a row's children are then the last rows built, in
    // key order; a row is moved into its last place and copied into the others
    let fill = |o: &O, rows: Vec<O>| (e.rel.field)(o).fill(e.rel.def, Fill::Many(rows));
    let mut slots: Vec<Option<O>> = rows.into_iter().map(Some).collect();
    let mut built: Vec<O> = Vec::new();
    for (o, plan) in owners.iter().zip(plans) {
        for (r, n) in plan.into_iter().rev() {
            uses[r] -= 1;
            let row = match (uses[r], &mut slots[r]) {
                (0, slot) => slot.take(),
                (_, slot) => slot.as_ref().map(Model::duplicate),
            }
            .ok_or_else(|| Error::Unexpected("a subtree row was placed after its last place".into()))?;
            fill(&row, built.split_off(built.len() - n))?;
            built.push(row);
        }
        fill(o, std::mem::take(&mut built))?;
    }
    Ok(())
}

/// Where each row goes: each owner gets every row its subtree reaches, each once, children in
/// key order, and never itself (a cycle in the data ends there); owners inside each other's
/// subtrees get copies. Returns each owner's tree in pre-order, children visited last first,
/// as (row, how many children), and how many places each row takes. No recursion, so a chain
/// of any depth fits the stack.
#[allow(clippy::type_complexity)]
fn plan_trees(
    owner_keys: &[Option<KeyVal>],
    keys: &[Option<KeyVal>],
    parents: &[KeyVal],
) -> (Vec<Vec<(usize, usize)>>, Vec<u32>) {
    // each parent key's children: a range of `order`, which holds the rows grouped by parent
    // (one vector for all of them, not one per parent)
    let mut group: HashMap<&KeyVal, usize> = HashMap::with_capacity_and_hasher(parents.len(), Default::default());
    let mut of_row: Vec<usize> = Vec::with_capacity(parents.len());
    let mut start: Vec<usize> = Vec::new();
    for p in parents {
        let next = start.len();
        let g = *group.entry(p).or_insert(next);
        if g == next {
            start.push(0);
        }
        start[g] += 1;
        of_row.push(g);
    }
    // counts to starts; `start[g]` then moves through group `g` as it fills, ending at the
    // next group's start
    let mut at = 0;
    for s in &mut start {
        (*s, at) = (at, at + *s);
    }
    let mut order = vec![0usize; parents.len()];
    for (i, &g) in of_row.iter().enumerate() {
        order[start[g]] = i;
        start[g] += 1;
    }
    let range = |g: usize| (if g == 0 { 0 } else { start[g - 1] })..start[g];
    // integer keys are sorted here (a no-op when they came sorted); others came in key order
    let rank = |k: &Option<KeyVal>| match k {
        Some(KeyVal::Int(i)) => (0, *i),
        _ => (1, 0),
    };
    for g in 0..start.len() {
        order[range(g)].sort_by(|&a, &b| rank(&keys[a]).cmp(&rank(&keys[b])));
    }
    let kids = |k: &Option<KeyVal>| k.as_ref().and_then(|k| group.get(k)).map_or(&[][..], |&g| &order[range(g)]);
    let mut mark = vec![usize::MAX; keys.len()];
    let mut plans: Vec<Vec<(usize, usize)>> = Vec::with_capacity(owner_keys.len());
    let mut uses = vec![0u32; keys.len()];
    for (n, own_key) in owner_keys.iter().enumerate() {
        let mut plan: Vec<(usize, usize)> = Vec::new();
        // (position in `plan` of the parent, or MAX for the owner; children left to visit)
        let mut stack: Vec<(usize, &[usize])> = vec![(usize::MAX, kids(own_key))];
        while let Some(frame) = stack.last_mut() {
            let Some((&c, rest)) = frame.1.split_last() else {
                stack.pop();
                continue;
            };
            frame.1 = rest;
            let parent = frame.0;
            if mark[c] == n || (keys[c].is_some() && keys[c] == *own_key) {
                continue;
            }
            mark[c] = n;
            uses[c] += 1;
            if let Some(p) = plan.get_mut(parent) {
                p.1 += 1;
            }
            plan.push((c, 0));
            stack.push((plan.len() - 1, kids(&keys[c])));
        }
        plans.push(plan);
    }
    (plans, uses)
}
