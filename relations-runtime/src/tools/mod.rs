//! The schema tools: reading a live database's schema (`inspect`), the difference between it
//! and the models and the migrations that close it (`migrate`), models written from a schema
//! (`codegen`) and diagrams (`erd`).

#[cfg(feature = "tools")]
pub mod codegen;
#[cfg(feature = "tools")]
pub mod erd;
pub(crate) mod inspect;
#[cfg(feature = "migrate")]
pub mod migrate;
