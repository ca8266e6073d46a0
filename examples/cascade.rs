//! The tutorial's cascade section: `cascade='all, delete-orphan'` on a user's posts. A post
//! taken out of `posts` is deleted (delete-orphan); deleting a user deletes its posts first.

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    // Cascade delete - when user is deleted, all their posts are deleted too
    #[has_many(Post, inverse = author, cascade = "all, delete-orphan")]
    posts: HasMany<Post>,
}

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[column(len = 100)]
    title: String,
    #[column(text)]
    content: String,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn post(title: &str, content: &str) -> Post {
    Post { title: title.into(), content: content.into(), ..Default::default() }
}

fn main() -> Result<()> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    report(&db)
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(User, Post)>()?;

    // new posts in a new user's collection are saved with it (save-update)
    let mut john = User { username: "john_doe".into(), ..Default::default() };
    john.posts.push(post("First Post", "Hello World!"));
    john.posts.push(post("Flask Tips", "Flask is awesome!"));
    let jane = User {
        username: "jane_smith".into(),
        posts: vec![post("Jane One", "first"), post("Jane Two", "second")].into(),
        ..Default::default()
    };
    let [john, jane]: [User; 2] = db.add_all([john, jane])?.try_into().expect("two users");

    // delete-orphan: a post taken out of john.posts is DELETEd (without delete-orphan it
    // would be unhooked, and `post.user_id` is NOT NULL, so that would be an error)
    let first = Post::query(db).filter_by(Post::title, "First Post").one()?;
    john.posts(db).remove(&first)?;

    // delete cascade: deleting jane deletes her posts first, in one transaction
    jane.delete(db)?;
    Ok(())
}

fn report(db: &Db) -> Result<()> {
    let users: Vec<String> = User::query(db).order_by(User::id).all()?.into_iter().map(|u| u.username).collect();
    println!("Users: {}", users.join(", "));
    for post in Post::query(db).order_by(Post::id).all()? {
        println!("Post: {} by {}", post.title, post.author(db).load()?.username);
    }
    println!("Post count: {}", Post::query(db).count()?);
    Ok(())
}
