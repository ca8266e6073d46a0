//! `subtreeload`: a self-referential relationship loaded for the whole subtree below the
//! owners in one recursive statement.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::eager::Eager;
use crate::db::Db;
use crate::error::Result;
use crate::fetch::fetch;
use crate::keys::KeyVal;
use crate::model::Model;
use crate::options::Path;
use crate::relation::Slot;
use crate::schema::Join;
use crate::sql::{descendants_cte, tree_select, Select};
use crate::value::Value;

impl<O: Model, F: Slot> Eager<O, F> {
    /// `subtree`: every level below the owners, in one recursive statement.
    pub(crate) fn subtree(&self, db: &Db, owners: &[O], path: &mut Path) -> Result<()> {
        let d = db.dialect();
        // a self-reference's link is one column (its table's single key)
        let (Join::Reverse { columns: [fk] }, Some(fill_own)) = (self.rel.def.join, self.fill_own) else {
            return self.select_in(db, owners, None, path);
        };
        let table = O::TABLE;
        let link_index = table.key_index();
        let keys: Vec<Value<'static>> =
            owners.iter().filter_map(|o| KeyVal::of(&o.column_value(link_index))).flat_map(|k| k.values()).collect();
        let mut rows = Vec::new();
        let mut tags = Vec::new();
        let chunk = db.max_variables().saturating_sub(8).max(1);
        for keys in keys.chunks(chunk) {
            let mut params = Vec::with_capacity(keys.len());
            let cte = descendants_cte(d, table, fk, keys.iter().cloned(), &mut params);
            let select = Select { params, ..tree_select(d, table, fk, cte, true) };
            let (mut r, mut t) = fetch::<O>(db, select, &[], path, None)?;
            rows.append(&mut r);
            tags.append(&mut t);
        }
        // assemble bottom-up: each row's own children first, then the row into its parent's
        let keys: Vec<Option<KeyVal>> = rows.iter().map(|r| KeyVal::of(&r.column_value(link_index))).collect();
        let mut children: HashMap<KeyVal, Vec<usize>> = HashMap::default();
        for (i, t) in tags.iter().enumerate() {
            children.entry(t.clone()).or_default().push(i);
        }
        // a cycle back to an owner is cut there: the owner is already placed, at the top
        let owner_keys: HashSet<KeyVal> =
            owners.iter().filter_map(|o| KeyVal::of(&o.column_value(link_index))).collect();
        let mut slots: Vec<Option<O>> = rows
            .into_iter()
            .zip(&keys)
            .map(|(r, k)| if k.as_ref().is_some_and(|k| owner_keys.contains(k)) { None } else { Some(r) })
            .collect();
        let field = self.rel.field;
        let def = self.rel.def;
        let fill = |o: &O, rows: Vec<O>| fill_own(field(o), def, rows);
        fn build<O: Model>(
            i: usize,
            slots: &mut [Option<O>],
            keys: &[Option<KeyVal>],
            children: &HashMap<KeyVal, Vec<usize>>,
            fill: &dyn Fn(&O, Vec<O>) -> Result<()>,
        ) -> Result<Option<O>> {
            let Some(row) = slots[i].take() else { return Ok(None) };
            let kids = match &keys[i] {
                Some(k) => children.get(k).map_or(&[][..], Vec::as_slice),
                None => &[],
            };
            let mut built = Vec::with_capacity(kids.len());
            for &c in kids {
                built.extend(build(c, slots, keys, children, fill)?);
            }
            fill(&row, built)?;
            Ok(Some(row))
        }
        for o in owners {
            let mut built = Vec::new();
            if let Some(kids) = KeyVal::of(&o.column_value(link_index)).and_then(|k| children.get(&k)) {
                for &c in kids {
                    built.extend(build(c, &mut slots, &keys, &children, &fill)?);
                }
            }
            fill(o, built)?;
        }
        Ok(())
    }
}
