//! The statements of loads: the owners' `SELECT` with the joined options' columns and joins
//! in it (its limit moved into a subquery when joined rows would be cut by it), the one
//! recursive statement of owners with their subtrees, and the related rows' statement of a
//! `selectin` or `subquery` level (with its per-owner window under a limit).

use crate::dialect::Dialect;
use crate::schema::value::Value;
use crate::schema::{Join, RelationDef, Table};
use crate::sql::expr::{Expr, Order};
use crate::sql::{column, key_column, push_clause, relation_join, RecursiveCte, Select, TREE};

/// The alias of the `i`th tag column inside a subquery: `relations_tag`, `relations_tag1`, ...
pub(crate) fn tag_alias(i: usize) -> String {
    if i == 0 {
        "relations_tag".to_string()
    } else {
        format!("relations_tag{i}")
    }
}

/// The SQL a joined option adds to its owners' statement.
pub(crate) struct JoinSql {
    pub(crate) cols: String,
    pub(crate) joins: String,
    /// The key columns of the joined collections, for `ORDER BY`, each followed by `, ` but
    /// the last.
    pub(crate) order: String,
    pub(crate) aliases: u32,
    pub(crate) width: usize,
    /// What the joins' conditions bind, in their order.
    pub(crate) params: Vec<Value<'static>>,
    /// The number of parameters bound before the joins' (their placeholders come after).
    pub(crate) base: usize,
}

impl JoinSql {
    /// Appends ` AND <condition>` to the joins, `scope` naming the aliases of its tables.
    fn and(&mut self, d: &dyn Dialect, condition: &Expr, scope: &mut crate::sql::expr::Scope) {
        let mut params = Vec::with_capacity(self.base + self.params.len() + 2);
        params.resize(self.base, Value::Null);
        params.append(&mut self.params);
        self.joins.push_str(" AND ");
        condition.render_in(d, &mut self.joins, &mut params, scope);
        self.params = params.split_off(self.base);
    }
}

/// Where a statement's rows hold what the loader reads.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Columns {
    /// The index of the owners' first column.
    pub(crate) owners: usize,
    /// The tag's first column and its width (0 when the rows are not tagged).
    pub(crate) tag: usize,
    pub(crate) tag_width: usize,
}

/// The owners' statement of a load: its text, parameters and [`Columns`]; `joined` hands the
/// joined options the SQL they add to it.
pub(crate) fn render_owners(
    d: &dyn Dialect,
    table: &'static Table,
    mut select: Select,
    has_joined: bool,
    joined: &mut dyn FnMut(&mut JoinSql),
) -> (String, Vec<Value<'static>>, Columns) {
    // a tag read from the model's own columns names them in the subquery's result too
    let selected_tag: &[String] = if select.tag_column.is_some() { &[] } else { &select.tag };
    if has_joined && !select.tail.is_empty() {
        // LIMIT/OFFSET apply to owners, not to joined rows: move them into a subquery
        let mut inner = String::from("(SELECT ");
        for (i, tag) in selected_tag.iter().enumerate() {
            inner.push_str(tag);
            inner.push_str(" AS ");
            d.quote(&tag_alias(i), &mut inner);
            inner.push_str(", ");
        }
        d.quote(table.name, &mut inner);
        inner.push_str(".* FROM ");
        inner.push_str(&select.from);
        push_clause(&mut inner, " WHERE ", &select.filter);
        push_clause(&mut inner, " ORDER BY ", &select.order);
        inner.push(' ');
        inner.push_str(&select.tail);
        inner.push_str(") AS ");
        d.quote(table.name, &mut inner);
        if select.tag_column.is_none() {
            for (i, tag) in select.tag.iter_mut().enumerate() {
                tag.clear();
                column(d, table.name, &tag_alias(i), tag);
            }
        }
        select.from = inner;
        select.filter.clear();
        select.tail.clear();
        select.params.append(&mut select.tail_params);
        select.from_params = select.params.len();
    }

    let mut sql = String::with_capacity(256);
    sql.push_str(&select.prefix);
    sql.push_str("SELECT ");
    let at = match select.tag_column {
        Some(c) => Columns { owners: 0, tag: c, tag_width: 1 },
        None => Columns { owners: select.tag.len(), tag: 0, tag_width: select.tag.len() },
    };
    let offset = at.owners;
    for tag in &select.tag[..offset] {
        sql.push_str(tag);
        sql.push_str(", ");
    }
    crate::sql::select_list(d, table, table.name, select.deferred.unwrap_or(table.deferred), &mut sql);
    let mut js = JoinSql {
        cols: String::new(),
        joins: String::new(),
        order: String::new(),
        aliases: 0,
        width: offset + table.columns.len(),
        params: Vec::new(),
        base: select.params.len() + select.tail_params.len(),
    };
    if has_joined {
        joined(&mut js);
    }
    sql.push_str(&js.cols);
    sql.push_str(" FROM ");
    sql.push_str(&select.from);
    sql.push_str(&js.joins);
    push_clause(&mut sql, " WHERE ", &select.filter);
    if js.order.is_empty() {
        push_clause(&mut sql, " ORDER BY ", &select.order);
    } else {
        // joined collections come in key order whatever index the database picks: the owners
        // in their order (then by key), each one's related rows by key, level by level
        sql.push_str(" ORDER BY ");
        if !select.order.is_empty() {
            sql.push_str(&select.order);
            sql.push_str(", ");
        }
        // grouped by owner, unless the order already starts so
        if !select.tag.is_empty() && !select.order.starts_with(&select.tag.join(", ")) {
            for tag in &select.tag {
                sql.push_str(tag);
                sql.push_str(", ");
            }
        }
        let mut keys = String::new();
        for c in table.primary_key() {
            if !keys.is_empty() {
                keys.push_str(", ");
            }
            column(d, table.name, c.name, &mut keys);
        }
        // the owners' own order already ends with their key when it is the default one
        if !select.tag.is_empty() || !select.order.ends_with(&keys) {
            sql.push_str(&keys);
            sql.push_str(", ");
        }
        sql.push_str(&js.order);
    }
    if !select.tail.is_empty() {
        sql.push(' ');
        sql.push_str(&select.tail);
    }
    // the joins' parameters where their text is: after the `FROM` clause's, before the
    // filter's, unless the placeholders say their number
    let mut params = select.params;
    if !js.params.is_empty() && !d.numbered_placeholders() {
        let rest = params.split_off(select.from_params.min(params.len()));
        params.append(&mut js.params);
        params.extend(rest);
    }
    params.append(&mut select.tail_params);
    params.append(&mut js.params);
    (sql, params, at)
}

/// The statement and parameters of the owners with a subtree option's rows in it (the
/// `fetch_with_tree` of the loader), `link` being the self-reference's column; with a `rule`,
/// only through rows below that pass it.
pub(crate) fn subtree_sql(
    d: &dyn Dialect,
    table: &Table,
    select: Select,
    link: &str,
    rule: Option<&Expr>,
) -> (String, Vec<Value<'static>>) {
    let key = table.single_key().map_or(d.row_id(), |c| c.name);
    let integer_key = table.single_key().is_some_and(|c| {
        matches!(
            c.sql_type,
            crate::schema::SqlType::Integer | crate::schema::SqlType::SmallInteger | crate::schema::SqlType::BigInteger
        )
    });
    let q = |c: &str, out: &mut String| column(d, table.name, c, out);
    let mut params = select.params;
    params.extend(select.tail_params);
    let mut sql = String::with_capacity(512);
    let mut seed = String::from("SELECT * FROM (SELECT ");
    q(key, &mut seed);
    seed.push_str(", row_number() OVER (");
    push_clause(&mut seed, "ORDER BY ", &select.order);
    seed.push_str(") FROM ");
    seed.push_str(&select.from);
    push_clause(&mut seed, " WHERE ", &select.filter);
    push_clause(&mut seed, " ORDER BY ", &select.order);
    push_clause(&mut seed, " ", &select.tail);
    seed.push_str(") AS ");
    d.quote("relations_owners", &mut seed);
    let mut step = String::new();
    q(key, &mut step);
    step.push_str(", CAST(0 AS ");
    step.push_str(&d.cast_type(crate::schema::SqlType::BigInteger));
    step.push(')');
    let step_filter = rule.map(|r| {
        let mut f = String::new();
        r.render(d, &mut f, &mut params);
        f
    });
    let cte = RecursiveCte { columns: &["relations_id", "relations_ord"], seed, step, join: link, step_filter };
    sql.push_str(&cte.render(d, table.name));
    sql.push_str("SELECT ");
    column(d, TREE, "relations_ord", &mut sql);
    sql.push_str(", ");
    crate::sql::select_list(d, table, table.name, select.deferred.unwrap_or(table.deferred), &mut sql);
    sql.push_str(" FROM ");
    d.quote(TREE, &mut sql);
    sql.push_str(" JOIN ");
    d.quote(table.name, &mut sql);
    sql.push_str(" ON ");
    q(key, &mut sql);
    sql.push_str(" = ");
    column(d, TREE, "relations_id", &mut sql);
    if !integer_key {
        sql.push_str(" ORDER BY ");
        q(key, &mut sql);
    }
    (sql, params)
}

/// Adds the columns (`NULL` for those of `deferred`) and the `LEFT OUTER JOIN` of `def` to the
/// owners' statement; returns the joined table's alias and the index of its first column in
/// the rows.
pub(crate) fn join_sql(
    d: &dyn Dialect,
    def: &'static RelationDef,
    sql: &mut JoinSql,
    owner_alias: &str,
    deferred: u64,
    rule: Option<&Expr>,
) -> (String, usize) {
    let (owner, target) = (def.owner, def.target);
    sql.aliases += 1;
    let alias = format!("relations_j{}", sql.aliases);
    let offset = sql.width;
    sql.cols.push_str(", ");
    crate::sql::select_list(d, target, &alias, deferred, &mut sql.cols);
    sql.width += target.columns.len();
    let j = relation_join(d, def.join, owner, owner_alias, target, &alias);
    sql.joins.push_str(" LEFT OUTER JOIN ");
    if j.through {
        sql.joins.push('(');
        sql.joins.push_str(&j.from);
        sql.joins.push(')');
    } else {
        sql.joins.push_str(&j.from);
    }
    sql.joins.push_str(" ON ");
    sql.joins.push_str(&j.on);
    if let Some(rule) = rule {
        // in `ON`: an owner without a row that passes keeps its place, as one without any
        let mut scope = vec![(target.name, alias.clone())];
        if let Join::Through { table, .. } = def.join {
            scope.push((table.name, format!("{alias}_link")));
        }
        sql.and(d, rule, &mut scope);
    }
    if !matches!(def.join, Join::Forward { .. }) {
        let link = format!("{alias}_link");
        crate::sql::declared_order(d, target, &alias, Some(&link), def.order_by, &mut sql.order);
    }
    (alias, offset)
}

/// What each related row is grouped by (one column, or a composite key's), and the FROM clause.
pub(crate) fn related_from(d: &dyn Dialect, def: &RelationDef, target: &Table) -> (Vec<String>, String) {
    let qualified = |c: &str| {
        let mut s = String::new();
        column(d, target.name, c, &mut s);
        s
    };
    let mut tag: Vec<String> = Vec::new();
    let mut from = String::new();
    d.quote(target.name, &mut from);
    match def.join {
        Join::Reverse { columns: fk } => tag.extend(fk.iter().map(|c| qualified(c))),
        Join::Forward { .. } if target.single_key().is_none() => tag.extend(target.key_names().map(qualified)),
        Join::Forward { .. } => {
            let mut s = String::new();
            key_column(d, target, target.name, &mut s);
            tag.push(s);
        }
        Join::Through { table, local, remote } => {
            // the association table under its own name, so that an `order_by` or `filter`
            // can name its columns (`BookAuthor::position`)
            let mut s = String::new();
            column(d, table.name, local, &mut s);
            tag.push(s);
            from.push_str(" JOIN ");
            d.quote(table.name, &mut from);
            from.push_str(" ON ");
            column(d, table.name, remote, &mut from);
            from.push_str(" = ");
            key_column(d, target, target.name, &mut from);
        }
    }
    (tag, from)
}

/// `tag IN (SELECT <link> <the owners' query>)`, a row value for a composite link.
pub(crate) fn in_owners_query(d: &dyn Dialect, tag: &[String], owner: &Table, link: &[usize], tail: &str) -> String {
    let mut filter = String::new();
    let row = tag.len() > 1;
    if row {
        filter.push('(');
    }
    filter.push_str(&tag.join(", "));
    filter.push_str(if row { ") IN " } else { " IN " });
    let mut sub = String::from("SELECT ");
    for (i, &l) in link.iter().enumerate() {
        if i > 0 {
            sub.push_str(", ");
        }
        column(d, owner.name, owner.columns[l].name, &mut sub);
    }
    sub.push_str(tail);
    d.in_subquery(&sub, &mut filter);
    filter
}

/// The related rows' statement of one option, whatever the models: grouped by `tag`, read
/// from `from`, with the option's filter, order and per-owner limit.
pub(crate) struct Related<'a> {
    pub(crate) tag: &'a [String],
    pub(crate) from: &'a str,
    pub(crate) filter: &'a [Expr],
    pub(crate) order: &'a [Order],
    pub(crate) limit: Option<u64>,
    pub(crate) def: &'static RelationDef,
    /// The target's columns the rows leave out; `None`: its deferred ones.
    pub(crate) deferred: Option<u64>,
}

impl Related<'_> {
    /// The statement for the owners `filter` selects (with the per-owner window when limited).
    pub(crate) fn select(&self, d: &dyn Dialect, filter: String, params: Vec<Value<'static>>) -> Select {
        let (tag, from) = (self.tag, self.from);
        let target = self.def.target;
        let (mut filter, mut params) = (filter, params);
        for f in self.filter {
            filter.push_str(" AND ");
            f.render(d, &mut filter, &mut params);
        }
        // the option's order, else the relationship's declared one; the key last
        let mut order = String::new();
        let before = params.len();
        for o in self.order {
            if !order.is_empty() {
                order.push_str(", ");
            }
            o.render(d, &mut order, &mut params);
        }
        // an order term that binds a value (`(Post::likes - ?)`) must come after the filter's
        // in the text, as its parameters do
        let order_binds = params.len() > before;
        let declared = if self.order.is_empty() { self.def.order_by } else { &[] };
        let link = match self.def.join {
            Join::Through { table, .. } => Some(table.name),
            _ => None,
        };
        crate::sql::declared_order(d, target, target.name, link, declared, &mut order);
        let Some(n) = self.limit else {
            // grouped by owner first: each owner's rows are in `order` all the same, and an
            // index on the foreign key (which holds the key after it) delivers this order
            // without a sort, where the key alone needed one at every level
            let grouped = match self.def.join {
                Join::Forward { .. } => order,
                // in key order is in the link's order: the association table's key
                // (local, remote) delivers it
                Join::Through { table, remote, .. } if self.order.is_empty() && declared.is_empty() => {
                    let mut by_link = tag.join(", ");
                    by_link.push_str(", ");
                    column(d, table.name, remote, &mut by_link);
                    by_link
                }
                _ => format!("{}, {order}", tag.join(", ")),
            };
            // a one-to-many's rows hold their foreign key, a to-one's parents their key: the
            // tag is read there, not selected twice
            let tag_column = match self.def.join {
                Join::Reverse { columns: [fk] } => Some(target.column_index(fk)),
                Join::Forward { .. } => target.single_key().map(|_| target.key_index()),
                _ => None,
            };
            return Select {
                tag: tag.to_vec(),
                tag_column,
                from: from.to_owned(),
                filter,
                order: grouped,
                params,
                deferred: self.deferred,
                ..Select::default()
            };
        };
        // number each owner's rows in order, keep the first n
        let mut inner = String::from("(SELECT ");
        for (i, t) in tag.iter().enumerate() {
            inner.push_str(t);
            inner.push_str(" AS ");
            d.quote(&tag_alias(i), &mut inner);
            inner.push_str(", ");
        }
        d.quote(target.name, &mut inner);
        let window = format!("PARTITION BY {} ORDER BY {order}", tag.join(", "));
        if order_binds {
            inner.push_str(".*, row_number() OVER ");
            d.quote("relations_w", &mut inner);
            inner.push_str(" AS ");
            d.quote("relations_rn", &mut inner);
            inner.push_str(" FROM ");
        } else {
            inner.push_str(".*, row_number() OVER (");
            inner.push_str(&window);
            inner.push_str(") AS ");
            d.quote("relations_rn", &mut inner);
            inner.push_str(" FROM ");
        }
        inner.push_str(from);
        inner.push_str(" WHERE ");
        inner.push_str(&filter);
        if order_binds {
            inner.push_str(" WINDOW ");
            d.quote("relations_w", &mut inner);
            inner.push_str(" AS (");
            inner.push_str(&window);
            inner.push(')');
        }
        inner.push_str(") AS ");
        d.quote(target.name, &mut inner);
        let mut outer_filter = String::new();
        column(d, target.name, "relations_rn", &mut outer_filter);
        outer_filter.push_str(" <= ");
        // what the subquery in `FROM` binds comes before a joined option's `ON`
        let from_params = params.len();
        params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        d.placeholder(params.len(), &mut outer_filter);
        let outer_tag = (0..tag.len())
            .map(|i| {
                let mut s = String::new();
                column(d, target.name, &tag_alias(i), &mut s);
                s
            })
            .collect();
        // the window numbered each owner's rows in order (the order may name columns the
        // outer query cannot see, like an association model's)
        let mut outer_order = String::new();
        column(d, target.name, "relations_rn", &mut outer_order);
        Select {
            tag: outer_tag,
            from: inner,
            filter: outer_filter,
            order: outer_order,
            params,
            from_params,
            deferred: self.deferred,
            ..Select::default()
        }
    }
}
