#![doc = include_str!("../README.md")]

pub use relations_derive::Model;
pub use relations_runtime::*;

#[doc(hidden)]
pub mod __private {
    pub use relations_runtime::private::*;
}
