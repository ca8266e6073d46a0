//! The tutorial's N+1 pitfall: a loop that loads each user's posts lazily runs 1 + N
//! statements; `joinedload` runs 1, `selectinload` 2, whatever the number of users.
//!
//! `RUST_LOG=relations::sql=debug cargo run --example n_plus_one` shows each statement on
//! stderr; the counts are printed there too.

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    #[column(unique, len = 120)]
    email: String,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[column(len = 100)]
    title: String,
    #[column(text)]
    content: String,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
}

fn main() -> Result<()> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    read_back(&db)
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(User, Post)>()?;
    let john = User { username: "john_doe".into(), email: common::mail("john"), ..Default::default() };
    let jane = User { username: "jane_smith".into(), email: common::mail("jane"), ..Default::default() };
    let [john, jane] = <[User; 2]>::try_from(db.add_all([john, jane])?).expect("two users");
    db.add_all([
        Post {
            title: "First Post".into(),
            content: "Hello World!".into(),
            author: BelongsTo::to(&john),
            ..Default::default()
        },
        Post {
            title: "Flask Tips".into(),
            content: "Flask is awesome!".into(),
            author: BelongsTo::to(&john),
            ..Default::default()
        },
        Post { title: "Hi".into(), content: "Hi from Jane".into(), author: BelongsTo::to(&jane), ..Default::default() },
    ])?;
    Ok(())
}

fn read_back(db: &Db) -> Result<()> {
    // Inefficient - causes N+1 queries
    let (done, sql) = db.record(|| -> Result<()> {
        let users = User::all(db)?;
        for user in &users {
            println!("{} has {} posts", user.username, user.posts(db).load()?.len());
        }
        Ok(())
    });
    done?;
    eprintln!("-- N+1: {} statements (1 for the users, 1 per user)", sql.len());

    // Better approach - using joined loading
    let (users, sql) = db.record(|| User::query(db).options(joinedload(User::POSTS)).all());
    for user in &users? {
        println!("{} has {} posts", user.username, user.posts(db).load()?.len());
    }
    eprintln!("-- joinedload: {} statement", sql.len());

    // Or selectin loading: one more statement per relationship, whatever the number of users
    let (users, sql) = db.record(|| User::query(db).options(selectinload(User::POSTS)).all());
    for user in &users? {
        eprintln!("{} has {} posts", user.username, user.posts(db).load()?.len());
    }
    eprintln!("-- selectinload: {} statements", sql.len());
    Ok(())
}
