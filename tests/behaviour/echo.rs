//! The SQL echo: every statement is one `DEBUG` event on target `relations::sql`, with its
//! parameters. In a test binary of its own, and one test that runs the backends one after the
//! other: tracing caches per-callsite interest globally, so a test thread whose subscriber
//! comes and goes could race another's (it did, once in CI: an async PostgreSQL run saw none
//! of its five events).

use crate::common;

use common::User;
use relations::Model;

fn every_statement_is_echoed_once_with_its_parameters() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let sink = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("relations::sql=debug")
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let db = common::db();
    for name in ["a", "b", "c", "d"] {
        common::user(&db, name);
    }
    let ran = tracing::subscriber::with_default(subscriber, || {
        let (_, sql) = db.record(|| {
            for u in User::query(&db).filter(User::username.ne("nobody")).all().unwrap() {
                u.posts(&db).load().unwrap();
            }
        });
        sql.len()
    });
    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert_eq!(ran, 5);
    assert_eq!(log.lines().count(), 5, "{log}");
    assert!(log.lines().all(|l| l.contains("DEBUG relations::sql: SELECT")), "{log}");
    assert!(log.lines().next().unwrap().contains("params=[Text(\"nobody\")]"), "{log}");
}

/// The body on every backend, sync and async, one at a time.
#[test]
fn every_statement_is_echoed_once_with_its_parameters_on_every_backend() {
    use common::backends::{run, run_async, Backend};
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::Mariadb] {
        run(backend, "echo", every_statement_is_echoed_once_with_its_parameters);
        run_async(backend, "echo", every_statement_is_echoed_once_with_its_parameters);
    }
}
