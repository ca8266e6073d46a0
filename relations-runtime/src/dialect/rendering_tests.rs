//! Each dialect's rendering of the same pieces, side by side (as sea-query tests each backend's
//! builder): what differs between the databases is written here once per dialect. The
//! statements of the `sql` floor are checked the same way there, with [`each`] and [`check`].

use super::{Dialect, Placement, Postgres, Sqlite, TextTest};
#[cfg(feature = "mariadb")]
use super::{MariaDb, MySql};
use crate::schema::value::Value;
use crate::schema::SqlType;

/// The dialects built in, by name.
fn dialects() -> Vec<&'static dyn Dialect> {
    #[allow(unused_mut)]
    let mut all: Vec<&'static dyn Dialect> = vec![&Sqlite, &Postgres];
    #[cfg(feature = "mariadb")]
    all.extend([&MariaDb as &'static dyn Dialect, &MySql]);
    all
}

/// `f`'s text on each dialect, as `(name, text)`.
pub(crate) fn each(f: impl Fn(&dyn Dialect) -> String) -> Vec<(&'static str, String)> {
    dialects().into_iter().map(|d| (d.name(), f(d))).collect()
}

/// The expected text of the dialect `name` in `expected`.
pub(crate) fn check(got: Vec<(&'static str, String)>, expected: &[(&str, &str)]) {
    for (name, text) in got {
        let want = expected.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        assert_eq!(Some(text.as_str()), want, "dialect {name}");
    }
}

#[test]
fn quoting_and_placeholders() {
    let got = each(|d| {
        let mut s = String::new();
        d.quote("user", &mut s);
        s.push(' ');
        d.placeholder(1, &mut s);
        s.push(' ');
        d.placeholder(2, &mut s);
        s
    });
    check(
        got,
        &[
            ("sqlite", "\"user\" ? ?"),
            ("postgresql", "\"user\" $1 $2"),
            ("mariadb", "`user` ? ?"),
            ("mysql", "`user` ? ?"),
        ],
    );
}

#[test]
fn limit_and_offset() {
    let got = each(|d| {
        let mut s = String::new();
        d.limit_offset(Some(1), Some(2), &mut s);
        s.push_str(" | ");
        d.limit_offset(None, Some(1), &mut s);
        s
    });
    check(
        got,
        &[
            ("sqlite", "LIMIT ? OFFSET ? | LIMIT -1 OFFSET ?"),
            ("postgresql", "LIMIT $1 OFFSET $2 | OFFSET $1"),
            ("mariadb", "LIMIT ? OFFSET ? | LIMIT 18446744073709551615 OFFSET ?"),
            ("mysql", "LIMIT ? OFFSET ? | LIMIT 18446744073709551615 OFFSET ?"),
        ],
    );
}

#[test]
fn upserts() {
    let got = each(|d| {
        let mut s = String::new();
        d.on_conflict(None, &[], "id", &mut s);
        s.push_str(" |");
        d.on_conflict(Some(&["name"]), &["karma"], "id", &mut s);
        s
    });
    check(
        got,
        &[
            ("sqlite", " ON CONFLICT DO NOTHING | ON CONFLICT (\"name\") DO UPDATE SET \"karma\" = excluded.\"karma\""),
            (
                "postgresql",
                " ON CONFLICT DO NOTHING | ON CONFLICT (\"name\") DO UPDATE SET \"karma\" = excluded.\"karma\"",
            ),
            ("mariadb", " ON DUPLICATE KEY UPDATE `id` = `id` | ON DUPLICATE KEY UPDATE `karma` = VALUES(`karma`)"),
            ("mysql", " ON DUPLICATE KEY UPDATE `id` = `id` | ON DUPLICATE KEY UPDATE `karma` = VALUES(`karma`)"),
        ],
    );
}

#[test]
fn subqueries_of_in_and_casts() {
    let got = each(|d| {
        let mut s = String::new();
        d.in_subquery("SELECT 1 LIMIT 2", &mut s);
        s.push_str(&format!(" {} {}", d.cast_type(SqlType::BigInteger), d.cast_type(SqlType::Float)));
        s
    });
    check(
        got,
        &[
            ("sqlite", "(SELECT 1 LIMIT 2) BIGINT FLOAT"),
            ("postgresql", "(SELECT 1 LIMIT 2) bigint double precision"),
            ("mariadb", "(SELECT * FROM (SELECT 1 LIMIT 2) AS `relations_in`) SIGNED DOUBLE"),
            ("mysql", "(SELECT * FROM (SELECT 1 LIMIT 2) AS `relations_in`) SIGNED DOUBLE"),
        ],
    );
}

#[test]
fn order_terms_with_nulls_placed() {
    let got = each(|d| {
        let (mut s, mut params) = (String::new(), Vec::new());
        d.order_term(&mut |s, _| s.push('x'), false, Some(false), &mut s, &mut params);
        s.push_str(", ");
        d.order_term(&mut |s, _| s.push('y'), true, Some(true), &mut s, &mut params);
        s
    });
    check(
        got,
        &[
            ("sqlite", "x NULLS LAST, y DESC NULLS FIRST"),
            ("postgresql", "x NULLS LAST, y DESC NULLS FIRST"),
            ("mariadb", "x IS NULL, x, y IS NULL DESC, y DESC"),
            ("mysql", "x IS NULL, x, y IS NULL DESC, y DESC"),
        ],
    );
}

#[test]
fn text_held_with_case() {
    let got = each(|d| {
        let (mut s, mut params) = (String::new(), Vec::<Value<'static>>::new());
        let test = TextTest { text: "a_b", at: Placement::Start, ignore_case: false };
        d.holds(&mut |s, _| s.push('x'), test, &mut s, &mut params);
        let bound: Vec<String> = params.iter().map(ToString::to_string).collect();
        format!("{s} {}", bound.join(" "))
    });
    check(
        got,
        &[
            ("sqlite", "x GLOB ? \"a_b*\""),
            ("postgresql", "x LIKE $1 ESCAPE $2 \"a/_b%\" \"/\""),
            ("mariadb", "x LIKE BINARY ? ESCAPE ? \"a/_b%\" \"/\""),
            ("mysql", "x LIKE BINARY ? ESCAPE ? \"a/_b%\" \"/\""),
        ],
    );
}

/// (SQLite rebuilds a table instead of altering it, `Dialect::rebuilds_tables`: its line is the
/// default spelling, which its migrations never send.)
#[test]
fn schema_changes() {
    let got = each(|d| {
        let mut lines = d.alter_column("user", "name", SqlType::Varchar(Some(120)), false, true, true);
        lines.push(d.drop_primary_key("user"));
        lines.push(d.drop_index("user", "ix_user_name"));
        lines.join("; ")
    });
    check(
        got,
        &[
            (
                "sqlite",
                "ALTER TABLE user ALTER COLUMN name TYPE VARCHAR(120) USING name::VARCHAR(120); ALTER TABLE user ALTER COLUMN name SET NOT NULL; ALTER TABLE user DROP CONSTRAINT user_pkey; DROP INDEX ix_user_name",
            ),
            (
                "postgresql",
                "ALTER TABLE \"user\" ALTER COLUMN name TYPE VARCHAR(120) USING name::VARCHAR(120); ALTER TABLE \"user\" ALTER COLUMN name SET NOT NULL; ALTER TABLE \"user\" DROP CONSTRAINT user_pkey; DROP INDEX ix_user_name",
            ),
            (
                "mariadb",
                "ALTER TABLE user MODIFY COLUMN name VARCHAR(120) NOT NULL; ALTER TABLE user DROP PRIMARY KEY; DROP INDEX ix_user_name ON user",
            ),
            (
                "mysql",
                "ALTER TABLE user MODIFY COLUMN name VARCHAR(120) NOT NULL; ALTER TABLE user DROP PRIMARY KEY; DROP INDEX ix_user_name ON user",
            ),
        ],
    );
}

#[test]
fn keys_and_transactions() {
    let got = each(|d| {
        format!(
            "{} | {} | {} | {}",
            d.returns_keys(),
            d.begin(),
            d.release_savepoint("sp1"),
            d.rollback_to_savepoint("sp1")
        )
    });
    check(
        got,
        &[
            ("sqlite", "false | BEGIN IMMEDIATE | RELEASE sp1 | ROLLBACK TO sp1; RELEASE sp1"),
            ("postgresql", "true | BEGIN ISOLATION LEVEL SERIALIZABLE | RELEASE sp1 | ROLLBACK TO sp1; RELEASE sp1"),
            (
                "mariadb",
                "true | SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION | RELEASE SAVEPOINT sp1 | ROLLBACK TO SAVEPOINT sp1; RELEASE SAVEPOINT sp1",
            ),
            (
                "mysql",
                "false | SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION | RELEASE SAVEPOINT sp1 | ROLLBACK TO SAVEPOINT sp1; RELEASE SAVEPOINT sp1",
            ),
        ],
    );
}
