//! The async API's own methods, on both backends: awaited queries, lazy loads filling a
//! borrowed owner, writes by value, transactions, many tasks on one connection, a dropped
//! future, a panic, and the async pool, as `async_sqlite::`, `async_postgres::` and
//! `async_mariadb::` tests. (Every sync test body also runs through `AsyncDb`: the `async_`
//! halves of `both_backends!`.)

use crate::common;

use std::sync::Arc;

use common::{Comment, Post, Tag, User, UserProfile};
use relations::pool::{AsyncPool, PoolOptions};
use relations::{raiseload, selectinload, AsyncDb, BelongsTo, Error, Model};

type Blog = (User, UserProfile, Post, Comment, Tag);

/// Runs an async test body on `backend`, on a runtime of two workers. Every thread of the
/// runtime, its blocking pool's included, opens `backend`'s databases: the backend a test
/// runs on is the opening thread's, and a body opens its database in `spawn_blocking`.
fn run<F: std::future::Future<Output = ()>>(backend: common::backends::Backend, name: &str, body: fn() -> F) {
    common::backends::run(backend, name, || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .on_thread_start(move || common::backends::set_current(backend))
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(body());
    });
}

macro_rules! both_backends_async {
    ($($name:ident),+ $(,)?) => {
        mod async_sqlite {
            $( #[test] fn $name() { super::run(super::common::backends::Backend::Sqlite, stringify!($name), super::$name); } )+
        }
        mod async_postgres {
            $( #[test] fn $name() { super::run(super::common::backends::Backend::Postgres, stringify!($name), super::$name); } )+
        }
        mod async_mariadb {
            $( #[test] fn $name() { super::run(super::common::backends::Backend::Mariadb, stringify!($name), super::$name); } )+
        }
    };
}

/// The blog's tables in a new database on the current backend, as an `AsyncDb`; the second
/// value keeps a PostgreSQL schema alive.
async fn blog() -> (AsyncDb, common::TestDb) {
    let backend = common::backends::current();
    let (adb, keep) = tokio::task::spawn_blocking(common::fresh).await.unwrap().into_async();
    // the database is the backend's the test is named for, not the blocking thread's default
    let opened = adb.run(|db| Ok::<_, Error>(db.backend_name())).await.unwrap();
    assert!(backend.names(opened), "a {backend:?} test opened a {opened} database");
    adb.create_all::<Blog>().await.unwrap();
    (adb, keep)
}

async fn statements(adb: &AsyncDb) -> u64 {
    adb.run(|db| Ok::<_, Error>(db.statement_count())).await.unwrap()
}

async fn add_user(adb: &AsyncDb, name: &str) -> User {
    adb.add(User { username: name.into(), ..Default::default() }).await.unwrap()
}

async fn queries_are_built_as_on_a_db_and_awaited() {
    let (adb, _keep) = blog().await;
    let ann = add_user(&adb, "ann").await;
    let bob = add_user(&adb, "bob").await;
    for (title, author) in [("a1", &ann), ("a2", &ann), ("b1", &bob)] {
        adb.add(Post { title: title.into(), author: BelongsTo::to(author), ..Default::default() }).await.unwrap();
    }
    assert_eq!(adb.query::<User>().filter_by(User::username, "bob").one().await.unwrap().id, bob.id);
    assert_eq!(adb.query::<Post>().count().await.unwrap(), 3);
    assert!(adb.query::<Post>().filter_by(Post::title, "b1").exists().await.unwrap());
    assert_eq!(adb.query::<Post>().filter_by(Post::title, "zz").first().await.unwrap(), None);
    assert!(matches!(adb.query::<Post>().one().await, Err(Error::MultipleRows { table: "post", .. })));
    let page = adb.query::<Post>().order_by(Post::title.desc()).paginate(1, 2).await.unwrap();
    assert_eq!((page.total, page.items.iter().map(|p| p.title.as_str()).collect::<Vec<_>>()), (3, vec!["b1", "a2"]));
    let titles = adb.query::<Post>().filter(Post::title.like("a%")).run(|q| q.select(Post::title).all()).await.unwrap();
    assert_eq!(titles, ["a1", "a2"]);

    // eager loading: one statement per level, then nothing more to read
    let before = statements(&adb).await;
    let users = adb.query::<User>().options(selectinload(User::POSTS)).all().await.unwrap();
    assert_eq!(statements(&adb).await - before, 2);
    let counts: Vec<usize> = users.iter().map(|u| u.posts.loaded().unwrap().len()).collect();
    assert_eq!(counts, [2, 1]);
    assert_eq!(adb.get::<User>(ann.id).await.unwrap().map(|u| u.username), Some("ann".to_string()));
    assert_eq!(adb.all::<User>().await.unwrap().len(), 2);
    assert_eq!(adb.query::<Post>().filter_by(Post::title, "b1").delete().await.unwrap(), 1);
}

async fn load_fills_the_borrowed_owner_once() {
    let (adb, _keep) = blog().await;
    let ann = add_user(&adb, "ann").await;
    adb.add(UserProfile { website: Some("ann.dev".into()), user: BelongsTo::to(&ann), ..Default::default() })
        .await
        .unwrap();
    let mut post = Post { title: "p".into(), author: BelongsTo::to(&ann), ..Default::default() };
    post.tags.push(Tag { name: "rust".into(), ..Default::default() });
    let post = adb.save(post).await.unwrap();

    let ann = adb.get::<User>(ann.id).await.unwrap().unwrap();
    let before = statements(&adb).await;
    let posts = adb.load(&ann, User::POSTS).await.unwrap();
    assert_eq!(posts.iter().map(|p| p.id).collect::<Vec<_>>(), [post.id]);
    assert_eq!(adb.load(&ann, User::PROFILE).await.unwrap().and_then(|p| p.website.clone()), Some("ann.dev".into()));
    assert_eq!(statements(&adb).await - before, 2, "one statement per relationship");
    // kept in the field: the second load reads nothing, and the sync accessor sees it
    assert_eq!(adb.load(&ann, User::POSTS).await.unwrap().len(), 1);
    assert_eq!(statements(&adb).await - before, 2);
    assert!(ann.posts.loaded().is_some());

    let post = &ann.posts.loaded().unwrap()[0];
    assert_eq!(adb.load(post, Post::AUTHOR).await.unwrap().username, "ann");
    assert_eq!(adb.load(post, Post::TAGS).await.unwrap().iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["rust"]);

    // a to-many relationship as a fresh query, refined and awaited; nothing kept
    let fresh = adb.get::<User>(ann.id).await.unwrap().unwrap();
    assert_eq!(adb.related(&fresh, User::POSTS).filter(Post::title.like("p%")).count().await.unwrap(), 1);
    assert_eq!(adb.related(&fresh, User::POSTS).filter(Post::title.like("x%")).count().await.unwrap(), 0);
    let tags = adb.related(post, Post::TAGS).all().await.unwrap();
    assert_eq!(tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["rust"]);
    assert!(fresh.posts.loaded().is_none());
    let unsaved = User { username: "new".into(), ..Default::default() };
    assert!(!adb.related(&unsaved, User::POSTS).exists().await.unwrap());

    // a relationship refused by `raiseload` is refused here too, without a statement
    let users = adb.query::<User>().options(raiseload(User::POSTS)).all().await.unwrap();
    let before = statements(&adb).await;
    let err = adb.load(&users[0], User::POSTS).await.unwrap_err();
    assert!(matches!(&err, Error::NotLoaded { relationship } if relationship == "user.posts"), "{err}");
    assert_eq!(statements(&adb).await, before);
}

async fn writes_by_value_and_typed_errors() {
    let (adb, _keep) = blog().await;
    let mut ann = add_user(&adb, "ann").await;
    ann.karma = Some(3);
    let ann = adb.update(ann).await.unwrap();
    assert_eq!(adb.get::<User>(ann.id).await.unwrap().unwrap().karma, Some(3));
    let dup = adb.add(User { username: "ann".into(), ..Default::default() }).await.unwrap_err();
    assert!(matches!(&dup, Error::UniqueViolation { table, .. } if table == "user"), "{dup}");
    let post = adb.add(Post { title: "p".into(), author: BelongsTo::to(&ann), ..Default::default() }).await.unwrap();
    adb.add(Comment {
        content: "c".into(),
        post: BelongsTo::to(&post),
        user: BelongsTo::to(&ann),
        ..Default::default()
    })
    .await
    .unwrap();
    // the post's comments keep a NOT NULL key to it: refused, typed, nothing deleted
    let err = adb.delete(post.clone()).await.unwrap_err();
    assert!(matches!(&err, Error::Referenced { .. }), "{err}");
    assert_eq!(adb.query::<Post>().count().await.unwrap(), 1);
    let upserted = adb.upsert(Tag { id: 7, name: "seven".into() }).await.unwrap();
    assert_eq!(adb.get::<Tag>(7).await.unwrap(), Some(upserted));
}

async fn a_failed_transaction_leaves_nothing() {
    let (adb, _keep) = blog().await;
    let result: Result<(), Error> = adb
        .transaction(|db| {
            db.add(User { username: "ann".into(), ..Default::default() })?;
            db.add(User { username: "ann".into(), ..Default::default() })?;
            Ok(())
        })
        .await;
    assert!(matches!(result, Err(Error::UniqueViolation { .. })));
    assert_eq!(adb.query::<User>().count().await.unwrap(), 0);
    let n = adb.transaction_retrying(3, |db| User::query(db).count()).await.unwrap();
    assert_eq!(n, 0);
}

async fn many_tasks_share_one_connection_without_losing_a_write() {
    let (adb, _keep) = blog().await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let adb = adb.clone();
            tokio::spawn(async move {
                let user = add_user(&adb, &format!("user{i}")).await;
                adb.add(Post { title: format!("post{i}"), author: BelongsTo::to(&user), ..Default::default() })
                    .await
                    .unwrap();
                adb.query::<User>().options(selectinload(User::POSTS)).filter_by(User::id, user.id).one().await.unwrap()
            })
        })
        .collect();
    for task in tasks {
        let user = task.await.unwrap();
        assert_eq!(user.posts.loaded().unwrap().len(), 1);
    }
    assert_eq!((adb.query::<User>().count().await.unwrap(), adb.query::<Post>().count().await.unwrap()), (40, 40));

    // loaded models go to other tasks behind an `Arc`, and load there
    let users = Arc::new(adb.all::<User>().await.unwrap());
    let readers: Vec<_> = (0..4)
        .map(|i| {
            let (adb, users) = (adb.clone(), users.clone());
            tokio::spawn(async move { adb.load(&users[i], User::POSTS).await.unwrap().len() })
        })
        .collect();
    for r in readers {
        assert_eq!(r.await.unwrap(), 1);
    }
}

async fn a_dropped_call_still_runs_whole() {
    let (adb, _keep) = blog().await;
    let slow = adb.transaction(|db| {
        db.add(User { username: "first".into(), ..Default::default() })?;
        std::thread::sleep(std::time::Duration::from_millis(200));
        db.add(User { username: "second".into(), ..Default::default() })?;
        Ok::<_, Error>(())
    });
    assert!(tokio::time::timeout(std::time::Duration::from_millis(20), slow).await.is_err(), "the call outlasts 20 ms");
    // the next call waits for the dropped one, which committed both rows
    assert_eq!(adb.query::<User>().count().await.unwrap(), 2);
}

async fn a_panic_reaches_the_caller_and_the_connection_stays() {
    let (adb, _keep) = blog().await;
    let adb2 = adb.clone();
    let joined = tokio::spawn(async move {
        adb2.transaction(|db| {
            db.add(User { username: "ann".into(), ..Default::default() })?;
            if db.backend_name() != "none" {
                panic!("the body panics");
            }
            Ok::<_, Error>(())
        })
        .await
    })
    .await;
    assert!(joined.unwrap_err().is_panic());
    assert_eq!(adb.query::<User>().count().await.unwrap(), 0, "the panicking transaction was rolled back");
    add_user(&adb, "bob").await;
}

async fn the_async_pool_runs_calls_on_several_connections() {
    // a database other connections open too (on SQLite a file: an in-memory one is one
    // connection's)
    let backend = common::backends::current();
    let keep = tokio::task::spawn_blocking(|| {
        let db = common::shared("async-pool");
        db.create_all::<Blog>().unwrap();
        db
    })
    .await
    .unwrap();
    assert!(backend.names(keep.backend_name()), "a {backend:?} test opened a {} database", keep.backend_name());
    let url = keep.url().to_string();
    let pool = AsyncPool::connect(&url, PoolOptions { max_size: 3, ..PoolOptions::default() }).await.unwrap();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.transaction(move |db| db.add(User { username: format!("u{i}"), ..Default::default() }).map(|_| ()))
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let (open, _) = pool.status();
    assert!((1..=3).contains(&open), "{open} connections open");
    let conn = pool.get().await.unwrap();
    assert_eq!(conn.query::<User>().count().await.unwrap(), 30);
    let bad = AsyncPool::connect("postgresql://nobody@127.0.0.1:1/none", PoolOptions::default()).await.unwrap_err();
    assert!(matches!(bad, Error::Connect { .. }), "{bad}");
}

/// `in_place` runs SQLite's calls on the awaiting task's thread, on the same connection the
/// handle's other clones use; a server's connection refuses it.
async fn calls_in_place_run_on_the_awaiting_thread() {
    let (adb, _keep) = blog().await;
    let here = std::thread::current().id();
    let thread = |_: &relations::Db| Ok::<_, Error>(std::thread::current().id());
    assert_ne!(adb.run(thread).await.unwrap(), here, "by default, on the blocking pool");
    match adb.clone().in_place() {
        Ok(local) => {
            assert_eq!(adb.backend_name(), "sqlite");
            assert_eq!(local.run(thread).await.unwrap(), here);
            let ann = local.add(User { username: "ann".into(), ..Default::default() }).await.unwrap();
            assert_eq!(adb.get::<User>(ann.id).await.unwrap().unwrap().username, "ann", "one connection");
            let posts = local.query::<User>().options(selectinload(User::POSTS)).all().await.unwrap();
            assert_eq!(posts.len(), 1);
            assert_ne!(adb.run(thread).await.unwrap(), here, "the handle it was made from still hops");
        }
        Err(Error::Setting(message)) => {
            assert_ne!(adb.backend_name(), "sqlite");
            assert!(message.contains("only an in-process database (SQLite)"), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
        }
        Err(e) => panic!("{e}"),
    }
}

both_backends_async!(
    queries_are_built_as_on_a_db_and_awaited,
    load_fills_the_borrowed_owner_once,
    writes_by_value_and_typed_errors,
    a_failed_transaction_leaves_nothing,
    many_tasks_share_one_connection_without_losing_a_write,
    a_dropped_call_still_runs_whole,
    a_panic_reaches_the_caller_and_the_connection_stays,
    the_async_pool_runs_calls_on_several_connections,
    calls_in_place_run_on_the_awaiting_thread,
);
