//! The statements of loads, built as one [`Select`] each: the owners' statement with the joined
//! options' columns and joins in it (its limit moved into a subquery when joined rows would be
//! cut by it), the one recursive statement of owners with their subtrees, the related rows'
//! statement of a `selectin` or `subquery` level (with its per-owner window under a limit), and
//! the recursive statements of a tree's descendants and ancestors.

use std::borrow::Cow;

use crate::dialect::Dialect;
use crate::schema::value::Value;
use crate::schema::{Join, RelationDef, SqlType, Table};
use crate::sql::expr::{Core, Expr, Order};
use crate::sql::select::{ColRef, Cond, From, Item, Name, Recursive, RelJoin, Select, Sort};
use crate::sql::TREE;

/// The alias of the `i`th tag column inside a subquery: `relations_tag`, `relations_tag1`, ...
pub(crate) fn tag_alias(i: usize) -> Name {
    if i == 0 {
        Name::Borrowed("relations_tag")
    } else {
        Name::Owned(format!("relations_tag{i}"))
    }
}

/// A `SELECT` of a model's rows before its columns are chosen: what it reads from, where,
/// in which order, how many, and what each row is grouped by.
pub(crate) struct ModelRows<'q> {
    /// The statement, its `SELECT` list empty.
    pub(crate) select: Select<'q>,
    /// The expressions selected before the model's columns: what each row is grouped by (one,
    /// or a composite key's columns; none when the rows are not grouped).
    pub(crate) tag: Vec<ColRef>,
    /// The model's own column that `tag` (one expression) names, read there instead of being
    /// selected a second time before the model's columns: a one-to-many's foreign key.
    pub(crate) tag_column: Option<usize>,
    /// The model's columns left out (bit `i`: column `i`); `None`: its deferred ones.
    pub(crate) deferred: Option<u64>,
}

impl<'q> ModelRows<'q> {
    /// The rows a query selects.
    pub(crate) fn of_query(core: &'q Core) -> ModelRows<'q> {
        ModelRows { select: Select::of_query(core), tag: Vec::new(), tag_column: None, deferred: core.deferred }
    }
}

/// One outer join a joined option adds.
enum Step {
    /// A relationship's join, as every strategy and filter writes it.
    Related(RelJoin, Vec<Cond<'static>>),
    /// `LEFT OUTER JOIN <right> ON <conditions>`.
    Outer(From<'static>, Vec<Cond<'static>>),
}

/// What the joined options add to their owners' statement: columns, joins and order terms.
#[derive(Default)]
pub(crate) struct Joins {
    items: Vec<Item<'static>>,
    joins: Vec<Step>,
    /// The joined collections' order (their keys, after their declared order), level by level.
    order: Vec<Sort<'static>>,
    aliases: u32,
    width: usize,
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

/// The owners' statement of a load: its text, parameters and [`Columns`]; `joined` adds the
/// joined options to it.
pub(crate) fn render_owners(
    d: &dyn Dialect,
    table: &'static Table,
    rows: ModelRows<'_>,
    has_joined: bool,
    joined: &mut dyn FnMut(&mut Joins),
) -> (String, Vec<Value<'static>>, Columns) {
    let ModelRows { mut select, mut tag, tag_column, deferred } = rows;
    if has_joined && (select.limit.is_some() || select.offset.is_some()) {
        // LIMIT/OFFSET apply to owners, not to joined rows: move them into a subquery, which
        // names a tag read from other tables among its columns
        let mut items: Vec<Item<'_>> = match tag_column {
            Some(_) => Vec::new(),
            None => tag.iter().enumerate().map(|(i, t)| Item::Named(t.clone(), tag_alias(i))).collect(),
        };
        items.push(Item::All(table.name.into()));
        let inner = Select {
            with: None,
            items,
            from: std::mem::replace(&mut select.from, From::Nothing),
            filter: std::mem::take(&mut select.filter),
            order: select.order.clone(),
            limit: select.limit.take(),
            offset: select.offset.take(),
            scope: select.scope.clone(),
        };
        select.from = From::Derived(Box::new(inner), table.name.into());
        if tag_column.is_none() {
            for (i, t) in tag.iter_mut().enumerate() {
                *t = ColRef::new(table.name, tag_alias(i));
            }
        }
    }
    let at = match tag_column {
        Some(c) => Columns { owners: 0, tag: c, tag_width: 1 },
        None => Columns { owners: tag.len(), tag: 0, tag_width: tag.len() },
    };
    let mut items: Vec<Item<'_>> = tag[..at.owners].iter().cloned().map(Item::Col).collect();
    items.push(Item::Columns { table, alias: table.name.into(), mask: deferred.unwrap_or(table.deferred) });
    let mut js = Joins { width: at.owners + table.columns.len(), ..Joins::default() };
    if has_joined {
        joined(&mut js);
    }
    items.extend(js.items);
    select.items = items;
    for step in js.joins {
        let left = std::mem::replace(&mut select.from, From::Nothing);
        select.from = match step {
            Step::Related(rel, on) => From::Related { left: Box::new(left), rel, on },
            Step::Outer(right, on) => left.join(true, right, on),
        };
    }
    if !js.order.is_empty() {
        // joined collections come in key order whatever index the database picks: the owners
        // in their order, grouped by owner unless the order already starts so, then by key
        // unless the order already ends so, each one's related rows by key, level by level
        if !tag.is_empty() && !select.ordered_by(&tag) {
            select.order.extend(tag.iter().cloned().map(Sort::Col));
        }
        if !select.ends_with_key(table) {
            select.order.extend(table.key_names().map(|k| Sort::Col(ColRef::new(table.name, k))));
        }
        select.order.extend(js.order);
    }
    let (sql, params) = select.render(d);
    (sql, params, at)
}

/// The statement and parameters of the owners with a subtree option's rows in it (the
/// `fetch_with_tree` of the loader), `link` being the self-reference's column; with a `rule`,
/// only through rows below that pass it.
pub(crate) fn subtree_sql(
    d: &dyn Dialect,
    table: &'static Table,
    rows: ModelRows<'_>,
    link: &'static str,
    rule: Option<&Expr>,
) -> (String, Vec<Value<'static>>) {
    let key = ColRef::key(d, table, table.name);
    let ModelRows { select, deferred, .. } = rows;
    debug_assert!(select.with.is_none(), "the owners of a subtree load are a query's");
    let mask = deferred.unwrap_or(table.deferred);
    if let (true, Some(k)) = (d.subtree_carries_rows(table), table.single_key()) {
        return carried_subtree(d, table, select, link, rule, mask, k.name);
    }
    // the owners' keys, numbered in their order
    let numbered = vec![
        Item::Col(key.clone()),
        Item::RowNumber { partition: Vec::new(), order: select.order.clone(), name: None },
    ];
    let owners = Select { items: numbered, ..select };
    let seed =
        Select { items: vec![Item::Star], ..Select::new(From::Derived(Box::new(owners), "relations_owners".into())) };
    let step_filter = rule.map(Cond::expr).into_iter().collect();
    let step = Recursive::step(table.name, link, "relations_id", vec![Item::Col(key.clone()), Item::Zero], step_filter);
    let tree = Recursive { columns: &["relations_id", "relations_ord"], seed, step };
    let on = vec![Cond::Eq(key.clone(), ColRef::new(TREE, "relations_id"))];
    let mut select = Select {
        with: Some(Box::new(tree)),
        items: vec![
            Item::Col(ColRef::new(TREE, "relations_ord")),
            Item::Columns { table, alias: table.name.into(), mask },
        ],
        ..Select::new(From::Table(TREE.into()).join(false, From::Table(table.name.into()), on))
    };
    if !integer_key(table) {
        select.order.push(Sort::Col(key));
    }
    select.render(d)
}

/// Whether `table`'s key is one integer column: the loader puts such rows in key order itself;
/// the others a subtree statement orders.
fn integer_key(table: &Table) -> bool {
    table
        .single_key()
        .is_some_and(|c| matches!(c.sql_type, SqlType::Integer | SqlType::SmallInteger | SqlType::BigInteger))
}

/// [`subtree_sql`]'s statement where the recursive expression carries the rows themselves
/// (their columns but those of `mask`) beside each owner's number, so that nothing joins back
/// to the table: `UNION` then compares whole rows, which are the same wherever a row is
/// reached again, and a cycle in the data still ends.
fn carried_subtree(
    d: &dyn Dialect,
    table: &'static Table,
    owners: Select<'_>,
    link: &'static str,
    rule: Option<&Expr>,
    mask: u64,
    key: &'static str,
) -> (String, Vec<Value<'static>>) {
    let carried = || {
        let kept = table.columns.iter().enumerate().filter(|&(i, _)| !crate::schema::in_mask(mask, i));
        kept.map(|(_, c)| Item::Col(ColRef::new(table.name, c.name)))
    };
    let number =
        Item::RowNumber { partition: Vec::new(), order: owners.order.clone(), name: Some("relations_ord".into()) };
    let owners = Select { items: std::iter::once(number).chain(carried()).collect(), ..owners };
    let seed =
        Select { items: vec![Item::Star], ..Select::new(From::Derived(Box::new(owners), "relations_owners".into())) };
    let step_filter = rule.map(Cond::expr).into_iter().collect();
    let step =
        Recursive::step(table.name, link, key, std::iter::once(Item::Zero).chain(carried()).collect(), step_filter);
    let mut select = Select {
        with: Some(Box::new(Recursive { columns: &[], seed, step })),
        items: vec![Item::Col(ColRef::new(TREE, "relations_ord")), Item::Columns { table, alias: TREE.into(), mask }],
        ..Select::new(From::Table(TREE.into()))
    };
    if !integer_key(table) {
        select.order.push(Sort::Col(ColRef::new(TREE, key)));
    }
    select.render(d)
}

/// Adds the columns (`NULL` for those of `deferred`) and the `LEFT OUTER JOIN` of `def` to the
/// owners' statement, with a `rule` on its rows in the join's `ON`; returns the joined table's
/// alias and the index of its first column in the rows.
pub(crate) fn join_sql(
    d: &dyn Dialect,
    def: &'static RelationDef,
    js: &mut Joins,
    owner_alias: &str,
    deferred: u64,
    rule: Option<Expr>,
) -> (String, usize) {
    let target = def.target;
    js.aliases += 1;
    let alias = format!("relations_j{}", js.aliases);
    let link = format!("{alias}_link");
    let offset = js.width;
    js.items.push(Item::Columns { table: target, alias: alias.clone().into(), mask: deferred });
    js.width += target.columns.len();
    let mut on = Vec::new();
    if let Some(rule) = rule {
        // in `ON`: an owner without a row that passes keeps its place, as one without any
        let mut scope = vec![(target.name, alias.clone())];
        if let Join::Through { table, .. } = def.join {
            scope.push((table.name, link.clone()));
        }
        on.push(Cond::Expr(Cow::Owned(rule), scope));
    }
    match def.join {
        Join::Through { table, local, remote } => {
            // the association table, then the target, each outer-joined in turn: the owner's
            // links come in the order of the association table's key (local, remote), so
            // ordered by `remote` — the target's key — they need no sort. A link whose target
            // is missing (or fails the rule) reads as no row
            let to_owner =
                Cond::Eq(ColRef::new(link.clone(), local), ColRef::key(d, def.owner, owner_alias.to_owned()));
            js.joins.push(Step::Outer(From::As(table.name.into(), link.clone().into()), vec![to_owner]));
            on.insert(0, Cond::Eq(ColRef::key(d, target, alias.clone()), ColRef::new(link.clone(), remote)));
            js.joins.push(Step::Outer(From::As(target.name.into(), alias.clone().into()), on));
            js.order.push(match def.order_by {
                [] => Sort::Col(ColRef::new(link, remote)),
                terms => Sort::Declared { table: target, alias: alias.clone().into(), link: Some(link.into()), terms },
            });
        }
        Join::Reverse { .. } => {
            js.joins
                .push(Step::Related(RelJoin { def, owner_alias: owner_alias.to_owned(), alias: alias.clone() }, on));
            js.order.push(Sort::Declared {
                table: target,
                alias: alias.clone().into(),
                link: None,
                terms: def.order_by,
            });
        }
        Join::Forward { .. } => {
            js.joins
                .push(Step::Related(RelJoin { def, owner_alias: owner_alias.to_owned(), alias: alias.clone() }, on));
        }
    }
    (alias, offset)
}

/// What each related row is grouped by (one column, or a composite key's), and the `FROM`
/// clause.
pub(crate) fn related_from(d: &dyn Dialect, def: &RelationDef, target: &'static Table) -> (Vec<ColRef>, From<'static>) {
    let from = From::Table(target.name.into());
    match def.join {
        Join::Reverse { columns: fk } => (fk.iter().map(|c| ColRef::new(target.name, *c)).collect(), from),
        Join::Forward { .. } if target.single_key().is_none() => {
            (target.key_names().map(|c| ColRef::new(target.name, c)).collect(), from)
        }
        Join::Forward { .. } => (vec![ColRef::key(d, target, target.name)], from),
        Join::Through { table, local, remote } => {
            // the association table under its own name, so that an `order_by` or `filter`
            // can name its columns (`BookAuthor::position`)
            let on = vec![Cond::Eq(ColRef::new(table.name, remote), ColRef::key(d, target, target.name))];
            (vec![ColRef::new(table.name, local)], from.join(false, From::Table(table.name.into()), on))
        }
    }
}

/// `tag IN (SELECT <link> <the owners' query>)`, a row value for a composite link; the
/// owners' order only where their limit or offset needs it.
pub(crate) fn in_owners_query<'q>(tag: &[ColRef], owner: &'static Table, link: &[usize], owners: &'q Core) -> Cond<'q> {
    let mut sub = Select::of_query(owners);
    sub.items = link.iter().map(|&l| Item::Col(ColRef::new(owner.name, owner.columns[l].name))).collect();
    if sub.limit.is_none() && sub.offset.is_none() {
        sub.order.clear();
    }
    Cond::InSelect(tag.to_vec(), Box::new(sub))
}

/// The related rows' statement of one option, whatever the models: grouped by `tag`, read
/// from `from`, with the option's filter, order and per-owner limit.
pub(crate) struct Related<'a> {
    pub(crate) tag: &'a [ColRef],
    pub(crate) from: &'a From<'static>,
    pub(crate) filter: &'a [Expr],
    pub(crate) order: &'a [Order],
    pub(crate) limit: Option<u64>,
    pub(crate) def: &'static RelationDef,
    /// The target's columns the rows leave out; `None`: its deferred ones.
    pub(crate) deferred: Option<u64>,
}

impl<'a> Related<'a> {
    /// The statement for the owners `owners` selects (with the per-owner window when limited).
    pub(crate) fn select(&self, d: &dyn Dialect, owners: Cond<'a>) -> ModelRows<'a> {
        let (tag, target) = (self.tag, self.def.target);
        let mut filter = Vec::with_capacity(1 + self.filter.len());
        filter.push(owners);
        filter.extend(self.filter.iter().map(Cond::expr));
        // the option's order, else the relationship's declared one; the key last
        let mut order: Vec<Sort<'a>> = self.order.iter().map(|o| Sort::Term(Cow::Borrowed(o))).collect();
        let declared = if self.order.is_empty() { self.def.order_by } else { &[] };
        let link = match self.def.join {
            Join::Through { table, .. } => Some(Name::from(table.name)),
            _ => None,
        };
        order.push(Sort::Declared { table: target, alias: target.name.into(), link, terms: declared });
        let from = self.from.clone();
        let Some(n) = self.limit else {
            // grouped by owner first: each owner's rows are in `order` all the same, and an
            // index on the foreign key (which holds the key after it) delivers this order
            // without a sort, where the key alone needed one at every level
            let tags = || tag.iter().cloned().map(Sort::Col);
            let grouped = match self.def.join {
                Join::Forward { .. } => order,
                // where the dialect's planner does better without it, in the rows' own order,
                // grouped by owner as they come
                Join::Reverse { .. } if !d.orders_levels_by_owner() => order,
                // in key order is in the link's order: the association table's key
                // (local, remote) delivers it
                Join::Through { table, remote, .. } if self.order.is_empty() && declared.is_empty() => {
                    tags().chain([Sort::Col(ColRef::new(table.name, remote))]).collect()
                }
                _ => tags().chain(order).collect(),
            };
            // a one-to-many's rows hold their foreign key, a to-one's parents their key: the
            // tag is read there, not selected twice
            let tag_column = match self.def.join {
                Join::Reverse { columns: [fk] } => Some(target.column_index(fk)),
                Join::Forward { .. } => target.single_key().map(|_| target.key_index()),
                _ => None,
            };
            let select = Select { filter, order: grouped, ..Select::new(from) };
            return ModelRows { select, tag: tag.to_vec(), tag_column, deferred: self.deferred };
        };
        // number each owner's rows in order, keep the first n
        let mut items: Vec<Item<'a>> =
            tag.iter().enumerate().map(|(i, t)| Item::Named(t.clone(), tag_alias(i))).collect();
        items.push(Item::All(target.name.into()));
        items.push(Item::RowNumber { partition: tag.to_vec(), order, name: Some("relations_rn".into()) });
        let inner = Select { items, filter, ..Select::new(from) };
        // the window numbered each owner's rows in order (the order may name columns the
        // outer query cannot see, like an association model's)
        let rn = ColRef::new(target.name, "relations_rn");
        let select = Select {
            filter: vec![Cond::AtMost(rn.clone(), n)],
            order: vec![Sort::Col(rn)],
            ..Select::new(From::Derived(Box::new(inner), target.name.into()))
        };
        let tag = (0..tag.len()).map(|i| ColRef::new(target.name, tag_alias(i))).collect();
        ModelRows { select, tag, tag_column: None, deferred: self.deferred }
    }
}

/// The keys of the rows below `starts` in a self-referential `table` linked by `fk`, as the
/// recursive expression `"relations_tree"("id")`; with a `rule`, only through rows that pass
/// it.
pub(crate) fn descendants<'q>(
    d: &dyn Dialect,
    table: &'static Table,
    fk: &'static str,
    starts: Vec<Value<'static>>,
    rule: Option<&'q Expr>,
) -> Recursive<'q> {
    let key = ColRef::key(d, table, table.name);
    let mut filter = vec![Cond::In(vec![ColRef::new(table.name, fk)], starts)];
    filter.extend(rule.map(Cond::expr));
    let seed = Select { items: vec![Item::Col(key.clone())], filter, ..Select::new(From::Table(table.name.into())) };
    let step = Recursive::step(table.name, fk, "id", vec![Item::Col(key)], rule.map(Cond::expr).into_iter().collect());
    Recursive { columns: &["id"], seed, step }
}

/// The keys of the rows above the parent key `start` in a self-referential `table` linked by
/// `fk`, climbing through each row's `fk`, as the recursive expression `"relations_tree"("id")`;
/// with a `rule`, not through a row that fails it.
pub(crate) fn ancestors<'q>(
    d: &dyn Dialect,
    table: &'static Table,
    fk: &'static str,
    start: Value<'static>,
    rule: Option<&'q Expr>,
) -> Recursive<'q> {
    let key = table.single_key().map_or(d.row_id(), |c| c.name);
    let seed =
        Select { items: vec![Item::Typed(start, &table.columns[table.key_index()])], ..Select::new(From::Nothing) };
    let parent = ColRef::new(table.name, fk);
    let mut filter = vec![Cond::NotNull(parent.clone())];
    filter.extend(rule.map(Cond::expr));
    let step = Recursive::step(table.name, key, "id", vec![Item::Col(parent)], filter);
    Recursive { columns: &["id"], seed, step }
}

/// `<tree> SELECT [fk,] <columns> FROM table WHERE key IN "relations_tree" [AND rule] ORDER
/// BY key`: the rows a recursive expression collected, tagged with each one's parent when
/// `tagged`.
pub(crate) fn tree_select<'q>(
    d: &dyn Dialect,
    table: &'static Table,
    fk: &'static str,
    tree: Recursive<'q>,
    tagged: bool,
    rule: Option<&'q Expr>,
) -> ModelRows<'q> {
    let key = ColRef::key(d, table, table.name);
    let mut filter = vec![Cond::InTree(key.clone())];
    filter.extend(rule.map(Cond::expr));
    let select = Select {
        with: Some(Box::new(tree)),
        filter,
        order: vec![Sort::Col(key)],
        ..Select::new(From::Table(table.name.into()))
    };
    let tag = if tagged { vec![ColRef::new(table.name, fk)] } else { Vec::new() };
    ModelRows { select, tag, tag_column: None, deferred: None }
}
