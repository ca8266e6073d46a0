//! The hand-written side of W1–W7 on SQLite: plain rusqlite with every statement prepared once
//! (`prepare_cached`), no `ORDER BY` the work does not need, rows grouped by hand. Shared by
//! `benches/workloads.rs` (beside `relations`) and `benches/diesel` (beside Diesel), so both
//! comparisons divide by the same code; `seed_by_hand` writes the data both run on.

use std::cell::Cell;
use std::collections::HashMap;

use rusqlite::{params, params_from_iter, Connection};

pub const USERS: usize = 1000;
pub const POSTS_PER_USER: usize = 10;
pub const COMMENTS_PER_POST: usize = 3;
pub const TAGS: usize = 50;
pub const TAGS_PER_POST: usize = 5;
pub const ORG_DEPTH: u32 = 6;
pub const ORG_FANOUT: usize = 4;
/// W7's lookups per iteration.
pub const LOOKUPS: i64 = 100;

// ---- the hand-written side's rows (only built, like the relations side's: the fields are
// the cost being measured, not read) ----

#[derive(Debug)]
#[allow(dead_code)]
pub struct HUser {
    pub id: i64,
    pub username: String,
    pub posts: Vec<HPost>,
}

#[derive(Debug)]
#[allow(dead_code)]
pub struct HPost {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub user_id: i64,
    pub comments: Vec<HComment>,
    pub tags: Vec<HTag>,
}

#[derive(Debug)]
#[allow(dead_code)]
pub struct HComment {
    pub id: i64,
    pub content: String,
    pub post_id: i64,
}

#[derive(Debug)]
#[allow(dead_code)]
pub struct HTag {
    pub id: i64,
    pub name: String,
}

#[derive(Debug)]
#[allow(dead_code)]
pub struct HEmployee {
    pub id: i64,
    pub name: String,
    pub manager_id: Option<i64>,
    pub reports: Vec<HEmployee>,
}

/// A rusqlite connection that counts the statements it runs.
pub struct Hand<'c> {
    pub conn: &'c Connection,
    pub statements: Cell<usize>,
}

impl Hand<'_> {
    pub fn prepare(&self, sql: &str) -> rusqlite::CachedStatement<'_> {
        self.statements.set(self.statements.get() + 1);
        self.conn.prepare_cached(sql).expect("valid SQL")
    }
}

pub fn placeholders(n: usize) -> String {
    let mut s = String::with_capacity(n * 3);
    for i in 0..n {
        s.push_str(if i == 0 { "?" } else { ", ?" });
    }
    s
}

pub fn hand_users(h: &Hand<'_>) -> Vec<HUser> {
    let mut stmt = h.prepare("SELECT id, username FROM user");
    let rows = stmt.query_map([], |r| Ok(HUser { id: r.get(0)?, username: r.get(1)?, posts: Vec::new() }));
    rows.expect("users").collect::<Result<_, _>>().expect("users")
}

pub fn post_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HPost> {
    Ok(HPost {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        user_id: r.get(3)?,
        comments: Vec::new(),
        tags: Vec::new(),
    })
}

/// Each user's posts, grouped by hand: one `IN (...)` statement, no `ORDER BY` (SQLite reads
/// them through the foreign key's index, each user's in key order).
pub fn hand_attach_posts(h: &Hand<'_>, users: &mut [HUser]) {
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let sql = format!("SELECT id, title, body, user_id FROM post WHERE user_id IN ({})", placeholders(ids.len()));
    let mut stmt = h.prepare(&sql);
    let mut by_user: HashMap<i64, Vec<HPost>> = HashMap::with_capacity(ids.len());
    for p in stmt.query_map(params_from_iter(&ids), post_row).expect("posts") {
        let p = p.expect("post");
        by_user.entry(p.user_id).or_default().push(p);
    }
    for u in users {
        u.posts = by_user.remove(&u.id).unwrap_or_default();
    }
}

pub fn hand_attach_comments(h: &Hand<'_>, posts: &mut [&mut HPost]) {
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let sql = format!("SELECT id, content, post_id FROM comment WHERE post_id IN ({})", placeholders(ids.len()));
    let mut stmt = h.prepare(&sql);
    let mut by_post: HashMap<i64, Vec<HComment>> = HashMap::with_capacity(ids.len());
    let rows = stmt
        .query_map(params_from_iter(&ids), |r| Ok(HComment { id: r.get(0)?, content: r.get(1)?, post_id: r.get(2)? }));
    for c in rows.expect("comments") {
        let c = c.expect("comment");
        by_post.entry(c.post_id).or_default().push(c);
    }
    for p in posts {
        p.comments = by_post.remove(&p.id).unwrap_or_default();
    }
}

pub fn hand_posts_with_tags(h: &Hand<'_>) -> Vec<HPost> {
    let mut posts: Vec<HPost> = {
        let mut stmt = h.prepare("SELECT id, title, body, user_id FROM post");
        stmt.query_map([], post_row).expect("posts").collect::<Result<_, _>>().expect("posts")
    };
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let sql = format!(
        "SELECT pt.post_id, t.id, t.name FROM tag t JOIN post_tags pt ON pt.tag_id = t.id WHERE pt.post_id IN ({})",
        placeholders(ids.len())
    );
    let mut stmt = h.prepare(&sql);
    let mut by_post: HashMap<i64, Vec<HTag>> = HashMap::with_capacity(ids.len());
    for row in stmt
        .query_map(params_from_iter(&ids), |r| Ok((r.get::<_, i64>(0)?, HTag { id: r.get(1)?, name: r.get(2)? })))
        .expect("tags")
    {
        let (post, tag) = row.expect("tag");
        by_post.entry(post).or_default().push(tag);
    }
    for p in &mut posts {
        p.tags = by_post.remove(&p.id).unwrap_or_default();
    }
    posts
}

pub fn hand_subtree(h: &Hand<'_>) -> HEmployee {
    // one statement: the root and every row below it (UNION ALL: the data has no cycle)
    let mut stmt = h.prepare(
        "WITH RECURSIVE tree(id, name, manager_id) AS (SELECT id, name, manager_id FROM employee \
         WHERE manager_id IS NULL UNION ALL SELECT e.id, e.name, e.manager_id FROM employee e \
         JOIN tree ON e.manager_id = tree.id) SELECT id, name, manager_id FROM tree",
    );
    let mut rows: Vec<HEmployee> = stmt
        .query_map([], |r| Ok(HEmployee { id: r.get(0)?, name: r.get(1)?, manager_id: r.get(2)?, reports: Vec::new() }))
        .expect("tree")
        .collect::<Result<_, _>>()
        .expect("tree");
    let at = rows.iter().position(|e| e.manager_id.is_none()).expect("root");
    let mut root = rows.swap_remove(at);
    attach_reports(&mut root, rows);
    root
}

/// Hangs the subtree's rows under `root`, each under its manager, reports in key order.
pub fn attach_reports(root: &mut HEmployee, rows: Vec<HEmployee>) {
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, e) in rows.iter().enumerate() {
        children.entry(e.manager_id.unwrap_or(0)).or_default().push(i);
    }
    for kids in children.values_mut() {
        kids.sort_by_key(|&k| rows[k].id);
    }
    let mut slots: Vec<Option<HEmployee>> = rows.into_iter().map(Some).collect();
    fn build(i: usize, slots: &mut [Option<HEmployee>], children: &HashMap<i64, Vec<usize>>) -> Option<HEmployee> {
        let mut e = slots[i].take()?;
        if let Some(kids) = children.get(&e.id) {
            e.reports = kids.iter().filter_map(|&k| build(k, slots, children)).collect();
        }
        Some(e)
    }
    if let Some(kids) = children.get(&root.id) {
        root.reports = kids.clone().into_iter().filter_map(|k| build(k, &mut slots, &children)).collect();
    }
}

/// The hand-written batch insert: 100 rows per `INSERT`, the users' keys by `RETURNING`.
pub fn hand_insert_all_users_and_posts(h: &Hand<'_>) {
    const BATCH: usize = 100;
    let many = |head: &str, width: usize, rows: usize, returning: &str| {
        let row = format!("({})", vec!["?"; width].join(", "));
        format!("{head} VALUES {}{returning}", vec![row; rows].join(", "))
    };
    h.conn.execute_batch("BEGIN").expect("begin");
    let mut ids: Vec<i64> = Vec::with_capacity(USERS);
    let names: Vec<String> = (0..USERS).map(|u| format!("user{u}")).collect();
    for chunk in names.chunks(BATCH) {
        let mut stmt = h.prepare(&many("INSERT INTO user (username)", 1, chunk.len(), " RETURNING id"));
        let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| r.get::<_, i64>(0)).expect("users");
        let mut got: Vec<i64> = rows.collect::<Result<_, _>>().expect("users");
        got.sort_unstable();
        ids.extend(got);
    }
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.";
    let posts: Vec<(String, i64)> = ids
        .iter()
        .enumerate()
        .flat_map(|(u, &id)| (0..POSTS_PER_USER).map(move |p| (format!("post {u}.{p}"), id)))
        .collect();
    for chunk in posts.chunks(BATCH) {
        let mut stmt = h.prepare(&many("INSERT INTO post (title, body, user_id)", 3, chunk.len(), ""));
        let params: Vec<&dyn rusqlite::ToSql> =
            chunk.iter().flat_map(|(t, id)| [t as &dyn rusqlite::ToSql, &body, id]).collect();
        stmt.execute(params.as_slice()).expect("posts");
    }
    h.conn.execute_batch("COMMIT").expect("commit");
    h.statements.set(h.statements.get() + 2);
}

pub fn hand_insert_users_and_posts(h: &Hand<'_>) {
    h.conn.execute_batch("BEGIN").expect("begin");
    for u in 0..USERS {
        h.prepare("INSERT INTO user (username) VALUES (?1)").execute([format!("user{u}")]).expect("user");
        let user = h.conn.last_insert_rowid();
        for p in 0..POSTS_PER_USER {
            h.prepare("INSERT INTO post (title, body, user_id) VALUES (?1, ?2, ?3)")
                .execute(params![
                    format!("post {u}.{p}"),
                    "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
                    user
                ])
                .expect("post");
        }
    }
    h.conn.execute_batch("COMMIT").expect("commit");
    h.statements.set(h.statements.get() + 2);
}

// ---- the workloads, hand-written side ----

pub fn h2(h: &Hand<'_>) -> Vec<HUser> {
    let mut users = hand_users(h);
    hand_attach_posts(h, &mut users);
    users
}

pub fn h3(h: &Hand<'_>) -> usize {
    let users = hand_users(h);
    users
        .iter()
        .map(|u| {
            let mut stmt = h.prepare("SELECT id, title, body, user_id FROM post WHERE user_id = ?1");
            let posts: Vec<HPost> =
                stmt.query_map([u.id], post_row).expect("posts").collect::<Result<_, _>>().expect("posts");
            posts.len()
        })
        .sum()
}

/// [`h3`] keeping each user's posts in the user, as a lazy load keeps them in the relationship
/// (for the profile `w3:keep`: what keeping them costs, beside the loop that drops them).
pub fn h3_keep(h: &Hand<'_>) -> Vec<HUser> {
    let mut users = hand_users(h);
    for u in &mut users {
        let mut stmt = h.prepare("SELECT id, title, body, user_id FROM post WHERE user_id = ?1");
        u.posts = stmt.query_map([u.id], post_row).expect("posts").collect::<Result<_, _>>().expect("posts");
    }
    users
}

pub fn h4(h: &Hand<'_>) -> Vec<HUser> {
    let mut users = hand_users(h);
    hand_attach_posts(h, &mut users);
    let mut posts: Vec<&mut HPost> = users.iter_mut().flat_map(|u| u.posts.iter_mut()).collect();
    hand_attach_comments(h, &mut posts);
    users
}

/// The joined statement, de-duplicated by hand: each owner's rows come together.
pub fn h2_joined(h: &Hand<'_>) -> Vec<HUser> {
    let mut stmt = h.prepare(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id FROM user u LEFT OUTER JOIN post p ON p.user_id = u.id",
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    let mut rows = stmt.query([]).expect("join");
    while let Some(r) = rows.next().expect("row") {
        let id: i64 = r.get(0).expect("id");
        if users.last().is_none_or(|u| u.id != id) {
            users.push(HUser { id, username: r.get(1).expect("username"), posts: Vec::new() });
        }
        if let Some(post_id) = r.get::<_, Option<i64>>(2).expect("post id") {
            let p = HPost {
                id: post_id,
                title: r.get(3).expect("title"),
                body: r.get(4).expect("body"),
                user_id: r.get(5).expect("user_id"),
                comments: Vec::new(),
                tags: Vec::new(),
            };
            users.last_mut().expect("pushed").posts.push(p);
        }
    }
    users
}

pub fn h4_joined(h: &Hand<'_>) -> Vec<HUser> {
    let mut stmt = h.prepare(
        "SELECT u.id, u.username, p.id, p.title, p.body, p.user_id, c.id, c.content, c.post_id FROM user u \
         LEFT OUTER JOIN post p ON p.user_id = u.id LEFT OUTER JOIN comment c ON c.post_id = p.id",
    );
    let mut users: Vec<HUser> = Vec::with_capacity(USERS);
    let mut rows = stmt.query([]).expect("join");
    while let Some(r) = rows.next().expect("row") {
        let id: i64 = r.get(0).expect("id");
        if users.last().is_none_or(|u| u.id != id) {
            users.push(HUser { id, username: r.get(1).expect("username"), posts: Vec::new() });
        }
        let user = users.last_mut().expect("pushed");
        let Some(post_id) = r.get::<_, Option<i64>>(2).expect("post id") else { continue };
        if user.posts.last().is_none_or(|p| p.id != post_id) {
            user.posts.push(HPost {
                id: post_id,
                title: r.get(3).expect("title"),
                body: r.get(4).expect("body"),
                user_id: r.get(5).expect("user_id"),
                comments: Vec::new(),
                tags: Vec::new(),
            });
        }
        if let Some(comment_id) = r.get::<_, Option<i64>>(6).expect("comment id") {
            let c =
                HComment { id: comment_id, content: r.get(7).expect("content"), post_id: r.get(8).expect("post_id") };
            user.posts.last_mut().expect("pushed").comments.push(c);
        }
    }
    users
}

pub fn h5_joined(h: &Hand<'_>) -> Vec<HPost> {
    let mut stmt = h.prepare(
        "SELECT p.id, p.title, p.body, p.user_id, t.id, t.name FROM post p \
         LEFT OUTER JOIN post_tags pt ON pt.post_id = p.id LEFT OUTER JOIN tag t ON t.id = pt.tag_id",
    );
    let mut posts: Vec<HPost> = Vec::with_capacity(USERS * POSTS_PER_USER);
    let mut rows = stmt.query([]).expect("join");
    while let Some(r) = rows.next().expect("row") {
        let id: i64 = r.get(0).expect("id");
        if posts.last().is_none_or(|p| p.id != id) {
            posts.push(HPost {
                id,
                title: r.get(1).expect("title"),
                body: r.get(2).expect("body"),
                user_id: r.get(3).expect("user_id"),
                comments: Vec::new(),
                tags: Vec::new(),
            });
        }
        if let Some(tag_id) = r.get::<_, Option<i64>>(4).expect("tag id") {
            posts.last_mut().expect("pushed").tags.push(HTag { id: tag_id, name: r.get(5).expect("name") });
        }
    }
    posts
}

pub fn h7(h: &Hand<'_>) -> usize {
    (1..=LOOKUPS)
        .map(|id| {
            let user = h
                .prepare("SELECT id, username FROM user WHERE id = ?1")
                .query_row([id], |r| Ok(HUser { id: r.get(0)?, username: r.get(1)?, posts: Vec::new() }))
                .expect("user");
            let mut stmt = h.prepare("SELECT id, title, body, user_id FROM post WHERE user_id = ?1");
            let posts: Vec<HPost> =
                stmt.query_map([user.id], post_row).expect("posts").collect::<Result<_, _>>().expect("posts");
            posts.len()
        })
        .sum()
}

/// The tables `relations` creates for the workloads' models (`IndexForeignKeys` over `User`,
/// `Post`, `Comment`, `Tag`, `Employee`), as it writes them: `benches/workloads.rs` checks that
/// a database seeded here is the one it seeds through `relations`, schema and rows.
pub const SCHEMA: &str = "CREATE TABLE user (
\tid INTEGER NOT NULL, 
\tusername VARCHAR(80) NOT NULL, 
\tPRIMARY KEY (id)
);
CREATE TABLE post (
\tid INTEGER NOT NULL, 
\ttitle VARCHAR(100) NOT NULL, 
\tbody TEXT NOT NULL, 
\tuser_id INTEGER NOT NULL, 
\tPRIMARY KEY (id), 
\tFOREIGN KEY(user_id) REFERENCES user (id)
);
CREATE INDEX ix_post_user_id ON post (user_id);
CREATE TABLE comment (
\tid INTEGER NOT NULL, 
\tcontent TEXT NOT NULL, 
\tpost_id INTEGER NOT NULL, 
\tPRIMARY KEY (id), 
\tFOREIGN KEY(post_id) REFERENCES post (id)
);
CREATE INDEX ix_comment_post_id ON comment (post_id);
CREATE TABLE tag (
\tid INTEGER NOT NULL, 
\tname VARCHAR(50) NOT NULL, 
\tPRIMARY KEY (id)
);
CREATE TABLE post_tags (
\tpost_id INTEGER NOT NULL, 
\ttag_id INTEGER NOT NULL, 
\tPRIMARY KEY (post_id, tag_id), 
\tFOREIGN KEY(post_id) REFERENCES post (id), 
\tFOREIGN KEY(tag_id) REFERENCES tag (id)
);
CREATE INDEX ix_post_tags_tag_id ON post_tags (tag_id);
CREATE TABLE employee (
\tid INTEGER NOT NULL, 
\tname VARCHAR(80) NOT NULL, 
\tmanager_id INTEGER, 
\tPRIMARY KEY (id), 
\tFOREIGN KEY(manager_id) REFERENCES employee (id)
);
CREATE INDEX ix_employee_manager_id ON employee (manager_id);";

/// Creates [`SCHEMA`] on an empty database and writes the workloads' rows, in the order the
/// `relations` seeding writes them: 1000 users × 10 posts × 3 comments, 50 tags with 5 per
/// post, an org chart of depth 6 and fan-out 4.
pub fn seed_by_hand(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    hand_insert_users_and_posts(&Hand { conn, statements: Cell::new(0) });
    conn.execute_batch("BEGIN")?;
    {
        let mut tag = conn.prepare("INSERT INTO tag (name) VALUES (?1)")?;
        for t in 0..TAGS {
            tag.execute([format!("tag{t}")])?;
        }
        let mut comment = conn.prepare("INSERT INTO comment (content, post_id) VALUES (?1, ?2)")?;
        let mut link = conn.prepare("INSERT INTO post_tags (post_id, tag_id) VALUES (?1, ?2)")?;
        for post in 1..=(USERS * POSTS_PER_USER) as i64 {
            for c in 0..COMMENTS_PER_POST {
                comment.execute(params![format!("comment {c}"), post])?;
            }
            let first = post as usize % TAGS;
            for i in 0..TAGS_PER_POST {
                link.execute(params![post, ((first + i * 7) % TAGS + 1) as i64])?;
            }
        }
        let mut employee = conn.prepare("INSERT INTO employee (name, manager_id) VALUES (?1, ?2)")?;
        employee.execute(params!["ceo", None::<i64>])?;
        let mut level = vec![(conn.last_insert_rowid(), "ceo".to_owned())];
        for _ in 0..ORG_DEPTH {
            let mut next = Vec::with_capacity(level.len() * ORG_FANOUT);
            for (boss, name) in &level {
                for i in 0..ORG_FANOUT {
                    let name = format!("{name}.{i}");
                    employee.execute(params![name, boss])?;
                    next.push((conn.last_insert_rowid(), name));
                }
            }
            level = next;
        }
    }
    conn.execute_batch("COMMIT")
}

/// Every table's `CREATE` statement and rows, in `rowid` order: what two seeded databases must
/// share for their workloads to be the same work.
pub fn contents(conn: &Connection) -> rusqlite::Result<Vec<(String, Vec<Vec<rusqlite::types::Value>>)>> {
    let mut tables = conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let tables: Vec<(String, String)> =
        tables.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(tables.len());
    for (name, sql) in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{name}\" ORDER BY rowid"))?;
        let width = stmt.column_count();
        let rows = stmt
            .query_map([], |r| (0..width).map(|i| r.get::<_, rusqlite::types::Value>(i)).collect())?
            .collect::<rusqlite::Result<_>>()?;
        out.push((sql, rows));
    }
    Ok(out)
}
