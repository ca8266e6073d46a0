//! `examples/blog_api.rs` as a process, driven over HTTP with reqwest, on a SQLite file and on
//! a PostgreSQL schema: every route and its JSON errors, then a few thousand mixed requests
//! from 200 clients at once (`examples/load`) with no 5xx, a clean exit on SIGINT, and the
//! database checked: every 201 a row, every 204 a whole cascade, no orphan.

mod common;
#[path = "../examples/load/mod.rs"]
mod load;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    /// What it writes on stderr, collected by a thread.
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Sends SIGINT and waits at most `limit` for the process to exit; returns how it exited.
    fn interrupt(&mut self, limit: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the service did not exit within {limit:?} of SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
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
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (pipe, collected) = (child.stderr.take().unwrap(), stderr.clone());
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut all = collected.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base =
        line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("not listening: {line:?}")).to_string();
    Server { child, base, stderr }
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

/// The requests of the load, and how long they may take at most (a debug build, on 2 cores).
const LOAD_REQUESTS: usize = 3000;
const LOAD_CLIENTS: usize = 200;
const LOAD_DEADLINE: Duration = Duration::from_secs(240);

fn the_service_answers_every_route_and_a_load_of_mixed_requests() {
    // one backend's load at a time: two services and 400 clients at once would measure this
    // machine's two cores, not the service
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let db = database();
    let mut server = start(db.url());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let report = rt.block_on(async {
        let http = reqwest::Client::new();
        let at = |path: &str| format!("{}{path}", server.base);

        // a new user: its collections are known empty, its profile absent
        let (status, ann) = send(http.post(at("/users")).json(&json!({"username": "ann", "email": "ann@example.com"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{ann}");
        assert_eq!(
            ann,
            json!({"id": 1, "username": "ann", "email": "ann@example.com", "posts": [], "profile": null, "comments": []})
        );

        // each tag once, however often it is given
        let body = json!({"title": "Hi", "content": "...", "user_id": 1, "tags": ["rust", "orm", "rust"]});
        let (status, post) = send(http.post(at("/posts")).json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        assert_eq!((&post["id"], &post["title"], &post["content"], &post["user_id"]), (&json!(1), &json!("Hi"), &json!("..."), &json!(1)));
        assert_eq!(post["tags"], json!([{"id": 1, "name": "rust"}, {"id": 2, "name": "orm"}]));
        assert_eq!(post["comments"], json!([]));
        // an existing tag is linked, not created again
        let (_, second) = send(http.post(at("/posts")).json(&json!({"title": "Again", "content": "", "user_id": 1, "tags": ["orm", "web"]}))).await;
        // (PostgreSQL's sequence moves on for an ignored insert: the new tag's id may skip one)
        let names = |tags: &Value| tags.as_array().unwrap().iter().map(|t| t["name"].clone()).collect::<Vec<_>>();
        assert_eq!(names(&second["tags"]), [json!("orm"), json!("web")]);
        assert_eq!(second["tags"][0]["id"], post["tags"][1]["id"], "the same `orm` tag");
        // a post without tags says so
        let (status, bare) = send(http.post(at("/posts")).json(&json!({"title": "Bare", "content": "", "user_id": 1}))).await;
        assert_eq!((status, &bare["tags"]), (StatusCode::CREATED, &json!([])), "{bare}");
        let (status, comment) = send(http.post(at("/posts/1/comments")).json(&json!({"content": "first!", "user_id": 1}))).await;
        assert_eq!((status, &comment["post_id"], &comment["user_id"]), (StatusCode::CREATED, &json!(1), &json!(1)), "{comment}");

        let (status, user) = send(http.get(at("/users/1"))).await;
        assert_eq!(status, StatusCode::OK);
        let titles: Vec<_> = user["posts"].as_array().unwrap().iter().map(|p| p["title"].clone()).collect();
        assert_eq!(titles, [json!("Hi"), json!("Again"), json!("Bare")]);
        assert_eq!(user["posts"][1]["tags"], second["tags"]);

        // a client sets the fields of the input, nothing else: no id, no rows of others
        for body in [
            json!({"id": 7, "username": "eve", "email": "eve@example.com"}),
            json!({"username": "eve", "email": "eve@example.com", "posts": [{"id": 1, "title": "mine now", "content": ""}]}),
        ] {
            let (status, err) = send(http.post(at("/users")).json(&body)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
            assert!(err["error"].as_str().unwrap().contains("unknown field"), "{err}");
        }
        assert_eq!(send(http.get(at("/users/1"))).await.1["posts"][0]["title"], json!("Hi"), "post 1 is still ann's");

        // errors: JSON, with the status that says what went wrong
        let (status, err) = send(http.post(at("/users")).json(&json!({"username": "ann", "email": "other@example.com"}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{err}");
        let constraint = err["constraint"].as_str().unwrap();
        assert!(constraint == "user_username_key" || constraint == "UNIQUE (username)", "{err}");
        assert_eq!(send(http.get(at("/users/99"))).await, (StatusCode::NOT_FOUND, json!({"error": "no user has id 99"})));
        assert_eq!(send(http.delete(at("/users/99"))).await.0, StatusCode::NOT_FOUND);
        let (status, err) = send(http.post(at("/posts")).json(&json!({"title": "x", "content": "", "user_id": 42}))).await;
        assert_eq!((status, err["error"].as_str()), (StatusCode::NOT_FOUND, Some("no user has id 42")));
        let (status, err) = send(http.post(at("/posts/77/comments")).json(&json!({"content": "x", "user_id": 1}))).await;
        assert_eq!((status, err["error"].as_str()), (StatusCode::NOT_FOUND, Some("no post has id 77")));
        let (status, err) = send(http.post(at("/users")).header("content-type", "application/json").body("{not json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert!(err["error"].as_str().is_some());
        let (status, err) = send(http.post(at("/users")).json(&json!({"username": "bob"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert!(err["error"].as_str().unwrap().contains("missing field `email`"), "{err}");
        // a value its column cannot hold: 422 naming the column, on both databases
        let (status, err) = send(http.post(at("/users")).json(&json!({"username": "b".repeat(81), "email": "b@x.org"}))).await;
        assert_eq!((status, &err["column"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("user.username")), "{err}");
        let (status, err) = send(http.post(at("/users")).json(&json!({"username": "nul\u{0}", "email": "n@x.org"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        // a bad path, an unknown route, a wrong method, a body too large: JSON too
        let (status, err) = send(http.get(at("/users/abc"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert!(err["error"].as_str().is_some(), "{err}");
        assert_eq!(send(http.get(at("/nowhere"))).await, (StatusCode::NOT_FOUND, json!({"error": "no route for GET /nowhere"})));
        assert_eq!(
            send(http.put(at("/users/1"))).await,
            (StatusCode::METHOD_NOT_ALLOWED, json!({"error": "/users/1 does not take PUT"}))
        );
        let huge = json!({"title": "x".repeat(100_000), "content": "", "user_id": 1});
        let (status, err) = send(http.post(at("/posts")).json(&huge)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
        assert!(err["error"].as_str().is_some(), "{err}");

        // the load: a few thousand mixed requests from 200 clients at once
        load::run(&server.base, LOAD_REQUESTS, LOAD_CLIENTS, LOAD_DEADLINE).await
    });
    println!("{}: {}", if current() == Backend::Sqlite { "SQLite" } else { "PostgreSQL" }, report.summary());
    assert!(report.requests() >= LOAD_REQUESTS, "{}", report.summary());
    assert_eq!(report.server_errors(), 0, "{:?}", &report.problems[..report.problems.len().min(10)]);
    assert!(report.problems.is_empty(), "{:?}", &report.problems[..report.problems.len().min(10)]);
    assert!(report.deleted.len() * 3 >= report.users.len(), "half the sessions delete their user");

    // SIGINT: the requests in flight finish, the pool closes, the process exits 0
    let status = server.interrupt(Duration::from_secs(20));
    assert!(status.success(), "the service exited with {status}: {}", server.stderr());
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());

    // the database as the service left it, read with a connection of the test's own
    let wrong = load::check(db.url(), &report);
    assert!(wrong.is_empty(), "{} things wrong, the first: {:?}", wrong.len(), &wrong[..wrong.len().min(10)]);
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM \"user\" WHERE username = 'ann'"), 1);
    assert_eq!(common::scalar(&db, "SELECT count(*) FROM post_tags WHERE post_id = 1"), 2);
}

// the service is the async code here: each backend once, not again under `run_async`
#[test]
fn on_sqlite() {
    common::backends::run(Backend::Sqlite, "blog_api", the_service_answers_every_route_and_a_load_of_mixed_requests);
}

#[test]
fn on_postgres() {
    common::backends::run(Backend::Postgres, "blog_api", the_service_answers_every_route_and_a_load_of_mixed_requests);
}
