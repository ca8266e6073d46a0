//! `subtreeload`: a self-referential relationship loaded for the whole subtree below the
//! owners in one recursive statement — the owners' own statement, when the option is given to
//! the query itself.

use rustc_hash::FxHashMap as HashMap;

use super::eager::{Eager, OwnTree};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::fetch::{fetch, plan};
use crate::keys::KeyVal;
use crate::model::Model;
use crate::options::{Node, Path, Tree};
use crate::relation::Slot;
use crate::schema::Join;
use crate::sql::{descendants_cte, tree_select, Select};

impl<O: Model, F: Slot> Eager<O, F> {
    /// The self-reference's link and filler when one recursive statement can load the subtree
    /// (a one-column foreign key to the table's one-column key); `None` loads it level by level.
    fn own_tree(&self) -> Option<(&'static str, OwnTree<O, F>)> {
        match (self.rel.def.join, self.own_tree) {
            (Join::Reverse { columns: [fk] }, Some(own)) if O::TABLE.single_key().is_some() => Some((fk, own)),
            _ => None,
        }
    }

    /// This option as a [`Tree`] the owners' statement can include, with the self-reference's
    /// foreign key column.
    pub(crate) fn as_tree(&self) -> Option<(&'static str, &dyn Tree<O>)> {
        let (fk, _) = self.own_tree()?;
        self.check_subtree().is_ok().then_some((fk, self as &dyn Tree<O>))
    }

    /// A subtree's collections are whole and in key order at every level: a filter, order or
    /// limit on them is refused rather than ignored.
    fn check_subtree(&self) -> Result<()> {
        if self.limited() {
            let def = self.rel.def;
            return Err(Error::InvalidQuery {
                table: def.owner.name,
                message: format!(
                    "subtreeload({}::{}) loads every level whole, in key order: it takes no order_by, filter or \
                     limit; use selectinload for one level with those",
                    std::any::type_name::<O>().rsplit("::").next().unwrap_or_default(),
                    def.name.to_uppercase()
                ),
            });
        }
        Ok(())
    }

    /// `subtree` for owners already read: every level below them, in one recursive statement
    /// (one per `max_variables` owners).
    pub(crate) fn subtree(&self, db: &Db, owners: &[O], path: &mut Path) -> Result<()> {
        self.check_subtree()?;
        let Some((fk, own)) = self.own_tree() else {
            return self.select_in(db, owners, None, path);
        };
        let d = db.dialect();
        let table = O::TABLE;
        let link_index = table.key_index();
        let keys: Vec<_> =
            owners.iter().filter_map(|o| KeyVal::of(&o.column_value(link_index))).flat_map(|k| k.values()).collect();
        let mut rows = Vec::new();
        let mut parents = Vec::new();
        let chunk = db.max_variables().saturating_sub(8).max(1);
        let mut seen = rustc_hash::FxHashSet::default();
        for keys in keys.chunks(chunk) {
            let mut params = Vec::with_capacity(keys.len());
            let cte = descendants_cte(d, table, fk, keys.iter().cloned(), &mut params);
            let select = Select { params, ..tree_select(d, table, fk, cte, true) };
            let (r, t) = fetch::<O>(db, select, (own.nested)(&self.nested), path, None)?;
            // a row below owners of two chunks comes twice
            for (r, t) in r.into_iter().zip(t) {
                if KeyVal::of(&r.column_value(link_index)).is_none_or(|k| seen.insert(k)) {
                    rows.push(r);
                    parents.push(t);
                }
            }
        }
        hang(owners, rows, &parents, |o, rows| (own.fill)((self.rel.field)(o), self.rel.def, rows))
    }
}

impl<O: Model, F: Slot> Tree<O> for Eager<O, F> {
    fn assemble(&self, db: &Db, owners: &[O], rows: Vec<O>, parents: Vec<KeyVal>, path: &mut Path) -> Result<()> {
        let Some((_, own)) = self.own_tree() else {
            return self.subtree(db, owners, path);
        };
        path.push(O::TABLE.name);
        for load in plan::<O>((own.nested)(&self.nested), path) {
            load.0.after(db, &rows, None, path)?;
        }
        path.pop();
        hang(owners, rows, &parents, |o, rows| (own.fill)((self.rel.field)(o), self.rel.def, rows))
    }
}

/// Hangs `rows` (each below the row whose key is its `parents` entry) under `owners`: each
/// owner gets every row its subtree reaches, each once, children in key order, and never
/// itself (a cycle in the data ends there). Owners inside each other's subtrees get copies.
/// No recursion, so a chain of any depth fits the stack.
fn hang<O: Model>(
    owners: &[O],
    rows: Vec<O>,
    parents: &[KeyVal],
    fill: impl Fn(&O, Vec<O>) -> Result<()>,
) -> Result<()> {
    let key_index = O::TABLE.key_index();
    let keys: Vec<Option<KeyVal>> = rows.iter().map(|r| KeyVal::of(&r.column_value(key_index))).collect();
    let mut children: HashMap<&KeyVal, Vec<usize>> = HashMap::default();
    for (i, p) in parents.iter().enumerate() {
        children.entry(p).or_default().push(i);
    }
    // integer keys are sorted here (a no-op when they came sorted); others came in key order
    let rank = |k: &Option<KeyVal>| match k {
        Some(KeyVal::Int(i)) => (0, *i),
        _ => (1, 0),
    };
    for list in children.values_mut() {
        list.sort_by(|&a, &b| rank(&keys[a]).cmp(&rank(&keys[b])));
    }
    let kids = |k: &Option<KeyVal>| k.as_ref().and_then(|k| children.get(k)).map_or(&[][..], Vec::as_slice);
    // each owner's tree in pre-order, children visited last first: (row, how many children)
    let mut mark = vec![usize::MAX; rows.len()];
    let mut plans: Vec<Vec<(usize, usize)>> = Vec::with_capacity(owners.len());
    let mut uses = vec![0u32; rows.len()];
    for (n, o) in owners.iter().enumerate() {
        let own_key = KeyVal::of(&o.column_value(key_index));
        let mut plan: Vec<(usize, usize)> = Vec::new();
        // (position in `plan` of the parent, or MAX for the owner; children left to visit)
        let mut stack: Vec<(usize, &[usize])> = vec![(usize::MAX, kids(&own_key))];
        while let Some(frame) = stack.last_mut() {
            let Some((&c, rest)) = frame.1.split_last() else {
                stack.pop();
                continue;
            };
            frame.1 = rest;
            let parent = frame.0;
            if mark[c] == n || (keys[c].is_some() && keys[c] == own_key) {
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
    // build bottom-up, the plan backwards: a row's children are then the last rows built, in
    // key order; a row is moved into its last place and copied into the others
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
