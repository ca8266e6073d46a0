//! The models in `tests/reverse/` are what `codegen::models` writes today from the fixtures'
//! schemas (`tests/reverse.rs` compiles them and checks what they create).

mod common;

use relations::codegen;

const NAMES: [&str; 16] = [
    "author_book",
    "back_populates",
    "blog",
    "cascade",
    "composite",
    "constraints",
    "ecommerce",
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

/// `RELATIONS_BLESS=1 cargo test --test reverse_sources` writes the sources anew.
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
