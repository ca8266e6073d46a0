//! Compile-time checks across models, run by constants the derive emits: what one derive
//! cannot see is the other model, so each model lists its relationships as plain data
//! ([`RelationInfo`]) and the checking model's constants read the list. A failed check is a
//! message ([`Msg`], built without allocating) that the generated constant panics with, so the
//! compiler reports it as the derive's own words, spanned at the attribute.

use crate::schema::{ColumnDef, Join, SqlType, Table};

/// A relationship's kind, as the checks name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelKind {
    /// `#[has_many]`, or the children of a `#[self_ref]`.
    HasMany,
    /// `#[has_one]`.
    HasOne,
    /// `#[belongs_to]`, or the parent of a `#[self_ref]`.
    BelongsTo,
    /// `#[many_to_many]`.
    ManyToMany,
}

impl RelKind {
    const fn attr(self) -> &'static str {
        match self {
            RelKind::HasMany => "has_many",
            RelKind::HasOne => "has_one",
            RelKind::BelongsTo => "belongs_to",
            RelKind::ManyToMany => "many_to_many",
        }
    }

    /// Whether a relationship of kind `other` can be the inverse of one of this kind.
    const fn pairs_with(self, other: RelKind) -> bool {
        matches!(
            (self, other),
            (RelKind::HasMany | RelKind::HasOne, RelKind::BelongsTo)
                | (RelKind::BelongsTo, RelKind::HasMany | RelKind::HasOne)
                | (RelKind::ManyToMany, RelKind::ManyToMany)
        )
    }

    /// The kinds that pair with this one, for messages.
    const fn partner(self) -> &'static str {
        match self {
            RelKind::HasMany | RelKind::HasOne => "a `belongs_to`",
            RelKind::BelongsTo => "a `has_many` or `has_one`",
            RelKind::ManyToMany => "a `many_to_many`",
        }
    }
}

/// One relationship field of a model, as plain data: what the other side's checks read.
#[derive(Debug, Clone, Copy)]
pub struct RelationInfo {
    /// The field's name.
    pub name: &'static str,
    /// Its kind.
    pub kind: RelKind,
    /// The related model's table.
    pub target: &'static str,
    /// A `belongs_to`'s foreign key columns (one, or a composite key's; none for the other
    /// kinds).
    pub columns: &'static [&'static str],
    /// The `inverse` it names, if any.
    pub inverse: Option<&'static str>,
    /// A many-to-many's join through its association table.
    pub through: Option<Join>,
    /// `lazy = "dynamic"`.
    pub dynamic: bool,
}

/// The table of nothing: what a join names while its declaration is reported as a mistake.
const NO_TABLE: Table = Table::plain("", &[]);

const CAP: usize = 1024;

/// A message built in a constant: empty when the check passed.
#[derive(Debug, Clone, Copy)]
pub struct Msg {
    buf: [u8; CAP],
    len: usize,
}

impl Msg {
    /// No message: the check passed.
    pub const OK: Msg = Msg { buf: [0; CAP], len: 0 };

    /// Whether the check failed.
    pub const fn failed(&self) -> bool {
        self.len > 0
    }

    /// The message.
    pub const fn as_str(&self) -> &str {
        let (text, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(text) {
            Ok(s) => s,
            Err(_) => "a relationship check failed (its message was cut)",
        }
    }

    const fn push(mut self, s: &str) -> Msg {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() && self.len < CAP {
            self.buf[self.len] = b[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// `` `a.b` ``.
    const fn path(self, a: &str, b: &str) -> Msg {
        self.push("`").push(a).push(".").push(b).push("`")
    }

    /// `` `name` ``.
    const fn code(self, name: &str) -> Msg {
        self.push("`").push(name).push("`")
    }
}

/// A composite foreign key (`columns`, of `model.field`) has one column per column of the
/// referenced key (`key`, of `table`).
pub const fn check_composite_fk(
    model: &str,
    field: &str,
    columns: &[&str],
    table: &str,
    key: &[&str],
    n: usize,
) -> Msg {
    if key.len() == n {
        return Msg::OK;
    }
    let mut m = Msg::OK
        .path(model, field)
        .push(" has a foreign key of ")
        .push(count(n))
        .push(" columns, but the key of ")
        .code(table)
        .push(" has ")
        .push(count(key.len()))
        .push(": (");
    let mut i = 0;
    while i < key.len() {
        if i > 0 {
            m = m.push(", ");
        }
        m = m.push(key[i]);
        i += 1;
    }
    m = m.push("); give `columns(...)` one column per key column, in that order (");
    let mut i = 0;
    while i < columns.len() {
        if i > 0 {
            m = m.push(", ");
        }
        m = m.push(columns[i]);
        i += 1;
    }
    m.push(" now)")
}

const fn count(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        4 => "4",
        5 => "5",
        _ => "many",
    }
}

/// Every variant of the owner enum `owner_enum` (its `(model, table)` pairs) is the model of one
/// of `model`'s owner keys, whose tables are `members`.
pub const fn check_owner_variants(model: &str, owner_enum: &str, variants: &[(&str, &str)], members: &[&str]) -> Msg {
    let mut i = 0;
    while i < variants.len() {
        let (variant_model, table) = variants[i];
        let mut j = 0;
        let mut found = false;
        while j < members.len() {
            found |= str_eq(members[j], table);
            j += 1;
        }
        if !found {
            return Msg::OK
                .code(owner_enum)
                .push(" has a variant for ")
                .code(variant_model)
                .push(", but ")
                .code(model)
                .push(" has no `#[belongs_to(")
                .push(variant_model)
                .push(", owner = ")
                .push(owner_enum)
                .push(")]` field: add one, or remove the variant");
        }
        i += 1;
    }
    Msg::OK
}

pub use crate::schema::str_eq;

/// The edit distance between two names (names over 63 bytes count as far from everything).
const fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 63 || b.len() > 63 {
        return usize::MAX / 2;
    }
    let mut row = [0usize; 64];
    let mut j = 0;
    while j <= b.len() {
        row[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= a.len() {
        let mut diagonal = row[0];
        row[0] = i;
        let mut j = 1;
        while j <= b.len() {
            let above = row[j];
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let mut best = diagonal + cost;
            if above + 1 < best {
                best = above + 1;
            }
            if row[j - 1] + 1 < best {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diagonal = above;
            j += 1;
        }
        i += 1;
    }
    row[b.len()]
}

/// Appends `names`, comma-separated and quoted, the closest to `wanted` first (at most 32).
const fn closest_first(mut m: Msg, names: &[&str], wanted: &str) -> Msg {
    let n = if names.len() < 32 { names.len() } else { 32 };
    let mut used = [false; 32];
    let mut k = 0;
    while k < n {
        let mut best = n;
        let mut best_d = usize::MAX;
        let mut i = 0;
        while i < n {
            let d = distance(names[i], wanted);
            if !used[i] && d < best_d {
                best = i;
                best_d = d;
            }
            i += 1;
        }
        used[best] = true;
        if k > 0 {
            m = m.push(", ");
        }
        m = m.code(names[best]);
        k += 1;
    }
    m
}

/// The names of a model's relationships, as a fixed array (at most 32).
const fn relation_names(rels: &[RelationInfo]) -> ([&'static str; 32], usize) {
    let mut out = [""; 32];
    let mut i = 0;
    while i < rels.len() && i < 32 {
        out[i] = rels[i].name;
        i += 1;
    }
    (out, i)
}

/// The names of a table's columns, as a fixed array (at most 32).
const fn column_names(columns: &[ColumnDef]) -> ([&'static str; 32], usize) {
    let mut out = [""; 32];
    let mut i = 0;
    while i < columns.len() && i < 32 {
        out[i] = columns[i].name;
        i += 1;
    }
    (out, i)
}

const fn find(rels: &[RelationInfo], name: &str) -> Option<RelationInfo> {
    let mut i = 0;
    while i < rels.len() {
        if str_eq(rels[i].name, name) {
            return Some(rels[i]);
        }
        i += 1;
    }
    None
}

const fn find_column(table: &Table, name: &str) -> Option<ColumnDef> {
    let mut i = 0;
    while i < table.columns.len() {
        if str_eq(table.columns[i].name, name) {
            return Some(table.columns[i]);
        }
        i += 1;
    }
    None
}

/// The foreign key columns of the `belongs_to` named `name` (for the `has_many` whose
/// `inverse` it is); none when there is no such `belongs_to`, which [`check_inverse`] reports.
pub const fn inverse_column(rels: &[RelationInfo], name: &str) -> &'static [&'static str] {
    match find(rels, name) {
        Some(RelationInfo { kind: RelKind::BelongsTo, columns, .. }) => columns,
        _ => &[],
    }
}

/// The first of `columns`, or `""`.
const fn first(columns: &'static [&'static str]) -> &'static str {
    match columns.first() {
        Some(c) => c,
        None => "",
    }
}

/// The join of the many-to-many named `name`, seen from its other side.
pub const fn inverse_through(rels: &[RelationInfo], name: &str) -> Join {
    match find(rels, name) {
        Some(RelationInfo { through: Some(Join::Through { table, local, remote }), .. }) => {
            Join::Through { table, local: remote, remote: local }
        }
        // reported by `check_inverse`
        _ => Join::Through { table: &NO_TABLE, local: "", remote: "" },
    }
}

/// What a relationship declared on one model needs to name in messages: `Owner.name`, of
/// `kind`, on table `table`.
#[derive(Debug, Clone, Copy)]
pub struct Ours {
    /// The owner model's Rust name.
    pub model: &'static str,
    /// The owner's table.
    pub table: &'static str,
    /// The relationship's field.
    pub name: &'static str,
    /// Its kind.
    pub kind: RelKind,
    /// For a many-to-many: whether it declares its association table (`through`) itself.
    pub through: bool,
}

/// The model a relationship points at, as its derive described it.
#[derive(Debug, Clone, Copy)]
pub struct Theirs {
    /// Its Rust name.
    pub model: &'static str,
    /// Its table.
    pub table: &'static Table,
    /// Its relationships.
    pub relations: &'static [RelationInfo],
    /// Whether its derive failed (its own error is reported; nothing is checked against it).
    pub failed: bool,
}

/// `inverse = name` on `ours`: the target has a relationship `name`, of a kind that pairs
/// with ours, pointing back at our table, and naming no other inverse.
pub const fn check_inverse(ours: Ours, theirs: Theirs, name: &str) -> Msg {
    if theirs.failed {
        return Msg::OK;
    }
    let m = Msg::OK.path(ours.model, ours.name).push(" names ").path(theirs.model, name).push(" as its inverse, but ");
    let Some(info) = find(theirs.relations, name) else {
        let (names, n) = relation_names(theirs.relations);
        if n == 0 {
            return m.code(theirs.model).push(" declares no relationship; declare ").push(ours.kind.partner()).push(
                " field on it, or drop `inverse` (a `has_many` then finds its foreign key by the `<model>_id` convention)",
            );
        }
        let (names, _) = names.split_at(n);
        let m = m.code(theirs.model).push(" has no relationship ").code(name).push("; its relationships are ");
        return closest_first(m, names, name);
    };
    if !ours.kind.pairs_with(info.kind) {
        return m
            .push("that is a `")
            .push(info.kind.attr())
            .push("`; the inverse of a `")
            .push(ours.kind.attr())
            .push("` is ")
            .push(ours.kind.partner());
    }
    if !str_eq(info.target, ours.table) {
        return m
            .path(theirs.model, name)
            .push(" relates to table ")
            .code(info.target)
            .push(", not to ")
            .code(ours.table)
            .push("; name a relationship that points back at ")
            .code(ours.model);
    }
    if matches!(ours.kind, RelKind::ManyToMany) && !ours.through && info.through.is_none() {
        return m.push("neither side declares the association table; add `through = ...` to one of them");
    }
    if let Some(other) = info.inverse {
        if !str_eq(other, ours.name) {
            return m
                .path(theirs.model, name)
                .push(" names ")
                .code(other)
                .push(" as its inverse; make both sides name each other");
        }
    }
    Msg::OK
}

/// Whether two declared types can hold the same key values.
const fn same_family(a: SqlType, b: SqlType) -> bool {
    use SqlType::*;
    matches!(
        (a, b),
        (Integer | SmallInteger | BigInteger, Integer | SmallInteger | BigInteger)
            | (Varchar(_) | Text, Varchar(_) | Text)
            | (Boolean, Boolean)
            | (Float, Float)
            | (Blob, Blob)
            | (DateTime, DateTime)
            | (Date, Date)
            | (Time, Time)
            | (Numeric(_), Numeric(_))
            | (Uuid, Uuid)
            | (Json, Json)
    )
}

const fn type_name(t: SqlType) -> &'static str {
    match t {
        SqlType::Integer | SqlType::SmallInteger | SqlType::BigInteger => "an integer",
        SqlType::Boolean => "a BOOLEAN",
        SqlType::Float => "a FLOAT",
        SqlType::Varchar(_) | SqlType::Text => "text",
        SqlType::Blob => "a BLOB",
        SqlType::DateTime => "a DATETIME",
        SqlType::Date => "a DATE",
        SqlType::Time => "a TIME",
        SqlType::Numeric(_) => "a NUMERIC",
        SqlType::Uuid => "a UUID",
        SqlType::Json => "JSON",
    }
}

/// The target's `belongs_to` relationships back to the table `ours` (at most 8).
const fn belongs_back(theirs: Theirs, ours: &str) -> ([Option<RelationInfo>; 8], usize) {
    let mut out = [None; 8];
    let mut n = 0;
    let mut i = 0;
    while i < theirs.relations.len() && n < 8 {
        let r = theirs.relations[i];
        if matches!(r.kind, RelKind::BelongsTo) && str_eq(r.target, ours) {
            out[n] = Some(r);
            n += 1;
        }
        i += 1;
    }
    (out, n)
}

/// Appends the `belongs_to` relationships `back` as choices: `` `Message.sender` (column
/// `sender_id`) and `Message.recipient` (column `recipient_id`) ``, then the fix naming each.
const fn every_path(mut m: Msg, theirs: Theirs, back: &[Option<RelationInfo>]) -> Msg {
    let mut i = 0;
    while i < back.len() {
        if let Some(r) = back[i] {
            m = m.push(if i == 0 {
                ""
            } else if i + 1 == back.len() {
                " and "
            } else {
                ", "
            });
            m = m.path(theirs.model, r.name).push(" (column ").code(first(r.columns)).push(")");
        }
        i += 1;
    }
    m = m.push("; say which with ");
    let mut i = 0;
    while i < back.len() {
        if let Some(r) = back[i] {
            m = m.push(if i == 0 { "" } else { " or " }).push("`inverse = ").push(r.name).push("`");
        }
        i += 1;
    }
    m
}

/// A `has_many` / `has_one` without `inverse` finds its foreign key column `column` in the
/// target (by convention or `foreign_key = ...`): it must exist and hold the owner's key type.
/// When the target has several foreign keys to the owner's table and the column comes from
/// the convention, which one is meant is not guessed (SQLAlchemy's `AmbiguousForeignKeysError`):
/// every path is named, and the owner must say.
pub const fn check_fk_column(ours: Ours, theirs: Theirs, column: &str, key: SqlType, given: bool) -> Msg {
    if theirs.failed {
        return Msg::OK;
    }
    let m = Msg::OK.path(ours.model, ours.name).push(" looks for its foreign key column ").code(column).push(" in ");
    let (back, n) = belongs_back(theirs, ours.table);
    let (back, _) = back.split_at(n);
    let Some(c) = find_column(theirs.table, column) else {
        let m = m.code(theirs.model).push(if given { " (`foreign_key`)" } else { " (the `<model>_id` convention)" });
        let m = m.push(", which has no such column; ");
        // the target's `belongs_to` back to us is what the owner should name: one is the
        // answer, several are a choice to make
        if let [Some(r)] = back {
            return m
                .path(theirs.model, r.name)
                .push(" is its `belongs_to` back, with column ")
                .code(first(r.columns))
                .push(": write `inverse = ")
                .push(r.name)
                .push("`");
        }
        if n > 1 {
            let m = m.push("it has ").push(count_word(n)).push(" `belongs_to` back to ").code(ours.model).push(", ");
            return every_path(m, theirs, back);
        }
        let m = m.push("name it with `foreign_key = ...`; the columns of ").code(theirs.table.name).push(" are ");
        return listed_columns(m, theirs, column);
    };
    if !given && n > 1 {
        let m = m
            .code(theirs.model)
            .push(" by the `<model>_id` convention, but ")
            .code(theirs.model)
            .push(" has ")
            .push(count_word(n))
            .push(" foreign keys to ")
            .code(ours.model)
            .push(": ");
        return every_path(m, theirs, back).push(" (or `foreign_key = ...`)");
    }
    if !same_family(c.sql_type, key) {
        return m
            .code(theirs.model)
            .push(", but ")
            .path(theirs.table.name, column)
            .push(" holds ")
            .push(type_name(c.sql_type))
            .push(" and the key of ")
            .code(ours.model)
            .push(" is ")
            .push(type_name(key))
            .push("; name the right column with `foreign_key = ...`, or use `inverse = <its belongs_to>`");
    }
    Msg::OK
}

/// `two`, `three`... for a count in a message.
const fn count_word(n: usize) -> &'static str {
    match n {
        2 => "two",
        3 => "three",
        4 => "four",
        5 => "five",
        6 => "six",
        7 => "seven",
        _ => "several",
    }
}

/// Appends the columns of `theirs`' table, the closest to `column` first.
const fn listed_columns(m: Msg, theirs: Theirs, column: &str) -> Msg {
    let (names, n) = column_names(theirs.table.columns);
    let (names, _) = names.split_at(n);
    closest_first(m, names, column)
}

/// `order_by = "..."` of a many-to-many through an association model: each column is the
/// target's or, where the target has none of that name, the association model's.
pub const fn check_order_column_through(ours: Ours, theirs: Theirs, through: Theirs, column: &str) -> Msg {
    if theirs.failed
        || through.failed
        || find_column(theirs.table, column).is_some()
        || find_column(through.table, column).is_some()
    {
        return Msg::OK;
    }
    let m = Msg::OK
        .path(ours.model, ours.name)
        .push(" is ordered by ")
        .code(column)
        .push(", which is a column of neither ")
        .code(theirs.model)
        .push(" nor ")
        .code(through.model)
        .push("; the columns of ")
        .code(theirs.model)
        .push(" are ");
    let m = listed_columns(m, theirs, column).push(", those of ").code(through.model).push(" are ");
    listed_columns(m, through, column)
}

/// `order_by = "..."`: each column is one of the target's.
pub const fn check_order_column(ours: Ours, theirs: Theirs, column: &str) -> Msg {
    if theirs.failed || find_column(theirs.table, column).is_some() {
        return Msg::OK;
    }
    let m = Msg::OK
        .path(ours.model, ours.name)
        .push(" is ordered by ")
        .code(column)
        .push(", which is not a column of ")
        .code(theirs.model)
        .push("; its columns are ");
    listed_columns(m, theirs, column)
}

/// A `many_to_many(through = Model)`: its association model has the column `column`, a
/// foreign key to `end` (the owner's table for `local`, the target's for `remote`).
pub const fn check_through(ours: Ours, through: Theirs, column: &str, end: &str, side: &str) -> Msg {
    if through.failed {
        return Msg::OK;
    }
    let m = Msg::OK.path(ours.model, ours.name).push(" goes through ").code(through.model).push(", but ");
    if find_column(through.table, column).is_none() {
        // a foreign key to that end is what to name
        let mut i = 0;
        while i < through.table.foreign_keys.len() {
            let fk = through.table.foreign_keys[i];
            if str_eq(fk.references, end) && fk.columns.len() == 1 && !str_eq(fk.columns[0], column) {
                return m
                    .code(through.model)
                    .push(" has no column ")
                    .code(column)
                    .push(" for its ")
                    .code(end)
                    .push(" end; its foreign key to ")
                    .code(end)
                    .push(" is ")
                    .code(fk.columns[0])
                    .push(": write `")
                    .push(side)
                    .push(" = ")
                    .push(fk.columns[0])
                    .push("`");
            }
            i += 1;
        }
        let (names, n) = column_names(through.table.columns);
        let (names, _) = names.split_at(n);
        let m = m
            .code(through.model)
            .push(" has no column ")
            .code(column)
            .push(" for its ")
            .code(end)
            .push(" end; name it with `")
            .push(side)
            .push(" = ...`, or add a `belongs_to` to it; the columns of ")
            .code(through.table.name)
            .push(" are ");
        return closest_first(m, names, column);
    }
    let mut i = 0;
    while i < through.table.foreign_keys.len() {
        let fk = through.table.foreign_keys[i];
        if fk.columns.len() == 1 && str_eq(fk.columns[0], column) {
            if str_eq(fk.references, end) {
                return Msg::OK;
            }
            return m
                .path(through.table.name, column)
                .push(" references table ")
                .code(fk.references)
                .push(", not ")
                .code(end)
                .push("; name the right column with `")
                .push(side)
                .push(" = ...`");
        }
        i += 1;
    }
    m.path(through.table.name, column)
        .push(" is not a foreign key to ")
        .code(end)
        .push("; declare it as a `belongs_to` on ")
        .code(through.model)
}
