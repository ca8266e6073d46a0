//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasOne, Model};

/// The `user` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    #[column(unique, len = 80)]
    pub username: String,
    #[has_one(UserProfile, inverse = user)]
    pub user_profile: HasOne<UserProfile>,
}

/// The `user_profile` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct UserProfile {
    pub id: i64,
    #[column(len = 50)]
    pub first_name: Option<String>,
    #[column(len = 50)]
    pub last_name: Option<String>,
    #[column(text)]
    pub bio: Option<String>,
    #[belongs_to(User, unique, inverse = user_profile)]
    pub user: BelongsTo<User>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(User, UserProfile)>()?;
    Ok(())
}
