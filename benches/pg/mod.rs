//! W1–W7 on PostgreSQL: `relations` on a `postgresql://` [`Db`] beside the hand-written code of
//! `by_hand.rs`, in the same run, on one seeded database (`relations_bench`, made anew; it is
//! left behind for `benches/diesel` to measure Diesel on).

use std::hint::black_box;

use criterion::Criterion;
use postgres::{Client, NoTls};
use relations::Db;

use super::*;

mod by_hand;

use by_hand::*;

/// A new, empty database on the server, or `None` (said once) when there is no server.
fn fresh(name: &str) -> Option<String> {
    let mut admin = match Client::connect(&format!("{}/postgres", server()), NoTls) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("PostgreSQL workloads skipped: no server at {} ({e})", server());
            return None;
        }
    };
    // one statement each: neither runs inside a transaction block
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop the bench database");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the bench database");
    Some(format!("{}/{name}", server()))
}

/// The PostgreSQL profiles, for callgrind (the client's instructions: the server is another
/// process): `pg2`, `pg4`, `pg5`, `pg6`, `pg7`, each also `:hand`, on a database seeded anew.
pub fn profile(name: &str, repeat: usize) -> bool {
    if !name.starts_with("pg") {
        return false;
    }
    let url = fresh("relations_bench").expect("a PostgreSQL server");
    let db = Db::connect(&url).expect("connect");
    seed_into(&db);
    let h = PgHand::connect(&url);
    for _ in 0..repeat {
        match name {
            "pg2" => drop(black_box(w2_selectin(&db))),
            "pg2:hand" => drop(black_box(pg2(&h, Keys::Listed))),
            "pg4" => drop(black_box(w4_selectin(&db))),
            "pg4:hand" => drop(black_box(pg4(&h, Keys::Listed))),
            "pg5" => drop(black_box(w5_selectin(&db))),
            "pg5:hand" => drop(black_box(pg5(&h, Keys::Listed))),
            "pg6" => drop(black_box(w6_subtree(&db))),
            "pg6:hand" => drop(black_box(pg6(&h))),
            "pg7" => drop(black_box(w7_get_then_children(&db))),
            "pg7:hand" => drop(black_box(pg7(&h))),
            other => panic!("no PostgreSQL profile {other}"),
        }
    }
    true
}

/// The PostgreSQL groups (`PG W1` ... `PG W7`).
pub fn workloads(c: &mut Criterion) {
    let Some(url) = fresh("relations_bench") else { return };
    let db = Db::connect(&url).expect("connect");
    seed_into(&db);
    let h = PgHand::connect(&url);

    // checks: both sides load the same rows
    let rows = |users: &[User]| users.iter().map(|u| u.posts.loaded().unwrap().len()).sum::<usize>();
    assert_eq!(rows(&w2_selectin(&db)), USERS * POSTS_PER_USER);
    for keys in [Keys::Listed, Keys::Array] {
        assert_eq!(pg2(&h, keys).iter().map(|u| u.posts.len()).sum::<usize>(), USERS * POSTS_PER_USER);
    }
    let comments: usize =
        w4_joined(&db).iter().flat_map(|u| u.posts.loaded().unwrap()).map(|p| p.comments.loaded().unwrap().len()).sum();
    assert_eq!(comments, USERS * POSTS_PER_USER * COMMENTS_PER_POST);
    let listed = |h: &PgHand| pg4(h, Keys::Listed);
    let array = |h: &PgHand| pg4(h, Keys::Array);
    for hand in [&listed as &dyn Fn(&PgHand) -> Vec<HUser>, &array, &pg4_joined] {
        assert_eq!(
            hand(&h).iter().flat_map(|u| &u.posts).map(|p| p.comments.len()).sum::<usize>(),
            USERS * POSTS_PER_USER * COMMENTS_PER_POST
        );
    }
    let tags = pg5(&h, Keys::Listed).iter().map(|p| p.tags.len()).sum::<usize>();
    assert_eq!(tags, pg5(&h, Keys::Array).iter().map(|p| p.tags.len()).sum::<usize>());
    assert_eq!(tags, w5_selectin(&db).iter().map(|p| p.tags.loaded().unwrap().len()).sum::<usize>());

    let mut counts = Counts(Vec::new());
    let mut record = |name: &str, ours: &dyn Fn(), hand: &dyn Fn(&PgHand)| {
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
        "PG W2 users → posts, selectin" => w2_selectin(&db), |h| pg2(h, Keys::Listed);
        "PG W2 users → posts, joined" => w2_joined(&db), pg2_joined;
        "PG W3 naive N+1 loop" => w3_naive(&db), pg3;
        "PG W4 users → posts → comments, selectin" => w4_selectin(&db), |h| pg4(h, Keys::Listed);
        "PG W4 users → posts → comments, joined" => w4_joined(&db), pg4_joined;
        "PG W5 posts ↔ tags, selectin" => w5_selectin(&db), |h| pg5(h, Keys::Listed);
        "PG W5 posts ↔ tags, joined" => w5_joined(&db), pg5_joined;
        "PG W6 subtree" => w6_subtree(&db), pg6;
        "PG W7 get by key, then children ×100" => w7_get_then_children(&db), pg7;
    }

    // W1 on two new databases, each emptied before every iteration
    let ours = fresh("relations_bench_w1").expect("server");
    let theirs = fresh("relations_bench_w1_hand").expect("server");
    let w1 = Db::connect(&ours).expect("connect");
    schema(&w1);
    let hand = PgHand::connect(&theirs);
    let hand_db = Db::connect(&theirs).expect("connect");
    schema(&hand_db);
    let empty = |db: &Db| {
        db.driver::<relations::tokio_postgres::Client>()
            .unwrap()
            .batch_execute("TRUNCATE \"user\", post, comment, post_tags, tag, employee RESTART IDENTITY")
            .unwrap()
    };
    let w1_hand = ServerW1 {
        prefix: "PG",
        label: "postgres",
        hand: &hand,
        hand_db: &hand_db,
        run: pg1,
        statements: |h| h.statements.get(),
    };
    server_w1(c, &w1, &ours, w1_hand, empty, counts, "statements-postgresql.tsv");

    let a = super::aio::Async::new(Db::connect(&url).expect("connect"));

    group!(c, "PG W2 users-posts", 10, "selectin" => w2_selectin(&db), "joined" => w2_joined(&db), "postgres" => pg2(&h, Keys::Listed), "postgres ANY" => pg2(&h, Keys::Array), "postgres joined" => pg2_joined(&h),
        "async selectin" => a.w2(selectinload(User::POSTS).into()), "async joined" => a.w2(joinedload(User::POSTS).into()));
    group!(c, "PG W3 naive N+1", 10, "relations" => w3_naive(&db), "postgres" => pg3(&h), "async relations" => a.w3());
    group!(c, "PG W4 users-posts-comments", 10, "selectin" => w4_selectin(&db), "joined" => w4_joined(&db), "postgres" => pg4(&h, Keys::Listed), "postgres ANY" => pg4(&h, Keys::Array), "postgres joined" => pg4_joined(&h),
        "async selectin" => a.w2(selectinload(User::POSTS).selectinload(Post::COMMENTS).into()), "async joined" => a.w2(joinedload(User::POSTS).joinedload(Post::COMMENTS).into()));
    group!(c, "PG W5 posts-tags", 10, "selectin" => w5_selectin(&db), "joined" => w5_joined(&db), "postgres" => pg5(&h, Keys::Listed), "postgres ANY" => pg5(&h, Keys::Array), "postgres joined" => pg5_joined(&h),
        "async selectin" => a.w5(selectinload(Post::TAGS).into()), "async joined" => a.w5(joinedload(Post::TAGS).into()));
    group!(c, "PG W6 subtree", 10, "relations" => w6_subtree(&db), "postgres" => pg6(&h), "async relations" => a.w6());
    group!(c, "PG W7 get-then-children", 10, "relations" => w7_get_then_children(&db), "postgres" => pg7(&h), "async relations" => a.w7());
}
