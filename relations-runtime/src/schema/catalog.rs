//! A database schema as owned data, in one shape whichever side it comes from: what
//! `Db::inspect` reads from a live database and what `Catalog::of` builds from a set of models.
//! The layers above compare two of them (`migrate::diff`, feature `migrate`), draw one
//! (`erd`) or write it out as Rust models (`codegen`); the dialects render DDL from it.
//!
//! The static [`schema`] metadata the derive emits converts into it
//! (`catalog::Table::from(User::TABLE)`); DDL is rendered from this form only.

use crate::schema::{self, OnDelete, SqlType};

/// The tables that hold migration bookkeeping, never part of an application's schema: this
/// crate's version table and Alembic's.
pub const BOOKKEEPING_TABLES: [&str; 2] = ["relations_migrations", "alembic_version"];

/// Every table of a schema, in creation order (parents before the tables referencing them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalog {
    /// The tables.
    pub tables: Vec<Table>,
}

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's name.
    pub name: String,
    /// The columns, in the table's order.
    pub columns: Vec<Column>,
    /// The primary key's columns, in key order (empty when the table has none).
    pub primary_key: Vec<String>,
    /// Whether the primary key is one integer column the database assigns.
    pub auto_key: bool,
    /// The foreign keys, in declaration order.
    pub foreign_keys: Vec<ForeignKey>,
    /// Table-level constraints (`UNIQUE` over several columns, `CHECK`), in declaration order.
    pub constraints: Vec<Constraint>,
    /// The indexes (a column's `#[column(index)]` included), in creation order.
    pub indexes: Vec<Index>,
}

/// One column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its type, as `relations` models it.
    pub sql_type: SqlType,
    /// The type as the database spells it, when it reads back as `sql_type` only by affinity
    /// (SQLite's `TIMESTAMP` and `REAL` are `DATETIME` and `FLOAT` here); `None` for a schema
    /// built from models.
    pub declared_type: Option<String>,
    /// Whether `NULL` is allowed.
    pub nullable: bool,
    /// A one-column `UNIQUE` constraint on it.
    pub unique: bool,
}

/// `FOREIGN KEY(a[, b]) REFERENCES table (x[, y]) [ON DELETE ...]`. Two are equal by their
/// columns, target and action: the name a database gave one is not compared.
#[derive(Debug, Clone, Eq)]
pub struct ForeignKey {
    /// The referencing columns, in the order of the referenced ones.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references: String,
    /// The referenced columns.
    pub target_columns: Vec<String>,
    /// The `ON DELETE` action.
    pub on_delete: OnDelete,
    /// The name the database gave it (`post_ibfk_1` on MariaDB, `post_user_id_fkey` on
    /// PostgreSQL), when read from a database that names them; what a migration drops it by.
    pub name: Option<String>,
}

impl PartialEq for ForeignKey {
    fn eq(&self, other: &ForeignKey) -> bool {
        self.columns == other.columns
            && self.references == other.references
            && self.target_columns == other.target_columns
            && self.on_delete == other.on_delete
    }
}

/// A table-level constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// `[CONSTRAINT name] UNIQUE (a, b)`.
    Unique {
        /// The name, when declared (or reported by the database).
        name: Option<String>,
        /// The columns, in order.
        columns: Vec<String>,
    },
    /// `[CONSTRAINT name] CHECK (sql)`.
    Check {
        /// The name, when declared.
        name: Option<String>,
        /// The condition's SQL text.
        sql: String,
    },
    /// The `CHECK` that exactly one of a polymorphic owner's keys is set.
    ExactlyOne {
        /// `ck_<table>_<owner>`.
        name: String,
        /// The owner key columns.
        columns: Vec<String>,
    },
}

impl Constraint {
    /// The constraint's name, when it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Constraint::Unique { name, .. } | Constraint::Check { name, .. } => name.as_deref(),
            Constraint::ExactlyOne { name, .. } => Some(name),
        }
    }
}

/// `CREATE [UNIQUE] INDEX name ON table (a, b)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<String>,
    /// `UNIQUE`.
    pub unique: bool,
}

impl Catalog {
    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The tables in creation order: each after the tables its foreign keys reference
    /// (self-references and cycles aside); ties keep the current order.
    pub fn sorted(self) -> Catalog {
        let tables = dependency_order(
            self.tables,
            |t| &t.name,
            |t| t.foreign_keys.iter().map(|fk| fk.references.as_str()).collect(),
        );
        Catalog { tables }
    }
}

/// Static tables deduplicated by name, in creation order.
pub(crate) fn creation_order(tables: Vec<&'static schema::Table>) -> Vec<&'static schema::Table> {
    let mut unique: Vec<&'static schema::Table> = Vec::new();
    for t in tables {
        if !unique.iter().any(|u| u.name == t.name) {
            unique.push(t);
        }
    }
    dependency_order(unique, |t| t.name, |t| t.foreign_keys.iter().map(|fk| fk.references).collect())
}

/// `items` ordered so that each comes after the items it references by name (references to
/// itself or to names not among them aside); ties keep the given order, and in a cycle the
/// first of the rest goes next.
fn dependency_order<T>(mut items: Vec<T>, name: impl Fn(&T) -> &str, refs: impl Fn(&T) -> Vec<&str>) -> Vec<T> {
    let mut done: Vec<T> = Vec::with_capacity(items.len());
    while !items.is_empty() {
        let ready =
            items.iter().position(|t| refs(t).into_iter().all(|r| r == name(t) || !items.iter().any(|u| name(u) == r)));
        done.push(items.remove(ready.unwrap_or(0)));
    }
    done
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// SQLAlchemy's name for an index on `columns`: `ix_<table>_<a>[_<b>]`.
    pub fn index_name(&self, columns: &[String]) -> String {
        format!("ix_{}_{}", self.name, columns.join("_"))
    }

    /// Whether some unique constraint (a column's, a table's, the primary key or a unique
    /// index) covers exactly `columns`, in any order.
    pub fn is_unique(&self, columns: &[String]) -> bool {
        let same = |cs: &[String]| cs.len() == columns.len() && cs.iter().all(|c| columns.contains(c));
        same(&self.primary_key)
            || matches!(columns, [c] if self.column(c).is_some_and(|c| c.unique))
            || self.constraints.iter().any(|k| matches!(k, Constraint::Unique { columns, .. } if same(columns)))
            || self.indexes.iter().any(|i| i.unique && same(&i.columns))
    }

    /// Adds an index on every foreign key that no other index, unique constraint or the
    /// primary key leads with.
    pub(crate) fn index_foreign_keys(&mut self) {
        let mut new = Vec::new();
        for fk in &self.foreign_keys {
            let leads = |columns: &[String]| columns.starts_with(&fk.columns);
            let covered = leads(&self.primary_key)
                || matches!(&fk.columns[..], [c] if self.column(c).is_some_and(|c| c.unique))
                || self.indexes.iter().any(|i| leads(&i.columns))
                || self.constraints.iter().any(|k| matches!(k, Constraint::Unique { columns, .. } if leads(columns)));
            if !covered {
                new.push(Index { name: self.index_name(&fk.columns), columns: fk.columns.clone(), unique: false });
            }
        }
        self.indexes.extend(new);
    }
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

impl From<&schema::ForeignKey> for ForeignKey {
    fn from(fk: &schema::ForeignKey) -> Self {
        ForeignKey {
            columns: strings(fk.columns),
            references: fk.references.to_string(),
            target_columns: strings(fk.target_columns),
            on_delete: fk.on_delete,
            name: None,
        }
    }
}

impl From<&schema::Table> for Table {
    /// The table a model declares: a column's `unique` without `index` is its `UNIQUE`
    /// constraint, its `index` (unique or not) an index named `ix_<table>_<column>`, before the
    /// table's own indexes.
    fn from(t: &schema::Table) -> Self {
        let columns = t
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.to_string(),
                sql_type: c.sql_type,
                declared_type: None,
                nullable: c.nullable,
                unique: c.unique && !c.index,
            })
            .collect();
        let column_indexes = t.columns.iter().filter(|c| c.index).map(|c| Index {
            name: t.index_name(&[c.name]),
            columns: vec![c.name.to_string()],
            unique: c.unique,
        });
        let indexes = column_indexes
            .chain(t.indexes.iter().map(|i| Index {
                name: i.name.to_string(),
                columns: strings(i.columns),
                unique: i.unique,
            }))
            .collect();
        let constraints = t
            .constraints
            .iter()
            .map(|c| match c {
                schema::Constraint::Unique { name, columns } => {
                    Constraint::Unique { name: name.map(str::to_string), columns: strings(columns) }
                }
                schema::Constraint::Check { name, sql } => {
                    Constraint::Check { name: name.map(str::to_string), sql: sql.to_string() }
                }
                schema::Constraint::ExactlyOne { name, columns } => {
                    Constraint::ExactlyOne { name: name.to_string(), columns: strings(columns) }
                }
            })
            .collect();
        Table {
            name: t.name.to_string(),
            columns,
            primary_key: t.key_names().map(str::to_string).collect(),
            auto_key: t.auto_key,
            foreign_keys: t.foreign_keys.iter().map(ForeignKey::from).collect(),
            constraints,
            indexes,
        }
    }
}

impl Table {
    /// Moves each unnamed one-column `UNIQUE` constraint to its column's [`Column::unique`], the
    /// form a model's `#[column(unique)]` takes.
    pub(crate) fn column_uniques(&mut self) {
        let columns = &mut self.columns;
        self.constraints.retain(|c| match c {
            Constraint::Unique { name: None, columns: cs } if cs.len() == 1 => {
                match columns.iter_mut().find(|c| c.name == cs[0]) {
                    Some(col) => {
                        col.unique = true;
                        false
                    }
                    None => true,
                }
            }
            _ => true,
        });
    }
}
