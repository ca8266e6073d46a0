//! Creating and dropping the tables of a set of models, as methods of [`Db`]: SQLAlchemy's
//! `create_all` / `drop_all` with `checkfirst=True`, an existing table checked against its
//! model.

use crate::orm::db::Db;
use crate::orm::model::ModelSet;
use crate::schema::catalog::{self, creation_order};
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::Table;

impl Db {
    /// The `CREATE TABLE` and `CREATE INDEX` statements for a set of models, association
    /// tables included, in foreign-key dependency order — what [`Db::create_all`] runs.
    pub fn schema<S: ModelSet>(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in creation_order(S::tables()) {
            out.extend(self.table_ddl::<S>(t));
        }
        out
    }

    /// `CREATE TABLE` for `t` and its indexes (on its foreign keys too, if `S` says so).
    fn table_ddl<S: ModelSet>(&self, t: &Table) -> Vec<String> {
        let mut table = catalog::Table::from(t);
        if S::INDEX_FOREIGN_KEYS {
            table.index_foreign_keys();
        }
        self.dialect().table_ddl(&table)
    }

    /// Creates the tables of a set of models (`db.create_all::<(User, Post)>()`) that do not
    /// exist yet, with their indexes, in one transaction (where DDL is transactional), parents before children — SQLAlchemy's
    /// `create_all` (`checkfirst=True`), so an application can call it at every start.
    ///
    /// A table that exists is checked against its model: another shape (a column missing, of
    /// another type or nullability, another primary key, or a `NOT NULL` column the model does
    /// not know) is [`Error::SchemaMismatch`] naming the table and the differences. A model
    /// whose foreign key references a table that is neither in the set nor in the database is
    /// [`Error::MissingModel`]. Either way nothing is created.
    pub fn create_all<S: ModelSet>(&self) -> Result<()> {
        let members = S::members();
        let tables = creation_order(members.iter().map(|(_, t)| *t).collect());
        self.forget_schema();
        self.schema_change(|db| {
            let existing = db.table_names()?;
            let exists = |name: &str| existing.iter().any(|e| e.eq_ignore_ascii_case(name));
            for (model, t) in &members {
                for fk in t.foreign_keys {
                    if !exists(fk.references) && !tables.iter().any(|u| u.name.eq_ignore_ascii_case(fk.references)) {
                        return Err(Error::MissingModel {
                            model: (*model).to_string(),
                            column: crate::sql::columns_path(t.name, fk.columns),
                            references: fk.references.to_string(),
                        });
                    }
                }
            }
            for t in &tables {
                if exists(t.name) {
                    db.check_shape(t)?;
                }
            }
            for t in tables.iter().filter(|t| !exists(t.name)) {
                for sql in db.table_ddl::<S>(t) {
                    db.batch(&sql)?;
                }
            }
            Ok(())
        })
    }

    /// Whether the database has a table named `name` (in any case, as SQLite compares).
    #[cfg_attr(not(feature = "migrate"), allow(dead_code))]
    pub(crate) fn table_exists(&self, name: &str) -> Result<bool> {
        Ok(self.table_names()?.iter().any(|t| t.eq_ignore_ascii_case(name)))
    }

    /// The names of the database's tables.
    fn table_names(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        self.query_map_into(self.dialect().table_names_sql(), &[], |row| {
            names.push(row.text(0)?.unwrap_or_default());
            Ok(())
        })?;
        Ok(names)
    }

    /// Compares an existing table with its model: [`Error::SchemaMismatch`] listing what differs.
    fn check_shape(&self, t: &Table) -> Result<()> {
        let mut found: Vec<(String, String, bool, bool)> = Vec::new();
        let name = [Value::Text(t.name.into())];
        self.query_map_into(self.dialect().table_columns_sql(), &name, |row| {
            found.push((
                row.text(0)?.unwrap_or_default(),
                row.text(1)?.unwrap_or_default(),
                row.int(2)? != 0,
                row.int(3)? > 0,
            ));
            Ok(())
        })?;
        let normal = |ty: &str| ty.split_whitespace().collect::<String>().to_ascii_uppercase();
        let mut differences = Vec::new();
        for c in t.columns {
            let Some((_, ty, not_null, pk)) = found.iter().find(|f| f.0.eq_ignore_ascii_case(c.name)) else {
                differences.push(format!("column `{}` is missing", c.name));
                continue;
            };
            let want = self.dialect().column_type(c);
            if normal(ty) != normal(&want) {
                differences.push(format!("column `{}` is {ty} in the database, {want} in the model", c.name));
            }
            // SQLite's INTEGER PRIMARY KEY never holds NULL, whatever it says
            if *not_null == c.nullable && !(c.primary_key && *pk) {
                let (db_says, model_says) = if *not_null { ("NOT NULL", "nullable") } else { ("nullable", "NOT NULL") };
                differences
                    .push(format!("column `{}` is {db_says} in the database, {model_says} in the model", c.name));
            }
            if *pk != c.primary_key {
                let (db_says, model_says) = if *pk { ("in", "not in") } else { ("not in", "in") };
                differences.push(format!(
                    "column `{}` is {db_says} the primary key in the database, {model_says} it in the model",
                    c.name
                ));
            }
        }
        for (name, _, not_null, _) in &found {
            if *not_null && !t.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
                differences.push(format!(
                    "column `{name}` is NOT NULL in the database and not in the model, so inserts would fail"
                ));
            }
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(Error::SchemaMismatch { table: t.name.to_string(), difference: differences.join("; ") })
        }
    }

    /// Drops the tables of a set of models that exist, children before parents (SQLAlchemy's
    /// `drop_all`, `checkfirst=True`).
    pub fn drop_all<S: ModelSet>(&self) -> Result<()> {
        let mut tables = creation_order(S::tables());
        tables.reverse();
        self.forget_schema();
        self.schema_change(|db| {
            let existing = db.table_names()?;
            for t in tables.into_iter().filter(|t| existing.iter().any(|e| e.eq_ignore_ascii_case(t.name))) {
                db.batch(&db.dialect().drop_table(t.name))?;
            }
            Ok(())
        })
    }
}

/// The declared side of a catalog: it needs the models, so it lives with `create_all`.
impl catalog::Catalog {
    /// The schema a set of models declares (`Catalog::of::<(User, Post)>()`), association tables
    /// included, in creation order — what `create_all` creates, the foreign keys' indexes too
    /// for an [`IndexForeignKeys`](crate::orm::model::IndexForeignKeys) set.
    pub fn of<S: ModelSet>() -> catalog::Catalog {
        let tables = creation_order(S::tables());
        catalog::Catalog {
            tables: tables
                .into_iter()
                .map(|t| {
                    let mut table = catalog::Table::from(t);
                    if S::INDEX_FOREIGN_KEYS {
                        table.index_foreign_keys();
                    }
                    table
                })
                .collect(),
        }
    }
}
