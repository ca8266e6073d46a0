//! A load of mixed requests on `examples/blog_api.rs`, and the check of the database it
//! leaves: shared by `tests/blog_api.rs` (a few thousand requests) and the
//! `blog_api_load` example (20,000, against a release build: `scripts/blog_api_load.sh`).
//!
//! Each of `concurrency` clients runs sessions until `requests` have been sent: create a
//! user, two posts with tags (a name given twice, to be stored once), a comment on its own post
//! and one on another client's, read the user back, and delete it every other session. Then
//! the database is read: every 201 is a row, every 204 took its whole cascade with it, no row
//! points at a row that is gone.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// What the clients saw.
#[derive(Debug, Default)]
pub struct Report {
    /// Responses by status code.
    pub statuses: BTreeMap<u16, usize>,
    /// Each request's time, in microseconds.
    pub latencies: Vec<u64>,
    /// The wall time of the whole load.
    pub wall: Duration,
    /// Users answered 201, by their (unique) names: SQLite gives a deleted row's key to the
    /// next row, so rows are told apart by what the clients wrote, not by key.
    pub users: Vec<String>,
    /// Users answered 204 to a delete.
    pub deleted: Vec<String>,
    /// Posts answered 201: their title and their user's name.
    pub posts: Vec<(String, String)>,
    /// Comments answered 201: their text, and the names of their author and of the post's.
    pub comments: Vec<(String, String, String)>,
    /// Answers that were not what the service promises.
    pub problems: Vec<String>,
}

impl Report {
    /// How many requests were answered.
    pub fn requests(&self) -> usize {
        self.statuses.values().sum()
    }

    /// How many answers were 5xx.
    pub fn server_errors(&self) -> usize {
        self.statuses.iter().filter(|(s, _)| **s >= 500).map(|(_, n)| n).sum()
    }

    /// The `q` quantile of the latencies (0.5, 0.99), in milliseconds.
    pub fn latency_ms(&self, q: f64) -> f64 {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        l.get(((l.len() as f64 - 1.0) * q).round() as usize).map_or(0.0, |us| *us as f64 / 1000.0)
    }

    /// One paragraph saying what happened.
    pub fn summary(&self) -> String {
        format!(
            "{} requests in {:.2?} ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms; statuses {:?}; {} users created, {} deleted, {} posts, {} comments; {} problems",
            self.requests(),
            self.wall,
            self.requests() as f64 / self.wall.as_secs_f64(),
            self.latency_ms(0.5),
            self.latency_ms(0.99),
            self.statuses,
            self.users.len(),
            self.deleted.len(),
            self.posts.len(),
            self.comments.len(),
            self.problems.len()
        )
    }
}

const TAGS: [&str; 12] = ["rust", "orm", "web", "sql", "async", "db", "tokio", "axum", "serde", "test", "load", "blog"];

/// Runs the load against the service at `base` (`http://127.0.0.1:port`): `requests` requests
/// or a little more (a session in flight finishes), from `concurrency` clients at once, each
/// with a connection of its own. Gives up after `deadline`, saying so in the report.
pub async fn run(base: &str, requests: usize, concurrency: usize, deadline: Duration) -> Report {
    let sent = Arc::new(AtomicUsize::new(0));
    let report = Arc::new(Mutex::new(Report::default()));
    // posts other clients may comment on, with their user's name (some will be gone by
    // then: a 404, not an error)
    let recent: Arc<Mutex<Vec<(i64, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let clients: Vec<_> = (0..concurrency)
        .map(|c| {
            let (sent, report, recent, base) = (sent.clone(), report.clone(), recent.clone(), base.to_string());
            tokio::spawn(async move {
                let http = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("an HTTP client");
                let mut session = 0;
                while sent.load(Ordering::Relaxed) < requests && started.elapsed() < deadline {
                    one_session(&http, &base, c, session, &sent, &report, &recent).await;
                    session += 1;
                }
            })
        })
        .collect();
    for client in clients {
        if let Err(e) = client.await {
            report.lock().unwrap().problems.push(format!("a client failed: {e}"));
        }
    }
    let mut report = std::mem::take(&mut *report.lock().unwrap());
    report.wall = started.elapsed();
    if report.wall >= deadline {
        report.problems.push(format!("the load did not finish within {deadline:?}"));
    }
    report
}

/// Sends one request, notes its status and time; returns the status and the JSON body.
async fn send(report: &Mutex<Report>, sent: &AtomicUsize, req: reqwest::RequestBuilder) -> (u16, Value) {
    sent.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let (status, body) = match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
        }
        // no answer at all: counted as the worst answer
        Err(e) => (599, Value::String(e.to_string())),
    };
    let mut r = report.lock().unwrap();
    r.latencies.push(started.elapsed().as_micros() as u64);
    *r.statuses.entry(status).or_default() += 1;
    if status >= 500 {
        r.problems.push(format!("{status}: {body}"));
    }
    (status, body)
}

async fn one_session(
    http: &reqwest::Client,
    base: &str,
    client: usize,
    session: usize,
    sent: &AtomicUsize,
    report: &Mutex<Report>,
    recent: &Mutex<Vec<(i64, String)>>,
) {
    let problem = |p: String| report.lock().unwrap().problems.push(p);
    let name = format!("c{client}s{session}");
    let (status, user) = send(
        report,
        sent,
        http.post(format!("{base}/users")).json(&json!({"username": name, "email": format!("{name}@example.com")})),
    )
    .await;
    if status != 201 {
        return problem(format!("POST /users: {status} {user}"));
    }
    let Some(me) = user["id"].as_i64() else { return problem(format!("a user without id: {user}")) };
    report.lock().unwrap().users.push(name.clone());
    if user["posts"] != json!([]) {
        problem(format!("a new user's posts are not []: {user}"));
    }
    let mut mine = Vec::new();
    for p in 0..2 {
        let (a, b) = (TAGS[(client + session + p) % TAGS.len()], TAGS[(client * 7 + p) % TAGS.len()]);
        let title = format!("{name} post {p}");
        let body = json!({"title": title, "content": "…", "user_id": me, "tags": [a, b, a]});
        let (status, post) = send(report, sent, http.post(format!("{base}/posts")).json(&body)).await;
        if status != 201 {
            return problem(format!("POST /posts: {status} {post}"));
        }
        let id = post["id"].as_i64().unwrap_or_default();
        let names: Vec<&str> =
            post["tags"].as_array().map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect()).unwrap_or_default();
        let expected: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
        if names != expected {
            problem(format!("post {id}'s tags are {names:?}, not {expected:?}"));
        }
        report.lock().unwrap().posts.push((title, name.clone()));
        mine.push(id);
    }
    let other = {
        let mut recent = recent.lock().unwrap();
        let other = recent.get((client * 31 + session) % recent.len().max(1)).cloned();
        recent.push((mine[0], name.clone()));
        if recent.len() > 64 {
            recent.remove(0);
        }
        other
    };
    let own = Some((mine[1], name.clone()));
    for (post, owner) in [own, other.clone()].into_iter().flatten() {
        let text = format!("{name} on post {post} of {owner}");
        let body = json!({"content": text, "user_id": me});
        let (status, comment) =
            send(report, sent, http.post(format!("{base}/posts/{post}/comments")).json(&body)).await;
        match status {
            201 => report.lock().unwrap().comments.push((text, name.clone(), owner)),
            // another client's post, deleted meanwhile
            404 | 409 if owner != name => {}
            _ => problem(format!("POST /posts/{post}/comments: {status} {comment}")),
        }
    }
    let (status, read) = send(report, sent, http.get(format!("{base}/users/{me}"))).await;
    if status != 200 || read["posts"].as_array().map(Vec::len) != Some(2) {
        problem(format!("GET /users/{me}: {status} {read}"));
    }
    if session.is_multiple_of(2) {
        let (status, body) = send(report, sent, http.delete(format!("{base}/users/{me}"))).await;
        match status {
            204 => report.lock().unwrap().deleted.push(name.clone()),
            _ => problem(format!("DELETE /users/{me}: {status} {body}")),
        }
    }
}

/// Reads the database the service wrote (`url`, as `Db::connect` takes it) and returns what
/// is not as the answers said: a 201 without its row, a 204 whose user or any row of its
/// cascade is still there, a row pointing at one that is gone.
pub fn check(url: &str, report: &Report) -> Vec<String> {
    let db = relations::Db::connect(url).expect("the service's database");
    let texts = |sql: &str| -> HashSet<String> {
        let rows: Vec<(String,)> = db.sql(sql).all().unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter().map(|(t,)| t).collect()
    };
    let ids = |sql: &str| -> Vec<(i64, i64)> { db.sql(sql).all().unwrap_or_else(|e| panic!("{sql}: {e}")) };
    let users = texts("SELECT username FROM \"user\"");
    let posts = texts("SELECT title FROM post");
    let comments = texts("SELECT content FROM comment");
    let deleted: HashSet<&String> = report.deleted.iter().collect();
    let mut wrong = Vec::new();
    for u in &report.users {
        match (deleted.contains(u), users.contains(u)) {
            (false, false) => wrong.push(format!("user {u} was created (201) and is not there")),
            (true, true) => wrong.push(format!("user {u} was deleted (204) and is still there")),
            _ => {}
        }
    }
    for (p, u) in &report.posts {
        match (deleted.contains(u), posts.contains(p)) {
            (false, false) => wrong.push(format!("post `{p}` was created (201) and is not there")),
            (true, true) => wrong.push(format!("post `{p}` of deleted user {u} is still there")),
            _ => {}
        }
    }
    for (c, author, owner) in &report.comments {
        let kept = !deleted.contains(author) && !deleted.contains(owner);
        if comments.contains(c) != kept {
            let is = if kept { "is not there" } else { "is still there, its author or post deleted" };
            wrong.push(format!("comment `{c}` {is}"));
        }
    }
    // and by key: no row points at one that is gone
    for (what, sql) in [
        ("post -> user", "SELECT id, user_id FROM post WHERE user_id NOT IN (SELECT id FROM \"user\")"),
        ("comment -> post", "SELECT id, post_id FROM comment WHERE post_id NOT IN (SELECT id FROM post)"),
        ("comment -> user", "SELECT id, user_id FROM comment WHERE user_id NOT IN (SELECT id FROM \"user\")"),
        ("post_tags -> post", "SELECT post_id, tag_id FROM post_tags WHERE post_id NOT IN (SELECT id FROM post)"),
        ("post_tags -> tag", "SELECT post_id, tag_id FROM post_tags WHERE tag_id NOT IN (SELECT id FROM tag)"),
        ("user_profile -> user", "SELECT id, user_id FROM user_profile WHERE user_id NOT IN (SELECT id FROM \"user\")"),
    ] {
        for (a, b) in ids(sql) {
            wrong.push(format!("orphan {what}: ({a}, {b})"));
        }
    }
    wrong
}
