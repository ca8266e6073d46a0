//! `selectinload` and `subqueryload`: one statement per level over the owners' keys (an `IN`
//! list, or the owners' own query as a subquery), with a window function under a per-owner
//! limit; the rows are handed to their owners by key.

use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::eager::{Eager, Rel};
use crate::db::Db;
use crate::error::Result;
use crate::fetch::{fetch, tag_alias};
use crate::keys::KeyVal;
use crate::model::Model;
use crate::options::{OwnerQuery, Path};
use crate::relation::{Fill, Slot};
use crate::schema::Join;
use crate::sql::{column, key_column, key_in, Select};
use crate::value::Value;

impl<O: Model, F: Slot> Eager<O, F> {
    /// The indexes in `O`'s columns of the values that link an owner to its related rows: its
    /// key, or for a `belongs_to` its foreign key (several for a composite one).
    fn link_indexes(&self) -> Vec<usize> {
        match self.rel.def.join {
            Join::Forward { columns } => columns.iter().map(|c| O::TABLE.column_index(c)).collect(),
            Join::Reverse { .. } => (0..O::TABLE.columns.len()).filter(|&i| O::TABLE.columns[i].primary_key).collect(),
            Join::Through { .. } => vec![O::TABLE.key_index()],
        }
    }

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
        let target = F::Target::TABLE;
        let link = self.link_indexes();
        // each owner's link value, once; the distinct ones are bound
        let owner_keys: Vec<Option<KeyVal>> = owners
            .iter()
            .map(|o| match link.as_slice() {
                [one] => KeyVal::of(&o.column_value(*one)),
                many => KeyVal::of_parts(&many.iter().map(|&i| o.column_value(i)).collect::<Vec<_>>()),
            })
            .collect();
        let mut keys: Vec<&KeyVal> = Vec::with_capacity(owners.len());
        let mut seen = HashSet::with_capacity_and_hasher(owners.len(), Default::default());
        for k in owner_keys.iter().flatten() {
            if seen.insert(k) {
                keys.push(k);
            }
        }
        drop(seen);
        let shared = keys.len() < owner_keys.iter().flatten().count();
        // what each related row is grouped by (one column, or a composite key's), and the FROM
        // clause
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
        let mut rows = Vec::new();
        let mut tags = Vec::new();
        match owner_query {
            Some(q) => {
                // `tag IN (SELECT <link> <the owners' query>)`, a row value for a composite link
                let (tail, params) = q();
                let mut filter = String::new();
                let row = tag.len() > 1;
                if row {
                    filter.push('(');
                }
                filter.push_str(&tag.join(", "));
                filter.push_str(if row { ") IN (SELECT " } else { " IN (SELECT " });
                for (i, &l) in link.iter().enumerate() {
                    if i > 0 {
                        filter.push_str(", ");
                    }
                    column(d, O::TABLE.name, O::TABLE.columns[l].name, &mut filter);
                }
                filter.push_str(&tail);
                filter.push(')');
                let (r, t) = self.fetch_related(db, &tag, &from, filter, params, path)?;
                rows = r;
                tags = t;
            }
            None => {
                let chunk = (db.max_variables().saturating_sub(8) / tag.len()).max(1);
                for keys in keys.chunks(chunk) {
                    let mut filter = String::with_capacity(16 + 3 * keys.len() * tag.len());
                    let mut params = Vec::with_capacity(keys.len() * tag.len());
                    key_in(d, &tag, keys.iter().map(|k| k.values()), &mut filter, &mut params);
                    let (mut r, mut t) = self.fetch_related(db, &tag, &from, filter, params, path)?;
                    rows.append(&mut r);
                    tags.append(&mut t);
                }
            }
        }
        distribute_by_key(self.rel, owners, &owner_keys, shared, rows, tags)
    }

    /// Runs the related rows' statement (with the per-owner window when limited).
    fn fetch_related(
        &self,
        db: &Db,
        tag: &[String],
        from: &str,
        filter: String,
        params: Vec<Value<'static>>,
        path: &mut Path,
    ) -> Result<(Vec<F::Target>, Vec<KeyVal>)> {
        let d = db.dialect();
        let target = F::Target::TABLE;
        let (mut filter, mut params) = (filter, params);
        for f in &self.filter {
            filter.push_str(" AND ");
            f.render(d, &mut filter, &mut params);
        }
        // the option's order, else the relationship's declared one; the key last
        let mut order = String::new();
        let before = params.len();
        for o in &self.order {
            if !order.is_empty() {
                order.push_str(", ");
            }
            o.render(d, &mut order, &mut params);
        }
        // an order term that binds a value (`(Post::likes - ?)`) must come after the filter's
        // in the text, as its parameters do
        let order_binds = params.len() > before;
        let declared = if self.order.is_empty() { self.rel.def.order_by } else { &[] };
        crate::sql::declared_order(d, target, target.name, declared, &mut order);
        let select = match self.limit {
            None => {
                // grouped by owner first: each owner's rows are in `order` all the same, and an
                // index on the foreign key (which holds the key after it) delivers this order
                // without a sort, where the key alone needed one at every level
                let grouped = match self.rel.def.join {
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
                Select { tag: tag.to_vec(), from: from.to_owned(), filter, order: grouped, params, ..Select::default() }
            }
            Some(n) => {
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
                    inner.push_str(".*, row_number() OVER \"relations_w\" AS \"relations_rn\" FROM ");
                } else {
                    inner.push_str(".*, row_number() OVER (");
                    inner.push_str(&window);
                    inner.push_str(") AS \"relations_rn\" FROM ");
                }
                inner.push_str(from);
                inner.push_str(" WHERE ");
                inner.push_str(&filter);
                if order_binds {
                    inner.push_str(" WINDOW \"relations_w\" AS (");
                    inner.push_str(&window);
                    inner.push(')');
                }
                inner.push_str(") AS ");
                d.quote(target.name, &mut inner);
                let mut params = params;
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
                // the window numbered each owner's rows in order (the order may name columns
                // the outer query cannot see, like an association model's)
                let mut outer_order = String::new();
                column(d, target.name, "relations_rn", &mut outer_order);
                Select {
                    tag: outer_tag,
                    from: inner,
                    filter: outer_filter,
                    order: outer_order,
                    params,
                    ..Select::default()
                }
            }
        };
        fetch::<F::Target>(db, select, &self.nested, path, None)
    }
}

/// Hands rows tagged with their owner's link value to the owners (`owner_keys`, in order;
/// `shared` when two owners have the same one).
fn distribute_by_key<O: Model, F: Slot>(
    rel: Rel<O, F>,
    owners: &[O],
    owner_keys: &[Option<KeyVal>],
    shared: bool,
    rows: Vec<F::Target>,
    tags: Vec<KeyVal>,
) -> Result<()> {
    if matches!(rel.def.join, Join::Forward { .. }) {
        let parents: HashMap<KeyVal, Arc<F::Target>> = tags.into_iter().zip(rows.into_iter().map(Arc::new)).collect();
        for (o, k) in owners.iter().zip(owner_keys) {
            let parent = k.as_ref().and_then(|k| parents.get(k).cloned());
            (rel.field)(o).fill(rel.def, Fill::One(parent))?;
        }
        return Ok(());
    }
    let mut groups: HashMap<KeyVal, Vec<F::Target>> =
        HashMap::with_capacity_and_hasher(owners.len(), Default::default());
    // the rows come grouped by owner (each level is ordered by its owner first): one run of a
    // tag is one owner's rows, moved once into a vector of their number
    let mut rows = rows.into_iter();
    let mut start = 0;
    while start < tags.len() {
        let run = tags[start..].iter().take_while(|t| **t == tags[start]).count();
        let group = groups.entry(tags[start].clone()).or_default();
        if group.is_empty() {
            *group = rows.by_ref().take(run).collect();
        } else {
            group.extend(rows.by_ref().take(run));
        }
        start += run;
    }
    // owners can share a key (a tag under two posts): the last one takes the rows, the
    // others get copies
    let mut wanted: HashMap<&KeyVal, usize> = HashMap::default();
    if shared {
        for k in owner_keys.iter().flatten() {
            *wanted.entry(k).or_default() += 1;
        }
    }
    for (o, k) in owners.iter().zip(owner_keys) {
        let rows = match k {
            None => Vec::new(),
            Some(k) => {
                let left = wanted.get_mut(k).map_or(0, |n| {
                    *n -= 1;
                    *n
                });
                if left == 0 {
                    groups.remove(k).unwrap_or_default()
                } else {
                    groups.get(k).map_or_else(Vec::new, |g| g.iter().map(Model::duplicate).collect())
                }
            }
        };
        (rel.field)(o).fill(rel.def, Fill::Many(rows))?;
    }
    Ok(())
}
