//! Practice exercise 3, a social network: users following users (a self-referential
//! many-to-many through `follows`), their posts, and a feed.

mod common;

use relations::chrono::{NaiveDate, NaiveDateTime};
use relations::prelude::*;

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 64)]
    username: String,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
    // who this user follows; `followers` is generated as the other side
    #[many_to_many(User, through = follows, local = follower_id, remote = followed_id, backref = followers)]
    followed: ManyToMany<User>,
}

impl User {
    fn follow(&self, db: &Db, user: &User) -> Result<()> {
        if !self.is_following(db, user)? {
            self.followed(db).add(user)?;
        }
        Ok(())
    }

    fn unfollow(&self, db: &Db, user: &User) -> Result<()> {
        if self.is_following(db, user)? {
            self.followed(db).remove(user)?;
        }
        Ok(())
    }

    fn is_following(&self, db: &Db, user: &User) -> Result<bool> {
        self.followed(db).contains(user)
    }

    /// The posts of the users this user follows, newest first.
    fn followed_posts<'a>(&self, db: &'a Db) -> Query<'a, Post> {
        Post::query(db).filter(Post::user_id.in_subquery(self.followed(db).keys())).order_by(Post::timestamp.desc())
    }
}

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[column(len = 140)]
    body: String,
    #[column(index, default = now)]
    timestamp: Option<NaiveDateTime>,
    #[belongs_to(User)]
    author: BelongsTo<User>,
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(y, mo, d).and_then(|date| date.and_hms_micro_opt(h, mi, s, micro))
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
    let users =
        db.add_all(["alice", "bob", "carol", "dave"].map(|n| User { username: n.into(), ..Default::default() }))?;
    let [alice, bob, carol, dave] = &users[..] else { unreachable!("four users were added") };
    let post = |body: &str, author: &User, timestamp| Post {
        body: body.into(),
        author: BelongsTo::to(author),
        timestamp,
        ..Default::default()
    };
    db.add_all([
        post("hello from bob", bob, at(2024, 1, 1, 10, 0, 0, 0)),
        post("carol here", carol, at(2024, 1, 1, 11, 0, 0, 0)),
        post("bob again", bob, at(2024, 1, 2, 9, 15, 30, 123_456)),
        post("alice says hi", alice, at(2024, 1, 2, 12, 0, 0, 0)),
        post("dave posts", dave, at(2024, 1, 3, 8, 0, 0, 0)),
    ])?;

    alice.follow(db, bob)?;
    alice.follow(db, carol)?;
    alice.follow(db, bob)?; // no-op: already following
    bob.follow(db, alice)?;
    dave.follow(db, alice)?;
    carol.follow(db, dave)?;
    alice.unfollow(db, carol)?;
    Ok(())
}

fn read_back(db: &Db) -> Result<()> {
    let names = |users: Vec<User>| common::join_or_dash(&users.into_iter().map(|u| u.username).collect::<Vec<_>>());
    for user in User::query(db).order_by(User::username).all()? {
        let following = names(user.followed(db).order_by(User::username).all()?);
        let followers = names(user.followers(db).order_by(User::username).all()?);
        println!("{}: following {following}; followers {followers}", user.username);
    }
    let alice = User::query(db).filter_by(User::username, "alice").one()?;
    let bob = User::query(db).filter_by(User::username, "bob").one()?;
    let carol = User::query(db).filter_by(User::username, "carol").one()?;
    println!("alice follows bob: {}", common::py(alice.is_following(db, &bob)?));
    println!("alice follows carol: {}", common::py(alice.is_following(db, &carol)?));
    println!("alice's feed:");
    for post in alice.followed_posts(db).all()? {
        let when = post.timestamp.as_ref().map_or_else(|| "None".to_string(), common::isoformat);
        println!("- [{when}] {}: {}", post.author(db).load()?.username, post.body);
    }
    println!("bob has {} posts", bob.posts(db).count()?);
    Ok(())
}
