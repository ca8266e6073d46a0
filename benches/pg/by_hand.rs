//! The hand-written PostgreSQL side of W1–W7, on the `postgres` crate with every statement
//! prepared once (key lists written out as `IN ($1, ...)`, the joins ordered as they must be for
//! rows to come grouped). `benches/workloads.rs` measures `relations` against it and
//! `benches/diesel` measures Diesel against it, on the same seeded database.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

use crate::hand::*;

/// The server the PostgreSQL workloads run on.
pub fn server() -> String {
    std::env::var("RELATIONS_BENCH_POSTGRES").unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432".into())
}

/// A `postgres` client that prepares each statement once and counts what it runs.
pub struct PgHand {
    pub client: RefCell<Client>,
    prepared: RefCell<HashMap<String, Statement>>,
    pub statements: Cell<usize>,
}

impl PgHand {
    pub fn connect(url: &str) -> PgHand {
        let client = Client::connect(url, NoTls).expect("hand-written side connects");
        PgHand { client: RefCell::new(client), prepared: RefCell::default(), statements: Cell::new(0) }
    }

    pub fn statement(&self, sql: &str) -> Statement {
        self.statements.set(self.statements.get() + 1);
        if let Some(s) = self.prepared.borrow().get(sql) {
            return s.clone();
        }
        let s = self.client.borrow_mut().prepare(sql).expect("valid SQL");
        self.prepared.borrow_mut().insert(sql.to_owned(), s.clone());
        s
    }

    pub fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Vec<Row> {
        let s = self.statement(sql);
        self.client.borrow_mut().query(&s, params).expect("query")
    }
}

/// How a key list reaches the server.
#[derive(Clone, Copy)]
pub enum Keys {
    /// Written out, `IN ($1, $2, ..., $n)`, as the `relations` side writes it.
    Listed,
    /// One array parameter, `= ANY($1)`, as Diesel's `eq_any` writes it.
    Array,
}

/// `<column> IN ($1, ..., $n)` or `<column> = ANY($1)`, with its parameters.
fn keys_in<'a>(column: &str, ids: &'a Vec<i32>, keys: Keys) -> (String, Vec<&'a (dyn ToSql + Sync)>) {
    match keys {
        Keys::Listed => {
            let list = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            (format!("{column} IN ({list})"), ids.iter().map(|i| i as &(dyn ToSql + Sync)).collect())
        }
        Keys::Array => (format!("{column} = ANY($1)"), vec![ids as &(dyn ToSql + Sync)]),
    }
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

fn attach_posts(h: &PgHand, users: &mut [HUser], keys: Keys) {
    let ids: Vec<i32> = users.iter().map(|u| u.id as i32).collect();
    let mut by_user: HashMap<i64, Vec<HPost>> = HashMap::with_capacity(ids.len());
    let (filter, params) = keys_in("user_id", &ids, keys);
    let sql = format!("SELECT id, title, body, user_id FROM post WHERE {filter} ORDER BY id");
    for r in h.query(&sql, &params) {
        let p = post(&r, 0);
        by_user.entry(p.user_id).or_default().push(p);
    }
    for u in users {
        u.posts = by_user.remove(&u.id).unwrap_or_default();
    }
}

pub fn pg2(h: &PgHand, keys: Keys) -> Vec<HUser> {
    let mut users = users(h);
    attach_posts(h, &mut users, keys);
    users
}

pub fn pg2_joined(h: &PgHand) -> Vec<HUser> {
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

pub fn pg3(h: &PgHand) -> usize {
    users(h)
        .iter()
        .map(|u| {
            let id = u.id as i32;
            let rows = h.query("SELECT id, title, body, user_id FROM post WHERE user_id = $1 ORDER BY id", &[&id]);
            rows.iter().map(|r| post(r, 0)).collect::<Vec<_>>().len()
        })
        .sum()
}

pub fn pg4(h: &PgHand, keys: Keys) -> Vec<HUser> {
    let mut users = users(h);
    attach_posts(h, &mut users, keys);
    let mut posts: Vec<&mut HPost> = users.iter_mut().flat_map(|u| u.posts.iter_mut()).collect();
    let ids: Vec<i32> = posts.iter().map(|p| p.id as i32).collect();
    let mut by_post: HashMap<i64, Vec<HComment>> = HashMap::with_capacity(ids.len());
    let (filter, params) = keys_in("post_id", &ids, keys);
    let sql = format!("SELECT id, content, post_id FROM comment WHERE {filter} ORDER BY id");
    for r in h.query(&sql, &params) {
        let c =
            HComment { id: i64::from(r.get::<_, i32>(0)), content: r.get(1), post_id: i64::from(r.get::<_, i32>(2)) };
        by_post.entry(c.post_id).or_default().push(c);
    }
    for p in &mut posts {
        p.comments = by_post.remove(&p.id).unwrap_or_default();
    }
    users
}

pub fn pg4_joined(h: &PgHand) -> Vec<HUser> {
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

pub fn pg5(h: &PgHand, keys: Keys) -> Vec<HPost> {
    let mut posts: Vec<HPost> =
        h.query("SELECT id, title, body, user_id FROM post ORDER BY id", &[]).iter().map(|r| post(r, 0)).collect();
    let ids: Vec<i32> = posts.iter().map(|p| p.id as i32).collect();
    let mut by_post: HashMap<i64, Vec<HTag>> = HashMap::with_capacity(ids.len());
    let (filter, params) = keys_in("pt.post_id", &ids, keys);
    let sql = format!(
        "SELECT pt.post_id, t.id, t.name FROM tag t JOIN post_tags pt ON pt.tag_id = t.id WHERE {filter} ORDER BY pt.post_id, pt.tag_id"
    );
    for r in h.query(&sql, &params) {
        let tag = HTag { id: i64::from(r.get::<_, i32>(1)), name: r.get(2) };
        by_post.entry(i64::from(r.get::<_, i32>(0))).or_default().push(tag);
    }
    for p in &mut posts {
        p.tags = by_post.remove(&p.id).unwrap_or_default();
    }
    posts
}

pub fn pg5_joined(h: &PgHand) -> Vec<HPost> {
    let rows = h.query(
        "SELECT p.id, p.title, p.body, p.user_id, t.id, t.name FROM post p \
         LEFT OUTER JOIN post_tags pt ON pt.post_id = p.id LEFT OUTER JOIN tag t ON t.id = pt.tag_id ORDER BY p.id, pt.tag_id",
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

pub fn pg6(h: &PgHand) -> HEmployee {
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

pub fn pg7(h: &PgHand) -> usize {
    (1..=LOOKUPS as i32)
        .map(|id| {
            let u = user(&h.query("SELECT id, username FROM \"user\" WHERE id = $1", &[&id])[0]);
            let uid = u.id as i32;
            let rows = h.query("SELECT id, title, body, user_id FROM post WHERE user_id = $1 ORDER BY id", &[&uid]);
            rows.iter().map(|r| post(r, 0)).collect::<Vec<_>>().len()
        })
        .sum()
}

pub fn pg1(h: &PgHand) {
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
