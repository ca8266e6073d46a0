//! Comparing two schemas: the [`Change`]s that turn one into the other, and the statements that
//! make them on a dialect — `ALTER TABLE` where it can, on SQLite the table rebuild of its
//! documentation ("Making Other Kinds Of Table Schema Changes") where it cannot.

use crate::dialect::{self, Dialect};
use crate::schema::catalog::{Catalog, Column, Constraint, ForeignKey, Index, Table};
use crate::schema::error::{Error, Result};
use crate::schema::{OnDelete, SqlType};

/// Renames to make rather than a drop and a create: never guessed, always asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// `(old name, new name)` of tables.
    pub tables: Vec<(String, String)>,
    /// `(table's new name, old column name, new column name)`.
    pub columns: Vec<(String, String, String)>,
}

impl Renames {
    /// No renames.
    pub fn none() -> Renames {
        Renames::default()
    }

    /// Adds a table rename.
    pub fn table(mut self, from: &str, to: &str) -> Renames {
        self.tables.push((from.to_string(), to.to_string()));
        self
    }

    /// Adds a column rename; `table` is the table's new name.
    pub fn column(mut self, table: &str, from: &str, to: &str) -> Renames {
        self.columns.push((table.to_string(), from.to_string(), to.to_string()));
        self
    }

    /// The old name of the table now named `to`.
    fn old_table<'a>(&'a self, to: &'a str) -> &'a str {
        self.tables.iter().find(|(_, t)| t == to).map(|(f, _)| f.as_str()).unwrap_or(to)
    }

    /// The old name of column `to` of the table now named `table`.
    fn old_column<'a>(&'a self, table: &str, to: &'a str) -> &'a str {
        self.columns.iter().find(|(t, _, c)| t == table && c == to).map(|(_, f, _)| f.as_str()).unwrap_or(to)
    }

    /// The renames that undo these.
    pub fn reversed(&self) -> Renames {
        let old_name = |t: &str| self.old_table(t).to_string();
        Renames {
            tables: self.tables.iter().map(|(f, t)| (t.clone(), f.clone())).collect(),
            columns: self.columns.iter().map(|(t, f, c)| (old_name(t), c.clone(), f.clone())).collect(),
        }
    }
}

/// One difference between two schemas, as a step from the old to the new.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A table to create.
    CreateTable(Table),
    /// A table to drop (as it was).
    DropTable(Table),
    /// `ALTER TABLE from RENAME TO to`.
    RenameTable {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER TABLE t RENAME COLUMN from TO to`.
    RenameColumn {
        /// The table (its new name).
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// A column to add.
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: Column,
    },
    /// A column to drop.
    DropColumn {
        /// The table.
        table: String,
        /// The column, as it was.
        column: Column,
    },
    /// A column's type or nullability to change.
    AlterColumn {
        /// The table.
        table: String,
        /// The column as it was.
        from: Column,
        /// The column as it is to be.
        to: Column,
    },
    /// Another primary key.
    PrimaryKey {
        /// The table.
        table: String,
        /// The old key's columns.
        from: Vec<String>,
        /// The new key's columns.
        to: Vec<String>,
    },
    /// A foreign key to add.
    AddForeignKey {
        /// The table.
        table: String,
        /// The foreign key.
        foreign_key: ForeignKey,
    },
    /// A foreign key to drop.
    DropForeignKey {
        /// The table.
        table: String,
        /// The foreign key, as it was.
        foreign_key: ForeignKey,
    },
    /// A `UNIQUE` or `CHECK` constraint to add (a column's `UNIQUE` as a one-column one).
    AddConstraint {
        /// The table.
        table: String,
        /// The constraint.
        constraint: Constraint,
    },
    /// A constraint to drop.
    DropConstraint {
        /// The table.
        table: String,
        /// The constraint, as it was.
        constraint: Constraint,
    },
    /// An index to create.
    AddIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// An index to drop.
    DropIndex {
        /// The table.
        table: String,
        /// The index, as it was.
        index: Index,
    },
}

impl Change {
    /// The table the change is about (its new name).
    pub fn table(&self) -> &str {
        match self {
            Change::CreateTable(t) | Change::DropTable(t) => &t.name,
            Change::RenameTable { to, .. } => to,
            Change::RenameColumn { table, .. }
            | Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::PrimaryKey { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AddConstraint { table, .. }
            | Change::DropConstraint { table, .. }
            | Change::AddIndex { table, .. }
            | Change::DropIndex { table, .. } => table,
        }
    }

    /// One line saying what the change does, for a migration's header and for messages.
    pub fn describe(&self) -> String {
        let cols = |c: &[String]| c.join(", ");
        match self {
            Change::CreateTable(t) => format!("create table {}", t.name),
            Change::DropTable(t) => format!("drop table {}", t.name),
            Change::RenameTable { from, to } => format!("rename table {from} to {to}"),
            Change::RenameColumn { table, from, to } => format!("rename column {table}.{from} to {to}"),
            Change::AddColumn { table, column } => format!("add column {table}.{}", column.name),
            Change::DropColumn { table, column } => format!("drop column {table}.{}", column.name),
            Change::AlterColumn { table, from, to } => {
                let mut what = Vec::new();
                if from.sql_type != to.sql_type {
                    let word = |t| {
                        let mut s = String::new();
                        dialect::type_word(t, &mut s);
                        s
                    };
                    what.push(format!("type {} -> {}", word(from.sql_type), word(to.sql_type)));
                }
                if from.nullable != to.nullable {
                    what.push(if to.nullable { "nullable".to_string() } else { "NOT NULL".to_string() });
                }
                format!("alter column {table}.{}: {}", to.name, what.join(", "))
            }
            Change::PrimaryKey { table, from, to } => {
                format!("primary key of {table}: ({}) -> ({})", cols(from), cols(to))
            }
            Change::AddForeignKey { table, foreign_key: fk } => {
                format!("add foreign key {table} ({}) -> {}", cols(&fk.columns), fk.references)
            }
            Change::DropForeignKey { table, foreign_key: fk } => {
                format!("drop foreign key {table} ({}) -> {}", cols(&fk.columns), fk.references)
            }
            Change::AddConstraint { table, constraint } => format!("add {} on {table}", constraint_words(constraint)),
            Change::DropConstraint { table, constraint } => format!("drop {} on {table}", constraint_words(constraint)),
            Change::AddIndex { table, index } => format!("create index {} on {table}", index.name),
            Change::DropIndex { table, index } => format!("drop index {} on {table}", index.name),
        }
    }
}

fn constraint_words(c: &Constraint) -> String {
    match c {
        Constraint::Unique { columns, .. } => format!("unique ({})", columns.join(", ")),
        Constraint::Check { name: Some(n), .. } | Constraint::ExactlyOne { name: n, .. } => format!("check {n}"),
        Constraint::Check { sql, .. } => format!("check ({sql})"),
    }
}

/// What turns schema `from` into schema `to`: the changes, and both schemas (a rebuild needs the
/// whole new table, a drop the whole old one).
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// The changes, in the order they are made.
    pub changes: Vec<Change>,
    /// The schema changed from.
    pub from: Catalog,
    /// The schema changed to.
    pub to: Catalog,
    /// The renames made: those asked for, less the ones already made (see `skipped`).
    pub renames: Renames,
    /// The renames asked for that the schema changed from already has (the old name gone, the
    /// new one there): a `Renames` entry left in place after its migration ran. Each is left
    /// out, never made into a drop and a create; the line says which.
    pub skipped: Vec<String>,
}

/// Checks `renames` against the two schemas: a rename whose old name is gone and whose new
/// name is already there was made before, and is left out (said in the second list); one whose
/// old name is not there either, or whose new name the schema changed to lacks, or whose both
/// names are there, is [`Error::InvalidRename`] — never a drop and a create.
fn resolve(from: &Catalog, to: &Catalog, renames: &Renames) -> Result<(Renames, Vec<String>)> {
    let invalid = |rename: String, problem: String| Error::InvalidRename { rename, problem };
    let mut made = Renames::none();
    let mut skipped = Vec::new();
    for (old, new) in &renames.tables {
        let rename = format!("table {old} -> {new}");
        if to.table(new).is_none() {
            return Err(invalid(rename, format!("the models declare no table `{new}`")));
        }
        match (from.table(old).is_some(), from.table(new).is_some()) {
            (true, false) => made.tables.push((old.clone(), new.clone())),
            (false, true) => skipped.push(format!("{rename}: already made (no table `{old}`, table `{new}` exists)")),
            (true, true) => {
                return Err(invalid(rename, format!("the database has both `{old}` and `{new}`: drop one first")))
            }
            (false, false) => {
                return Err(invalid(rename, format!("the database has neither a table `{old}` nor a table `{new}`")))
            }
        }
    }
    for (table, old, new) in &renames.columns {
        let rename = format!("column {table}.{old} -> {new}");
        let Some(target) = to.table(table) else {
            return Err(invalid(rename, format!("the models declare no table `{table}`")));
        };
        if target.column(new).is_none() {
            return Err(invalid(rename, format!("the models declare no column `{table}.{new}`")));
        }
        let Some(current) = from.table(made.old_table(table)) else {
            return Err(invalid(rename, format!("the database has no table `{table}` (it is created, not changed)")));
        };
        match (current.column(old).is_some(), current.column(new).is_some()) {
            (true, false) => made.columns.push((table.clone(), old.clone(), new.clone())),
            (false, true) => skipped.push(format!("{rename}: already made (no column `{old}`, column `{new}` exists)")),
            (true, true) => {
                return Err(invalid(
                    rename,
                    format!("table `{}` has both `{old}` and `{new}`: drop one first", current.name),
                ))
            }
            (false, false) => {
                return Err(invalid(
                    rename,
                    format!("table `{}` has neither a column `{old}` nor a column `{new}`", current.name),
                ))
            }
        }
    }
    Ok((made, skipped))
}

/// The changes that turn schema `from` (a live database's, say) into schema `to` (the models'):
/// tables dropped children first, created parents first; within a table, columns, keys,
/// constraints and indexes. Types compare as [`SqlType`]s (SQLite's `TIMESTAMP` is `DATETIME`),
/// constraint names only where both sides name them. A table or column that disappears while
/// another appears is a drop and an add unless `renames` says it is a rename; a rename already
/// made is left out ([`Diff::skipped`]), and one that names what neither schema has is
/// [`Error::InvalidRename`].
pub fn diff(from: &Catalog, to: &Catalog, renames: &Renames) -> Result<Diff> {
    let (renames, skipped) = resolve(from, to, renames)?;
    let renames = &renames;
    // what goes first: the foreign keys, constraints and indexes that go away (so that no
    // table dropped is still referenced), then the tables that go, children first
    let mut first = Vec::new();
    let mut rest = Vec::new();
    for t in &to.tables {
        let old_name = renames.old_table(&t.name);
        match from.table(old_name) {
            None => rest.push(Change::CreateTable(t.clone())),
            Some(old) => {
                if old_name != t.name {
                    rest.push(Change::RenameTable { from: old_name.to_string(), to: t.name.clone() });
                }
                let mut changes = Vec::new();
                table_changes(old, t, renames, &mut changes);
                for c in changes {
                    match c {
                        Change::DropForeignKey { .. } | Change::DropIndex { .. } => first.push(c),
                        c => rest.push(c),
                    }
                }
            }
        }
    }
    for t in from.tables.iter().rev() {
        if !to.tables.iter().any(|n| renames.old_table(&n.name) == t.name) {
            first.push(Change::DropTable(t.clone()));
        }
    }
    first.extend(rest);
    Ok(Diff { changes: first, from: from.clone(), to: to.clone(), renames: renames.clone(), skipped })
}

fn same_action(a: OnDelete, b: OnDelete) -> bool {
    let norm = |a| if a == OnDelete::NoAction { OnDelete::Unset } else { a };
    norm(a) == norm(b)
}

/// A check's condition without spaces, parentheses and PostgreSQL's added casts, to compare.
fn normal_check(sql: &str) -> String {
    let mut s: String = sql.chars().filter(|c| !c.is_whitespace() && *c != '(' && *c != ')').collect();
    while let Some(at) = s.find("::") {
        let end = s[at + 2..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(s.len(), |e| at + 2 + e);
        s.replace_range(at..end, "");
    }
    s.to_ascii_lowercase()
}

/// Whether two constraints are the same one (names compared only where both have one).
fn same_constraint(a: &Constraint, b: &Constraint) -> bool {
    let named = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    match (a, b) {
        (Constraint::Unique { name: n1, columns: c1 }, Constraint::Unique { name: n2, columns: c2 }) => {
            c1 == c2 && named(n1, n2)
        }
        (Constraint::Check { name: Some(n1), .. }, Constraint::Check { name: Some(n2), .. }) => n1 == n2,
        (Constraint::Check { sql: s1, .. }, Constraint::Check { sql: s2, .. }) => normal_check(s1) == normal_check(s2),
        (Constraint::ExactlyOne { name: n1, .. }, Constraint::ExactlyOne { name: n2, .. })
        | (Constraint::ExactlyOne { name: n1, .. }, Constraint::Check { name: Some(n2), .. })
        | (Constraint::Check { name: Some(n1), .. }, Constraint::ExactlyOne { name: n2, .. }) => n1 == n2,
        _ => false,
    }
}

/// A table's constraints with each column's `UNIQUE` as a one-column constraint.
fn all_constraints(t: &Table) -> Vec<Constraint> {
    let mut all: Vec<Constraint> = t
        .columns
        .iter()
        .filter(|c| c.unique)
        .map(|c| Constraint::Unique { name: None, columns: vec![c.name.clone()] })
        .collect();
    all.extend(t.constraints.iter().cloned());
    all
}

fn table_changes(old: &Table, new: &Table, renames: &Renames, out: &mut Vec<Change>) {
    let table = new.name.clone();
    let renamed = |cols: &[String]| -> Vec<String> {
        cols.iter()
            .map(|c| {
                renames
                    .columns
                    .iter()
                    .find(|(t, f, _)| *t == new.name && f == c)
                    .map(|(_, _, to)| to.clone())
                    .unwrap_or_else(|| c.clone())
            })
            .collect()
    };
    // indexes and foreign keys go before the columns they name (and before the table's rename,
    // so under its old name), and come back after
    for i in &old.indexes {
        let cols = renamed(&i.columns);
        if !new.indexes.iter().any(|n| n.name == i.name && n.columns == cols && n.unique == i.unique) {
            out.push(Change::DropIndex { table: old.name.clone(), index: i.clone() });
        }
    }
    for fk in &old.foreign_keys {
        let cols = renamed(&fk.columns);
        let kept = new.foreign_keys.iter().any(|n| {
            n.columns == cols
                && renames.old_table(&n.references) == fk.references
                && n.target_columns == fk.target_columns
                && same_action(n.on_delete, fk.on_delete)
        });
        if !kept {
            out.push(Change::DropForeignKey { table: old.name.clone(), foreign_key: fk.clone() });
        }
    }
    let old_constraints = all_constraints(old);
    let new_constraints = all_constraints(new);
    let renamed_constraint = |c: &Constraint| match c {
        Constraint::Unique { name, columns } => Constraint::Unique { name: name.clone(), columns: renamed(columns) },
        other => other.clone(),
    };
    for c in &old_constraints {
        if !new_constraints.iter().any(|n| same_constraint(&renamed_constraint(c), n)) {
            out.push(Change::DropConstraint { table: table.clone(), constraint: c.clone() });
        }
    }
    for c in &new.columns {
        let old_name = renames.old_column(&new.name, &c.name);
        match old.column(old_name) {
            None => out.push(Change::AddColumn { table: table.clone(), column: c.clone() }),
            Some(o) => {
                if old_name != c.name {
                    out.push(Change::RenameColumn {
                        table: table.clone(),
                        from: old_name.to_string(),
                        to: c.name.clone(),
                    });
                }
                if o.sql_type != c.sql_type || o.nullable != c.nullable {
                    out.push(Change::AlterColumn { table: table.clone(), from: o.clone(), to: c.clone() });
                }
            }
        }
    }
    for c in &old.columns {
        if !new.columns.iter().any(|n| renames.old_column(&new.name, &n.name) == c.name) {
            out.push(Change::DropColumn { table: table.clone(), column: c.clone() });
        }
    }
    if renamed(&old.primary_key) != new.primary_key {
        out.push(Change::PrimaryKey {
            table: table.clone(),
            from: old.primary_key.clone(),
            to: new.primary_key.clone(),
        });
    }
    for c in &new_constraints {
        if !old_constraints.iter().any(|o| same_constraint(&renamed_constraint(o), c)) {
            out.push(Change::AddConstraint { table: table.clone(), constraint: c.clone() });
        }
    }
    for fk in &new.foreign_keys {
        let existed = old.foreign_keys.iter().any(|o| {
            renamed(&o.columns) == fk.columns
                && renames.old_table(&fk.references) == o.references
                && o.target_columns == fk.target_columns
                && same_action(o.on_delete, fk.on_delete)
        });
        if !existed {
            out.push(Change::AddForeignKey { table: table.clone(), foreign_key: fk.clone() });
        }
    }
    for i in &new.indexes {
        let existed =
            old.indexes.iter().any(|o| o.name == i.name && renamed(&o.columns) == i.columns && o.unique == i.unique);
        if !existed {
            out.push(Change::AddIndex { table: table.clone(), index: i.clone() });
        }
    }
}

/// The question a drop beside an add of the same shape asks: was it a rename to `twin`, which
/// `renames` (given the new name) would declare?
fn rename_hint(twin: Option<&str>, renames: impl FnOnce(&str) -> String) -> String {
    match twin {
        Some(n) => {
            format!(" Was it renamed to `{n}`? Then declare it, `{}`, and write the migration again.", renames(n))
        }
        None => String::new(),
    }
}

/// Whether a column of type `from` holds every value of type `to` unchanged after the change.
fn widens(from: SqlType, to: SqlType) -> bool {
    use SqlType::*;
    match (from, to) {
        (Varchar(a), Varchar(b)) => b >= a,
        (Varchar(_), Text) => true,
        (SmallInteger, Integer | BigInteger) | (Integer, BigInteger) => true,
        (a, b) => a == b,
    }
}

impl Diff {
    /// Whether the two schemas are the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes that destroy or invent data, each said in one line: a table or column
    /// dropped (its rows or values lost), a `NOT NULL` column added to rows that exist (each
    /// given a placeholder value), a type changed to one that may not hold every value. A
    /// migration file marks each with `-- REVIEW:`, and nothing applies it while one is left.
    /// A drop beside an add of the same shape asks whether it was a rename.
    pub fn reviews(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.changes {
            match c {
                Change::DropTable(t) => {
                    let same_columns = |n: &Table| n.columns.iter().map(|c| &c.name).eq(t.columns.iter().map(|c| &c.name));
                    let twin = self.changes.iter().find_map(|o| match o {
                        Change::CreateTable(n) if same_columns(n) => Some(n.name.as_str()),
                        _ => None,
                    });
                    let hint = rename_hint(twin, |n| format!("Renames::none().table(\"{}\", \"{n}\")", t.name));
                    out.push(format!("table {} is dropped, with every row in it.{hint}", t.name));
                }
                Change::DropColumn { table, column } => {
                    let twin = self.changes.iter().find_map(|o| match o {
                        Change::AddColumn { table: t, column: n } if t == table && n.sql_type == column.sql_type => {
                            Some(n.name.as_str())
                        }
                        _ => None,
                    });
                    let hint =
                        rename_hint(twin, |n| format!("Renames::none().column(\"{table}\", \"{}\", \"{n}\")", column.name));
                    out.push(format!("column {table}.{} is dropped, with its values.{hint}", column.name));
                }
                Change::AddColumn { table, column } if !column.nullable => {
                    out.push(format!(
                        "column {table}.{} is added NOT NULL: the rows there are get {} (edit the value below, or declare the column nullable).",
                        column.name,
                        dialect::fill_literal(column.sql_type)
                    ))
                }
                Change::AlterColumn { table, from, to } if !widens(from.sql_type, to.sql_type) => {
                    let word = |t| {
                        let mut s = String::new();
                        dialect::type_word(t, &mut s);
                        s
                    };
                    out.push(format!(
                        "column {table}.{} changes type from {} to {}, which may not hold every value there is (cut, rounded or refused).",
                        to.name,
                        word(from.sql_type),
                        word(to.sql_type)
                    ))
                }
                _ => {}
            }
        }
        out
    }

    /// The statements that make the changes on `dialect`, in order. On SQLite a table whose
    /// changes `ALTER TABLE` cannot make (a type, a nullability, a key, a constraint, a dropped
    /// column) is rebuilt: created anew as `_new_<table>`, its rows copied, the old table
    /// dropped, the new one renamed and its indexes created again. Run the statements with
    /// foreign keys off, then check `PRAGMA foreign_key_check`, as
    /// [`Migrations`](crate::tools::migrate::Migrations) does.
    pub fn sql(&self, dialect: &dyn Dialect) -> Vec<String> {
        if dialect.rebuilds_tables() {
            self.rebuild_sql(dialect)
        } else {
            self.alter_sql(dialect)
        }
    }

    fn alter_sql(&self, d: &dyn Dialect) -> Vec<String> {
        let mut out = Vec::new();
        // foreign keys between new tables come after every table exists
        let mut later = Vec::new();
        for c in &self.changes {
            match c {
                Change::CreateTable(t) => {
                    let mut bare = t.clone();
                    bare.foreign_keys.retain(|fk| self.from.table(&fk.references).is_some() || fk.references == t.name);
                    out.extend(d.table_ddl(&bare));
                    for fk in t.foreign_keys.iter().filter(|fk| !bare.foreign_keys.contains(fk)) {
                        later.push(d.add_foreign_key(&t.name, fk));
                    }
                }
                Change::DropTable(t) => out.push(d.drop_table(&t.name)),
                Change::RenameTable { from, to } => out.push(dialect::rename_table(d, from, to)),
                Change::RenameColumn { table, from, to } => out.push(dialect::rename_column(d, table, from, to)),
                Change::AddColumn { table, column } => {
                    // the rows there are get a value, which the migration's file can change
                    let fill = (!column.nullable).then(|| dialect::fill_literal(column.sql_type));
                    out.extend(dialect::add_column(d, table, &column.name, column.sql_type, fill));
                }
                Change::DropColumn { table, column } => out.push(dialect::drop_column(d, table, &column.name)),
                Change::AlterColumn { table, from, to } => out.extend(d.alter_column(
                    table,
                    &to.name,
                    to.sql_type,
                    to.nullable,
                    from.sql_type != to.sql_type,
                    from.nullable != to.nullable,
                )),
                Change::PrimaryKey { table, from, to } => {
                    if !from.is_empty() {
                        out.push(d.drop_primary_key(table));
                    }
                    if !to.is_empty() {
                        out.push(dialect::add_primary_key(d, table, to));
                    }
                }
                Change::AddForeignKey { table, foreign_key } => out.push(d.add_foreign_key(table, foreign_key)),
                Change::DropForeignKey { table, foreign_key } => out.push(d.drop_foreign_key(table, foreign_key)),
                Change::AddConstraint { table, constraint } => out.push(dialect::add_constraint(d, table, constraint)),
                Change::DropConstraint { table, constraint } => {
                    let name = match constraint {
                        Constraint::Unique { name: None, columns } => d.default_constraint_name(table, Some(columns)),
                        Constraint::Check { name: None, .. } => d.default_constraint_name(table, None),
                        c => c.name().unwrap_or_default().to_string(),
                    };
                    out.push(d.drop_constraint(table, &name, matches!(constraint, Constraint::Unique { .. })))
                }
                Change::AddIndex { table, index } => out.push(dialect::create_index(d, table, index)),
                Change::DropIndex { table, index } => out.push(d.drop_index(table, &index.name)),
            }
        }
        out.extend(later);
        out
    }

    fn rebuild_sql<'a>(&'a self, d: &dyn Dialect) -> Vec<String> {
        // a table whose changes ALTER TABLE cannot make is rebuilt, as a whole, where its first
        // change stands
        let needs_rebuild = |c: &Change| match c {
            Change::AddColumn { column, .. } => !column.nullable || column.unique,
            Change::CreateTable(_)
            | Change::DropTable(_)
            | Change::RenameTable { .. }
            | Change::RenameColumn { .. }
            | Change::AddIndex { .. }
            | Change::DropIndex { .. } => false,
            _ => true,
        };
        // the drops that come first name a renamed table by its old name
        let new_name = |t: &'a str| -> &'a str {
            match self.renames.tables.iter().find(|(f, _)| f == t) {
                Some((_, to)) if self.to.table(to).is_some() => to,
                _ => t,
            }
        };
        let rebuilt: Vec<&str> =
            self.changes.iter().filter(|c| needs_rebuild(c)).map(|c| new_name(c.table())).collect();
        let mut done: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for c in &self.changes {
            let table = new_name(c.table());
            // a rebuilt table is read from under its old name: the rebuild renames it too
            if rebuilt.contains(&table) {
                if !done.contains(&table) {
                    done.push(table);
                    out.extend(self.rebuild(d, table));
                }
                continue;
            }
            match c {
                Change::CreateTable(t) => out.extend(d.table_ddl(t)),
                Change::DropTable(t) => out.push(d.drop_table(&t.name)),
                Change::RenameTable { from, to } => out.push(dialect::rename_table(d, from, to)),
                Change::RenameColumn { table, from, to } => out.push(dialect::rename_column(d, table, from, to)),
                // a column added in place is nullable (a `NOT NULL` one rebuilds its table)
                Change::AddColumn { table, column } => {
                    out.extend(dialect::add_column(d, table, &column.name, column.sql_type, None))
                }
                Change::AddIndex { table, index } => out.push(dialect::create_index(d, table, index)),
                Change::DropIndex { index, .. } => out.push(dialect::drop_index_by_name(d, &index.name)),
                _ => unreachable!("every other change rebuilds its table"),
            }
        }
        out
    }

    /// The rebuild of `table` (its new name) into its new shape, rows kept: steps 4 to 8 of
    /// SQLite's procedure (the caller turns foreign keys off and checks them after).
    fn rebuild(&self, d: &dyn Dialect, table: &str) -> Vec<String> {
        let ident = |s: &str| dialect::ddl_ident(d, s);
        let new = self.to.table(table).expect("a changed table is in the new schema");
        let old_name = self.renames.old_table(table);
        let old = self.from.table(old_name).expect("a changed table is in the old schema");
        let mut temp = new.clone();
        temp.name = format!("_new_{table}");
        temp.indexes.clear();
        let mut out = vec![d.create_table(&temp)];
        let mut into = Vec::new();
        let mut select = Vec::new();
        for c in &new.columns {
            let from = self.renames.old_column(table, &c.name);
            into.push(c.name.clone());
            match old.column(from) {
                Some(_) => select.push(ident(from)),
                // a new column: NULL, or for a NOT NULL one a value the file can change
                None if c.nullable => select.push("NULL".to_string()),
                None => select.push(dialect::fill_literal(c.sql_type).to_string()),
            }
        }
        out.push(dialect::copy_rows(d, &temp.name, &into, &select, old_name));
        out.push(d.drop_table(old_name));
        out.push(dialect::rename_table(d, &temp.name, table));
        out.extend(d.create_indexes(new));
        out
    }
}
