//! `save-update` of the fields that hold rows to save ([`HasMany`], [`ManyToMany`],
//! [`HasOne`]): what saving the owner does with them, through the relationship's handle.

use std::marker::PhantomData;

use crate::orm::db::Db;
use crate::orm::model::{Key, Model};
use crate::schema::error::Result;
use crate::schema::value::Value;
use crate::schema::RelationDef;

use super::collection::{HasMany, ManyToMany};
use super::handles::{HasOneRef, ManyToManyKind, NoCache, Related};
use super::has_one::HasOne;

impl<T: Model> crate::orm::model::Pending for HasMany<T> {
    fn born(&mut self) {
        self.rows.born();
    }

    fn has_pending(&self, owner_is_new: bool) -> bool {
        self.rows.has_pending(owner_is_new)
    }

    fn save_pending(&mut self, db: &Db, rel: &'static RelationDef, owner: &[Value<'static>], new: bool) -> Result<()> {
        let handle: Related<'_, T> =
            Related { db, rel, owner: Some(owner.to_vec()), cache: NoCache, _marker: PhantomData };
        self.rows.save_with(
            new,
            |rows| {
                // assigned: the stored rows left out of the new collection are orphans
                left_out(rows, handle.all()?).try_for_each(|old| crate::orm::cascade::orphan(db, rel, &old))
            },
            |row| crate::orm::cascade::save_child(db, rel, row, owner, new),
        )
    }
}

impl<T: Model> crate::orm::model::Pending for ManyToMany<T> {
    fn born(&mut self) {
        self.rows.born();
    }

    fn has_pending(&self, owner_is_new: bool) -> bool {
        self.rows.has_pending(owner_is_new)
    }

    fn save_pending(&mut self, db: &Db, rel: &'static RelationDef, owner: &[Value<'static>], new: bool) -> Result<()> {
        let handle: Related<'_, T, ManyToManyKind> =
            Related { db, rel, owner: Some(owner.to_vec()), cache: NoCache, _marker: PhantomData };
        self.rows.save_with(
            new,
            |rows| {
                // assigned: the links to targets left out of the new collection go
                left_out(rows, handle.all()?).try_for_each(|old| handle.remove(&old).map(drop))
            },
            |row| {
                let fresh = row.is_new();
                if fresh {
                    db.insert(row)?;
                }
                if new || fresh || !handle.contains(row)? {
                    handle.add(row)?;
                }
                Ok(())
            },
        )
    }
}

/// The rows of `stored` whose key is not among `rows`' (an assigned collection).
fn left_out<T: Model>(rows: &[T], stored: Vec<T>) -> impl Iterator<Item = T> {
    let keep: Vec<Vec<Value<'static>>> = rows
        .iter()
        .filter(|r| !r.is_new())
        .map(|r| r.key().to_values().into_iter().map(Value::into_owned).collect())
        .collect();
    stored.into_iter().filter(move |old| !keep.iter().any(|k| *k == old.key().to_values()))
}

impl<T: Model> crate::orm::model::Pending for HasOne<T> {
    fn born(&mut self) {
        self.born_empty = self.cache.cell.get().is_none();
    }

    fn has_pending(&self, owner_is_new: bool) -> bool {
        self.cache.cell.get().is_some_and(|r| r.as_ref().is_some_and(|r| owner_is_new || self.assigned || r.is_new()))
    }

    fn save_pending(&mut self, db: &Db, rel: &'static RelationDef, owner: &[Value<'static>], new: bool) -> Result<()> {
        let assigned = std::mem::take(&mut self.assigned);
        if let Some(Some(row)) = self.cache.cell.get_mut() {
            if assigned && !new {
                // replaces the owner's row: the old one leaves first
                let handle = HasOneRef { db, rel, owner: Some(owner.to_vec()), field: &HasOne::default() };
                handle.orphan_others(db, row.as_ref())?;
            }
            if new || assigned || row.is_new() {
                crate::orm::cascade::save_child(db, rel, row.as_mut(), owner, new)?;
            }
        }
        Ok(())
    }
}
