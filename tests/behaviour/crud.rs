//! Model CRUD and typed queries.

use crate::common;

use common::{db, post, user, Post, User};
use relations::{Error, Model};

fn insert_assigns_keys_in_creation_order() {
    let db = db();
    let mut bob = User { username: "bob".into(), ..Default::default() };
    assert!(bob.is_new());
    bob.save(&db).unwrap(); // a new row: inserted
    assert_eq!(bob.id, 1);
    assert_eq!(user(&db, "carol").id, 2);
    assert!(!bob.is_new());
}

fn get_update_delete_round_trip() {
    let db = db();
    let mut u = user(&db, "ann");
    assert_eq!(User::get(&db, u.id).unwrap().map(|u| u.username), Some("ann".into()));
    assert_eq!(User::get(&db, 99).unwrap(), None);
    u.karma = Some(7);
    u.update(&db).unwrap();
    assert_eq!(u.reload(&db).unwrap().karma, Some(7));
    assert!(u.delete(&db).unwrap());
    assert!(!u.delete(&db).unwrap(), "a second delete finds nothing");
    assert!(matches!(u.reload(&db), Err(Error::NotFound { table: "user", .. })));
    assert!(matches!(u.update(&db), Err(Error::NotFound { table: "user", .. })));
}

fn save_inserts_then_updates() {
    let db = db();
    let mut u = User { username: "dan".into(), ..Default::default() };
    u.save(&db).unwrap();
    u.username = "daniel".into();
    u.save(&db).unwrap();
    assert_eq!(User::all(&db).unwrap().iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["daniel"]);
}

/// A key the database does not assign: a setting named by its key.
#[derive(Model, Debug, PartialEq)]
struct Setting {
    #[key]
    #[column(len = 40)]
    name: String,
    value: String,
}

fn save_inserts_a_natural_key_row_when_absent_and_updates_it_after() {
    let db = common::fresh();
    db.create_all::<(Setting,)>().unwrap();
    let mut theme = Setting { name: "theme".into(), value: "dark".into() };
    // the UPDATE finds no row, so the row is inserted
    db.assert_statements(2, || theme.save(&db).unwrap());
    theme.value = "light".into();
    db.assert_statements(1, || theme.save(&db).unwrap());
    assert_eq!(Setting::all(&db).unwrap(), [Setting { name: "theme".into(), value: "light".into() }]);
    // `update` alone still says the row is not there
    let mut ghost = Setting { name: "ghost".into(), value: "x".into() };
    assert!(matches!(ghost.update(&db), Err(Error::NotFound { table: "setting", .. })));
    // an auto-key row that was deleted is not silently inserted again by `save`
    let blog = self::db();
    let mut eve = user(&blog, "eve");
    assert!(eve.delete(&blog).unwrap());
    eve.username = "eve2".into();
    assert!(matches!(eve.save(&blog), Err(Error::NotFound { table: "user", .. })));
    assert_eq!(User::query(&blog).count().unwrap(), 0);
}

fn filters_compare_with_bound_values() {
    let db = db();
    for (name, karma) in [("a", Some(1)), ("b", Some(5)), ("c", None), ("d", Some(9))] {
        db.add(User { username: name.into(), karma, ..Default::default() }).unwrap();
    }
    let names = |q: relations::Query<'_, User>| -> Vec<String> {
        q.order_by(User::username).all().unwrap().into_iter().map(|u| u.username).collect()
    };
    assert_eq!(names(User::query(&db).filter(User::karma.gt(1))), ["b", "d"]);
    assert_eq!(names(User::query(&db).filter(User::karma.ge(5).and(User::karma.le(5)))), ["b"]);
    assert_eq!(names(User::query(&db).filter(User::karma.lt(5).or(User::karma.is_null()))), ["a", "c"]);
    assert_eq!(names(User::query(&db).filter(User::karma.is_not_null())), ["a", "b", "d"]);
    assert_eq!(names(User::query(&db).filter(User::username.ne("a").not())), ["a"]);
    assert_eq!(names(User::query(&db).filter(User::username.is_in(["d", "b", "zz"]))), ["b", "d"]);
    assert_eq!(names(User::query(&db).filter(User::username.is_in(Vec::<&str>::new()))), Vec::<String>::new());
    assert_eq!(names(User::query(&db).filter(User::username.like("%"))).len(), 4);
    assert_eq!(names(User::query(&db).filter_by(User::karma, 9)), ["d"]);
}

fn order_limit_offset_count_exists() {
    let db = db();
    for name in ["c", "a", "d", "b"] {
        user(&db, name);
    }
    let q = User::query(&db).order_by(User::username.desc()).limit(2).offset(1);
    assert_eq!(q.all().unwrap().into_iter().map(|u| u.username).collect::<Vec<_>>(), ["c", "b"]);
    assert_eq!(q.count().unwrap(), 2, "count honours limit and offset");
    assert_eq!(User::query(&db).count().unwrap(), 4);
    assert!(User::query(&db).filter_by(User::username, "a").exists().unwrap());
    assert!(!User::query(&db).filter_by(User::username, "zz").exists().unwrap());
    assert_eq!(User::query(&db).offset(3).all().unwrap().len(), 1, "offset without limit");
}

fn one_requires_exactly_one_row() {
    let db = db();
    user(&db, "a");
    user(&db, "b");
    assert_eq!(User::query(&db).filter_by(User::username, "a").one().unwrap().id, 1);
    assert!(matches!(
        User::query(&db).filter_by(User::username, "x").one(),
        Err(Error::NoRowMatched { table: "user" })
    ));
    assert_eq!(
        User::query(&db).filter_by(User::username, "x").one().unwrap_err().to_string(),
        "no row of `user` matched the query"
    );
    assert!(matches!(User::query(&db).one(), Err(Error::MultipleRows { table: "user" })));
    assert_eq!(User::query(&db).first().unwrap().map(|u| u.id), Some(1));
}

fn hostile_strings_round_trip_as_values() {
    let db = db();
    let nasty = "Robert'); DROP TABLE user; -- \"quoted\" \u{1F600}";
    let u = user(&db, nasty);
    assert_eq!(User::query(&db).filter_by(User::username, nasty).one().unwrap().id, u.id);
    assert_eq!(User::query(&db).count().unwrap(), 1, "the table is still there");
    let p = post(&db, &u, "x");
    assert_eq!(p.reload(&db).unwrap().title, "x");
}

fn default_fills_column_defaults() {
    let db = db();
    let before = relations::chrono::Utc::now().naive_utc();
    let p = post(&db, &user(&db, "a"), "t");
    let stored = Post::get(&db, p.id).unwrap().unwrap().created_at.expect("default = now");
    assert!(stored >= before - relations::chrono::Duration::seconds(1));
    // MariaDB's DATETIME (SQLAlchemy's DDL) keeps whole seconds
    let written = p.created_at.unwrap();
    let expected = if db.backend_name() == "mariadb" {
        relations::chrono::Timelike::with_nanosecond(&written, 0).unwrap()
    } else {
        written
    };
    assert_eq!(stored, expected, "microseconds survive the round trip where the column keeps them");
}

fn statement_count_counts_executions() {
    let db = db();
    let before = db.statement_count();
    user(&db, "a");
    User::query(&db).all().unwrap();
    User::query(&db).count().unwrap();
    assert_eq!(db.statement_count() - before, 3);
}

/// A model that keeps the values it was loaded with.
#[derive(Model, Debug, Clone, PartialEq)]
struct Account {
    id: i64,
    #[column(len = 40)]
    name: String,
    email: Option<String>,
    balance: i64,
    loaded: relations::Snapshot,
}

fn update_writes_only_the_columns_that_changed() {
    let db = common::fresh();
    db.create_all::<(Account,)>().unwrap();
    let mut acc = db.add(Account { name: "ann".into(), balance: 10, ..Default::default() }).unwrap();
    assert!(acc.loaded.is_taken(), "inserting takes the snapshot");
    // nothing changed: no statement at all
    db.assert_statements(0, || acc.update(&db).unwrap());
    db.assert_statements(0, || acc.save(&db).unwrap());
    // one column changed: only it is written
    acc.balance = 20;
    let ((), lines) = db.record(|| acc.update(&db).unwrap());
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with(&common::quoted(&db, "UPDATE \"account\" SET \"balance\" = ")), "{lines:?}");
    assert!(!lines[0].contains(&common::quoted(&db, "\"name\"")), "{lines:?}");
    // a loaded copy does not overwrite what another writer changed meanwhile
    let mut copy = Account::get(&db, acc.id).unwrap().unwrap();
    acc.email = Some("ann@example.com".into());
    acc.update(&db).unwrap();
    copy.name = "anna".into();
    copy.update(&db).unwrap();
    let stored = Account::get(&db, acc.id).unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.email.as_deref(), stored.balance), ("anna", Some("ann@example.com"), 20));
    // a value set back to what it was loaded with is still written: the snapshot follows
    // each update
    let mut fresh = Account::get(&db, acc.id).unwrap().unwrap();
    fresh.balance = 99;
    fresh.update(&db).unwrap();
    fresh.balance = 20;
    fresh.update(&db).unwrap();
    assert_eq!(Account::get(&db, acc.id).unwrap().unwrap().balance, 20);
    // a changed key finds the row by the key it was loaded with
    let mut moved = Account::get(&db, acc.id).unwrap().unwrap();
    moved.id = 42;
    moved.update(&db).unwrap();
    assert_eq!(Account::query(&db).select(Account::id).all().unwrap(), [42]);
    // a row built by hand has no snapshot: every column is written
    let mut hand = Account { id: 42, name: "x".into(), balance: 1, ..Default::default() };
    let ((), lines) = db.record(|| hand.update(&db).unwrap());
    let (name, email) = (common::quoted(&db, "\"name\" = "), common::quoted(&db, "\"email\" = "));
    assert!(lines[0].contains(&name) && lines[0].contains(&email), "{lines:?}");
}

fn a_new_owner_knows_it_has_no_related_rows_yet() {
    let db = db();
    let ann = user(&db, "ann");
    // inserted under a key the database assigned: nothing could point at it yet
    assert_eq!(ann.posts.loaded().map(<[Post]>::len), Some(0));
    assert!(matches!(ann.profile.loaded(), Some(None)));
    let p = post(&db, &ann, "Hi");
    assert_eq!(p.tags.loaded().map(<[common::Tag]>::len), Some(0));
    assert_eq!(p.comments.loaded().map(<[common::Comment]>::len), Some(0));
    // a row added since, through another value, is read by the first load: never a stale empty
    let posts = db.assert_statements(1, || ann.posts(&db).load().map(<[Post]>::len)).unwrap();
    assert_eq!(posts, 1);
    assert_eq!(ann.posts.loaded().map(<[Post]>::len), Some(1));
    // rows given with the owner are what it holds
    let bob = db
        .add(User {
            username: "bob".into(),
            posts: vec![Post { title: "a".into(), ..Default::default() }].into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(bob.posts.loaded().map(<[Post]>::len), Some(1));
    // a row loaded from the database is not new: its relationships are not loaded
    let read = User::get(&db, ann.id).unwrap().unwrap();
    assert!(read.posts.loaded().is_none() && read.profile.loaded().is_none());
}

both_backends!(
    a_new_owner_knows_it_has_no_related_rows_yet,
    update_writes_only_the_columns_that_changed,
    insert_assigns_keys_in_creation_order,
    get_update_delete_round_trip,
    save_inserts_then_updates,
    save_inserts_a_natural_key_row_when_absent_and_updates_it_after,
    filters_compare_with_bound_values,
    order_limit_offset_count_exists,
    one_requires_exactly_one_row,
    hostile_strings_round_trip_as_values,
    default_fills_column_defaults,
    statement_count_counts_executions,
);
