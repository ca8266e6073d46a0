//! A throwaway MariaDB server for the tests that need one to fail: a data directory made by the
//! installed server's `mariadb-install-db` in a temporary directory, `mariadbd` started on a
//! free port (no grant tables: `root` without a password), restarted, and stopped and removed
//! when the test ends. The shared test server is never touched.
//!
//! Without the server's programs, [`MariaServer::start`] returns `None` and the test says it is
//! skipped, unless `RELATIONS_REQUIRE_MARIADB=1` (set by `.ci/run`) makes that a failure.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::cluster::free_port;

/// A running throwaway server; stopped and removed when dropped.
pub struct MariaServer {
    dir: PathBuf,
    port: u16,
    server: Mutex<Option<Child>>,
}

/// The installed program `name`, if there is one (in `/usr/sbin` or `/usr/bin`).
fn program(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin"].iter().map(|d| PathBuf::from(d).join(name)).find(|p| p.exists())
}

impl MariaServer {
    /// A new server, started, with an empty database `test`; `None` (with the reason printed)
    /// without the server's programs.
    pub fn start(test: &str) -> Option<MariaServer> {
        let (Some(install), Some(_)) = (program("mariadb-install-db"), program("mariadbd")) else {
            let required = std::env::var_os("RELATIONS_REQUIRE_MARIADB").is_some_and(|v| v != "0");
            assert!(!required, "RELATIONS_REQUIRE_MARIADB is set, but no MariaDB server programs are installed");
            println!("skipped {test}: no MariaDB server programs (mariadb-install-db, mariadbd) installed");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("relations-maria-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let out = Command::new(install)
            .args(["--no-defaults", "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"])
            .arg(format!("--datadir={}", dir.join("data").display()))
            .output()
            .expect("mariadb-install-db runs");
        assert!(out.status.success(), "mariadb-install-db failed: {}", String::from_utf8_lossy(&out.stderr));
        let server = MariaServer { dir, port: free_port(), server: Mutex::new(None) };
        server.start_server();
        let admin = relations::Db::connect(&server.url("mysql")).expect("the throwaway server");
        admin.sql("CREATE DATABASE test").execute().expect("create database");
        Some(server)
    }

    /// Starts `mariadbd` and returns when it accepts connections (at most 30 seconds).
    fn start_server(&self) {
        let child = Command::new(program("mariadbd").expect("mariadbd"))
            .args(["--no-defaults", "--user=root", "--bind-address=127.0.0.1", "--skip-grant-tables"])
            .args(["--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M", "--skip-log-bin"])
            .arg(format!("--port={}", self.port))
            .arg(format!("--datadir={}", self.dir.join("data").display()))
            .arg(format!("--socket={}", self.dir.join("sock").display()))
            .arg(format!("--pid-file={}", self.dir.join("pid").display()))
            .arg(format!("--log-error={}", self.dir.join("server.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd starts");
        *self.server.lock().unwrap() = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while relations::Db::connect_timeout(&self.url("mysql"), Duration::from_secs(1)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the throwaway MariaDB server did not start: see {}",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The URL of database `database` (`mysql` and `test` exist) on this server.
    pub fn url(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server (`SIGTERM`: a clean shutdown that ends every session) and waits for it
    /// to exit.
    pub fn stop(&self) {
        if let Some(mut child) = self.server.lock().unwrap().take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }

    /// Sends the server process `signal` (`STOP` freezes it, `CONT` lets it go on).
    pub fn signal(&self, signal: &str) {
        let pid = self.server.lock().unwrap().as_ref().map(Child::id).expect("the server runs");
        let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status();
        assert!(status.is_ok_and(|s| s.success()), "kill -{signal} {pid}");
        if signal == "STOP" {
            super::cluster::wait_stopped(pid as i32);
        }
    }

    /// Stops and starts the server on the same port; returns when it accepts connections again.
    pub fn restart(&self) -> Instant {
        self.stop();
        self.start_server();
        Instant::now()
    }
}

impl Drop for MariaServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.server.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
