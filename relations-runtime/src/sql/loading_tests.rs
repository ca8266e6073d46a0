//! The loaders' statements with a rule in them, rendered on every dialect side by side: where
//! the rule's condition goes (a joined load's `ON`, a level's `WHERE`, the recursive step) and
//! the order its parameters are bound in, which on `?` dialects is the order of the text.

use crate::dialect::rendering_tests::{check, each};
use crate::schema::value::Value;
use crate::schema::{Cascade, ColumnDef, Join, Lazy, RelationDef, SqlType, Table};
use crate::sql::expr::{Core, Expr, Scalar};
use crate::sql::loading::{join_sql, related_from, render_owners, subtree_sql, Related};
use crate::sql::{descendants_cte, tree_select};

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
        let (sql, params, _) = render_owners(d, &AUTHOR, core.pieces(d), true, &mut |js| {
            join_sql(d, &POSTS, js, "author", 0, Some(&rule));
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
                r#"SELECT "author"."id", "author"."name", "relations_j1"."id", "relations_j1"."published", "relations_j1"."author_id" FROM "author" LEFT OUTER JOIN "post" AS "relations_j1" ON "relations_j1"."author_id" = "author"."id" AND "relations_j1"."published" = $2 WHERE "author"."name" <> $1 ORDER BY "author"."id", "relations_j1"."id" | "Zed", 1"#,
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

#[test]
fn a_levels_rule_joins_its_filter_inside_the_per_owner_window() {
    let got = each(|d| {
        let (tag, from) = related_from(d, &POSTS, &POST);
        let rule = [cond("post", "published", "=", Value::Integer(1))];
        let spec =
            Related { tag: &tag, from: &from, filter: &rule, order: &[], limit: Some(2), def: &POSTS, deferred: None };
        let mut filter = String::new();
        let mut params = Vec::new();
        crate::sql::key_in(d, &tag, [vec![Value::Integer(7)]].into_iter(), &mut filter, &mut params);
        let select = spec.select(d, filter, params);
        let (sql, params, _) = render_owners(d, &POST, select, false, &mut |_| {});
        with_params(&sql, &params)
    });
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
        let mut params = Vec::new();
        let cte = descendants_cte(d, &TOPIC, "parent_id", [Value::Integer(1)].into_iter(), &mut params, Some(&rule));
        let select = tree_select(d, &TOPIC, "parent_id", (cte, params), true, Some(&rule));
        let (sql, params, _) = render_owners(d, &TOPIC, select, false, &mut |_| {});
        let mut owners = Core::new(&TOPIC);
        owners.filters.push(cond("topic", "id", "=", Value::Integer(1)));
        let (eager, eager_params) = subtree_sql(d, &TOPIC, owners.pieces(d), "parent_id", Some(&rule));
        format!("{} || {}", with_params(&sql, &params), with_params(&eager, &eager_params))
    });
    let sqlite = concat!(
        r#"WITH RECURSIVE "relations_tree"("id") AS (SELECT "topic"."id" FROM "topic" WHERE "topic"."parent_id" IN (?) AND "topic"."id" <> ? UNION SELECT "topic"."id" FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."id" WHERE "topic"."id" <> ?) SELECT "topic"."parent_id", "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" IN (SELECT "id" FROM "relations_tree") AND "topic"."id" <> ? ORDER BY "topic"."id" | 1, 9, 9, 9"#,
        r#" || WITH RECURSIVE "relations_tree"("relations_id", "relations_ord") AS (SELECT * FROM (SELECT "topic"."id", row_number() OVER (ORDER BY "topic"."id") FROM "topic" WHERE "topic"."id" = ? ORDER BY "topic"."id") AS "relations_owners" UNION SELECT "topic"."id", CAST(0 AS BIGINT) FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."relations_id" WHERE "topic"."id" <> ?) SELECT "relations_tree"."relations_ord", "topic"."id", "topic"."parent_id" FROM "relations_tree" JOIN "topic" ON "topic"."id" = "relations_tree"."relations_id" | 1, 9"#,
    );
    let postgres = concat!(
        r#"WITH RECURSIVE "relations_tree"("id") AS (SELECT "topic"."id" FROM "topic" WHERE "topic"."parent_id" IN ($1) AND "topic"."id" <> $2 UNION SELECT "topic"."id" FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."id" WHERE "topic"."id" <> $3) SELECT "topic"."parent_id", "topic"."id", "topic"."parent_id" FROM "topic" WHERE "topic"."id" IN (SELECT "id" FROM "relations_tree") AND "topic"."id" <> $4 ORDER BY "topic"."id" | 1, 9, 9, 9"#,
        r#" || WITH RECURSIVE "relations_tree"("relations_id", "relations_ord") AS (SELECT * FROM (SELECT "topic"."id", row_number() OVER (ORDER BY "topic"."id") FROM "topic" WHERE "topic"."id" = $1 ORDER BY "topic"."id") AS "relations_owners" UNION SELECT "topic"."id", CAST(0 AS bigint) FROM "topic" JOIN "relations_tree" ON "topic"."parent_id" = "relations_tree"."relations_id" WHERE "topic"."id" <> $2) SELECT "relations_tree"."relations_ord", "topic"."id", "topic"."parent_id" FROM "relations_tree" JOIN "topic" ON "topic"."id" = "relations_tree"."relations_id" | 1, 9"#,
    );
    let maria = concat!(
        r#"WITH RECURSIVE `relations_tree`(`id`) AS (SELECT `topic`.`id` FROM `topic` WHERE `topic`.`parent_id` IN (?) AND `topic`.`id` <> ? UNION SELECT `topic`.`id` FROM `topic` JOIN `relations_tree` ON `topic`.`parent_id` = `relations_tree`.`id` WHERE `topic`.`id` <> ?) SELECT `topic`.`parent_id`, `topic`.`id`, `topic`.`parent_id` FROM `topic` WHERE `topic`.`id` IN (SELECT `id` FROM `relations_tree`) AND `topic`.`id` <> ? ORDER BY `topic`.`id` | 1, 9, 9, 9"#,
        r#" || WITH RECURSIVE `relations_tree`(`relations_id`, `relations_ord`) AS (SELECT * FROM (SELECT `topic`.`id`, row_number() OVER (ORDER BY `topic`.`id`) FROM `topic` WHERE `topic`.`id` = ? ORDER BY `topic`.`id`) AS `relations_owners` UNION SELECT `topic`.`id`, CAST(0 AS SIGNED) FROM `topic` JOIN `relations_tree` ON `topic`.`parent_id` = `relations_tree`.`relations_id` WHERE `topic`.`id` <> ?) SELECT `relations_tree`.`relations_ord`, `topic`.`id`, `topic`.`parent_id` FROM `relations_tree` JOIN `topic` ON `topic`.`id` = `relations_tree`.`relations_id` | 1, 9"#,
    );
    check(got, &[("sqlite", sqlite), ("postgresql", postgres), ("mariadb", maria), ("mysql", maria)]);
}
