//! The tutorial's one-to-one section: a user and their profile (`uselist=False`, UNIQUE key).

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    // one user has one profile
    #[has_one(UserProfile, inverse = user)]
    profile: HasOne<UserProfile>,
}

#[derive(Model, Debug)]
struct UserProfile {
    id: i64,
    #[column(len = 50)]
    first_name: Option<String>,
    #[column(len = 50)]
    last_name: Option<String>,
    #[column(text)]
    bio: Option<String>,
    // the foreign key connecting to the user: NOT NULL and UNIQUE
    #[belongs_to(User, unique)]
    user: BelongsTo<User>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    read_back(&db)
}

fn fill(db: &Db) -> relations::Result<()> {
    db.create_all::<(User, UserProfile)>()?;

    // Create a user with a profile
    let user = db.add(User { username: "jane_smith".into(), ..Default::default() })?;

    // Create and associate a profile
    db.add(UserProfile {
        first_name: Some("Jane".into()),
        last_name: Some("Smith".into()),
        bio: Some("Software developer and Flask enthusiast".into()),
        user: BelongsTo::to(&user),
        ..Default::default()
    })?;
    Ok(())
}

fn read_back(db: &Db) -> Result<(), Box<dyn std::error::Error>> {
    // Retrieve profile information
    let jane = User::query(db).filter_by(User::username, "jane_smith").one()?;
    let profile = jane.profile(db).load()?.ok_or("jane_smith has no profile")?;
    let name = |n: &Option<String>| n.clone().unwrap_or_default();
    println!("Name: {} {}", name(&profile.first_name), name(&profile.last_name));
    println!("Bio: {}", name(&profile.bio));

    // Find user from profile
    let jane_profile = UserProfile::query(db).filter_by(UserProfile::first_name, "Jane").one()?;
    println!("Username: {}", jane_profile.user(db).load()?.username);
    Ok(())
}
