//! The relationship core gives no silent wrong answers: pending rows never stand for a loaded
//! collection, every strategy loads a collection in key order whatever index exists, a
//! `has_one` with two rows is an error, eager loads order and filter by association-model
//! columns, long `IN` lists work, errors stay short, and a transaction the database aborts
//! commits nothing.

use crate::common;

use common::{Post, Tag, User, UserProfile};
use relations::{joinedload, selectinload, subqueryload, BelongsTo, Db, Error, HasMany, HasOne, ManyToMany, Model};

fn titles(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.title.as_str()).collect()
}

fn a_row_pushed_into_an_unloaded_collection_never_hides_the_stored_ones() {
    let db = common::db();
    let ann = common::user(&db, "ann");
    common::post(&db, &ann, "stored one");
    common::post(&db, &ann, "stored two");

    let mut ann = User::get(&db, ann.id).unwrap().unwrap();
    ann.posts.push(Post { title: "pushed".into(), ..Default::default() });
    // pending, not loaded: nothing claims to be the collection yet
    assert!(ann.posts.loaded().is_none());
    assert_eq!(ann.posts.pending_mut().len(), 1);
    ann.save(&db).unwrap();
    assert_eq!(titles(ann.posts(&db).load().unwrap()), ["stored one", "stored two", "pushed"]);

    // loaded before saving: the stored rows, then the pending one (SQLAlchemy's order)
    let mut ann = User::get(&db, ann.id).unwrap().unwrap();
    ann.posts.push(Post { title: "later".into(), ..Default::default() });
    assert_eq!(titles(ann.posts(&db).load().unwrap()), ["stored one", "stored two", "pushed", "later"]);
    ann.save(&db).unwrap();
    assert_eq!(ann.posts(&db).count().unwrap(), 4);
    assert!(ann.posts.loaded().unwrap().iter().all(|p| p.id > 0));
    ann.posts.reset();
    assert_eq!(ann.posts(&db).load().unwrap().len(), 4);

    // the same for a many-to-many
    let rust = db.add(Tag { name: "rust".into(), ..Default::default() }).unwrap();
    let post = Post::query(&db).filter_by(Post::title, "pushed").one().unwrap();
    post.tags(&db).add(&rust).unwrap();
    let mut post = post.reload(&db).unwrap();
    post.tags.push(Tag { name: "orm".into(), ..Default::default() });
    post.save(&db).unwrap();
    let names: Vec<String> = post.tags(&db).load().unwrap().iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, ["rust", "orm"]);
}

fn a_row_put_in_pending_rows_after_a_load_is_saved_after_the_loaded_ones() {
    let db = common::db();
    let ann = common::user(&db, "ann");
    common::post(&db, &ann, "stored");
    let mut ann = User::get(&db, ann.id).unwrap().unwrap();
    ann.posts.push(Post { title: "before the load".into(), ..Default::default() });
    assert_eq!(titles(ann.posts(&db).load().unwrap()), ["stored", "before the load"]);
    // the load took the pending rows: none are left to save twice
    assert!(ann.posts.pending_mut().is_empty());
    ann.posts.pending_mut().push(Post { title: "after the load".into(), ..Default::default() });
    ann.save(&db).unwrap();
    assert_eq!(titles(ann.posts.loaded().unwrap()), ["stored", "before the load", "after the load"]);
    assert!(ann.posts.pending_mut().is_empty());
    let stored: Vec<String> = ann.posts(&db).all().unwrap().into_iter().map(|p| p.title).collect();
    assert_eq!(stored, ["stored", "before the load", "after the load"]);
}

fn an_assigned_collection_or_row_replaces_the_stored_ones() {
    let db = common::db();
    let ann = common::user(&db, "ann");
    let old = common::post(&db, &ann, "old");
    db.add(UserProfile { website: Some("old.example".into()), user: BelongsTo::to(&ann), ..Default::default() })
        .unwrap();

    // posts.user_id is NOT NULL and the relationship has no delete-orphan: refused, nothing saved
    let mut ann = User::get(&db, ann.id).unwrap().unwrap();
    ann.posts = vec![Post { title: "new".into(), ..Default::default() }].into();
    assert!(matches!(ann.save(&db), Err(Error::Orphan { .. })));
    assert_eq!(titles(&Post::all(&db).unwrap()), ["old"]);

    // the old post moved away first: the assignment is exactly the new collection
    let other = common::user(&db, "bob");
    let mut moved = old.clone();
    moved.author.set(&other);
    moved.update(&db).unwrap();
    ann.save(&db).unwrap();
    assert_eq!(titles(ann.posts(&db).all().as_deref().unwrap()), ["new"]);
    assert_eq!(titles(ann.posts.loaded().unwrap()), ["new"]);

    // has_one: the assigned row replaces the stored one (unhooked or refused, never two)
    ann.profile = UserProfile { website: Some("new.example".into()), ..Default::default() }.into();
    let err = ann.save(&db).unwrap_err();
    assert!(matches!(err, Error::Orphan { .. }), "{err:?}");
    assert_eq!(UserProfile::all(&db).unwrap().len(), 1);
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Product {
    id: i64,
    #[column(len = 50)]
    name: String,
    #[has_many(Review, inverse = product)]
    reviews: HasMany<Review>,
    /// the same rows, in a declared order
    #[has_many(Review, foreign_key = product_id, order_by = "stars, id desc")]
    by_stars: HasMany<Review>,
    #[has_one(Manual, inverse = product)]
    manual: HasOne<Manual>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Review {
    id: i64,
    stars: i64,
    #[belongs_to(Product, inverse = reviews)]
    product: BelongsTo<Product>,
}

/// A `has_one` whose foreign key is not `unique`: two rows can point at one product.
#[derive(Model, Debug, Clone, PartialEq)]
struct Manual {
    id: i64,
    #[column(len = 50)]
    lang: String,
    #[belongs_to(Product, inverse = manual)]
    product: BelongsTo<Product>,
}

fn shop() -> (common::TestDb, Product) {
    let db = common::fresh();
    db.create_all::<(Product, Review, Manual)>().unwrap();
    // an index that returns a product's reviews by stars, not by key
    common::raw(&db, "CREATE INDEX ix_review_stars ON review (product_id, stars, id)");
    let p = db.add(Product { name: "lamp".into(), ..Default::default() }).unwrap();
    for (id, stars) in [(1, 5), (3, 3), (5, 1)] {
        db.add(Review { id, stars, product: BelongsTo::to(&p) }).unwrap();
    }
    (db, p)
}

fn review_ids(p: &Product) -> Vec<i64> {
    p.reviews.loaded().expect("loaded").iter().map(|r| r.id).collect()
}

fn every_strategy_loads_a_collection_in_key_order_whatever_index_exists() {
    let (db, p) = shop();
    // the index would give stars order: check that it does reorder an unordered scan
    if let Some(conn) = db.driver::<relations::rusqlite::Connection>() {
        let mut stmt = conn.prepare("SELECT id FROM review WHERE product_id = ?1 AND stars > 0").unwrap();
        let raw: Vec<i64> = stmt.query_map([p.id], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(raw, [5, 3, 1], "the index reorders the rows");
    }

    let lazy = Product::get(&db, p.id).unwrap().unwrap();
    let ids: Vec<i64> = lazy.reviews(&db).load().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [1, 3, 5], "lazy");
    for (name, q) in [
        ("joined", Product::query(&db).options(joinedload(Product::REVIEWS))),
        ("selectin", Product::query(&db).options(selectinload(Product::REVIEWS))),
        ("subquery", Product::query(&db).options(subqueryload(Product::REVIEWS))),
    ] {
        let p = q.one().unwrap();
        assert_eq!(review_ids(&p), [1, 3, 5], "{name}");
    }
    // a relationship's declared order, under every strategy
    let by_stars = |p: &Product| p.by_stars.loaded().expect("loaded").iter().map(|r| r.id).collect::<Vec<_>>();
    let lazy = Product::get(&db, p.id).unwrap().unwrap();
    let ids: Vec<i64> = lazy.by_stars(&db).load().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [5, 3, 1], "lazy");
    for (name, q) in [
        ("joined", Product::query(&db).options(joinedload(Product::BY_STARS))),
        ("selectin", Product::query(&db).options(selectinload(Product::BY_STARS))),
        ("subquery", Product::query(&db).options(subqueryload(Product::BY_STARS))),
    ] {
        assert_eq!(by_stars(&q.one().unwrap()), [5, 3, 1], "{name}");
    }
    // an option's order replaces the declared one
    let p = Product::query(&db).options(selectinload(Product::BY_STARS).order_by(Review::id)).one().unwrap();
    assert_eq!(by_stars(&p), [1, 3, 5]);
    // a per-load order is kept by every strategy
    let p = Product::query(&db).options(selectinload(Product::REVIEWS).order_by(Review::stars)).one().unwrap();
    assert_eq!(review_ids(&p), [5, 3, 1]);
    let p = Product::query(&db).options(joinedload(Product::REVIEWS).order_by(Review::stars.desc())).one().unwrap();
    assert_eq!(review_ids(&p), [1, 3, 5]);
}

fn a_has_one_with_two_rows_is_an_error_lazy_and_eager() {
    let (db, p) = shop();
    for lang in ["en", "fr"] {
        db.add(Manual { lang: lang.into(), product: BelongsTo::to(&p), ..Default::default() }).unwrap();
    }
    let err = p.manual(&db).load().unwrap_err();
    assert!(matches!(&err, Error::MultipleRelated { relationship } if relationship == "product.manual"), "{err:?}");
    assert!(err.to_string().contains("`product.manual` is a has_one"), "{err}");
    assert!(matches!(p.manual(&db).get(), Err(Error::MultipleRelated { .. })));
    for q in [
        Product::query(&db).options(joinedload(Product::MANUAL)),
        Product::query(&db).options(selectinload(Product::MANUAL)),
    ] {
        assert!(matches!(q.all(), Err(Error::MultipleRelated { .. })));
    }
    // one row is fine
    Manual::query(&db).filter_by(Manual::lang, "fr").one().unwrap().delete(&db).unwrap();
    let p = Product::query(&db).options(joinedload(Product::MANUAL)).one().unwrap();
    assert_eq!(p.manual.loaded().flatten().map(|m| m.lang.as_str()), Some("en"));
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Novel {
    id: i64,
    #[column(len = 50)]
    title: String,
    #[many_to_many(Writer, through = Credit, local = novel_id, remote = writer_id)]
    writers: ManyToMany<Writer>,
    #[many_to_many(Writer, through = Credit, local = novel_id, remote = writer_id, order_by = "name")]
    writers_by_name: ManyToMany<Writer>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Writer {
    id: i64,
    #[column(len = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Credit {
    #[key]
    #[belongs_to(Novel)]
    novel: BelongsTo<Novel>,
    #[key]
    #[belongs_to(Writer)]
    writer: BelongsTo<Writer>,
    position: i64,
}

fn eager_loads_order_and_filter_by_association_model_columns() {
    let db = common::fresh();
    db.create_all::<(Novel, Writer, Credit)>().unwrap();
    let novel = db.add(Novel { title: "Good Omens".into(), ..Default::default() }).unwrap();
    let names = ["Terry", "Neil", "Agnes"];
    for (i, name) in names.iter().enumerate() {
        let w = db.add(Writer { name: (*name).into(), ..Default::default() }).unwrap();
        // positions 3, 1, 2: neither key nor name order
        let position = [3, 1, 2][i];
        db.add(Credit { novel: BelongsTo::to(&novel), writer: BelongsTo::to(&w), position }).unwrap();
    }
    let writers = |n: &Novel| n.writers.loaded().unwrap().iter().map(|w| w.name.clone()).collect::<Vec<_>>();
    let n = Novel::query(&db).options(selectinload(Novel::WRITERS).order_by(Credit::position)).one().unwrap();
    assert_eq!(writers(&n), ["Neil", "Agnes", "Terry"]);
    let n = Novel::query(&db).options(joinedload(Novel::WRITERS).order_by(Credit::position.desc())).one().unwrap();
    assert_eq!(writers(&n), ["Terry", "Agnes", "Neil"]);
    let n = Novel::query(&db).options(selectinload(Novel::WRITERS).order_by(Credit::position).limit(2)).one().unwrap();
    assert_eq!(writers(&n), ["Neil", "Agnes"]);
    let n = Novel::query(&db)
        .options(subqueryload(Novel::WRITERS).filter(Credit::position.ge(2_i64)).order_by(Credit::position))
        .one()
        .unwrap();
    assert_eq!(writers(&n), ["Agnes", "Terry"]);
    // without an order: key order
    let n = Novel::query(&db).options(joinedload(Novel::WRITERS)).one().unwrap();
    assert_eq!(writers(&n), names);
    // a declared order, lazily and eagerly
    let by_name = |n: &Novel| n.writers_by_name.loaded().unwrap().iter().map(|w| w.name.clone()).collect::<Vec<_>>();
    let lazy = Novel::get(&db, novel.id).unwrap().unwrap();
    let lazy_names: Vec<String> = lazy.writers_by_name(&db).load().unwrap().iter().map(|w| w.name.clone()).collect();
    assert_eq!(lazy_names, ["Agnes", "Neil", "Terry"]);
    let n = Novel::query(&db).options(joinedload(Novel::WRITERS_BY_NAME)).one().unwrap();
    assert_eq!(by_name(&n), ["Agnes", "Neil", "Terry"]);
    let n = Novel::query(&db).options(selectinload(Novel::WRITERS_BY_NAME)).one().unwrap();
    assert_eq!(by_name(&n), ["Agnes", "Neil", "Terry"]);
}

fn is_in_takes_any_number_of_values_and_errors_quote_little_sql() {
    let db = common::db();
    let ann = common::user(&db, "ann");
    let wanted: Vec<i64> = (0..100_000).map(|i| i * 7 + 1).collect();
    // 100 000 values: more than SQLite binds in one statement, bound as one list
    let (found, sql) = db.record(|| User::query(&db).filter(User::id.is_in(wanted.iter().copied())).all().unwrap());
    assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), [ann.id]);
    assert!(sql[0].len() < 300, "{}", sql[0]);
    // short lists are written out
    let ids: Vec<i64> =
        User::query(&db).filter(User::id.is_in([ann.id, 99])).all().unwrap().iter().map(|u| u.id).collect();
    assert_eq!(ids, [ann.id]);
    let names = ["ann"; 1000].map(String::from);
    assert_eq!(User::query(&db).filter(User::username.is_in(names.iter().map(String::as_str))).count().unwrap(), 1);

    // an error about a huge statement quotes a few hundred characters of it
    if let Some(conn) = db.driver::<relations::rusqlite::Connection>() {
        let huge = format!("SELECT id FROM user WHERE id IN ({})", vec!["?"; 40_000].join(", "));
        let err = Error::from(conn.prepare(&huge).unwrap_err());
        let text = err.to_string();
        assert!(text.len() < 600, "{} bytes: {}", text.len(), &text[..600.min(text.len())]);
        assert!(format!("{err:?}").len() < 800);
    }
}

/// Rows of unbounded text, to fill a disk with.
#[derive(Model, Debug, Clone, PartialEq)]
struct Note {
    id: i64,
    #[column(text)]
    body: String,
}

/// A database that fills up after a few more pages.
fn small_disk() -> common::TestDb {
    let db = common::db();
    db.create_all::<(Note,)>().unwrap();
    let pages: i64 = db
        .driver::<relations::rusqlite::Connection>()
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute_batch(&format!("PRAGMA max_page_count = {}", pages + 4))
        .unwrap();
    db
}

fn usernames(db: &Db) -> Vec<String> {
    Note::all(db).unwrap().into_iter().map(|n| n.body).collect()
}

fn full(e: &Error) -> bool {
    matches!(e.driver_error::<relations::rusqlite::Error>(), Some(relations::rusqlite::Error::SqliteFailure(c, _))
        if c.code == relations::rusqlite::ErrorCode::DiskFull)
}

// sqlite only
#[test]
fn a_disk_that_fills_inside_a_savepoint_commits_nothing_and_returns_the_real_error() {
    let db = small_disk();
    let big = "x".repeat(3000);
    let mut after = None;
    let result: Result<(), Error> = db.transaction(|db| {
        db.add(Note { body: "before".into(), ..Default::default() })?;
        let inner: Result<(), Error> = db.transaction(|db| {
            for i in 0..100 {
                db.add(Note { body: format!("{i}{big}"), ..Default::default() })?;
            }
            Ok(())
        });
        let inner = inner.unwrap_err();
        assert!(full(&inner), "the savepoint returns the disk-full error itself: {inner:?}");
        // the outer closure goes on, as if only the savepoint had failed
        after = Some(db.add(Note { body: "after".into(), ..Default::default() }).map(|_| ()));
        Ok(())
    });
    let after = after.unwrap().unwrap_err();
    assert!(matches!(&after, Error::TransactionAborted { cause } if cause.contains("full")), "{after:?}");
    assert!(matches!(result, Err(Error::TransactionAborted { .. })), "{result:?}");
    assert!(db.driver::<relations::rusqlite::Connection>().unwrap().is_autocommit(), "no transaction left open");
    assert!(usernames(&db).is_empty(), "nothing committed piecemeal: {:?}", usernames(&db));
    // the connection works again
    db.add(Note { body: "later".into(), ..Default::default() }).unwrap();
    assert_eq!(usernames(&db), ["later"]);
}

// sqlite only
#[test]
fn a_disk_that_fills_in_one_statement_ends_the_transaction() {
    let db = small_disk();
    let result: Result<(), Error> = db.transaction(|db| {
        db.add(Note { body: "before".into(), ..Default::default() })?;
        let e = db.add(Note { body: "y".repeat(40_000), ..Default::default() }).unwrap_err();
        assert!(full(&e), "{e:?}");
        // a later statement of the same transaction is refused
        let refused = db.add(Note { body: "after".into(), ..Default::default() }).unwrap_err();
        assert!(matches!(refused, Error::TransactionAborted { .. }), "{refused:?}");
        Err(e)
    });
    assert!(full(&result.unwrap_err()));
    assert!(db.driver::<relations::rusqlite::Connection>().unwrap().is_autocommit());
    assert!(usernames(&db).is_empty(), "{:?}", usernames(&db));
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Reading {
    id: i64,
    at: relations::chrono::NaiveDateTime,
    ok: bool,
    #[column(numeric(precision = 10, scale = 2))]
    amount: relations::rust_decimal::Decimal,
}

// sqlite only
#[test]
fn stored_values_sqlalchemy_accepts_read_as_it_reads_them_and_are_written_canonically() {
    let db = common::fresh();
    db.create_all::<(Reading,)>().unwrap();
    // what another writer (or a hand) may have put there; SQLAlchemy 2.1 reads each row so
    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute_batch(
            "INSERT INTO reading (id, at, ok, amount) VALUES
               (1, '2024-05-01T09:30:00Z', 2, '12.345'),
               (2, '2024-05-01 09:30:00+02:00', 'true', 2.675),
               (3, '2024-05-01', 0, 7)",
        )
        .unwrap();
    let rows: Vec<(String, bool, String)> =
        Reading::all(&db).unwrap().iter().map(|r| (r.at.to_string(), r.ok, r.amount.to_string())).collect();
    assert_eq!(
        rows,
        [
            ("2024-05-01 09:30:00".to_string(), true, "12.35".to_string()),
            ("2024-05-01 07:30:00".to_string(), true, "2.67".to_string()),
            ("2024-05-01 00:00:00".to_string(), false, "7.00".to_string()),
        ]
    );
    // saving writes SQLAlchemy's own forms back
    for mut r in Reading::all(&db).unwrap() {
        r.update(&db).unwrap();
    }
    let stored: Vec<(String, i64)> = {
        let mut stmt = db
            .driver::<relations::rusqlite::Connection>()
            .unwrap()
            .prepare("SELECT at, ok FROM reading ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(stored[1], ("2024-05-01 07:30:00.000000".to_string(), 1));
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Forum {
    id: i64,
    #[column(len = 50)]
    name: String,
    #[has_many(Thread, inverse = forum, lazy = "dynamic")]
    threads: HasMany<Thread>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Thread {
    id: i64,
    #[column(len = 50)]
    title: String,
    #[belongs_to(Forum, inverse = threads)]
    forum: BelongsTo<Forum>,
}

fn a_dynamic_relationship_is_a_query_and_filters_by_its_path() {
    let db = common::fresh();
    db.create_all::<(Forum, Thread)>().unwrap();
    let rust = db.add(Forum { name: "rust".into(), ..Default::default() }).unwrap();
    db.add(Forum { name: "empty".into(), ..Default::default() }).unwrap();
    db.add(Thread { title: "async".into(), forum: BelongsTo::to(&rust), ..Default::default() }).unwrap();
    assert_eq!(rust.threads(&db).filter(Thread::title.like("as%")).count().unwrap(), 1);
    let busy: Vec<String> =
        Forum::query(&db).filter(Forum::THREADS.is_not_empty()).all().unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(busy, ["rust"]);
}

both_backends!(
    a_row_pushed_into_an_unloaded_collection_never_hides_the_stored_ones,
    a_row_put_in_pending_rows_after_a_load_is_saved_after_the_loaded_ones,
    an_assigned_collection_or_row_replaces_the_stored_ones,
    every_strategy_loads_a_collection_in_key_order_whatever_index_exists,
    a_has_one_with_two_rows_is_an_error_lazy_and_eager,
    eager_loads_order_and_filter_by_association_model_columns,
    is_in_takes_any_number_of_values_and_errors_quote_little_sql,
    a_dynamic_relationship_is_a_query_and_filters_by_its_path,
);
