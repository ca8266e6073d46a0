//! The loaders' `SELECT` as one value: the columns it reads ([`Item`]), its `FROM` tree of
//! tables, subqueries and joins ([`From`]), its conditions ([`Cond`]), its order ([`Sort`]),
//! its limit, and a recursive common table expression before it ([`Recursive`]). A query's
//! description ([`Core`]) and the conditions and orders of the expression tree sit in it as
//! nodes, not as text. [`Select::render`] writes the whole statement in one pass through the
//! [`Dialect`], binding each value where its placeholder is written: the parameters are in the
//! order of the text on every dialect, whatever the statement nests.

use std::borrow::Cow;

use crate::dialect::Dialect;
use crate::schema::value::Value;
use crate::schema::{ColumnDef, OrderBy, RelationDef, Table};
use crate::sql::expr::{Core, Expr, Order, Scope};
use crate::sql::{column, declared_order, in_list, key_in, relation_join, TREE};

/// A table's name or alias, or a column's name: the schema's own, or one made for a statement
/// (`relations_j2`, `relations_tag1`).
pub(crate) type Name = Cow<'static, str>;

/// `"table"."column"`, the table under its name or an alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColRef {
    pub(crate) table: Name,
    pub(crate) column: Name,
}

impl ColRef {
    pub(crate) fn new(table: impl Into<Name>, column: impl Into<Name>) -> ColRef {
        ColRef { table: table.into(), column: column.into() }
    }

    /// The key column of `table` under `alias` (the dialect's row id for a composite key).
    pub(crate) fn key(d: &dyn Dialect, table: &Table, alias: impl Into<Name>) -> ColRef {
        ColRef::new(alias, table.single_key().map_or(d.row_id(), |c| c.name))
    }

    fn render(&self, d: &dyn Dialect, sql: &mut String) {
        column(d, &self.table, &self.column, sql);
    }
}

/// One expression of a `SELECT` list.
#[derive(Debug, Clone)]
pub(crate) enum Item<'q> {
    /// A column.
    Col(ColRef),
    /// `<column> AS "name"`.
    Named(ColRef, Name),
    /// Every column of a model's table under `alias`, `NULL` in place of those of `mask` (bit
    /// `i`: column `i`), so that each keeps its position.
    Columns { table: &'static Table, alias: Name, mask: u64 },
    /// `"alias".*`.
    All(Name),
    /// `*`.
    Star,
    /// `row_number() OVER ([PARTITION BY ...] [ORDER BY ...]) [AS "name"]`.
    RowNumber { partition: Vec<ColRef>, order: Vec<Sort<'q>>, name: Option<Name> },
    /// `CAST(0 AS <bigint>)`.
    Zero,
    /// A value bound as a parameter of the column's type.
    Typed(Value<'static>, &'static ColumnDef),
}

/// What a `FROM` clause reads.
#[derive(Debug, Clone)]
pub(crate) enum From<'q> {
    /// `"table"`.
    Table(Name),
    /// `"table" AS "alias"`.
    As(Name, Name),
    /// A query's table and its joins (its filters are a [`Cond::Query`]).
    Query(&'q Core),
    /// Nothing: a `SELECT` of values alone.
    Nothing,
    /// `(SELECT ...) AS "alias"`.
    Derived(Box<Select<'q>>, Name),
    /// `<left> [LEFT OUTER] JOIN <right> ON <conditions>`.
    Join { left: Box<From<'q>>, outer: bool, right: Box<From<'q>>, on: Vec<Cond<'q>> },
    /// `<left> LEFT OUTER JOIN <a relationship's target> ON <its condition> [AND ...]`: the
    /// target under an alias, as every strategy and filter joins it (see [`relation_join`]).
    Related { left: Box<From<'q>>, rel: RelJoin, on: Vec<Cond<'q>> },
}

/// A relationship's join from its owner's rows (under `owner_alias`) to its target (under
/// `alias`).
#[derive(Debug, Clone)]
pub(crate) struct RelJoin {
    pub(crate) def: &'static RelationDef,
    pub(crate) owner_alias: String,
    pub(crate) alias: String,
}

impl<'q> From<'q> {
    /// `self [LEFT OUTER] JOIN right ON on`.
    pub(crate) fn join(self, outer: bool, right: From<'q>, on: Vec<Cond<'q>>) -> From<'q> {
        From::Join { left: Box::new(self), outer, right: Box::new(right), on }
    }

    fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>, scope: &mut Scope) {
        match self {
            From::Nothing => {}
            From::Table(name) => d.quote(name, sql),
            From::As(name, alias) => {
                d.quote(name, sql);
                sql.push_str(" AS ");
                d.quote(alias, sql);
            }
            From::Query(core) => core.render_from(d, sql, params),
            From::Derived(select, alias) => {
                sql.push('(');
                select.render_into(d, sql, params, scope);
                sql.push_str(") AS ");
                d.quote(alias, sql);
            }
            From::Join { left, outer, right, on } => {
                left.render(d, sql, params, scope);
                sql.push_str(if *outer { " LEFT OUTER JOIN " } else { " JOIN " });
                right.render(d, sql, params, scope);
                render_all(on, " ON ", d, sql, params, scope);
            }
            From::Related { left, rel, on } => {
                left.render(d, sql, params, scope);
                let def = rel.def;
                relation_join(d, def.join, def.owner, &rel.owner_alias, def.target, &rel.alias).push_join(true, sql);
                render_all(on, " AND ", d, sql, params, scope);
            }
        }
    }
}

/// A condition of a `WHERE` or an `ON`.
#[derive(Debug, Clone)]
pub(crate) enum Cond<'q> {
    /// A query's filters (there is at least one).
    Query(&'q Core),
    /// A condition of the expression tree (an option's filter, a rule), `scope` naming the
    /// aliases of the tables it reads beside those of the statement.
    Expr(Cow<'q, Expr>, Scope),
    /// `a = b`.
    Eq(ColRef, ColRef),
    /// The rows whose columns equal one of the keys (`values` holds each key's values in
    /// turn, as many as there are columns): `c IN (?, ...)`, or for several columns
    /// `((a = ? AND b = ?) OR ...)`.
    In(Vec<ColRef>, Vec<Value<'static>>),
    /// `c IN (SELECT ...)`, or `(a, b) IN (SELECT ...)`, as the dialect writes a subquery
    /// there.
    InSelect(Vec<ColRef>, Box<Select<'q>>),
    /// `c IN (SELECT "id" FROM "relations_tree")`: a row the recursive expression reached.
    InTree(ColRef),
    /// `c <= ?`.
    AtMost(ColRef, u64),
    /// `c IS NOT NULL`.
    NotNull(ColRef),
}

impl Cond<'_> {
    /// A condition of the expression tree over the statement's tables.
    pub(crate) fn expr(e: &Expr) -> Cond<'_> {
        Cond::Expr(Cow::Borrowed(e), Vec::new())
    }

    fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>, scope: &mut Scope) {
        match self {
            Cond::Query(core) => {
                debug_assert!(!core.filters.is_empty(), "a query without filters adds no condition");
                core.render_filter(d, sql, params, scope);
            }
            Cond::Expr(e, own) => {
                let depth = scope.len();
                scope.extend(own.iter().cloned());
                e.render_in(d, sql, params, scope);
                scope.truncate(depth);
            }
            Cond::Eq(a, b) => {
                a.render(d, sql);
                sql.push_str(" = ");
                b.render(d, sql);
            }
            Cond::In(cols, values) => match cols.as_slice() {
                [one] => {
                    one.render(d, sql);
                    in_list(d, values.iter().cloned(), sql, params);
                }
                many => {
                    let exprs: Vec<String> = many.iter().map(|c| rendered(d, c)).collect();
                    key_in(d, &exprs, values.chunks(many.len()).map(<[_]>::to_vec), sql, params);
                }
            },
            Cond::InSelect(cols, select) => {
                let row = cols.len() > 1;
                if row {
                    sql.push('(');
                }
                for (i, c) in cols.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    c.render(d, sql);
                }
                sql.push_str(if row { ") IN " } else { " IN " });
                let mut inner = String::new();
                select.render_into(d, &mut inner, params, scope);
                d.in_subquery(&inner, sql);
            }
            Cond::InTree(c) => {
                c.render(d, sql);
                sql.push_str(" IN (SELECT ");
                d.quote("id", sql);
                sql.push_str(" FROM ");
                d.quote(TREE, sql);
                sql.push(')');
            }
            Cond::AtMost(c, n) => {
                c.render(d, sql);
                sql.push_str(" <= ");
                params.push(Value::Integer(i64::try_from(*n).unwrap_or(i64::MAX)));
                d.placeholder(params.len(), sql);
            }
            Cond::NotNull(c) => {
                c.render(d, sql);
                sql.push_str(" IS NOT NULL");
            }
        }
    }
}

/// `"table"."column"` as text (a key list's expression).
fn rendered(d: &dyn Dialect, c: &ColRef) -> String {
    let mut s = String::new();
    c.render(d, &mut s);
    s
}

/// An `ORDER BY` term.
#[derive(Debug, Clone)]
pub(crate) enum Sort<'q> {
    /// A term of the expression tree (a query's or an option's `order_by`).
    Term(Cow<'q, Order>),
    /// A column, ascending.
    Col(ColRef),
    /// A relationship's declared order, then the key, of `table` under `alias`; a term on a
    /// many-to-many's association table names it as `link`.
    Declared { table: &'static Table, alias: Name, link: Option<Name>, terms: &'static [OrderBy] },
}

impl Sort<'_> {
    fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>, scope: &mut Scope) {
        match self {
            Sort::Term(o) => o.render_in(d, sql, params, scope),
            Sort::Col(c) => c.render(d, sql),
            Sort::Declared { table, alias, link, terms } => {
                declared_order(d, table, alias, link.as_deref(), terms, sql)
            }
        }
    }

    /// The columns the term sorts by, ascending, in order; `None` when it sorts by anything
    /// else (an expression, a descending column, `NULLS FIRST`).
    fn columns(&self, out: &mut Vec<Option<ColRef>>) {
        match self {
            Sort::Col(c) => out.push(Some(c.clone())),
            Sort::Term(o) => out.push(match o.term {
                crate::sql::expr::Scalar::Column { table, column } if !o.descending && o.nulls_first.is_none() => {
                    Some(ColRef::new(table, column))
                }
                _ => None,
            }),
            Sort::Declared { table, alias, link, terms } => {
                for t in *terms {
                    let on = if t.on_link { link.clone().unwrap_or_else(|| alias.clone()) } else { alias.clone() };
                    out.push((!t.descending).then(|| ColRef::new(on, t.column)));
                }
                out.extend(table.key_names().map(|k| Some(ColRef::new(alias.clone(), k))));
            }
        }
    }
}

/// `WITH RECURSIVE "relations_tree"(<columns>) AS (<seed> UNION <step>) `: the one recursive
/// expression every tree statement uses (subtree loads, ancestors, descendants). `UNION` (not
/// `UNION ALL`) drops the rows already seen, so a cycle in the data ends.
#[derive(Debug, Clone)]
pub(crate) struct Recursive<'q> {
    /// The expression's columns; none: those its seed names.
    pub(crate) columns: &'static [&'static str],
    /// The first rows.
    pub(crate) seed: Select<'q>,
    /// The next rows, from those found so far: see [`Recursive::step`].
    pub(crate) step: Select<'q>,
}

impl<'q> Recursive<'q> {
    /// `SELECT <items> FROM table JOIN "relations_tree" ON table.<join> = "relations_tree".<first
    /// column> [WHERE <filter>]`: a step through a self-referential `table`.
    pub(crate) fn step(
        table: &'static str,
        join: &'static str,
        first: &'static str,
        items: Vec<Item<'q>>,
        filter: Vec<Cond<'q>>,
    ) -> Select<'q> {
        let on = vec![Cond::Eq(ColRef::new(table, join), ColRef::new(TREE, first))];
        Select { items, filter, ..Select::new(From::Table(table.into()).join(false, From::Table(TREE.into()), on)) }
    }

    fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>, scope: &mut Scope) {
        sql.push_str("WITH RECURSIVE ");
        d.quote(TREE, sql);
        if !self.columns.is_empty() {
            sql.push('(');
            for (i, c) in self.columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                d.quote(c, sql);
            }
            sql.push(')');
        }
        sql.push_str(" AS (");
        self.seed.render_into(d, sql, params, scope);
        sql.push_str(" UNION ");
        self.step.render_into(d, sql, params, scope);
        sql.push_str(") ");
    }
}

/// One `SELECT`: `[WITH RECURSIVE ...] SELECT <items> FROM <from> [WHERE ...] [ORDER BY ...]
/// [LIMIT ? [OFFSET ?]]`.
#[derive(Debug, Clone)]
pub(crate) struct Select<'q> {
    pub(crate) with: Option<Box<Recursive<'q>>>,
    pub(crate) items: Vec<Item<'q>>,
    pub(crate) from: From<'q>,
    /// The conditions, `AND`ed.
    pub(crate) filter: Vec<Cond<'q>>,
    pub(crate) order: Vec<Sort<'q>>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    /// What the statement's expressions see beside its tables: the names a query's joins give
    /// association tables (see [`Core::link_scope`]).
    pub(crate) scope: Scope,
}

impl<'q> Select<'q> {
    /// `SELECT FROM from`, nothing selected yet.
    pub(crate) fn new(from: From<'q>) -> Select<'q> {
        Select {
            with: None,
            items: Vec::new(),
            from,
            filter: Vec::new(),
            order: Vec::new(),
            limit: None,
            offset: None,
            scope: Vec::new(),
        }
    }

    /// The rows of a query (`SELECT` list empty): its tables and joins, filters, order,
    /// limit and offset.
    pub(crate) fn of_query(core: &'q Core) -> Select<'q> {
        let mut scope = Vec::new();
        core.link_scope(&mut scope);
        let mut order: Vec<Sort<'q>> = core.order.iter().map(|o| Sort::Term(Cow::Borrowed(o))).collect();
        if let (true, Some(terms)) = (core.order.is_empty(), core.key_order) {
            let link = core.order_link().map(Name::from);
            order.push(Sort::Declared { table: core.table, alias: core.table.name.into(), link, terms });
        }
        Select {
            filter: if core.filters.is_empty() { Vec::new() } else { vec![Cond::Query(core)] },
            order,
            limit: core.limit,
            offset: core.offset,
            scope,
            ..Select::new(From::Query(core))
        }
    }

    /// The order's terms as columns (see [`Sort::columns`]).
    fn order_columns(&self) -> Vec<Option<ColRef>> {
        let mut out = Vec::with_capacity(self.order.len() + 2);
        for s in &self.order {
            s.columns(&mut out);
        }
        out
    }

    /// Whether the order starts with `cols`, each ascending.
    pub(crate) fn ordered_by(&self, cols: &[ColRef]) -> bool {
        let order = self.order_columns();
        order.len() >= cols.len() && order.iter().zip(cols).all(|(s, c)| s.as_ref() == Some(c))
    }

    /// Whether the order ends with the key of `table` (under its name), ascending.
    pub(crate) fn ends_with_key(&self, table: &'static Table) -> bool {
        let order = self.order_columns();
        let keys: Vec<ColRef> = table.key_names().map(|k| ColRef::new(table.name, k)).collect();
        order.len() >= keys.len()
            && order[order.len() - keys.len()..].iter().zip(&keys).all(|(s, c)| s.as_ref() == Some(c))
    }

    /// The statement's text and its parameters, in the order of the text.
    pub(crate) fn render(&self, d: &dyn Dialect) -> (String, Vec<Value<'static>>) {
        let mut sql = String::with_capacity(256);
        let mut params = Vec::new();
        self.render_into(d, &mut sql, &mut params, &mut Vec::new());
        (sql, params)
    }

    pub(crate) fn render_into(
        &self,
        d: &dyn Dialect,
        sql: &mut String,
        params: &mut Vec<Value<'static>>,
        scope: &mut Scope,
    ) {
        let depth = scope.len();
        scope.extend(self.scope.iter().cloned());
        if let Some(with) = &self.with {
            with.render(d, sql, params, scope);
        }
        sql.push_str("SELECT ");
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            item.render(d, sql, params, scope);
        }
        if !matches!(self.from, From::Nothing) {
            sql.push_str(" FROM ");
            self.from.render(d, sql, params, scope);
        }
        render_all(&self.filter, " WHERE ", d, sql, params, scope);
        for (i, s) in self.order.iter().enumerate() {
            sql.push_str(if i == 0 { " ORDER BY " } else { ", " });
            s.render(d, sql, params, scope);
        }
        if self.limit.is_some() || self.offset.is_some() {
            let mut bind = |n: u64| {
                params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
                params.len()
            };
            let (limit, offset) = (self.limit.map(&mut bind), self.offset.map(&mut bind));
            sql.push(' ');
            d.limit_offset(limit, offset, sql);
        }
        scope.truncate(depth);
    }
}

impl Item<'_> {
    fn render(&self, d: &dyn Dialect, sql: &mut String, params: &mut Vec<Value<'static>>, scope: &mut Scope) {
        match self {
            Item::Col(c) => c.render(d, sql),
            Item::Named(c, name) => {
                c.render(d, sql);
                sql.push_str(" AS ");
                d.quote(name, sql);
            }
            Item::Columns { table, alias, mask } => crate::sql::select_list(d, table, alias, *mask, sql),
            Item::All(alias) => {
                d.quote(alias, sql);
                sql.push_str(".*");
            }
            Item::Star => sql.push('*'),
            Item::RowNumber { partition, order, name } => {
                sql.push_str("row_number() OVER (");
                for (i, c) in partition.iter().enumerate() {
                    sql.push_str(if i == 0 { "PARTITION BY " } else { ", " });
                    c.render(d, sql);
                }
                for (i, s) in order.iter().enumerate() {
                    sql.push_str(match (i, partition.is_empty()) {
                        (0, true) => "ORDER BY ",
                        (0, false) => " ORDER BY ",
                        _ => ", ",
                    });
                    s.render(d, sql, params, scope);
                }
                sql.push(')');
                if let Some(name) = name {
                    sql.push_str(" AS ");
                    d.quote(name, sql);
                }
            }
            Item::Typed(v, c) => {
                params.push(v.clone());
                d.typed_placeholder(params.len(), c, sql);
            }
            Item::Zero => {
                sql.push_str("CAST(0 AS ");
                sql.push_str(&d.cast_type(crate::schema::SqlType::BigInteger));
                sql.push(')');
            }
        }
    }
}

/// `<lead> a AND b AND ...`, nothing when there is no condition.
fn render_all(
    conds: &[Cond<'_>],
    lead: &str,
    d: &dyn Dialect,
    sql: &mut String,
    params: &mut Vec<Value<'static>>,
    scope: &mut Scope,
) {
    for (i, c) in conds.iter().enumerate() {
        sql.push_str(if i == 0 { lead } else { " AND " });
        c.render(d, sql, params, scope);
    }
}
