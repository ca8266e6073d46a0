//! Self-referential trees (`#[self_ref]`): one cycle-safe `WITH RECURSIVE` statement each.

use crate::orm::db::Db;
use crate::orm::fetch::fetch;
use crate::orm::model::Model;
use crate::schema::error::Result;
use crate::schema::value::Value;
use crate::sql::loading;

fn key_and_fk<M: Model>(m: &M, fk_index: usize) -> (Value<'static>, Value<'static>) {
    let values = m.values();
    let key = values[M::TABLE.key_index()].clone().into_owned();
    (key, values[fk_index].clone().into_owned())
}

/// The rows below `start` (a key), or above it (`up`: `start` is a parent key), in key order.
fn recursive<M: Model>(db: &Db, fk: &'static str, up: bool, start: Value<'static>) -> Result<Vec<M>> {
    let t = M::TABLE;
    let d = db.dialect();
    let rule = db.rule_for(t);
    let tree = if up {
        loading::ancestors(d, t, fk, start, rule.as_ref())
    } else {
        loading::descendants(d, t, fk, vec![start], rule.as_ref())
    };
    let select = loading::tree_select(d, t, fk, tree, false, rule.as_ref());
    Ok(fetch(db, select.into(), &[], &mut Vec::new(), None, 0)?.0)
}

/// The rows the recursive query returned, each with its key and parent link decoded once.
struct Linked<M> {
    key: Value<'static>,
    parent: Value<'static>,
    row: Option<M>,
}

fn linked<M: Model>(rows: Vec<M>, fk_index: usize) -> Vec<Linked<M>> {
    rows.into_iter()
        .map(|row| {
            let (key, parent) = key_and_fk(&row, fk_index);
            Linked { key, parent, row: Some(row) }
        })
        .collect()
}

/// The chain of parents of `row` through the foreign key column `fk`, nearest first.
pub fn ancestors<M: Model>(db: &Db, row: &M, fk: &'static str) -> Result<Vec<M>> {
    let fk_index = M::TABLE.column_index(fk);
    let (_, start) = key_and_fk(row, fk_index);
    if start == Value::Null {
        return Ok(Vec::new());
    }
    let mut rows = linked(recursive::<M>(db, fk, true, start.clone())?, fk_index);
    let mut chain = Vec::with_capacity(rows.len());
    let mut next = start;
    // each row is taken once, so a cycle in the data ends the walk
    while let Some(found) = rows.iter_mut().find(|r| r.row.is_some() && r.key == next) {
        next = found.parent.clone();
        chain.extend(found.row.take());
    }
    Ok(chain)
}

/// Every row below `row` through the foreign key column `fk`, level by level, each level in
/// key order.
pub fn descendants<M: Model>(db: &Db, row: &M, fk: &'static str) -> Result<Vec<M>> {
    let fk_index = M::TABLE.column_index(fk);
    if row.is_new() {
        return Ok(Vec::new());
    }
    let (root, _) = key_and_fk(row, fk_index);
    let mut rows = linked(recursive::<M>(db, fk, false, root.clone())?, fk_index);
    let mut out = Vec::with_capacity(rows.len());
    let mut level = vec![root];
    while !level.is_empty() {
        let mut next_level = Vec::new();
        for r in rows.iter_mut().filter(|r| r.row.is_some() && level.contains(&r.parent)) {
            next_level.push(r.key.clone());
            out.extend(r.row.take());
        }
        level = next_level;
    }
    Ok(out)
}
