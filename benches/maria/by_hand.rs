//! The hand-written MariaDB side of W1–W7, on the `mysql` crate with every statement prepared
//! once (key lists written out as `IN (?, ...)`, the joins ordered as they must be for rows to
//! come grouped): the same statements as the PostgreSQL side's, in MariaDB's spelling.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use mysql::prelude::Queryable;
use mysql::{Conn, Params, Row, Statement, Value};

use crate::hand::*;

/// The server the MariaDB workloads run on.
pub fn server() -> String {
    std::env::var("RELATIONS_BENCH_MARIADB").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// A `mysql` connection that prepares each statement once and counts what it runs.
pub struct MyHand {
    pub conn: RefCell<Conn>,
    prepared: RefCell<HashMap<String, Statement>>,
    pub statements: Cell<usize>,
}

impl MyHand {
    pub fn connect(url: &str) -> MyHand {
        // over TCP to the address in the URL, as `relations` connects: by default the driver
        // asks the server for its Unix socket and moves there, a transport of its own
        let opts = mysql::OptsBuilder::from_opts(mysql::Opts::from_url(url).expect("a MySQL URL")).prefer_socket(false);
        let conn = Conn::new(opts).expect("hand-written side connects");
        MyHand { conn: RefCell::new(conn), prepared: RefCell::default(), statements: Cell::new(0) }
    }

    fn statement(&self, sql: &str) -> Statement {
        self.statements.set(self.statements.get() + 1);
        if let Some(s) = self.prepared.borrow().get(sql) {
            return s.clone();
        }
        let s = self.conn.borrow_mut().prep(sql).expect("valid SQL");
        self.prepared.borrow_mut().insert(sql.to_owned(), s.clone());
        s
    }

    pub fn query(&self, sql: &str, params: Vec<Value>) -> Vec<Row> {
        let s = self.statement(sql);
        let params = if params.is_empty() { Params::Empty } else { Params::Positional(params) };
        self.conn.borrow_mut().exec(&s, params).expect("query")
    }

    fn execute(&self, sql: &str, params: Vec<Value>) {
        let s = self.statement(sql);
        self.conn.borrow_mut().exec_drop(&s, Params::Positional(params)).expect("execute");
    }
}

/// `<column> IN (?, ..., ?)` with its parameters.
fn keys_in(column: &str, ids: &[i64]) -> (String, Vec<Value>) {
    let list = vec!["?"; ids.len()].join(", ");
    (format!("{column} IN ({list})"), ids.iter().map(|&i| Value::Int(i)).collect())
}

fn user(r: &Row) -> HUser {
    HUser { id: r.get(0).expect("id"), username: r.get(1).expect("username"), posts: Vec::new() }
}

fn post(r: &Row, at: usize) -> HPost {
    HPost {
        id: r.get(at).expect("id"),
        title: r.get(at + 1).expect("title"),
        body: r.get(at + 2).expect("body"),
        user_id: r.get(at + 3).expect("user_id"),
        comments: Vec::new(),
        tags: Vec::new(),
    }
}

fn users(h: &MyHand) -> Vec<HUser> {
    h.query("SELECT id, username FROM user ORDER BY id", Vec::new()).iter().map(user).collect()
}

fn attach_posts(h: &MyHand, users: &mut [HUser]) {
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut by_user: HashMap<i64, Vec<HPost>> = HashMap::with_capacity(ids.len());
    let (filter, params) = keys_in("user_id", &ids);
    let sql = format!("SELECT id, title, body, user_id FROM post WHERE {filter} ORDER BY id");
    for r in h.query(&sql, params) {
        let p = post(&r, 0);
        by_user.entry(p.user_id).or_default().push(p);
    }
    for u in users {
        u.posts = by_user.remove(&u.id).unwrap_or_default();
    }
}

pub fn my2(h: &MyHand) -> Vec<HUser> {
    let mut users = users(h);
    attach_posts(h, &mut users);
    users
}

pub fn my2_joined(h: &MyHand) -> Vec<HUser> {
    let rows = h.query(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id FROM user u \
         LEFT OUTER JOIN post p ON p.user_id = u.id ORDER BY u.id, p.id",
        Vec::new(),
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    for r in &rows {
        let id: i64 = r.get(0).expect("id");
        if users.last().is_none_or(|u| u.id != id) {
            users.push(user(r));
        }
        if r.get::<Option<i64>, _>(2).flatten().is_some() {
            users.last_mut().expect("pushed").posts.push(post(r, 2));
        }
    }
    users
}

pub fn my3(h: &MyHand) -> usize {
    users(h)
        .iter()
        .map(|u| {
            let rows = h.query(
                "SELECT id, title, body, user_id FROM post WHERE user_id = ? ORDER BY id",
                vec![Value::Int(u.id)],
            );
            rows.iter().map(|r| post(r, 0)).collect::<Vec<_>>().len()
        })
        .sum()
}

pub fn my4(h: &MyHand) -> Vec<HUser> {
    let mut users = users(h);
    attach_posts(h, &mut users);
    let mut posts: Vec<&mut HPost> = users.iter_mut().flat_map(|u| u.posts.iter_mut()).collect();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let mut by_post: HashMap<i64, Vec<HComment>> = HashMap::with_capacity(ids.len());
    let (filter, params) = keys_in("post_id", &ids);
    let sql = format!("SELECT id, content, post_id FROM comment WHERE {filter} ORDER BY id");
    for r in h.query(&sql, params) {
        let c = HComment {
            id: r.get(0).expect("id"),
            content: r.get(1).expect("content"),
            post_id: r.get(2).expect("post"),
        };
        by_post.entry(c.post_id).or_default().push(c);
    }
    for p in &mut posts {
        p.comments = by_post.remove(&p.id).unwrap_or_default();
    }
    users
}

pub fn my4_joined(h: &MyHand) -> Vec<HUser> {
    let rows = h.query(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id, c.id, c.content, c.post_id FROM user u \
         LEFT OUTER JOIN post p ON p.user_id = u.id LEFT OUTER JOIN comment c ON c.post_id = p.id \
         ORDER BY u.id, p.id, c.id",
        Vec::new(),
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    for r in &rows {
        let id: i64 = r.get(0).expect("id");
        if users.last().is_none_or(|u| u.id != id) {
            users.push(user(r));
        }
        let user = users.last_mut().expect("pushed");
        let Some(post_id) = r.get::<Option<i64>, _>(2).flatten() else { continue };
        if user.posts.last().is_none_or(|p| p.id != post_id) {
            user.posts.push(post(r, 2));
        }
        if let Some(comment_id) = r.get::<Option<i64>, _>(6).flatten() {
            let c = HComment { id: comment_id, content: r.get(7).expect("content"), post_id: r.get(8).expect("post") };
            user.posts.last_mut().expect("pushed").comments.push(c);
        }
    }
    users
}

pub fn my5(h: &MyHand) -> Vec<HPost> {
    let mut posts: Vec<HPost> = h
        .query("SELECT id, title, body, user_id FROM post ORDER BY id", Vec::new())
        .iter()
        .map(|r| post(r, 0))
        .collect();
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let mut by_post: HashMap<i64, Vec<HTag>> = HashMap::with_capacity(ids.len());
    let (filter, params) = keys_in("pt.post_id", &ids);
    let sql = format!(
        "SELECT pt.post_id, t.id, t.name FROM tag t JOIN post_tags pt ON pt.tag_id = t.id WHERE {filter} ORDER BY pt.post_id, pt.tag_id"
    );
    for r in h.query(&sql, params) {
        let tag = HTag { id: r.get(1).expect("id"), name: r.get(2).expect("name") };
        by_post.entry(r.get(0).expect("post")).or_default().push(tag);
    }
    for p in &mut posts {
        p.tags = by_post.remove(&p.id).unwrap_or_default();
    }
    posts
}

pub fn my5_joined(h: &MyHand) -> Vec<HPost> {
    let rows = h.query(
        "SELECT p.id, p.title, p.body, p.user_id, t.id, t.name FROM post p \
         LEFT OUTER JOIN post_tags pt ON pt.post_id = p.id LEFT OUTER JOIN tag t ON t.id = pt.tag_id ORDER BY p.id, pt.tag_id",
        Vec::new(),
    );
    let mut posts: Vec<HPost> = Vec::with_capacity(USERS * POSTS_PER_USER);
    for r in &rows {
        let id: i64 = r.get(0).expect("id");
        if posts.last().is_none_or(|p| p.id != id) {
            posts.push(post(r, 0));
        }
        if let Some(tag_id) = r.get::<Option<i64>, _>(4).flatten() {
            posts.last_mut().expect("pushed").tags.push(HTag { id: tag_id, name: r.get(5).expect("name") });
        }
    }
    posts
}

pub fn my6(h: &MyHand) -> HEmployee {
    let employee = |r: &Row| HEmployee {
        id: r.get(0).expect("id"),
        name: r.get(1).expect("name"),
        manager_id: r.get::<Option<i64>, _>(2).flatten(),
        reports: Vec::new(),
    };
    // one statement: the root and every row below it (UNION ALL: the data has no cycle)
    let mut rows: Vec<HEmployee> = h
        .query(
            "WITH RECURSIVE tree(id, name, manager_id) AS (SELECT id, name, manager_id FROM employee \
             WHERE manager_id IS NULL UNION ALL SELECT e.id, e.name, e.manager_id FROM employee e \
             JOIN tree ON e.manager_id = tree.id) SELECT id, name, manager_id FROM tree",
            Vec::new(),
        )
        .iter()
        .map(employee)
        .collect();
    let at = rows.iter().position(|e| e.manager_id.is_none()).expect("root");
    let mut root = rows.swap_remove(at);
    attach_reports(&mut root, rows);
    root
}

pub fn my7(h: &MyHand) -> usize {
    (1..=LOOKUPS)
        .map(|id| {
            let u = user(&h.query("SELECT id, username FROM user WHERE id = ?", vec![Value::Int(id)])[0]);
            let rows = h.query(
                "SELECT id, title, body, user_id FROM post WHERE user_id = ? ORDER BY id",
                vec![Value::Int(u.id)],
            );
            rows.iter().map(|r| post(r, 0)).collect::<Vec<_>>().len()
        })
        .sum()
}

pub fn my1(h: &MyHand) {
    h.conn.borrow_mut().query_drop("START TRANSACTION").expect("begin");
    for u in 0..USERS {
        let name = format!("user{u}");
        let rows = h.query("INSERT INTO user (username) VALUES (?) RETURNING id", vec![Value::from(name)]);
        let id: i64 = rows[0].get(0).expect("id");
        for p in 0..POSTS_PER_USER {
            let title = format!("post {u}.{p}");
            let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.";
            h.execute(
                "INSERT INTO post (title, body, user_id) VALUES (?, ?, ?)",
                vec![Value::from(title), Value::from(body), Value::Int(id)],
            );
        }
    }
    h.conn.borrow_mut().query_drop("COMMIT").expect("commit");
    h.statements.set(h.statements.get() + 2);
}
