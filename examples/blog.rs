//! The tutorial's real-world application: a blog with users, profiles, posts, comments and tags.

mod common;

use relations::chrono::NaiveDateTime;
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
    // one-to-one relationship with UserProfile
    #[has_one(UserProfile, inverse = user)]
    profile: HasOne<UserProfile>,
}

#[derive(Model, Debug)]
struct UserProfile {
    id: i64,
    #[column(text)]
    bio: Option<String>,
    #[column(len = 200)]
    website: Option<String>,
    #[belongs_to(User, unique)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[column(len = 120)]
    title: String,
    #[column(text)]
    content: String,
    #[column(default = now)]
    created_at: Option<NaiveDateTime>,
    #[belongs_to(User)]
    author: BelongsTo<User>,
    // one-to-many relationship with comments
    #[has_many(Comment, inverse = post)]
    comments: HasMany<Comment>,
    // many-to-many relationship with tags, through `post_tags`
    #[many_to_many(Tag, through = post_tags, backref = posts)]
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug)]
struct Comment {
    id: i64,
    #[column(text)]
    content: String,
    #[column(default = now)]
    created_at: Option<NaiveDateTime>,
    #[belongs_to(Post)]
    post: BelongsTo<Post>,
    // many-to-one relationship with user; `User::comments` is generated as a query
    #[belongs_to(User, backref = comments)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug)]
struct Tag {
    id: i64,
    #[column(unique, len = 50)]
    name: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    read_back(&db)
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(User, UserProfile, Post, Comment, Tag)>()?;

    // Create a user with profile
    let user = db.add(User { username: "blogger".into(), email: common::SEED_EMAIL.into(), ..Default::default() })?;
    db.add(UserProfile {
        bio: Some("Passionate tech blogger".into()),
        website: Some("https://techblog.com".into()),
        user: BelongsTo::to(&user),
        ..Default::default()
    })?;

    // Create tags
    let tags =
        db.add_all(["Flask", "SQLAlchemy", "Python"].map(|name| Tag { name: name.into(), ..Default::default() }))?;

    // Create a post with tags
    let post = db.add(Post {
        title: "Understanding SQLAlchemy Relationships".into(),
        content: "SQLAlchemy provides powerful relationship management...".into(),
        author: BelongsTo::to(&user),
        ..Default::default()
    })?;
    post.tags(db).extend(&tags)?;

    // Add a comment to the post
    db.add(Comment {
        content: "Great post! Very helpful.".into(),
        post: BelongsTo::to(&post),
        user: BelongsTo::to(&user),
        ..Default::default()
    })?;
    Ok(())
}

fn read_back(db: &Db) -> Result<(), Box<dyn std::error::Error>> {
    let user = User::query(db).filter_by(User::username, "blogger").one()?;

    // Query for posts with a specific tag
    let flask_posts = Tag::query(db).filter_by(Tag::name, "Flask").one()?.posts(db).all()?;
    println!("Posts tagged with 'Flask': {}", flask_posts.len());

    // Find all comments on a user's posts
    let first_post = user.posts(db).first()?.ok_or("blogger has no post")?;
    let post_comments = first_post.comments(db).all()?;
    println!("Comments on first post: {}", post_comments.len());

    // Find user profile
    let blogger = User::query(db).filter_by(User::username, "blogger").one()?;
    let user_profile = blogger.profile(db).load()?.ok_or("blogger has no profile")?;
    println!("User website: {}", user_profile.website.as_deref().unwrap_or("None"));
    Ok(())
}
