//! W1–W7: each workload done by `relations` and by hand-written rusqlite (`prepare_cached`,
//! the same statements a careful hand would write), in the same run, on one seeded database:
//! 1000 users × 10 posts × 3 comments, 50 tags with 5 per post, an org chart of depth 6 and
//! fan-out 4. Both sides build owned structs with their related rows attached.
//!
//! The same workloads run on PostgreSQL (groups `PG W...`) beside hand-written `postgres`-crate
//! code with statements prepared once, when the server at `RELATIONS_BENCH_POSTGRES` (default
//! `postgresql://postgres@127.0.0.1:5432`) answers; its database `relations_bench` is made anew.
//! And on MariaDB (groups `MY W...`) beside hand-written `mysql`-crate code, when the server at
//! `RELATIONS_BENCH_MARIADB` (default `mysql://root@127.0.0.1:3306`) answers.
//!
//! `cargo bench --bench workloads` runs them; `python3 benches/report.py` turns criterion's
//! medians and the statement counts this bench records into the tables in `BENCHMARKS.md`.

/// A criterion group of `samples` samples, one function per `id => expression`.
macro_rules! group {
    ($c:expr, $name:expr, $samples:expr, $( $id:expr => $f:expr ),+ $(,)?) => {{
        let mut g = $c.benchmark_group($name);
        g.sample_size($samples);
        $( g.bench_function($id, |b| b.iter(|| black_box($f))); )+
        g.finish();
    }};
}

mod aio;
mod hand;
mod maria;
mod pg;

use std::cell::Cell;
use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, BatchSize, Criterion};
use hand::*;
use relations::load::Load;
use relations::{
    joinedload, selectinload, subtreeload, BelongsTo, Db, Error, HasMany, IndexForeignKeys, ManyToMany, Model, Result,
};

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(len = 80)]
    username: String,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[column(len = 100)]
    title: String,
    #[column(text)]
    body: String,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
    #[has_many(Comment, inverse = post)]
    comments: HasMany<Comment>,
    #[many_to_many(Tag, through = post_tags)]
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug)]
struct Comment {
    id: i64,
    #[column(text)]
    content: String,
    #[belongs_to(Post, inverse = comments)]
    post: BelongsTo<Post>,
}

#[derive(Model, Debug)]
struct Tag {
    id: i64,
    #[column(len = 50)]
    name: String,
}

#[derive(Model, Debug)]
struct Employee {
    id: i64,
    #[column(len = 80)]
    name: String,
    #[self_ref]
    manager: BelongsTo<Option<Employee>>,
    #[has_many(Employee, inverse = manager)]
    reports: HasMany<Employee>,
}

// ---- seeding ----

fn schema(db: &Db) {
    // every foreign key indexed, as an application would: the workloads measure the ORM, not
    // table scans (`IndexForeignKeys` adds one `CREATE INDEX` per unindexed foreign key)
    db.create_all::<IndexForeignKeys<(User, Post, Comment, Tag, Employee)>>().expect("schema");
}

fn insert_users_and_posts(db: &Db) -> Result<()> {
    db.transaction(|db| {
        for u in 0..USERS {
            let user = db.add(User { username: format!("user{u}"), ..Default::default() })?;
            for p in 0..POSTS_PER_USER {
                db.add(Post {
                    title: format!("post {u}.{p}"),
                    body: "Lorem ipsum dolor sit amet, consectetur adipiscing elit.".into(),
                    author: BelongsTo::to(&user),
                    ..Default::default()
                })?;
            }
        }
        Ok(())
    })
}

/// W1 with `insert_all`: the users in statements of 100 rows, then their posts.
fn insert_all_users_and_posts(db: &Db) -> Result<()> {
    db.transaction(|db| {
        let users = db.add_all((0..USERS).map(|u| User { username: format!("user{u}"), ..Default::default() }))?;
        let posts = users.iter().enumerate().flat_map(|(u, user)| {
            (0..POSTS_PER_USER).map(move |p| Post {
                title: format!("post {u}.{p}"),
                body: "Lorem ipsum dolor sit amet, consectetur adipiscing elit.".into(),
                author: BelongsTo::to(user),
                ..Default::default()
            })
        });
        db.add_all(posts)?;
        Ok(())
    })
}

fn seed() -> Db {
    let db = Db::open_in_memory().expect("db");
    seed_into(&db);
    db
}

fn seed_into(db: &Db) {
    schema(db);
    insert_users_and_posts(db).expect("users and posts");
    db.transaction(|db| {
        let tags: Vec<Tag> =
            (0..TAGS).map(|t| db.add(Tag { name: format!("tag{t}"), ..Default::default() })).collect::<Result<_>>()?;
        for post in Post::all(db)? {
            for c in 0..COMMENTS_PER_POST {
                db.add(Comment { content: format!("comment {c}"), post: BelongsTo::to(&post), ..Default::default() })?;
            }
            let first = post.id as usize % TAGS;
            post.tags(db).extend((0..TAGS_PER_POST).map(|i| &tags[(first + i * 7) % TAGS]))?;
        }
        let root = db.add(Employee { name: "ceo".into(), ..Default::default() })?;
        let mut level = vec![root];
        for _ in 0..ORG_DEPTH {
            let mut next = Vec::with_capacity(level.len() * ORG_FANOUT);
            for boss in &level {
                for i in 0..ORG_FANOUT {
                    next.push(db.add(Employee {
                        name: format!("{}.{i}", boss.name),
                        manager: BelongsTo::to(boss),
                        ..Default::default()
                    })?);
                }
            }
            level = next;
        }
        Ok::<_, Error>(())
    })
    .expect("seed");
}

// ---- the workloads, relations side ----

fn w2_selectin(db: &Db) -> Vec<User> {
    User::query(db).options(selectinload(User::POSTS)).all().expect("w2")
}

fn w2_joined(db: &Db) -> Vec<User> {
    User::query(db).options(joinedload(User::POSTS)).all().expect("w2")
}

fn w3_naive(db: &Db) -> usize {
    let users = User::all(db).expect("users");
    users.iter().map(|u| u.posts(db).load().expect("posts").len()).sum()
}

fn w4_selectin(db: &Db) -> Vec<User> {
    User::query(db).options(selectinload(User::POSTS).selectinload(Post::COMMENTS)).all().expect("w4")
}

fn w4_joined(db: &Db) -> Vec<User> {
    User::query(db).options(joinedload(User::POSTS).joinedload(Post::COMMENTS)).all().expect("w4")
}

fn w5_selectin(db: &Db) -> Vec<Post> {
    Post::query(db).options(selectinload(Post::TAGS)).all().expect("w5")
}

fn w5_joined(db: &Db) -> Vec<Post> {
    Post::query(db).options(joinedload(Post::TAGS)).all().expect("w5")
}

fn w6_subtree(db: &Db) -> Employee {
    Employee::query(db)
        .filter(Employee::manager_id.is_null())
        .options(subtreeload(Employee::REPORTS))
        .one()
        .expect("w6")
}

fn w7_get_then_children(db: &Db) -> usize {
    (1..=LOOKUPS)
        .map(|id| {
            let u = User::get(db, id).expect("get").expect("user exists");
            u.posts(db).load().expect("posts").len()
        })
        .sum()
}

/// The hand-written side of W1 on a server: its code, its connection and how it counts its
/// statements, named as the groups name it (`"PG"`, `"postgres"`).
struct ServerW1<'a, H> {
    prefix: &'static str,
    label: &'static str,
    hand: &'a H,
    /// Its own connection, through which the database is emptied.
    hand_db: &'a Db,
    run: fn(&H),
    statements: fn(&H) -> usize,
}

/// W1 on a server, `relations` on `w1` (at `ours`, whose async side connects anew) against the
/// hand-written code, each database `empty`ed before every iteration: the statement counts
/// (first among `counts`, then written to `tsv`) and the group `"<prefix> W1 insert"`.
fn server_w1<H>(
    c: &mut Criterion,
    w1: &Db,
    ours: &str,
    hand: ServerW1<'_, H>,
    empty: impl Fn(&Db),
    mut counts: Counts,
    tsv: &str,
) {
    let ((), sql) = w1.record(|| insert_users_and_posts(w1).expect("w1"));
    let before = (hand.statements)(hand.hand);
    (hand.run)(hand.hand);
    let sent = (hand.statements)(hand.hand) - before;
    counts.0.insert(0, format!("{} W1 insert users and posts, one transaction\t{}\t{sent}", hand.prefix, sql.len()));
    counts.write_to(tsv);

    let mut g = c.benchmark_group(format!("{} W1 insert", hand.prefix));
    g.sample_size(10);
    g.bench_function("relations", |b| {
        b.iter_batched(|| empty(w1), |()| insert_users_and_posts(w1).expect("w1"), BatchSize::PerIteration)
    });
    g.bench_function(hand.label, |b| {
        b.iter_batched(|| empty(hand.hand_db), |()| (hand.run)(hand.hand), BatchSize::PerIteration)
    });
    let a1 = aio::Async::new(Db::connect(ours).expect("connect"));
    g.bench_function("async relations", |b| b.iter_batched(|| empty(w1), |()| a1.w1(), BatchSize::PerIteration));
    g.finish();
}

/// Statement counts, written next to criterion's results for `benches/report.py`.
struct Counts(Vec<String>);

impl Counts {
    fn record<A, B>(&mut self, name: &str, db: &Db, relations: impl FnOnce() -> A, hand: impl FnOnce(&Hand<'_>) -> B) {
        let ((), sql) = db.record(|| {
            black_box(relations());
        });
        let h = Hand { conn: db.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) };
        black_box(hand(&h));
        self.0.push(format!("{name}\t{}\t{}", sql.len(), h.statements.get()));
    }

    fn write(&self) {
        self.write_to("statements.tsv");
    }

    fn write_to(&self, file: &str) {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../criterion");
        std::fs::create_dir_all(&dir).expect("criterion directory");
        let mut f = std::fs::File::create(dir.join(file)).expect("statements file");
        for line in &self.0 {
            writeln!(f, "{line}").expect("write");
        }
    }
}

fn workloads(c: &mut Criterion) {
    let db = seed();
    let mut counts = Counts(Vec::new());

    // the hand-written seeding, which `benches/diesel` runs on, writes this same database
    let by_hand = rusqlite::Connection::open_in_memory().expect("db");
    seed_by_hand(&by_hand).expect("seed by hand");
    assert!(
        contents(db.driver::<relations::rusqlite::Connection>().unwrap()).expect("contents")
            == contents(&by_hand).expect("contents"),
        "the hand-written seeding differs from the relations one"
    );

    // checks: both sides load the same rows
    assert_eq!(w2_selectin(&db).iter().map(|u| u.posts.loaded().unwrap().len()).sum::<usize>(), USERS * POSTS_PER_USER);
    assert_eq!(
        h2(&Hand { conn: db.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) })
            .iter()
            .map(|u| u.posts.len())
            .sum::<usize>(),
        USERS * POSTS_PER_USER
    );
    let subtree = w6_subtree(&db);
    fn size(e: &Employee) -> usize {
        e.reports.loaded().unwrap().iter().map(|r| 1 + size(r)).sum()
    }
    fn hsize(e: &HEmployee) -> usize {
        e.reports.iter().map(|r| 1 + hsize(r)).sum()
    }
    let hj =
        h4_joined(&Hand { conn: db.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) });
    assert_eq!(
        hj.iter().flat_map(|u| &u.posts).map(|p| p.comments.len()).sum::<usize>(),
        USERS * POSTS_PER_USER * COMMENTS_PER_POST
    );
    let joined = w4_joined(&db);
    let comments: usize =
        joined.iter().flat_map(|u| u.posts.loaded().unwrap()).map(|p| p.comments.loaded().unwrap().len()).sum();
    assert_eq!(comments, USERS * POSTS_PER_USER * COMMENTS_PER_POST);
    assert_eq!(
        size(&subtree),
        hsize(&hand_subtree(&Hand {
            conn: db.driver::<relations::rusqlite::Connection>().unwrap(),
            statements: Cell::new(0)
        }))
    );

    counts.record("W2 users → posts, selectin", &db, || w2_selectin(&db), h2);
    counts.record("W2 users → posts, joined", &db, || w2_joined(&db), h2_joined);
    counts.record("W3 naive N+1 loop", &db, || w3_naive(&db), h3);
    counts.record("W4 users → posts → comments, selectin", &db, || w4_selectin(&db), h4);
    counts.record("W4 users → posts → comments, joined", &db, || w4_joined(&db), h4_joined);
    counts.record("W5 posts ↔ tags, selectin", &db, || w5_selectin(&db), hand_posts_with_tags);
    counts.record("W5 posts ↔ tags, joined", &db, || w5_joined(&db), h5_joined);
    counts.record("W6 subtree", &db, || w6_subtree(&db), hand_subtree);
    counts.record("W7 get by key, then children ×100", &db, || w7_get_then_children(&db), h7);
    type Insert = (fn(&Db) -> Result<()>, fn(&Hand<'_>));
    let inserts: [(&str, Insert); 2] = [
        ("W1 insert users and posts, one transaction", (insert_users_and_posts, hand_insert_users_and_posts)),
        ("W1 insert_all users, then posts", (insert_all_users_and_posts, hand_insert_all_users_and_posts)),
    ];
    for (i, (label, (orm, hand))) in inserts.into_iter().enumerate() {
        let fresh = Db::open_in_memory().expect("db");
        schema(&fresh);
        let ((), sql) = fresh.record(|| orm(&fresh).expect("w1"));
        let other = Db::open_in_memory().expect("db");
        schema(&other);
        let h = Hand { conn: other.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) };
        hand(&h);
        counts.0.insert(i, format!("{label}\t{}\t{}", sql.len(), h.statements.get()));
    }
    counts.write();

    let mut g = c.benchmark_group("W1 insert");
    g.sample_size(10);
    let empty = || {
        let db = Db::open_in_memory().expect("db");
        schema(&db);
        db
    };
    for (orm, hand, (orm_id, hand_id)) in [
        (
            insert_users_and_posts as fn(&Db) -> Result<()>,
            hand_insert_users_and_posts as fn(&Hand<'_>),
            ("relations", "rusqlite"),
        ),
        (insert_all_users_and_posts, hand_insert_all_users_and_posts, ("relations insert_all", "rusqlite batch")),
    ] {
        g.bench_function(orm_id, |b| b.iter_batched(empty, |db| orm(&db).expect("w1"), BatchSize::PerIteration));
        g.bench_function(hand_id, |b| {
            b.iter_batched(
                empty,
                |db| {
                    hand(&Hand {
                        conn: db.driver::<relations::rusqlite::Connection>().unwrap(),
                        statements: Cell::new(0),
                    })
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.bench_function("async relations", |b| {
        b.iter_batched(|| aio::Async::new(empty()), |a| a.w1(), BatchSize::PerIteration)
    });
    g.finish();

    let h = Hand { conn: db.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) };
    // the async side on a second seeded database of the same rows (an in-memory one is one
    // connection's)
    let a = aio::Async::new(seed());
    let ai = aio::Async::in_place(seed());
    group!(c, "W2 users-posts", 20, "selectin" => w2_selectin(&db), "joined" => w2_joined(&db), "rusqlite" => h2(&h), "rusqlite joined" => h2_joined(&h),
        "async selectin" => a.w2(selectinload(User::POSTS).into()), "async joined" => a.w2(joinedload(User::POSTS).into()));
    group!(c, "W3 naive N+1", 20, "relations" => w3_naive(&db), "rusqlite" => h3(&h), "async relations" => a.w3(), "async in place" => ai.w3());
    group!(c, "W4 users-posts-comments", 10, "selectin" => w4_selectin(&db), "joined" => w4_joined(&db), "rusqlite" => h4(&h), "rusqlite joined" => h4_joined(&h),
        "async selectin" => a.w2(selectinload(User::POSTS).selectinload(Post::COMMENTS).into()), "async joined" => a.w2(joinedload(User::POSTS).joinedload(Post::COMMENTS).into()));
    group!(c, "W5 posts-tags", 10, "selectin" => w5_selectin(&db), "joined" => w5_joined(&db), "rusqlite" => hand_posts_with_tags(&h), "rusqlite joined" => h5_joined(&h),
        "async selectin" => a.w5(selectinload(Post::TAGS).into()), "async joined" => a.w5(joinedload(Post::TAGS).into()));
    group!(c, "W6 subtree", 20, "relations" => w6_subtree(&db), "rusqlite" => hand_subtree(&h), "async relations" => a.w6());
    group!(c, "W7 get-then-children", 20, "relations" => w7_get_then_children(&db), "rusqlite" => h7(&h), "async relations" => a.w7(), "async in place" => ai.w7());
}

criterion_group!(benches, workloads, pg::workloads, maria::workloads);

/// One workload run `RELATIONS_PROFILE_REPEAT` times (default 1) on the seeded SQLite
/// database, for a profiler: `RELATIONS_PROFILE=w7 valgrind --tool=callgrind <bench binary>`.
/// A workload's cost is the difference between a run with `REPEAT=n` and one with `REPEAT=0`
/// (the seeding alone), divided by `n`. `<name>:hand` runs the hand-written side instead.
/// A database of `users` users, each with `posts` posts of 3 comments, written by three
/// `INSERT ... SELECT` statements (for the memory runs: no rows held while seeding).
fn seed_sql(users: usize, posts: usize) -> Db {
    let db = Db::open_in_memory().expect("db");
    schema(&db);
    let series = |n: usize| format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) ");
    let (p, c) = (users * posts, users * posts * COMMENTS_PER_POST);
    for sql in [
        format!("{}INSERT INTO user (id, username) SELECT i, 'user' || i FROM n", series(users)),
        format!(
            "{}INSERT INTO post (id, title, body, user_id) SELECT i, 'post ' || i, 'Lorem ipsum dolor sit amet, \
             consectetur adipiscing elit.', (i - 1) / {posts} + 1 FROM n WHERE {p} > 0",
            series(p.max(1))
        ),
        format!(
            "{}INSERT INTO comment (id, content, post_id) SELECT i, 'comment ' || i, (i - 1) / {COMMENTS_PER_POST} + 1 \
             FROM n WHERE {c} > 0",
            series(c.max(1))
        ),
    ] {
        db.sql(sql).execute().expect("seed");
    }
    db
}

/// The memory runs: `RELATIONS_PROFILE=w4mem[:hand|:seed]` (W4 at `RELATIONS_PROFILE_USERS` users,
/// default 10,000) and `stream` / `stream:all` / `stream:hand` (1,000,000 users read
/// 1000 at a time, collected whole, or stepped through by hand), for `/usr/bin/time -v`.
fn profile_memory(name: &str) {
    let users: Option<usize> = std::env::var("RELATIONS_PROFILE_USERS").ok().and_then(|r| r.parse().ok());
    match name {
        "w4mem" | "w4mem:hand" | "w4mem:seed" => {
            let db = seed_sql(users.unwrap_or(10_000), POSTS_PER_USER);
            let h = Hand { conn: db.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) };
            match name {
                "w4mem" => drop(black_box(w4_selectin(&db))),
                "w4mem:hand" => drop(black_box(h4(&h))),
                _ => {}
            }
        }
        _ => {
            let n = users.unwrap_or(1_000_000);
            let db = seed_sql(n, 0);
            let read = match name {
                "stream" => User::query(&db).iter(1000).map(|u| u.expect("user").username.len()).sum::<usize>(),
                "stream:all" => User::all(&db).expect("users").iter().map(|u| u.username.len()).sum(),
                _ => {
                    let conn = db.driver::<relations::rusqlite::Connection>().unwrap();
                    let mut stmt = conn.prepare("SELECT id, username FROM user ORDER BY id").expect("prepare");
                    let rows =
                        stmt.query_map([], |r| Ok(HUser { id: r.get(0)?, username: r.get(1)?, posts: Vec::new() }));
                    rows.expect("users").map(|u| u.expect("user").username.len()).sum()
                }
            };
            assert!(read >= n * 5);
        }
    }
}

fn profile(name: &str) {
    if name == "sizes" {
        use std::mem::size_of;
        println!(
            "User {} Post {} Comment {} | HUser {} HPost {} HComment {}",
            size_of::<User>(),
            size_of::<Post>(),
            size_of::<Comment>(),
            size_of::<HUser>(),
            size_of::<HPost>(),
            size_of::<HComment>()
        );
        println!(
            "HasMany<Post> {} BelongsTo<User> {} ManyToMany<Tag> {}",
            size_of::<HasMany<Post>>(),
            size_of::<BelongsTo<User>>(),
            size_of::<ManyToMany<Tag>>()
        );
        return;
    }
    if name.starts_with("w4mem") || name.starts_with("stream") {
        return profile_memory(name);
    }
    let repeat: usize = std::env::var("RELATIONS_PROFILE_REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    if maria::profile(name, repeat) || pg::profile(name, repeat) {
        return;
    }
    let db = seed();
    let h = Hand { conn: db.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) };
    for _ in 0..repeat {
        match name {
            "w1" | "w1b" | "w1:hand" | "w1b:hand" => {
                let fresh = Db::open_in_memory().expect("db");
                schema(&fresh);
                let fh = Hand { conn: fresh.driver::<relations::rusqlite::Connection>().unwrap(), statements: Cell::new(0) };
                match name {
                    "w1" => insert_users_and_posts(&fresh).expect("w1"),
                    "w1b" => insert_all_users_and_posts(&fresh).expect("w1b"),
                    "w1:hand" => hand_insert_users_and_posts(&fh),
                    _ => hand_insert_all_users_and_posts(&fh),
                }
            }
            "w2" => drop(black_box(w2_selectin(&db))),
            "w2j" => drop(black_box(w2_joined(&db))),
            "w3" => drop(black_box(w3_naive(&db))),
            "w4" => drop(black_box(w4_selectin(&db))),
            "w4j" => drop(black_box(w4_joined(&db))),
            "w5" => drop(black_box(w5_selectin(&db))),
            "w5j" => drop(black_box(w5_joined(&db))),
            "w6" => drop(black_box(w6_subtree(&db))),
            "w7" => drop(black_box(w7_get_then_children(&db))),
            "w2:hand" => drop(black_box(h2(&h))),
            "w2j:hand" => drop(black_box(h2_joined(&h))),
            "w3:hand" => drop(black_box(h3(&h))),
            "w3:keep" => drop(black_box(h3_keep(&h))),
            "w4:hand" => drop(black_box(h4(&h))),
            "w4j:hand" => drop(black_box(h4_joined(&h))),
            "w5:hand" => drop(black_box(hand_posts_with_tags(&h))),
            "w5j:hand" => drop(black_box(h5_joined(&h))),
            "w6:hand" => drop(black_box(hand_subtree(&h))),
            "w7:hand" => drop(black_box(h7(&h))),
            other => panic!(
                "no workload `{other}`: w1, w1b, w2, w2j, w3, w4, w4j, w5, w5j, w6, w7, each also as `<name>:hand`, `w3:keep`, on MariaDB my2, my4, my7 and on PostgreSQL pg2, pg4, pg5, pg6, pg7 (each also `:hand`)"
            ),
        }
    }
}

fn main() {
    if let Ok(name) = std::env::var("RELATIONS_PROFILE") {
        return profile(&name);
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
