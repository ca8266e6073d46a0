//! Every behavioural test, in one binary: a module per subject, each test run on each backend
//! and mode from one body (`both_backends!` in `common/backends.rs`), as
//! `<subject>::sync_sqlite::<test>`, `sync_postgres`, `sync_mariadb`, `async_sqlite`,
//! `async_postgres` and `async_mariadb`. One binary links the crate and its dependencies once;
//! a filter picks the part to run: `cargo test --test behaviour loading::` (one subject),
//! `sync_postgres::` (one backend and mode), `loading::sync_sqlite::` (both). `streaming` is a
//! binary of its own: it measures the heap of the whole process, with an allocator of its own.

// `#[macro_use]`: `both_backends!` is used by the modules declared after it
#[macro_use]
#[path = "../common/mod.rs"]
mod common;

// the generated sources are checked as written (`reverse_sources`); `reverse` compiles them
#[rustfmt::skip]
#[path = "../reverse"]
mod reverse_generated {
    pub mod author_book;
    pub mod back_populates;
    pub mod blog;
    pub mod cascade;
    pub mod composite;
    pub mod constraints;
    pub mod ecommerce;
    pub mod edge_cases;
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

mod async_api;
mod cascade;
mod catalog;
mod column_types;
mod concurrency;
mod core;
mod create_all;
mod crud;
mod deferred;
mod echo;
mod erd;
mod errors;
mod hooks;
mod hostile;
mod link_models;
mod loading;
mod many_to_one_orphans;
mod migrations;
mod model_based;
mod plans;
mod queries;
mod relationships;
mod reverse;
mod reverse_sources;
mod rules;
mod schema;
mod serde;
mod soft_delete;
mod tenancy;
mod transactions;
mod validators;
mod versions;
mod writes;
