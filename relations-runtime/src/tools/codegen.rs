//! Reverse engineering: Rust models, with their relationship attributes, written from a
//! [`Catalog`] (an existing database's, read by [`Db::inspect`](crate::orm::db::Db::inspect)) — what
//! `sqlacodegen` does for SQLAlchemy.
//!
//! - a table is a model named by its singular in CamelCase (`order_lines` → `OrderLine`,
//!   `#[model(table = "order_lines")]`);
//! - a foreign key is a `#[belongs_to]` field named after its column without `_id`, and the
//!   parent gets the `#[has_many]` back (`#[has_one]` when the key is unique), both naming the
//!   other as `inverse`;
//! - a foreign key to its own table is a `#[self_ref]` with `children`;
//! - a table of exactly two foreign keys that are its primary key is a plain association
//!   table: a `#[many_to_many(through = ...)]` on the first key's model, with the `backref` on
//!   the other; with more columns it is an association model with a composite `#[key]`;
//! - unique constraints, checks and indexes become `#[column(unique, index)]` and
//!   `#[model(unique(..), check(..), index(..))]`, with the database's names.
//!
//! The source compiles in a crate that depends on `relations` alone and ends with
//! `pub fn create_all(db: &relations::Db) -> relations::Result<()>`.

use std::fmt::Write;

use crate::schema::catalog::{Catalog, Column, Constraint, ForeignKey, Table};
use crate::schema::{OnDelete, SqlType};

/// The Rust source of the models of `catalog` and a `create_all` creating them all.
pub fn models(catalog: &Catalog) -> String {
    Generator::new(catalog).source()
}

/// The names in `catalog` that a model cannot declare (the derive takes SQL names of letters,
/// digits and `_`, not starting with a digit or `sqlite_`, up to 63 characters), each as
/// `table "x y"` or `column "t"."x y"`: the written models name them as they are, and the
/// derive refuses them, naming the attribute. Rename them in the database first.
pub fn unsupported_names(catalog: &Catalog) -> Vec<String> {
    let valid = |n: &str| {
        !n.is_empty()
            && n.len() <= 63
            && !n.starts_with(|c: char| c.is_ascii_digit())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !crate::dialect::reserved_name(n)
    };
    let mut out = Vec::new();
    for t in &catalog.tables {
        if !valid(&t.name) {
            out.push(format!("table {:?}", t.name));
        }
        for c in t.columns.iter().filter(|c| !valid(&c.name)) {
            out.push(format!("column {:?}.{:?}", t.name, c.name));
        }
        for i in t.indexes.iter().filter(|i| !valid(&i.name)) {
            out.push(format!("index {:?}", i.name));
        }
        for name in t.constraints.iter().filter_map(Constraint::name).filter(|n| !valid(n)) {
            out.push(format!("constraint {name:?}"));
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "static", "struct", "super", "trait", "true", "try", "type", "unsafe", "use", "where", "while", "yield",
    "abstract", "become", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual",
];

/// Names the generated file imports or that the derive generates: no model may take them.
const TAKEN_TYPES: &[&str] =
    &["Model", "BelongsTo", "HasMany", "HasOne", "ManyToMany", "Db", "Result", "Option", "String", "Vec", "Self"];

/// `order_lines` → `order_line`; `addresses` → `address`; `categories` → `category`.
pub fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let cut = |n: usize| word[..word.len() - n].to_string();
    if lower.ends_with("ies") && word.len() > 3 {
        format!("{}y", cut(3))
    } else if ["sses", "xes", "ches", "shes", "zzes"].iter().any(|s| lower.ends_with(s)) {
        cut(2)
    } else if lower.ends_with('s') && !lower.ends_with("ss") && !lower.ends_with("us") && !lower.ends_with("is") {
        cut(1)
    } else {
        word.to_string()
    }
}

/// `order_line` → `order_lines`; `category` → `categories`; `address` → `addresses`.
pub fn plural(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if lower.ends_with('y') && !lower.ends_with("ay") && !lower.ends_with("ey") && !lower.ends_with("oy") {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "ch", "sh", "z"].iter().any(|s| lower.ends_with(s)) {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// `order_line` → `OrderLine`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    out
}

/// `OrderLine` → `order_line`, as the derive names a table.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A Rust field name for a SQL name: lower snake case, not a keyword, not starting with a
/// digit; whether it differs from the SQL name (then the column is named explicitly).
fn field_name(sql: &str) -> String {
    let mut s: String =
        sql.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'c');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn strs(columns: &[String]) -> String {
    columns.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(", ")
}

/// A relationship field added to a model.
struct Field {
    /// Where it goes among the columns (its first column's position; collections at the end).
    position: usize,
    text: String,
}

struct Model<'a> {
    table: &'a Table,
    name: String,
    /// Field names taken so far (columns and relationships).
    taken: Vec<String>,
    fields: Vec<Field>,
    /// Columns written as part of a relationship field, not as plain fields.
    consumed: Vec<String>,
}

struct Generator<'a> {
    /// The tables without a primary key, which no model can hold.
    unkeyed: Vec<&'a str>,
    /// The names the derive refuses ([`unsupported_names`]).
    unsupported: Vec<String>,
    models: Vec<Model<'a>>,
    /// The plain association tables (written as `many_to_many`, not as models).
    associations: Vec<&'a Table>,
}

impl<'a> Generator<'a> {
    fn new(catalog: &'a Catalog) -> Self {
        let associations: Vec<&Table> = catalog.tables.iter().filter(|t| plain_association(catalog, t)).collect();
        let mut names: Vec<String> = Vec::new();
        let mut models = Vec::new();
        let keyed = catalog.tables.iter().filter(|t| !t.primary_key.is_empty());
        for t in keyed.filter(|t| !associations.iter().any(|a| a.name == t.name)) {
            let mut name = camel(&singular(&t.name));
            if names.contains(&name) || TAKEN_TYPES.contains(&name.as_str()) {
                name = camel(&t.name);
            }
            while names.contains(&name) || TAKEN_TYPES.contains(&name.as_str()) {
                name.push_str("Row");
            }
            names.push(name.clone());
            let taken = t.columns.iter().map(|c| field_name(&c.name)).collect();
            models.push(Model { table: t, name, taken, fields: Vec::new(), consumed: Vec::new() });
        }
        let unkeyed = catalog.tables.iter().filter(|t| t.primary_key.is_empty()).map(|t| t.name.as_str()).collect();
        let mut g = Generator { unkeyed, unsupported: unsupported_names(catalog), models, associations };
        g.relationships();
        g
    }

    fn model_index(&self, table: &str) -> Option<usize> {
        self.models.iter().position(|m| m.table.name == table)
    }

    /// A free field name on model `m` based on `want`.
    fn claim(&mut self, m: usize, want: &str) -> String {
        let mut name = field_name(want);
        while self.models[m].taken.contains(&name) {
            name.push_str("_rel");
        }
        self.models[m].taken.push(name.clone());
        name
    }

    fn relationships(&mut self) {
        for mi in 0..self.models.len() {
            let table = self.models[mi].table;
            for fk in &table.foreign_keys {
                let Some(pi) = self.model_index(&fk.references) else { continue };
                let parent = self.models[pi].table;
                let nullable = fk.columns.iter().any(|c| table.column(c).is_some_and(|c| c.nullable));
                // a reference to other columns than the key, or a self-reference no `self_ref`
                // holds (`NOT NULL`, composite): left as plain columns, the key noted on them
                if fk.target_columns != parent.primary_key || (pi == mi && !(fk.columns.len() == 1 && nullable)) {
                    continue;
                }
                let position = table.columns.iter().position(|c| c.name == fk.columns[0]).unwrap_or(0);
                let single = fk.columns.len() == 1;
                let column = &fk.columns[0];
                let base = if single {
                    column
                        .strip_suffix("_id")
                        .filter(|b| !b.is_empty())
                        .map(str::to_string)
                        .unwrap_or(format!("{column}_ref"))
                } else {
                    snake(&self.models[pi].name)
                };
                // the field replaces its column: free the column's name first
                self.models[mi].taken.retain(|t| !fk.columns.iter().any(|c| field_name(c) == *t));
                let field = self.claim(mi, &base);
                let in_key = fk.columns.iter().all(|c| table.primary_key.contains(c));
                let unique = table.is_unique(&fk.columns) && !in_key;
                // the derive names a foreign key after its parent: `user_id` to `User`
                let default_column = format!("{}_id", snake(&self.models[pi].name));
                let mut args = Vec::new();
                if single && (*column != default_column || pi == mi) {
                    args.push(format!("column = {}", quoted(column)));
                }
                if !single {
                    args.push(format!("columns({})", strs(&fk.columns)));
                }
                if let Some(action) = on_delete_name(fk.on_delete) {
                    args.push(format!("on_delete = {}", quoted(action)));
                }
                let index = single
                    && table
                        .indexes
                        .iter()
                        .any(|i| i.columns == fk.columns && i.name == table.index_name(&fk.columns) && !i.unique);
                let mut text = String::new();
                if pi == mi {
                    let children = self.claim(mi, &plural(&field_name(&snake(&self.models[mi].name))));
                    args.insert(0, format!("children = {children}"));
                    if index {
                        args.push("index".into());
                    }
                    let _ = write!(
                        text,
                        "    #[self_ref({})]\n    pub {field}: BelongsTo<Option<Self>>,\n",
                        args.join(", ")
                    );
                } else {
                    let own = snake(&self.models[mi].name);
                    let siblings = table.foreign_keys.iter().filter(|f| f.references == fk.references).count();
                    let back_base = if unique {
                        own.clone()
                    } else if siblings > 1 {
                        format!("{field}_{}", plural(&own))
                    } else {
                        plural(&own)
                    };
                    let back = self.claim(pi, &back_base);
                    // the column's own UNIQUE (a table's constraint or index stays one)
                    if single && table.column(column).is_some_and(|c| c.unique) {
                        args.push("unique".into());
                    }
                    if index {
                        args.push("index".into());
                    }
                    args.push(format!("inverse = {back}"));
                    let target = self.models[pi].name.clone();
                    let ty =
                        if nullable { format!("BelongsTo<Option<{target}>>") } else { format!("BelongsTo<{target}>") };
                    if in_key {
                        text.push_str("    #[key]\n");
                    }
                    let _ = write!(text, "    #[belongs_to({target}, {})]\n    pub {field}: {ty},\n", args.join(", "));
                    let child = self.models[mi].name.clone();
                    let (attr, wrapper) = if unique { ("has_one", "HasOne") } else { ("has_many", "HasMany") };
                    self.models[pi].fields.push(Field {
                        position: usize::MAX,
                        text: format!(
                            "    #[{attr}({child}, inverse = {field})]\n    pub {back}: {wrapper}<{child}>,\n"
                        ),
                    });
                }
                self.models[mi].consumed.extend(fk.columns.iter().cloned());
                self.models[mi].fields.push(Field { position, text });
            }
        }
        for a in self.associations.clone() {
            let (local, remote) = (&a.foreign_keys[0], &a.foreign_keys[1]);
            let (Some(oi), Some(ti)) = (self.model_index(&local.references), self.model_index(&remote.references))
            else {
                continue;
            };
            let target = self.models[ti].name.clone();
            let field = self.claim(oi, &plural(&snake(&self.models[ti].name)));
            let field = if oi == ti { self.rename_self_field(oi, field, &remote.columns[0]) } else { field };
            let back = self.claim(
                ti,
                &if oi == ti {
                    plural(local.columns[0].strip_suffix("_id").unwrap_or(&local.columns[0]))
                } else {
                    plural(&snake(&self.models[oi].name))
                },
            );
            let through = if field_name(&a.name) == a.name { a.name.clone() } else { quoted(&a.name) };
            self.models[oi].fields.push(Field {
                position: usize::MAX,
                text: format!(
                    "    #[many_to_many({target}, through = {through}, local = {}, remote = {}, backref = {back})]\n    pub {field}: ManyToMany<{target}>,\n",
                    quoted(&local.columns[0]),
                    quoted(&remote.columns[0]),
                ),
            });
        }
    }

    /// A many-to-many from a model to itself is named after its remote column (`followed_id`
    /// → `followed`, `friend_id` → `friends`).
    fn rename_self_field(&mut self, m: usize, field: String, remote: &str) -> String {
        self.models[m].taken.retain(|t| *t != field);
        let stem = remote.strip_suffix("_id").unwrap_or(remote);
        // `friend_id` → `friends`, `followed_id` → `followed`
        self.claim(m, &if stem.ends_with("ed") { stem.to_string() } else { plural(stem) })
    }

    fn source(&self) -> String {
        let models: Vec<String> = self.models.iter().map(|m| self.model_source(m)).collect();
        let used: Vec<&str> = ["BelongsTo", "HasMany", "HasOne", "ManyToMany"]
            .into_iter()
            .filter(|w| models.iter().any(|m| m.contains(&format!("{w}<"))))
            .chain(["Model"])
            .collect();
        let mut out = String::from(
            "//! Models written by `relations inspect` from an existing database.\n\n#![allow(dead_code)]\n\n",
        );
        for name in &self.unsupported {
            let _ = writeln!(
                out,
                "// Not a valid model name, which the derive refuses: {name}; rename it in the database."
            );
        }
        if !self.unsupported.is_empty() {
            out.push('\n');
        }
        for t in &self.unkeyed {
            let _ = writeln!(
                out,
                "// Not written: `{t}` has no primary key, which a model needs; give the table one, then inspect again.\n"
            );
        }
        let _ = writeln!(out, "use relations::{{{}}};", used.join(", "));
        for m in models {
            out.push('\n');
            out.push_str(&m);
        }
        let names: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
        out.push_str("\n/// Creates every table of these models that does not exist yet, parents first.\n");
        out.push_str("pub fn create_all(db: &relations::Db) -> relations::Result<()> {\n");
        // a tuple holds up to 32 models; later calls find the earlier tables in the database
        for chunk in names.chunks(32) {
            let comma = if chunk.len() == 1 { "," } else { "" };
            let _ = writeln!(out, "    db.create_all::<({}{comma})>()?;", chunk.join(", "));
        }
        out.push_str("    Ok(())\n}\n");
        out
    }

    fn model_source(&self, m: &Model<'_>) -> String {
        let t = m.table;
        let mut out = String::new();
        let _ = writeln!(out, "/// The `{}` table.", t.name);
        out.push_str("#[derive(Model, Debug, Clone, PartialEq)]\n");
        let mut args = Vec::new();
        if snake(&m.name) != t.name {
            args.push(format!("table = {}", quoted(&t.name)));
        }
        for c in &t.constraints {
            match c {
                Constraint::Unique { name, columns } => args.push(match name {
                    Some(n) => format!("unique({}, name = {})", strs(columns), quoted(n)),
                    None => format!("unique({})", strs(columns)),
                }),
                Constraint::Check { name, sql } => args.push(match name {
                    Some(n) => format!("check({}, name = {})", quoted(sql), quoted(n)),
                    None => format!("check({})", quoted(sql)),
                }),
                Constraint::ExactlyOne { .. } => {}
            }
        }
        for i in &t.indexes {
            if self.column_index(t, i) {
                continue;
            }
            let kind = if i.unique { "unique_index" } else { "index" };
            args.push(format!("{kind}({}, name = {})", strs(&i.columns), quoted(&i.name)));
        }
        match &args[..] {
            [] => {}
            [one] => {
                let _ = writeln!(out, "#[model({one})]");
            }
            _ => {
                let _ = writeln!(out, "#[model(\n    {}\n)]", args.join(",\n    "));
            }
        }
        let _ = writeln!(out, "pub struct {} {{", m.name);
        let mut relation_fields: Vec<&Field> = m.fields.iter().filter(|f| f.position != usize::MAX).collect();
        relation_fields.sort_by_key(|f| f.position);
        for (position, c) in t.columns.iter().enumerate() {
            for f in relation_fields.iter().filter(|f| f.position == position) {
                out.push_str(&f.text);
            }
            if m.consumed.contains(&c.name) {
                continue;
            }
            out.push_str(&self.column_source(t, c));
        }
        for f in m.fields.iter().filter(|f| f.position == usize::MAX) {
            out.push_str(&f.text);
        }
        out.push_str("}\n");
        out
    }

    /// Whether index `i` is written as its column's `#[column(index)]`.
    fn column_index(&self, t: &Table, i: &crate::schema::catalog::Index) -> bool {
        let [c] = &i.columns[..] else { return false };
        let fk_column = t.foreign_keys.iter().any(|fk| fk.columns == i.columns);
        i.name == t.index_name(&i.columns) && t.column(c).is_some() && !(fk_column && i.unique)
    }

    fn column_source(&self, t: &Table, c: &Column) -> String {
        let mut out = String::new();
        let field = field_name(&c.name);
        let mut args = Vec::new();
        if field != c.name {
            args.push(format!("name = {}", quoted(&c.name)));
        }
        let indexed = t.indexes.iter().find(|i| i.columns == [c.name.as_str()] && self.column_index(t, i));
        if c.unique || indexed.is_some_and(|i| i.unique) {
            args.push("unique".into());
        }
        if indexed.is_some() {
            args.push("index".into());
        }
        let (ty, extra) = rust_type(c.sql_type);
        args.extend(extra);
        if let Some(declared) = &c.declared_type {
            let _ = writeln!(out, "    /// `{declared}` in the database.");
        }
        // a foreign key no relationship holds (to columns other than a model's key)
        if let Some(fk) = t.foreign_keys.iter().find(|fk| fk.columns.contains(&c.name)) {
            let _ = writeln!(
                out,
                "    /// `FOREIGN KEY` to `{}({})` in the database, which no relationship here declares.",
                fk.references,
                fk.target_columns.join(", ")
            );
        }
        if t.primary_key.contains(&c.name) && !(t.primary_key.len() == 1 && field == "id") {
            out.push_str("    #[key]\n");
        }
        if !args.is_empty() {
            let _ = writeln!(out, "    #[column({})]", args.join(", "));
        }
        let ty = if c.nullable { format!("Option<{ty}>") } else { ty.to_string() };
        let _ = writeln!(out, "    pub {field}: {ty},");
        out
    }
}

/// The Rust type holding `t`, and the `#[column]` keys that declare `t` exactly.
fn rust_type(t: SqlType) -> (&'static str, Vec<String>) {
    match t {
        SqlType::Integer => ("i64", vec![]),
        SqlType::SmallInteger => ("i16", vec![]),
        SqlType::BigInteger => ("i64", vec!["bigint".into()]),
        SqlType::Boolean => ("bool", vec![]),
        SqlType::Float => ("f64", vec![]),
        SqlType::Varchar(None) => ("String", vec![]),
        SqlType::Varchar(Some(n)) => ("String", vec![format!("len = {n}")]),
        // types that need a feature of `relations` are read as text
        SqlType::Text | SqlType::Uuid | SqlType::Json => ("String", vec!["text".into()]),
        SqlType::Blob => ("Vec<u8>", vec![]),
        SqlType::DateTime => ("relations::chrono::NaiveDateTime", vec![]),
        SqlType::Date => ("relations::chrono::NaiveDate", vec![]),
        SqlType::Time => ("relations::chrono::NaiveTime", vec![]),
        SqlType::Numeric(None) => ("relations::rust_decimal::Decimal", vec![]),
        SqlType::Numeric(Some((p, s))) => {
            ("relations::rust_decimal::Decimal", vec![format!("numeric(precision = {p}, scale = {s})")])
        }
    }
}

fn on_delete_name(a: OnDelete) -> Option<&'static str> {
    match a {
        OnDelete::Unset | OnDelete::NoAction => None,
        OnDelete::Cascade => Some("cascade"),
        OnDelete::SetNull => Some("set null"),
        OnDelete::Restrict => Some("restrict"),
    }
}

/// A plain association table: two `NOT NULL` columns, each a one-column foreign key to a
/// model's one-column key, together the primary key, and nothing else on the table.
fn plain_association(catalog: &Catalog, t: &Table) -> bool {
    let [a, b] = &t.foreign_keys[..] else { return false };
    let single = |fk: &ForeignKey| {
        fk.columns.len() == 1
            && fk.on_delete == OnDelete::Unset
            && catalog
                .table(&fk.references)
                .is_some_and(|p| p.primary_key == fk.target_columns && p.primary_key.len() == 1)
    };
    t.columns.len() == 2
        && t.columns.iter().all(|c| !c.nullable && !c.unique && c.sql_type == SqlType::Integer)
        && single(a)
        && single(b)
        && t.primary_key == [a.columns[0].clone(), b.columns[0].clone()]
        && t.constraints.is_empty()
        && t.indexes.is_empty()
        && a.references != t.name
        && b.references != t.name
}
