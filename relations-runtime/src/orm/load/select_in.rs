//! `selectinload` and `subqueryload`: one statement per level over the owners' keys (an `IN`
//! list, or the owners' own query as a subquery), with a window function under a per-owner
//! limit; the rows are handed to their owners by key.

use rustc_hash::FxHashMap as HashMap;

use super::eager::Eager;
use super::hand::{hand_out, Handout, Owners};
use crate::orm::db::Db;
use crate::orm::fetch::fetch;
use crate::orm::keys::KeyVal;
use crate::orm::model::Model;
use crate::orm::options::Path;
use crate::orm::relation::Slot;
use crate::schema::error::Result;
use crate::schema::{Join, RelationDef, Table};
use crate::sql::expr::{Core, Expr, Order};
use crate::sql::loading::{in_owners_query, related_from, ModelRows, Related};
use crate::sql::select::{ColRef, Cond};

impl<O: Model, F: Slot> Eager<O, F> {
    /// `selectin` (and `subquery`): one statement for the related rows of every owner. The
    /// generic part reads the owners' link values, runs each statement and moves its rows;
    /// [`levels`] plans the statements, once for every relationship.
    pub(crate) fn select_in(&self, db: &Db, owners: &[O], owner_query: Option<&Core>, path: &mut Path) -> Result<()> {
        let def = self.rel.def;
        let link = link_indexes(def, O::TABLE);
        // each owner's link value, once; the distinct ones are bound
        let mut owner_keys: Vec<Option<KeyVal>> = Vec::with_capacity(owners.len());
        for o in owners {
            owner_keys.push(match link.as_slice() {
                [one] => KeyVal::of(&o.column_value(*one)),
                many => KeyVal::of_parts(&many.iter().map(|&i| o.column_value(i)).collect::<Vec<_>>()),
            });
        }
        let size = std::mem::size_of::<F::Target>();
        let level = Level {
            def,
            owner: O::TABLE,
            link: &link,
            target: F::Target::TABLE,
            filter: &self.filter,
            order: &self.order,
            limit: self.limit,
            deferred: self.deferred,
        };
        levels(db, level, &owner_keys, owner_query, path, &mut |select, members, path, plan| {
            let (rows, tags) = match select {
                Some(select) => {
                    let room = db.rows_for(def, members.map_or(owners.len(), <[usize]>::len), size);
                    fetch::<F::Target>(db, select.into(), &self.nested, path, None, room)?
                }
                None => (Vec::new(), Vec::new()),
            };
            let read = rows.len();
            let plan = plan(&tags);
            let who = match members {
                None => Owners::All(owners),
                Some(members) => Owners::Some(owners, members),
            };
            hand_out(self.rel, who, rows, plan)?;
            Ok(read)
        })
    }
}

/// What a level's statement selects: the option's relationship, the owners' table and their
/// link columns, the related rows' table, and the option's filter, order, per-owner limit and
/// deferred columns.
#[derive(Clone, Copy)]
struct Level<'a> {
    def: &'static RelationDef,
    owner: &'static Table,
    /// The indexes of the owners' link columns ([`link_indexes`]).
    link: &'a [usize],
    /// The related model's table.
    target: &'static Table,
    filter: &'a [Expr],
    order: &'a [Order],
    limit: Option<u64>,
    deferred: Option<u64>,
}

/// Runs one level's statement for some owners: the statement (`None`: no owner has a link
/// value), which owners (`None`: all), and how to hand out the rows given their tags; returns
/// how many rows it read.
type RunLevel<'r> =
    dyn FnMut(Option<ModelRows<'_>>, Option<&[usize]>, &mut Path, &dyn Fn(&[KeyVal]) -> Handout) -> Result<usize> + 'r;

/// Plans the statements of a `selectin` (or `subquery`) level over owners whose link values
/// are `owner_keys`: one statement, or one per chunk of keys when they are more than a
/// statement binds, each run by `run` before the next is built, so that one chunk's rows at a
/// time wait to be handed out. Shared by every relationship.
fn levels(
    db: &Db,
    level: Level<'_>,
    owner_keys: &[Option<KeyVal>],
    owner_query: Option<&Core>,
    path: &mut Path,
    run: &mut RunLevel<'_>,
) -> Result<()> {
    let d = db.dialect();
    let def = level.def;
    let (tag, from) = related_from(d, def, level.target);
    let filter = db.ruled_filter(def.target, level.filter);
    let spec = Related {
        tag: &tag,
        from: &from,
        filter: &filter,
        order: level.order,
        limit: level.limit,
        def,
        deferred: level.deferred,
    };
    let all = |tags: &[KeyVal]| by_key(def, owner_keys.iter().map(Option::as_ref), tags);
    // how many rows the level read, noted for the next load's room
    let read = 'read: {
        // every owner's rows from one statement (none when no owner has a link value)
        let keys = match owner_query {
            Some(q) => {
                let select = spec.select(d, in_owners_query(&tag, level.owner, level.link, q));
                break 'read run(Some(select), None, path, &all)?;
            }
            None => Distinct::of(owner_keys),
        };
        let chunk = (db.max_variables().saturating_sub(8) / tag.len()).max(1);
        if keys.keys.len() <= chunk {
            let select = (!keys.keys.is_empty()).then(|| spec.select(d, keys_filter(&tag, &keys.keys)));
            break 'read run(select, None, path, &all)?;
        }
        // an owner's key is in one chunk, and so are the rows of every owner sharing it
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); keys.keys.len().div_ceil(chunk)];
        let mut keyless = Vec::new();
        for (o, k) in keys.of_owner.iter().enumerate() {
            match k {
                Some(k) => members[k / chunk].push(o),
                None => keyless.push(o),
            }
        }
        let mut read = 0;
        for (chunk_keys, members) in keys.keys.chunks(chunk).zip(&members) {
            let select = spec.select(d, keys_filter(&tag, chunk_keys));
            let plan = |tags: &[KeyVal]| by_key(def, members.iter().map(|&o| owner_keys[o].as_ref()), tags);
            read += run(Some(select), Some(members), path, &plan)?;
        }
        // the owners without a link value have no related rows
        let none = |_: &[KeyVal]| by_key(def, keyless.iter().map(|_| None), &[]);
        read + run(None, Some(&keyless), path, &none)?
    };
    db.note_rows(def, read, owner_keys.len());
    Ok(())
}

/// The indexes in the owners' columns of the values that link an owner to its related rows:
/// its key, or for a `belongs_to` its foreign key (several for a composite one).
fn link_indexes(def: &RelationDef, owner: &Table) -> Vec<usize> {
    match def.join {
        Join::Forward { columns } => columns.iter().map(|c| owner.column_index(c)).collect(),
        Join::Reverse { .. } => (0..owner.columns.len()).filter(|&i| owner.columns[i].primary_key).collect(),
        Join::Through { .. } => vec![owner.key_index()],
    }
}

/// `tag IN (?, ...)` for these keys.
fn keys_filter(tag: &[ColRef], keys: &[&KeyVal]) -> Cond<'static> {
    let mut values = Vec::with_capacity(keys.len() * tag.len());
    for k in keys {
        k.push_values(&mut values);
    }
    Cond::In(tag.to_vec(), values)
}

/// The distinct link values of the owners, in their order, and where each owner's is among them.
struct Distinct<'k> {
    keys: Vec<&'k KeyVal>,
    of_owner: Vec<Option<usize>>,
}

impl<'k> Distinct<'k> {
    fn of(owner_keys: &'k [Option<KeyVal>]) -> Distinct<'k> {
        let mut keys: Vec<&KeyVal> = Vec::with_capacity(owner_keys.len());
        let mut seen: HashMap<&KeyVal, usize> = HashMap::with_capacity_and_hasher(owner_keys.len(), Default::default());
        let of_owner = owner_keys
            .iter()
            .map(|k| {
                let k = k.as_ref()?;
                Some(*seen.entry(k).or_insert_with(|| {
                    keys.push(k);
                    keys.len() - 1
                }))
            })
            .collect();
        Distinct { keys, of_owner }
    }
}

/// Where rows tagged with their owner's link value go among the owners (`owner_keys`, in order).
fn by_key<'k>(def: &RelationDef, owner_keys: impl Iterator<Item = Option<&'k KeyVal>>, tags: &[KeyVal]) -> Handout {
    let owner_keys: Vec<Option<&KeyVal>> = owner_keys.collect();
    if matches!(def.join, Join::Forward { .. }) {
        return Handout::One(parent_of(&owner_keys, tags));
    }
    let (runs, groups, owner_groups) = group_runs(&owner_keys, tags);
    Handout::Many { runs, groups, owner_groups }
}

/// For a to-one relationship: the index among the rows (tagged `tags`) of each owner's parent.
fn parent_of(owner_keys: &[Option<&KeyVal>], tags: &[KeyVal]) -> Vec<Option<usize>> {
    let index: HashMap<&KeyVal, usize> = tags.iter().enumerate().map(|(i, t)| (t, i)).collect();
    owner_keys.iter().map(|k| k.and_then(|k| index.get(k).copied())).collect()
}

/// How tagged rows go to their owners: the runs of rows of one tag, in order, as (group,
/// length); the number of groups; and each owner's group, with whether it takes the rows
/// (the last owner of a shared key: a tag under two posts) or gets copies.
#[allow(clippy::type_complexity)]
fn group_runs(
    owner_keys: &[Option<&KeyVal>],
    tags: &[KeyVal],
) -> (Vec<(usize, usize)>, usize, Vec<Option<(usize, bool)>>) {
    let mut group_of: HashMap<&KeyVal, usize> = HashMap::with_capacity_and_hasher(owner_keys.len(), Default::default());
    // the rows mostly come grouped by owner (a level is ordered by its owner first, except
    // where the dialect says otherwise): one run of a tag is one owner's rows, or a part of
    // them, moved once into a vector of their number
    let mut runs = Vec::new();
    let mut start = 0;
    while start < tags.len() {
        let run = tags[start..].iter().take_while(|t| **t == tags[start]).count();
        let next = group_of.len();
        runs.push((*group_of.entry(&tags[start]).or_insert(next), run));
        start += run;
    }
    let groups = group_of.len();
    // the last owner of a group takes it: seen first from the end
    let mut taken = vec![false; groups];
    let mut owner_groups: Vec<Option<(usize, bool)>> = owner_keys
        .iter()
        .rev()
        .map(|k| {
            let g = *group_of.get((*k)?)?;
            Some((g, !std::mem::replace(&mut taken[g], true)))
        })
        .collect();
    owner_groups.reverse();
    (runs, groups, owner_groups)
}
