//! The blog's models, shared by the behaviour tests.
#![allow(dead_code)]

#[macro_use]
pub mod backends;
#[allow(unused_imports)]
pub use backends::{
    foreign_key_violations, fresh, no_transaction_open, quoted, raw, scalar, serial, shared, strings, table_names,
    TestDb,
};

use relations::chrono::NaiveDateTime;
use relations::{BelongsTo, Db, HasMany, HasOne, ManyToMany, Model};

#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    #[column(unique, len = 80)]
    pub username: String,
    pub karma: Option<i64>,
    #[has_many(Post, inverse = author)]
    pub posts: HasMany<Post>,
    #[has_one(UserProfile, inverse = user)]
    pub profile: HasOne<UserProfile>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct UserProfile {
    pub id: i64,
    #[column(len = 200)]
    pub website: Option<String>,
    #[belongs_to(User, unique, inverse = profile)]
    pub user: BelongsTo<User>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    #[column(len = 120)]
    pub title: String,
    #[column(default = now)]
    pub created_at: Option<NaiveDateTime>,
    #[belongs_to(User, inverse = posts)]
    pub author: BelongsTo<User>,
    #[has_many(Comment, inverse = post)]
    pub comments: HasMany<Comment>,
    #[many_to_many(Tag, through = post_tags, backref = posts)]
    pub tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: i64,
    #[column(text)]
    pub content: String,
    #[belongs_to(Post)]
    pub post: BelongsTo<Post>,
    #[belongs_to(User, backref = comments)]
    pub user: BelongsTo<User>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tag {
    pub id: i64,
    #[column(unique, len = 50)]
    pub name: String,
}

/// The blog's tables in a new database on the current backend.
pub fn db() -> TestDb {
    let db = fresh();
    db.create_all::<(User, UserProfile, Post, Comment, Tag)>().expect("create_all");
    db
}

pub fn user(db: &Db, name: &str) -> User {
    db.add(User { username: name.into(), ..Default::default() }).expect("insert user")
}

pub fn post(db: &Db, author: &User, title: &str) -> Post {
    db.add(Post { title: title.into(), author: BelongsTo::to(author), ..Default::default() }).expect("insert post")
}

/// The schema of a fixture database: one of the 13 Flask-SQLAlchemy files
/// (`tests/fixtures/sqlalchemy/<name>.db`), or a schema's SQL run on an in-memory SQLite
/// database: SQLAlchemy's (`tests/fixtures/sqlalchemy/<name>.sql`: `composite`, `constraints`)
/// or the 21-table schema's (`tests/fixtures/shop21.sql`).
pub fn fixture_schema(name: &str) -> relations::catalog::Catalog {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let file = fixtures.join(format!("sqlalchemy/{name}.db"));
    let db = if file.exists() {
        Db::open(file).unwrap()
    } else {
        let sql = [fixtures.join(format!("sqlalchemy/{name}.sql")), fixtures.join(format!("{name}.sql"))]
            .into_iter()
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("no fixture named {name}"));
        let conn = relations::rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(&std::fs::read_to_string(sql).unwrap()).unwrap();
        Db::from_connection(conn).unwrap()
    };
    db.inspect().unwrap()
}
