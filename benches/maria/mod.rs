//! W1–W7 on MariaDB: `relations` on a `mysql://` [`Db`] beside the hand-written `mysql`-crate
//! code of `by_hand.rs`, in the same run, on one seeded database (`relations_bench`, made anew).

use std::hint::black_box;

use criterion::Criterion;
use relations::Db;

use super::*;

mod by_hand;

use by_hand::*;

/// A new, empty database on the server, or `None` (said once) when there is no server.
fn fresh(name: &str) -> Option<String> {
    let admin = match Db::connect(&format!("{}/mysql", server())) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("MariaDB workloads skipped: no server at {} ({e})", server());
            return None;
        }
    };
    admin.sql(format!("DROP DATABASE IF EXISTS {name}")).execute().expect("drop the bench database");
    admin.sql(format!("CREATE DATABASE {name}")).execute().expect("create the bench database");
    Some(format!("{}/{name}", server()))
}

/// The MariaDB groups (`MY W1` ... `MY W7`).
pub fn workloads(c: &mut Criterion) {
    let Some(url) = fresh("relations_bench") else { return };
    let db = Db::connect(&url).expect("connect");
    seed_into(&db);
    let h = MyHand::connect(&url);

    // checks: both sides load the same rows
    let rows = |users: &[User]| users.iter().map(|u| u.posts.loaded().unwrap().len()).sum::<usize>();
    assert_eq!(rows(&w2_selectin(&db)), USERS * POSTS_PER_USER);
    assert_eq!(my2(&h).iter().map(|u| u.posts.len()).sum::<usize>(), USERS * POSTS_PER_USER);
    let comments: usize =
        w4_joined(&db).iter().flat_map(|u| u.posts.loaded().unwrap()).map(|p| p.comments.loaded().unwrap().len()).sum();
    assert_eq!(comments, USERS * POSTS_PER_USER * COMMENTS_PER_POST);
    for hand in [&my4 as &dyn Fn(&MyHand) -> Vec<HUser>, &my4_joined] {
        assert_eq!(
            hand(&h).iter().flat_map(|u| &u.posts).map(|p| p.comments.len()).sum::<usize>(),
            USERS * POSTS_PER_USER * COMMENTS_PER_POST
        );
    }
    let tags = my5(&h).iter().map(|p| p.tags.len()).sum::<usize>();
    assert_eq!(tags, w5_selectin(&db).iter().map(|p| p.tags.loaded().unwrap().len()).sum::<usize>());

    let mut counts = Counts(Vec::new());
    let mut record = |name: &str, ours: &dyn Fn(), hand: &dyn Fn(&MyHand)| {
        let ((), sql) = db.record(ours);
        let before = h.statements.get();
        hand(&h);
        counts.0.push(format!("{name}\t{}\t{}", sql.len(), h.statements.get() - before));
    };
    macro_rules! record {
        ($($name:expr => $ours:expr, $hand:expr;)+) => {$(
            record($name, &|| { black_box($ours); }, &|h| { black_box($hand(h)); });
        )+};
    }
    record! {
        "MY W2 users → posts, selectin" => w2_selectin(&db), my2;
        "MY W2 users → posts, joined" => w2_joined(&db), my2_joined;
        "MY W3 naive N+1 loop" => w3_naive(&db), my3;
        "MY W4 users → posts → comments, selectin" => w4_selectin(&db), my4;
        "MY W4 users → posts → comments, joined" => w4_joined(&db), my4_joined;
        "MY W5 posts ↔ tags, selectin" => w5_selectin(&db), my5;
        "MY W5 posts ↔ tags, joined" => w5_joined(&db), my5_joined;
        "MY W6 subtree" => w6_subtree(&db), my6;
        "MY W7 get by key, then children ×100" => w7_get_then_children(&db), my7;
    }

    // W1 on two new databases, each emptied before every iteration
    let ours = fresh("relations_bench_w1").expect("server");
    let theirs = fresh("relations_bench_w1_hand").expect("server");
    let w1 = Db::connect(&ours).expect("connect");
    schema(&w1);
    let hand = MyHand::connect(&theirs);
    let hand_db = Db::connect(&theirs).expect("connect");
    schema(&hand_db);
    let empty = |db: &Db| {
        // no TRUNCATE of a referenced table: the checks off around it, one statement each
        db.sql("SET FOREIGN_KEY_CHECKS = 0").execute().unwrap();
        for t in ["comment", "post_tags", "post", "tag", "employee", "user"] {
            db.sql(format!("TRUNCATE TABLE `{t}`")).execute().unwrap();
        }
        db.sql("SET FOREIGN_KEY_CHECKS = 1").execute().unwrap();
    };
    let w1_hand = ServerW1 {
        prefix: "MY",
        label: "mysql",
        hand: &hand,
        hand_db: &hand_db,
        run: my1,
        statements: |h| h.statements.get(),
    };
    server_w1(c, &w1, &ours, w1_hand, empty, counts, "statements-mariadb.tsv");

    let a = super::aio::Async::new(Db::connect(&url).expect("connect"));

    group!(c, "MY W2 users-posts", 10, "selectin" => w2_selectin(&db), "joined" => w2_joined(&db), "mysql" => my2(&h), "mysql joined" => my2_joined(&h),
        "async selectin" => a.w2(selectinload(User::POSTS).into()), "async joined" => a.w2(joinedload(User::POSTS).into()));
    group!(c, "MY W3 naive N+1", 10, "relations" => w3_naive(&db), "mysql" => my3(&h), "async relations" => a.w3());
    group!(c, "MY W4 users-posts-comments", 10, "selectin" => w4_selectin(&db), "joined" => w4_joined(&db), "mysql" => my4(&h), "mysql joined" => my4_joined(&h),
        "async selectin" => a.w2(selectinload(User::POSTS).selectinload(Post::COMMENTS).into()), "async joined" => a.w2(joinedload(User::POSTS).joinedload(Post::COMMENTS).into()));
    group!(c, "MY W5 posts-tags", 10, "selectin" => w5_selectin(&db), "joined" => w5_joined(&db), "mysql" => my5(&h), "mysql joined" => my5_joined(&h),
        "async selectin" => a.w5(selectinload(Post::TAGS).into()), "async joined" => a.w5(joinedload(Post::TAGS).into()));
    group!(c, "MY W6 subtree", 10, "relations" => w6_subtree(&db), "mysql" => my6(&h), "async relations" => a.w6());
    group!(c, "MY W7 get-then-children", 10, "relations" => w7_get_then_children(&db), "mysql" => my7(&h), "async relations" => a.w7());
}

/// One MariaDB workload run `RELATIONS_PROFILE_REPEAT` times on a database seeded anew, for a
/// profiler of the client's side (the server is another process): `RELATIONS_PROFILE=my2`
/// (`my2`, `my4`, `my7`, each with `:hand` for the hand-written side). `false` for another
/// name.
pub fn profile(name: &str, repeat: usize) -> bool {
    if !name.starts_with("my") {
        return false;
    }
    let url = fresh("relations_bench").expect("a MariaDB server");
    let db = Db::connect(&url).expect("connect");
    seed_into(&db);
    let h = MyHand::connect(&url);
    for _ in 0..repeat {
        match name {
            "my2" => drop(black_box(w2_selectin(&db))),
            "my2:hand" => drop(black_box(my2(&h))),
            "my4" => drop(black_box(w4_selectin(&db))),
            "my4:hand" => drop(black_box(my4(&h))),
            "my7" => drop(black_box(w7_get_then_children(&db))),
            "my7:hand" => drop(black_box(my7(&h))),
            other => panic!("no MariaDB profile {other}"),
        }
    }
    true
}
