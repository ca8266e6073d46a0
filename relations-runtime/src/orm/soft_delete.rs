//! Soft deletion (`#[model(soft_delete = deleted_at)]`): `delete` stamps the column with the
//! time of the delete instead of removing the row, and every read leaves stamped rows out (the
//! rule `deleted_at IS NULL`, which [`Db::without_rules`] lifts). The stamp follows the
//! `delete` cascades of one-to-many and one-to-one relationships to children that are soft
//! deleted too, level by level in the same transaction; nothing is removed, so no other
//! cascade runs and no foreign key is unhooked (the parent row is still there).
//! `Db::purge` deletes a row for real.

use crate::orm::db::Db;
use crate::orm::keys::KeyVal;
use crate::orm::stored::Stored;
use crate::schema::error::{Error, Result};
use crate::schema::value::{SqlValue, Value};
use crate::schema::{Join, SqlType, Table};
use crate::sql::expr::{Core, Scalar};
use crate::sql::write::{Col, Cond, New, Rows, Select, Update};

/// The stamp of a delete now, for `table`'s soft delete column: the time (UTC, to the
/// microsecond), or the day for a `DATE` column.
fn stamp(table: &'static Table) -> Result<(&'static str, Value<'static>)> {
    let Some(i) = table.soft_delete else {
        return Err(Error::Unexpected(format!("`{}` has no soft delete column", table.name)));
    };
    let column = &table.columns[i];
    let value = match column.sql_type {
        SqlType::Date => crate::schema::value::today().to_value().into_owned(),
        _ => crate::schema::value::now().to_value().into_owned(),
    };
    Ok((column.name, value))
}

/// `"table"."column" IS NULL` of the soft delete column: the row is live.
fn live(table: &'static Table, column: &'static str) -> Cond<'static> {
    Cond::Null(Col::of(table.name, column))
}

/// What a soft delete of rows of `table` sets: the stamp, and the next version.
fn sets<'a>(
    table: &'static Table,
    column: &'static str,
    stamp: &Value<'static>,
    bump: Option<&'a Scalar>,
) -> Vec<(&'static str, New<'a>)> {
    let mut set = vec![(column, New::Value(stamp.clone()))];
    if let Some((v, bump)) = table.version_column().zip(bump) {
        set.push((v.name, New::Scalar(bump)));
    }
    set
}

/// The next version of every row a statement on `table` changes, when it has a counter.
fn bump(table: &'static Table) -> Option<Scalar> {
    table.version_column().map(|v| crate::orm::version::bumped(table.name, v.name))
}

/// Soft-deletes `model`, a row of a model with a soft delete column: whether it was live.
pub(crate) fn delete_one(db: &Db, model: &dyn Stored) -> Result<bool> {
    let t = model.table();
    let (column, stamp) = stamp(t)?;
    let key = model.key_values();
    let mut rows = vec![Cond::key(t.key_names().zip(key.iter().cloned())), live(t, column)];
    rows.extend(crate::orm::version::version_cond(t, model.counter()));
    rows.extend(db.tenant_guard(t, &|i| model.value_at(i), "delete")?);
    let bump = bump(t);
    let delete = |db: &Db| {
        let update =
            Update { table: t.name, set: sets(t, column, &stamp, bump.as_ref()), rows: Rows::Where(Cond::All(rows)) };
        let (mut sql, mut params) = (String::new(), Vec::new());
        update.render(db.dialect(), &mut sql, &mut params);
        let stamped = db.execute(&sql, &params, t.name)? > 0;
        if let Some(v) = model.counter() {
            if !stamped {
                return Err(crate::orm::version::stale(t, &key, v, "delete"));
            }
            v.set(v.get() + 1);
        }
        if stamped {
            cascade(db, t, KeyVal::of_parts(&key).into_iter().collect(), &stamp)?;
        }
        Ok(stamped)
    };
    // one statement, unless the stamp goes on to children
    match soft_children(t).next() {
        Some(_) => db.as_one_unit(delete),
        None => delete(db),
    }
}

/// The relationships a soft delete of a row of `table` stamps the rows of: one-to-many and
/// one-to-one with a `delete` cascade, to a model with a soft delete column.
fn soft_children(table: &'static Table) -> impl Iterator<Item = &'static crate::schema::RelationDef> {
    (table.relations)().iter().copied().filter(|r| {
        matches!(r.join, Join::Reverse { .. })
            && (r.cascade.delete || r.cascade.delete_orphan)
            && r.target.soft_delete.is_some()
    })
}

/// Soft-deletes the live rows `core` matches (a bulk delete), with their soft children: how
/// many it stamped.
pub(crate) fn delete_matching(db: &Db, core: &Core) -> Result<u64> {
    let t = core.table;
    let (column, stamp) = stamp(t)?;
    let bump = bump(t);
    db.as_one_unit(|db| {
        // the keys first, then the rows by key: what the children's level starts from
        let select = core.selecting(t.key_names());
        let (mut sql, mut params) = (String::new(), Vec::new());
        select.render_select(db.dialect(), &mut sql, &mut params, &mut Vec::new());
        let width = t.primary_key().count();
        let mut keys = Vec::new();
        db.query_map_into(&sql, &params, |row| {
            keys.extend(KeyVal::read_parts(row, 0, width)?);
            Ok(())
        })?;
        let stamped = stamp_rows(db, t, column, &stamp, bump.as_ref(), &keys)?;
        cascade(db, t, keys, &stamp)?;
        Ok(stamped as u64)
    })
}

/// Stamps the live rows of `table` with these keys (a chunk at a time): how many.
fn stamp_rows(
    db: &Db,
    t: &'static Table,
    column: &'static str,
    stamp: &Value<'static>,
    bump: Option<&Scalar>,
    keys: &[KeyVal],
) -> Result<usize> {
    let mut stamped = 0;
    let chunk = (db.max_variables().saturating_sub(8) / t.primary_key().count().max(1)).max(1);
    for keys in keys.chunks(chunk) {
        let cols = t.key_names().map(Col::bare).collect();
        let rows = Cond::All(vec![Cond::In(cols, keys.iter().map(KeyVal::values).collect()), live(t, column)]);
        let update = Update { table: t.name, set: sets(t, column, stamp, bump), rows: Rows::Where(rows) };
        let (mut sql, mut params) = (String::new(), Vec::new());
        update.render(db.dialect(), &mut sql, &mut params);
        stamped += db.execute(&sql, &params, t.name)?;
    }
    Ok(stamped)
}

/// Follows the `delete` cascades of `table`'s one-to-many and one-to-one relationships from
/// the rows with `keys`, to children with a soft delete column: each level's live rows
/// stamped with `stamp`, then the next level from them.
fn cascade(db: &Db, table: &'static Table, keys: Vec<KeyVal>, stamp: &Value<'static>) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    for r in soft_children(table) {
        let (Join::Reverse { columns: fk }, child) = (r.join, r.target) else { continue };
        let Some(soft) = child.soft_delete else { continue };
        if child.hooks {
            return Err(Error::InvalidQuery {
                table: child.name,
                message: format!(
                    "a soft delete cascading along `{}` would stamp `{}` rows, whose model has hooks, without handing them to its hooks; load them and `delete` each",
                    r.path(),
                    child.name
                ),
            });
        }
        let column = child.columns[soft].name;
        let bump = bump(child);
        let mut below = Vec::new();
        let chunk = (db.max_variables().saturating_sub(8) / fk.len().max(1)).max(1);
        for parents in keys.chunks(chunk) {
            let rows = Cond::All(vec![
                Cond::In(
                    fk.iter().map(|c| Col::of(child.name, c)).collect(),
                    parents.iter().map(KeyVal::values).collect(),
                ),
                live(child, column),
            ]);
            // the children's keys, for the level below
            let select = Select {
                columns: child.key_names().map(|c| Col::of(child.name, c)).collect(),
                from: child.name,
                filter: Some(rows),
            };
            let (mut sql, mut params) = (String::new(), Vec::new());
            select.render(db.dialect(), &mut sql, &mut params);
            let width = child.primary_key().count();
            db.query_map_into(&sql, &params, |row| {
                below.extend(KeyVal::read_parts(row, 0, width)?);
                Ok(())
            })?;
        }
        stamp_rows(db, child, column, stamp, bump.as_ref(), &below)?;
        cascade(db, child, below, stamp)?;
    }
    Ok(())
}
