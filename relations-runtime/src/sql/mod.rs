//! The SQL layer: the pieces every statement the ORM issues is built from — qualified columns,
//! `IN` lists, `ORDER BY` terms, the recursive CTE of a tree, one `SELECT` of model rows —
//! spelled through a [`Dialect`]. It knows tables and columns (the schema), never models.

pub(crate) mod expr;
pub(crate) mod loading;
#[cfg(all(test, feature = "postgres"))]
mod loading_tests;
pub(crate) mod rules;
pub(crate) mod write;
#[cfg(all(test, feature = "postgres"))]
mod write_tests;

use crate::dialect::Dialect;
use crate::schema::value::Value;
use crate::schema::{Join, Table};
use crate::sql::expr::Expr;

/// The pieces of one `SELECT` of model rows: `[prefix] SELECT [tag,] <columns> FROM from
/// [WHERE where] [ORDER BY order] [tail]`, with `params` in textual order.
#[derive(Default)]
pub(crate) struct Select {
    /// `WITH ...` before the `SELECT`.
    pub(crate) prefix: String,
    /// The expressions selected before the model's columns: what each row is grouped by (one,
    /// or a composite key's columns; none when the rows are not grouped).
    pub(crate) tag: Vec<String>,
    /// The model's own column that `tag` (one expression) names, read there instead of being
    /// selected a second time before the model's columns: a one-to-many's foreign key.
    pub(crate) tag_column: Option<usize>,
    /// The `FROM` clause; the model's table is visible under its own name.
    pub(crate) from: String,
    pub(crate) filter: String,
    /// `ORDER BY` terms, comma-separated.
    pub(crate) order: String,
    /// `LIMIT ? OFFSET ?`.
    pub(crate) tail: String,
    /// Whether the `ORDER BY` terms bind parameters (they come after the filter's).
    pub(crate) order_binds: bool,
    pub(crate) params: Vec<Value<'static>>,
    /// How many of `params` the `FROM` clause binds (they come first).
    pub(crate) from_params: usize,
    pub(crate) tail_params: Vec<Value<'static>>,
    /// The model's columns left out (bit `i`: column `i`); `None`: its deferred ones.
    pub(crate) deferred: Option<u64>,
}

/// The recursive common table expression's name.
pub(crate) const TREE: &str = "relations_tree";

/// One recursive query over a self-referential table, the one builder every tree statement
/// uses (subtree loads, ancestors, descendants, the delete planner): `WITH RECURSIVE
/// "relations_tree"(<columns>) AS (<seed> UNION SELECT <step> FROM table JOIN "relations_tree"
/// ON table.<join> = "relations_tree".<first column> [WHERE <step_filter>]) `. UNION (not UNION
/// ALL) drops rows already seen, so a cycle in the data terminates.
pub(crate) struct RecursiveCte<'a> {
    /// The expression's columns; the first is what each step joins on.
    pub(crate) columns: &'a [&'a str],
    /// The first rows: a whole `SELECT` (or a `SELECT * FROM (...) AS x`).
    pub(crate) seed: String,
    /// What each step selects from the table, one expression per column.
    pub(crate) step: String,
    /// The table's column equal to the rows found so far.
    pub(crate) join: &'a str,
    /// A condition on the step's rows.
    pub(crate) step_filter: Option<String>,
}

impl RecursiveCte<'_> {
    /// The `WITH RECURSIVE ... ` prefix of a statement on `table`.
    pub(crate) fn render(&self, d: &dyn Dialect, table: &str) -> String {
        let mut cte = String::from("WITH RECURSIVE ");
        d.quote(TREE, &mut cte);
        cte.push('(');
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                cte.push_str(", ");
            }
            d.quote(c, &mut cte);
        }
        cte.push_str(") AS (");
        cte.push_str(&self.seed);
        cte.push_str(" UNION SELECT ");
        cte.push_str(&self.step);
        cte.push_str(" FROM ");
        d.quote(table, &mut cte);
        cte.push_str(" JOIN ");
        d.quote(TREE, &mut cte);
        cte.push_str(" ON ");
        column(d, table, self.join, &mut cte);
        cte.push_str(" = ");
        column(d, TREE, self.columns[0], &mut cte);
        if let Some(filter) = &self.step_filter {
            cte.push_str(" WHERE ");
            cte.push_str(filter);
        }
        cte.push_str(") ");
        cte
    }
}

/// `WITH RECURSIVE "relations_tree"("id") AS (...)`: the keys of the rows below `starts` in a
/// self-referential `table` linked by `fk`; with a `rule`, only through rows that pass it.
pub(crate) fn descendants_cte(
    d: &dyn Dialect,
    table: &Table,
    fk: &str,
    starts: impl Iterator<Item = Value<'static>>,
    params: &mut Vec<Value<'static>>,
    rule: Option<&Expr>,
) -> String {
    let pk = table.single_key().map_or(d.row_id(), |c| c.name);
    let mut seed = String::from("SELECT ");
    column(d, table.name, pk, &mut seed);
    seed.push_str(" FROM ");
    d.quote(table.name, &mut seed);
    seed.push_str(" WHERE ");
    column(d, table.name, fk, &mut seed);
    in_list(d, starts, &mut seed, params);
    if let Some(rule) = rule {
        seed.push_str(" AND ");
        rule.render(d, &mut seed, params);
    }
    let mut step = String::new();
    column(d, table.name, pk, &mut step);
    let step_filter = rule.map(|r| {
        let mut f = String::new();
        r.render(d, &mut f, params);
        f
    });
    RecursiveCte { columns: &["id"], seed, step, join: fk, step_filter }.render(d, table.name)
}

/// `WITH RECURSIVE "relations_tree"("id") AS (...)`: the keys of the rows above the parent key
/// `start` in a self-referential `table` linked by `fk`, climbing through each row's `fk`;
/// with a `rule`, not through a row that fails it.
pub(crate) fn ancestors_cte(
    d: &dyn Dialect,
    table: &Table,
    fk: &str,
    start: Value<'static>,
    params: &mut Vec<Value<'static>>,
    rule: Option<&Expr>,
) -> String {
    let pk = table.single_key().map_or(d.row_id(), |c| c.name);
    let mut seed = String::from("SELECT ");
    params.push(start);
    d.typed_placeholder(params.len(), &table.columns[table.key_index()], &mut seed);
    let (mut step, mut step_filter) = (String::new(), String::new());
    column(d, table.name, fk, &mut step);
    column(d, table.name, fk, &mut step_filter);
    step_filter.push_str(" IS NOT NULL");
    if let Some(rule) = rule {
        step_filter.push_str(" AND ");
        rule.render(d, &mut step_filter, params);
    }
    RecursiveCte { columns: &["id"], seed, step, join: pk, step_filter: Some(step_filter) }.render(d, table.name)
}

/// `<cte> SELECT [fk,] <columns> FROM table WHERE key IN "relations_tree" [AND rule] ORDER BY
/// key`: the rows a recursive `cte` collected (binding `params`), tagged with each one's parent
/// when `tagged`.
pub(crate) fn tree_select(
    d: &dyn Dialect,
    table: &Table,
    fk: &str,
    (cte, mut params): (String, Vec<Value<'static>>),
    tagged: bool,
    rule: Option<&Expr>,
) -> Select {
    let pk = table.single_key().map_or(d.row_id(), |c| c.name);
    let mut tag = String::new();
    column(d, table.name, fk, &mut tag);
    let mut filter = String::new();
    column(d, table.name, pk, &mut filter);
    filter.push_str(" IN (SELECT ");
    d.quote("id", &mut filter);
    filter.push_str(" FROM ");
    d.quote(TREE, &mut filter);
    filter.push(')');
    // what the recursive expression binds comes before a joined option's `ON`
    let from_params = params.len();
    if let Some(rule) = rule {
        filter.push_str(" AND ");
        rule.render(d, &mut filter, &mut params);
    }
    let mut from = String::new();
    d.quote(table.name, &mut from);
    let mut order = String::new();
    column(d, table.name, pk, &mut order);
    let tag = if tagged { vec![tag] } else { Vec::new() };
    Select { prefix: cte, tag, from, filter, order, params, from_params, ..Select::default() }
}

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

pub(crate) fn push_clause(sql: &mut String, keyword: &str, body: &str) {
    if !body.is_empty() {
        sql.push_str(keyword);
        sql.push_str(body);
    }
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
/// `"alias"."created_at" DESC, "alias"."id"`, after a `, ` when `sql` holds terms already. A
/// term on a many-to-many's association table names it as `link` (its name or alias there).
pub(crate) fn declared_order(
    d: &dyn Dialect,
    table: &crate::schema::Table,
    alias: &str,
    link: Option<&str>,
    terms: &[crate::schema::OrderBy],
    sql: &mut String,
) {
    for t in terms {
        if !sql.is_empty() {
            sql.push_str(", ");
        }
        column(d, if t.on_link { link.unwrap_or(alias) } else { alias }, t.column, sql);
        if t.descending {
            sql.push_str(" DESC");
        }
    }
    for c in table.primary_key() {
        if !sql.is_empty() {
            sql.push_str(", ");
        }
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
