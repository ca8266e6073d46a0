//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, Model};

/// The `user` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    #[column(unique, len = 80)]
    pub username: String,
    #[column(unique, len = 120)]
    pub email: String,
    #[has_many(Post, inverse = user)]
    pub posts: HasMany<Post>,
}

/// The `post` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    #[column(len = 100)]
    pub title: String,
    #[column(text)]
    pub content: String,
    #[belongs_to(User, inverse = posts)]
    pub user: BelongsTo<User>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(User, Post)>()?;
    Ok(())
}
