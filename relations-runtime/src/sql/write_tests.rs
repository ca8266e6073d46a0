//! The writing statements rendered on every dialect side by side, as the dialects' own pieces
//! are in `dialect/rendering_tests.rs`.

use crate::dialect::rendering_tests::{check, each};
use crate::schema::value::Value;

/// `s` with its bound values after it: `text | 1, 'a'`.
fn with_params(sql: String, params: &[Value<'_>]) -> String {
    let values: Vec<String> = params.iter().map(ToString::to_string).collect();
    format!("{sql} | {}", values.join(", "))
}

#[test]
fn inserts() {
    use crate::sql::write::{Conflict, Insert};
    let got = each(|d| {
        let plain = Insert { table: "user", columns: vec!["name", "karma"], rows: 2, conflict: None, returning: None };
        let returning = Insert { rows: 1, returning: Some("id"), ..plain.clone() };
        let defaults = Insert { columns: Vec::new(), rows: 1, ..plain.clone() };
        let upsert = Insert {
            rows: 1,
            conflict: Some(Conflict::Update { target: &["name"], set: vec!["karma"], key: "id" }),
            ..plain.clone()
        };
        [plain, returning, defaults, upsert].map(|i| i.render(d)).join(" | ")
    });
    check(
        got,
        &[
            (
                "sqlite",
                "INSERT INTO \"user\" (\"name\", \"karma\") VALUES (?, ?), (?, ?) \
                 | INSERT INTO \"user\" (\"name\", \"karma\") VALUES (?, ?) RETURNING \"id\" \
                 | INSERT INTO \"user\" DEFAULT VALUES \
                 | INSERT INTO \"user\" (\"name\", \"karma\") VALUES (?, ?) ON CONFLICT (\"name\") DO UPDATE SET \"karma\" = excluded.\"karma\"",
            ),
            (
                "postgresql",
                "INSERT INTO \"user\" (\"name\", \"karma\") VALUES ($1, $2), ($3, $4) \
                 | INSERT INTO \"user\" (\"name\", \"karma\") VALUES ($1, $2) RETURNING \"id\" \
                 | INSERT INTO \"user\" DEFAULT VALUES \
                 | INSERT INTO \"user\" (\"name\", \"karma\") VALUES ($1, $2) ON CONFLICT (\"name\") DO UPDATE SET \"karma\" = excluded.\"karma\"",
            ),
            (
                "mariadb",
                "INSERT INTO `user` (`name`, `karma`) VALUES (?, ?), (?, ?) \
                 | INSERT INTO `user` (`name`, `karma`) VALUES (?, ?) RETURNING `id` \
                 | INSERT INTO `user` () VALUES () \
                 | INSERT INTO `user` (`name`, `karma`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `karma` = VALUES(`karma`)",
            ),
            (
                "mysql",
                "INSERT INTO `user` (`name`, `karma`) VALUES (?, ?), (?, ?) \
                 | INSERT INTO `user` (`name`, `karma`) VALUES (?, ?) RETURNING `id` \
                 | INSERT INTO `user` () VALUES () \
                 | INSERT INTO `user` (`name`, `karma`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `karma` = VALUES(`karma`)",
            ),
        ],
    );
}

/// What `updates_deletes_and_probes` renders on MariaDB and MySQL alike.
const MYSQL_WRITES: &str = "UPDATE `user` SET `name` = ?, `bio` = NULL WHERE `id` = ? | \"ann\", 7\n\
                 DELETE FROM `t` WHERE ((`t`.`a` = ? AND `t`.`b` = ?) OR (`t`.`a` = ? AND `t`.`b` = ?)) | 1, 2, 3, 4\n\
                 DELETE FROM `t` WHERE (`t`.`a`, `t`.`b`) IN (SELECT * FROM (SELECT `p`.`x`, `p`.`y` FROM `p` WHERE `p`.`id` IN (?, ?)) AS `relations_in`) | 5, 6\n\
                 SELECT EXISTS (SELECT 1 FROM `node` WHERE `parent_id` = ? AND `id` <> ?) | 1, 2\n\
                 SELECT coalesce((SELECT max(`id`) FROM `user`), 0), EXISTS (SELECT 1 FROM information_schema.TRIGGERS \
                 WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ?)";

#[test]
fn updates_deletes_and_probes() {
    use crate::sql::write::{Col, Cond, Delete, Exists, KeyRoom, New, Rows, Select, Update};
    let got = each(|d| {
        let mut out = Vec::new();
        let (mut sql, mut params) = (String::new(), Vec::new());
        let set = vec![("name", New::Value(Value::Text("ann".into()))), ("bio", New::Null)];
        Update { table: "user", set, rows: Rows::Where(Cond::key([("id", Value::Integer(7))])) }.render(
            d,
            &mut sql,
            &mut params,
        );
        out.push(with_params(std::mem::take(&mut sql), &std::mem::take(&mut params)));
        // a composite key's rows, and rows found through columns that are not the key
        let pair = vec![Col::of("t", "a"), Col::of("t", "b")];
        let keys = vec![vec![Value::Integer(1), Value::Integer(2)], vec![Value::Integer(3), Value::Integer(4)]];
        Delete { table: "t", rows: Rows::Where(Cond::In(pair.clone(), keys)) }.render(d, &mut sql, &mut params);
        out.push(with_params(std::mem::take(&mut sql), &std::mem::take(&mut params)));
        let select = Select {
            columns: vec![Col::of("p", "x"), Col::of("p", "y")],
            from: "p",
            filter: Some(Cond::In(vec![Col::of("p", "id")], vec![vec![Value::Integer(5)], vec![Value::Integer(6)]])),
        };
        Delete { table: "t", rows: Rows::Where(Cond::InSelect(pair, Box::new(select))) }.render(
            d,
            &mut sql,
            &mut params,
        );
        out.push(with_params(std::mem::take(&mut sql), &std::mem::take(&mut params)));
        let filter = Cond::All(vec![
            Cond::Eq(Col::bare("parent_id"), Value::Integer(1)),
            Cond::Ne(Col::bare("id"), Value::Integer(2)),
        ]);
        Exists { from: "node", filter }.render(d, &mut sql, &mut params);
        out.push(with_params(std::mem::take(&mut sql), &std::mem::take(&mut params)));
        out.push(KeyRoom { table: "user", key: "id" }.render(d));
        out.join("\n")
    });
    check(
        got,
        &[
            (
                "sqlite",
                "UPDATE \"user\" SET \"name\" = ?, \"bio\" = NULL WHERE \"id\" = ? | \"ann\", 7\n\
                 DELETE FROM \"t\" WHERE ((\"t\".\"a\" = ? AND \"t\".\"b\" = ?) OR (\"t\".\"a\" = ? AND \"t\".\"b\" = ?)) | 1, 2, 3, 4\n\
                 DELETE FROM \"t\" WHERE (\"t\".\"a\", \"t\".\"b\") IN (SELECT \"p\".\"x\", \"p\".\"y\" FROM \"p\" WHERE \"p\".\"id\" IN (?, ?)) | 5, 6\n\
                 SELECT EXISTS (SELECT 1 FROM \"node\" WHERE \"parent_id\" = ? AND \"id\" <> ?) | 1, 2\n\
                 SELECT coalesce((SELECT max(\"id\") FROM \"user\"), 0), EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?)",
            ),
            (
                "postgresql",
                "UPDATE \"user\" SET \"name\" = $1, \"bio\" = NULL WHERE \"id\" = $2 | \"ann\", 7\n\
                 DELETE FROM \"t\" WHERE ((\"t\".\"a\" = $1 AND \"t\".\"b\" = $2) OR (\"t\".\"a\" = $3 AND \"t\".\"b\" = $4)) | 1, 2, 3, 4\n\
                 DELETE FROM \"t\" WHERE (\"t\".\"a\", \"t\".\"b\") IN (SELECT \"p\".\"x\", \"p\".\"y\" FROM \"p\" WHERE \"p\".\"id\" IN ($1, $2)) | 5, 6\n\
                 SELECT EXISTS (SELECT 1 FROM \"node\" WHERE \"parent_id\" = $1 AND \"id\" <> $2) | 1, 2\n\
                 SELECT coalesce((SELECT max(\"id\") FROM \"user\"), 0), EXISTS (SELECT 1 FROM information_schema.triggers WHERE event_object_table = $1)",
            ),
            ("mariadb", MYSQL_WRITES),
            ("mysql", MYSQL_WRITES),
        ],
    );
}
