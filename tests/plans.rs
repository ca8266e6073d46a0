//! What SQLite does with the statements `relations` sends: plans and re-preparation, read from
//! the database itself (SQLite only: the speed issue's costs are SQLite's planner's).

mod common;

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
    let conn = db.sqlite().unwrap();
    for sql in distinct {
        let stmt = conn.prepare_cached(&sql).unwrap();
        assert_eq!(stmt.get_status(StatementStatus::Run), 20, "{sql}");
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0, "{sql}");
    }
}
