//! `selectinload` and `subqueryload`: one statement per level over the owners' keys (an `IN`
//! list, or the owners' own query as a subquery), with a window function under a per-owner
//! limit; the rows are handed to their owners by key.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::eager::Eager;
use super::hand::{hand_out, Handout};
use crate::db::Db;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::expr::{Expr, Order};
use crate::fetch::{fetch, tag_alias};
use crate::keys::KeyVal;
use crate::model::Model;
use crate::options::{OwnerQuery, Path};
use crate::relation::Slot;
use crate::schema::{Join, RelationDef, Table};
use crate::sql::{column, key_column, key_in, Select};
use crate::value::Value;

impl<O: Model, F: Slot> Eager<O, F> {
    /// `selectin` (and `subquery`): one statement for the related rows of every owner.
    pub(crate) fn select_in(
        &self,
        db: &Db,
        owners: &[O],
        owner_query: Option<&OwnerQuery<'_>>,
        path: &mut Path,
    ) -> Result<()> {
        let d = db.dialect();
        let def = self.rel.def;
        let link = link_indexes(def, O::TABLE);
        // each owner's link value, once; the distinct ones are bound
        let owner_keys: Vec<Option<KeyVal>> = owners
            .iter()
            .map(|o| match link.as_slice() {
                [one] => KeyVal::of(&o.column_value(*one)),
                many => KeyVal::of_parts(&many.iter().map(|&i| o.column_value(i)).collect::<Vec<_>>()),
            })
            .collect();
        let (tag, from) = related_from(d, def, F::Target::TABLE);
        let spec = Related { tag: &tag, from: &from, filter: &self.filter, order: &self.order, limit: self.limit, def };
        let mut rows = Vec::new();
        let mut tags = Vec::new();
        let capacity = level_capacity(db, def, owners.len(), std::mem::size_of::<F::Target>());
        match owner_query {
            Some(q) => {
                let (tail, params) = q();
                let filter = in_owners_query(d, &tag, O::TABLE, &link, &tail);
                let select = spec.select(d, filter, params).into();
                (rows, tags) = fetch::<F::Target>(db, select, &self.nested, path, None, capacity)?;
            }
            None => {
                let keys = distinct(&owner_keys);
                let chunk = (db.max_variables().saturating_sub(8) / tag.len()).max(1);
                for keys in keys.chunks(chunk) {
                    let (filter, params) = keys_filter(d, &tag, keys);
                    let select = spec.select(d, filter, params);
                    let room = if rows.is_empty() { capacity } else { 0 };
                    let (mut r, mut t) = fetch::<F::Target>(db, select.into(), &self.nested, path, None, room)?;
                    if rows.is_empty() {
                        // the first (most often the only) chunk's rows are moved, not copied
                        (rows, tags) = (r, t);
                    } else {
                        rows.append(&mut r);
                        tags.append(&mut t);
                    }
                }
            }
        }
        db.level_sizes.borrow_mut().insert(std::ptr::from_ref(def) as usize, (rows.len(), owners.len()));
        hand_out(self.rel, owners, rows, by_key(def, &owner_keys, &tags))
    }
}

/// Room for a level's rows up front: as many per owner as the relationship's last level had
/// (none the first time), at most 16 MiB of rows of `size` bytes. A level's rows are handed
/// out to their owners and dropped, so a guess too large holds memory only until then; a right
/// one spares the copies of a vector grown row by row, a twentieth of a level's cost.
fn level_capacity(db: &Db, def: &'static RelationDef, owners: usize, size: usize) -> usize {
    let most = (16 << 20) / size.max(1);
    match db.level_sizes.borrow().get(&(std::ptr::from_ref(def) as usize)) {
        Some(&(rows, last)) if last > 0 => (rows as u128 * owners as u128 / last as u128).min(most as u128) as usize,
        _ => 0,
    }
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

/// `tag IN (?, ...)` for these keys, with their values.
fn keys_filter(d: &dyn Dialect, tag: &[String], keys: &[&KeyVal]) -> (String, Vec<Value<'static>>) {
    let mut filter = String::with_capacity(16 + 3 * keys.len() * tag.len());
    let mut params = Vec::with_capacity(keys.len() * tag.len());
    key_in(d, tag, keys.iter().map(|k| k.values()), &mut filter, &mut params);
    (filter, params)
}

/// The distinct link values of the owners, in their order.
fn distinct(owner_keys: &[Option<KeyVal>]) -> Vec<&KeyVal> {
    let mut keys: Vec<&KeyVal> = Vec::with_capacity(owner_keys.len());
    let mut seen = HashSet::with_capacity_and_hasher(owner_keys.len(), Default::default());
    for k in owner_keys.iter().flatten() {
        if seen.insert(k) {
            keys.push(k);
        }
    }
    keys
}

/// What each related row is grouped by (one column, or a composite key's), and the FROM clause.
fn related_from(d: &dyn Dialect, def: &RelationDef, target: &Table) -> (Vec<String>, String) {
    let qualified = |c: &str| {
        let mut s = String::new();
        column(d, target.name, c, &mut s);
        s
    };
    let mut tag: Vec<String> = Vec::new();
    let mut from = String::new();
    d.quote(target.name, &mut from);
    match def.join {
        Join::Reverse { columns: fk } => tag.extend(fk.iter().map(|c| qualified(c))),
        Join::Forward { .. } if target.single_key().is_none() => tag.extend(target.key_names().map(qualified)),
        Join::Forward { .. } => {
            let mut s = String::new();
            key_column(d, target, target.name, &mut s);
            tag.push(s);
        }
        Join::Through { table, local, remote } => {
            // the association table under its own name, so that an `order_by` or `filter`
            // can name its columns (`BookAuthor::position`)
            let mut s = String::new();
            column(d, table.name, local, &mut s);
            tag.push(s);
            from.push_str(" JOIN ");
            d.quote(table.name, &mut from);
            from.push_str(" ON ");
            column(d, table.name, remote, &mut from);
            from.push_str(" = ");
            key_column(d, target, target.name, &mut from);
        }
    }
    (tag, from)
}

/// `tag IN (SELECT <link> <the owners' query>)`, a row value for a composite link.
fn in_owners_query(d: &dyn Dialect, tag: &[String], owner: &Table, link: &[usize], tail: &str) -> String {
    let mut filter = String::new();
    let row = tag.len() > 1;
    if row {
        filter.push('(');
    }
    filter.push_str(&tag.join(", "));
    filter.push_str(if row { ") IN " } else { " IN " });
    let mut sub = String::from("SELECT ");
    for (i, &l) in link.iter().enumerate() {
        if i > 0 {
            sub.push_str(", ");
        }
        column(d, owner.name, owner.columns[l].name, &mut sub);
    }
    sub.push_str(tail);
    d.in_subquery(&sub, &mut filter);
    filter
}

/// The related rows' statement of one option, whatever the models: grouped by `tag`, read
/// from `from`, with the option's filter, order and per-owner limit.
struct Related<'a> {
    tag: &'a [String],
    from: &'a str,
    filter: &'a [Expr],
    order: &'a [Order],
    limit: Option<u64>,
    def: &'static RelationDef,
}

impl Related<'_> {
    /// The statement for the owners `filter` selects (with the per-owner window when limited).
    fn select(&self, d: &dyn Dialect, filter: String, params: Vec<Value<'static>>) -> Select {
        let (tag, from) = (self.tag, self.from);
        let target = self.def.target;
        let (mut filter, mut params) = (filter, params);
        for f in self.filter {
            filter.push_str(" AND ");
            f.render(d, &mut filter, &mut params);
        }
        // the option's order, else the relationship's declared one; the key last
        let mut order = String::new();
        let before = params.len();
        for o in self.order {
            if !order.is_empty() {
                order.push_str(", ");
            }
            o.render(d, &mut order, &mut params);
        }
        // an order term that binds a value (`(Post::likes - ?)`) must come after the filter's
        // in the text, as its parameters do
        let order_binds = params.len() > before;
        let declared = if self.order.is_empty() { self.def.order_by } else { &[] };
        let link = match self.def.join {
            Join::Through { table, .. } => Some(table.name),
            _ => None,
        };
        crate::sql::declared_order(d, target, target.name, link, declared, &mut order);
        let Some(n) = self.limit else {
            // grouped by owner first: each owner's rows are in `order` all the same, and an
            // index on the foreign key (which holds the key after it) delivers this order
            // without a sort, where the key alone needed one at every level
            let grouped = match self.def.join {
                Join::Forward { .. } => order,
                // in key order is in the link's order: the association table's key
                // (local, remote) delivers it
                Join::Through { table, remote, .. } if self.order.is_empty() && declared.is_empty() => {
                    let mut by_link = tag.join(", ");
                    by_link.push_str(", ");
                    column(d, table.name, remote, &mut by_link);
                    by_link
                }
                _ => format!("{}, {order}", tag.join(", ")),
            };
            // a one-to-many's rows hold their foreign key, a to-one's parents their key: the
            // tag is read there, not selected twice
            let tag_column = match self.def.join {
                Join::Reverse { columns: [fk] } => Some(target.column_index(fk)),
                Join::Forward { .. } => target.single_key().map(|_| target.key_index()),
                _ => None,
            };
            return Select {
                tag: tag.to_vec(),
                tag_column,
                from: from.to_owned(),
                filter,
                order: grouped,
                params,
                ..Select::default()
            };
        };
        // number each owner's rows in order, keep the first n
        let mut inner = String::from("(SELECT ");
        for (i, t) in tag.iter().enumerate() {
            inner.push_str(t);
            inner.push_str(" AS ");
            d.quote(&tag_alias(i), &mut inner);
            inner.push_str(", ");
        }
        d.quote(target.name, &mut inner);
        let window = format!("PARTITION BY {} ORDER BY {order}", tag.join(", "));
        if order_binds {
            inner.push_str(".*, row_number() OVER ");
            d.quote("relations_w", &mut inner);
            inner.push_str(" AS ");
            d.quote("relations_rn", &mut inner);
            inner.push_str(" FROM ");
        } else {
            inner.push_str(".*, row_number() OVER (");
            inner.push_str(&window);
            inner.push_str(") AS ");
            d.quote("relations_rn", &mut inner);
            inner.push_str(" FROM ");
        }
        inner.push_str(from);
        inner.push_str(" WHERE ");
        inner.push_str(&filter);
        if order_binds {
            inner.push_str(" WINDOW ");
            d.quote("relations_w", &mut inner);
            inner.push_str(" AS (");
            inner.push_str(&window);
            inner.push(')');
        }
        inner.push_str(") AS ");
        d.quote(target.name, &mut inner);
        let mut outer_filter = String::new();
        column(d, target.name, "relations_rn", &mut outer_filter);
        outer_filter.push_str(" <= ");
        params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        d.placeholder(params.len(), &mut outer_filter);
        let outer_tag = (0..tag.len())
            .map(|i| {
                let mut s = String::new();
                column(d, target.name, &tag_alias(i), &mut s);
                s
            })
            .collect();
        // the window numbered each owner's rows in order (the order may name columns the
        // outer query cannot see, like an association model's)
        let mut outer_order = String::new();
        column(d, target.name, "relations_rn", &mut outer_order);
        Select { tag: outer_tag, from: inner, filter: outer_filter, order: outer_order, params, ..Select::default() }
    }
}

/// Where rows tagged with their owner's link value go among the owners (`owner_keys`, in order).
fn by_key(def: &RelationDef, owner_keys: &[Option<KeyVal>], tags: &[KeyVal]) -> Handout {
    if matches!(def.join, Join::Forward { .. }) {
        return Handout::One(parent_of(owner_keys, tags));
    }
    let (runs, groups, owner_groups) = group_runs(owner_keys, tags);
    Handout::Many { runs, groups, owner_groups }
}

/// For a to-one relationship: the index among the rows (tagged `tags`) of each owner's parent.
fn parent_of(owner_keys: &[Option<KeyVal>], tags: &[KeyVal]) -> Vec<Option<usize>> {
    let index: HashMap<&KeyVal, usize> = tags.iter().enumerate().map(|(i, t)| (t, i)).collect();
    owner_keys.iter().map(|k| k.as_ref().and_then(|k| index.get(k).copied())).collect()
}

/// How tagged rows go to their owners: the runs of rows of one tag, in order, as (group,
/// length); the number of groups; and each owner's group, with whether it takes the rows
/// (the last owner of a shared key: a tag under two posts) or gets copies.
#[allow(clippy::type_complexity)]
fn group_runs(
    owner_keys: &[Option<KeyVal>],
    tags: &[KeyVal],
) -> (Vec<(usize, usize)>, usize, Vec<Option<(usize, bool)>>) {
    let mut group_of: HashMap<&KeyVal, usize> = HashMap::with_capacity_and_hasher(owner_keys.len(), Default::default());
    // the rows come grouped by owner (each level is ordered by its owner first): one run of a
    // tag is one owner's rows, moved once into a vector of their number
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
            let g = *group_of.get(k.as_ref()?)?;
            Some((g, !std::mem::replace(&mut taken[g], true)))
        })
        .collect();
    owner_groups.reverse();
    (runs, groups, owner_groups)
}
