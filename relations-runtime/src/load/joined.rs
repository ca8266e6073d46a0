//! `joinedload`: a relationship rendered into its owners' statement as a `LEFT OUTER JOIN`,
//! its rows collected from the owners' rows.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use super::eager::{Eager, Rel};
use crate::backend::RawRow;
use crate::db::Db;
use crate::error::Result;
use crate::fetch::{plan, runs_joined};
use crate::keys::KeyVal;
use crate::model::{Model, Row};
use crate::options::{JoinSql, JoinedAcc, Load, Path};
use crate::relation::{Fill, Slot};
use crate::schema::Join;
use crate::sql::{column, relation_join};

impl<O: Model, F: Slot> Eager<O, F> {
    /// Adds the relationship to the owners' statement and returns what collects its rows.
    pub(crate) fn join_into(
        &self,
        db: &Db,
        sql: &mut JoinSql,
        owner_alias: &str,
        path: &mut Path,
    ) -> Box<dyn JoinedAcc<O>> {
        let d = db.dialect();
        let def = self.rel.def;
        let (owner, target) = (def.owner, F::Target::TABLE);
        sql.aliases += 1;
        let alias = format!("relations_j{}", sql.aliases);
        let offset = sql.width;
        for c in target.columns {
            sql.cols.push_str(", ");
            column(d, &alias, c.name, &mut sql.cols);
        }
        sql.width += target.columns.len();
        let j = relation_join(d, def.join, owner, owner_alias, target, &alias);
        sql.joins.push_str(" LEFT OUTER JOIN ");
        if j.through {
            sql.joins.push('(');
            sql.joins.push_str(&j.from);
            sql.joins.push(')');
        } else {
            sql.joins.push_str(&j.from);
        }
        sql.joins.push_str(" ON ");
        sql.joins.push_str(&j.on);
        if !matches!(def.join, Join::Forward { .. }) {
            crate::sql::declared_order(d, target, &alias, def.order_by, &mut sql.order);
        }
        let loads = plan::<F::Target>(&self.nested, path);
        path.push(target.name);
        let mut nested = Vec::new();
        let mut after = Vec::new();
        for l in loads {
            if runs_joined(&l) {
                nested.push(l.0.joined(db, sql, &alias, path));
            } else {
                after.push(l);
            }
        }
        path.pop();
        Box::new(JoinAcc::<O, F> {
            rel: self.rel,
            offset,
            per_owner: matches!(def.join, Join::Through { .. }),
            seen: HashMap::default(),
            last: None,
            rows: Vec::new(),
            links: Vec::new(),
            linked: Vec::new(),
            nested,
            after,
        })
    }
}

/// The rows of one joined relationship, collected from the owners' statement.
struct JoinAcc<O, F: Slot> {
    rel: Rel<O, F>,
    offset: usize,
    /// A many-to-many row may belong to several owners: keep one per owner.
    per_owner: bool,
    seen: HashMap<(usize, KeyVal), usize>,
    /// The previous row's `(owner, key, index)`: joined rows repeat it while a deeper level
    /// varies.
    last: Option<(usize, KeyVal, usize)>,
    rows: Vec<F::Target>,
    /// `(owner, row)` pairs, each once.
    links: Vec<(usize, usize)>,
    /// For a `belongs_to`: whether each owner has its parent already.
    linked: Vec<bool>,
    nested: Vec<Box<dyn JoinedAcc<F::Target>>>,
    after: Vec<Load<F::Target>>,
}

impl<O: Model, F: Slot> JoinedAcc<O> for JoinAcc<O, F> {
    fn absorb(&mut self, row: &dyn RawRow, owner: usize) -> Result<()> {
        let Some(key) = KeyVal::read_key(row, F::Target::TABLE, self.offset)? else {
            return Ok(()); // the LEFT OUTER JOIN found nothing for this owner
        };
        let forward = matches!(self.rel.def.join, Join::Forward { .. });
        let index = match &self.last {
            Some((o, k, i)) if *o == owner && *k == key => *i,
            _ => {
                let scope = if self.per_owner { owner } else { usize::MAX };
                let next = self.rows.len();
                let index = *self.seen.entry((scope, key.clone())).or_insert(next);
                if index == next {
                    self.rows.push(F::Target::from_row(&Row::new(row, F::Target::TABLE, self.offset))?);
                    if !forward {
                        self.links.push((owner, index));
                    }
                }
                self.last = Some((owner, key, index));
                index
            }
        };
        if forward {
            if self.linked.len() <= owner {
                self.linked.resize(owner + 1, false);
            }
            if !std::mem::replace(&mut self.linked[owner], true) {
                self.links.push((owner, index));
            }
        }
        for n in &mut self.nested {
            n.absorb(row, index)?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>, db: &Db, owners: &[O], path: &mut Path) -> Result<()> {
        let this = *self;
        path.push(F::Target::TABLE.name);
        for n in this.nested {
            n.finish(db, &this.rows, path)?;
        }
        for l in &this.after {
            l.0.after(db, &this.rows, None, path)?;
        }
        path.pop();
        distribute_by_index(this.rel, owners, this.rows, &this.links)
    }
}

/// Hands `rows` to `owners` by `(owner, row)` index pairs.
fn distribute_by_index<O, F: Slot>(
    rel: Rel<O, F>,
    owners: &[O],
    rows: Vec<F::Target>,
    links: &[(usize, usize)],
) -> Result<()> {
    if matches!(rel.def.join, Join::Forward { .. }) {
        let rows: Vec<Arc<F::Target>> = rows.into_iter().map(Arc::new).collect();
        let mut parent: Vec<Option<usize>> = vec![None; owners.len()];
        for &(o, r) in links {
            parent[o] = Some(r);
        }
        for (o, p) in owners.iter().zip(parent) {
            (rel.field)(o).fill(rel.def, Fill::One(p.map(|r| Arc::clone(&rows[r]))))?;
        }
    } else {
        let mut groups: Vec<Vec<F::Target>> = owners.iter().map(|_| Vec::new()).collect();
        let mut owner_of = vec![0; rows.len()];
        for &(o, r) in links {
            owner_of[r] = o;
        }
        for (row, o) in rows.into_iter().zip(owner_of) {
            groups[o].push(row);
        }
        for (o, g) in owners.iter().zip(groups) {
            (rel.field)(o).fill(rel.def, Fill::Many(g))?;
        }
    }
    Ok(())
}
