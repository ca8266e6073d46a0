//! A model-based property test: random sequences of create, link, unlink, reassign, update,
//! replace and delete over the blog's models (with the cascades the tutorial recommends), each
//! step checked against a plain in-memory model of what the database should hold: every
//! accessor agrees, refusals leave everything unchanged, and `PRAGMA foreign_key_check` is
//! empty.
//!
//! 1,000 cases by default on SQLite and a sixteenth of them on PostgreSQL (each case there is a
//! new schema on the server); `PROPTEST_CASES=<n>` runs more (or fewer).

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::backends::Backend;
use proptest::prelude::*;
use relations::{BelongsTo, Db, Error, HasMany, HasOne, ManyToMany, Model};

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    #[has_many(Post, inverse = author, cascade = "all, delete-orphan")]
    posts: HasMany<Post>,
    #[has_one(UserProfile, inverse = user, cascade = "all, delete-orphan")]
    profile: HasOne<UserProfile>,
    // the tutorial's User.comments: no cascade, so a user who commented cannot be deleted
    #[has_many(Comment, inverse = user)]
    comments: HasMany<Comment>,
}

#[derive(Model, Debug)]
struct UserProfile {
    id: i64,
    #[column(text)]
    bio: String,
    #[belongs_to(User, unique, inverse = profile)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[column(len = 100)]
    title: String,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
    #[has_many(Comment, inverse = post, cascade = "all, delete-orphan")]
    comments: HasMany<Comment>,
    #[many_to_many(Tag, through = post_tags, backref = posts)]
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug)]
struct Comment {
    id: i64,
    #[column(text)]
    content: String,
    #[belongs_to(Post, inverse = comments)]
    post: BelongsTo<Post>,
    #[belongs_to(User, inverse = comments)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug, Clone)]
struct Tag {
    id: i64,
    #[column(unique, len = 50)]
    name: String,
}

/// One step. Indexes pick among the rows that exist (modulo their number).
#[derive(Debug, Clone)]
enum Op {
    CreateUser,
    CreatePost { user: usize, comments: u8 },
    CreateComment { post: usize, user: usize },
    CreateTag,
    Link { post: usize, tag: usize },
    Unlink { post: usize, tag: usize },
    Reassign { post: usize, user: usize },
    Retitle { post: usize, title: String },
    SetProfile { user: usize, bio: String },
    RemovePost { user: usize, post: usize },
    RemoveComment { post: usize, comment: usize },
    DeleteUser { user: usize },
    DeletePost { post: usize },
    DeleteTag { tag: usize },
    DeleteComment { comment: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let i = || 0..8usize;
    prop_oneof![
        3 => Just(Op::CreateUser),
        4 => (i(), 0..3u8).prop_map(|(user, comments)| Op::CreatePost { user, comments }),
        3 => (i(), i()).prop_map(|(post, user)| Op::CreateComment { post, user }),
        2 => Just(Op::CreateTag),
        4 => (i(), i()).prop_map(|(post, tag)| Op::Link { post, tag }),
        2 => (i(), i()).prop_map(|(post, tag)| Op::Unlink { post, tag }),
        2 => (i(), i()).prop_map(|(post, user)| Op::Reassign { post, user }),
        2 => (i(), "[a-z' ;]{0,12}").prop_map(|(post, title)| Op::Retitle { post, title }),
        2 => (i(), "[a-z]{0,8}").prop_map(|(user, bio)| Op::SetProfile { user, bio }),
        2 => (i(), i()).prop_map(|(user, post)| Op::RemovePost { user, post }),
        1 => (i(), i()).prop_map(|(post, comment)| Op::RemoveComment { post, comment }),
        2 => i().prop_map(|user| Op::DeleteUser { user }),
        2 => i().prop_map(|post| Op::DeletePost { post }),
        1 => i().prop_map(|tag| Op::DeleteTag { tag }),
        1 => i().prop_map(|comment| Op::DeleteComment { comment }),
    ]
}

/// What the database should hold.
#[derive(Debug, Clone, Default, PartialEq)]
struct World {
    users: BTreeMap<i64, String>,
    /// profile id → (user, bio)
    profiles: BTreeMap<i64, (i64, String)>,
    /// post id → (title, author)
    posts: BTreeMap<i64, (String, i64)>,
    /// comment id → (post, user)
    comments: BTreeMap<i64, (i64, i64)>,
    tags: BTreeMap<i64, String>,
    links: BTreeSet<(i64, i64)>,
}

fn pick(keys: impl Iterator<Item = i64>, i: usize) -> Option<i64> {
    let keys: Vec<i64> = keys.collect();
    (!keys.is_empty()).then(|| keys[i % keys.len()])
}

impl World {
    fn user(&self, i: usize) -> Option<i64> {
        pick(self.users.keys().copied(), i)
    }
    fn post(&self, i: usize) -> Option<i64> {
        pick(self.posts.keys().copied(), i)
    }
    fn tag(&self, i: usize) -> Option<i64> {
        pick(self.tags.keys().copied(), i)
    }
    fn comment(&self, i: usize) -> Option<i64> {
        pick(self.comments.keys().copied(), i)
    }

    /// Deletes a post and what cascades from it: its comments and its links.
    fn delete_post(&mut self, post: i64) {
        self.posts.remove(&post);
        self.comments.retain(|_, (p, _)| *p != post);
        self.links.retain(|(p, _)| *p != post);
    }

    /// Deletes a user as the cascades say, or `false` (nothing changed) when a comment of the
    /// user's on someone else's post still references it.
    fn delete_user(&mut self, user: i64) -> bool {
        let mut after = self.clone();
        let posts: Vec<i64> = after.posts.iter().filter(|(_, (_, a))| *a == user).map(|(id, _)| *id).collect();
        for p in posts {
            after.delete_post(p);
        }
        after.profiles.retain(|_, (u, _)| *u != user);
        if after.comments.values().any(|(_, u)| *u == user) {
            return false;
        }
        after.users.remove(&user);
        *self = after;
        true
    }
}

/// Applies `op` to the database and to the world; checks the outcome's shape.
fn step(db: &Db, world: &mut World, op: &Op, n: &mut u32) -> Result<(), TestCaseError> {
    *n += 1;
    match op.clone() {
        Op::CreateUser => {
            let u = db.add(User { username: format!("user{n}"), ..Default::default() }).unwrap();
            world.users.insert(u.id, u.username);
        }
        Op::CreatePost { user, comments } => {
            let Some(author) = world.user(user) else { return Ok(()) };
            let comments: HasMany<Comment> = (0..comments)
                .map(|c| Comment { content: format!("c{c}"), user: BelongsTo::from_key(author), ..Default::default() })
                .collect();
            let p =
                Post { title: format!("post{n}"), author: BelongsTo::from_key(author), comments, ..Default::default() };
            let p = db.add(p).unwrap();
            world.posts.insert(p.id, (p.title.clone(), author));
            for c in p.comments.loaded().unwrap() {
                world.comments.insert(c.id, (p.id, author));
            }
        }
        Op::CreateComment { post, user } => {
            let (Some(post), Some(user)) = (world.post(post), world.user(user)) else { return Ok(()) };
            let c = Comment {
                content: "hi".into(),
                post: BelongsTo::from_key(post),
                user: BelongsTo::from_key(user),
                ..Default::default()
            };
            let c = db.add(c).unwrap();
            world.comments.insert(c.id, (post, user));
        }
        Op::CreateTag => {
            let t = db.add(Tag { name: format!("tag{n}"), ..Default::default() }).unwrap();
            world.tags.insert(t.id, t.name);
        }
        Op::Link { post, tag } => {
            let (Some(post), Some(tag)) = (world.post(post), world.tag(tag)) else { return Ok(()) };
            let p = Post::get(db, post).unwrap().unwrap();
            let t = Tag::get(db, tag).unwrap().unwrap();
            let result = p.tags(db).add(&t);
            if world.links.insert((post, tag)) {
                prop_assert!(result.is_ok(), "{result:?}");
            } else {
                prop_assert!(matches!(result, Err(Error::UniqueViolation { .. })), "{result:?}");
            }
        }
        Op::Unlink { post, tag } => {
            let (Some(post), Some(tag)) = (world.post(post), world.tag(tag)) else { return Ok(()) };
            let p = Post::get(db, post).unwrap().unwrap();
            let t = Tag::get(db, tag).unwrap().unwrap();
            prop_assert_eq!(p.tags(db).remove(&t).unwrap(), world.links.remove(&(post, tag)));
        }
        Op::Reassign { post, user } => {
            let (Some(post), Some(user)) = (world.post(post), world.user(user)) else { return Ok(()) };
            let mut p = Post::get(db, post).unwrap().unwrap();
            p.author.set_key(user);
            p.update(db).unwrap();
            world.posts.get_mut(&post).unwrap().1 = user;
        }
        Op::Retitle { post, title } => {
            let Some(post) = world.post(post) else { return Ok(()) };
            let mut p = Post::get(db, post).unwrap().unwrap();
            p.title = title.clone();
            p.save(db).unwrap();
            world.posts.get_mut(&post).unwrap().0 = title;
        }
        Op::SetProfile { user, bio } => {
            let Some(user) = world.user(user) else { return Ok(()) };
            let u = User::get(db, user).unwrap().unwrap();
            let mut profile = UserProfile { bio: bio.clone(), ..Default::default() };
            u.profile(db).set(&mut profile).unwrap();
            world.profiles.retain(|_, (owner, _)| *owner != user);
            world.profiles.insert(profile.id, (user, bio));
        }
        Op::RemovePost { user, post } => {
            let (Some(user), Some(post)) = (world.user(user), world.post(post)) else { return Ok(()) };
            let u = User::get(db, user).unwrap().unwrap();
            let p = Post::get(db, post).unwrap().unwrap();
            let ours = world.posts[&post].1 == user;
            prop_assert_eq!(u.posts(db).remove(&p).unwrap(), ours);
            if ours {
                world.delete_post(post); // delete-orphan
            }
        }
        Op::RemoveComment { post, comment } => {
            let (Some(post), Some(comment)) = (world.post(post), world.comment(comment)) else { return Ok(()) };
            let p = Post::get(db, post).unwrap().unwrap();
            let c = Comment::get(db, comment).unwrap().unwrap();
            let ours = world.comments[&comment].0 == post;
            prop_assert_eq!(p.comments(db).remove(&c).unwrap(), ours);
            if ours {
                world.comments.remove(&comment);
            }
        }
        Op::DeleteUser { user } => {
            let Some(user) = world.user(user) else { return Ok(()) };
            let u = User::get(db, user).unwrap().unwrap();
            let result = u.delete(db);
            if world.delete_user(user) {
                prop_assert!(matches!(result, Ok(true)), "{result:?}");
            } else {
                prop_assert!(
                    matches!(&result, Err(Error::Referenced { table: "user", by, .. }) if by == "comment.user_id"),
                    "{result:?}"
                );
            }
        }
        Op::DeletePost { post } => {
            let Some(post) = world.post(post) else { return Ok(()) };
            prop_assert!(Post::get(db, post).unwrap().unwrap().delete(db).unwrap());
            world.delete_post(post);
        }
        Op::DeleteTag { tag } => {
            let Some(tag) = world.tag(tag) else { return Ok(()) };
            prop_assert!(Tag::get(db, tag).unwrap().unwrap().delete(db).unwrap());
            world.tags.remove(&tag);
            world.links.retain(|(_, t)| *t != tag);
        }
        Op::DeleteComment { comment } => {
            let Some(comment) = world.comment(comment) else { return Ok(()) };
            prop_assert!(Comment::get(db, comment).unwrap().unwrap().delete(db).unwrap());
            world.comments.remove(&comment);
        }
    }
    Ok(())
}

fn ids<M: Model<Key = i64>>(rows: Vec<M>) -> Vec<i64> {
    let mut v: Vec<i64> = rows.iter().map(Model::key).collect();
    v.sort_unstable();
    v
}

/// Everything the accessors say equals the world.
fn check(db: &Db, world: &World) -> Result<(), TestCaseError> {
    let users = User::query(db).order_by(User::id).all().unwrap();
    prop_assert_eq!(users.iter().map(|u| (u.id, u.username.clone())).collect::<BTreeMap<_, _>>(), world.users.clone());
    for u in &users {
        let posts: Vec<i64> = world.posts.iter().filter(|(_, (_, a))| *a == u.id).map(|(id, _)| *id).collect();
        prop_assert_eq!(ids(u.posts(db).all().unwrap()), posts);
        let comments: Vec<i64> = world.comments.iter().filter(|(_, (_, by))| *by == u.id).map(|(id, _)| *id).collect();
        prop_assert_eq!(ids(u.comments(db).all().unwrap()), comments);
        let profile =
            world.profiles.iter().find(|(_, (owner, _))| *owner == u.id).map(|(id, (_, bio))| (*id, bio.clone()));
        prop_assert_eq!(u.profile(db).get().unwrap().map(|p| (p.id, p.bio)), profile);
    }
    let profiles = UserProfile::all(db).unwrap();
    prop_assert_eq!(profiles.len(), world.profiles.len());
    let posts = Post::all(db).unwrap();
    prop_assert_eq!(
        posts.iter().map(|p| (p.id, (p.title.clone(), *p.author.key()))).collect::<BTreeMap<_, _>>(),
        world.posts.clone()
    );
    for p in &posts {
        prop_assert_eq!(&p.author(db).load().unwrap().username, &world.users[p.author.key()]);
        let comments: Vec<i64> =
            world.comments.iter().filter(|(_, (post, _))| *post == p.id).map(|(id, _)| *id).collect();
        prop_assert_eq!(ids(p.comments(db).all().unwrap()), comments);
        let tags: Vec<i64> = world.links.iter().filter(|(post, _)| *post == p.id).map(|(_, t)| *t).collect();
        prop_assert_eq!(ids(p.tags(db).all().unwrap()), tags);
    }
    let comments = Comment::all(db).unwrap();
    prop_assert_eq!(
        comments.iter().map(|c| (c.id, (*c.post.key(), *c.user.key()))).collect::<BTreeMap<_, _>>(),
        world.comments.clone()
    );
    let tags = Tag::all(db).unwrap();
    prop_assert_eq!(tags.iter().map(|t| (t.id, t.name.clone())).collect::<BTreeMap<_, _>>(), world.tags.clone());
    for t in &tags {
        let posts: Vec<i64> = world.links.iter().filter(|(_, tag)| *tag == t.id).map(|(p, _)| *p).collect();
        prop_assert_eq!(ids(t.posts(db).all().unwrap()), posts);
    }
    let broken = common::foreign_key_violations(db);
    prop_assert!(broken == 0, "foreign_key_check: {broken} rows");
    prop_assert!(common::no_transaction_open(db), "a transaction was left open");
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

/// One case: the steps on a new database of `backend`, each checked.
fn case(backend: Backend, ops: &[Op]) -> Result<(), TestCaseError> {
    if !common::backends::use_backend(backend, "every_accessor_agrees_with_the_model_after_every_step") {
        return Ok(());
    }
    let db = common::fresh();
    db.create_all::<(User, UserProfile, Post, Comment, Tag)>().unwrap();
    let mut world = World::default();
    let mut n = 0;
    for op in ops {
        step(&db, &mut world, op, &mut n)?;
        check(&db, &world)?;
    }
    Ok(())
}

mod sync_sqlite {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

        #[test]
        fn every_accessor_agrees_with_the_model_after_every_step(ops in prop::collection::vec(op(), 1..40)) {
            case(Backend::Sqlite, &ops)?;
        }
    }
}

mod sync_postgres {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: (cases() / 16).max(1), ..ProptestConfig::default() })]

        #[test]
        fn every_accessor_agrees_with_the_model_after_every_step(ops in prop::collection::vec(op(), 1..40)) {
            case(Backend::Postgres, &ops)?;
        }
    }
}
