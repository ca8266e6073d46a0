//! ER diagrams: the blog's Mermaid in `docs/schema.md` is current, its DOT renders with
//! Graphviz, and a live database draws with what its keys say.

use crate::common;

use common::{Comment, Post, Tag, User, UserProfile};
use relations::erd::Diagram;

type Blog = (User, UserProfile, Post, Comment, Tag);

/// `RELATIONS_BLESS=1 cargo test --test behaviour erd::` rewrites `docs/schema.md`.
#[test]
fn docs_schema_md_shows_the_blog_as_declared() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema.md");
    let text = format!(
        "# The blog's schema\n\n\
         The models of `tests/common/mod.rs`, drawn by `relations::erd::Diagram::of` (kept current by\n\
         `tests/behaviour/erd.rs`: `RELATIONS_BLESS=1 cargo test --test behaviour erd::` rewrites this file).\n\n\
         ```mermaid\n{}```\n",
        Diagram::of::<Blog>().mermaid()
    );
    if std::env::var_os("RELATIONS_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "docs/schema.md is stale");
}

#[test]
fn links_carry_cardinality_names_cascades_and_loading() {
    let mermaid = Diagram::of::<Blog>().mermaid();
    for line in [
        "    user ||--o{ post : \"posts / author\"",
        "    user ||--o| user_profile : \"profile / user\"",
        "    post }o--o{ tag : \"tags through post_tags\"",
        "        INTEGER id PK",
        "        VARCHAR(80) username UK",
        "        INTEGER user_id FK",
    ] {
        assert!(mermaid.lines().any(|l| l == line), "no {line:?} in\n{mermaid}");
    }
    // declared cascades and loading defaults are part of the label
    #[derive(relations::Model, Debug)]
    struct Shelf {
        id: i64,
        #[has_many(Book, inverse = shelf, cascade = "all, delete-orphan", lazy = "selectin")]
        books: relations::HasMany<Book>,
    }
    #[derive(relations::Model, Debug)]
    struct Book {
        id: i64,
        #[belongs_to(Shelf, inverse = books)]
        shelf: relations::BelongsTo<Shelf>,
    }
    let mermaid = Diagram::of::<(Shelf, Book)>().mermaid();
    assert!(
        mermaid.contains("shelf ||--o{ book : \"books (cascade all, delete-orphan; lazy selectin) / shelf\""),
        "{mermaid}"
    );
}

fn a_live_database_draws_from_its_keys() {
    let db = common::db();
    let d = Diagram::from_catalog(&db.inspect().unwrap());
    let mermaid = d.mermaid();
    for line in [
        "    user ||--o{ post : \"user_id\"",
        "    user ||--o| user_profile : \"user_id\"",
        "    post }o--o{ tag : \"through post_tags\"",
    ] {
        assert!(mermaid.lines().any(|l| l == line), "no {line:?} in\n{mermaid}");
    }
    assert!(d.dot().contains("\"comment\" -> \"post\" [label=\"post_id\", taillabel=\"*\", headlabel=\"1\"];"));
}

both_backends!(a_live_database_draws_from_its_keys);

/// Needs Graphviz's `dot` (Debian's `graphviz`, which CI installs); without it the test says so
/// and passes, unless `RELATIONS_REQUIRE_GRAPHVIZ` is set.
#[test]
fn the_blog_renders_to_png_with_graphviz() {
    let dir = std::env::temp_dir().join(format!("relations-erd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (dot_file, png) = (dir.join("blog.dot"), dir.join("blog.png"));
    std::fs::write(&dot_file, Diagram::of::<Blog>().dot()).unwrap();
    let run = std::process::Command::new("dot").arg("-Tpng").arg(&dot_file).arg("-o").arg(&png).output();
    match run {
        Err(e) if std::env::var_os("RELATIONS_REQUIRE_GRAPHVIZ").is_none() => {
            eprintln!("skipped: Graphviz's `dot` cannot run ({e}); install graphviz");
            return;
        }
        Err(e) => panic!("Graphviz's `dot` cannot run: {e}"),
        Ok(out) => assert!(out.status.success(), "dot failed: {}", String::from_utf8_lossy(&out.stderr)),
    }
    let image = std::fs::read(&png).unwrap();
    assert!(image.starts_with(b"\x89PNG\r\n\x1a\n") && image.len() > 1000, "{} bytes", image.len());
    std::fs::remove_dir_all(&dir).unwrap();
}
