//! W1–W7 on PostgreSQL: `relations` on a `postgresql://` [`Db`] beside hand-written code on the
//! `postgres` crate with every statement prepared once (key lists written out as `IN ($1, ...)`,
//! the joins ordered as they must be for rows to come grouped), in the same run, on one seeded
//! database.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};
use relations::Db;

use super::*;

/// The server the PostgreSQL half runs on (its `relations_bench` database is made anew).
fn server() -> String {
    std::env::var("RELATIONS_BENCH_POSTGRES").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432".into())
}

/// A new, empty database on the server, or `None` (said once) when there is no server.
fn fresh(name: &str) -> Option<String> {
    let mut admin = match Client::connect(&format!("{}/postgres", server()), NoTls) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("PostgreSQL workloads skipped: no server at {} ({e})", server());
            return None;
        }
    };
    // one statement each: neither runs inside a transaction block
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop the bench database");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the bench database");
    Some(format!("{}/{name}", server()))
}

/// A `postgres` client that prepares each statement once and counts what it runs.
struct PgHand {
    client: RefCell<Client>,
    prepared: RefCell<HashMap<String, Statement>>,
    statements: Cell<usize>,
}

impl PgHand {
    fn connect(url: &str) -> PgHand {
        let client = Client::connect(url, NoTls).expect("hand-written side connects");
        PgHand { client: RefCell::new(client), prepared: RefCell::default(), statements: Cell::new(0) }
    }

    fn statement(&self, sql: &str) -> Statement {
        self.statements.set(self.statements.get() + 1);
        if let Some(s) = self.prepared.borrow().get(sql) {
            return s.clone();
        }
        let s = self.client.borrow_mut().prepare(sql).expect("valid SQL");
        self.prepared.borrow_mut().insert(sql.to_owned(), s.clone());
        s
    }

    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Vec<Row> {
        let s = self.statement(sql);
        self.client.borrow_mut().query(&s, params).expect("query")
    }
}

/// `$1, $2, ..., $n`: a key list written out, as the relations side writes it (an array bound
/// as `= ANY($1)` is planned without knowing its length, and runs a linear search per row).
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The keys as parameters.
fn params(ids: &[i32]) -> Vec<&(dyn ToSql + Sync)> {
    ids.iter().map(|i| i as &(dyn ToSql + Sync)).collect()
}

fn user(r: &Row) -> HUser {
    HUser { id: i64::from(r.get::<_, i32>(0)), username: r.get(1), posts: Vec::new() }
}

fn post(r: &Row, at: usize) -> HPost {
    HPost {
        id: i64::from(r.get::<_, i32>(at)),
        title: r.get(at + 1),
        body: r.get(at + 2),
        user_id: i64::from(r.get::<_, i32>(at + 3)),
        comments: Vec::new(),
        tags: Vec::new(),
    }
}

fn users(h: &PgHand) -> Vec<HUser> {
    h.query("SELECT id, username FROM \"user\" ORDER BY id", &[]).iter().map(user).collect()
}

fn attach_posts(h: &PgHand, users: &mut [HUser]) {
    let ids: Vec<i32> = users.iter().map(|u| u.id as i32).collect();
    let mut by_user: HashMap<i64, Vec<HPost>> = HashMap::with_capacity(ids.len());
    let sql =
        format!("SELECT id, title, body, user_id FROM post WHERE user_id IN ({}) ORDER BY id", placeholders(ids.len()));
    for r in h.query(&sql, &params(&ids)) {
        let p = post(&r, 0);
        by_user.entry(p.user_id).or_default().push(p);
    }
    for u in users {
        u.posts = by_user.remove(&u.id).unwrap_or_default();
    }
}

fn h2(h: &PgHand) -> Vec<HUser> {
    let mut users = users(h);
    attach_posts(h, &mut users);
    users
}

fn h2_joined(h: &PgHand) -> Vec<HUser> {
    let rows = h.query(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id FROM \"user\" u \
         LEFT OUTER JOIN post p ON p.user_id = u.id ORDER BY u.id, p.id",
        &[],
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    for r in &rows {
        let id = i64::from(r.get::<_, i32>(0));
        if users.last().is_none_or(|u| u.id != id) {
            users.push(user(r));
        }
        if r.get::<_, Option<i32>>(2).is_some() {
            users.last_mut().expect("pushed").posts.push(post(r, 2));
        }
    }
    users
}

fn h3(h: &PgHand) -> usize {
    users(h)
        .iter()
        .map(|u| {
            let id = u.id as i32;
            let rows = h.query("SELECT id, title, body, user_id FROM post WHERE user_id = $1 ORDER BY id", &[&id]);
            rows.iter().map(|r| post(r, 0)).collect::<Vec<_>>().len()
        })
        .sum()
}

fn h4(h: &PgHand) -> Vec<HUser> {
    let mut users = users(h);
    attach_posts(h, &mut users);
    let mut posts: Vec<&mut HPost> = users.iter_mut().flat_map(|u| u.posts.iter_mut()).collect();
    let ids: Vec<i32> = posts.iter().map(|p| p.id as i32).collect();
    let mut by_post: HashMap<i64, Vec<HComment>> = HashMap::with_capacity(ids.len());
    let sql =
        format!("SELECT id, content, post_id FROM comment WHERE post_id IN ({}) ORDER BY id", placeholders(ids.len()));
    for r in h.query(&sql, &params(&ids)) {
        let c =
            HComment { id: i64::from(r.get::<_, i32>(0)), content: r.get(1), post_id: i64::from(r.get::<_, i32>(2)) };
        by_post.entry(c.post_id).or_default().push(c);
    }
    for p in &mut posts {
        p.comments = by_post.remove(&p.id).unwrap_or_default();
    }
    users
}

fn h4_joined(h: &PgHand) -> Vec<HUser> {
    let rows = h.query(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id, c.id, c.content, c.post_id FROM \"user\" u \
         LEFT OUTER JOIN post p ON p.user_id = u.id LEFT OUTER JOIN comment c ON c.post_id = p.id \
         ORDER BY u.id, p.id, c.id",
        &[],
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    for r in &rows {
        let id = i64::from(r.get::<_, i32>(0));
        if users.last().is_none_or(|u| u.id != id) {
            users.push(user(r));
        }
        let user = users.last_mut().expect("pushed");
        let Some(post_id) = r.get::<_, Option<i32>>(2) else { continue };
        if user.posts.last().is_none_or(|p| p.id != i64::from(post_id)) {
            user.posts.push(post(r, 2));
        }
        if let Some(comment_id) = r.get::<_, Option<i32>>(6) {
            let c = HComment { id: i64::from(comment_id), content: r.get(7), post_id: i64::from(r.get::<_, i32>(8)) };
            user.posts.last_mut().expect("pushed").comments.push(c);
        }
    }
    users
}

fn h5(h: &PgHand) -> Vec<HPost> {
    let mut posts: Vec<HPost> =
        h.query("SELECT id, title, body, user_id FROM post ORDER BY id", &[]).iter().map(|r| post(r, 0)).collect();
    let ids: Vec<i32> = posts.iter().map(|p| p.id as i32).collect();
    let mut by_post: HashMap<i64, Vec<HTag>> = HashMap::with_capacity(ids.len());
    let sql = format!(
        "SELECT pt.post_id, t.id, t.name FROM tag t JOIN post_tags pt ON pt.tag_id = t.id \
         WHERE pt.post_id IN ({}) ORDER BY t.id",
        placeholders(ids.len())
    );
    for r in h.query(&sql, &params(&ids)) {
        let tag = HTag { id: i64::from(r.get::<_, i32>(1)), name: r.get(2) };
        by_post.entry(i64::from(r.get::<_, i32>(0))).or_default().push(tag);
    }
    for p in &mut posts {
        p.tags = by_post.remove(&p.id).unwrap_or_default();
    }
    posts
}

fn h5_joined(h: &PgHand) -> Vec<HPost> {
    let rows = h.query(
        "SELECT p.id, p.title, p.body, p.user_id, t.id, t.name FROM post p \
         LEFT OUTER JOIN (post_tags pt JOIN tag t ON t.id = pt.tag_id) ON pt.post_id = p.id ORDER BY p.id, t.id",
        &[],
    );
    let mut posts: Vec<HPost> = Vec::with_capacity(USERS * POSTS_PER_USER);
    for r in &rows {
        let id = i64::from(r.get::<_, i32>(0));
        if posts.last().is_none_or(|p| p.id != id) {
            posts.push(post(r, 0));
        }
        if let Some(tag_id) = r.get::<_, Option<i32>>(4) {
            posts.last_mut().expect("pushed").tags.push(HTag { id: i64::from(tag_id), name: r.get(5) });
        }
    }
    posts
}

fn h6(h: &PgHand) -> HEmployee {
    let employee = |r: &Row| HEmployee {
        id: i64::from(r.get::<_, i32>(0)),
        name: r.get(1),
        manager_id: r.get::<_, Option<i32>>(2).map(i64::from),
        reports: Vec::new(),
    };
    // one statement: the root and every row below it (UNION ALL: the data has no cycle)
    let mut rows: Vec<HEmployee> = h
        .query(
            "WITH RECURSIVE tree(id, name, manager_id) AS (SELECT id, name, manager_id FROM employee \
             WHERE manager_id IS NULL UNION ALL SELECT e.id, e.name, e.manager_id FROM employee e \
             JOIN tree ON e.manager_id = tree.id) SELECT id, name, manager_id FROM tree",
            &[],
        )
        .iter()
        .map(employee)
        .collect();
    let at = rows.iter().position(|e| e.manager_id.is_none()).expect("root");
    let mut root = rows.swap_remove(at);
    attach_reports(&mut root, rows);
    root
}

fn h7(h: &PgHand) -> usize {
    (1..=LOOKUPS as i32)
        .map(|id| {
            let u = user(&h.query("SELECT id, username FROM \"user\" WHERE id = $1", &[&id])[0]);
            let uid = u.id as i32;
            let rows = h.query("SELECT id, title, body, user_id FROM post WHERE user_id = $1 ORDER BY id", &[&uid]);
            rows.iter().map(|r| post(r, 0)).collect::<Vec<_>>().len()
        })
        .sum()
}

fn h1(h: &PgHand) {
    h.client.borrow_mut().batch_execute("BEGIN").expect("begin");
    for u in 0..USERS {
        let name = format!("user{u}");
        let id: i32 = h.query("INSERT INTO \"user\" (username) VALUES ($1) RETURNING id", &[&name])[0].get(0);
        for p in 0..POSTS_PER_USER {
            let title = format!("post {u}.{p}");
            let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.";
            let s = h.statement("INSERT INTO post (title, body, user_id) VALUES ($1, $2, $3)");
            h.client.borrow_mut().execute(&s, &[&title, &body, &id]).expect("post");
        }
    }
    h.client.borrow_mut().batch_execute("COMMIT").expect("commit");
    h.statements.set(h.statements.get() + 2);
}

/// The PostgreSQL groups (`PG W1` ... `PG W7`).
pub fn workloads(c: &mut Criterion) {
    let Some(url) = fresh("relations_bench") else { return };
    let db = Db::connect(&url).expect("connect");
    seed_into(&db);
    let h = PgHand::connect(&url);

    // checks: both sides load the same rows
    let rows = |users: &[User]| users.iter().map(|u| u.posts.loaded().unwrap().len()).sum::<usize>();
    assert_eq!(rows(&w2_selectin(&db)), USERS * POSTS_PER_USER);
    assert_eq!(h2(&h).iter().map(|u| u.posts.len()).sum::<usize>(), USERS * POSTS_PER_USER);
    let comments: usize =
        w4_joined(&db).iter().flat_map(|u| u.posts.loaded().unwrap()).map(|p| p.comments.loaded().unwrap().len()).sum();
    assert_eq!(comments, USERS * POSTS_PER_USER * COMMENTS_PER_POST);
    assert_eq!(
        h4_joined(&h).iter().flat_map(|u| &u.posts).map(|p| p.comments.len()).sum::<usize>(),
        USERS * POSTS_PER_USER * COMMENTS_PER_POST
    );

    let mut counts = Counts(Vec::new());
    let mut record = |name: &str, ours: &dyn Fn(), hand: &dyn Fn(&PgHand)| {
        let ((), sql) = db.record(ours);
        let before = h.statements.get();
        hand(&h);
        counts.0.push(format!("{name}\t{}\t{}", sql.len(), h.statements.get() - before));
    };
    macro_rules! record {
        ($($name:expr => $ours:expr, $hand:expr;)+) => {$(
            record($name, &|| { black_box($ours); }, &|h| { black_box($hand(h)); });
        )+};
    }
    record! {
        "PG W2 users → posts, selectin" => w2_selectin(&db), h2;
        "PG W2 users → posts, joined" => w2_joined(&db), h2_joined;
        "PG W3 naive N+1 loop" => w3_naive(&db), h3;
        "PG W4 users → posts → comments, selectin" => w4_selectin(&db), h4;
        "PG W4 users → posts → comments, joined" => w4_joined(&db), h4_joined;
        "PG W5 posts ↔ tags, selectin" => w5_selectin(&db), h5;
        "PG W5 posts ↔ tags, joined" => w5_joined(&db), h5_joined;
        "PG W6 subtree" => w6_subtree(&db), h6;
        "PG W7 get by key, then children ×100" => w7_get_then_children(&db), h7;
    }

    // W1 on two new databases, each emptied before every iteration
    let ours = fresh("relations_bench_w1").expect("server");
    let theirs = fresh("relations_bench_w1_hand").expect("server");
    let w1 = Db::connect(&ours).expect("connect");
    schema(&w1);
    let hand = PgHand::connect(&theirs);
    {
        let t = Db::connect(&theirs).expect("connect");
        schema(&t);
    }
    let empty = |db: &Db| {
        db.postgres()
            .unwrap()
            .batch_execute("TRUNCATE \"user\", post, comment, post_tags, tag, employee RESTART IDENTITY")
            .unwrap()
    };
    let ((), sql) = w1.record(|| insert_users_and_posts(&w1).expect("w1"));
    let before = hand.statements.get();
    h1(&hand);
    counts.0.insert(
        0,
        format!("PG W1 insert users and posts, one transaction\t{}\t{}", sql.len(), hand.statements.get() - before),
    );
    counts.write_to("statements-postgresql.tsv");

    let mut g = c.benchmark_group("PG W1 insert");
    g.sample_size(10);
    g.bench_function("relations", |b| {
        b.iter_batched(|| empty(&w1), |()| insert_users_and_posts(&w1).expect("w1"), BatchSize::PerIteration)
    });
    let hand_db = Db::connect(&theirs).expect("connect");
    g.bench_function("postgres", |b| b.iter_batched(|| empty(&hand_db), |()| h1(&hand), BatchSize::PerIteration));
    g.finish();

    group!(c, "PG W2 users-posts", 10, "selectin" => w2_selectin(&db), "joined" => w2_joined(&db), "postgres" => h2(&h), "postgres joined" => h2_joined(&h));
    group!(c, "PG W3 naive N+1", 10, "relations" => w3_naive(&db), "postgres" => h3(&h));
    group!(c, "PG W4 users-posts-comments", 10, "selectin" => w4_selectin(&db), "joined" => w4_joined(&db), "postgres" => h4(&h), "postgres joined" => h4_joined(&h));
    group!(c, "PG W5 posts-tags", 10, "selectin" => w5_selectin(&db), "joined" => w5_joined(&db), "postgres" => h5(&h), "postgres joined" => h5_joined(&h));
    group!(c, "PG W6 subtree", 10, "relations" => w6_subtree(&db), "postgres" => h6(&h));
    group!(c, "PG W7 get-then-children", 10, "relations" => w7_get_then_children(&db), "postgres" => h7(&h));
}
