//! Reverse engineering: the models written from the 13 Flask-SQLAlchemy databases and the
//! 21-table schema compile (they are modules of this test; `tests/reverse_sources.rs` checks
//! they are what the generator writes today), and their `create_all` reproduces the original
//! schema, on both backends.

mod common;

use relations::migrate::{diff, Renames};
use relations::Db;

// the generated sources are checked as written (tests/reverse_sources.rs)
#[rustfmt::skip]
#[path = "reverse"]
mod generated {
    pub mod author_book;
    pub mod back_populates;
    pub mod blog;
    pub mod cascade;
    pub mod composite;
    pub mod constraints;
    pub mod ecommerce;
    pub mod lazy_joined;
    pub mod library;
    pub mod many_to_many;
    pub mod n_plus_one;
    pub mod one_to_many;
    pub mod one_to_one;
    pub mod self_referential;
    pub mod shop21;
    pub mod social;
}

type CreateAll = fn(&Db) -> relations::Result<()>;

const SCHEMAS: [(&str, CreateAll); 16] = [
    ("author_book", generated::author_book::create_all),
    ("back_populates", generated::back_populates::create_all),
    ("blog", generated::blog::create_all),
    ("cascade", generated::cascade::create_all),
    ("composite", generated::composite::create_all),
    ("constraints", generated::constraints::create_all),
    ("ecommerce", generated::ecommerce::create_all),
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
        let original = common::fixture_schema(name);
        let db = common::fresh();
        create_all(&db).unwrap();
        let made = db.inspect().unwrap();
        let d = diff(&original, &made, &Renames::none());
        assert!(d.is_empty(), "{name}: {:#?}", d.changes);
    }
}

both_backends!(create_all_reproduces_each_original_schema);
