//! Upsert: insert a row, or update the row already there on a conflict of its key or of a
//! unique column set (`INSERT ... ON CONFLICT (...) DO UPDATE`), or leave it
//! (`ON CONFLICT DO NOTHING`), spelled so on SQLite and PostgreSQL and as `ON DUPLICATE KEY
//! UPDATE` on MariaDB (where a conflict on any unique key counts, whichever the target names).

use crate::orm::db::Db;
use crate::orm::model::Model;
use crate::orm::query::Col;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::Table;
use crate::sql::write::{Conflict, Insert};

/// The columns an upsert detects a conflict on: a column handle, or a tuple of them (up to
/// four). They must be the table's key or one of its unique column sets.
pub trait ConflictTarget<M> {
    /// The columns' names.
    fn columns(self) -> Vec<&'static str>;
}

impl<M, T> ConflictTarget<M> for Col<M, T> {
    fn columns(self) -> Vec<&'static str> {
        vec![self.name()]
    }
}

macro_rules! targets {
    ($($t:ident . $i:tt),+) => {
        impl<M, $($t),+> ConflictTarget<M> for ($(Col<M, $t>,)+) {
            fn columns(self) -> Vec<&'static str> {
                vec![$(self.$i.name()),+]
            }
        }
    };
}
targets!(A.0, B.1);
targets!(A.0, B.1, C.2);
targets!(A.0, B.1, C.2, D.3);

/// What an upsert does on a conflict.
enum OnConflict {
    /// Updates the row there, from the new row's values, on a conflict of these columns.
    Update(Vec<&'static str>),
    /// Leaves the row there, on a conflict of any key or unique constraint.
    Ignore,
}

impl Db {
    /// Inserts `model`, or — when a row with its key exists — updates that row's other columns
    /// to `model`'s values: one statement. A model with an auto key that is not assigned yet
    /// is simply inserted (no row can have its key); the key is stored back. Only the row is
    /// written: rows in its relationship fields are not saved.
    pub fn upsert<M: Model>(&self, model: &mut M) -> Result<()> {
        let target = M::TABLE.key_names().collect();
        self.upsert_rows(std::slice::from_mut(model), OnConflict::Update(target)).map(drop)
    }

    /// Inserts `model`, or updates the row whose `target` columns (a unique column set, as
    /// `User::username` or `(Item::shop_id, Item::sku)`) hold the same values: one statement.
    /// The key of the row written, inserted or updated, is stored back in an auto key.
    /// [`Error::NoUniqueConstraint`] when `target` is not the key or a declared unique set.
    pub fn upsert_on<M: Model>(&self, model: &mut M, target: impl ConflictTarget<M>) -> Result<()> {
        let target = unique_target(M::TABLE, target.columns())?;
        self.upsert_rows(std::slice::from_mut(model), OnConflict::Update(target)).map(drop)
    }

    /// Inserts `model` unless a row conflicts with it on its key or any unique column set
    /// (`ON CONFLICT DO NOTHING`); returns whether it was inserted. A model left out keeps
    /// its unassigned auto key.
    pub fn insert_or_ignore<M: Model>(&self, model: &mut M) -> Result<bool> {
        Ok(self.upsert_rows(std::slice::from_mut(model), OnConflict::Ignore)? == 1)
    }

    /// [`upsert`](Self::upsert) for each model, in one transaction; one prepared statement
    /// run once per row.
    pub fn upsert_all<M: Model>(&self, models: &mut [M]) -> Result<()> {
        let target = M::TABLE.key_names().collect();
        self.upsert_rows(models, OnConflict::Update(target)).map(drop)
    }

    /// [`upsert_on`](Self::upsert_on) for each model, in one transaction.
    pub fn upsert_all_on<M: Model>(&self, models: &mut [M], target: impl ConflictTarget<M>) -> Result<()> {
        let target = unique_target(M::TABLE, target.columns())?;
        self.upsert_rows(models, OnConflict::Update(target)).map(drop)
    }

    /// [`insert_or_ignore`](Self::insert_or_ignore) for each model, in one transaction;
    /// returns how many were inserted.
    pub fn insert_all_or_ignore<M: Model>(&self, models: &mut [M]) -> Result<u64> {
        self.upsert_rows(models, OnConflict::Ignore)
    }

    /// Runs the upsert of each row (in a transaction when there are several); returns the
    /// number of rows inserted or updated.
    fn upsert_rows<M: Model>(&self, models: &mut [M], on: OnConflict) -> Result<u64> {
        crate::orm::hooks::refuse_set_based::<M>("an upsert", "`add` the new rows and `save` the loaded ones")?;
        if let (Some(column), OnConflict::Update(_)) = (M::TABLE.version_column(), &on) {
            return Err(Error::InvalidQuery {
                table: M::TABLE.name,
                message: format!(
                    "`{}` counts its rows' versions (`{}`), and an upsert would overwrite a row whatever its version; \
                     `get` the row and `save` it (or `insert_or_ignore` a new one)",
                    M::TABLE.name,
                    column.name
                ),
            });
        }
        if let (Some(_), Some(_), OnConflict::Update(_)) = (M::TABLE.tenant, self.tenant(), &on) {
            return Err(Error::InvalidQuery {
                table: M::TABLE.name,
                message: format!(
                    "`{}` is kept by tenant, and an upsert's conflict could be with another tenant's row, which it would overwrite; `get` the row and `save` it (or `insert_or_ignore` a new one)",
                    M::TABLE.name
                ),
            });
        }
        models.iter_mut().try_for_each(|m| self.claim_for_tenant(m))?;
        if models.len() > 1 {
            return self.as_one_unit(|db| db.upsert_each(models, &on));
        }
        self.upsert_each(models, &on)
    }

    fn upsert_each<M: Model>(&self, models: &mut [M], on: &OnConflict) -> Result<u64> {
        let t = M::TABLE;
        let mut written = 0;
        // the statement for rows with and without an assigned key, each built once
        let mut statements: [Option<String>; 2] = [None, None];
        for model in models.iter_mut() {
            let skip_key = t.auto_key && model.is_new();
            // the new key comes back with `RETURNING`, or where a conflict would return the
            // stored row there, from the connection after a count of one
            let by_count =
                skip_key && matches!(on, OnConflict::Ignore) && self.dialect().ignored_conflicts_return_rows();
            let returning = skip_key && !by_count;
            let sql =
                statements[usize::from(skip_key)].get_or_insert_with(|| upsert_sql(self, t, skip_key, returning, on));
            let sql = sql.as_str();
            crate::orm::crud::all_loaded(model)?;
            // a versioned row is inserted as version 1, or left out as it was
            let version = model.version().map(|v| (v.get(), v.set(1)).0);
            let mut params: Vec<Value<'_>> = model.values();
            if let Err(e) = crate::schema::fit::check_row(t, &params) {
                restore_version(model, version);
                return Err(e);
            }
            if skip_key {
                let mut columns = t.columns.iter();
                params.retain(|_| columns.next().is_some_and(|c| !c.primary_key));
            }
            let result = if by_count {
                self.execute(sql, &params, t.name).and_then(|n| match n {
                    0 => Ok(None),
                    _ => self.backend().last_insert_id().map(Some).ok_or_else(|| {
                        Error::Unexpected(format!("the database reported no key for the new `{}` row", t.name))
                    }),
                })
            } else if skip_key {
                let mut key = None;
                self.query_map_into(sql, &params, |row| {
                    key = Some(row.int(0)?);
                    Ok(())
                })
                .map(|()| key)
                .map_err(|e| self.backend().writing(e, t.name))
            } else {
                self.execute(sql, &params, t.name).map(|n| (n > 0).then_some(0))
            };
            drop(params);
            match result {
                Ok(Some(key)) => {
                    if skip_key {
                        model.set_auto_key(key);
                    }
                    crate::orm::model::remember(model);
                    written += 1;
                }
                Ok(None) => restore_version(model, version),
                Err(e) => {
                    let e = self.explain(t, &model.values(), e);
                    restore_version(model, version);
                    return Err(e);
                }
            }
        }
        Ok(written)
    }
}

/// Gives a versioned row left out the version it had before.
fn restore_version<M: Model>(model: &M, version: Option<i64>) {
    if let (Some(v), Some(old)) = (model.version(), version) {
        v.set(old);
    }
}

/// The `target` columns, when they are `t`'s key or one of its unique column sets.
fn unique_target(t: &'static Table, target: Vec<&'static str>) -> Result<Vec<&'static str>> {
    let same = |cs: &mut dyn Iterator<Item = &str>| {
        let cs: Vec<&str> = cs.collect();
        cs.len() == target.len() && cs.iter().all(|c| target.contains(c))
    };
    let unique = same(&mut t.key_names())
        || (target.len() == 1 && t.column(target[0]).is_some_and(|c| c.unique))
        || t.constraints.iter().any(
            |c| matches!(c, crate::schema::Constraint::Unique { columns, .. } if same(&mut columns.iter().copied())),
        )
        || t.indexes.iter().any(|i| i.unique && same(&mut i.columns.iter().copied()));
    if unique {
        Ok(target)
    } else {
        Err(Error::NoUniqueConstraint { table: t.name, columns: target })
    }
}

/// `INSERT INTO t (...) VALUES (...) ON CONFLICT ...`, with `RETURNING` the key when the
/// database assigns it.
fn upsert_sql(db: &Db, t: &Table, skip_key: bool, returning: bool, on: &OnConflict) -> String {
    let key = t.key_names().next().unwrap_or(t.columns[0].name);
    let conflict = match on {
        OnConflict::Ignore => Conflict::Ignore { key },
        OnConflict::Update(target) => {
            let mut set: Vec<&str> =
                t.columns.iter().filter(|c| !c.primary_key && !target.contains(&c.name)).map(|c| c.name).collect();
            if set.is_empty() {
                // nothing else to write: a write of the same value, so that the row comes back
                set.push(target[0]);
            }
            Conflict::Update { target, set, key }
        }
    };
    Insert {
        table: t.name,
        columns: t.columns.iter().filter(|c| !(skip_key && c.primary_key)).map(|c| c.name).collect(),
        rows: 1,
        conflict: Some(conflict),
        returning: t.single_key().filter(|_| returning).map(|c| c.name),
    }
    .render(db.dialect())
}
