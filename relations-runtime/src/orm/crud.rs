//! The CRUD of one row, as methods of [`Db`]: insert (with the rows its relationship fields
//! hold, `save-update`), update, delete by key, and the statements they are made of.

use crate::orm::db::Db;
use crate::orm::hooks::{self, Event};
use crate::orm::model::{Key, Model};
use crate::orm::stored::Stored;
use crate::orm::version::Version;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::Table;
use crate::sql::key_text;
use crate::sql::write::{Col, Cond, Delete, Exists, Insert, KeyRoom, New, Rows, Update};

impl Db {
    /// Inserts `model` and returns it with its key assigned (`db.session.add(x)` + commit): an
    /// auto key that is `0` is assigned by the database. The rows put in its relationship
    /// fields are inserted (or linked) after it, in the same transaction (`save-update`).
    ///
    /// This is the one door for a new row. To insert a row you keep in place, `row.save(&db)`
    /// inserts it when it is new; [`insert_all`](Self::insert_all) does so for a slice.
    pub fn add<M: Model>(&self, mut model: M) -> Result<M> {
        self.insert(&mut model)?;
        Ok(model)
    }

    /// Inserts every model in one transaction and returns them with their keys assigned, many
    /// rows per statement ([`insert_all`](Self::insert_all)).
    pub fn add_all<M: Model>(&self, models: impl IntoIterator<Item = M>) -> Result<Vec<M>> {
        let mut models: Vec<M> = models.into_iter().collect();
        self.insert_all(&mut models)?;
        Ok(models)
    }

    /// Inserts every model in one transaction, many rows per statement
    /// (`INSERT ... VALUES (...), (...) RETURNING key`, up to [`INSERT_BATCH`] rows or the
    /// backend's bind limit), and assigns each its key. The keys the database assigns come in
    /// the order of the rows (each row's key above the one before: a SQLite rowid, a PostgreSQL
    /// sequence); a batch whose keys break that is refused, and nothing of it kept. When a
    /// model holds related rows to save, or has a parent rule, every row goes one by one, as
    /// [`Model::save`] does it.
    pub fn insert_all<M: Model>(&self, models: &mut [M]) -> Result<()> {
        models.iter_mut().try_for_each(|m| self.claim_for_tenant(m))?;
        let new: Vec<bool> = models.iter().map(|m| M::TABLE.auto_key && m.is_new()).collect();
        let versions: Vec<i64> = models.iter().map(|m| m.version().map_or(0, Version::get)).collect();
        models.iter().for_each(stamp_inserted);
        let result = self.insert_all_once(models);
        if result.is_err() {
            // nothing was kept: the rows are new again, with the versions they had
            models.iter_mut().zip(new).filter(|(_, new)| *new).for_each(|(m, _)| m.set_auto_key(0));
            models.iter().zip(versions).for_each(|(m, v)| m.version().into_iter().for_each(|version| version.set(v)));
        }
        result
    }

    fn insert_all_once<M: Model>(&self, models: &mut [M]) -> Result<()> {
        self.as_one_unit(|db| {
            // rows with hooks, parent rules or rows of their own to save: one by one
            let one_by_one = M::HOOKS
                || models
                    .iter_mut()
                    .any(|m| crate::orm::cascade::has_parent_rules(m) || crate::orm::cascade::has_pending(m, true));
            if one_by_one || models.len() < 2 {
                return models.iter_mut().try_for_each(|m| db.insert(m));
            }
            // runs of rows of one shape: with the key, or leaving it to the database
            let skips = |m: &M| M::TABLE.auto_key && m.is_new();
            let mut rest = models;
            while let Some(first) = rest.first() {
                let skip_key = skips(first);
                let run = rest.iter().position(|m| skips(m) != skip_key).unwrap_or(rest.len());
                let (now, later) = rest.split_at_mut(run);
                db.insert_batch(now, skip_key)?;
                rest = later;
            }
            Ok(())
        })
    }

    /// Inserts `models`, all of one shape, in statements of up to [`INSERT_BATCH`] rows.
    ///
    /// The keys the database assigns: PostgreSQL returns them (`RETURNING`, in sequence
    /// order). SQLite gives each row the largest rowid plus one — unless that one is taken
    /// (then it picks one at random), which one statement before the rows rules out; the rows of
    /// one statement then have consecutive keys ending at the last insert rowid, or, when a
    /// trigger on the table may write it too, rising keys that `RETURNING` gives (which costs
    /// SQLite a temporary table).
    fn insert_batch<M: Model>(&self, models: &mut [M], skip_key: bool) -> Result<()> {
        let t = M::TABLE;
        let d = self.dialect();
        let width = t.columns.iter().filter(|c| !(skip_key && c.primary_key)).count();
        let key = t.single_key().filter(|_| skip_key);
        if width == 0 || (skip_key && key.is_none()) {
            return models.iter_mut().try_for_each(|m| self.insert(m));
        }
        let (mut by_rowid, mut returning) = (false, key.is_some());
        if let (Some(key), false) = (key, d.returns_keys()) {
            let (largest, triggers) = self.rowid_room(t, key.name)?;
            if largest > i64::MAX - models.len() as i64 {
                // SQLite would pick some of the keys at random: one by one, each its own
                return models.iter_mut().try_for_each(|m| self.insert(m));
            }
            (by_rowid, returning) = (!triggers, triggers);
        }
        let per_statement = (self.max_variables() / width).clamp(1, INSERT_BATCH);
        let mut sql = (0, String::new());
        for chunk in models.chunks_mut(per_statement) {
            let mut params: Vec<Value<'_>> = Vec::with_capacity(chunk.len() * width);
            for m in chunk.iter() {
                all_loaded(m)?;
                let values = m.values();
                crate::schema::fit::check_row(t, &values)?;
                if skip_key {
                    params.extend(values.into_iter().zip(t.columns).filter(|(_, c)| !c.primary_key).map(|(v, _)| v));
                } else {
                    params.extend(values);
                }
            }
            if sql.0 != chunk.len() {
                sql = (chunk.len(), self.insert_many_sql(t, skip_key, chunk.len(), returning));
            }
            let mut keys: Vec<i64> = Vec::with_capacity(if returning { chunk.len() } else { 0 });
            let result = if returning {
                self.query_map_into(&sql.1, &params, |row| {
                    keys.push(row.int(0)?);
                    Ok(())
                })
                .map_err(|e| self.backend().writing(e, t.name))
            } else {
                self.execute(&sql.1, &params, t.name).and_then(|n| {
                    if n != chunk.len() {
                        return Err(self.unordered_keys(t, chunk.len(), format!("{n} rows were written")));
                    }
                    Ok(())
                })
            };
            drop(params);
            if let Err(e) = result {
                let mut columns = t.columns.iter().filter(|c| !(skip_key && c.primary_key));
                let mut e = name_parameter(t, &mut columns, e);
                // the row a foreign key error is about: the first one that references nothing
                for m in chunk.iter() {
                    e = self.explain(t, &m.values(), e);
                    if !matches!(e, Error::ForeignKeyViolation { column: None, .. }) {
                        break;
                    }
                }
                return Err(e);
            }
            if by_rowid {
                let end = self.backend().last_insert_id().unwrap_or(0);
                let first = end - (chunk.len() as i64 - 1);
                keys.extend(first..=end);
            } else if returning {
                // each row's key is above the one before; the database may return them in
                // another order
                keys.sort_unstable();
                if keys.len() != chunk.len() || !keys.windows(2).all(|w| w[0] < w[1]) {
                    return Err(self.unordered_keys(t, chunk.len(), format!("{keys:?}")));
                }
            }
            let assigned = !keys.is_empty();
            for (m, key) in chunk.iter_mut().zip(keys) {
                m.set_auto_key(key);
            }
            chunk.iter().for_each(crate::orm::model::remember);
            if assigned {
                chunk.iter_mut().for_each(crate::orm::cascade::born);
            }
        }
        Ok(())
    }

    /// Where the database does not return keys: the largest key of `t` (0 when it is empty),
    /// and whether a trigger fires on writes to it (which could write `t` itself).
    fn rowid_room(&self, t: &Table, key: &str) -> Result<(i64, bool)> {
        let sql = KeyRoom { table: t.name, key }.render(self.dialect());
        let mut room = (0, false);
        self.query_map_into(&sql, &[Value::Text(t.name.into())], |row| {
            room = (row.int(0)?, row.int(1)? != 0);
            Ok(())
        })?;
        Ok(room)
    }

    /// The error of a batch insert whose keys cannot be told apart row by row.
    fn unordered_keys(&self, t: &Table, rows: usize, seen: String) -> Error {
        Error::Unexpected(format!(
            "the database gave the {rows} new `{}` rows keys that do not follow their order ({seen}); insert them \
             one by one",
            t.name
        ))
    }

    /// `INSERT INTO t (a, b) VALUES (?, ?), (?, ?), ...` for `rows` rows, without the key
    /// column when the database assigns it, with `RETURNING key` when `returning` (one row of
    /// defaults when there is no column to write; batches never have none).
    fn insert_many_sql(&self, t: &Table, skip_key: bool, rows: usize, returning: bool) -> String {
        let columns = t.columns.iter().filter(|c| !(skip_key && c.primary_key)).map(|c| c.name).collect();
        let returning = t.single_key().filter(|_| returning).map(|c| c.name);
        Insert { table: t.name, columns, rows, conflict: None, returning }.render(self.dialect())
    }

    /// Inserts `model`, then the new rows of its relationship fields (`save-update`), all in
    /// one transaction when there are any — and with its hooks, when it has them
    /// (`before_insert`, then `after_insert`, in one transaction). A failure leaves the row new
    /// again, with the version it had.
    pub(crate) fn insert<M: Model>(&self, model: &mut M) -> Result<()> {
        self.hooked(model, (Event::BeforeInsert, Event::AfterInsert), Db::insert_unhooked)
    }

    /// Runs `write` on `model` — between its hooks of `around`, all in one transaction that
    /// gives the row back its stored state when it fails, when the model has hooks.
    fn hooked<M: Model>(
        &self,
        model: &mut M,
        (before, after): (Event, Event),
        write: impl FnOnce(&Db, &mut M) -> Result<()>,
    ) -> Result<()> {
        if !M::HOOKS {
            return write(self, model);
        }
        keeping(model, |model| {
            self.as_one_unit(|db| {
                hooks::run(model, db, before)?;
                write(db, model)?;
                hooks::run(model, db, after)
            })
        })
    }

    /// [`insert`](Self::insert) without the model's hooks.
    fn insert_unhooked<M: Model>(&self, model: &mut M) -> Result<()> {
        let assigned = M::TABLE.auto_key && model.is_new();
        let parents = crate::orm::cascade::has_parent_rules(model);
        if !parents && !crate::orm::cascade::has_pending(model, true) {
            self.insert_row(model)?;
        } else {
            keeping(model, |model| {
                self.as_one_unit(|db| {
                    if parents {
                        crate::orm::cascade::check_single_parents(db, model, true)?;
                    }
                    db.insert_row(model)?;
                    crate::orm::cascade::save_pending(db, model, true)?;
                    crate::orm::cascade::delete_let_go(db, model, true)
                })
            })?;
        }
        if assigned {
            crate::orm::cascade::born(model);
        }
        Ok(())
    }

    /// Updates `model`, then inserts the new rows of its relationship fields (`save-update`),
    /// all in one transaction when there are any. A model whose key the database does not
    /// assign (a natural or composite key) is inserted when no row has its key: found by the
    /// `UPDATE` finding none, or — for a model with hooks, which must run one write's hooks
    /// only — by asking first.
    pub(crate) fn save_existing<M: Model>(&self, model: &mut M) -> Result<()> {
        if !M::TABLE.auto_key && model.version().is_some_and(|v| v.get() == 0) {
            // a versioned row that was never stored (every stored row has a version)
            return self.insert(model);
        }
        if !M::TABLE.auto_key && model.version().is_none() && M::HOOKS {
            // the hooks of one write only: whether the row is stored decides which
            let stored = {
                let (t, key) = (M::TABLE, model.key());
                let exists = Exists { from: t.name, filter: Cond::key(t.key_names().zip(key.to_values())) };
                let (mut sql, mut params) = (String::new(), Vec::new());
                exists.render(self.dialect(), &mut sql, &mut params);
                self.query_i64(&sql, &params)? != 0
            };
            return if stored { self.save_stored(model) } else { self.insert(model) };
        }
        if !M::TABLE.auto_key && model.version().is_none() {
            // the UPDATE finds no row: nothing was written, and the row is new
            return match self.save_stored(model) {
                Err(Error::NotFound { table, .. }) if table == M::TABLE.name => self.insert(model),
                other => other,
            };
        }
        self.save_stored(model)
    }

    fn save_stored<M: Model>(&self, model: &mut M) -> Result<()> {
        if !crate::orm::cascade::has_pending(model, false) {
            return self.update_model(model);
        }
        keeping(model, |model| {
            self.as_one_unit(|db| {
                db.update_model(model)?;
                crate::orm::cascade::save_pending(db, model, false)
            })
        })
    }

    /// Updates `model` under its parent rules: a `single_parent` parent that has another row
    /// is refused, a parent let go of under `delete-orphan` is deleted — and with its hooks,
    /// when it has them (`before_update`, then `after_update`, in one transaction). A failure
    /// leaves its version and snapshot as they were.
    pub(crate) fn update_model<M: Model>(&self, model: &mut M) -> Result<()> {
        self.hooked(model, (Event::BeforeUpdate, Event::AfterUpdate), Db::update_unhooked)
    }

    /// [`update_model`](Self::update_model) without the model's hooks.
    fn update_unhooked<M: Model>(&self, model: &mut M) -> Result<()> {
        if !crate::orm::cascade::has_parent_rules(model) {
            return self.update(model);
        }
        keeping(model, |model| {
            self.as_one_unit(|db| {
                crate::orm::cascade::check_single_parents(db, model, false)?;
                db.update(model)?;
                crate::orm::cascade::delete_let_go(db, model, false)
            })
        })
    }

    fn insert_row<M: Model>(&self, model: &mut M) -> Result<()> {
        let t = M::TABLE;
        all_loaded(model)?;
        if t.tenant.is_some() {
            self.claim_for_tenant(model)?;
        }
        let skip_key = t.auto_key && model.is_new();
        let version = model.version().map(Version::get);
        stamp_inserted(model);
        let values = model.values();
        let id = crate::schema::fit::check_row(t, &values)
            .and_then(|()| self.insert_values(t, skip_key, values))
            .map_err(|e| self.explain(t, &model.values(), e));
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                // not written: the version it had
                if let (Some(v), Some(old)) = (model.version(), version) {
                    v.set(old);
                }
                return Err(e);
            }
        };
        if let Some(id) = id {
            model.set_auto_key(id);
        }
        crate::orm::model::remember(model);
        Ok(())
    }

    /// `insert_row` for the row's column values: returns the key the database assigned when
    /// `skip_key` leaves it to the database (an error names the parameter, not yet the
    /// constraint: see [`Db::explain`]).
    fn insert_values(&self, t: &'static Table, skip_key: bool, mut params: Vec<Value<'_>>) -> Result<Option<i64>> {
        if skip_key {
            // the database assigns the one key column
            params.remove(t.key_index());
        }
        // the dialect returns the assigned key with the row (`RETURNING`), or the connection
        // keeps it (SQLite's last rowid)
        let returning = skip_key && self.dialect().returns_keys();
        let assigned = {
            let mut inserts = self.inserts.borrow_mut();
            let key = (std::ptr::from_ref(t) as usize, skip_key);
            let sql = inserts.entry(key).or_insert_with(|| self.insert_sql(t, skip_key));
            let result = if returning {
                let mut id = None;
                self.query_map_into(sql, &params, |row| {
                    id = Some(row.int(0)?);
                    Ok(())
                })
                .map(|()| id)
                .map_err(|e| self.backend().writing(e, t.name))
            } else {
                self.execute(sql, &params, t.name).map(|_| None)
            };
            match result {
                Ok(id) => id,
                Err(e) => {
                    drop(inserts);
                    let mut columns = t.columns.iter().filter(|c| !(skip_key && c.primary_key));
                    return Err(name_parameter(t, &mut columns, e));
                }
            }
        };
        if !skip_key {
            return Ok(None);
        }
        let id = assigned.or_else(|| self.backend().last_insert_id()).ok_or_else(|| {
            Error::Unexpected(format!("the database did not say which key it gave the new `{}` row", t.name))
        })?;
        Ok(Some(id))
    }

    /// `INSERT INTO t (a, b) VALUES (?, ?)`, without the key column when the database assigns
    /// it, with `RETURNING` the key where the dialect returns it so.
    fn insert_sql(&self, t: &Table, skip_key: bool) -> String {
        self.insert_many_sql(t, skip_key, 1, skip_key && self.dialect().returns_keys())
    }

    /// `UPDATE t SET ... WHERE <key>`: every column but the key's, or — for a model with a
    /// [`Snapshot`](crate::orm::model::Snapshot) — only the columns that changed since it was loaded (the
    /// key's included, found by the key it was loaded with), and no statement when none did.
    pub(crate) fn update<M: Model>(&self, model: &M) -> Result<()> {
        if model.is_new() {
            return Err(Error::Unsaved { table: M::TABLE.name, action: "update" });
        }
        self.update_values(M::TABLE, model.values(), model.snapshot(), model.version(), model.unloaded())
    }

    /// `update` for the row's column values, its snapshot and its version counter, if it
    /// keeps them.
    fn update_values(
        &self,
        t: &'static Table,
        mut values: Vec<Value<'_>>,
        snapshot: Option<&crate::orm::model::Snapshot>,
        version: Option<&Version>,
        unloaded: u64,
    ) -> Result<()> {
        // a deferred column not loaded is not written: its value is not known here
        let written = |i: usize| !crate::schema::in_mask(unloaded, i);
        let stored = snapshot.and_then(crate::orm::model::Snapshot::values).filter(|s| s.len() == values.len());
        // the version column is the library's to write, never a change of the row's own
        let counter = t.version.filter(|_| version.is_some());
        // the columns written, in order, and the key the row is found by
        let (mut set, key): (Vec<usize>, Vec<Value<'_>>) = match &stored {
            Some(old) => {
                let changed: Vec<usize> =
                    (0..values.len()).filter(|&i| Some(i) != counter && written(i) && values[i] != old[i]).collect();
                if changed.is_empty() {
                    return Ok(()); // nothing changed since it was loaded: nothing to write
                }
                let key = t.columns.iter().zip(old.iter()).filter(|(c, _)| c.primary_key).map(|(_, v)| v.clone());
                (changed, key.collect())
            }
            None => {
                let set = (0..values.len())
                    .filter(|&i| !t.columns[i].primary_key && Some(i) != counter && written(i))
                    .collect();
                let key = t.columns.iter().zip(&values).filter(|(c, _)| c.primary_key).map(|(_, v)| v.clone());
                (set, key.collect())
            }
        };
        if set.is_empty() {
            return Ok(()); // only key columns: nothing to write
        }
        // the values written must fit; a stored one that does not is left as it is
        for &i in &set {
            crate::schema::fit::check(t.name, &t.columns[i], &values[i])?;
        }
        // a versioned row: written as the next version, where it still has the one it was read with
        let read_at = version.map(Version::get);
        let mut rows = Cond::key(t.key_names().zip(key.iter().cloned()));
        if let Some(guard) = self.tenant_guard(t, &|i| values[i].clone(), "update")? {
            rows = Cond::All(vec![rows, guard]);
        }
        if let (Some(i), Some(v)) = (counter, read_at) {
            values[i] = Value::Integer(v + 1);
            set.push(i);
            rows = Cond::All(vec![rows, Cond::Eq(Col::bare(t.columns[i].name), Value::Integer(v))]);
        }
        let update = Update {
            table: t.name,
            set: set.iter().map(|&i| (t.columns[i].name, New::Value(values[i].clone()))).collect(),
            rows: Rows::Where(rows),
        };
        let (mut sql, mut params) = (String::new(), Vec::with_capacity(set.len() + key.len() + 1));
        update.render(self.dialect(), &mut sql, &mut params);
        let n = self.execute(&sql, &params, t.name).map_err(|e| {
            // the parameters: the columns set, then the key's
            let mut columns = set.iter().map(|&i| &t.columns[i]).chain(t.primary_key());
            self.explain(t, &values, name_parameter(t, &mut columns, e))
        })?;
        match (n, read_at) {
            (0, Some(version)) => {
                return Err(Error::StaleData { table: t.name, key: key_text(&key), version, action: "update" })
            }
            (0, None) => return Err(Error::NotFound { table: t.name, key: key_text(&key) }),
            _ => {}
        }
        if let (Some(v), Some(old)) = (version, read_at) {
            v.set(old + 1);
        }
        if let Some(s) = snapshot {
            s.take(values);
        }
        Ok(())
    }

    /// A constraint failure on writing a row of `t` with these column values, said fully: a
    /// unique constraint named as declared, the first foreign key column whose value references
    /// no row (SQLite's messages say neither).
    pub(crate) fn explain(&self, t: &'static Table, values: &[Value<'_>], e: Error) -> Error {
        let e = match e {
            Error::UniqueViolation { table, columns, constraint: None } if table == t.name => {
                let constraint = t.unique_name(&columns);
                return Error::UniqueViolation { table, columns, constraint };
            }
            e => e,
        };
        let Error::ForeignKeyViolation { table, column: None } = e else { return e };
        let column = t.foreign_keys.iter().find_map(|fk| {
            let params: Vec<Value<'_>> = fk.columns.iter().map(|c| values[t.column_index(c)].clone()).collect();
            // a key with a NULL part references nothing, and is not checked
            if params.contains(&Value::Null) {
                return None;
            }
            let exists =
                Exists { from: fk.references, filter: Cond::key(fk.target_columns.iter().copied().zip(params)) };
            let (mut sql, mut params) = (String::new(), Vec::with_capacity(fk.columns.len()));
            exists.render(self.dialect(), &mut sql, &mut params);
            let found = self.query_i64(&sql, &params).ok()?;
            (found == 0).then(|| crate::sql::columns_path(t.name, fk.columns))
        });
        Error::ForeignKeyViolation { table, column }
    }

    /// `UPDATE t SET column = NULL[, ...] WHERE <key>` for one row; a versioned row is written
    /// as its next version, where it still has the one it was read with.
    pub(crate) fn set_null(&self, model: &dyn Stored, columns: &[&str]) -> Result<()> {
        let t = model.table();
        let key = model.key_values();
        let mut rows = Cond::key(t.key_names().zip(key.iter().cloned()));
        let mut set: Vec<(&str, New<'_>)> = columns.iter().map(|c| (*c, New::Null)).collect();
        let versioned = t.version_column().zip(model.counter());
        if let Some((column, v)) = versioned {
            set.push((column.name, New::Value(Value::Integer(v.get() + 1))));
            rows = Cond::All(vec![rows, Cond::Eq(Col::bare(column.name), Value::Integer(v.get()))]);
        }
        let (mut sql, mut params) = (String::new(), Vec::new());
        Update { table: t.name, set, rows: Rows::Where(rows) }.render(self.dialect(), &mut sql, &mut params);
        let n = self.execute(&sql, &params, t.name)?;
        if let Some((_, v)) = versioned {
            if n == 0 {
                return Err(crate::orm::version::stale(t, &key, v, "update"));
            }
            v.set(v.get() + 1);
        }
        Ok(())
    }

    /// `DELETE FROM t WHERE <key>` for one row, nothing else: whether it existed. A versioned
    /// row is deleted only with the version it was read with ([`Error::StaleData`] otherwise).
    pub(crate) fn delete_row(&self, model: &dyn Stored) -> Result<bool> {
        let t = model.table();
        if model.unsaved() {
            return Err(Error::Unsaved { table: t.name, action: "delete" });
        }
        let key = model.key_values();
        let mut rows = Cond::key(t.key_names().zip(key.iter().cloned()));
        if let Some(cond) = crate::orm::version::version_cond(t, model.counter()) {
            rows = Cond::All(vec![rows, cond]);
        }
        if let Some(guard) = self.tenant_guard(t, &|i| model.value_at(i), "delete")? {
            rows = Cond::All(vec![rows, guard]);
        }
        let delete = Delete { table: t.name, rows: Rows::Where(rows) };
        let (mut sql, mut params) = (String::new(), Vec::new());
        delete.render(self.dialect(), &mut sql, &mut params);
        let deleted = self.execute(&sql, &params, t.name)? > 0;
        match model.counter() {
            Some(v) if !deleted => Err(crate::orm::version::stale(t, &key, v, "delete")),
            _ => Ok(deleted),
        }
    }
}

/// [`Error::Deferred`] for a row to insert with a deferred column not loaded: its value is not
/// known, and leaving the column out would write its default instead.
pub(crate) fn all_loaded<M: Model>(model: &M) -> Result<()> {
    match model.unloaded() {
        0 => Ok(()),
        mask => {
            let column = M::TABLE.columns[mask.trailing_zeros() as usize].name;
            Err(Error::Deferred { table: M::TABLE.name, column })
        }
    }
}

/// Runs `write` — several statements in one transaction — on `model`; when it fails (and the
/// transaction is rolled back), gives the row back what the write had set of the stored state: a new row its unassigned key, a versioned
/// one its version, a snapshot what it held. The row's own fields, which a hook may have
/// changed, are left as they are.
fn keeping<M: Model>(model: &mut M, write: impl FnOnce(&mut M) -> Result<()>) -> Result<()> {
    let new = M::TABLE.auto_key && model.is_new();
    let kept = Kept::of(model.version(), model.snapshot());
    let result = write(model);
    if result.is_err() {
        if new {
            model.set_auto_key(0);
        }
        kept.restore(model.version(), model.snapshot());
    }
    result
}

/// What [`keeping`] gives a row back after a failed write: its version, its snapshot's values
/// (shared code: only the model's accessors are generic).
struct Kept {
    version: Option<i64>,
    snapshot: Option<Option<Box<[Value<'static>]>>>,
}

impl Kept {
    fn of(version: Option<&Version>, snapshot: Option<&crate::orm::model::Snapshot>) -> Kept {
        Kept { version: version.map(Version::get), snapshot: snapshot.map(crate::orm::model::Snapshot::values) }
    }

    fn restore(self, version: Option<&Version>, snapshot: Option<&crate::orm::model::Snapshot>) {
        if let (Some(v), Some(old)) = (version, self.version) {
            v.set(old);
        }
        if let (Some(s), Some(old)) = (snapshot, self.snapshot) {
            match old {
                Some(values) => s.take(values.into_vec()),
                None => s.clear(),
            }
        }
    }
}

/// Sets a new row's version counter, if it has one, to 1: what an insert writes.
fn stamp_inserted<M: Model>(model: &M) {
    if let Some(v) = model.version() {
        v.set(1);
    }
}

/// The most rows one `INSERT` of [`Db::insert_all`] writes: bigger statements save little
/// more, and each row count is a statement of its own to prepare and cache.
pub const INSERT_BATCH: usize = 100;

/// An [`Error::Unstorable`] of a statement on `t` whose parameters are the values of `columns`,
/// in order, naming the parameter's column.
fn name_parameter(t: &Table, columns: &mut dyn Iterator<Item = &crate::schema::ColumnDef>, e: Error) -> Error {
    match e {
        Error::Unstorable { parameter, message, .. } => Error::Unstorable {
            table: t.name.to_string(),
            column: columns.map(|c| c.name).nth(parameter.wrapping_sub(1)).map(|c| format!("{}.{c}", t.name)),
            parameter,
            message,
        },
        e => e,
    }
}
