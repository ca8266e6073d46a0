#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

#[doc = include_str!("../docs/attributes.md")]
pub use relations_derive::{FromRow, Model, Owner, SqlEnum};
pub use relations_runtime::*;

/// The names an application uses most, for one glob import: the derive macros, the session
/// ([`Db`], and `AsyncDb` with the `tokio` feature), the [`Model`] trait, the relationship
/// fields, the loading options, [`Result`] and [`Error`].
///
/// ```
/// use relations::prelude::*;
///
/// #[derive(Model, Debug)]
/// struct User {
///     id: i64,
///     #[column(len = 80)]
///     username: String,
///     #[has_many(Post, inverse = author)]
///     posts: HasMany<Post>,
/// }
///
/// #[derive(Model, Debug)]
/// struct Post {
///     id: i64,
///     #[column(len = 100)]
///     title: String,
///     #[belongs_to(User)]
///     author: BelongsTo<User>,
/// }
///
/// fn main() -> Result<()> {
///     let db = Db::open_in_memory()?;
///     db.create_all::<(User, Post)>()?;
///     let ann = db.add(User { username: "ann".into(), ..Default::default() })?;
///     db.add(Post { title: "Hello".into(), author: BelongsTo::to(&ann), ..Default::default() })?;
///     let users = User::query(&db).options(selectinload(User::POSTS)).all()?;
///     assert_eq!(users[0].posts.loaded().map(|p| p.len()), Some(1));
///     Ok(())
/// }
/// ```
pub mod prelude {
    pub use relations_derive::{FromRow, Model, Owner, SqlEnum};
    pub use relations_runtime::prelude::*;
}

/// What the derive's generated code calls. Not a public API: the facade pins the derive
/// crate's exact version, so the two always match.
#[doc(hidden)]
pub mod __private {
    pub use relations_runtime::__private::*;
}
