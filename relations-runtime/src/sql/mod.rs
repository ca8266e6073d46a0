//! The SQL layer: every statement the ORM issues as a value — a query's description and its
//! expressions ([`expr`]), the loaders' `SELECT` tree ([`select`], built in [`loading`]), the
//! writes ([`write`](mod@write)) — and the pieces they share (qualified columns, `IN` lists,
//! `ORDER BY` terms), each rendered through a [`Dialect`]. It knows tables and columns (the
//! schema), never models.

pub(crate) mod expr;
pub(crate) mod loading;
#[cfg(all(test, feature = "postgres"))]
mod loading_tests;
pub(crate) mod rules;
pub(crate) mod select;
pub(crate) mod write;
#[cfg(all(test, feature = "postgres"))]
mod write_tests;

use crate::dialect::Dialect;
use crate::schema::value::Value;
use crate::schema::{Join, Table};

/// The recursive common table expression's name.
pub(crate) const TREE: &str = "relations_tree";

/// ` IN (?, ?, ...)`, binding `values`.
pub(crate) fn in_list<'v>(
    d: &dyn Dialect,
    values: impl Iterator<Item = Value<'v>>,
    sql: &mut String,
    params: &mut Vec<Value<'v>>,
) {
    sql.push_str(" IN (");
    for (i, v) in values.enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        params.push(v);
        d.placeholder(params.len(), sql);
    }
    sql.push(')');
}

/// `"a"."x" = "b"."y" AND ...`, pairing `left` and `right` columns in order.
pub(crate) fn columns_eq<'c>(
    d: &dyn Dialect,
    left_alias: &str,
    left: impl Iterator<Item = &'c str>,
    right_alias: &str,
    right: impl Iterator<Item = &'c str>,
    sql: &mut String,
) {
    for (i, (l, r)) in left.zip(right).enumerate() {
        if i > 0 {
            sql.push_str(" AND ");
        }
        column(d, left_alias, l, sql);
        sql.push_str(" = ");
        column(d, right_alias, r, sql);
    }
}

/// Rows whose `exprs` equal one of `keys` (each as many values as there are `exprs`): ` IN
/// (?, ...)` appended to the one expression, or for several `((a = ? AND b = ?) OR ...)`, which
/// both dialects plan with the index on `(a, b)` and bind without casts.
pub(crate) fn key_in<'v, I>(d: &dyn Dialect, exprs: &[String], keys: I, sql: &mut String, params: &mut Vec<Value<'v>>)
where
    I: Iterator<Item = Vec<Value<'v>>>,
{
    if let [one] = exprs {
        sql.push_str(one);
        return in_list(d, keys.flat_map(Vec::into_iter), sql, params);
    }
    sql.push('(');
    let mut any = false;
    for (i, key) in keys.enumerate() {
        any = true;
        if i > 0 {
            sql.push_str(" OR ");
        }
        sql.push('(');
        for (j, (e, v)) in exprs.iter().zip(key).enumerate() {
            if j > 0 {
                sql.push_str(" AND ");
            }
            sql.push_str(e);
            sql.push_str(" = ");
            params.push(v);
            d.placeholder(params.len(), sql);
        }
        sql.push(')');
    }
    if !any {
        sql.push_str("1 = 0");
    }
    sql.push(')');
}

/// `"table" AS "alias"`.
pub(crate) fn table_as(d: &dyn Dialect, table: &str, alias: &str, sql: &mut String) {
    d.quote(table, sql);
    sql.push_str(" AS ");
    d.quote(alias, sql);
}

/// `"table"."name"`.
pub(crate) fn column(d: &dyn Dialect, table: &str, name: &str, sql: &mut String) {
    d.quote(table, sql);
    sql.push('.');
    d.quote(name, sql);
}

/// `"alias"."<table's key column>"` (the rowid for a composite key).
pub(crate) fn key_column(d: &dyn Dialect, table: &Table, alias: &str, sql: &mut String) {
    column(d, alias, table.single_key().map_or(d.row_id(), |c| c.name), sql);
}

/// Appends a relationship's declared order, then the key of `table` (seen as `alias`):
/// `"alias"."created_at" DESC, "alias"."id"` (a term before it is the caller's to separate). A
/// term on a many-to-many's association table names it as `link` (its name or alias there).
pub(crate) fn declared_order(
    d: &dyn Dialect,
    table: &crate::schema::Table,
    alias: &str,
    link: Option<&str>,
    terms: &[crate::schema::OrderBy],
    sql: &mut String,
) {
    let mut first = true;
    let mut separate = |sql: &mut String| {
        if !std::mem::replace(&mut first, false) {
            sql.push_str(", ");
        }
    };
    for t in terms {
        separate(sql);
        column(d, if t.on_link { link.unwrap_or(alias) } else { alias }, t.column, sql);
        if t.descending {
            sql.push_str(" DESC");
        }
    }
    for c in table.primary_key() {
        separate(sql);
        column(d, alias, c.name, sql);
    }
}

/// Appends `"alias"."a", "alias"."b", ...` for every column of `table`, `NULL` in place of the
/// columns of `mask` (bit `i`: column `i`; the table's deferred ones, as a rule), so that every
/// column keeps its position.
pub(crate) fn select_list(d: &dyn Dialect, table: &crate::schema::Table, alias: &str, mask: u64, sql: &mut String) {
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        if crate::schema::in_mask(mask, i) {
            sql.push_str("NULL");
        } else {
            column(d, alias, c.name, sql);
        }
    }
}

/// A foreign key's columns as messages name them: `table.column`, or `table.(a, b)`.
pub(crate) fn columns_path<S: AsRef<str>>(table: &str, columns: &[S]) -> String {
    match columns {
        [one] => format!("{table}.{}", one.as_ref()),
        many => format!("{table}.({})", many.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")),
    }
}

/// A key's values as text, for error messages: `3` or `(1, 2)`.
pub(crate) fn key_text(values: &[Value<'_>]) -> String {
    match values {
        [one] => one.to_string(),
        many => format!("({})", many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
    }
}

/// A relationship's target rows beside their owner's, the one rendering every strategy and
/// filter shares: the `FROM` item for the target under `alias` (for a many-to-many, the
/// association table under `<alias>_link` joined to it) and the condition tying it to the owner
/// row under `owner_alias`.
pub(crate) struct RelationJoin {
    /// `"post" AS "a"`, or `"post_tags" AS "a_link" JOIN "tag" AS "a" ON "a"."id" = "a_link"."tag_id"`.
    pub(crate) from: String,
    /// `"a"."user_id" = "owner"."id"`, or `"a_link"."post_id" = "owner"."id"`.
    pub(crate) on: String,
    /// Whether `from` is a join of its own (parenthesised inside an outer join).
    pub(crate) through: bool,
}

impl RelationJoin {
    /// Appends ` [LEFT OUTER] JOIN <from> ON <on>`, `from` in parentheses when it is a join of
    /// its own.
    pub(crate) fn push_join(&self, outer: bool, sql: &mut String) {
        sql.push_str(if outer { " LEFT OUTER JOIN " } else { " JOIN " });
        if self.through {
            sql.push('(');
            sql.push_str(&self.from);
            sql.push(')');
        } else {
            sql.push_str(&self.from);
        }
        sql.push_str(" ON ");
        sql.push_str(&self.on);
    }
}

/// The [`RelationJoin`] of a relationship `join` from `owner` (under `owner_alias`) to `target`
/// (under `alias`).
pub(crate) fn relation_join(
    d: &dyn Dialect,
    join: Join,
    owner: &Table,
    owner_alias: &str,
    target: &Table,
    alias: &str,
) -> RelationJoin {
    let (mut from, mut on) = (String::new(), String::new());
    match join {
        Join::Reverse { columns: fk } => {
            table_as(d, target.name, alias, &mut from);
            columns_eq(d, alias, fk.iter().copied(), owner_alias, owner.key_names(), &mut on);
        }
        Join::Forward { columns: fk } => {
            table_as(d, target.name, alias, &mut from);
            columns_eq(d, alias, target.key_names(), owner_alias, fk.iter().copied(), &mut on);
        }
        Join::Through { table, local, remote } => {
            let link = format!("{alias}_link");
            table_as(d, table.name, &link, &mut from);
            from.push_str(" JOIN ");
            table_as(d, target.name, alias, &mut from);
            from.push_str(" ON ");
            key_column(d, target, alias, &mut from);
            from.push_str(" = ");
            column(d, &link, remote, &mut from);
            column(d, &link, local, &mut on);
            on.push_str(" = ");
            key_column(d, owner, owner_alias, &mut on);
        }
    }
    RelationJoin { from, on, through: matches!(join, Join::Through { .. }) }
}
