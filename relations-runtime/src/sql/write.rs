//! The statements that write — `INSERT` (one row or many, returning the new key, with an
//! upsert's conflict clause), `UPDATE` and `DELETE` — and the probes beside them (`EXISTS`, a
//! plain `SELECT` of columns, a table's largest key), as values. Each says what it does; only
//! its `render`, through the [`Dialect`]'s hooks, writes SQL text. Values are bound as
//! parameters, numbered in the order the text names them.

use crate::dialect::Dialect;
use crate::schema::value::Value;
use crate::sql::expr::{Core, Scalar};
use crate::sql::{column, key_in};

/// A column: of the statement's own table (`"name"`), or under a table's name or an alias
/// (`"t"."name"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Col<'a> {
    pub(crate) table: Option<&'a str>,
    pub(crate) name: &'a str,
}

impl<'a> Col<'a> {
    /// `"name"`, a column of the statement's own table.
    pub(crate) fn bare(name: &'a str) -> Self {
        Col { table: None, name }
    }

    /// `"table"."name"`.
    pub(crate) fn of(table: &'a str, name: &'a str) -> Self {
        Col { table: Some(table), name }
    }

    fn render(&self, d: &dyn Dialect, sql: &mut String) {
        match self.table {
            Some(t) => column(d, t, self.name, sql),
            None => d.quote(self.name, sql),
        }
    }
}

/// Appends `a, b, ...`.
fn columns(d: &dyn Dialect, cols: &[Col<'_>], sql: &mut String) {
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        c.render(d, sql);
    }
}

/// Binds `v` as the next parameter.
fn bind<'a>(d: &dyn Dialect, v: Value<'a>, sql: &mut String, params: &mut Vec<Value<'a>>) {
    params.push(v);
    d.placeholder(params.len(), sql);
}

/// Renders a piece of the query tree, whose values live as long as the program, among
/// parameters that may borrow: numbered after those bound so far, then moved over.
fn bind_static<'a>(params: &mut Vec<Value<'a>>, render: impl FnOnce(&mut Vec<Value<'static>>)) {
    let before = params.len();
    let mut own: Vec<Value<'static>> = std::iter::repeat_n(Value::Null, before).collect();
    render(&mut own);
    params.extend(own.drain(before..));
}

/// A condition on the rows a statement reads or writes.
#[derive(Debug, Clone)]
pub(crate) enum Cond<'a> {
    /// `c = ?`.
    Eq(Col<'a>, Value<'a>),
    /// `c <> ?`.
    Ne(Col<'a>, Value<'a>),
    /// The rows whose columns equal one of the keys (each as many values as there are
    /// columns): `c IN (?, ...)`, or for several columns `((a = ? AND b = ?) OR ...)`, which
    /// every dialect plans with the index on `(a, b)` and binds without casts.
    In(Vec<Col<'a>>, Vec<Vec<Value<'a>>>),
    /// The rows whose columns equal a row of the `SELECT`: `c IN (SELECT ...)`, or
    /// `(a, b) IN (SELECT ...)`.
    InSelect(Vec<Col<'a>>, Box<Select<'a>>),
    /// Every one of them: `... AND ...`.
    All(Vec<Cond<'a>>),
    /// `c IS NULL`.
    Null(Col<'a>),
}

impl<'a> Cond<'a> {
    /// Each column equal to its value: how one row is found by its key.
    pub(crate) fn key<'c: 'a>(key: impl IntoIterator<Item = (&'c str, Value<'a>)>) -> Cond<'a> {
        Cond::All(key.into_iter().map(|(c, v)| Cond::Eq(Col::bare(c), v)).collect())
    }

    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'a>>) {
        match self {
            Cond::Eq(c, v) | Cond::Ne(c, v) => {
                c.render(d, sql);
                sql.push_str(if matches!(self, Cond::Eq(..)) { " = " } else { " <> " });
                bind(d, v.clone(), sql, params);
            }
            Cond::In(cols, keys) => {
                let exprs: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        let mut s = String::new();
                        c.render(d, &mut s);
                        s
                    })
                    .collect();
                key_in(d, &exprs, keys.iter().cloned(), sql, params);
            }
            Cond::InSelect(cols, select) => {
                let row = cols.len() > 1;
                if row {
                    sql.push('(');
                }
                columns(d, cols, sql);
                sql.push_str(if row { ") IN " } else { " IN " });
                let mut inner = String::new();
                select.render(d, &mut inner, params);
                d.in_subquery(&inner, sql);
            }
            Cond::Null(c) => {
                c.render(d, sql);
                sql.push_str(" IS NULL");
            }
            Cond::All(conds) => {
                for (i, c) in conds.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(" AND ");
                    }
                    c.render(d, sql, params);
                }
            }
        }
    }
}

/// `SELECT <columns> FROM table [WHERE filter]`.
#[derive(Debug, Clone)]
pub(crate) struct Select<'a> {
    pub(crate) columns: Vec<Col<'a>>,
    pub(crate) from: &'a str,
    pub(crate) filter: Option<Cond<'a>>,
}

impl<'a> Select<'a> {
    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'a>>) {
        sql.push_str("SELECT ");
        columns(d, &self.columns, sql);
        sql.push_str(" FROM ");
        d.quote(self.from, sql);
        if let Some(f) = &self.filter {
            sql.push_str(" WHERE ");
            f.render(d, sql, params);
        }
    }
}

/// `SELECT EXISTS (SELECT 1 FROM table WHERE filter)`: 1 when a row matches, else 0.
#[derive(Debug, Clone)]
pub(crate) struct Exists<'a> {
    pub(crate) from: &'a str,
    pub(crate) filter: Cond<'a>,
}

impl<'a> Exists<'a> {
    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'a>>) {
        sql.push_str("SELECT EXISTS (SELECT 1 FROM ");
        d.quote(self.from, sql);
        sql.push_str(" WHERE ");
        self.filter.render(d, sql, params);
        sql.push(')');
    }
}

/// `SELECT coalesce((SELECT max(key) FROM table), 0), <whether a trigger fires on table>`:
/// where a database returns no keys, the room above a table's largest key, and whether
/// something else could write there. The table's name is its one parameter.
pub(crate) struct KeyRoom<'a> {
    pub(crate) table: &'a str,
    pub(crate) key: &'a str,
}

impl KeyRoom<'_> {
    pub(crate) fn render(&self, d: &dyn Dialect) -> String {
        let mut sql = String::from("SELECT coalesce((SELECT max(");
        d.quote(self.key, &mut sql);
        sql.push_str(") FROM ");
        d.quote(self.table, &mut sql);
        sql.push_str("), 0), ");
        d.trigger_test(1, &mut sql);
        sql
    }
}

/// What an upsert does with a row whose key or unique columns are taken. `key` is the table's
/// key column, which a dialect without `DO NOTHING` writes over itself (MySQL).
#[derive(Debug, Clone)]
pub(crate) enum Conflict<'a> {
    /// Nothing: the stored row stays (`ON CONFLICT DO NOTHING`).
    Ignore { key: &'a str },
    /// Writes the `set` columns over the stored row that conflicts on `target`.
    Update { target: &'a [&'a str], set: Vec<&'a str>, key: &'a str },
}

/// `INSERT INTO table (columns) VALUES (?, ...), ...` for `rows` rows — the values bound
/// row by row, in the columns' order — with an upsert's conflict clause and `RETURNING` the
/// new key, when asked for. No column at all is one row of defaults.
#[derive(Debug, Clone)]
pub(crate) struct Insert<'a> {
    pub(crate) table: &'a str,
    pub(crate) columns: Vec<&'a str>,
    pub(crate) rows: usize,
    pub(crate) conflict: Option<Conflict<'a>>,
    /// The key column whose new values come back (only where [`Dialect::returns_keys`]).
    pub(crate) returning: Option<&'a str>,
}

impl Insert<'_> {
    /// The statement's text: its values are the rows' column values, in order.
    pub(crate) fn render(&self, d: &dyn Dialect) -> String {
        let mut sql = String::from("INSERT INTO ");
        d.quote(self.table, &mut sql);
        if self.columns.is_empty() {
            // only an auto key: "INSERT INTO t () VALUES ()" is not SQL
            d.default_values(&mut sql);
        } else {
            sql.push_str(" (");
            for (i, c) in self.columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                d.quote(c, &mut sql);
            }
            sql.push_str(") VALUES ");
            let mut n = 0;
            for r in 0..self.rows {
                sql.push_str(if r > 0 { ", (" } else { "(" });
                for i in 0..self.columns.len() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    d.placeholder(n, &mut sql);
                }
                sql.push(')');
            }
        }
        match &self.conflict {
            None => {}
            Some(Conflict::Ignore { key }) => d.on_conflict(None, &[], key, &mut sql),
            Some(Conflict::Update { target, set, key }) => d.on_conflict(Some(target), set, key, &mut sql),
        }
        if let Some(key) = self.returning {
            sql.push_str(" RETURNING ");
            d.quote(key, &mut sql);
        }
        sql
    }
}

/// A column's new value in an `UPDATE`.
#[derive(Debug, Clone)]
pub(crate) enum New<'a> {
    /// A bound value.
    Value(Value<'a>),
    /// `NULL`.
    Null,
    /// An expression of the query tree (a bulk update's `SET c = c + 1`).
    Scalar(&'a Scalar),
}

/// The rows an `UPDATE` or `DELETE` writes.
#[derive(Debug, Clone)]
pub(crate) enum Rows<'a> {
    /// Those the condition holds for.
    Where(Cond<'a>),
    /// Those a query matches: its filters, or — when it joins, limits or offsets — the keys
    /// of the rows it selects.
    Matching(&'a Core),
    /// Those a query matches, for an `UPDATE` whose new values read its joined tables (every
    /// join a `belongs_to`, checked by the caller): `UPDATE ... FROM`, or where the dialect
    /// joins before `SET` ([`Dialect::update_joins_before_set`]), `UPDATE t JOIN ...`.
    Joined(&'a Core),
}

/// `UPDATE table SET c = ?, ... WHERE ...`.
#[derive(Debug, Clone)]
pub(crate) struct Update<'a> {
    pub(crate) table: &'a str,
    pub(crate) set: Vec<(&'a str, New<'a>)>,
    pub(crate) rows: Rows<'a>,
}

impl<'a> Update<'a> {
    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'a>>) {
        sql.push_str("UPDATE ");
        d.quote(self.table, sql);
        let joins_first = match self.rows {
            Rows::Joined(core) if d.update_joins_before_set() => Some(core),
            _ => None,
        };
        if let Some(core) = joins_first {
            core.render_update_joins(d, sql);
        }
        sql.push_str(" SET ");
        for (i, (name, new)) in self.set.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            // with the joined tables named before `SET`, the columns set are qualified
            if joins_first.is_some() {
                column(d, self.table, name, sql);
            } else {
                d.quote(name, sql);
            }
            sql.push_str(" = ");
            match new {
                New::Value(v) => bind(d, v.clone(), sql, params),
                New::Null => sql.push_str("NULL"),
                New::Scalar(s) => bind_static(params, |p| s.render(d, sql, p, &mut Vec::new())),
            }
        }
        match (&self.rows, joins_first) {
            (Rows::Joined(core), Some(_)) => bind_static(params, |p| core.render_update_rows(d, sql, p, " WHERE ")),
            (Rows::Joined(core), None) => bind_static(params, |p| core.render_update_from(d, sql, p)),
            (Rows::Matching(core), _) => bind_static(params, |p| core.render_matching(d, sql, p)),
            (Rows::Where(cond), _) => {
                sql.push_str(" WHERE ");
                cond.render(d, sql, params);
            }
        }
    }
}

/// `DELETE FROM table WHERE ...`.
#[derive(Debug, Clone)]
pub(crate) struct Delete<'a> {
    pub(crate) table: &'a str,
    /// The rows deleted ([`Rows::Joined`] is read as [`Rows::Matching`]).
    pub(crate) rows: Rows<'a>,
}

impl<'a> Delete<'a> {
    pub(crate) fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'a>>) {
        sql.push_str("DELETE FROM ");
        d.quote(self.table, sql);
        match &self.rows {
            Rows::Matching(core) | Rows::Joined(core) => bind_static(params, |p| core.render_matching(d, sql, p)),
            Rows::Where(cond) => {
                sql.push_str(" WHERE ");
                cond.render(d, sql, params);
            }
        }
    }
}
