//! `joinedload`: a relationship rendered into its owners' statement as a `LEFT OUTER JOIN`,
//! its rows collected from the owners' rows.

use super::eager::{Eager, Rel};
use super::hand::{hand_out, Handout, Owners};
use crate::backend::RawRow;
use crate::orm::db::Db;
use crate::orm::fetch::{plan, runs_joined};
use crate::orm::keys::{Dedup, KeyAt, KeyVal};
use crate::orm::model::{Model, Row};
use crate::orm::options::{JoinedAcc, Load, Path};
use crate::orm::relation::Slot;
use crate::schema::error::Result;
use crate::schema::{Join, RelationDef};
use crate::sql::loading::{join_sql, Joins};

impl<O: Model, F: Slot> Eager<O, F> {
    /// Adds the relationship to the owners' statement and returns what collects its rows.
    pub(crate) fn join_into(
        &self,
        db: &Db,
        js: &mut Joins,
        owner_alias: &str,
        path: &mut Path,
    ) -> Box<dyn JoinedAcc<O>> {
        let def = self.rel.def;
        let mask = self.deferred.unwrap_or(def.target.deferred);
        let (alias, offset) = join_sql(db.dialect(), def, js, owner_alias, mask, db.rule_for(def.target));
        let loads = plan::<F::Target>(&self.nested, path);
        path.push(def.target.name);
        let mut nested = Vec::new();
        let mut after = Vec::new();
        for l in loads {
            if runs_joined(&l) {
                nested.extend(l.0.joined(db, js, &alias, path));
            } else {
                after.push(l);
            }
        }
        path.pop();
        Box::new(JoinAcc::<O, F> {
            rel: self.rel,
            index: JoinIndex::new(def, offset),
            mask,
            rows: Vec::new(),
            room: db.last_rows_for(def, std::mem::size_of::<F::Target>()),
            nested,
            after,
        })
    }
}

/// Which related row each row of the owners' statement holds, and which owner has which.
struct JoinIndex {
    def: &'static RelationDef,
    offset: usize,
    /// A collection's row is one per owner (a many-to-many's row may belong to several, and
    /// so may a one-to-many's when one row is the owner twice, as a tag under two posts); a
    /// `belongs_to`'s parent is one for all its owners.
    per_owner: bool,
    seen: Dedup,
    /// Where the related row's key is.
    key: KeyAt,
    /// The previous row's `(owner, key, index)`: joined rows repeat it while a deeper level
    /// varies.
    last: Option<(usize, KeyVal, usize)>,
    /// How many related rows were read.
    count: usize,
    /// `(owner, row)` pairs, each once.
    links: Vec<(usize, usize)>,
    /// For a `belongs_to`: whether each owner has its parent already.
    linked: Vec<bool>,
}

impl JoinIndex {
    fn new(def: &'static RelationDef, offset: usize) -> Self {
        let per_owner = !matches!(def.join, Join::Forward { .. });
        JoinIndex {
            def,
            offset,
            per_owner,
            seen: Dedup::new(per_owner),
            key: KeyAt::new(def.target, offset),
            last: None,
            count: 0,
            links: Vec::new(),
            linked: Vec::new(),
        }
    }

    /// The index of the related row `row` holds for `owner`, and whether it is new (to read);
    /// `None` when the outer join found nothing.
    fn of(&mut self, row: &dyn RawRow, owner: usize) -> Result<Option<(usize, bool)>> {
        let Some(key) = self.key.read(row)? else {
            return Ok(None); // the LEFT OUTER JOIN found nothing for this owner
        };
        let forward = matches!(self.def.join, Join::Forward { .. });
        let mut new = false;
        let index = match &self.last {
            Some((o, k, i)) if *o == owner && *k == key => *i,
            _ => {
                let next = self.count;
                let index = self.seen.index(if self.per_owner { owner } else { 0 }, &key, next);
                if index == next {
                    new = true;
                    self.count += 1;
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
        Ok(Some((index, new)))
    }

    /// Room for `rows` related rows in all.
    fn reserve(&mut self, rows: usize) {
        if !matches!(self.def.join, Join::Forward { .. }) {
            self.links.reserve(rows.saturating_sub(self.links.len()));
        }
        self.seen.reserve(rows);
    }

    /// Where the rows go among `owners` owners: for a to-one relationship each owner's row,
    /// for a collection each row to its owner.
    fn handout(&self, owners: usize) -> Handout {
        let forward = matches!(self.def.join, Join::Forward { .. });
        let mut of = vec![None; if forward { owners } else { self.count }];
        for &(o, r) in &self.links {
            if forward {
                of[o] = Some(r);
            } else {
                of[r] = Some(o);
            }
        }
        if forward {
            Handout::One(of)
        } else {
            Handout::by_owner(owners, &of)
        }
    }
}

/// The rows of one joined relationship, collected from the owners' statement.
struct JoinAcc<O, F: Slot> {
    rel: Rel<O, F>,
    index: JoinIndex,
    /// The related model's columns the statement leaves out.
    mask: u64,
    rows: Vec<F::Target>,
    /// How many rows the last load of the relationship read: the room made for them once
    /// [`ROOM_AFTER`] have come.
    room: usize,
    nested: Vec<Box<dyn JoinedAcc<F::Target>>>,
    after: Vec<Load<F::Target>>,
}

/// The rows a joined load reads before it makes room for as many as its last load read: a
/// small load grows its vectors as it goes; a large one copies them once, not at every
/// doubling.
const ROOM_AFTER: usize = 64;

impl<O: Model, F: Slot> JoinedAcc<O> for JoinAcc<O, F> {
    fn absorb(&mut self, row: &dyn RawRow, owner: usize) -> Result<()> {
        let Some((index, new)) = self.index.of(row, owner)? else {
            return Ok(());
        };
        if new {
            if self.rows.len() == self.rows.capacity() && self.rows.len() >= ROOM_AFTER && self.room > self.rows.len() {
                self.rows.reserve_exact(self.room - self.rows.len());
                self.index.reserve(self.room);
                self.room = 0;
            }
            let at = Row::new(row, F::Target::TABLE, self.index.offset).leaving_out(self.mask);
            self.rows.push(F::Target::from_row(&at)?);
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
        db.note_rows(this.rel.def, this.rows.len(), owners.len());
        let plan = this.index.handout(owners.len());
        hand_out(this.rel, Owners::All(owners), this.rows, plan)
    }
}
