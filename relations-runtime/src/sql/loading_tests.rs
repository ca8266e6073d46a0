//! The loaders' statements with a rule in them, rendered on every dialect side by side: where
//! the rule's condition goes (a joined load's `ON`, a level's `WHERE`, the recursive step) and
//! the order its parameters are bound in, which on `?` dialects is the order of the text.

use crate::dialect::rendering_tests::{check, each};
use crate::dialect::Dialect;
use crate::schema::value::Value;
use crate::schema::{Cascade, ColumnDef, Join, Lazy, RelationDef, SqlType, Table};
use crate::sql::expr::Order;
use crate::sql::expr::{Core, Expr, Scalar};
use crate::sql::loading::{
    ancestors, descendants, in_owners_query, join_sql, related_from, render_owners, subtree_sql, tree_select,
    ModelRows, Related,
};
use crate::sql::select::Cond;

const fn key(name: &'static str) -> ColumnDef {
    ColumnDef { primary_key: true, ..ColumnDef::new(name, SqlType::Integer) }
}

const fn table(name: &'static str, columns: &'static [ColumnDef]) -> Table {
    Table { auto_key: true, ..Table::plain(name, columns) }
}

static AUTHOR: Table = table("author", &[key("id"), ColumnDef::new("name", SqlType::Text)]);
static POST: Table = table(
    "post",
    &[key("id"), ColumnDef::new("published", SqlType::Boolean), ColumnDef::new("author_id", SqlType::Integer)],
);
static TOPIC: Table = table("topic", &[key("id"), ColumnDef::new("parent_id", SqlType::Integer)]);
static POSTS: RelationDef = RelationDef {
    name: "posts",
    owner: &AUTHOR,
    target: &POST,
    join: Join::Reverse { columns: &["author_id"] },
    inverse: None,
    lazy: Lazy::Select,
    cascade: Cascade::DEFAULT,
    passive_deletes: false,
    single_parent: false,
    order_by: &[],
};

/// `table.column op value`.
fn cond(table: &'static str, column: &'static str, op: &'static str, value: Value<'static>) -> Expr {
    Expr::compare(Scalar::Column { table, column }, op, Scalar::Bound(value))
}

/// `s` with its bound values after it: `text | 1, 'a'`.
fn with_params(sql: &str, params: &[Value<'_>]) -> String {
    let values: Vec<String> = params.iter().map(ToString::to_string).collect();
    format!("{sql} | {}", values.join(", "))
}

/// Authors whose name is not "Zed" (limited or not), with their posts joined under the rule
/// `published = 1`.
fn joined(limit: Option<u64>) -> Vec<(&'static str, String)> {
    each(|d| {
        let mut core = Core::new(&AUTHOR);
        core.filters.push(cond("author", "name", "<>", Value::Text("Zed".into())));
        core.limit = limit;
        let rule = cond("post", "published", "=", Value::Integer(1));
        let (sql, params, _) = render_owners(d, &AUTHOR, ModelRows::of_query(&core), true, &mut |js| {
            join_sql(d, &POSTS, js, "author", 0, Some(rule.clone()));
        });
        with_params(&sql, &params)
    })
}

#[test]
fn a_joined_loads_rule_is_bound_after_the_from_clause_and_before_the_filter() {
    check(
        joined(None),
        &[
            (
                "sqlite",
                r#"SELECT "author"."id", "author"."name", "relations_j1"."id", "relations_j1"."published", "relations_j1"."author_id" FROM "author" LEFT OUTER JOIN "post" AS "relations_j1" ON "relations_j1"."author_id" = "author"."id" AND "relations_j1"."published" = ? WHERE "author"."name" <> ? ORDER BY "author"."id", "relations_j1"."id" | 1, "Zed""#,
            ),
            (
                "postgresql",
                r#"SELECT "author"."id", "author"."name", "relations_j1"."id", "relations_j1"."published", "relations_j1"."author_id" FROM "author" LEFT OUTER JOIN "post" AS "relations_j1" ON "relations_j1"."author_id" = "author"."id" AND "relations_j1"."published" = $1 WHERE "author"."name" <> $2 ORDER BY "author"."id", "relations_j1"."id" | 1, "Zed""#,
            ),
            (
                "mariadb",
                r#"SELECT `author`.`id`, `author`.`name`, `relations_j1`.`id`, `relations_j1`.`published`, `relations_j1`.`author_id` FROM `author` LEFT OUTER JOIN `post` AS `relations_j1` ON `relations_j1`.`author_id` = `author`.`id` AND `relations_j1`.`published` = ? WHERE `author`.`name` <> ? ORDER BY `author`.`id`, `relations_j1`.`id` | 1, "Zed""#,
            ),
            (
                "mysql",
                r#"SELECT `author`.`id`, `author`.`name`, `relations_j1`.`id`, `relations_j1`.`published`, `relations_j1`.`author_id` FROM `author` LEFT OUTER JOIN `post` AS `relations_j1` ON `relations_j1`.`author_id` = `author`.`id` AND `relations_j1`.`published` = ? WHERE `author`.`name` <> ? ORDER BY `author`.`id`, `relations_j1`.`id` | 1, "Zed""#,
            ),
        ],
    );
}

#[test]
fn under_a_limit_the_owners_subquery_binds_first() {
    check(
        joined(Some(10)),
        &[
            (
                "sqlite",
                r#"SELECT "author"."id", "author"."name", "relations_j1"."id", "relations_j1"."published", "relations_j1"."author_id" FROM (SELECT "author".* FROM "author" WHERE "author"."name" <> ? ORDER BY "author"."id" LIMIT ?) AS "author" LEFT OUTER JOIN "post" AS "relations_j1" ON "relations_j1"."author_id" = "author"."id" AND "relations_j1"."published" = ? ORDER BY "author"."id", "relations_j1"."id" | "Zed", 10, 1"#,
            ),
            (
                "postgresql",
                r#"SELECT "author"."id", "author"."name", "relations_j1"."id", "relations_j1"."published", "relations_j1"."author_id" FROM (SELECT "author".* FROM "author" WHERE "author"."name" <> $1 ORDER BY "author"."id" LIMIT $2) AS "author" LEFT OUTER JOIN "post" AS "relations_j1" ON "relations_j1"."author_id" = "author"."id" AND "relations_j1"."published" = $3 ORDER BY "author"."id", "relations_j1"."id" | "Zed", 10, 1"#,
            ),
            (
                "mariadb",
                r#"SELECT `author`.`id`, `author`.`name`, `relations_j1`.`id`, `relations_j1`.`published`, `relations_j1`.`author_id` FROM (SELECT `author`.* FROM `author` WHERE `author`.`name` <> ? ORDER BY `author`.`id` LIMIT ?) AS `author` LEFT OUTER JOIN `post` AS `relations_j1` ON `relations_j1`.`author_id` = `author`.`id` AND `relations_j1`.`published` = ? ORDER BY `author`.`id`, `relations_j1`.`id` | "Zed", 10, 1"#,
            ),
            (
                "mysql",
                r#"SELECT `author`.`id`, `author`.`name`, `relations_j1`.`id`, `relations_j1`.`published`, `relations_j1`.`author_id` FROM (SELECT `author`.* FROM `author` WHERE `author`.`name` <> ? ORDER BY `author`.`id` LIMIT ?) AS `author` LEFT OUTER JOIN `post` AS `relations_j1` ON `relations_j1`.`author_id` = `author`.`id` AND `relations_j1`.`published` = ? ORDER BY `author`.`id`, `relations_j1`.`id` | "Zed", 10, 1"#,
            ),
        ],
    );
}

/// The posts' level for the authors `keys`, with a filter, order and per-owner limit, rendered.
fn posts_level(d: &dyn Dialect, filter: &[Expr], order: &[Order], limit: Option<u64>, keys: &[i64]) -> String {
    let (tag, from) = related_from(d, &POSTS, &POST);
    let spec = Related { tag: &tag, from: &from, filter, order, limit, def: &POSTS, deferred: None };
    let select = spec.select(d, Cond::In(tag.clone(), keys.iter().map(|&k| Value::Integer(k)).collect()));
    let (sql, params, _) = render_owners(d, &POST, select, false, &mut |_| {});
    with_params(&sql, &params)
}

#[test]
fn a_levels_rule_joins_its_filter_inside_the_per_owner_window() {
    let rule = [cond("post", "published", "=", Value::Integer(1))];
    let got = each(|d| posts_level(d, &rule, &[], Some(2), &[7]));
    check(
        got,
        &[
            (
                "sqlite",
                r#"SELECT "post"."relations_tag", "post"."id", "post"."published", "post"."author_id" FROM (SELECT "post"."author_id" AS "relations_tag", "post".*, row_number() OVER (PARTITION BY "post"."author_id" ORDER BY "post"."id") AS "relations_rn" FROM "post" WHERE "post"."author_id" IN (?) AND "post"."published" = ?) AS "post" WHERE "post"."relations_rn" <= ? ORDER BY "post"."relations_rn" | 7, 1, 2"#,
            ),
            (
                "postgresql",
                r#"SELECT "post"."relations_tag", "post"."id", "post"."published", "post"."author_id" FROM (SELECT "post"."author_id" AS "relations_tag", "post".*, row_number() OVER (PARTITION BY "post"."author_id" ORDER BY "post"."id") AS "relations_rn" FROM "post" WHERE "post"."author_id" IN ($1) AND "post"."published" = $2) AS "post" WHERE "post"."relations_rn" <= $3 ORDER BY "post"."relations_rn" | 7, 1, 2"#,
            ),
            (
                "mariadb",
                r#"SELECT `post`.`relations_tag`, `post`.`id`, `post`.`published`, `post`.`author_id` FROM (SELECT `post`.`author_id` AS `relations_tag`, `post`.*, row_number() OVER (PARTITION BY `post`.`author_id` ORDER BY `post`.`id`) AS `relations_rn` FROM `post` WHERE `post`.`author_id` IN (?) AND `post`.`published` = ?) AS `post` WHERE `post`.`relations_rn` <= ? ORDER BY `post`.`relations_rn` | 7, 1, 2"#,
            ),
            (
                "mysql",
                r#"SELECT `post`.`relations_tag`, `post`.`id`, `post`.`published`, `post`.`author_id` FROM (SELECT `post`.`author_id` AS `relations_tag`, `post`.*, row_number() OVER (PARTITION BY `post`.`author_id` ORDER BY `post`.`id`) AS `relations_rn` FROM `post` WHERE `post`.`author_id` IN (?) AND `post`.`published` = ?) AS `post` WHERE `post`.`relations_rn` <= ? ORDER BY `post`.`relations_rn` | 7, 1, 2"#,
            ),
        ],
    );
}

#[test]
fn a_trees_rule_filters_the_seed_the_step_and_the_rows() {
    let got = each(|d| {
        let rule = cond("topic", "id", "<>", Value::Integer(9));
        let tree = descendants(d, &TOPIC, "parent_id", vec![Value::Integer(1)], Some(&rule));
        let select = tree_select(d, &TOPIC, "parent_id", tree, true, Some(&rule));
        let (sql, params, _) = render_owners(d, &TOPIC, select, false, &mut |_| {});
        let mut owners = Core::new(&TOPIC);
        owners.filters.push(cond("topic", "id", "=", Value::Integer(1)));
        let (eager, eager_params) = subtree_sql(d, &TOPIC, ModelRows::of_query(&owners), "parent_id", Some(&rule));
        format!("{} || {}", with_params(&sql, &params), with_params(&eager, &eager_params))
    });
    let sqlite = concat!(
        r#"WITH RECURSIVE "relations_tree"("id") AS (SELECT "topic"."id" FROM "topic" WHERE "topic"."parent_id" IN (?) AND "topic"."id" <> ? UNION SELECT "topic"."id" FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."id" WHERE "topic"."id" <> ?) SELECT "topic"."parent_id", "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" IN (SELECT "id" FROM "relations_tree") AND "topic"."id" <> ? ORDER BY "topic"."id" | 1, 9, 9, 9"#,
        r#" || WITH RECURSIVE "relations_tree"("relations_id", "relations_ord") AS (SELECT * FROM (SELECT "topic"."id", row_number() OVER (ORDER BY "topic"."id") FROM "topic" WHERE "topic"."id" = ? ORDER BY "topic"."id") AS "relations_owners" UNION SELECT "topic"."id", CAST(0 AS BIGINT) FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."relations_id" WHERE "topic"."id" <> ?) SELECT "relations_tree"."relations_ord", "topic"."id", "topic"."parent_id" FROM "relations_tree" JOIN "topic" ON "topic"."id" = "relations_tree"."relations_id" | 1, 9"#,
    );
    let postgres = concat!(
        r#"WITH RECURSIVE "relations_tree"("id") AS (SELECT "topic"."id" FROM "topic" WHERE "topic"."parent_id" IN ($1) AND "topic"."id" <> $2 UNION SELECT "topic"."id" FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."id" WHERE "topic"."id" <> $3) SELECT "topic"."parent_id", "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" IN (SELECT "id" FROM "relations_tree") AND "topic"."id" <> $4 ORDER BY "topic"."id" | 1, 9, 9, 9"#,
        r#" || WITH RECURSIVE "relations_tree" AS (SELECT * FROM (SELECT row_number() OVER (ORDER BY "topic"."id") AS "relations_ord", "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" = $1 ORDER BY "topic"."id") AS "relations_owners" UNION SELECT CAST(0 AS bigint), "topic"."id", "topic"."parent_id" FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."id" WHERE "topic"."id" <> $2) SELECT "relations_tree"."relations_ord", "relations_tree"."id", "relations_tree"."parent_id" FROM "relations_tree" | 1, 9"#,
    );
    let maria = concat!(
        r#"WITH RECURSIVE `relations_tree`(`id`) AS (SELECT `topic`.`id` FROM `topic` WHERE `topic`.`parent_id` IN (?) AND `topic`.`id` <> ? UNION SELECT `topic`.`id` FROM `topic` JOIN `relations_tree` ON `topic`.`parent_id` = `relations_tree`.`id` WHERE `topic`.`id` <> ?) SELECT `topic`.`parent_id`, `topic`.`id`, `topic`.`parent_id` FROM `topic` WHERE `topic`.`id` IN (SELECT `id` FROM `relations_tree`) AND `topic`.`id` <> ? ORDER BY `topic`.`id` | 1, 9, 9, 9"#,
        r#" || WITH RECURSIVE `relations_tree`(`relations_id`, `relations_ord`) AS (SELECT * FROM (SELECT `topic`.`id`, row_number() OVER (ORDER BY `topic`.`id`) FROM `topic` WHERE `topic`.`id` = ? ORDER BY `topic`.`id`) AS `relations_owners` UNION SELECT `topic`.`id`, CAST(0 AS SIGNED) FROM `topic` JOIN `relations_tree` ON `topic`.`parent_id` = `relations_tree`.`relations_id` WHERE `topic`.`id` <> ?) SELECT `relations_tree`.`relations_ord`, `topic`.`id`, `topic`.`parent_id` FROM `relations_tree` JOIN `topic` ON `topic`.`id` = `relations_tree`.`relations_id` | 1, 9"#,
    );
    check(got, &[("sqlite", sqlite), ("postgresql", postgres), ("mariadb", maria), ("mysql", maria)]);
}

/// `(table.column - value)`, an order term that binds a value.
fn minus(table: &'static str, column: &'static str, value: i64) -> Order {
    let left = Box::new(Scalar::Column { table, column });
    Order::new(Scalar::Arith { op: "-", left, right: Box::new(Scalar::Bound(Value::Integer(value))) }, false)
}

/// The SQLite and PostgreSQL texts of one statement: `?` and `$n` side by side show that the
/// parameters are bound in the order of the text.
fn two(got: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    got.into_iter().filter(|(n, _)| matches!(*n, "sqlite" | "postgresql")).collect()
}

#[test]
fn an_order_that_binds_is_bound_where_each_copy_of_it_is_written() {
    // a subtree load numbers its owners in their order and sorts them by it: the order's
    // value is bound twice, each where it is written
    let got = two(each(|d| {
        let mut owners = Core::new(&TOPIC);
        owners.filters.push(cond("topic", "id", ">", Value::Integer(1)));
        owners.order.push(minus("topic", "parent_id", 5));
        owners.limit = Some(3);
        let (sql, params) = subtree_sql(d, &TOPIC, ModelRows::of_query(&owners), "parent_id", None);
        with_params(&sql, &params)
    }));
    check(
        got,
        &[
            (
                "sqlite",
                r#"WITH RECURSIVE "relations_tree"("relations_id", "relations_ord") AS (SELECT * FROM (SELECT "topic"."id", row_number() OVER (ORDER BY ("topic"."parent_id" - ?)) FROM "topic" WHERE "topic"."id" > ? ORDER BY ("topic"."parent_id" - ?) LIMIT ?) AS "relations_owners" UNION SELECT "topic"."id", CAST(0 AS BIGINT) FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."relations_id") SELECT "relations_tree"."relations_ord", "topic"."id", "topic"."parent_id" FROM "relations_tree" JOIN "topic" ON "topic"."id" = "relations_tree"."relations_id" | 5, 1, 5, 3"#,
            ),
            (
                "postgresql",
                r#"WITH RECURSIVE "relations_tree" AS (SELECT * FROM (SELECT row_number() OVER (ORDER BY ("topic"."parent_id" - $1)) AS "relations_ord", "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" > $2 ORDER BY ("topic"."parent_id" - $3) LIMIT $4) AS "relations_owners" UNION SELECT CAST(0 AS bigint), "topic"."id", "topic"."parent_id" FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."id") SELECT "relations_tree"."relations_ord", "relations_tree"."id", "relations_tree"."parent_id" FROM "relations_tree" | 5, 1, 5, 3"#,
            ),
        ],
    );
}

#[test]
fn a_limited_levels_window_binds_its_order_before_the_filter() {
    let order = [minus("post", "id", 4)];
    let got = two(each(|d| posts_level(d, &[], &order, Some(2), &[7, 8])));
    check(
        got,
        &[
            (
                "sqlite",
                r#"SELECT "post"."relations_tag", "post"."id", "post"."published", "post"."author_id" FROM (SELECT "post"."author_id" AS "relations_tag", "post".*, row_number() OVER (PARTITION BY "post"."author_id" ORDER BY ("post"."id" - ?), "post"."id") AS "relations_rn" FROM "post" WHERE "post"."author_id" IN (?, ?)) AS "post" WHERE "post"."relations_rn" <= ? ORDER BY "post"."relations_rn" | 4, 7, 8, 2"#,
            ),
            (
                "postgresql",
                r#"SELECT "post"."relations_tag", "post"."id", "post"."published", "post"."author_id" FROM (SELECT "post"."author_id" AS "relations_tag", "post".*, row_number() OVER (PARTITION BY "post"."author_id" ORDER BY ("post"."id" - $1), "post"."id") AS "relations_rn" FROM "post" WHERE "post"."author_id" IN ($2, $3)) AS "post" WHERE "post"."relations_rn" <= $4 ORDER BY "post"."relations_rn" | 4, 7, 8, 2"#,
            ),
        ],
    );
}

#[test]
fn a_level_is_grouped_by_owner_where_the_dialect_orders_so() {
    // MariaDB's planner reads a table the keys cover in its key's order, but sorts by
    // (foreign key, key): its levels come in the rows' order, grouped as they come
    let got = each(|d| posts_level(d, &[], &[], None, &[7, 8]));
    check(
        got,
        &[
            (
                "sqlite",
                r#"SELECT "post"."id", "post"."published", "post"."author_id" FROM "post" WHERE "post"."author_id" IN (?, ?) ORDER BY "post"."author_id", "post"."id" | 7, 8"#,
            ),
            (
                "postgresql",
                r#"SELECT "post"."id", "post"."published", "post"."author_id" FROM "post" WHERE "post"."author_id" IN ($1, $2) ORDER BY "post"."author_id", "post"."id" | 7, 8"#,
            ),
            (
                "mariadb",
                r#"SELECT `post`.`id`, `post`.`published`, `post`.`author_id` FROM `post` WHERE `post`.`author_id` IN (?, ?) ORDER BY `post`.`id` | 7, 8"#,
            ),
            (
                "mysql",
                r#"SELECT `post`.`id`, `post`.`published`, `post`.`author_id` FROM `post` WHERE `post`.`author_id` IN (?, ?) ORDER BY `post`.`id` | 7, 8"#,
            ),
        ],
    );
}

#[test]
fn a_subquery_load_repeats_the_owners_query_ordered_only_under_a_limit() {
    let got = |limit: Option<u64>| {
        two(each(|d| {
            let mut owners = Core::new(&AUTHOR);
            owners.filters.push(cond("author", "name", "<>", Value::Text("Zed".into())));
            owners.limit = limit;
            let (tag, from) = related_from(d, &POSTS, &POST);
            let spec =
                Related { tag: &tag, from: &from, filter: &[], order: &[], limit: None, def: &POSTS, deferred: None };
            let select = spec.select(d, in_owners_query(&tag, &AUTHOR, &[0], &owners));
            let (sql, params, _) = render_owners(d, &POST, select, false, &mut |_| {});
            with_params(&sql, &params)
        }))
    };
    check(
        got(None),
        &[
            (
                "sqlite",
                r#"SELECT "post"."id", "post"."published", "post"."author_id" FROM "post" WHERE "post"."author_id" IN (SELECT "author"."id" FROM "author" WHERE "author"."name" <> ?) ORDER BY "post"."author_id", "post"."id" | "Zed""#,
            ),
            (
                "postgresql",
                r#"SELECT "post"."id", "post"."published", "post"."author_id" FROM "post" WHERE "post"."author_id" IN (SELECT "author"."id" FROM "author" WHERE "author"."name" <> $1) ORDER BY "post"."author_id", "post"."id" | "Zed""#,
            ),
        ],
    );
    check(
        got(Some(5)),
        &[
            (
                "sqlite",
                r#"SELECT "post"."id", "post"."published", "post"."author_id" FROM "post" WHERE "post"."author_id" IN (SELECT "author"."id" FROM "author" WHERE "author"."name" <> ? ORDER BY "author"."id" LIMIT ?) ORDER BY "post"."author_id", "post"."id" | "Zed", 5"#,
            ),
            (
                "postgresql",
                r#"SELECT "post"."id", "post"."published", "post"."author_id" FROM "post" WHERE "post"."author_id" IN (SELECT "author"."id" FROM "author" WHERE "author"."name" <> $1 ORDER BY "author"."id" LIMIT $2) ORDER BY "post"."author_id", "post"."id" | "Zed", 5"#,
            ),
        ],
    );
}

#[test]
fn ancestors_start_from_a_typed_value_without_a_table() {
    let got = each(|d| {
        let tree = ancestors(d, &TOPIC, "parent_id", Value::Integer(3), None);
        let (sql, params, _) =
            render_owners(d, &TOPIC, tree_select(d, &TOPIC, "parent_id", tree, false, None), false, &mut |_| {});
        with_params(&sql, &params)
    });
    let sqlite = r#"WITH RECURSIVE "relations_tree"("id") AS (SELECT ? UNION SELECT "topic"."parent_id" FROM "topic" JOIN "relations_tree" ON "topic"."id" = "relations_tree"."id" WHERE "topic"."parent_id" IS NOT NULL) SELECT "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" IN (SELECT "id" FROM "relations_tree") ORDER BY "topic"."id" | 3"#;
    let postgres = r#"WITH RECURSIVE "relations_tree"("id") AS (SELECT CAST($1 AS INTEGER) UNION SELECT "topic"."parent_id" FROM "topic" JOIN "relations_tree" ON "topic"."id" = "relations_tree"."id" WHERE "topic"."parent_id" IS NOT NULL) SELECT "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" IN (SELECT "id" FROM "relations_tree") ORDER BY "topic"."id" | 3"#;
    let maria = r#"WITH RECURSIVE `relations_tree`(`id`) AS (SELECT ? UNION SELECT `topic`.`parent_id` FROM `topic` JOIN `relations_tree` ON `topic`.`id` = `relations_tree`.`id` WHERE `topic`.`parent_id` IS NOT NULL) SELECT `topic`.`id`, `topic`.`parent_id` FROM `topic` WHERE `topic`.`id` IN (SELECT `id` FROM `relations_tree`) ORDER BY `topic`.`id` | 3"#;
    check(got, &[("sqlite", sqlite), ("postgresql", postgres), ("mariadb", maria), ("mysql", maria)]);
}

static TAG: Table = table("tag", &[key("id"), ColumnDef::new("name", SqlType::Text)]);
static POST_TAGS: Table = Table::plain("post_tags", &[key("post_id"), key("tag_id")]);
static TAGS: RelationDef = RelationDef {
    name: "tags",
    owner: &POST,
    target: &TAG,
    join: Join::Through { table: &POST_TAGS, local: "post_id", remote: "tag_id" },
    ..POSTS
};

#[test]
fn a_joined_many_to_many_joins_its_link_then_its_target_and_orders_by_the_link() {
    let got = two(each(|d| {
        let owners = Core::new(&POST);
        let rule = cond("tag", "name", "<>", Value::Text("x".into()));
        let (sql, params, _) = render_owners(d, &POST, ModelRows::of_query(&owners), true, &mut |js| {
            join_sql(d, &TAGS, js, "post", 0, Some(rule.clone()));
        });
        with_params(&sql, &params)
    }));
    check(
        got,
        &[
            (
                "sqlite",
                r#"SELECT "post"."id", "post"."published", "post"."author_id", "relations_j1"."id", "relations_j1"."name" FROM "post" LEFT OUTER JOIN "post_tags" AS "relations_j1_link" ON "relations_j1_link"."post_id" = "post"."id" LEFT OUTER JOIN "tag" AS "relations_j1" ON "relations_j1"."id" = "relations_j1_link"."tag_id" AND "relations_j1"."name" <> ? ORDER BY "post"."id", "relations_j1_link"."tag_id" | "x""#,
            ),
            (
                "postgresql",
                r#"SELECT "post"."id", "post"."published", "post"."author_id", "relations_j1"."id", "relations_j1"."name" FROM "post" LEFT OUTER JOIN "post_tags" AS "relations_j1_link" ON "relations_j1_link"."post_id" = "post"."id" LEFT OUTER JOIN "tag" AS "relations_j1" ON "relations_j1"."id" = "relations_j1_link"."tag_id" AND "relations_j1"."name" <> $1 ORDER BY "post"."id", "relations_j1_link"."tag_id" | "x""#,
            ),
        ],
    );
}

static AUTHOR_OF: RelationDef = RelationDef {
    name: "author",
    owner: &POST,
    target: &AUTHOR,
    join: Join::Forward { columns: &["author_id"] },
    ..POSTS
};

#[test]
fn a_to_one_level_with_a_joined_collection_orders_by_each_key_once() {
    // the parents' level is grouped by their key, which is also the order that keeps each
    // parent's joined rows together: no term twice
    let got = two(each(|d| {
        let (tag, from) = related_from(d, &AUTHOR_OF, &AUTHOR);
        let spec =
            Related { tag: &tag, from: &from, filter: &[], order: &[], limit: None, def: &AUTHOR_OF, deferred: None };
        let select = spec.select(d, Cond::In(tag.clone(), vec![Value::Integer(3)]));
        let (sql, params, _) = render_owners(d, &AUTHOR, select, true, &mut |js| {
            join_sql(d, &POSTS, js, "author", 0, None);
        });
        with_params(&sql, &params)
    }));
    check(
        got,
        &[
            (
                "sqlite",
                r#"SELECT "author"."id", "author"."name", "relations_j1"."id", "relations_j1"."published", "relations_j1"."author_id" FROM "author" LEFT OUTER JOIN "post" AS "relations_j1" ON "relations_j1"."author_id" = "author"."id" WHERE "author"."id" IN (?) ORDER BY "author"."id", "relations_j1"."id" | 3"#,
            ),
            (
                "postgresql",
                r#"SELECT "author"."id", "author"."name", "relations_j1"."id", "relations_j1"."published", "relations_j1"."author_id" FROM "author" LEFT OUTER JOIN "post" AS "relations_j1" ON "relations_j1"."author_id" = "author"."id" WHERE "author"."id" IN ($1) ORDER BY "author"."id", "relations_j1"."id" | 3"#,
            ),
        ],
    );
}
