//! Backref vs. back_populates: the one-to-many models with the inverse named on both sides.

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    #[column(unique, len = 120)]
    email: String,
    // one user can have many posts; `Post.author` is the other side
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
    // the foreign key `user_id` that connects the post to its author
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

    // Create a new user
    let new_user =
        db.add(User { username: "john_doe".into(), email: common::SEED_EMAIL.into(), ..Default::default() })?;

    // Create posts for the user
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
    // Retrieve all posts by a user
    let john = User::query(db).filter_by(User::username, "john_doe").one()?;
    for post in john.posts(db).load()? {
        println!("Title: {}, Content: {}", post.title, post.content);
    }

    // Find the author of a post
    let post = Post::query(db).filter_by(Post::title, "Flask Tips").one()?;
    println!("Author: {}", post.author(db).load()?.username);
    Ok(())
}
