//! The models in `tests/reverse/` are what `codegen::models` writes today from the fixtures'
//! schemas (`tests/behaviour/reverse.rs` compiles them and checks what they create).

use crate::common;

use relations::codegen;

const NAMES: [&str; 17] = [
    "author_book",
    "back_populates",
    "blog",
    "cascade",
    "composite",
    "constraints",
    "ecommerce",
    "edge_cases",
    "lazy_joined",
    "library",
    "many_to_many",
    "n_plus_one",
    "one_to_many",
    "one_to_one",
    "self_referential",
    "shop21",
    "social",
];

/// `RELATIONS_BLESS=1 cargo test --test behaviour reverse_sources::` writes the sources anew.
#[test]
fn the_generated_models_are_what_the_generator_writes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for name in NAMES {
        let source = codegen::models(&common::fixture_schema(name));
        let path = root.join(format!("tests/reverse/{name}.rs"));
        if std::env::var_os("RELATIONS_BLESS").is_some() {
            std::fs::write(&path, &source).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "stale generated models (RELATIONS_BLESS=1 rewrites them): {stale:?}");
}

/// What no model can hold is said in the source, never dropped silently: a table without a
/// primary key, a foreign key to columns other than a key.
#[test]
fn what_models_cannot_hold_is_written_down() {
    let conn = relations::rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE log (message TEXT);
         CREATE TABLE shop (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
         CREATE TABLE item (id INTEGER PRIMARY KEY, shop_code TEXT REFERENCES shop (code));
         CREATE TABLE node (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES node (id));",
    )
    .unwrap();
    let source = codegen::models(&relations::Db::from_connection(conn).unwrap().inspect().unwrap());
    assert!(source.contains("// Not written: `log` has no primary key"), "{source}");
    assert!(!source.contains("pub struct Log"), "{source}");
    // a NOT NULL self-reference, which no `self_ref` (always nullable) holds
    assert!(source.contains("    /// `FOREIGN KEY` to `node(id)` in the database, which no relationship here declares.\n    pub parent_id: i64,"), "{source}");
    assert!(source.contains("    /// `FOREIGN KEY` to `shop(code)` in the database, which no relationship here declares.\n    #[column(text)]\n    pub shop_code: Option<String>,"), "{source}");
}
