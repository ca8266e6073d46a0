//! What SQLite does with the statements `relations` sends: plans and re-preparation, read from
//! the database itself (SQLite only: the speed issue's costs are SQLite's planner's).

use crate::common;

use common::{post, user, Comment, Post, Tag, User, UserProfile};
use relations::rusqlite::StatementStatus;
use relations::{IndexForeignKeys, Model};

/// Re-binding a cached statement never re-prepares it: the connection turns on the query
/// planner stability guarantee, so no plan depends on a bound value. Without it, SQLite 3.54
/// re-prepared the lazy load `WHERE "post"."user_id" = ? ORDER BY "post"."id"` at every run.
#[test]
fn cached_statements_are_not_re_prepared_when_rebound() {
    common::backends::use_backend(common::backends::Backend::Sqlite, "plans");
    let db = common::fresh();
    db.create_all::<IndexForeignKeys<(User, UserProfile, Post, Comment, Tag)>>().unwrap();
    for i in 0..20 {
        let u = user(&db, &format!("u{i}"));
        for j in 0..3 {
            post(&db, &u, &format!("p{j}"));
        }
    }
    let ((), statements) = db.record(|| {
        for id in 1..=20 {
            let u = User::get(&db, id).unwrap().unwrap();
            assert_eq!(u.posts(&db).load().unwrap().len(), 3);
            User::query(&db).filter_by(User::username, format!("u{id}")).first().unwrap();
        }
    });
    let distinct: std::collections::BTreeSet<String> = statements.into_iter().collect();
    assert_eq!(distinct.len(), 3, "{distinct:?}");
    let conn = db.driver::<relations::rusqlite::Connection>().unwrap();
    for sql in distinct {
        let stmt = conn.prepare_cached(&sql).unwrap();
        assert_eq!(stmt.get_status(StatementStatus::Run), 20, "{sql}");
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0, "{sql}");
    }
}

/// The plan SQLite picks for `sql`, its parameters all bound to 1.
fn plan(db: &relations::Db, sql: &str) -> Vec<String> {
    let conn = db.driver::<relations::rusqlite::Connection>().unwrap();
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let n = stmt.parameter_count();
    let rows =
        stmt.query_map(relations::rusqlite::params_from_iter(std::iter::repeat_n(1, n)), |r| r.get::<_, String>(3));
    rows.unwrap().map(Result::unwrap).collect()
}

/// Each selectin level orders its rows by owner, then by key: with the foreign keys indexed,
/// the index delivers that order and no level sorts (each collection still comes in key
/// order, which `loading.rs` checks on both backends).
#[test]
fn selectin_levels_read_in_index_order_without_sorting() {
    use relations::selectinload;
    common::backends::use_backend(common::backends::Backend::Sqlite, "plans");
    let db = common::fresh();
    db.create_all::<IndexForeignKeys<(User, UserProfile, Post, Comment, Tag)>>().unwrap();
    let rust = db.add(Tag { name: "rust".into(), ..Default::default() }).unwrap();
    // several owners at each level: one owner's rows would come in key order anyway
    for name in ["ann", "bob"] {
        let u = user(&db, name);
        for title in ["x", "y"] {
            post(&db, &u, title).tags(&db).add(&rust).unwrap();
        }
    }
    let (users, statements) =
        db.record(|| User::query(&db).options(selectinload(User::POSTS).selectinload(Post::TAGS)).all().unwrap());
    assert_eq!(users[1].posts.loaded().unwrap()[1].tags.loaded().unwrap().len(), 1);
    assert_eq!(statements.len(), 3, "{statements:?}");
    for sql in &statements[1..] {
        let plan = plan(&db, sql);
        assert!(plan.iter().all(|step| !step.contains("TEMP B-TREE")), "{sql}\n{plan:#?}");
        assert!(plan.iter().any(|step| step.contains("USING")), "an index is used: {sql}\n{plan:#?}");
    }
}

/// A selectin level groups its rows by the column that links them to their owners: a post's
/// `user_id`, a parent's key. That column is read from the row itself, so the statement selects
/// every column once (it used to select the link a second time, in front).
#[test]
fn selectin_levels_select_each_column_once() {
    use relations::selectinload;
    common::backends::use_backend(common::backends::Backend::Sqlite, "plans");
    let db = common::fresh();
    db.create_all::<IndexForeignKeys<(User, UserProfile, Post, Comment, Tag)>>().unwrap();
    for name in ["ann", "bob"] {
        let u = user(&db, name);
        post(&db, &u, "x");
        post(&db, &u, "y");
    }
    let (users, to_many) = db.record(|| User::query(&db).options(selectinload(User::POSTS)).all().unwrap());
    assert_eq!(users.iter().map(|u| u.posts.loaded().unwrap().len()).collect::<Vec<_>>(), [2, 2]);
    let (posts, to_one) = db.record(|| Post::query(&db).options(selectinload(Post::AUTHOR)).all().unwrap());
    assert_eq!(posts[3].author.loaded().unwrap().username, "bob");
    for sql in [&to_many[1], &to_one[1]] {
        let list = &sql[sql.find("SELECT ").unwrap() + 7..sql.find(" FROM ").unwrap()];
        let columns: Vec<&str> = list.split(", ").collect();
        let distinct: std::collections::BTreeSet<&str> = columns.iter().copied().collect();
        assert_eq!(distinct.len(), columns.len(), "{sql}");
    }
}

/// A joined collection's rows come grouped by owner, in key order, and the statement says so
/// in its `ORDER BY`: owner key, then each level's key — for a many-to-many, the association
/// table's column that holds the target's key, joined before the target. With the foreign keys
/// indexed, the owners' scan and the indexes deliver that order and nothing is sorted (a
/// many-to-many joined as one parenthesised join was materialized and sorted whole).
#[test]
fn joined_collections_read_in_index_order_without_sorting() {
    use relations::joinedload;
    common::backends::use_backend(common::backends::Backend::Sqlite, "plans");
    let db = common::fresh();
    db.create_all::<IndexForeignKeys<(User, UserProfile, Post, Comment, Tag)>>().unwrap();
    let tags: Vec<Tag> = ["rust", "sql", "web"]
        .into_iter()
        .map(|name| db.add(Tag { name: name.into(), ..Default::default() }).unwrap())
        .collect();
    for name in ["ann", "bob"] {
        let u = user(&db, name);
        for (i, title) in ["x", "y"].into_iter().enumerate() {
            let p = post(&db, &u, title);
            // linked out of key order
            for t in tags.iter().rev().skip(i) {
                p.tags(&db).add(t).unwrap();
            }
        }
    }
    let (posts, statements) = db.record(|| Post::query(&db).options(joinedload(Post::TAGS)).all().unwrap());
    let names: Vec<Vec<&str>> =
        posts.iter().map(|p| p.tags.loaded().unwrap().iter().map(|t| t.name.as_str()).collect()).collect();
    assert_eq!(
        names,
        [vec!["rust", "sql", "web"], vec!["rust", "sql"], vec!["rust", "sql", "web"], vec!["rust", "sql"]]
    );
    let (users, nested) =
        db.record(|| User::query(&db).options(joinedload(User::POSTS).joinedload(Post::TAGS)).all().unwrap());
    assert_eq!(users[1].posts.loaded().unwrap()[1].tags.loaded().unwrap().len(), 2);
    for sql in statements.iter().chain(&nested) {
        let plan = plan(&db, sql);
        assert!(plan.iter().all(|step| !step.contains("TEMP B-TREE")), "{sql}\n{plan:#?}");
    }
}
