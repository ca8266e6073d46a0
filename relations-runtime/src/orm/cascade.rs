//! The unit of work's two halves, without a session: what deleting a row does to the rows that
//! reference it (`delete`, `delete-orphan`, `passive_deletes`, the foreign keys' `ON DELETE`),
//! and what saving a row does to the new rows in its relationship fields (`save-update`).
//!
//! Deletes are planned from two sources. The database's catalog says which tables reference the
//! row's table, through which columns, whether they are `NOT NULL`, and with which `ON DELETE`
//! action; it is read once per connection. The model's declared relationships say what the ORM
//! does along each of them. Together they cover relationships declared on either side (a
//! `backref` included) and tables no model of this program declares.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::orm::db::Db;
use crate::orm::hooks::{self, Event};
use crate::orm::keys::KeyVal;
use crate::orm::model::{Key, Model};
use crate::orm::stored::Stored;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::{Join, RelationDef, Table};
use crate::sql::write::{Col, Cond, Delete, Exists, New, Rows, Select, Update};

/// A foreign key's `ON DELETE` action, as the catalog reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DbAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

/// One foreign key that references a table.
#[derive(Debug, Clone)]
struct Reference {
    /// The referencing table.
    table: String,
    /// Its foreign key columns: one, or a composite key's, in order.
    columns: Vec<String>,
    /// The referenced columns, in the same order (empty names: the referenced table's key).
    to: Vec<String>,
    /// Whether a column of it is `NOT NULL` (it cannot be unhooked).
    not_null: bool,
    on_delete: DbAction,
    /// The referencing table is a plain association table: every column is a key column and
    /// a foreign key.
    link: bool,
}

impl Reference {
    /// `table.column`, or `table.(a, b)` for a composite key: for messages.
    fn path(&self) -> String {
        crate::sql::columns_path(&self.table, &self.columns)
    }
}

/// Which tables reference which, read from the database.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// By referenced table (lower case, as SQLite compares names).
    refs: FxHashMap<String, Vec<Reference>>,
}

impl Catalog {
    /// Reads the catalog with the dialect's one query.
    pub(crate) fn read(db: &Db) -> Result<Catalog> {
        let mut rows: Vec<(String, i64, Reference)> = Vec::new();
        db.query_map_into(db.dialect().foreign_keys_sql(), &[], |row| {
            let text = |i: usize| -> Result<String> { Ok(row.text(i)?.unwrap_or_default()) };
            let on_delete = match text(5)?.to_ascii_uppercase().as_str() {
                "CASCADE" => DbAction::Cascade,
                "SET NULL" => DbAction::SetNull,
                "SET DEFAULT" => DbAction::SetDefault,
                "RESTRICT" => DbAction::Restrict,
                _ => DbAction::NoAction,
            };
            let (table, id) = (text(0)?, row.int(1)?);
            let (column, to, not_null) = (text(3)?, text(4)?, row.int(6)? != 0);
            // a foreign key of several columns has one row per column under one id, in order
            match rows.last_mut() {
                Some((_, last_id, r)) if *last_id == id && r.table == table => {
                    r.columns.push(column);
                    r.to.push(to);
                    r.not_null |= not_null;
                }
                _ => {
                    let link = row.int(7)? != 0;
                    let r = Reference { table, columns: vec![column], to: vec![to], not_null, on_delete, link };
                    rows.push((text(2)?.to_ascii_lowercase(), id, r));
                }
            }
            Ok(())
        })?;
        let mut catalog = Catalog::default();
        for (parent, _, r) in rows {
            catalog.refs.entry(parent).or_default().push(r);
        }
        Ok(catalog)
    }

    fn refs(&self, table: &str) -> &[Reference] {
        self.refs.get(&table.to_ascii_lowercase()).map_or(&[], Vec::as_slice)
    }
}

/// What deleting rows of a table does to one table that references it.
enum Action {
    /// The database does it (`ON DELETE`), or `passive_deletes` says so.
    Skip,
    /// Delete the association rows.
    Links,
    /// Delete the referencing rows first, cascading further (`cascade` with `delete`).
    Delete(&'static Table),
    /// Set the foreign key to `NULL` (SQLAlchemy's default for a relationship without `delete`),
    /// bumping the version of a versioned model's rows (the model, when a relationship declares
    /// it).
    SetNull(Option<&'static Table>),
    /// Refuse, naming the reference (and the relationship declaring it), if any row still
    /// references the deleted ones.
    Refuse(Option<&'static RelationDef>),
}

fn action(table: &'static Table, r: &Reference) -> Action {
    let declared = (table.relations)()
        .iter()
        .find(|d| match d.join {
            Join::Reverse { columns } => {
                d.target.name.eq_ignore_ascii_case(&r.table)
                    && columns.iter().copied().eq(r.columns.iter().map(String::as_str))
            }
            Join::Through { table: t, local, .. } => t.name.eq_ignore_ascii_case(&r.table) && r.columns == [local],
            Join::Forward { .. } => false,
        })
        .copied();
    match declared {
        Some(d) if d.passive_deletes => return Action::Skip,
        Some(d) if matches!(d.join, Join::Through { .. }) => return Action::Links,
        Some(d) if d.cascade.delete => return Action::Delete(d.target),
        None if r.link => return Action::Links,
        _ => {}
    }
    match r.on_delete {
        DbAction::Cascade | DbAction::SetNull | DbAction::SetDefault => Action::Skip,
        DbAction::Restrict => Action::Refuse(declared),
        // a polymorphic owner's key is nullable, but its CHECK refuses it NULL alone
        DbAction::NoAction if r.not_null || owner_key(declared, r) => Action::Refuse(declared),
        DbAction::NoAction => Action::SetNull(declared.map(|d| d.target)),
    }
}

/// Whether `r` is the owner key of a polymorphic owner of the declaring relationship's target.
fn owner_key(declared: Option<&'static RelationDef>, r: &Reference) -> bool {
    declared.is_some_and(|d| r.columns.iter().any(|c| d.target.owner_key(c)))
}

/// Deletes `model` and, first, what its relationships and foreign keys say goes with it, in one
/// transaction. Returns whether the row existed.
impl Db {
    /// Deletes `model` and what goes with it, in one transaction ([`Model::delete`]).
    pub(crate) fn delete_model<M: Model>(&self, model: &M) -> Result<bool> {
        delete_model(self, model)
    }

    /// Deletes `model` for real — a row of a model with a soft delete column, which
    /// [`Model::delete`] only stamps — with what its cascades delete, as `delete` does for
    /// any other model: the explicit decision to destroy the row.
    pub fn purge<M: Model>(&self, model: &M) -> Result<bool> {
        delete_hooked(self, model, false)
    }
}

/// Deletes `model` and what goes with it; with its hooks, when it has them (`before_delete`,
/// then `after_delete`, in one transaction).
fn delete_model(db: &Db, model: &dyn Stored) -> Result<bool> {
    delete_hooked(db, model, model.table().soft_delete.is_some())
}

/// [`delete_model`]: soft (the row stamped) or not.
fn delete_hooked(db: &Db, model: &dyn Stored, soft: bool) -> Result<bool> {
    if model.unsaved() {
        return Err(Error::Unsaved { table: model.table().name, action: "delete" });
    }
    let delete = |db: &Db| match soft {
        true => crate::orm::soft_delete::delete_one(db, model),
        false => delete_unhooked(db, model),
    };
    if !model.hooked() {
        return delete(db);
    }
    db.as_one_unit(|db| {
        model.delete_hook(db, Event::BeforeDelete)?;
        let existed = delete(db)?;
        model.delete_hook(db, Event::AfterDelete)?;
        Ok(existed)
    })
}

fn delete_unhooked(db: &Db, model: &dyn Stored) -> Result<bool> {
    let t = model.table();
    let catalog = db.schema_cache(Catalog::read)?;
    // the key rows are deleted by, when rows may reference it: one column's, or all of a
    // composite key's
    let key = match catalog.refs(t.name).is_empty() {
        false => KeyVal::of_parts(&model.key_values()),
        true => None,
    };
    // a many-to-one `delete` / `delete-orphan`: the parent goes with its one child
    let parents: Vec<(&'static Table, KeyVal)> = cascading_parents(t)
        .filter_map(|(target, column)| KeyVal::of(&model.value_at(t.column_index(column))).map(|k| (target, k)))
        .collect();
    if key.is_none() && parents.is_empty() {
        // nothing references it (or it cannot be referenced): one statement
        return db.delete_row(model);
    }
    // a row of the tenant's, or nothing is read of what references it
    let tenant = db.tenant_guard(t, &|i| model.value_at(i), "delete")?;
    if let Some(guard) = &tenant {
        let rows = Cond::All(vec![Cond::key(t.key_names().zip(model.key_values())), guard.clone()]);
        let (mut sql, mut params) = (String::new(), Vec::new());
        Exists { from: t.name, filter: rows }.render(db.dialect(), &mut sql, &mut params);
        if db.query_i64(&sql, &params)? == 0 {
            return Ok(false);
        }
    }
    db.as_one_unit(|db| {
        let mut visited = FxHashSet::default();
        let existed = match key {
            Some(key) => {
                // a versioned row goes only with the version it was read with: if it has another,
                // nothing is deleted (what went before is rolled back with the error)
                let guard = crate::orm::version::version_cond(t, model.counter());
                let guard = match (guard, tenant) {
                    (Some(a), Some(b)) => Some(Cond::All(vec![a, b])),
                    (a, b) => a.or(b),
                };
                let deleted = delete_rows_where(db, &catalog, t, vec![key], &mut visited, guard)? > 0;
                if let (false, Some(v)) = (deleted, model.counter()) {
                    return Err(crate::orm::version::stale(t, &model.key_values(), v, "delete"));
                }
                deleted
            }
            None => db.delete_row(model)?,
        };
        for (parent, key) in parents {
            delete_parent(db, &catalog, parent, key, &mut visited)?;
        }
        Ok(existed)
    })
}

/// The parents a row of `t` takes with it when deleted (a many-to-one `delete` /
/// `delete-orphan`): each one's table and the row's foreign key column.
fn cascading_parents(t: &'static Table) -> impl Iterator<Item = (&'static Table, &'static str)> {
    (t.relations)().iter().filter(|r| r.cascade.delete || r.cascade.delete_orphan).filter_map(|r| match r.join {
        Join::Forward { columns: [column] } => Some((r.target, *column)),
        _ => None,
    })
}

/// Deletes the row of `table` with this key, with what cascades from it.
fn delete_parent(
    db: &Db,
    catalog: &Catalog,
    table: &'static Table,
    key: KeyVal,
    visited: &mut FxHashSet<(&'static str, KeyVal)>,
) -> Result<usize> {
    if table.hooks {
        return Err(Error::InvalidQuery {
            table: table.name,
            message: format!(
                "a `delete` cascade along a `belongs_to` would delete a `{}` row, whose model has hooks, without handing it to its hooks; load the parent and `delete` it",
                table.name
            ),
        });
    }
    delete_rows(db, catalog, table, vec![key], visited)
}

/// Whether `model` has a `belongs_to` with a parent rule (`single_parent`, `delete-orphan`).
pub(crate) fn has_parent_rules<M: Model>(model: &M) -> bool {
    let mut any = false;
    let _ = model.visit_parents(&mut |_, _| {
        any = true;
        Ok(())
    });
    any
}

/// Refuses to point a `single_parent` relationship at a parent another row points at: on
/// insert always, on update when the foreign key changed.
pub(crate) fn check_single_parents<M: Model>(db: &Db, model: &M, new: bool) -> Result<()> {
    let key = || (!model.is_new()).then(|| model.key().to_values().into_iter().map(Value::into_owned).collect());
    check_single_parents_of(db, M::TABLE, new, &key, &mut |f| model.visit_parents(f))
}

/// A model's [`Model::visit_parents`], as shared code calls it.
type VisitParents<'a> = dyn FnMut(&mut dyn FnMut(&'static RelationDef, &dyn crate::orm::model::ParentLink) -> Result<()>) -> Result<()>
    + 'a;

/// [`check_single_parents`] for a row of `t`, its key (`None` while new) and its parents.
fn check_single_parents_of(
    db: &Db,
    t: &'static Table,
    new: bool,
    key: &dyn Fn() -> Option<Vec<Value<'static>>>,
    visit: &mut VisitParents<'_>,
) -> Result<()> {
    visit(&mut |rel, link| {
        // `single_parent` is refused on a composite foreign key by the derive
        let Join::Forward { columns: [column] } = rel.join else { return Ok(()) };
        let value = link.current();
        if !rel.single_parent || value == Value::Null || (!new && !link.changed()) {
            return Ok(());
        }
        let mut filter = vec![Cond::Eq(Col::bare(column), value.clone())];
        filter.extend(t.primary_key().zip(key().unwrap_or_default()).map(|(c, v)| Cond::Ne(Col::bare(c.name), v)));
        let (mut sql, mut params) = (String::new(), Vec::new());
        Exists { from: t.name, filter: Cond::All(filter) }.render(db.dialect(), &mut sql, &mut params);
        if db.query_i64(&sql, &params)? != 0 {
            return Err(Error::SingleParent { relationship: rel.path(), parent: value.to_string() });
        }
        Ok(())
    })
}

/// After `model` was written: deletes each parent it let go of under a many-to-one
/// `delete-orphan` (a row just inserted let go of nothing stored), then forgets what it let
/// go of.
pub(crate) fn delete_let_go<M: Model>(db: &Db, model: &M, inserted: bool) -> Result<()> {
    delete_let_go_of(db, inserted, &mut |f| model.visit_parents(f))
}

/// [`delete_let_go`] for a row's parents.
fn delete_let_go_of(db: &Db, inserted: bool, visit: &mut VisitParents<'_>) -> Result<()> {
    let mut orphans = Vec::new();
    visit(&mut |rel, link| {
        if rel.cascade.delete_orphan && !inserted {
            orphans.extend(link.let_go().as_ref().and_then(KeyVal::of).map(|k| (rel.target, k)));
        }
        Ok(())
    })?;
    if !orphans.is_empty() {
        let catalog = db.schema_cache(Catalog::read)?;
        let mut visited = FxHashSet::default();
        for (parent, key) in orphans {
            delete_parent(db, &catalog, parent, key, &mut visited)?;
        }
    }
    visit(&mut |_, link| {
        link.settle();
        Ok(())
    })
}

/// Deletes the rows of `table` whose primary key has these values, children before parents.
/// Returns how many rows of `table` were deleted.
fn delete_rows(
    db: &Db,
    catalog: &Catalog,
    table: &'static Table,
    keys: Vec<KeyVal>,
    visited: &mut FxHashSet<(&'static str, KeyVal)>,
) -> Result<usize> {
    delete_rows_where(db, catalog, table, keys, visited, None)
}

/// [`delete_rows`], deleting the rows of `table` only where `guard` (a versioned row's
/// version) also holds.
fn delete_rows_where(
    db: &Db,
    catalog: &Catalog,
    table: &'static Table,
    keys: Vec<KeyVal>,
    visited: &mut FxHashSet<(&'static str, KeyVal)>,
    guard: Option<Cond<'static>>,
) -> Result<usize> {
    let keys: Vec<KeyVal> = keys.into_iter().filter(|k| visited.insert((table.name, k.clone()))).collect();
    if keys.is_empty() {
        return Ok(0);
    }
    let refs = catalog.refs(table.name);
    let actions: Vec<(&Reference, Action)> = refs.iter().map(|r| (r, action(table, r))).collect();
    // rows of a model with hooks that no one holds: they cannot be handed to the hooks
    for (r, a) in &actions {
        if let Action::Delete(target) | Action::SetNull(Some(target)) = a {
            if target.hooks && run_on(db, r, table, &keys, Verb::Exists)? > 0 {
                let (verb, instead) = match a {
                    Action::Delete(_) => ("delete", "load them and `delete` each first"),
                    _ => ("set the foreign key of", "load them and point them elsewhere (`update` each) first"),
                };
                return Err(Error::InvalidQuery {
                    table: table.name,
                    message: format!(
                        "deleting from `{}` would {verb} the `{}` rows that reference it (`{}`), whose model has hooks, without handing them to its hooks; {instead}, or declare `passive_deletes` to leave them to the database's ON DELETE",
                        table.name,
                        r.table,
                        r.path()
                    ),
                });
            }
        }
    }
    // the rows that go with these: deepest first
    for (r, a) in &actions {
        match a {
            Action::Links => {
                run_on(db, r, table, &keys, Verb::Delete)?;
            }
            Action::Delete(target) if !catalog.refs(target.name).is_empty() => {
                let children = select_keys(db, r, table, target, &keys)?;
                delete_rows(db, catalog, target, children, visited)?;
            }
            // nothing references the children: delete them in one statement
            Action::Delete(_) => {
                run_on(db, r, table, &keys, Verb::Delete)?;
            }
            _ => {}
        }
    }
    // the references that stay: unhooked, or refused
    for (r, a) in &actions {
        match a {
            Action::SetNull(target) => {
                let version = target.and_then(|t| Some((t.name, t.version_column()?.name)));
                run_on(db, r, table, &keys, Verb::SetNull(version))?;
            }
            Action::Refuse(declared) if run_on(db, r, table, &keys, Verb::Exists)? > 0 => {
                return Err(Error::Referenced {
                    table: table.name,
                    by: r.path(),
                    relationship: declared.map(|d| d.path()),
                    restrict: r.on_delete == DbAction::Restrict,
                    owner_key: owner_key(*declared, r),
                });
            }
            _ => {}
        }
    }
    let key: Vec<Col<'_>> = table.key_names().map(|c| Col::of(table.name, c)).collect();
    let mut deleted = 0;
    for chunk in keys.chunks(chunk_size(db, key.len())) {
        let mut rows = Cond::In(key.clone(), chunk.iter().map(KeyVal::values).collect());
        if let Some(guard) = &guard {
            rows = Cond::All(vec![rows, guard.clone()]);
        }
        let rows = Rows::Where(rows);
        let (mut sql, mut params) = (String::new(), Vec::with_capacity(chunk.len() * key.len()));
        Delete { table: table.name, rows }.render(db.dialect(), &mut sql, &mut params);
        deleted += db.execute(&sql, &params, table.name)?;
    }
    Ok(deleted)
}

/// What [`run_on`] does to the referencing rows.
enum Verb {
    Delete,
    /// Sets the foreign key to `NULL`, and bumps this version counter (its table, its column).
    SetNull(Option<(&'static str, &'static str)>),
    /// Counts them (up to one per chunk).
    Exists,
}

/// `"table"."a"`, ... for each of `columns`.
fn qualified<'c>(table: &'c str, columns: &'c [String]) -> Vec<Col<'c>> {
    columns.iter().map(|c| Col::of(table, c)).collect()
}

/// How many keys of `width` columns one statement binds.
fn chunk_size(db: &Db, width: usize) -> usize {
    (db.max_variables() / width.max(1)).max(1)
}

/// Runs `verb` on the rows of `r.table` whose foreign key references the `keys` of `parent`,
/// chunked under the variable limit; returns the rows changed (or found).
fn run_on(db: &Db, r: &Reference, parent: &Table, keys: &[KeyVal], verb: Verb) -> Result<usize> {
    let d = db.dialect();
    let mut n = 0;
    for chunk in keys.chunks(chunk_size(db, parent.primary_key().count())) {
        let (mut sql, mut params) = (String::new(), Vec::with_capacity(chunk.len()));
        let filter = references(r, parent, chunk);
        n += match verb {
            Verb::Exists => {
                Exists { from: &r.table, filter }.render(d, &mut sql, &mut params);
                db.query_i64(&sql, &params)? as usize
            }
            Verb::Delete => {
                Delete { table: &r.table, rows: Rows::Where(filter) }.render(d, &mut sql, &mut params);
                db.execute(&sql, &params, &r.table)?
            }
            Verb::SetNull(version) => {
                let mut set: Vec<(&str, New<'_>)> = r.columns.iter().map(|c| (c.as_str(), New::Null)).collect();
                let bump = version.map(|(table, column)| (column, crate::orm::version::bumped(table, column)));
                if let Some((column, bump)) = &bump {
                    set.push((column, New::Scalar(bump)));
                }
                Update { table: &r.table, set, rows: Rows::Where(filter) }.render(d, &mut sql, &mut params);
                db.execute(&sql, &params, &r.table)?
            }
        };
    }
    Ok(n)
}

/// The rows of `r.table` whose foreign key references the `keys` of `parent`: `"fk" IN (?, ...)`
/// (for a composite key, `(a = ? AND b = ?) OR ...`), or through the referenced columns when
/// they are not the key: `("a", "b") IN (SELECT x, y FROM parent WHERE <key in keys>)`.
fn references<'a>(r: &'a Reference, parent: &'a Table, keys: &[KeyVal]) -> Cond<'a> {
    let refs = qualified(&r.table, &r.columns);
    let keys = keys.iter().map(KeyVal::values).collect();
    let to_key = r.to.iter().all(String::is_empty) || r.to.iter().map(String::as_str).eq(parent.key_names());
    if to_key {
        return Cond::In(refs, keys);
    }
    let key = parent.key_names().map(|c| Col::of(parent.name, c)).collect();
    let select =
        Select { columns: qualified(parent.name, &r.to), from: parent.name, filter: Some(Cond::In(key, keys)) };
    Cond::InSelect(refs, Box::new(select))
}

/// The keys of the rows of `r.table` (the table `child`) that reference the `keys` of `parent`.
fn select_keys(db: &Db, r: &Reference, parent: &Table, child: &Table, keys: &[KeyVal]) -> Result<Vec<KeyVal>> {
    let child_key: Vec<Col<'_>> = child.key_names().map(|c| Col::of(&r.table, c)).collect();
    let mut out = Vec::new();
    for chunk in keys.chunks(chunk_size(db, parent.primary_key().count())) {
        let select = Select { columns: child_key.clone(), from: &r.table, filter: Some(references(r, parent, chunk)) };
        let (mut sql, mut params) = (String::new(), Vec::with_capacity(chunk.len()));
        select.render(db.dialect(), &mut sql, &mut params);
        db.query_map_into(&sql, &params, |row| {
            out.extend(KeyVal::read_parts(row, 0, child_key.len())?);
            Ok(())
        })?;
    }
    Ok(out)
}

/// A row leaves a one-to-many relationship (removed from the collection, or replaced as a
/// `has_one`): deleted under `delete-orphan`, unhooked when its foreign key is nullable,
/// refused otherwise.
pub(crate) fn orphan(db: &Db, rel: &'static RelationDef, child: &dyn Stored) -> Result<()> {
    let (Join::Reverse { columns } | Join::Forward { columns }) = rel.join else {
        unreachable!("only one-to-many relationships orphan rows")
    };
    if rel.cascade.delete_orphan {
        delete_model(db, child)?;
        return Ok(());
    }
    let t = child.table();
    for column in columns {
        let owner_key = t.owner_key(column);
        if owner_key || !t.column(column).is_some_and(|c| c.nullable) {
            return Err(Error::Orphan { relationship: rel.path(), column: format!("{}.{column}", t.name), owner_key });
        }
    }
    hooks::refuse_set_based_on(
        t,
        child.hooked(),
        &format!("taking a row out of `{}` sets its foreign key", rel.path()),
        "set its foreign key and `update` it, or declare the relationship's cascade `delete-orphan`",
    )?;
    db.set_null(child, columns)
}

/// Whether saving `model` also saves rows of its relationship fields.
pub(crate) fn has_pending<M: Model>(model: &mut M, owner_is_new: bool) -> bool {
    let mut any = false;
    let _ = model.visit_pending(&mut |_, field| {
        any |= field.has_pending(owner_is_new);
        Ok(())
    });
    any
}

/// `model` was just inserted under a key the database assigned: its relationship fields
/// without rows are known to be empty (see [`Pending::born`](crate::orm::model::Pending::born)).
pub(crate) fn born<M: Model>(model: &mut M) {
    let _ = model.visit_pending(&mut |_, field| {
        field.born();
        Ok(())
    });
}

/// Saves the pending rows of `model`'s relationship fields (after `model` itself).
pub(crate) fn save_pending<M: Model>(db: &Db, model: &mut M, owner_is_new: bool) -> Result<()> {
    let owner: Vec<Value<'static>> = model.key().to_values().into_iter().map(Value::into_owned).collect();
    save_pending_of(db, M::TABLE, &owner, owner_is_new, &mut |f| model.visit_pending(f))
}

/// A model's [`Model::visit_pending`], as shared code calls it.
type VisitPending<'a> = dyn FnMut(&mut dyn FnMut(&'static RelationDef, &mut dyn crate::orm::model::Pending) -> Result<()>) -> Result<()>
    + 'a;

/// [`save_pending`] for an owner of `t` with this key, and its pending fields.
fn save_pending_of(
    db: &Db,
    t: &'static Table,
    owner: &[Value<'static>],
    owner_is_new: bool,
    visit: &mut VisitPending<'_>,
) -> Result<()> {
    if owner.is_empty() || owner.contains(&Value::Null) {
        return Err(Error::Unsaved { table: t.name, action: "save the relationships of" });
    }
    visit(&mut |rel, field| {
        if !field.has_pending(owner_is_new) {
            return Ok(());
        }
        if !rel.cascade.save_update {
            return Err(Error::NotCascaded { relationship: rel.path() });
        }
        field.save_pending(db, rel, owner, owner_is_new)
    })
}

/// Saves one child row of a one-to-many relationship: its foreign key set to the owner, then
/// inserted when new (or keyed by that foreign key under a new owner), updated otherwise.
pub(crate) fn save_child<T: Model>(
    db: &Db,
    rel: &'static RelationDef,
    child: &mut T,
    owner: &[Value<'static>],
    owner_is_new: bool,
) -> Result<()> {
    let (Join::Reverse { columns } | Join::Forward { columns }) = rel.join else {
        unreachable!("only one-to-many relationships have children")
    };
    crate::orm::model::set_link(child, columns, owner)?;
    let keyed_by_owner = columns.iter().any(|c| T::TABLE.column(c).is_some_and(|c| c.primary_key));
    if child.is_new() || (owner_is_new && keyed_by_owner) {
        db.insert(child)
    } else {
        child.save(db)
    }
}

/// Deletes the rows a query matches, with what [`delete_model`] deletes for each: one
/// `DELETE` when nothing references the table and no `belongs_to` cascades to a parent;
/// otherwise, in one transaction, the matched keys (and the parents going with them), then
/// [`delete_rows`] over all of them at once.
pub(crate) fn delete_matching(db: &Db, core: &crate::sql::expr::Core) -> Result<u64> {
    let t = core.table;
    if t.soft_delete.is_some() {
        return crate::orm::soft_delete::delete_matching(db, core);
    }
    let d = db.dialect();
    let catalog = db.schema_cache(Catalog::read)?;
    let parents: Vec<(&'static Table, &'static str)> = cascading_parents(t).collect();
    if catalog.refs(t.name).is_empty() && parents.is_empty() {
        let (mut sql, mut params) = (String::new(), Vec::new());
        Delete { table: t.name, rows: Rows::Matching(core) }.render(d, &mut sql, &mut params);
        return Ok(db.execute(&sql, &params, t.name)? as u64);
    }
    db.as_one_unit(|db| {
        let select = core.selecting(t.key_names().chain(parents.iter().map(|(_, c)| *c)));
        let (mut sql, mut params) = (String::new(), Vec::new());
        select.render_select(d, &mut sql, &mut params, &mut Vec::new());
        let width = t.primary_key().count();
        let (mut keys, mut parent_keys) = (Vec::new(), Vec::new());
        db.query_map_into(&sql, &params, |row| {
            keys.extend(KeyVal::read_parts(row, 0, width)?);
            for (i, (parent, _)) in parents.iter().enumerate() {
                if let Some(k) = KeyVal::read(row, width + i)? {
                    parent_keys.push((*parent, k));
                }
            }
            Ok(())
        })?;
        let mut visited = FxHashSet::default();
        let deleted = delete_rows(db, &catalog, t, keys, &mut visited)?;
        for (parent, key) in parent_keys {
            delete_parent(db, &catalog, parent, key, &mut visited)?;
        }
        Ok(deleted as u64)
    })
}
