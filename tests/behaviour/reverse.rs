//! Reverse engineering: the models written from the 13 Flask-SQLAlchemy databases and the
//! 21-table schema compile (they are modules of this test; `tests/behaviour/reverse_sources.rs` checks
//! they are what the generator writes today), and their `create_all` reproduces the original
//! schema, on both backends.

use crate::common;

use relations::migrate::{diff, Renames};
use relations::Db;

use crate::reverse_generated as generated;

type CreateAll = fn(&Db) -> relations::Result<()>;

const SCHEMAS: [(&str, CreateAll); 17] = [
    ("author_book", generated::author_book::create_all),
    ("back_populates", generated::back_populates::create_all),
    ("blog", generated::blog::create_all),
    ("cascade", generated::cascade::create_all),
    ("composite", generated::composite::create_all),
    ("constraints", generated::constraints::create_all),
    ("ecommerce", generated::ecommerce::create_all),
    ("edge_cases", generated::edge_cases::create_all),
    ("lazy_joined", generated::lazy_joined::create_all),
    ("library", generated::library::create_all),
    ("many_to_many", generated::many_to_many::create_all),
    ("n_plus_one", generated::n_plus_one::create_all),
    ("one_to_many", generated::one_to_many::create_all),
    ("one_to_one", generated::one_to_one::create_all),
    ("self_referential", generated::self_referential::create_all),
    ("shop21", generated::shop21::create_all),
    ("social", generated::social::create_all),
];

fn create_all_reproduces_each_original_schema() {
    for (name, create_all) in SCHEMAS {
        let db = common::fresh();
        // as this database stores the same declarations (MariaDB: VARCHAR(255) for VARCHAR)
        let original = db.dialect().stored(&common::fixture_schema(name));
        create_all(&db).unwrap();
        let made = db.inspect().unwrap();
        let d = diff(&original, &made, &Renames::none()).unwrap();
        assert!(d.is_empty(), "{name}: {:#?}", d.changes);
    }
}

both_backends!(create_all_reproduces_each_original_schema);

/// The same databases created on PostgreSQL by SQLAlchemy's own DDL read back into the same
/// models, word for word — but the `check` conditions, which read back in PostgreSQL's own
/// spelling (`length((sku)::text) > 2`) and after the table's other constraints.
#[test]
fn postgresql_databases_read_back_as_the_same_models() {
    common::backends::run(common::backends::Backend::Postgres, "reverse_postgresql", || {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut different = Vec::new();
        for (name, _) in SCHEMAS.iter().filter(|(n, _)| !["shop21", "edge_cases"].contains(n)) {
            let db = common::fresh();
            common::raw(
                &db,
                &std::fs::read_to_string(root.join(format!("tests/fixtures/sqlalchemy/{name}.postgresql.sql")))
                    .unwrap(),
            );
            let source = relations::codegen::models(&db.inspect().unwrap());
            let without_checks =
                |s: &str| s.lines().filter(|l| !l.starts_with("    check(")).collect::<Vec<_>>().join("\n");
            let expected = std::fs::read_to_string(root.join(format!("tests/reverse/{name}.rs"))).unwrap();
            let checks = |s: &str| s.lines().filter(|l| l.starts_with("    check(")).count();
            if without_checks(&expected) != without_checks(&source) || checks(&expected) != checks(&source) {
                std::fs::write(std::env::temp_dir().join(format!("{name}.pg.rs")), &source).unwrap();
                different.push(*name);
            }
        }
        assert!(
            different.is_empty(),
            "read back otherwise from PostgreSQL (see the temp dir's <name>.pg.rs): {different:?}"
        );
    });
}
