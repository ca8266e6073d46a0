//! The tutorial's lazy loading options: `posts` declared `lazy='joined'`, so loading a user
//! loads its posts in the same statement (`LEFT OUTER JOIN`).
//!
//! `RUST_LOG=relations::sql=debug cargo run --example lazy_joined` shows each statement.

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    // load posts along with the user in a single query
    #[has_many(Post, inverse = author, lazy = "joined")]
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
    let new_user = db.add(User { username: "john_doe".into(), ..Default::default() })?;
    let post1 = Post {
        title: "First Post".into(),
        content: "Hello World!".into(),
        author: BelongsTo::to(&new_user),
        ..Default::default()
    };
    let post2 = Post {
        title: "Flask Tips".into(),
        content: "Flask is awesome!".into(),
        author: BelongsTo::to(&new_user),
        ..Default::default()
    };
    db.add_all([post1, post2])?;
    Ok(())
}

fn read_back(db: &Db) -> Result<()> {
    // one SELECT: user LEFT OUTER JOIN post (the LIMIT that `one()` adds goes into a subquery,
    // so that the collection is not cut short)
    let (john, sql) = db.record(|| User::query(db).filter_by(User::username, "john_doe").one());
    let john = john?;
    // served from what the join loaded: no statement
    for post in john.posts(db).load()? {
        println!("Title: {}, Content: {}", post.title, post.content);
    }
    eprintln!("-- the user and its posts: {} statement(s)", sql.len());

    // many-to-one, lazy select: one SELECT for the post, one for its author (whose posts
    // come along, joined)
    let post = Post::query(db).filter_by(Post::title, "Flask Tips").one()?;
    println!("Author: {}", post.author(db).load()?.username);
    Ok(())
}
