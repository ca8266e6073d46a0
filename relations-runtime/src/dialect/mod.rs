//! The one seam for SQL text. Everything dialect-specific (quoting and reserved words, DDL
//! spelling, placeholders, `RETURNING`, `LIMIT`/`OFFSET`, how a transaction starts, savepoints,
//! the row id, long `IN` lists, upserts, schema changes, type names read back) lives behind
//! [`Dialect`]: [`Sqlite`],
#![cfg_attr(feature = "postgres", doc = "[`Postgres`]")]
#![cfg_attr(not(feature = "postgres"), doc = "`Postgres`")]
//! with the `postgres` feature, and
#![cfg_attr(feature = "mariadb", doc = "[`MariaDb`] and [`MySql`]")]
#![cfg_attr(not(feature = "mariadb"), doc = "`MariaDb` and `MySql`")]
//! with the `mariadb` feature.

mod common;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;
#[cfg(feature = "migrate")]
pub(crate) use common::ddl::{
    add_column, add_constraint, add_primary_key, copy_rows, create_index, drop_column, drop_index_by_name,
    fill_literal, ident as ddl_ident, rename_column, rename_table,
};
#[cfg(feature = "postgres")]
pub use postgres::Postgres;
pub use sqlite::Sqlite;
#[cfg(feature = "mariadb")]
mod mysql;
#[cfg(feature = "mariadb")]
mod mysql_words;
#[cfg(all(test, feature = "postgres"))]
pub(crate) mod rendering_tests;
#[cfg(feature = "mariadb")]
pub use mysql::{MariaDb, MySql};

#[cfg(feature = "tools")]
pub(crate) use common::reserved_name;
#[cfg(any(feature = "tools", feature = "migrate"))]
pub(crate) use common::type_word;
pub use common::{parse_type, Dialect, Placement, TextTest, Writer};
