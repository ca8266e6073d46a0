#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

#[doc = include_str!("../docs/attributes.md")]
pub use relations_derive::{FromRow, Model, Owner, SqlEnum};
pub use relations_runtime::*;

/// What the derive's generated code calls. Not a public API: the facade pins the derive
/// crate's exact version, so the two always match.
#[doc(hidden)]
pub mod __private {
    pub use relations_runtime::private::*;
}
