//! Connections and pools under faults, each on a PostgreSQL server of its own
//! (`common/cluster.rs`) or a MariaDB server of its own (`common/maria_server.rs`): a server
//! restarted under a running sync and async pool (on both), sessions terminated, a session
//! frozen mid-statement (on MariaDB, the whole server), a server that accepts and never answers
//! (on both), a server that is down, and connections dropped inside a tokio runtime. Every wait
//! is bounded; after the server is back, every call succeeds.

#[path = "common/cluster.rs"]
mod cluster;
#[path = "common/maria_server.rs"]
mod maria_server;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cluster::{free_port, timed, Cluster};
use maria_server::MariaServer;
use relations::pool::{AsyncPool, Pool, PoolOptions};
use relations::{AsyncDb, Db, Error, Model};

#[derive(Model, Debug, Clone)]
struct Note {
    id: i64,
    #[column(len = 40)]
    body: String,
}

fn options(max_size: u32) -> PoolOptions {
    PoolOptions {
        max_size,
        checkout_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        ..PoolOptions::default()
    }
}

/// What a call under load returned, and when it started.
struct Outcome {
    started: Instant,
    result: Result<(), String>,
}

/// The outcomes of the calls that started after `back`: there must be some, and all succeeded.
fn all_succeeded_after(outcomes: &[Outcome], back: Instant) {
    let after: Vec<&Outcome> = outcomes.iter().filter(|o| o.started > back).collect();
    assert!(after.len() >= 20, "only {} calls after the server was back", after.len());
    let failed: Vec<&String> = after.iter().filter_map(|o| o.result.as_ref().err()).collect();
    assert!(failed.is_empty(), "{} of {} calls after recovery failed: {failed:?}", failed.len(), after.len());
}

/// The errors of the calls while the server was away are typed: a lost connection, a refused
/// connect, or no connection from the pool — nothing else.
fn failures_are_typed(errors: &[String]) {
    for e in errors {
        assert!(
            e.starts_with("the connection to")
                || e.starts_with("cannot connect to")
                || e.starts_with("no connection from the pool"),
            "an untyped failure: {e}"
        );
    }
}

#[test]
fn a_sync_pool_heals_after_a_restart_under_load() {
    let Some(server) = Cluster::start("sync-restart") else { return };
    sync_pool_heals(&server.url("postgres"), &|| server.restart());
}

#[test]
fn a_sync_pool_heals_after_a_mariadb_restart_under_load() {
    let Some(server) = MariaServer::start("sync-restart") else { return };
    sync_pool_heals(&server.url("test"), &|| server.restart());
}

/// A sync pool on `url` under load from four threads while `restart` restarts its server, then
/// restarted again while it sits idle: every call after the server is back succeeds, the
/// failures in between are typed, and no successful write is lost.
fn sync_pool_heals(url: &str, restart: &dyn Fn() -> Instant) {
    let pool = Pool::connect(url, options(4)).unwrap();
    pool.get().unwrap().create_all::<(Note,)>().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (pool, stop, outcomes) = (pool.clone(), stop.clone(), outcomes.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let result = pool.get().and_then(|db| {
                        db.add(Note { body: format!("w{w}-{i}"), ..Default::default() })?;
                        Note::query(&db).count().map(drop)
                    });
                    outcomes.lock().unwrap().push(Outcome { started, result: result.map_err(|e| e.to_string()) });
                    i += 1;
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let back = restart();
    std::thread::sleep(Duration::from_millis(800));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let outcomes = outcomes.lock().unwrap();
    all_succeeded_after(&outcomes, back);
    failures_are_typed(&outcomes.iter().filter_map(|o| o.result.clone().err()).collect::<Vec<_>>());
    // nothing written was lost: every successful add is a row
    let written = outcomes.iter().filter(|o| o.result.is_ok()).count() as i64;
    let rows = Note::query(&pool.get().unwrap()).count().unwrap();
    assert!(rows >= written, "{rows} rows for {written} successful writes");
    // a restart while the pool sits idle: its connections are found closed before use
    let held: Vec<_> = (0..4).map(|_| pool.get().unwrap()).collect();
    drop(held);
    restart();
    for i in 0..20 {
        let db = pool.get().unwrap();
        db.add(Note { body: format!("after an idle restart {i}"), ..Default::default() }).unwrap();
    }
}

#[test]
fn an_async_pool_heals_after_a_restart_under_load() {
    let Some(server) = Cluster::start("async-restart") else { return };
    async_pool_heals(&server.url("postgres"), &|| server.restart());
}

#[test]
fn an_async_pool_heals_after_a_mariadb_restart_under_load() {
    let Some(server) = MariaServer::start("async-restart") else { return };
    async_pool_heals(&server.url("test"), &|| server.restart());
}

/// [`sync_pool_heals`] for an async pool, from six tasks, half their calls on a connection held
/// for two statements.
fn async_pool_heals(url: &str, restart: &(dyn Fn() -> Instant + Sync)) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let pool = AsyncPool::connect(url, options(4)).await.unwrap();
        pool.run(|db| db.create_all::<(Note,)>()).await.unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let workers: Vec<_> = (0..6)
            .map(|w| {
                let (pool, stop, outcomes) = (pool.clone(), stop.clone(), outcomes.clone());
                tokio::spawn(async move {
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        let body = format!("w{w}-{i}");
                        let result = pool.run(move |db| db.add(Note { body, ..Default::default() }).map(drop)).await;
                        outcomes.lock().unwrap().push(Outcome { started, result: result.map_err(|e| e.to_string()) });
                        // half the calls on a connection held for two statements
                        if let Ok(conn) = pool.get().await {
                            let started = Instant::now();
                            let result = conn.query::<Note>().count().await.map(drop);
                            outcomes
                                .lock()
                                .unwrap()
                                .push(Outcome { started, result: result.map_err(|e| e.to_string()) });
                        }
                        i += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let back = tokio::task::block_in_place(restart);
        tokio::time::sleep(Duration::from_millis(800)).await;
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.await.unwrap();
        }
        {
            let outcomes = outcomes.lock().unwrap();
            all_succeeded_after(&outcomes, back);
            failures_are_typed(&outcomes.iter().filter_map(|o| o.result.clone().err()).collect::<Vec<_>>());
        }
        // a restart while the pool sits idle: its connections are found closed before use
        drop(futures_of_four(&pool).await);
        tokio::task::block_in_place(restart);
        for i in 0..20 {
            let body = format!("after an idle restart {i}");
            pool.run(move |db| db.add(Note { body, ..Default::default() }).map(drop)).await.unwrap();
            pool.get().await.unwrap().query::<Note>().count().await.unwrap();
        }
    });
}

#[test]
fn terminated_sessions_are_never_handed_out() {
    let Some(server) = Cluster::start("terminated") else { return };
    let url = server.url("postgres");
    // sync: four connections open and idle, then their sessions are ended
    let pool = Pool::connect(&url, options(4)).unwrap();
    pool.get().unwrap().create_all::<(Note,)>().unwrap();
    let held: Vec<_> = (0..4).map(|_| pool.get().unwrap()).collect();
    drop(held);
    assert!(server.terminate_sessions() >= 4);
    for i in 0..40 {
        let db = pool.get().unwrap();
        db.add(Note { body: format!("sync {i}"), ..Default::default() }).unwrap();
    }
    // async: the same
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let pool = AsyncPool::connect(&url, options(4)).await.unwrap();
        let held = futures_of_four(&pool).await;
        drop(held);
        let ended = tokio::task::spawn_blocking({
            let url = url.clone();
            move || cluster::terminate_sessions(&url)
        });
        assert!(ended.await.unwrap() >= 4);
        for i in 0..40 {
            let body = format!("async {i}");
            pool.run(move |db| db.add(Note { body, ..Default::default() }).map(drop)).await.unwrap();
            let conn = pool.get().await.unwrap();
            conn.query::<Note>().count().await.unwrap();
        }
    });
    assert_eq!(Note::query(&pool.get().unwrap()).count().unwrap(), 80);
}

async fn futures_of_four(pool: &AsyncPool) -> Vec<AsyncDb> {
    let mut held = Vec::new();
    for _ in 0..4 {
        let conn = pool.get().await.unwrap();
        conn.query::<Note>().count().await.unwrap_or_default();
        held.push(conn);
    }
    held
}

#[test]
fn a_connection_lost_in_a_call_is_discarded_and_typed() {
    let Some(server) = Cluster::start("lost-in-call") else { return };
    let db = Db::connect(&server.url("postgres")).unwrap();
    db.create_all::<(Note,)>().unwrap();
    assert!(!db.is_broken());
    server.terminate_sessions();
    // the goodbye is read without a round trip
    match db.check() {
        Err(Error::ConnectionLost { database, .. }) => assert!(database.contains("127.0.0.1"), "{database}"),
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    assert!(db.is_broken());
    let err = Note::query(&db).count().unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err}");
    // a connection lost inside a transaction: the transaction fails typed, nothing hangs
    let db = Db::connect(&server.url("postgres")).unwrap();
    let err = db
        .transaction(|tx| {
            tx.add(Note { body: "in flight".into(), ..Default::default() })?;
            server.terminate_sessions();
            tx.add(Note { body: "after".into(), ..Default::default() })
        })
        .unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err}");
    assert!(db.is_broken());
    let fresh = Db::connect(&server.url("postgres")).unwrap();
    assert_eq!(Note::query(&fresh).count().unwrap(), 0, "the transaction was rolled back by the server");
}

#[test]
fn a_frozen_session_is_given_up_on_after_the_statement_timeout() {
    let Some(server) = Cluster::start("frozen") else { return };
    let db = Db::connect(&server.url("postgres")).unwrap();
    let freeze = |signal: &str| {
        let pids = server.session_pids("postgres");
        assert_eq!(pids.len(), 1, "{pids:?}");
        cluster::signal(pids[0], signal);
    };
    frozen_is_given_up_on(&db, "SELECT 1 FROM pg_sleep(5)", &freeze);
}

#[test]
fn a_frozen_mariadb_server_is_given_up_on_after_the_statement_timeout() {
    let Some(server) = MariaServer::start("frozen") else { return };
    let db = Db::connect(&server.url("test")).unwrap();
    frozen_is_given_up_on(&db, "SELECT SLEEP(5)", &|signal| server.signal(signal));
    // the timeout is set outside a transaction only, where it opens the connection anew
    let db = Db::connect(&server.url("test")).unwrap();
    let inside = db.transaction(|db| db.set_statement_timeout(Some(Duration::from_secs(1))));
    assert!(matches!(inside, Err(Error::Setting(_))), "{inside:?}");
}

/// Under a statement timeout of 300 ms on `db`: the server ends the `slow` statement itself
/// (typed, and the connection goes on); then, with the session frozen (`signal("STOP")`, until
/// `signal("CONT")`), the client gives up on it within its bound (half the timeout and a second
/// longer), and never uses the connection again.
fn frozen_is_given_up_on(db: &Db, slow: &str, signal: &dyn Fn(&str)) {
    db.set_statement_timeout(Some(Duration::from_millis(300))).unwrap();
    db.create_all::<(Note,)>().unwrap();
    let (slowed, took) = timed(|| db.sql(slow).all::<(i64,)>());
    assert!(matches!(slowed, Err(Error::StatementTimeout { .. })), "{slowed:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(Note::query(db).count().unwrap(), 0);
    assert!(!db.is_broken());
    signal("STOP");
    let (frozen, took) = timed(|| Note::query(db).count());
    signal("CONT");
    assert!(matches!(frozen, Err(Error::StatementTimeout { .. })), "{frozen:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(db.is_broken(), "a connection given up on is never used again");
    assert!(matches!(Note::query(db).count(), Err(Error::ConnectionLost { .. })));
}

/// A TCP server that accepts connections and never says a word.
fn silent_server() -> (u16, Arc<AtomicBool>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let done = Arc::new(AtomicBool::new(false));
    let stop = done.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        while !stop.load(Ordering::Relaxed) {
            if let Ok((socket, _)) = listener.accept() {
                held.push(socket);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    (port, done)
}

#[test]
fn a_server_that_never_answers_is_given_up_on() {
    let (port, done) = silent_server();
    let url = format!("postgresql://postgres@127.0.0.1:{port}/app");
    // the URL's connect_timeout, the default, and the pools' option
    let (r, took) = timed(|| Db::connect(&format!("{url}?connect_timeout=1")));
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e}");
    assert!(e.to_string().contains("did not complete the connection within 1s"), "{e}");
    assert!(took < Duration::from_millis(1800), "{took:?}");
    let (r, took) = timed(|| Db::connect_timeout(&url, Duration::from_millis(400)));
    assert!(matches!(r, Err(Error::Connect { .. })));
    assert!(took < Duration::from_millis(1200), "{took:?}");
    let (r, took) =
        timed(|| Pool::connect(&url, PoolOptions { connect_timeout: Duration::from_millis(400), ..options(2) }));
    assert!(matches!(r, Err(Error::Connect { .. })), "{:?}", r.err());
    assert!(took < Duration::from_millis(1200), "{took:?}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (r, took) = timed(|| {
        rt.block_on(AsyncPool::connect(&url, PoolOptions { connect_timeout: Duration::from_millis(400), ..options(2) }))
    });
    assert!(r.is_err(), "the async pool connected to a silent server");
    assert!(took < Duration::from_millis(2500), "{took:?}");
    let (r, took) = timed(|| rt.block_on(AsyncDb::connect(&format!("{url}?connect_timeout=1"))));
    assert!(matches!(r, Err(Error::Connect { .. })));
    assert!(took < Duration::from_millis(1800), "{took:?}");
    done.store(true, Ordering::Relaxed);
}

#[test]
fn a_mariadb_server_that_never_answers_is_given_up_on() {
    let (port, done) = silent_server();
    let url = format!("mysql://root@127.0.0.1:{port}/app");
    let (r, took) = timed(|| Db::connect(&format!("{url}?connect_timeout=1")));
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e}");
    assert!(e.to_string().contains("did not complete the connection within 1s"), "{e}");
    assert!(took < Duration::from_millis(1800), "{took:?}");
    let (r, took) =
        timed(|| Pool::connect(&url, PoolOptions { connect_timeout: Duration::from_millis(400), ..options(2) }));
    assert!(matches!(r, Err(Error::Connect { .. })), "{:?}", r.err());
    assert!(took < Duration::from_millis(1200), "{took:?}");
    done.store(true, Ordering::Relaxed);
}

#[test]
fn a_server_that_is_down_fails_fast_with_its_cause() {
    let Some(server) = Cluster::start("down") else { return };
    let url = server.url("postgres");
    server.stop();
    // the pool's checkout timeout is 30 s by default: connecting does not wait for it
    let (r, took) = timed(|| Pool::connect(&url, PoolOptions::default()));
    let e = r.unwrap_err();
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(e.to_string().contains("refused"), "{e}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (r, took) = timed(|| rt.block_on(AsyncPool::connect(&url, PoolOptions::default())));
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(r.unwrap_err().to_string().contains("refused"));
    // and back up, the same URL works
    server.start_again();
    Pool::connect(&url, options(2)).unwrap().get().unwrap().check().unwrap();
}

#[test]
fn connect_errors_carry_the_servers_reason() {
    let Some(server) = Cluster::start("reason") else { return };
    let e = Db::connect(&server.url("nc_app")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("cannot connect to {}: database \"nc_app\" does not exist (3D000)", server.url("nc_app"))
    );
    let source = std::error::Error::source(&e).expect("the driver's error is the source");
    assert!(source.to_string().contains("db error"), "{source}");
    let e = Db::connect(&format!("postgresql://ann:s3cret@127.0.0.1:{}/app", free_port())).unwrap_err();
    assert!(!e.to_string().contains("s3cret"), "{e}");
    assert!(e.to_string().contains("refused"), "{e}");
}

#[test]
fn dropping_connections_inside_a_runtime_never_panics() {
    let Some(server) = Cluster::start("drops") else { return };
    let url = server.url("postgres");
    for flavour in ["current_thread", "multi_thread"] {
        let rt = match flavour {
            "current_thread" => tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
            _ => tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap(),
        };
        rt.block_on(async {
            // as in `#[tokio::main]`: opened, used, dropped on the runtime's thread
            let adb = AsyncDb::connect(&url).await.unwrap();
            adb.run(|db| db.sql("SELECT 1").all::<(i64,)>()).await.unwrap();
            drop(adb);
            let pool = AsyncPool::connect(&url, options(3)).await.unwrap();
            let conn = pool.get().await.unwrap();
            conn.run(|db| db.check()).await.unwrap();
            drop(conn);
            drop(pool);
            // inside a task
            let in_task = url.clone();
            tokio::spawn(async move {
                let adb = AsyncDb::connect(&in_task).await.unwrap();
                let pool = AsyncPool::connect(&in_task, options(2)).await.unwrap();
                pool.run(|db| db.check()).await.unwrap();
                drop((adb, pool));
            })
            .await
            .unwrap();
            // a sync connection, dropped inside the runtime
            let db = tokio::task::spawn_blocking({
                let url = url.clone();
                move || Db::connect(&url).unwrap()
            })
            .await
            .unwrap();
            drop(db);
        });
        drop(rt);
    }
    // every connection was closed: only the asking session is left. Each look opens a session
    // of its own and closes it, and the server's process for it can outlive the look: the
    // verdict is the last look's, not a new look racing the previous one's exit
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut open = server.session_pids("postgres");
    while !open.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        open = server.session_pids("postgres");
    }
    assert_eq!(open, Vec::<i32>::new(), "connections left open");
}
