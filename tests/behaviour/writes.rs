//! Bulk writes by query and upserts, on both backends.

use crate::common;

use common::{db, post, user, Comment, Post, Tag, User};
use relations::{coalesce, BelongsTo, Error, HasMany, Model};

fn bulk_update_sets_values_and_terms_in_one_statement() {
    let db = db();
    for (name, karma) in [("ann", Some(1)), ("bob", Some(5)), ("cy", None)] {
        db.add(User { username: name.into(), karma, ..Default::default() }).unwrap();
    }
    let n = db.assert_statements(1, || {
        User::query(&db).filter(User::karma.is_not_null()).set(User::karma, User::karma * 10 + 1).update().unwrap()
    });
    assert_eq!(n, 2);
    let karma: Vec<Option<i64>> = User::query(&db).select(User::karma).all().unwrap();
    assert_eq!(karma, [Some(11), Some(51), None]);
    // two columns; a filter no row matches changes nothing
    let none = User::query(&db).filter(User::username.eq("zed")).set(User::karma, 0).set(User::username, "x");
    assert_eq!(none.update().unwrap(), 0);
    // over a join, and over an ordered, limited query: the keys through a subquery
    let ann = User::get(&db, 1).unwrap().unwrap();
    post(&db, &ann, "a");
    post(&db, &user(&db, "dee"), "d");
    let n = Post::query(&db)
        .join(Post::AUTHOR)
        .filter(User::username.eq("ann"))
        .set(Post::title, "by ann")
        .update()
        .unwrap();
    assert_eq!(n, 1);
    let top = User::query(&db).order_by(User::username.desc()).limit(2).set(User::karma, -1).update().unwrap();
    assert_eq!(top, 2);
    let marked: Vec<String> = User::query(&db).filter(User::karma.eq(-1)).select(User::username).all().unwrap();
    assert_eq!(marked, ["cy", "dee"]);
    let titles: Vec<String> = Post::query(&db).select(Post::title).all().unwrap();
    assert_eq!(titles, ["by ann", "d"]);
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Shelf {
    id: i64,
    #[column(len = 40)]
    name: String,
    #[has_many(Volume, inverse = shelf, cascade = "all, delete-orphan")]
    volumes: HasMany<Volume>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Volume {
    id: i64,
    #[column(len = 40)]
    title: String,
    #[belongs_to(Shelf, inverse = volumes)]
    shelf: BelongsTo<Shelf>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Sticker {
    id: i64,
    #[belongs_to(Volume, single_parent)]
    volume: BelongsTo<Volume>,
}

fn bulk_delete_runs_the_declared_cascades_set_based() {
    let db = common::fresh();
    db.create_all::<(Shelf, Volume, Sticker)>().unwrap();
    for (shelf, titles) in [("a", &["a1", "a2"][..]), ("b", &["b1"]), ("c", &[])] {
        let s = db.add(Shelf { name: shelf.into(), ..Default::default() }).unwrap();
        for t in titles {
            db.add(Volume { title: (*t).into(), shelf: BelongsTo::to(&s), ..Default::default() }).unwrap();
        }
    }
    // a table nothing references: one DELETE (once the connection has read which tables
    // reference which, the first time it deletes)
    Sticker::query(&db).delete().unwrap();
    let n = db.assert_statements(1, || Sticker::query(&db).delete().unwrap());
    assert_eq!(n, 0);
    // shelves a and b take their volumes with them: keys, then volumes, then shelves
    let (n, lines) = db.record(|| Shelf::query(&db).filter(Shelf::name.ne("c")).delete().unwrap());
    assert_eq!(n, 2);
    // what the guide's "Bulk writes" says runs: the transaction; the matched keys; the keys the
    // cascade reaches, level by level; a test per table whose rows would refuse; a DELETE per
    // table, children first
    let heads: Vec<String> = lines.iter().map(|l| l.split(" WHERE").next().unwrap().replace('`', "\"")).collect();
    let q = |s: &str| s.replace('`', "\"");
    assert_eq!(
        heads,
        [
            db.dialect().begin().to_string(),
            q("SELECT `shelf`.`id` FROM `shelf`"),
            q("SELECT `volume`.`id` FROM `volume`"),
            q("SELECT EXISTS (SELECT 1 FROM `sticker`"),
            q("DELETE FROM `volume`"),
            q("DELETE FROM `shelf`"),
            "COMMIT".to_string(),
        ],
        "{lines:#?}"
    );
    assert_eq!(Volume::query(&db).count().unwrap(), 0, "{lines:?}");
    assert_eq!(Shelf::query(&db).select(Shelf::name).all().unwrap(), ["c"]);
    // a bulk update of a single_parent link would bypass its rule: refused, typed
    let err = Sticker::query(&db).set(Sticker::volume_id, 1).update().unwrap_err();
    assert!(matches!(&err, Error::InvalidQuery { table: "sticker", .. }), "{err}");
    assert!(err.to_string().contains("`sticker.volume`"), "{err}");
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Writer {
    id: i64,
    #[column(len = 40)]
    name: String,
    karma: Option<i64>,
    #[has_many(Article, inverse = writer)]
    articles: HasMany<Article>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Article {
    id: i64,
    views: i64,
    #[belongs_to(Writer, inverse = articles)]
    writer: BelongsTo<Writer>,
}

fn a_bulk_update_reads_a_joined_models_columns() {
    let db = common::fresh();
    db.create_all::<(Writer, Article)>().unwrap();
    let mut writers = Vec::new();
    for (name, karma) in [("ann", Some(10)), ("bob", None), ("cy", Some(3))] {
        writers.push(db.add(Writer { name: name.into(), karma, ..Default::default() }).unwrap());
    }
    for (w, views) in [(0, 1), (0, 2), (1, 5), (2, 7)] {
        db.add(Article { views, writer: BelongsTo::to(&writers[w]), ..Default::default() }).unwrap();
    }
    // views plus the writer's karma, for the articles of writers other than cy: one statement
    let n = db
        .assert_statements(1, || {
            Article::query(&db)
                .join(Article::WRITER)
                .filter(Writer::name.ne("cy"))
                .set(Article::views, Article::views + coalesce(Writer::karma, 0))
                .update()
        })
        .unwrap();
    assert_eq!(n, 3);
    let views: Vec<i64> = Article::query(&db).select(Article::views).all().unwrap();
    assert_eq!(views, [11, 12, 5, 7]);
    // with a limit: the first two articles by key
    Article::query(&db)
        .join(Article::WRITER)
        .order_by(Article::id)
        .limit(2)
        .set(Article::views, Writer::karma.or_else(-1))
        .update()
        .unwrap();
    let views: Vec<i64> = Article::query(&db).select(Article::views).all().unwrap();
    assert_eq!(views, [10, 10, 5, 7]);
    // a value read through a to-many join would be one related row's, picked by the database:
    // refused, typed, before any statement
    let (err, sql) = db.record(|| {
        Writer::query(&db)
            .join(Writer::ARTICLES)
            .set(Writer::karma, Article::views.term().cast::<Option<i64>>())
            .update()
            .unwrap_err()
    });
    assert!(sql.is_empty(), "{sql:?}");
    assert!(matches!(&err, Error::InvalidQuery { table: "writer", .. }), "{err}");
    assert!(err.to_string().contains("to-many relationship"), "{err}");
}

fn bulk_delete_removes_association_rows_and_refuses_referenced_rows() {
    let db = db();
    let ann = user(&db, "ann");
    let keep = post(&db, &ann, "keep");
    let gone = post(&db, &ann, "gone");
    let rust = db.add(Tag { name: "rust".into(), ..Default::default() }).unwrap();
    gone.tags(&db).add(&rust).unwrap();
    db.add(Comment {
        content: "hi".into(),
        post: BelongsTo::to(&keep),
        user: BelongsTo::to(&ann),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(Post::query(&db).filter(Post::title.eq("gone")).delete().unwrap(), 1);
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM post_tags"), 0, "its association rows went with it");
    // a post with a comment whose NOT NULL key cannot be unhooked: refused, and nothing goes
    let err = Post::query(&db).delete().unwrap_err();
    assert!(matches!(&err, Error::Referenced { table: "post", .. }), "{err}");
    assert_eq!(Post::query(&db).count().unwrap(), 1);
    assert_eq!(Tag::query(&db).count().unwrap(), 1, "tags are not the posts' to delete");
}

/// A key the database does not assign.
#[derive(Model, Debug, Clone, PartialEq)]
struct Setting {
    #[key]
    #[column(len = 40)]
    name: String,
    value: String,
}

fn upsert_on_the_key_inserts_then_updates() {
    let db = common::fresh();
    db.create_all::<(Setting,)>().unwrap();
    let mut theme = Setting { name: "theme".into(), value: "dark".into() };
    db.assert_statements(1, || db.upsert(&mut theme).unwrap());
    theme.value = "light".into();
    db.assert_statements(1, || db.upsert(&mut theme).unwrap());
    assert_eq!(Setting::all(&db).unwrap(), [Setting { name: "theme".into(), value: "light".into() }]);
    let mut many = vec![
        Setting { name: "theme".into(), value: "blue".into() },
        Setting { name: "lang".into(), value: "en".into() },
    ];
    db.upsert_all(&mut many).unwrap();
    let values: Vec<(String, String)> = Setting::query(&db).select((Setting::name, Setting::value)).all().unwrap();
    assert_eq!(values, [("lang".to_string(), "en".to_string()), ("theme".to_string(), "blue".to_string())]);
}

fn upsert_on_a_unique_column_stores_the_key_back() {
    let db = db();
    let mut ann = User { username: "ann".into(), karma: Some(1), ..Default::default() };
    db.upsert_on(&mut ann, User::username).unwrap();
    assert_eq!(ann.id, 1);
    user(&db, "bob");
    let mut again = User { username: "ann".into(), karma: Some(7), ..Default::default() };
    db.assert_statements(1, || db.upsert_on(&mut again, User::username).unwrap());
    assert_eq!(again.id, 1, "the existing row's key comes back");
    assert_eq!(User::get(&db, 1).unwrap().unwrap().karma, Some(7));
    assert_eq!(User::query(&db).count().unwrap(), 2);
    // not a unique column: refused before any statement
    let err = db.assert_statements(0, || db.upsert_on(&mut again, User::karma).unwrap_err());
    assert!(matches!(&err, Error::NoUniqueConstraint { table: "user", .. }), "{err}");
    assert!(err.to_string().contains("(karma)"), "{err}");
}

fn insert_or_ignore_single_and_many() {
    let db = db();
    let mut rust = Tag { name: "rust".into(), ..Default::default() };
    assert!(db.insert_or_ignore(&mut rust).unwrap());
    assert_eq!(rust.id, 1);
    let mut dup = Tag { name: "rust".into(), ..Default::default() };
    assert!(!db.assert_statements(1, || db.insert_or_ignore(&mut dup).unwrap()));
    assert_eq!(dup.id, 0, "a row left out keeps its unassigned key");
    let mut tags: Vec<Tag> =
        ["orm", "rust", "sql", "orm"].iter().map(|n| Tag { name: (*n).into(), ..Default::default() }).collect();
    assert_eq!(db.insert_all_or_ignore(&mut tags).unwrap(), 2);
    // PostgreSQL's sequence moves on for the rows left out too: the keys are not 2 and 3 there
    assert_eq!(tags.iter().map(|t| t.id != 0).collect::<Vec<_>>(), [true, false, true, false]);
    assert_eq!(Tag::get(&db, tags[2].id).unwrap().unwrap().name, "sql", "the key stored back is the row's");
    let names: Vec<String> = Tag::query(&db).select(Tag::name).all().unwrap();
    assert_eq!(names, ["rust", "orm", "sql"]);
}

fn named(n: usize) -> Vec<User> {
    (0..n).map(|i| User { username: format!("u{i}"), karma: Some(i as i64), ..Default::default() }).collect()
}

fn insert_all_writes_many_rows_per_statement_and_assigns_each_its_key() {
    let db = db();
    user(&db, "first");
    let mut users = named(250);
    // 100 + 100 + 50 rows, in one transaction; on SQLite, before them, the table's largest key
    // and whether a trigger writes it
    let checks = if db.backend_name() == "sqlite" { 1 } else { 0 };
    db.assert_statements(5 + checks, || db.insert_all(&mut users).unwrap());
    for u in &users {
        let stored = User::get(&db, u.id).unwrap().unwrap();
        assert_eq!((stored.username.as_str(), stored.karma), (u.username.as_str(), u.karma));
    }
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    assert_eq!(ids, (2..252).collect::<Vec<_>>());
    // rows with their key given and rows without, in runs of each
    let mut mixed = vec![
        User { id: 900, username: "given".into(), ..Default::default() },
        User { username: "auto".into(), ..Default::default() },
        User { username: "auto2".into(), ..Default::default() },
    ];
    db.assert_statements(4 + checks, || db.insert_all(&mut mixed).unwrap());
    assert_eq!(mixed[0].id, 900);
    assert!(mixed[1].id > 900 || mixed[1].id == 252, "{}", mixed[1].id);
    assert_eq!(User::get(&db, mixed[2].id).unwrap().unwrap().username, "auto2");
    // rows that save related rows go one by one, the related rows with them
    let mut with_posts = named(2);
    with_posts.iter_mut().for_each(|u| u.username.push_str("-p"));
    with_posts[1].posts.push(Post { title: "hi".into(), ..Default::default() });
    let added = db.add_all(with_posts).unwrap();
    assert_eq!(added[1].posts(&db).load().unwrap().iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["hi"]);
    assert_eq!(Post::query(&db).filter(Post::user_id.eq(added[1].id)).count().unwrap(), 1);
}

fn insert_all_errors_name_the_constraint_or_column_and_keep_nothing() {
    let db = db();
    let mut users = named(5);
    users[3].username = "u1".into();
    match db.insert_all(&mut users) {
        Err(Error::UniqueViolation { table, columns, .. }) => {
            assert_eq!((table.as_str(), &columns[..]), ("user", &["username".to_string()][..]))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(User::query(&db).count().unwrap(), 0, "nothing of the batch is kept");
    assert!(users.iter().all(|u| u.id == 0), "no key assigned");
    let ann = user(&db, "ann");
    let mut posts: Vec<Post> =
        (0..4).map(|i| Post { title: format!("p{i}"), author: BelongsTo::to(&ann), ..Default::default() }).collect();
    posts[2].author = BelongsTo::from_key(4242);
    match db.insert_all(&mut posts) {
        Err(Error::ForeignKeyViolation { table, column }) => {
            assert_eq!((table.as_str(), column.as_deref()), ("post", Some("post.user_id")))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(Post::query(&db).count().unwrap(), 0);
    if db.backend_name() == "sqlite" {
        // the largest rowid taken: SQLite picks new ones at random, so the rows go one by one
        // (written by hand: the model's INTEGER key holds 32 bits, SQLite's rowid 64)
        common::raw(&db, "INSERT INTO user (id, username) VALUES (9223372036854775807, 'max')");
        let mut users = named(3);
        db.assert_statements(6, || db.insert_all(&mut users).unwrap());
        for u in &users {
            assert_eq!(User::get(&db, u.id).unwrap().unwrap().username, u.username);
        }
    }
}

fn insert_all_keys_stay_right_beside_a_trigger() {
    let db = db();
    // a trigger writing the table itself: the keys of one statement are not consecutive (MariaDB
    // refuses a trigger that writes its own table: there it writes another, taking keys too)
    let trigger: &[&str] = match db.backend_name() {
        "sqlite" => &["CREATE TRIGGER shadow AFTER INSERT ON \"user\" WHEN NEW.username NOT LIKE 'shadow%' BEGIN \
                     INSERT INTO \"user\" (username) VALUES ('shadow ' || NEW.username); END"],
        "mariadb" => &[
            "CREATE TABLE shadow (id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY, username VARCHAR(80))",
            "CREATE TRIGGER shadow AFTER INSERT ON `user` FOR EACH ROW \
              INSERT INTO shadow (username) VALUES (concat('shadow ', NEW.username))",
        ],
        _ => &[
            "CREATE FUNCTION shadow() RETURNS trigger AS $$ BEGIN IF NEW.username NOT LIKE 'shadow%' THEN \
              INSERT INTO \"user\" (username) VALUES ('shadow ' || NEW.username); END IF; RETURN NULL; END $$ \
              LANGUAGE plpgsql",
            "CREATE TRIGGER shadow AFTER INSERT ON \"user\" FOR EACH ROW EXECUTE FUNCTION shadow()",
        ],
    };
    for statement in trigger {
        db.sql(*statement).execute().unwrap();
    }
    let mut users = named(4);
    db.insert_all(&mut users).unwrap();
    for u in &users {
        assert_eq!(User::get(&db, u.id).unwrap().unwrap().username, u.username, "{}", u.id);
    }
    // the trigger's rows: in the same table, or beside it on MariaDB
    let shadows = match db.backend_name() {
        "mariadb" => common::scalar(&db, "SELECT count(*) FROM shadow"),
        _ => User::query(&db).filter(User::username.startswith("shadow")).count().unwrap(),
    };
    assert_eq!(shadows, 4);
    assert_eq!(User::query(&db).count().unwrap() + if db.backend_name() == "mariadb" { 4 } else { 0 }, 8);
}

both_backends!(
    a_bulk_update_reads_a_joined_models_columns,
    insert_all_writes_many_rows_per_statement_and_assigns_each_its_key,
    insert_all_errors_name_the_constraint_or_column_and_keep_nothing,
    insert_all_keys_stay_right_beside_a_trigger,
    bulk_update_sets_values_and_terms_in_one_statement,
    bulk_delete_runs_the_declared_cascades_set_based,
    bulk_delete_removes_association_rows_and_refuses_referenced_rows,
    upsert_on_the_key_inserts_then_updates,
    upsert_on_a_unique_column_stores_the_key_back,
    insert_or_ignore_single_and_many,
);
