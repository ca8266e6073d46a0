//! W1–W7 on PostgreSQL: Diesel beside the hand-written `postgres` code of `benches/pg/by_hand.rs`
//! that `benches/workloads.rs` measures `relations` against, on the database `relations_bench`
//! that that bench seeds and leaves behind (run it first: `cargo bench --bench workloads -- "^PG"`).

use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};

use crate::hand::*;
use crate::pg_hand::*;

mod schema {
    diesel::table! {
        user (id) {
            id -> Integer,
            username -> Text,
        }
    }
    diesel::table! {
        post (id) {
            id -> Integer,
            title -> Text,
            body -> Text,
            user_id -> Integer,
        }
    }
    diesel::table! {
        comment (id) {
            id -> Integer,
            content -> Text,
            post_id -> Integer,
        }
    }
    diesel::table! {
        tag (id) {
            id -> Integer,
            name -> Text,
        }
    }
    diesel::table! {
        post_tags (post_id, tag_id) {
            post_id -> Integer,
            tag_id -> Integer,
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
#[diesel(table_name = user, check_for_backend(diesel::pg::Pg))]
#[allow(dead_code)]
struct User {
    id: i32,
    username: String,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(table_name = post, belongs_to(User), check_for_backend(diesel::pg::Pg))]
#[allow(dead_code)]
struct Post {
    id: i32,
    title: String,
    body: String,
    user_id: i32,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(table_name = comment, belongs_to(Post), check_for_backend(diesel::pg::Pg))]
#[allow(dead_code)]
struct Comment {
    id: i32,
    content: String,
    post_id: i32,
}

#[derive(Queryable, Selectable, Identifiable, Debug)]
#[diesel(table_name = tag, check_for_backend(diesel::pg::Pg))]
#[allow(dead_code)]
struct Tag {
    id: i32,
    name: String,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(table_name = post_tags, primary_key(post_id, tag_id), belongs_to(Post), belongs_to(Tag))]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[allow(dead_code)]
struct PostTag {
    post_id: i32,
    tag_id: i32,
}

#[derive(QueryableByName, Debug)]
struct EmployeeRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Integer>)]
    manager_id: Option<i32>,
}

const BODY: &str = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.";

fn d1(conn: &mut PgConnection) -> QueryResult<()> {
    conn.transaction(|conn| {
        for u in 0..USERS {
            let id: i32 = diesel::insert_into(user::table)
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

fn d2(conn: &mut PgConnection) -> Vec<(User, Vec<Post>)> {
    let users: Vec<User> = user::table.select(User::as_select()).load(conn).expect("users");
    let posts: Vec<Post> = Post::belonging_to(&users).select(Post::as_select()).load(conn).expect("posts");
    let grouped = posts.grouped_by(&users);
    users.into_iter().zip(grouped).collect()
}

fn d3(conn: &mut PgConnection) -> usize {
    let users: Vec<User> = user::table.select(User::as_select()).load(conn).expect("users");
    users.iter().map(|u| Post::belonging_to(u).select(Post::as_select()).load::<Post>(conn).expect("posts").len()).sum()
}

type Posts = Vec<(Post, Vec<Comment>)>;

fn d4(conn: &mut PgConnection) -> Vec<(User, Posts)> {
    let users: Vec<User> = user::table.select(User::as_select()).load(conn).expect("users");
    let posts: Vec<Post> = Post::belonging_to(&users).select(Post::as_select()).load(conn).expect("posts");
    let comments: Vec<Comment> =
        Comment::belonging_to(&posts).select(Comment::as_select()).load(conn).expect("comments");
    let comments = comments.grouped_by(&posts);
    let posts: Vec<(Post, Vec<Comment>)> = posts.into_iter().zip(comments).collect();
    // `grouped_by` needs the parents themselves: group the (post, comments) pairs by their user
    let mut by_user: Vec<Posts> = users.iter().map(|_| Vec::new()).collect();
    let at: std::collections::HashMap<i32, usize> = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    for pair in posts {
        by_user[at[&pair.0.user_id]].push(pair);
    }
    users.into_iter().zip(by_user).collect()
}

fn d5(conn: &mut PgConnection) -> Vec<(Post, Vec<Tag>)> {
    let posts: Vec<Post> = post::table.select(Post::as_select()).load(conn).expect("posts");
    let tags: Vec<(PostTag, Tag)> = PostTag::belonging_to(&posts)
        .inner_join(tag::table)
        .select((PostTag::as_select(), Tag::as_select()))
        .load(conn)
        .expect("tags");
    let tags = tags.grouped_by(&posts);
    posts.into_iter().zip(tags).map(|(p, t)| (p, t.into_iter().map(|(_, tag)| tag).collect())).collect()
}

fn d6(conn: &mut PgConnection) -> HEmployee {
    let rows: Vec<EmployeeRow> = diesel::sql_query(
        "WITH RECURSIVE tree(id, name, manager_id) AS (SELECT id, name, manager_id FROM employee \
         WHERE manager_id IS NULL UNION ALL SELECT e.id, e.name, e.manager_id FROM employee e \
         JOIN tree ON e.manager_id = tree.id) SELECT id, name, manager_id FROM tree",
    )
    .load(conn)
    .expect("tree");
    let mut rows: Vec<HEmployee> = rows
        .into_iter()
        .map(|r| HEmployee {
            id: i64::from(r.id),
            name: r.name,
            manager_id: r.manager_id.map(i64::from),
            reports: Vec::new(),
        })
        .collect();
    let at = rows.iter().position(|e| e.manager_id.is_none()).expect("root");
    let mut root = rows.swap_remove(at);
    attach_reports(&mut root, rows);
    root
}

fn d7(conn: &mut PgConnection) -> usize {
    (1..=LOOKUPS as i32)
        .map(|id| {
            let u: User = user::table.find(id).select(User::as_select()).first(conn).expect("user");
            Post::belonging_to(&u).select(Post::as_select()).load::<Post>(conn).expect("posts").len()
        })
        .sum()
}

/// A copy of the seeded database, made anew for W1 (emptied before every iteration).
fn copy_of_seeded(name: &str) -> String {
    let mut admin = postgres::Client::connect(&format!("{}/postgres", server()), postgres::NoTls).expect("server");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop");
    admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE relations_bench")).expect("copy the seeded database");
    format!("{}/{name}", server())
}

const EMPTY: &str = "TRUNCATE \"user\", post, comment, post_tags, tag, employee RESTART IDENTITY";

/// The `D PG` groups, or nothing (said once) when `relations_bench` is not there.
pub fn workloads(c: &mut Criterion) {
    let url = format!("{}/relations_bench", server());
    if PgConnection::establish(&url).is_err() {
        eprintln!(
            "PostgreSQL workloads skipped: no database {url}; run `cargo bench --bench workloads -- \"^PG\"` first"
        );
        return;
    }
    // copies for W1 first: a database is copied only while nobody is connected to it
    let ours = copy_of_seeded("diesel_bench_w1");
    let theirs = copy_of_seeded("diesel_bench_w1_hand");
    let mut conn = PgConnection::establish(&url).expect("connect");
    let h = PgHand::connect(&url);

    // checks: both sides load the same rows
    let posts: usize = d2(&mut conn).iter().map(|(_, p)| p.len()).sum();
    assert_eq!(posts, pg2(&h, Keys::Listed).iter().map(|u| u.posts.len()).sum::<usize>());
    assert_eq!(posts, pg2(&h, Keys::Array).iter().map(|u| u.posts.len()).sum::<usize>());
    assert_eq!(posts, USERS * POSTS_PER_USER);
    let comments: usize = d4(&mut conn).iter().flat_map(|(_, p)| p).map(|(_, c)| c.len()).sum();
    assert_eq!(comments, pg4(&h, Keys::Listed).iter().flat_map(|u| &u.posts).map(|p| p.comments.len()).sum::<usize>());
    assert_eq!(comments, pg4(&h, Keys::Array).iter().flat_map(|u| &u.posts).map(|p| p.comments.len()).sum::<usize>());
    let tags: usize = d5(&mut conn).iter().map(|(_, t)| t.len()).sum();
    assert_eq!(tags, pg5(&h, Keys::Listed).iter().map(|p| p.tags.len()).sum::<usize>());
    assert_eq!(tags, pg5(&h, Keys::Array).iter().map(|p| p.tags.len()).sum::<usize>());
    fn size(e: &HEmployee) -> usize {
        e.reports.iter().map(|r| 1 + size(r)).sum()
    }
    assert_eq!(size(&d6(&mut conn)), size(&pg6(&h)));
    assert_eq!(d3(&mut conn), pg3(&h));
    assert_eq!(d7(&mut conn), pg7(&h));

    let mut w1 = PgConnection::establish(&ours).expect("connect");
    let mut w1_admin = PgConnection::establish(&ours).expect("connect");
    let hand = PgHand::connect(&theirs);
    let mut hand_admin = PgConnection::establish(&theirs).expect("connect");
    w1.batch_execute(EMPTY).expect("empty");
    d1(&mut w1).expect("w1");
    hand_admin.batch_execute(EMPTY).expect("empty");
    pg1(&hand);
    let n: i64 = diesel::QueryDsl::count(post::table).get_result(&mut w1).expect("count");
    let m: i64 = diesel::QueryDsl::count(post::table).get_result(&mut hand_admin).expect("count");
    assert_eq!((n, m), ((USERS * POSTS_PER_USER) as i64, (USERS * POSTS_PER_USER) as i64));

    let mut g = c.benchmark_group("D PG W1 insert");
    g.sample_size(10);
    g.bench_function("diesel", |b| {
        b.iter_batched(
            || w1_admin.batch_execute(EMPTY).expect("empty"),
            |()| d1(&mut w1).expect("w1"),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("postgres", |b| {
        b.iter_batched(|| hand_admin.batch_execute(EMPTY).expect("empty"), |()| pg1(&hand), BatchSize::PerIteration)
    });
    g.finish();

    macro_rules! pair {
        ($group:expr, $diesel:expr, $hand:expr $(, $any:expr)?) => {{
            let mut g = c.benchmark_group($group);
            g.sample_size(10);
            g.bench_function("diesel", |b| b.iter(|| black_box($diesel(&mut conn))));
            g.bench_function("postgres", |b| b.iter(|| black_box($hand(&h))));
            $(g.bench_function("postgres ANY", |b| b.iter(|| black_box($any(&h))));)?
            g.finish();
        }};
    }
    pair!("D PG W2 users-posts", d2, |h| pg2(h, Keys::Listed), |h| pg2(h, Keys::Array));
    pair!("D PG W3 naive N+1", d3, pg3);
    pair!("D PG W4 users-posts-comments", d4, |h| pg4(h, Keys::Listed), |h| pg4(h, Keys::Array));
    pair!("D PG W5 posts-tags", d5, |h| pg5(h, Keys::Listed), |h| pg5(h, Keys::Array));
    pair!("D PG W6 subtree", d6, pg6);
    pair!("D PG W7 get-then-children", d7, pg7);
}
