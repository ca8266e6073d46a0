//! The `relations` binary, run as a process: each command's output, files and exit code.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn relations() -> Command {
    Command::cargo_bin("relations").unwrap()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sqlalchemy").join(name).display().to_string()
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("relations-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn inspect_prints_the_models_and_their_create_all() {
    let source = stdout(relations().arg("inspect").arg(fixture("blog.db")));
    for line in [
        "pub struct User {",
        "    #[column(unique, len = 80)]",
        "    #[has_many(Post, inverse = user)]",
        "    #[belongs_to(User, unique, inverse = user_profile)]",
        "    #[many_to_many(Tag, through = post_tags, local = \"post_id\", remote = \"tag_id\", backref = posts)]",
        "pub fn create_all(db: &relations::Db) -> relations::Result<()> {",
    ] {
        assert!(source.lines().any(|l| l == line), "no {line:?} in\n{source}");
    }
}

#[test]
fn inspect_out_writes_the_file_and_says_so_on_stderr() {
    let dir = temp("inspect");
    let file = dir.join("models.rs");
    let out = relations().arg("inspect").arg(fixture("library.db")).arg("--out").arg(&file).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    // piped, so no progress drawn: stderr is the one summary line
    assert_eq!(String::from_utf8(out.stderr).unwrap(), format!("wrote the models of 5 tables to {}\n", file.display()));
    assert!(std::fs::read_to_string(&file).unwrap().contains("pub struct BookLoan {"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn erd_draws_mermaid_or_dot() {
    let mermaid = stdout(relations().arg("erd").arg(fixture("many_to_many.db")));
    assert!(
        mermaid.starts_with("erDiagram\n") && mermaid.contains("student }o--o{ course : \"through enrollments\""),
        "{mermaid}"
    );
    let dot = stdout(relations().args(["erd", "--format", "dot"]).arg(fixture("many_to_many.db")));
    assert!(
        dot.starts_with("digraph schema {") && dot.contains("\"course\" -> \"student\" [label=\"through enrollments\""),
        "{dot}"
    );
}

#[test]
fn ddl_writes_the_schema_in_either_dialect() {
    let sqlite = stdout(relations().arg("ddl").arg(fixture("blog.db")));
    assert!(sqlite.contains("CREATE TABLE user (\n\tid INTEGER NOT NULL, "), "{sqlite}");
    let pg = stdout(relations().args(["ddl", "--dialect", "postgresql"]).arg(fixture("blog.db")));
    assert!(pg.contains("CREATE TABLE \"user\" (\n\tid SERIAL NOT NULL, "), "{pg}");
    assert!(pg.contains("created_at TIMESTAMP WITHOUT TIME ZONE"), "{pg}");
}

#[test]
fn names_a_model_cannot_declare_are_warned_about() {
    let dir = temp("names");
    let db = dir.join("odd.db");
    let conn = relations::rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE \"order items\" (id INTEGER PRIMARY KEY, \"unit price\" REAL)").unwrap();
    drop(conn);
    let out = relations().arg("inspect").arg(&db).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "warning: table \"order items\" is not a valid model name; rename it in the database, or the models will not compile",
            "warning: column \"order items\".\"unit price\" is not a valid model name; rename it in the database, or the models will not compile",
        ]
    );
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("// Not a valid model name, which the derive refuses: table \"order items\""));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn errors_are_one_line_and_a_failing_exit() {
    for args in [
        vec!["inspect".to_string(), "no/such.db".into()],
        vec!["migrate".into(), "up".into()],
        vec!["migrate".into(), "new".into(), "Bad Name".into(), "--dir".into(), temp("bad").display().to_string()],
        vec!["erd".into(), "postgresql://nobody@127.0.0.1:1/none".into()],
    ] {
        let out = relations().args(&args).env_remove("DATABASE_URL").output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{args:?}: {stderr:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn migrate_new_up_status_down_on_a_sqlite_file() {
    let dir = temp("migrate");
    let (db, migrations) = (dir.join("app.db").display().to_string(), dir.join("migrations"));
    let run = |args: &[&str]| {
        stdout(relations().arg("migrate").args(args).arg("--database").arg(&db).arg("--dir").arg(&migrations))
    };
    let created = PathBuf::from(run(&["new", "add_notes"]).trim());
    std::fs::write(created.join("up.sql"), "CREATE TABLE note (id INTEGER NOT NULL, body TEXT, PRIMARY KEY (id));\n")
        .unwrap();
    std::fs::write(created.join("down.sql"), "DROP TABLE note;\n").unwrap();
    // status and down read a database that exists: a missing file is an error, and stays missing
    for action in ["status", "down"] {
        let out =
            relations().args(["migrate", action, "--database", &db]).arg("--dir").arg(&migrations).output().unwrap();
        assert!(!out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr), format!("error: no SQLite database at `{db}`\n"));
        assert!(!Path::new(&db).exists(), "{action} created {db}");
    }
    assert!(run(&["up"]).starts_with("applied "));
    std::fs::write(created.join("down.sql"), "DROP TABLE note;\n").unwrap();
    assert!(run(&["down"]).starts_with("reverted "));
    assert!(run(&["status"]).contains("_add_notes  pending"));
    assert!(run(&["up"]).starts_with("applied "));
    assert_eq!(run(&["up"]), "nothing to apply\n");
    assert!(run(&["status"]).contains("_add_notes  applied "));
    let models = stdout(relations().arg("inspect").arg(&db));
    assert!(models.contains("pub struct Note {") && !models.contains("relations_migrations"), "{models}");
    // an applied migration edited afterwards: refused, in one line
    std::fs::write(created.join("up.sql"), "CREATE TABLE note (id INTEGER NOT NULL, PRIMARY KEY (id));\n").unwrap();
    let out = relations().args(["migrate", "down", "--database", &db]).arg("--dir").arg(&migrations).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("was edited after it was applied"));
    std::fs::write(created.join("up.sql"), "CREATE TABLE note (id INTEGER NOT NULL, body TEXT, PRIMARY KEY (id));\n")
        .unwrap();
    assert!(run(&["down"]).starts_with("reverted "));
    assert!(run(&["status"]).contains("_add_notes  pending"));
    // a step marked for review: status says so, up refuses it in one line, nothing runs
    let marked = "-- REVIEW: table note is dropped, with every row in it.\nDROP TABLE note;\n";
    std::fs::write(
        created.join("up.sql"),
        format!("{marked}CREATE TABLE note (id INTEGER NOT NULL, PRIMARY KEY (id));\n"),
    )
    .unwrap();
    assert!(run(&["status"]).contains("_add_notes  pending, 1 step(s) to review (`-- REVIEW:` lines in up.sql)"));
    let out = relations().args(["migrate", "up", "--database", &db]).arg("--dir").arg(&migrations).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 step(s) to review"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// On the server database `url`: a migration of two tables (its `up` statements) written with
/// `migrate new` into `dir` and applied, then `inspect` and `erd` checked on it; returns the
/// `migrate` runner, for the test to go on with (and `down`).
fn migrate_up_then_inspect<'a>(url: &'a str, dir: &'a Path, up: &str) -> impl Fn(&[&str]) -> String + 'a {
    let run = move |args: &[&str]| {
        stdout(relations().arg("migrate").args(args).args(["--database", url]).arg("--dir").arg(dir))
    };
    let created = PathBuf::from(run(&["new", "shop"]).trim());
    std::fs::write(created.join("up.sql"), up).unwrap();
    std::fs::write(created.join("down.sql"), "DROP TABLE item; DROP TABLE shop;\n").unwrap();
    assert!(run(&["up"]).starts_with("applied "));
    let models = stdout(relations().arg("inspect").arg(url));
    assert!(models.contains("    #[belongs_to(Shop, on_delete = \"cascade\", inverse = items)]"), "{models}");
    assert!(models.contains("    #[column(unique, len = 80)]"), "{models}");
    let erd = stdout(relations().arg("erd").arg(url));
    assert!(erd.contains("shop ||--o{ item : \"shop_id\""), "{erd}");
    run
}

/// On PostgreSQL: a database of its own, made and dropped by the test.
#[test]
fn inspect_and_migrate_a_postgresql_database() {
    let admin = "host=127.0.0.1 port=5432 user=postgres dbname=test";
    let mut client = match postgres::Client::connect(admin, postgres::NoTls) {
        Ok(c) => c,
        Err(e) if std::env::var_os("RELATIONS_REQUIRE_POSTGRES").is_none() => {
            eprintln!("skipped: no PostgreSQL server ({e})");
            return;
        }
        Err(e) => panic!("no PostgreSQL server: {e}"),
    };
    let name = format!("relations_cli_{}", std::process::id());
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = format!("postgresql://postgres@127.0.0.1:5432/{name}");
    let dir = temp("pg");
    let up = "CREATE TABLE shop (id SERIAL NOT NULL, name VARCHAR(80) NOT NULL, PRIMARY KEY (id), UNIQUE (name));\n\
              CREATE TABLE item (id SERIAL NOT NULL, shop_id INTEGER NOT NULL, PRIMARY KEY (id), \
              FOREIGN KEY(shop_id) REFERENCES shop (id) ON DELETE CASCADE);\n";
    let run = migrate_up_then_inspect(&url, &dir, up);
    assert!(run(&["down"]).starts_with("reverted "));
    drop(client.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")));
    drop(run);
    std::fs::remove_dir_all(dir).unwrap();
}

/// On MariaDB: a database of its own, made and dropped by the test; `ddl` writes it in its own
/// dialect (SQLAlchemy's MariaDB text) unless told another.
#[test]
fn inspect_migrate_and_print_a_mariadb_database() {
    let server = "mysql://root@127.0.0.1:3306/test";
    let admin = match relations::Db::connect(server) {
        Ok(db) => db,
        Err(e) if std::env::var_os("RELATIONS_REQUIRE_MARIADB").is_none() => {
            eprintln!("skipped: no MariaDB server ({e})");
            return;
        }
        Err(e) => panic!("no MariaDB server: {e}"),
    };
    let name = format!("relations_cli_{}", std::process::id());
    admin.sql(format!("DROP DATABASE IF EXISTS {name}")).execute().unwrap();
    admin.sql(format!("CREATE DATABASE {name}")).execute().unwrap();
    let url = format!("mysql://root@127.0.0.1:3306/{name}");
    let dir = temp("mariadb");
    let up = "CREATE TABLE shop (id INTEGER NOT NULL AUTO_INCREMENT, name VARCHAR(80) NOT NULL, PRIMARY KEY (id), UNIQUE (name));\n\
              CREATE TABLE item (id INTEGER NOT NULL AUTO_INCREMENT, shop_id INTEGER NOT NULL, PRIMARY KEY (id), \
              FOREIGN KEY(shop_id) REFERENCES shop (id) ON DELETE CASCADE);\n";
    let run = migrate_up_then_inspect(&url, &dir, up);
    let ddl = stdout(relations().arg("ddl").arg(&url));
    assert!(ddl.contains("CREATE TABLE shop (\n\tid INTEGER NOT NULL AUTO_INCREMENT, \n"), "{ddl}");
    let pg = stdout(relations().args(["ddl", "--dialect", "postgresql"]).arg(&url));
    assert!(pg.contains("CREATE TABLE shop (\n\tid SERIAL NOT NULL, \n"), "{pg}");
    assert!(run(&["down"]).starts_with("reverted "));
    admin.sql(format!("DROP DATABASE {name}")).execute().unwrap();
    drop(run);
    std::fs::remove_dir_all(dir).unwrap();
}

/// `inspect`'s file compiles in a crate whose one dependency is `relations` (default features):
/// the 21-table schema's models, checked by `cargo check` in a crate of their own.
#[test]
fn inspected_models_compile_in_a_crate_that_depends_on_relations_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap();
    let dir = temp("crate");
    let db = dir.join("shop21.db");
    let conn = relations::rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&std::fs::read_to_string(root.join("tests/fixtures/shop21.sql")).unwrap()).unwrap();
    drop(conn);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"shop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nrelations = {{ path = {:?} }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .unwrap();
    // the workspace's lock file: the same versions, all in the local registry already
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let out = relations().arg("inspect").arg(&db).arg("--out").arg(dir.join("src/lib.rs")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let check = std::process::Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline"])
        .current_dir(&dir)
        // a target directory of its own, kept between runs: the outer build's is locked
        .env("CARGO_TARGET_DIR", root.join("target/inspected-crate"))
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the generated crate does not compile:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}
