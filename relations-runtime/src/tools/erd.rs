//! Entity-relationship diagrams, as Mermaid `erDiagram` text (GitHub and most Markdown viewers
//! draw it) and as Graphviz DOT (`dot -Tpng schema.dot -o schema.png`): from a set of models
//! ([`Diagram::of`]), with each relationship's name, cascade and default loading, or from any
//! [`Catalog`] — a live database's ([`Diagram::from_catalog`]), with what its keys say.
//!
//! Cardinality follows the foreign keys: a `NOT NULL` key means exactly one parent, a nullable
//! one at most one; a unique key at most one child, otherwise any number; a plain association
//! table is many to many.

use std::fmt::Write;

use crate::orm::model::ModelSet;
use crate::schema::catalog::{Catalog, Table};
use crate::schema::{Cascade, Join, Lazy, RelationDef, SqlType};

/// A diagram: the tables and the links between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    /// The tables drawn (association tables of a many-to-many are drawn as the link).
    pub tables: Vec<Table>,
    /// The links.
    pub links: Vec<Link>,
}

/// How many rows one side of a link has for one row of the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cardinality {
    /// Exactly one.
    One,
    /// Zero or one.
    ZeroOrOne,
    /// Zero or more.
    Many,
}

/// A line between two tables: a foreign key (child to parent) or a many-to-many.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The referenced table (the parent; a many-to-many's first side).
    pub parent: String,
    /// How many parents a child row has.
    pub parent_side: Cardinality,
    /// The referencing table (the child; a many-to-many's other side).
    pub child: String,
    /// How many children a parent row has.
    pub child_side: Cardinality,
    /// What the line says: the foreign key's columns, or the relationships over it with their
    /// cascades and loading defaults.
    pub label: String,
}

fn cardinalities(t: &Table, columns: &[String]) -> (Cardinality, Cardinality) {
    let nullable = columns.iter().any(|c| t.column(c).is_some_and(|c| c.nullable));
    let parent = if nullable { Cardinality::ZeroOrOne } else { Cardinality::One };
    let child = if t.is_unique(columns) { Cardinality::ZeroOrOne } else { Cardinality::Many };
    (parent, child)
}

/// A plain association table: its two foreign keys are its only columns.
fn association(t: &Table) -> bool {
    t.foreign_keys.len() == 2
        && t.columns.len() == t.foreign_keys.iter().map(|f| f.columns.len()).sum::<usize>()
        && t.foreign_keys.iter().all(|f| f.columns.iter().all(|c| t.primary_key.contains(c)))
}

fn lazy_name(l: Lazy) -> &'static str {
    match l {
        Lazy::Select => "select",
        Lazy::Joined => "joined",
        Lazy::Selectin => "selectin",
        Lazy::Subquery => "subquery",
        Lazy::Dynamic => "dynamic",
        Lazy::Raise => "raise",
    }
}

fn cascade_words(c: Cascade) -> Option<String> {
    if c == Cascade::DEFAULT {
        return None;
    }
    let mut w = Vec::new();
    if c.save_update && c.delete {
        w.push("all");
    } else {
        if c.save_update {
            w.push("save-update");
        }
        if c.delete {
            w.push("delete");
        }
    }
    if c.delete_orphan {
        w.push("delete-orphan");
    }
    Some(w.join(", "))
}

/// `posts (cascade all, delete-orphan; lazy selectin)`.
fn relation_words(r: &RelationDef) -> String {
    let mut extra = Vec::new();
    if let Some(c) = cascade_words(r.cascade) {
        extra.push(format!("cascade {c}"));
    }
    if r.lazy != Lazy::Select {
        extra.push(format!("lazy {}", lazy_name(r.lazy)));
    }
    if extra.is_empty() {
        r.name.to_string()
    } else {
        format!("{} ({})", r.name, extra.join("; "))
    }
}

impl Diagram {
    /// The diagram of the tables of `catalog`, each foreign key a link labelled with its columns.
    pub fn from_catalog(catalog: &Catalog) -> Diagram {
        let mut tables = Vec::new();
        let mut links = Vec::new();
        for t in &catalog.tables {
            if association(t) {
                let (a, b) = (&t.foreign_keys[0], &t.foreign_keys[1]);
                links.push(Link {
                    parent: a.references.clone(),
                    parent_side: Cardinality::Many,
                    child: b.references.clone(),
                    child_side: Cardinality::Many,
                    label: format!("through {}", t.name),
                });
                continue;
            }
            tables.push(t.clone());
            for fk in &t.foreign_keys {
                let (parent_side, child_side) = cardinalities(t, &fk.columns);
                links.push(Link {
                    parent: fk.references.clone(),
                    parent_side,
                    child: t.name.clone(),
                    child_side,
                    label: fk.columns.join(", "),
                });
            }
        }
        Diagram { tables, links }
    }

    /// The diagram of a set of models (`Diagram::of::<(User, Post)>()`): its tables, and each
    /// link labelled with the relationships declared over it (`author / posts (cascade all)`),
    /// their cascades and their loading defaults where they are not the default.
    pub fn of<S: ModelSet>() -> Diagram {
        let mut d = Diagram::from_catalog(&Catalog::of::<S>());
        let relations: Vec<&RelationDef> = S::tables().iter().flat_map(|t| (t.relations)().iter().copied()).collect();
        for link in &mut d.links {
            let mut names = Vec::new();
            for r in &relations {
                let over = match r.join {
                    Join::Forward { columns } => {
                        r.owner.name == link.child && r.target.name == link.parent && link.label == columns.join(", ")
                    }
                    Join::Reverse { columns } => {
                        r.owner.name == link.parent && r.target.name == link.child && link.label == columns.join(", ")
                    }
                    Join::Through { table, .. } => {
                        link.label == format!("through {}", table.name)
                            && [r.owner.name, r.target.name] == [link.parent.as_str(), link.child.as_str()]
                    }
                };
                if over && !names.contains(&relation_words(r)) {
                    names.push(relation_words(r));
                }
            }
            if !names.is_empty() {
                let through = link.label.strip_prefix("through ").map(|t| format!(" through {t}")).unwrap_or_default();
                link.label = format!("{}{through}", names.join(" / "));
            }
        }
        d
    }

    /// Mermaid's `erDiagram`: one entity per table with its columns (`PK`, `FK`, `UK` marked),
    /// one relationship per link.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("erDiagram\n");
        for t in &self.tables {
            let _ = writeln!(out, "    {} {{", entity(&t.name));
            for c in &t.columns {
                let keys = column_keys(t, c);
                let null = if c.nullable { " \"nullable\"" } else { "" };
                let _ = writeln!(
                    out,
                    "        {} {}{}{null}",
                    type_word(c.sql_type),
                    entity(&c.name),
                    if keys.is_empty() { String::new() } else { format!(" {}", keys.join(", ")) }
                );
            }
            out.push_str("    }\n");
        }
        for l in &self.links {
            let left = match l.parent_side {
                Cardinality::One => "||",
                Cardinality::ZeroOrOne => "|o",
                Cardinality::Many => "}o",
            };
            let right = match l.child_side {
                Cardinality::One => "||",
                Cardinality::ZeroOrOne => "o|",
                Cardinality::Many => "o{",
            };
            let _ = writeln!(
                out,
                "    {} {left}--{right} {} : \"{}\"",
                entity(&l.parent),
                entity(&l.child),
                l.label.replace('"', "'")
            );
        }
        out
    }

    /// Graphviz DOT: one record-like node per table (its columns, keys marked), one edge per
    /// link from child to parent, its ends labelled with the cardinalities.
    pub fn dot(&self) -> String {
        let mut out = String::from(
            "digraph schema {\n    graph [rankdir=LR, fontname=\"Helvetica\"];\n    \
             node [shape=plaintext, fontname=\"Helvetica\"];\n    edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for t in &self.tables {
            let _ = write!(
                out,
                "    {} [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\">\
                 <TR><TD BGCOLOR=\"lightgrey\"><B>{}</B></TD></TR>",
                dot_id(&t.name),
                html(&t.name)
            );
            for c in &t.columns {
                let keys = column_keys(t, c);
                let null = if c.nullable { "" } else { " NOT NULL" };
                let _ = write!(
                    out,
                    "<TR><TD ALIGN=\"LEFT\">{} <I>{}</I>{null}{}</TD></TR>",
                    html(&c.name),
                    html(&type_word(c.sql_type)),
                    if keys.is_empty() { String::new() } else { format!(" [{}]", keys.join(", ")) }
                );
            }
            out.push_str("</TABLE>>];\n");
        }
        let end = |c: Cardinality| match c {
            Cardinality::One => "1",
            Cardinality::ZeroOrOne => "0..1",
            Cardinality::Many => "*",
        };
        for l in &self.links {
            let _ = writeln!(
                out,
                "    {} -> {} [label={}, taillabel=\"{}\", headlabel=\"{}\"];",
                dot_id(&l.child),
                dot_id(&l.parent),
                dot_id(&l.label),
                end(l.child_side),
                end(l.parent_side)
            );
        }
        out.push_str("}\n");
        out
    }
}

/// What a column is part of: `PK`, `FK`, `UK`.
fn column_keys(t: &Table, c: &crate::schema::catalog::Column) -> Vec<&'static str> {
    let mut keys = Vec::new();
    if t.primary_key.contains(&c.name) {
        keys.push("PK");
    }
    if t.foreign_keys.iter().any(|fk| fk.columns.contains(&c.name)) {
        keys.push("FK");
    }
    if c.unique {
        keys.push("UK");
    }
    keys
}

/// A Mermaid entity or attribute name: letters, digits, `_` and `-`.
fn entity(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}

/// The type as one word Mermaid accepts (`VARCHAR(80)`, `NUMERIC(10,2)`).
fn type_word(t: SqlType) -> String {
    let mut s = String::new();
    crate::dialect::type_word(t, &mut s);
    s.replace(' ', "")
}

/// A quoted DOT identifier.
fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
