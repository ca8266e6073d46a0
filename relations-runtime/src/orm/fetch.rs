//! One `SELECT` of model rows with the loader options in force: the joined ones rendered into
//! it, the others run after it on the rows it returned, level by level.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::backend::RawRow;
use crate::orm::db::Db;
use crate::orm::keys::{Dedup, KeyAt, KeyVal};
use crate::orm::model::{Model, Row};
use crate::orm::options::{How, JoinedAcc, Load, Path, Tree};
use crate::schema::error::Result;
use crate::schema::value::Value;
use crate::schema::{RelationDef, Table};
use crate::sql::expr::Core;
use crate::sql::loading::{render_owners, subtree_sql, Columns, Joins, ModelRows};

/// The loader options in force for rows of `T` at one level: the explicit ones, then the
/// eager strategies `T` declares (unless an explicit option names the same relationship, or
/// its target was already passed through).
pub(crate) fn plan<T: Model>(explicit: &[Load<T>], path: &Path) -> Vec<Load<T>> {
    let defaults = T::default_loads();
    let n = explicit.len();
    let load = |i: usize| if i < n { &explicit[i] } else { &defaults[i - n] };
    let kept = planned(n, n + defaults.len(), &|i| (load(i).0.def(), load(i).0.how()), path);
    let mut out = Vec::with_capacity(kept.len());
    for i in kept {
        out.push(load(i).clone());
    }
    out
}

/// [`plan`] over the options by index, the first `explicit` of `all` the explicit ones, each
/// option's relationship and strategy given by `option`: the indexes of those in force, in
/// order. Shared by every model.
fn planned(
    explicit: usize,
    all: usize,
    option: &dyn Fn(usize) -> (&'static RelationDef, How),
    path: &Path,
) -> Vec<usize> {
    let same = |a: &RelationDef, b: &RelationDef| a.name == b.name && a.owner.name == b.owner.name;
    let mut out = Vec::with_capacity(all);
    for i in 0..explicit {
        // a later option for the same relationship wins
        let def = option(i).0;
        if !(i + 1..explicit).any(|j| same(option(j).0, def)) {
            out.push(i);
        }
    }
    for i in explicit..all {
        let def = option(i).0;
        if !(0..explicit).any(|j| same(option(j).0, def)) && !path.contains(&def.target.name) {
            out.push(i);
        }
    }
    out.retain(|&i| option(i).1 != How::Lazy);
    out
}

/// Whether an option runs inside the owners' statement.
pub(crate) fn runs_joined<O>(load: &Load<O>) -> bool {
    load.0.how() == How::Joined && !load.0.limited() && load.0.joins()
}

/// Runs `select` for rows of `T`, applies the loader options, and returns the rows (with the
/// tag of each, when the select has one).
pub(crate) fn fetch<T: Model>(
    db: &Db,
    source: Source<'_>,
    loads: &[Load<T>],
    path: &mut Path,
    owner_query: Option<&Core>,
    capacity: usize,
) -> Result<(Vec<T>, Vec<KeyVal>)> {
    let table = T::TABLE;
    let loads = plan::<T>(loads, path);
    // plain loops, not iterator adapters: this is compiled once per model
    let mut joined: Vec<&Load<T>> = Vec::new();
    let mut tree = None;
    for (i, l) in loads.iter().enumerate() {
        if runs_joined(l) {
            joined.push(l);
        } else if tree.is_none() {
            tree = l.0.tree().map(|t| (i, t.1));
        }
    }
    let mut source = source;
    // a subtree of the query's own rows comes in their statement
    if let Some((i, tree)) = tree {
        let rows = source.into_rows();
        if joined.is_empty() && rows.select.with.is_none() && rows.tag.is_empty() {
            return Ok((tree.fetch_with(db, rows, &loads, i, path, owner_query)?, Vec::new()));
        }
        source = Source::Rows(rows);
    }
    path.push(table.name);
    // the owners' columns the statement leaves out
    let mask = match &source {
        Source::Rows(rows) => rows.deferred,
        Source::Query(core) => core.deferred,
    }
    .unwrap_or(table.deferred);
    let mut accs: Vec<Box<dyn JoinedAcc<T>>> = Vec::with_capacity(joined.len());
    let (sql, params, at) = owners_sql(db, table, source, !joined.is_empty(), &mut |js| {
        for l in &joined {
            accs.extend(l.0.joined(db, js, table.name, path));
        }
    });

    let mut rows: Vec<T> = Vec::with_capacity(capacity);
    let decode = |rows: &mut Vec<T>, row: &dyn RawRow| {
        let model = T::from_row(&Row::new(row, table, at.owners).leaving_out(mask))?;
        crate::orm::model::remember(&model);
        rows.push(model);
        Ok(())
    };
    let tags = if accs.is_empty() {
        let mut tags: Vec<KeyVal> = Vec::new();
        // a tag among the model's own columns (a one-to-many's foreign key) is taken from the
        // row just decoded rather than read from the statement's row a second time
        let own_tag = (at.tag_width == 1 && at.tag >= at.owners).then(|| at.tag - at.owners);
        db.query_map_into(&sql, &params, |row| {
            if own_tag.is_none() && at.tag_width > 0 {
                tags.extend(KeyVal::read_parts(row, at.tag, at.tag_width)?);
            }
            decode(&mut rows, row)?;
            if let Some(column) = own_tag {
                tags.extend(rows.last().and_then(|r| KeyVal::of(&r.column_value(column))));
            }
            Ok(())
        })?;
        tags
    } else {
        let mut absorb = |row: &dyn RawRow, owner: usize| {
            for acc in &mut accs {
                acc.absorb(row, owner)?;
            }
            Ok(())
        };
        read_joined(db, &sql, &params, table, at, &mut |row| decode(&mut rows, row), &mut absorb)?
    };
    for acc in accs {
        acc.finish(db, &rows, path)?;
    }
    for load in &loads {
        if !runs_joined(load) {
            load.0.after(db, &rows, owner_query, path)?;
        }
    }
    path.pop();
    Ok((rows, tags))
}

/// Runs the owners' statement `sql` of a load with joined relationships: `decode`s each owner
/// once, and hands every row to `absorb` with its owner's index. Returns the owners' tags.
/// Shared code: only `decode` and `absorb` are generic.
fn read_joined(
    db: &Db,
    sql: &str,
    params: &[Value<'_>],
    table: &'static Table,
    at: Columns,
    decode: &mut dyn FnMut(&dyn RawRow) -> Result<()>,
    absorb: &mut dyn FnMut(&dyn RawRow, usize) -> Result<()>,
) -> Result<Vec<KeyVal>> {
    let mut tags: Vec<KeyVal> = Vec::new();
    let key = KeyAt::new(table, at.owners);
    let mut owners = Owners { key, untagged: Dedup::new(true), seen: HashMap::default(), last: None };
    let mut read = 0;
    db.query_map_into(sql, params, |row| {
        let Some((index, new)) = owners.of(row, at, read)? else {
            return Ok(());
        };
        if let Some(tag) = new {
            tags.extend(tag);
            decode(row)?;
            read += 1;
        }
        absorb(row, index)
    })?;
    Ok(tags)
}

/// Which owner each row of a statement with joined collections belongs to: owners repeat over
/// their related rows, and come once each.
struct Owners {
    /// Where the owner's key is.
    key: KeyAt,
    /// Owners without a tag, by key (rising when they come in key order).
    untagged: Dedup,
    /// Owners with a tag (the rows of a `selectinload` level), by tag and key.
    seen: HashMap<(Option<KeyVal>, KeyVal), usize>,
    last: Option<(Option<KeyVal>, KeyVal, usize)>,
}

impl Owners {
    /// The index of `row`'s owner among those read (`next` when it is new, with its tag to
    /// keep); `None` for a row without an owner key.
    #[allow(clippy::type_complexity)]
    fn of(
        &mut self,
        row: &dyn crate::backend::RawRow,
        at: Columns,
        next: usize,
    ) -> Result<Option<(usize, Option<Option<KeyVal>>)>> {
        let tag = if at.tag_width > 0 { KeyVal::read_parts(row, at.tag, at.tag_width)? } else { None };
        let Some(key) = self.key.read(row)? else {
            return Ok(None);
        };
        // the rows of one owner come together: most rows repeat the previous owner
        if let Some((t, k, i)) = &self.last {
            if *k == key && *t == tag {
                return Ok(Some((*i, None)));
            }
        }
        let index = match tag {
            None => self.untagged.index(0, &key, next),
            Some(_) => *self.seen.entry((tag.clone(), key.clone())).or_insert(next),
        };
        let new = (index == next).then(|| tag.clone());
        self.last = Some((tag, key, index));
        Ok(Some((index, new)))
    }
}

/// What [`fetch`] runs: a statement of model rows, or a query, rendered when it runs (its text
/// once per connection when it has a [`Shape`](crate::sql::expr::Shape)).
#[expect(clippy::large_enum_variant, reason = "made once per statement and moved into `fetch`: a box would allocate")]
pub(crate) enum Source<'q> {
    /// The owners' statement.
    Rows(ModelRows<'q>),
    /// A query's description.
    Query(&'q Core),
}

impl<'q> Source<'q> {
    /// The statement of the rows.
    fn into_rows(self) -> ModelRows<'q> {
        match self {
            Source::Rows(rows) => rows,
            Source::Query(core) => ModelRows::of_query(core),
        }
    }
}

impl<'q> From<ModelRows<'q>> for Source<'q> {
    fn from(rows: ModelRows<'q>) -> Self {
        Source::Rows(rows)
    }
}

/// A statement's text: rendered for this run, or shared by every run of its shape.
pub(crate) enum Sql {
    Owned(String),
    Shared(Arc<str>),
}

impl std::ops::Deref for Sql {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Sql::Owned(s) => s,
            Sql::Shared(s) => s,
        }
    }
}

/// The owners' statement of [`fetch`]: its text, parameters and [`Columns`]. `joined` hands
/// the joined options the SQL they add to it.
fn owners_sql(
    db: &Db,
    table: &'static Table,
    source: Source<'_>,
    has_joined: bool,
    joined: &mut dyn FnMut(&mut Joins),
) -> (Sql, Vec<Value<'static>>, Columns) {
    if let (false, Source::Query(core)) = (has_joined, &source) {
        if let Some((sql, params)) = shaped_sql(db, table, core) {
            return (Sql::Shared(sql), params, Columns::default());
        }
    }
    let (sql, params, at) = render_owners(db.dialect(), table, source.into_rows(), has_joined, joined);
    (Sql::Owned(sql), params, at)
}

/// The text of `core`'s statement, rendered once per connection and shape, and the values it
/// binds; `None` for a query without a shape (see [`Core::shape`]).
pub(crate) fn shaped_sql(db: &Db, table: &'static Table, core: &Core) -> Option<(Arc<str>, Vec<Value<'static>>)> {
    let (shape, params) = core.shape()?;
    let render = || render_owners(db.dialect(), table, ModelRows::of_query(core), false, &mut |_| {});
    let cached = db.selects.borrow().get(&shape).cloned();
    let sql = cached.unwrap_or_else(|| {
        let sql: Arc<str> = render().0.into();
        db.selects.borrow_mut().insert(shape.clone(), Arc::clone(&sql));
        sql
    });
    // every debug build (the tests) checks that the shape determines the text and that the
    // parameters read from it are the statement's
    #[cfg(debug_assertions)]
    {
        let (text, fresh, at) = render();
        debug_assert_eq!((&*sql, &params, Columns::default()), (text.as_str(), &fresh, at), "{shape:?}");
    }
    Some((sql, params))
}

/// The owners' statement with a subtree option's rows in it: one recursive statement whose
/// rows are the owners (numbered in their order) and every row below them (numbered 0), each
/// below-row once.
///
/// ```sql
/// WITH RECURSIVE "relations_tree"("relations_id", "relations_ord") AS (
///   SELECT * FROM (SELECT key, row_number() OVER (ORDER BY <order>) FROM <owners' query>) AS "relations_owners"
///   UNION SELECT key, 0 FROM table JOIN "relations_tree" ON fk = "relations_tree"."relations_id")
/// SELECT "relations_tree"."relations_ord", <columns> FROM "relations_tree" JOIN table ON key = ...
/// ```
///
/// `UNION` drops a row already queued, so a cycle in the data ends. Rows come unsorted when
/// the key is an integer (the owners are put in order here, the children by `load::subtree::hang`).
pub(crate) fn fetch_with_tree<T: Model>(
    db: &Db,
    rows: ModelRows<'_>,
    loads: &[Load<T>],
    (tree, (link, t)): (usize, (&'static str, &dyn Tree<T>)),
    path: &mut Path,
    owner_query: Option<&Core>,
) -> Result<Vec<T>> {
    let table = T::TABLE;
    let mask = rows.deferred.unwrap_or(table.deferred);
    let (sql, params) = subtree_sql(db.dialect(), table, rows, link, db.rule_for(table).as_ref());
    let link = table.column_index(link);

    let mut owners: Vec<Option<T>> = Vec::new();
    let mut ords: Vec<i64> = Vec::new();
    let mut rows: Vec<T> = Vec::new();
    let mut parents: Vec<KeyVal> = Vec::new();
    db.query_map_into(&sql, &params, |row| {
        let ord = row.int(0)?;
        let model = T::from_row(&Row::new(row, table, 1).leaving_out(mask))?;
        crate::orm::model::remember(&model);
        if ord != 0 {
            owners.push(Some(model));
            ords.push(ord);
        } else if let Some(parent) = KeyVal::of(&model.column_value(link)) {
            rows.push(model);
            parents.push(parent);
        }
        Ok(())
    })?;
    // the owners in their order: sorted as numbers, then moved once
    let mut order: Vec<usize> = (0..ords.len()).collect();
    order.sort_unstable_by_key(|&i| ords[i]);
    let owners: Vec<T> = order.into_iter().filter_map(|i| owners[i].take()).collect();
    path.push(table.name);
    for (_, load) in loads.iter().enumerate().filter(|(i, l)| *i != tree && !runs_joined(l)) {
        load.0.after(db, &owners, owner_query, path)?;
    }
    t.assemble(db, &owners, rows, parents, path)?;
    path.pop();
    Ok(owners)
}
