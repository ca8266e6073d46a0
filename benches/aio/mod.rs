//! W1–W7 through the async API: `AsyncDb` awaited on a tokio runtime (one worker), in the same
//! groups as the sync side and the hand-written code, so that each ratio is to the same plain
//! sync code in the same run. A query is one hop to the blocking pool; W3 and W7 are one hop
//! per statement, as an async application's loop would be.

use std::future::Future;

use relations::AsyncDb;

use super::*;

/// An async connection and the runtime its calls are awaited on.
pub struct Async {
    rt: tokio::runtime::Runtime,
    pub db: AsyncDb,
}

impl Async {
    pub fn new(db: Db) -> Async {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        Async { rt, db: AsyncDb::from_db(db) }
    }

    /// The same, its calls run in place on the awaiting thread (`AsyncDb::in_place`, SQLite).
    pub fn in_place(db: Db) -> Async {
        let a = Async::new(db);
        Async { db: a.db.in_place().expect("in place"), rt: a.rt }
    }

    /// Awaits `f` on the runtime.
    pub fn block<T>(&self, f: impl Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    pub fn w1(&self) {
        self.block(self.db.run(insert_users_and_posts)).expect("w1")
    }

    pub fn w2(&self, load: Load<User>) -> Vec<User> {
        self.block(self.db.query::<User>().options(load).all()).expect("w2")
    }

    pub fn w3(&self) -> usize {
        self.block(async {
            let users = self.db.all::<User>().await.expect("users");
            let mut n = 0;
            for u in &users {
                n += self.db.load(u, User::POSTS).await.expect("posts").len();
            }
            n
        })
    }

    pub fn w5(&self, load: Load<Post>) -> Vec<Post> {
        self.block(self.db.query::<Post>().options(load).all()).expect("w5")
    }

    pub fn w6(&self) -> Employee {
        let q =
            self.db.query::<Employee>().filter(Employee::manager_id.is_null()).options(subtreeload(Employee::REPORTS));
        self.block(q.one()).expect("w6")
    }

    pub fn w7(&self) -> usize {
        self.block(async {
            let mut n = 0;
            for id in 1..=LOOKUPS {
                let u = self.db.get::<User>(id).await.expect("get").expect("user exists");
                n += self.db.load(&u, User::POSTS).await.expect("posts").len();
            }
            n
        })
    }
}
