//! W1–W7: each workload done by `relations` and by hand-written rusqlite (`prepare_cached`,
//! the same statements a careful hand would write), in the same run, on one seeded database:
//! 1000 users × 10 posts × 3 comments, 50 tags with 5 per post, an org chart of depth 6 and
//! fan-out 4. Both sides build owned structs with their related rows attached.
//!
//! The same workloads run on PostgreSQL (groups `PG W...`) beside hand-written `postgres`-crate
//! code with statements prepared once, when the server at `RELATIONS_BENCH_POSTGRES` (default
//! `postgresql://postgres@127.0.0.1:5432`) answers; its database `relations_bench` is made anew.
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

mod pg;

use std::cell::Cell;
use std::collections::HashMap;
use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, BatchSize, Criterion};
use relations::rusqlite::{params, params_from_iter, Connection};
use relations::{
    joinedload, selectinload, subtreeload, BelongsTo, Db, Error, HasMany, IndexForeignKeys, ManyToMany, Model, Result,
};

const USERS: usize = 1000;
const POSTS_PER_USER: usize = 10;
const COMMENTS_PER_POST: usize = 3;
const TAGS: usize = 50;
const TAGS_PER_POST: usize = 5;
const ORG_DEPTH: u32 = 6;
const ORG_FANOUT: usize = 4;
/// W7's lookups per iteration.
const LOOKUPS: i64 = 100;

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

// ---- the hand-written side's rows (only built, like the relations side's: the fields are
// the cost being measured, not read) ----

#[derive(Debug)]
#[allow(dead_code)]
struct HUser {
    id: i64,
    username: String,
    posts: Vec<HPost>,
}

#[derive(Debug)]
#[allow(dead_code)]
struct HPost {
    id: i64,
    title: String,
    body: String,
    user_id: i64,
    comments: Vec<HComment>,
    tags: Vec<HTag>,
}

#[derive(Debug)]
#[allow(dead_code)]
struct HComment {
    id: i64,
    content: String,
    post_id: i64,
}

#[derive(Debug)]
#[allow(dead_code)]
struct HTag {
    id: i64,
    name: String,
}

#[derive(Debug)]
#[allow(dead_code)]
struct HEmployee {
    id: i64,
    name: String,
    manager_id: Option<i64>,
    reports: Vec<HEmployee>,
}

/// A rusqlite connection that counts the statements it runs.
struct Hand<'c> {
    conn: &'c Connection,
    statements: Cell<usize>,
}

impl Hand<'_> {
    fn prepare(&self, sql: &str) -> relations::rusqlite::CachedStatement<'_> {
        self.statements.set(self.statements.get() + 1);
        self.conn.prepare_cached(sql).expect("valid SQL")
    }
}

fn placeholders(n: usize) -> String {
    let mut s = String::with_capacity(n * 3);
    for i in 0..n {
        s.push_str(if i == 0 { "?" } else { ", ?" });
    }
    s
}

fn hand_users(h: &Hand<'_>) -> Vec<HUser> {
    let mut stmt = h.prepare("SELECT id, username FROM user");
    let rows = stmt.query_map([], |r| Ok(HUser { id: r.get(0)?, username: r.get(1)?, posts: Vec::new() }));
    rows.expect("users").collect::<Result<_, _>>().expect("users")
}

fn post_row(r: &relations::rusqlite::Row<'_>) -> relations::rusqlite::Result<HPost> {
    Ok(HPost {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        user_id: r.get(3)?,
        comments: Vec::new(),
        tags: Vec::new(),
    })
}

/// Each user's posts, grouped by hand: one `IN (...)` statement, no `ORDER BY` (SQLite reads
/// them through the foreign key's index, each user's in key order).
fn hand_attach_posts(h: &Hand<'_>, users: &mut [HUser]) {
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let sql = format!("SELECT id, title, body, user_id FROM post WHERE user_id IN ({})", placeholders(ids.len()));
    let mut stmt = h.prepare(&sql);
    let mut by_user: HashMap<i64, Vec<HPost>> = HashMap::with_capacity(ids.len());
    for p in stmt.query_map(params_from_iter(&ids), post_row).expect("posts") {
        let p = p.expect("post");
        by_user.entry(p.user_id).or_default().push(p);
    }
    for u in users {
        u.posts = by_user.remove(&u.id).unwrap_or_default();
    }
}

fn hand_attach_comments(h: &Hand<'_>, posts: &mut [&mut HPost]) {
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let sql = format!("SELECT id, content, post_id FROM comment WHERE post_id IN ({})", placeholders(ids.len()));
    let mut stmt = h.prepare(&sql);
    let mut by_post: HashMap<i64, Vec<HComment>> = HashMap::with_capacity(ids.len());
    let rows = stmt
        .query_map(params_from_iter(&ids), |r| Ok(HComment { id: r.get(0)?, content: r.get(1)?, post_id: r.get(2)? }));
    for c in rows.expect("comments") {
        let c = c.expect("comment");
        by_post.entry(c.post_id).or_default().push(c);
    }
    for p in posts {
        p.comments = by_post.remove(&p.id).unwrap_or_default();
    }
}

fn hand_posts_with_tags(h: &Hand<'_>) -> Vec<HPost> {
    let mut posts: Vec<HPost> = {
        let mut stmt = h.prepare("SELECT id, title, body, user_id FROM post");
        stmt.query_map([], post_row).expect("posts").collect::<Result<_, _>>().expect("posts")
    };
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let sql = format!(
        "SELECT pt.post_id, t.id, t.name FROM tag t JOIN post_tags pt ON pt.tag_id = t.id WHERE pt.post_id IN ({})",
        placeholders(ids.len())
    );
    let mut stmt = h.prepare(&sql);
    let mut by_post: HashMap<i64, Vec<HTag>> = HashMap::with_capacity(ids.len());
    for row in stmt
        .query_map(params_from_iter(&ids), |r| Ok((r.get::<_, i64>(0)?, HTag { id: r.get(1)?, name: r.get(2)? })))
        .expect("tags")
    {
        let (post, tag) = row.expect("tag");
        by_post.entry(post).or_default().push(tag);
    }
    for p in &mut posts {
        p.tags = by_post.remove(&p.id).unwrap_or_default();
    }
    posts
}

fn hand_subtree(h: &Hand<'_>) -> HEmployee {
    // one statement: the root and every row below it (UNION ALL: the data has no cycle)
    let mut stmt = h.prepare(
        "WITH RECURSIVE tree(id, name, manager_id) AS (SELECT id, name, manager_id FROM employee \
         WHERE manager_id IS NULL UNION ALL SELECT e.id, e.name, e.manager_id FROM employee e \
         JOIN tree ON e.manager_id = tree.id) SELECT id, name, manager_id FROM tree",
    );
    let mut rows: Vec<HEmployee> = stmt
        .query_map([], |r| Ok(HEmployee { id: r.get(0)?, name: r.get(1)?, manager_id: r.get(2)?, reports: Vec::new() }))
        .expect("tree")
        .collect::<Result<_, _>>()
        .expect("tree");
    let at = rows.iter().position(|e| e.manager_id.is_none()).expect("root");
    let mut root = rows.swap_remove(at);
    attach_reports(&mut root, rows);
    root
}

/// Hangs the subtree's rows under `root`, each under its manager, reports in key order.
fn attach_reports(root: &mut HEmployee, rows: Vec<HEmployee>) {
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, e) in rows.iter().enumerate() {
        children.entry(e.manager_id.unwrap_or(0)).or_default().push(i);
    }
    for kids in children.values_mut() {
        kids.sort_by_key(|&k| rows[k].id);
    }
    let mut slots: Vec<Option<HEmployee>> = rows.into_iter().map(Some).collect();
    fn build(i: usize, slots: &mut [Option<HEmployee>], children: &HashMap<i64, Vec<usize>>) -> Option<HEmployee> {
        let mut e = slots[i].take()?;
        if let Some(kids) = children.get(&e.id) {
            e.reports = kids.iter().filter_map(|&k| build(k, slots, children)).collect();
        }
        Some(e)
    }
    if let Some(kids) = children.get(&root.id) {
        root.reports = kids.clone().into_iter().filter_map(|k| build(k, &mut slots, &children)).collect();
    }
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

/// The hand-written batch insert: 100 rows per `INSERT`, the users' keys by `RETURNING`.
fn hand_insert_all_users_and_posts(h: &Hand<'_>) {
    const BATCH: usize = 100;
    let many = |head: &str, width: usize, rows: usize, returning: &str| {
        let row = format!("({})", vec!["?"; width].join(", "));
        format!("{head} VALUES {}{returning}", vec![row; rows].join(", "))
    };
    h.conn.execute_batch("BEGIN").expect("begin");
    let mut ids: Vec<i64> = Vec::with_capacity(USERS);
    let names: Vec<String> = (0..USERS).map(|u| format!("user{u}")).collect();
    for chunk in names.chunks(BATCH) {
        let mut stmt = h.prepare(&many("INSERT INTO user (username)", 1, chunk.len(), " RETURNING id"));
        let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| r.get::<_, i64>(0)).expect("users");
        let mut got: Vec<i64> = rows.collect::<Result<_, _>>().expect("users");
        got.sort_unstable();
        ids.extend(got);
    }
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.";
    let posts: Vec<(String, i64)> = ids
        .iter()
        .enumerate()
        .flat_map(|(u, &id)| (0..POSTS_PER_USER).map(move |p| (format!("post {u}.{p}"), id)))
        .collect();
    for chunk in posts.chunks(BATCH) {
        let mut stmt = h.prepare(&many("INSERT INTO post (title, body, user_id)", 3, chunk.len(), ""));
        let params: Vec<&dyn rusqlite::ToSql> =
            chunk.iter().flat_map(|(t, id)| [t as &dyn rusqlite::ToSql, &body, id]).collect();
        stmt.execute(params.as_slice()).expect("posts");
    }
    h.conn.execute_batch("COMMIT").expect("commit");
    h.statements.set(h.statements.get() + 2);
}

fn hand_insert_users_and_posts(h: &Hand<'_>) {
    h.conn.execute_batch("BEGIN").expect("begin");
    for u in 0..USERS {
        h.prepare("INSERT INTO user (username) VALUES (?1)").execute([format!("user{u}")]).expect("user");
        let user = h.conn.last_insert_rowid();
        for p in 0..POSTS_PER_USER {
            h.prepare("INSERT INTO post (title, body, user_id) VALUES (?1, ?2, ?3)")
                .execute(params![
                    format!("post {u}.{p}"),
                    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
                    user
                ])
                .expect("post");
        }
    }
    h.conn.execute_batch("COMMIT").expect("commit");
    h.statements.set(h.statements.get() + 2);
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

// ---- the workloads, hand-written side ----

fn h2(h: &Hand<'_>) -> Vec<HUser> {
    let mut users = hand_users(h);
    hand_attach_posts(h, &mut users);
    users
}

fn h3(h: &Hand<'_>) -> usize {
    let users = hand_users(h);
    users
        .iter()
        .map(|u| {
            let mut stmt = h.prepare("SELECT id, title, body, user_id FROM post WHERE user_id = ?1");
            let posts: Vec<HPost> =
                stmt.query_map([u.id], post_row).expect("posts").collect::<Result<_, _>>().expect("posts");
            posts.len()
        })
        .sum()
}

fn h4(h: &Hand<'_>) -> Vec<HUser> {
    let mut users = hand_users(h);
    hand_attach_posts(h, &mut users);
    let mut posts: Vec<&mut HPost> = users.iter_mut().flat_map(|u| u.posts.iter_mut()).collect();
    hand_attach_comments(h, &mut posts);
    users
}

/// The joined statement, de-duplicated by hand: each owner's rows come together.
fn h2_joined(h: &Hand<'_>) -> Vec<HUser> {
    let mut stmt = h.prepare(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id FROM user u LEFT OUTER JOIN post p ON p.user_id = u.id",
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    let mut rows = stmt.query([]).expect("join");
    while let Some(r) = rows.next().expect("row") {
        let id: i64 = r.get(0).expect("id");
        if users.last().is_none_or(|u| u.id != id) {
            users.push(HUser { id, username: r.get(1).expect("username"), posts: Vec::new() });
        }
        if let Some(post_id) = r.get::<_, Option<i64>>(2).expect("post id") {
            let p = HPost {
                id: post_id,
                title: r.get(3).expect("title"),
                body: r.get(4).expect("body"),
                user_id: r.get(5).expect("user_id"),
                comments: Vec::new(),
                tags: Vec::new(),
            };
            users.last_mut().expect("pushed").posts.push(p);
        }
    }
    users
}

fn h4_joined(h: &Hand<'_>) -> Vec<HUser> {
    let mut stmt = h.prepare(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id, c.id, c.content, c.post_id FROM user u \
         LEFT OUTER JOIN post p ON p.user_id = u.id LEFT OUTER JOIN comment c ON c.post_id = p.id",
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    let mut rows = stmt.query([]).expect("join");
    while let Some(r) = rows.next().expect("row") {
        let id: i64 = r.get(0).expect("id");
        if users.last().is_none_or(|u| u.id != id) {
            users.push(HUser { id, username: r.get(1).expect("username"), posts: Vec::new() });
        }
        let user = users.last_mut().expect("pushed");
        let Some(post_id) = r.get::<_, Option<i64>>(2).expect("post id") else { continue };
        if user.posts.last().is_none_or(|p| p.id != post_id) {
            user.posts.push(HPost {
                id: post_id,
                title: r.get(3).expect("title"),
                body: r.get(4).expect("body"),
                user_id: r.get(5).expect("user_id"),
                comments: Vec::new(),
                tags: Vec::new(),
            });
        }
        if let Some(comment_id) = r.get::<_, Option<i64>>(6).expect("comment id") {
            let c =
                HComment { id: comment_id, content: r.get(7).expect("content"), post_id: r.get(8).expect("post_id") };
            user.posts.last_mut().expect("pushed").comments.push(c);
        }
    }
    users
}

fn h5_joined(h: &Hand<'_>) -> Vec<HPost> {
    let mut stmt = h.prepare(
        "SELECT p.id, p.title, p.body, p.user_id, t.id, t.name FROM post p \
         LEFT OUTER JOIN (post_tags pt JOIN tag t ON t.id = pt.tag_id) ON pt.post_id = p.id",
    );
    let mut posts: Vec<HPost> = Vec::with_capacity(USERS * POSTS_PER_USER);
    let mut rows = stmt.query([]).expect("join");
    while let Some(r) = rows.next().expect("row") {
        let id: i64 = r.get(0).expect("id");
        if posts.last().is_none_or(|p| p.id != id) {
            posts.push(HPost {
                id,
                title: r.get(1).expect("title"),
                body: r.get(2).expect("body"),
                user_id: r.get(3).expect("user_id"),
                comments: Vec::new(),
                tags: Vec::new(),
            });
        }
        if let Some(tag_id) = r.get::<_, Option<i64>>(4).expect("tag id") {
            posts.last_mut().expect("pushed").tags.push(HTag { id: tag_id, name: r.get(5).expect("name") });
        }
    }
    posts
}

fn h7(h: &Hand<'_>) -> usize {
    (1..=LOOKUPS)
        .map(|id| {
            let user = h
                .prepare("SELECT id, username FROM user WHERE id = ?1")
                .query_row([id], |r| Ok(HUser { id: r.get(0)?, username: r.get(1)?, posts: Vec::new() }))
                .expect("user");
            let mut stmt = h.prepare("SELECT id, title, body, user_id FROM post WHERE user_id = ?1");
            let posts: Vec<HPost> =
                stmt.query_map([user.id], post_row).expect("posts").collect::<Result<_, _>>().expect("posts");
            posts.len()
        })
        .sum()
}

/// Statement counts, written next to criterion's results for `benches/report.py`.
struct Counts(Vec<String>);

impl Counts {
    fn record<A, B>(&mut self, name: &str, db: &Db, relations: impl FnOnce() -> A, hand: impl FnOnce(&Hand<'_>) -> B) {
        let ((), sql) = db.record(|| {
            black_box(relations());
        });
        let h = Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) };
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

    // checks: both sides load the same rows
    assert_eq!(w2_selectin(&db).iter().map(|u| u.posts.loaded().unwrap().len()).sum::<usize>(), USERS * POSTS_PER_USER);
    assert_eq!(
        h2(&Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) }).iter().map(|u| u.posts.len()).sum::<usize>(),
        USERS * POSTS_PER_USER
    );
    let subtree = w6_subtree(&db);
    fn size(e: &Employee) -> usize {
        e.reports.loaded().unwrap().iter().map(|r| 1 + size(r)).sum()
    }
    fn hsize(e: &HEmployee) -> usize {
        e.reports.iter().map(|r| 1 + hsize(r)).sum()
    }
    let hj = h4_joined(&Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) });
    assert_eq!(
        hj.iter().flat_map(|u| &u.posts).map(|p| p.comments.len()).sum::<usize>(),
        USERS * POSTS_PER_USER * COMMENTS_PER_POST
    );
    let joined = w4_joined(&db);
    let comments: usize =
        joined.iter().flat_map(|u| u.posts.loaded().unwrap()).map(|p| p.comments.loaded().unwrap().len()).sum();
    assert_eq!(comments, USERS * POSTS_PER_USER * COMMENTS_PER_POST);
    assert_eq!(size(&subtree), hsize(&hand_subtree(&Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) })));

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
        let h = Hand { conn: other.sqlite().unwrap(), statements: Cell::new(0) };
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
                |db| hand(&Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) }),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();

    let h = Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) };
    group!(c, "W2 users-posts", 20, "selectin" => w2_selectin(&db), "joined" => w2_joined(&db), "rusqlite" => h2(&h), "rusqlite joined" => h2_joined(&h));
    group!(c, "W3 naive N+1", 20, "relations" => w3_naive(&db), "rusqlite" => h3(&h));
    group!(c, "W4 users-posts-comments", 10, "selectin" => w4_selectin(&db), "joined" => w4_joined(&db), "rusqlite" => h4(&h), "rusqlite joined" => h4_joined(&h));
    group!(c, "W5 posts-tags", 10, "selectin" => w5_selectin(&db), "joined" => w5_joined(&db), "rusqlite" => hand_posts_with_tags(&h), "rusqlite joined" => h5_joined(&h));
    group!(c, "W6 subtree", 20, "relations" => w6_subtree(&db), "rusqlite" => hand_subtree(&h));
    group!(c, "W7 get-then-children", 20, "relations" => w7_get_then_children(&db), "rusqlite" => h7(&h));
}

criterion_group!(benches, workloads, pg::workloads);

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
            let h = Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) };
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
                    let conn = db.sqlite().unwrap();
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
    let db = seed();
    let h = Hand { conn: db.sqlite().unwrap(), statements: Cell::new(0) };
    let repeat: usize = std::env::var("RELATIONS_PROFILE_REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    for _ in 0..repeat {
        match name {
            "w1" | "w1b" | "w1:hand" | "w1b:hand" => {
                let fresh = Db::open_in_memory().expect("db");
                schema(&fresh);
                let fh = Hand { conn: fresh.sqlite().unwrap(), statements: Cell::new(0) };
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
            "w4:hand" => drop(black_box(h4(&h))),
            "w4j:hand" => drop(black_box(h4_joined(&h))),
            "w5:hand" => drop(black_box(hand_posts_with_tags(&h))),
            "w5j:hand" => drop(black_box(h5_joined(&h))),
            "w6:hand" => drop(black_box(hand_subtree(&h))),
            "w7:hand" => drop(black_box(h7(&h))),
            other => panic!(
                "no workload `{other}`: w1, w1b, w2, w2j, w3, w4, w4j, w5, w5j, w6, w7, each also as `<name>:hand`"
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
