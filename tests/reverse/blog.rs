//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, HasOne, ManyToMany, Model};

/// The `user` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    #[column(unique, len = 80)]
    pub username: String,
    #[column(unique, len = 120)]
    pub email: String,
    #[has_one(UserProfile, inverse = user)]
    pub user_profile: HasOne<UserProfile>,
    #[has_many(Post, inverse = user)]
    pub posts: HasMany<Post>,
    #[has_many(Comment, inverse = user)]
    pub comments: HasMany<Comment>,
}

/// The `tag` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tag {
    pub id: i64,
    #[column(unique, len = 50)]
    pub name: String,
}

/// The `user_profile` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct UserProfile {
    pub id: i64,
    #[column(text)]
    pub bio: Option<String>,
    #[column(len = 200)]
    pub website: Option<String>,
    #[belongs_to(User, unique, inverse = user_profile)]
    pub user: BelongsTo<User>,
}

/// The `post` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    #[column(len = 120)]
    pub title: String,
    #[column(text)]
    pub content: String,
    pub created_at: Option<relations::chrono::NaiveDateTime>,
    #[belongs_to(User, inverse = posts)]
    pub user: BelongsTo<User>,
    #[has_many(Comment, inverse = post)]
    pub comments: HasMany<Comment>,
    #[many_to_many(Tag, through = post_tags, local = "post_id", remote = "tag_id", backref = posts)]
    pub tags: ManyToMany<Tag>,
}

/// The `comment` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: i64,
    #[column(text)]
    pub content: String,
    pub created_at: Option<relations::chrono::NaiveDateTime>,
    #[belongs_to(Post, inverse = comments)]
    pub post: BelongsTo<Post>,
    #[belongs_to(User, inverse = comments)]
    pub user: BelongsTo<User>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(User, Tag, UserProfile, Post, Comment)>()?;
    Ok(())
}
