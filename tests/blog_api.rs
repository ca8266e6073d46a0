//! `examples/blog_api.rs` as a process, driven over HTTP with reqwest, on a SQLite file and on
//! a PostgreSQL schema: every route, its errors, and 200 concurrent mixed requests with no
//! error and no lost write.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use common::backends::{current, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The example, beside this test's binary.
fn binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps");
    let bin = dir.join("examples").join(format!("blog_api{}", std::env::consts::EXE_SUFFIX));
    // built again if stale (`cargo test --test blog_api` alone does not build examples)
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", "blog_api"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the example failed");
    bin
}

/// The running service; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the example on a free port over `database_url`, once it listens.
fn start(database_url: &str) -> Server {
    let mut child = Command::new(binary())
        .env("DATABASE_URL", database_url)
        .env("PORT", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base =
        line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("not listening: {line:?}")).to_string();
    Server { child, base }
}

/// A new database on the current backend that the service opens too: a SQLite file in a
/// directory of the test's own, or a PostgreSQL schema; removed when dropped.
fn database() -> common::TestDb {
    common::shared("blog-api")
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.expect("the service answers");
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
}

fn the_service_answers_every_route_and_200_concurrent_requests() {
    let db = database();
    let server = start(db.url());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let at = |path: &str| format!("{}{path}", server.base);

        let (status, ann) = send(http.post(at("/users")).json(&json!({"username": "ann", "email": "ann@example.com"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{ann}");
        assert_eq!(ann, json!({"id": 1, "username": "ann", "email": "ann@example.com", "posts": []}));

        let body = json!({"title": "Hi", "content": "...", "user_id": 1, "tags": ["rust", "orm"]});
        let (status, post) = send(http.post(at("/posts")).json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        assert_eq!((&post["id"], &post["title"], &post["content"], &post["user_id"]), (&json!(1), &json!("Hi"), &json!("..."), &json!(1)));
        assert_eq!(post["tags"], json!([{"id": 1, "name": "rust"}, {"id": 2, "name": "orm"}]));
        // an existing tag is linked, not created again
        let (_, second) = send(http.post(at("/posts")).json(&json!({"title": "Again", "content": "", "user_id": 1, "tags": ["orm", "web"]}))).await;
        // (PostgreSQL's sequence moves on for an ignored insert: the new tag's id may skip one)
        let names = |tags: &Value| tags.as_array().unwrap().iter().map(|t| t["name"].clone()).collect::<Vec<_>>();
        assert_eq!(names(&second["tags"]), [json!("orm"), json!("web")]);
        assert_eq!(second["tags"][0]["id"], post["tags"][1]["id"], "the same `orm` tag");

        let (status, user) = send(http.get(at("/users/1"))).await;
        assert_eq!(status, StatusCode::OK);
        let titles: Vec<_> = user["posts"].as_array().unwrap().iter().map(|p| p["title"].clone()).collect();
        assert_eq!(titles, [json!("Hi"), json!("Again")]);
        assert_eq!(user["posts"][1]["tags"], second["tags"]);

        // errors: JSON, with the status that says what went wrong
        let (status, err) = send(http.post(at("/users")).json(&json!({"username": "ann", "email": "other@example.com"}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{err}");
        let constraint = err["constraint"].as_str().unwrap();
        assert!(constraint == "user_username_key" || constraint == "UNIQUE (username)", "{err}");
        assert_eq!(send(http.get(at("/users/99"))).await, (StatusCode::NOT_FOUND, json!({"error": "no user has id 99"})));
        assert_eq!(send(http.delete(at("/users/99"))).await.0, StatusCode::NOT_FOUND);
        let (status, err) = send(http.post(at("/posts")).json(&json!({"title": "x", "content": "", "user_id": 42}))).await;
        assert_eq!((status, err["error"].as_str()), (StatusCode::NOT_FOUND, Some("no user has id 42")));
        let (status, err) = send(http.post(at("/users")).header("content-type", "application/json").body("{not json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert!(err["error"].as_str().is_some());
        let (status, err) = send(http.post(at("/users")).json(&json!({"username": "bob"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert!(err["error"].as_str().unwrap().contains("missing field `email`"), "{err}");

        // 200 concurrent requests: 50 users, each with a post, read back and some deleted
        let started = Instant::now();
        let mut tasks = Vec::new();
        for i in 0..50 {
            let (http, base) = (http.clone(), server.base.clone());
            tasks.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                let (s, user) = send(http.post(format!("{base}/users")).json(&json!({"username": format!("u{i}"), "email": format!("u{i}@x.org")}))).await;
                statuses.push(s);
                let id = user["id"].as_i64().unwrap_or_else(|| panic!("{user}"));
                let post = json!({"title": format!("p{i}"), "content": "c", "user_id": id, "tags": ["shared", format!("t{}", i % 5)]});
                statuses.push(send(http.post(format!("{base}/posts")).json(&post)).await.0);
                let (s, read) = send(http.get(format!("{base}/users/{id}"))).await;
                statuses.push(s);
                assert_eq!(read["posts"].as_array().map(Vec::len), Some(1), "{read}");
                let del = if i % 2 == 0 { http.delete(format!("{base}/users/{id}")) } else { http.get(format!("{base}/users/{id}")) };
                statuses.push(send(del).await.0);
                statuses
            }));
        }
        let mut answered = 0;
        for t in tasks {
            for s in t.await.unwrap() {
                assert!(s.is_success(), "{s}");
                answered += 1;
            }
        }
        let wall = started.elapsed();
        assert_eq!(answered, 200);
        println!("{}: 200 concurrent requests answered in {wall:?}", if current() == Backend::Sqlite { "SQLite" } else { "PostgreSQL" });

    });
    drop(server);
    // the database as the service left it, read with the test's own connection
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM \"user\""), 1 + 25);
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM post"), 2 + 25);
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM tag"), 3 + 1 + 5);
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM post_tags"), 4 + 50);
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM post WHERE user_id NOT IN (SELECT id FROM \"user\")"), 0);
}

// the service is the async code here: each backend once, not again under `run_async`
#[test]
fn on_sqlite() {
    common::backends::run(Backend::Sqlite, "blog_api", the_service_answers_every_route_and_200_concurrent_requests);
}

#[test]
fn on_postgres() {
    common::backends::run(Backend::Postgres, "blog_api", the_service_answers_every_route_and_200_concurrent_requests);
}
