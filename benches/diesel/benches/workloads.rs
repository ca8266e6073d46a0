//! W1–W7 written with Diesel 2.3 as its guide teaches (`belonging_to` + `grouped_by` for the
//! one-to-many and many-to-many loads, `find` + `first` for a get by key, `sql_query` for the
//! recursive CTE, `insert_into(..).values(..)` row by row and in batches of 100), beside the
//! hand-written rusqlite code of `benches/hand` that `benches/workloads.rs` measures `relations`
//! against, on the same seeded SQLite database.
//!
//! ```sh
//! cargo bench --manifest-path benches/diesel/Cargo.toml -- --warm-up-time 1 --measurement-time 3
//! cargo bench --manifest-path benches/diesel/Cargo.toml -- --warm-up-time 1 --measurement-time 3 "^D PG"
//! DIESEL_PROFILE=w2 DIESEL_PROFILE_REPEAT=2 valgrind --tool=callgrind <bench binary>
//! ```

#[path = "../../hand/mod.rs"]
#[allow(dead_code)]
mod hand;
mod pg;
#[path = "../../pg/by_hand.rs"]
#[allow(dead_code)]
mod pg_hand;

use std::cell::Cell;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use hand::*;

mod schema {
    diesel::table! {
        user (id) {
            id -> BigInt,
            username -> Text,
        }
    }
    diesel::table! {
        post (id) {
            id -> BigInt,
            title -> Text,
            body -> Text,
            user_id -> BigInt,
        }
    }
    diesel::table! {
        comment (id) {
            id -> BigInt,
            content -> Text,
            post_id -> BigInt,
        }
    }
    diesel::table! {
        tag (id) {
            id -> BigInt,
            name -> Text,
        }
    }
    diesel::table! {
        post_tags (post_id, tag_id) {
            post_id -> BigInt,
            tag_id -> BigInt,
        }
    }
    diesel::joinable!(post -> user (user_id));
    diesel::joinable!(comment -> post (post_id));
    diesel::joinable!(post_tags -> post (post_id));
    diesel::joinable!(post_tags -> tag (tag_id));
    diesel::allow_tables_to_appear_in_same_query!(user, post, comment, tag, post_tags);
}

use schema::{comment, post, post_tags, tag, user};

#[derive(Queryable, Selectable, Identifiable, Debug)]
#[diesel(table_name = user, check_for_backend(diesel::sqlite::Sqlite))]
#[allow(dead_code)]
struct User {
    id: i64,
    username: String,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(table_name = post, belongs_to(User), check_for_backend(diesel::sqlite::Sqlite))]
#[allow(dead_code)]
struct Post {
    id: i64,
    title: String,
    body: String,
    user_id: i64,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(table_name = comment, belongs_to(Post), check_for_backend(diesel::sqlite::Sqlite))]
#[allow(dead_code)]
struct Comment {
    id: i64,
    content: String,
    post_id: i64,
}

#[derive(Queryable, Selectable, Identifiable, Debug)]
#[diesel(table_name = tag, check_for_backend(diesel::sqlite::Sqlite))]
#[allow(dead_code)]
struct Tag {
    id: i64,
    name: String,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(table_name = post_tags, primary_key(post_id, tag_id), belongs_to(Post), belongs_to(Tag))]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
#[allow(dead_code)]
struct PostTag {
    post_id: i64,
    tag_id: i64,
}

#[derive(QueryableByName, Debug)]
struct EmployeeRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    manager_id: Option<i64>,
}

const BODY: &str = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.";

// ---- the workloads, Diesel side ----

fn d1(conn: &mut SqliteConnection) -> QueryResult<()> {
    conn.transaction(|conn| {
        for u in 0..USERS {
            let id: i64 = diesel::insert_into(user::table)
                .values(user::username.eq(format!("user{u}")))
                .returning(user::id)
                .get_result(conn)?;
            for p in 0..POSTS_PER_USER {
                diesel::insert_into(post::table)
                    .values((post::title.eq(format!("post {u}.{p}")), post::body.eq(BODY), post::user_id.eq(id)))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}

fn d1_batch(conn: &mut SqliteConnection) -> QueryResult<()> {
    const BATCH: usize = 100;
    conn.transaction(|conn| {
        let names: Vec<_> = (0..USERS).map(|u| user::username.eq(format!("user{u}"))).collect();
        let mut ids: Vec<i64> = Vec::with_capacity(USERS);
        for chunk in names.chunks(BATCH) {
            let mut got: Vec<i64> =
                diesel::insert_into(user::table).values(chunk).returning(user::id).get_results(conn)?;
            got.sort_unstable();
            ids.extend(got);
        }
        let posts: Vec<_> = ids
            .iter()
            .enumerate()
            .flat_map(|(u, &id)| {
                (0..POSTS_PER_USER)
                    .map(move |p| (post::title.eq(format!("post {u}.{p}")), post::body.eq(BODY), post::user_id.eq(id)))
            })
            .collect();
        for chunk in posts.chunks(BATCH) {
            diesel::insert_into(post::table).values(chunk).execute(conn)?;
        }
        Ok(())
    })
}

fn d2(conn: &mut SqliteConnection) -> Vec<(User, Vec<Post>)> {
    let users: Vec<User> = user::table.select(User::as_select()).load(conn).expect("users");
    let posts: Vec<Post> = Post::belonging_to(&users).select(Post::as_select()).load(conn).expect("posts");
    let grouped = posts.grouped_by(&users);
    users.into_iter().zip(grouped).collect()
}

fn d3(conn: &mut SqliteConnection) -> usize {
    let users: Vec<User> = user::table.select(User::as_select()).load(conn).expect("users");
    users.iter().map(|u| Post::belonging_to(u).select(Post::as_select()).load::<Post>(conn).expect("posts").len()).sum()
}

type Posts = Vec<(Post, Vec<Comment>)>;

fn d4(conn: &mut SqliteConnection) -> Vec<(User, Posts)> {
    let users: Vec<User> = user::table.select(User::as_select()).load(conn).expect("users");
    let posts: Vec<Post> = Post::belonging_to(&users).select(Post::as_select()).load(conn).expect("posts");
    let comments: Vec<Comment> =
        Comment::belonging_to(&posts).select(Comment::as_select()).load(conn).expect("comments");
    let comments = comments.grouped_by(&posts);
    let posts: Vec<(Post, Vec<Comment>)> = posts.into_iter().zip(comments).collect();
    // `grouped_by` needs the parents themselves: group the (post, comments) pairs by their user
    let mut by_user: Vec<Posts> = users.iter().map(|_| Vec::new()).collect();
    let at: std::collections::HashMap<i64, usize> = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    for pair in posts {
        by_user[at[&pair.0.user_id]].push(pair);
    }
    users.into_iter().zip(by_user).collect()
}

fn d5(conn: &mut SqliteConnection) -> Vec<(Post, Vec<Tag>)> {
    let posts: Vec<Post> = post::table.select(Post::as_select()).load(conn).expect("posts");
    let tags: Vec<(PostTag, Tag)> = PostTag::belonging_to(&posts)
        .inner_join(tag::table)
        .select((PostTag::as_select(), Tag::as_select()))
        .load(conn)
        .expect("tags");
    let tags = tags.grouped_by(&posts);
    posts.into_iter().zip(tags).map(|(p, t)| (p, t.into_iter().map(|(_, tag)| tag).collect())).collect()
}

fn d6(conn: &mut SqliteConnection) -> HEmployee {
    let rows: Vec<EmployeeRow> = diesel::sql_query(
        "WITH RECURSIVE tree(id, name, manager_id) AS (SELECT id, name, manager_id FROM employee \
         WHERE manager_id IS NULL UNION ALL SELECT e.id, e.name, e.manager_id FROM employee e \
         JOIN tree ON e.manager_id = tree.id) SELECT id, name, manager_id FROM tree",
    )
    .load(conn)
    .expect("tree");
    let mut rows: Vec<HEmployee> = rows
        .into_iter()
        .map(|r| HEmployee { id: r.id, name: r.name, manager_id: r.manager_id, reports: Vec::new() })
        .collect();
    let at = rows.iter().position(|e| e.manager_id.is_none()).expect("root");
    let mut root = rows.swap_remove(at);
    attach_reports(&mut root, rows);
    root
}

fn d7(conn: &mut SqliteConnection) -> usize {
    (1..=LOOKUPS)
        .map(|id| {
            let u: User = user::table.find(id).select(User::as_select()).first(conn).expect("user");
            Post::belonging_to(&u).select(Post::as_select()).load::<Post>(conn).expect("posts").len()
        })
        .sum()
}

// ---- the run ----

/// The seeded database, once for each side, both in memory as in `benches/workloads.rs`: the
/// hand-written side seeds its own, Diesel's copies the rows of a file seeded the same way.
fn seeded(name: &str) -> (SqliteConnection, rusqlite::Connection) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    seed_by_hand(&rusqlite::Connection::open(&path).expect("open")).expect("seed the file");
    let hand = rusqlite::Connection::open_in_memory().expect("open");
    seed_by_hand(&hand).expect("seed");
    let mut diesel = SqliteConnection::establish(":memory:").expect("diesel opens");
    diesel.batch_execute(SCHEMA).expect("schema");
    let mut copy = format!("ATTACH DATABASE '{}' AS seed;", path.display());
    for table in ["user", "post", "comment", "tag", "post_tags", "employee"] {
        copy.push_str(&format!("INSERT INTO main.{table} SELECT * FROM seed.{table} ORDER BY rowid;"));
    }
    copy.push_str("DETACH DATABASE seed;");
    diesel.batch_execute(&copy).expect("copy the seeded rows");
    (diesel, hand)
}

/// An empty database with the workloads' schema, for W1.
fn empty() -> (SqliteConnection, rusqlite::Connection) {
    let mut diesel = SqliteConnection::establish(":memory:").expect("diesel opens");
    diesel.batch_execute(SCHEMA).expect("schema");
    let hand = rusqlite::Connection::open_in_memory().expect("open");
    hand.execute_batch(SCHEMA).expect("schema");
    (diesel, hand)
}

fn check(conn: &mut SqliteConnection, h: &Hand<'_>) {
    let posts: usize = d2(conn).iter().map(|(_, p)| p.len()).sum();
    assert_eq!(posts, h2(h).iter().map(|u| u.posts.len()).sum::<usize>());
    let comments: usize = d4(conn).iter().flat_map(|(_, p)| p).map(|(_, c)| c.len()).sum();
    assert_eq!(comments, USERS * POSTS_PER_USER * COMMENTS_PER_POST);
    let tags: usize = d5(conn).iter().map(|(_, t)| t.len()).sum();
    assert_eq!(tags, hand_posts_with_tags(h).iter().map(|p| p.tags.len()).sum::<usize>());
    fn size(e: &HEmployee) -> usize {
        e.reports.iter().map(|r| 1 + size(r)).sum()
    }
    assert_eq!(size(&d6(conn)), size(&hand_subtree(h)));
    assert_eq!(d3(conn), h3(h));
    assert_eq!(d7(conn), h7(h));
    // every insert, Diesel's and the hand-written, writes every post
    type Insert = (fn(&mut SqliteConnection) -> QueryResult<()>, fn(&Hand<'_>));
    let inserts: [Insert; 2] = [(d1, hand_insert_users_and_posts), (d1_batch, hand_insert_all_users_and_posts)];
    for (diesel, by_hand) in inserts {
        let (mut d, hc) = empty();
        diesel(&mut d).expect("w1");
        by_hand(&Hand { conn: &hc, statements: Cell::new(0) });
        let n: i64 = diesel::QueryDsl::count(post::table).get_result(&mut d).expect("count");
        let m: i64 = hc.query_row("SELECT count(*) FROM post", [], |r| r.get(0)).expect("count");
        assert_eq!((n, m), ((USERS * POSTS_PER_USER) as i64, (USERS * POSTS_PER_USER) as i64));
    }
}

/// `DIESEL_PROFILE=<w>[:hand]`, run `DIESEL_PROFILE_REPEAT` times (default 1) after the seeding,
/// for callgrind: a workload's cost is a run with `REPEAT=n` minus one with `REPEAT=0`, over n.
fn profile(name: &str) {
    let (mut conn, hand_conn) = seeded("profile");
    let h = Hand { conn: &hand_conn, statements: Cell::new(0) };
    let repeat: usize = std::env::var("DIESEL_PROFILE_REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    for _ in 0..repeat {
        match name {
            "w1" | "w1b" | "w1:hand" | "w1b:hand" => {
                let (mut d, hc) = empty();
                let h = Hand { conn: &hc, statements: Cell::new(0) };
                match name {
                    "w1" => d1(&mut d).expect("w1"),
                    "w1b" => d1_batch(&mut d).expect("w1b"),
                    "w1:hand" => hand_insert_users_and_posts(&h),
                    _ => hand_insert_all_users_and_posts(&h),
                }
            }
            "w2" => drop(black_box(d2(&mut conn))),
            "w3" => drop(black_box(d3(&mut conn))),
            "w4" => drop(black_box(d4(&mut conn))),
            "w5" => drop(black_box(d5(&mut conn))),
            "w6" => drop(black_box(d6(&mut conn))),
            "w7" => drop(black_box(d7(&mut conn))),
            "w2:hand" => drop(black_box(h2(&h))),
            "w3:hand" => drop(black_box(h3(&h))),
            "w4:hand" => drop(black_box(h4(&h))),
            "w5:hand" => drop(black_box(hand_posts_with_tags(&h))),
            "w6:hand" => drop(black_box(hand_subtree(&h))),
            "w7:hand" => drop(black_box(h7(&h))),
            other => panic!("no workload `{other}`: w1, w1b, w2 .. w7, each also as `<name>:hand`"),
        }
    }
}

fn main() {
    if let Ok(name) = std::env::var("DIESEL_PROFILE") {
        return profile(&name);
    }
    let mut c = Criterion::default().configure_from_args();
    let (mut conn, hand_conn) = seeded("bench");
    let h = Hand { conn: &hand_conn, statements: Cell::new(0) };
    check(&mut conn, &h);
    let version: String = hand_conn.query_row("SELECT sqlite_version()", [], |r| r.get(0)).expect("version");
    eprintln!("SQLite {version}");

    let mut g = c.benchmark_group("D1 insert");
    g.sample_size(10);
    g.bench_function("diesel", |b| {
        b.iter_batched(empty, |(mut d, _)| d1(&mut d).expect("w1"), BatchSize::PerIteration)
    });
    g.bench_function("rusqlite", |b| {
        b.iter_batched(
            empty,
            |(_, hc)| hand_insert_users_and_posts(&Hand { conn: &hc, statements: Cell::new(0) }),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("diesel batch", |b| {
        b.iter_batched(empty, |(mut d, _)| d1_batch(&mut d).expect("w1b"), BatchSize::PerIteration)
    });
    g.bench_function("rusqlite batch", |b| {
        b.iter_batched(
            empty,
            |(_, hc)| hand_insert_all_users_and_posts(&Hand { conn: &hc, statements: Cell::new(0) }),
            BatchSize::PerIteration,
        )
    });
    g.finish();

    macro_rules! pair {
        ($group:expr, $samples:expr, $diesel:expr, $hand:expr) => {{
            let mut g = c.benchmark_group($group);
            g.sample_size($samples);
            g.bench_function("diesel", |b| b.iter(|| black_box($diesel(&mut conn))));
            g.bench_function("rusqlite", |b| b.iter(|| black_box($hand(&h))));
            g.finish();
        }};
    }
    pair!("D2 users-posts", 20, d2, h2);
    pair!("D3 naive N+1", 20, d3, h3);
    pair!("D4 users-posts-comments", 10, d4, h4);
    pair!("D5 posts-tags", 10, d5, hand_posts_with_tags);
    pair!("D6 subtree", 20, d6, hand_subtree);
    pair!("D7 get-then-children", 20, d7, h7);
    pg::workloads(&mut c);
    c.final_summary();
}
