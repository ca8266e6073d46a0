//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, ManyToMany, Model};

/// The `user` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    #[column(unique, len = 64)]
    pub username: String,
    #[has_many(Post, inverse = user)]
    pub posts: HasMany<Post>,
    #[many_to_many(User, through = follows, local = "follower_id", remote = "followed_id", backref = followers)]
    pub followed: ManyToMany<User>,
}

/// The `post` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    #[column(len = 140)]
    pub body: String,
    #[column(index)]
    pub timestamp: Option<relations::chrono::NaiveDateTime>,
    #[belongs_to(User, inverse = posts)]
    pub user: BelongsTo<User>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(User, Post)>()?;
    Ok(())
}
