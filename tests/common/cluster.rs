//! A throwaway PostgreSQL server for the tests that need one to fail: a cluster made by the
//! installed server's `initdb` in a temporary directory, started by `pg_ctl` on a free port,
//! restarted, stopped, its sessions terminated or frozen, and removed when the test ends. The
//! shared test server is never touched.
//!
//! Without the server binaries (`/usr/lib/postgresql/<version>/bin`, or `RELATIONS_PG_BIN`),
//! [`Cluster::start`] returns `None` and the test says it is skipped, unless
//! `RELATIONS_REQUIRE_POSTGRES=1` (set by `.ci/run`) makes that a failure. As root, the
//! server's commands run as the `postgres` user, who owns the directory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A running throwaway cluster; stopped and removed when dropped.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

/// The directory of the installed server's programs, if there is one.
fn server_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("RELATIONS_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    versions.sort_by_key(|p| {
        p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program` of the server, run as the `postgres` user when the tests run as root (the server
/// refuses to run as root).
fn server_command(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(command: &mut Command, what: &str) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port()
}

/// A directory of the tests', readable by the server's user.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("relations-pg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    if is_root() {
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir), "chown");
    }
    dir
}

impl Cluster {
    /// A new cluster, started; `None` (with the reason printed) without the server's programs.
    pub fn start(test: &str) -> Option<Cluster> {
        let Some(bin) = server_bin() else {
            let required = std::env::var_os("RELATIONS_REQUIRE_POSTGRES").is_some_and(|v| v != "0");
            assert!(!required, "RELATIONS_REQUIRE_POSTGRES is set, but no PostgreSQL server programs are installed");
            println!("skipped {test}: no PostgreSQL server programs (initdb, pg_ctl) installed");
            return None;
        };
        let dir = scratch(test).join("data");
        let mut initdb = server_command(&bin, "initdb");
        initdb.args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C", "-D"]).arg(&dir);
        run(&mut initdb, "initdb");
        let cluster = Cluster { dir, bin, port: free_port() };
        cluster.start_server();
        Some(cluster)
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut c = server_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(&self.dir).args(["-w", "-t", "60"]).args(args);
        c
    }

    fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=60",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        let mut c = self.pg_ctl(&["-o", &options, "-l"]);
        c.arg(&log).arg("start");
        run(&mut c, "pg_ctl start");
    }

    /// The URL of database `database` (`postgres` always exists) on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server (fast: sessions are ended, each told so).
    pub fn stop(&self) {
        run(&mut self.pg_ctl(&["-m", "fast", "stop"]), "pg_ctl stop");
    }

    /// Starts the stopped server again, on the same port, and returns when it accepts
    /// connections.
    pub fn start_again(&self) -> Instant {
        self.start_server();
        Instant::now()
    }

    /// Stops and starts the server; returns when it accepts connections again.
    pub fn restart(&self) -> Instant {
        self.stop();
        self.start_again()
    }

    /// Ends every client session but the one asking (`pg_terminate_backend`): each is told
    /// `FATAL: terminating connection due to administrator command` and closed. Returns how
    /// many there were, once they are gone.
    pub fn terminate_sessions(&self) -> i64 {
        terminate_sessions(&self.url("postgres"))
    }

    /// The server processes of the client sessions of `database`.
    pub fn session_pids(&self, database: &str) -> Vec<i32> {
        let admin = relations::Db::connect(&self.url("postgres")).expect("the throwaway server");
        let pg = admin.driver::<relations::tokio_postgres::Client>().unwrap();
        // named, so that an earlier look's session, whose server process may not have exited
        // yet, is not counted either
        pg.batch_execute("SET application_name = 'relations_tests_look'").expect("name the session");
        let sql = "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = $1 \
                   AND application_name <> 'relations_tests_look'";
        pg.query(sql, &[&database]).expect("sessions").iter().map(|r| r.get(0)).collect()
    }

    /// Creates database `name` on this server.
    pub fn create_database(&self, name: &str) {
        let admin = relations::Db::connect(&self.url("postgres")).expect("the throwaway server");
        admin
            .driver::<relations::tokio_postgres::Client>()
            .unwrap()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
    }
}

/// [`Cluster::terminate_sessions`] of the server at `url`, from any thread that may block.
pub fn terminate_sessions(url: &str) -> i64 {
    let admin = relations::Db::connect(url).expect("the throwaway server");
    let pg = admin.driver::<relations::tokio_postgres::Client>().unwrap();
    let others = "pid <> pg_backend_pid() AND backend_type = 'client backend'";
    let sql = format!("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {others}");
    let ended: i64 = pg.query_one(&sql, &[]).expect("terminate").get(0);
    // the server ends them a moment later
    let left = format!("SELECT count(*) FROM pg_stat_activity WHERE {others}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while pg.query_one(&left, &[]).expect("sessions").get::<_, i64>(0) > 0 {
        assert!(Instant::now() < deadline, "terminated sessions still there after 10 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    ended
}

/// Sends `signal` (`STOP`, `CONT`) to a server process; after `STOP`, returns once every
/// thread of it has stopped (`kill` returns when the signal is sent, not when it has taken
/// effect: a statement sent at once could still be answered by a thread not yet stopped).
pub fn signal(pid: i32, signal: &str) {
    run(Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()), "kill");
    if signal == "STOP" {
        wait_stopped(pid);
    }
}

/// Waits (at most 5 s) until every thread of process `pid` is stopped (`T` in `/proc`).
pub fn wait_stopped(pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    let stopped = || {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return true };
        tasks.flatten().all(|t| {
            let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
            // `pid (name) S ...`: the state follows the name's closing parenthesis
            stat.rsplit_once(") ").is_none_or(|(_, rest)| rest.starts_with('T') || rest.starts_with('t'))
        })
    };
    while !stopped() {
        assert!(Instant::now() < deadline, "process {pid} not stopped 5 s after SIGSTOP");
        std::thread::sleep(Duration::from_millis(5));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "stop"]).output();
        if let Some(root) = self.dir.parent() {
            let _ = std::fs::remove_dir_all(root);
        }
    }
}

/// How long `f` took, with what it returned.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}
