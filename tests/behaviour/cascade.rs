//! Cascades: what deleting, removing, replacing and saving a row does to the rows related to
//! it, as SQLAlchemy's `cascade=` and the foreign keys' `ON DELETE` say — atomically.

use crate::common;

use relations::{BelongsTo, Db, Error, HasMany, HasOne, ManyToMany, Model};

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    #[has_many(Post, inverse = author, cascade = "all, delete-orphan")]
    posts: HasMany<Post>,
    #[has_one(Profile, inverse = user, cascade = "all, delete-orphan")]
    profile: HasOne<Profile>,
    // no cascade, NOT NULL: a user who commented cannot be deleted
    #[has_many(Comment, inverse = user)]
    comments: HasMany<Comment>,
    // no cascade, nullable: unhooked
    #[has_many(Note, inverse = owner)]
    notes: HasMany<Note>,
}

#[derive(Model, Debug)]
struct Profile {
    id: i64,
    #[column(len = 200)]
    bio: String,
    #[belongs_to(User, unique, inverse = profile)]
    user: BelongsTo<User>,
}

#[derive(Model, Debug)]
struct Post {
    id: i64,
    #[column(len = 120)]
    title: String,
    #[belongs_to(User, inverse = posts)]
    author: BelongsTo<User>,
    #[has_many(Comment, inverse = post, cascade = "all")]
    comments: HasMany<Comment>,
    #[many_to_many(Tag, through = post_tags, backref = posts)]
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug)]
struct Comment {
    id: i64,
    #[column(text)]
    body: String,
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

#[derive(Model, Debug)]
struct Note {
    id: i64,
    #[column(text)]
    text: String,
    #[belongs_to(User, inverse = notes)]
    owner: BelongsTo<Option<User>>,
}

/// The database does the deleting: `ON DELETE CASCADE`, trusted with `passive_deletes`.
#[derive(Model, Debug)]
struct Job {
    id: i64,
    #[has_many(Task, inverse = job, passive_deletes)]
    tasks: HasMany<Task>,
}

#[derive(Model, Debug)]
struct Task {
    id: i64,
    #[belongs_to(Job, inverse = tasks, on_delete = "cascade")]
    job: BelongsTo<Job>,
}

/// The database refuses: `ON DELETE RESTRICT`.
#[derive(Model, Debug)]
struct Folder {
    id: i64,
}

#[derive(Model, Debug)]
struct File {
    id: i64,
    #[belongs_to(Folder, on_delete = "restrict")]
    folder: BelongsTo<Folder>,
}

/// A tree whose subtrees go with their root.
#[derive(Model, Debug)]
struct Node {
    id: i64,
    #[column(len = 20)]
    name: String,
    #[self_ref(children = kids, cascade = "all")]
    parent: BelongsTo<Option<Node>>,
}

fn db() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(User, Profile, Post, Comment, Tag, Note, Job, Task, Folder, File, Node)>().unwrap();
    db
}

fn user(db: &Db, name: &str) -> User {
    db.add(User { username: name.into(), ..Default::default() }).unwrap()
}

/// A user with `posts` posts, each with two comments by `commenter`.
fn author(db: &Db, name: &str, posts: usize, commenter: &User) -> User {
    let u = user(db, name);
    for i in 0..posts {
        let comments = (0..2)
            .map(|j| Comment { body: format!("c{j}"), user: BelongsTo::to(commenter), ..Default::default() })
            .collect();
        db.add(Post { title: format!("{name} {i}"), author: BelongsTo::to(&u), comments, ..Default::default() })
            .unwrap();
    }
    u
}

fn count(db: &Db, table: &str) -> i64 {
    common::scalar(db, &format!("SELECT count(*) FROM \"{table}\""))
}

/// SQLite's check of every foreign key (PostgreSQL enforces each at every statement).
fn foreign_key_check(db: &Db) -> Vec<String> {
    let Some(conn) = db.driver::<relations::rusqlite::Connection>() else { return Vec::new() };
    let mut stmt = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// Where the statement starting with `prefix` (names quoted the standard way) ran.
fn position(statements: &[String], prefix: &str) -> usize {
    statements
        .iter()
        .position(|s| s.replace('`', "\"").starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in {statements:#?}"))
}

fn deleting_a_parent_deletes_children_then_grandchildren_first_in_one_transaction() {
    let db = db();
    let bob = user(&db, "bob");
    let ann = author(&db, "ann", 3, &bob);
    let keep = author(&db, "cy", 1, &bob);
    db.delete_warm_up();
    let (deleted, sql) = db.record(|| ann.delete(&db));
    assert!(deleted.unwrap());
    assert_eq!(sql.first().map(String::as_str), Some(db.dialect().begin()));
    assert_eq!(sql.last().map(String::as_str), Some("COMMIT"));
    let (comments, posts, users) = (
        position(&sql, "DELETE FROM \"comment\""),
        position(&sql, "DELETE FROM \"post\""),
        position(&sql, "DELETE FROM \"user\""),
    );
    assert!(comments < posts && posts < users, "children first: {sql:#?}");
    assert_eq!(count(&db, "post"), 1);
    assert_eq!(count(&db, "comment"), 2);
    assert!(User::get(&db, keep.id).unwrap().is_some());
    assert!(foreign_key_check(&db).is_empty());

    // the number of statements does not grow with the number of rows
    let many = author(&db, "dee", 30, &bob);
    let (_, more) = db.record(|| many.delete(&db).unwrap());
    assert_eq!(more.len(), sql.len(), "{more:#?}");
}

trait WarmUp {
    fn delete_warm_up(&self);
}

impl WarmUp for Db {
    /// Reads the catalog (one statement, once per connection) so that recordings compare.
    fn delete_warm_up(&self) {
        let u = self.add(User { username: "warm-up".into(), ..Default::default() }).unwrap();
        u.delete(self).unwrap();
    }
}

fn a_refused_delete_changes_nothing_and_names_the_reference() {
    let db = db();
    let bob = user(&db, "bob");
    // bob wrote a post (cascade) and commented (no cascade, NOT NULL)
    author(&db, "ann", 1, &bob);
    db.add(Post { title: "bob's".into(), author: BelongsTo::to(&bob), ..Default::default() }).unwrap();
    let before = (count(&db, "post"), count(&db, "comment"), count(&db, "user"));
    let err = bob.delete(&db).unwrap_err();
    assert!(
        matches!(&err, Error::Referenced { table: "user", by, relationship: Some(r), restrict: false, .. }
            if by == "comment.user_id" && r == "user.comments"),
        "{err:?}"
    );
    // the posts cascade ran before the refusal, and was rolled back with it
    assert_eq!((count(&db, "post"), count(&db, "comment"), count(&db, "user")), before);
}

fn nullable_references_without_cascade_are_unhooked() {
    let db = db();
    let ann = user(&db, "ann");
    let note = db.add(Note { text: "n".into(), owner: BelongsTo::to(&ann), ..Default::default() }).unwrap();
    ann.delete(&db).unwrap();
    assert_eq!(Note::get(&db, note.id).unwrap().unwrap().owner.key(), &None);
}

fn removing_a_child_deletes_it_under_delete_orphan() {
    let db = db();
    let bob = user(&db, "bob");
    let ann = author(&db, "ann", 2, &bob);
    let first = ann.posts(&db).order_by(Post::id).first().unwrap().unwrap();
    assert!(ann.posts(&db).remove(&first).unwrap());
    assert!(Post::get(&db, first.id).unwrap().is_none());
    // its comments went with it (Post.comments cascades delete)
    assert_eq!(count(&db, "comment"), 2);
    // a row that is not one of the owner's rows is not removed
    let other = author(&db, "cy", 1, &bob).posts(&db).first().unwrap().unwrap();
    assert!(!ann.posts(&db).remove(&other).unwrap());
    assert!(Post::get(&db, other.id).unwrap().is_some());
    assert!(foreign_key_check(&db).is_empty());
}

fn removing_a_child_without_delete_orphan_unhooks_it_or_fails_typed() {
    let db = db();
    let bob = user(&db, "bob");
    let ann = author(&db, "ann", 1, &bob);
    // nullable: the foreign key is set to NULL
    let note = db.add(Note { text: "n".into(), owner: BelongsTo::to(&ann), ..Default::default() }).unwrap();
    assert!(ann.notes(&db).remove(&note).unwrap());
    assert_eq!(Note::get(&db, note.id).unwrap().unwrap().owner.key(), &None);
    // NOT NULL: refused, nothing changed
    let comment = bob.comments(&db).first().unwrap().unwrap();
    let err = bob.comments(&db).remove(&comment).unwrap_err();
    assert!(
        matches!(&err, Error::Orphan { relationship, column, owner_key: false } if relationship == "user.comments" && column == "comment.user_id"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "a row left `user.comments`, but `comment.user_id` is NOT NULL so it cannot be unhooked; declare `cascade = \"all, delete-orphan\"` to delete it instead");
    assert_eq!(Comment::get(&db, comment.id).unwrap().unwrap().user.key(), &bob.id);
}

fn replacing_a_has_one_deletes_the_old_row_first_despite_the_unique_key() {
    let db = db();
    let ann = user(&db, "ann");
    let mut first = Profile { bio: "first".into(), ..Default::default() };
    ann.profile(&db).set(&mut first).unwrap();
    let mut second = Profile { bio: "second".into(), ..Default::default() };
    let (_, sql) = db.record(|| ann.profile(&db).set(&mut second).unwrap());
    assert!(position(&sql, "DELETE FROM \"profile\"") < position(&sql, "INSERT INTO \"profile\""), "{sql:#?}");
    assert_eq!(ann.profile(&db).get().unwrap().unwrap().bio, "second");
    assert_eq!(count(&db, "profile"), 1);
    // setting the same row again changes nothing but the row itself
    second.bio = "again".into();
    ann.profile(&db).set(&mut second).unwrap();
    assert_eq!(Profile::get(&db, second.id).unwrap().unwrap().bio, "again");
    assert_eq!(count(&db, "profile"), 1);
}

fn deleting_either_side_of_a_many_to_many_removes_only_association_rows() {
    let db = db();
    let ann = user(&db, "ann");
    let rust = db.add(Tag { name: "rust".into(), ..Default::default() }).unwrap();
    let sql = db.add(Tag { name: "sql".into(), ..Default::default() }).unwrap();
    let p1 = db.add(Post { title: "p1".into(), author: BelongsTo::to(&ann), ..Default::default() }).unwrap();
    let p2 = db.add(Post { title: "p2".into(), author: BelongsTo::to(&ann), ..Default::default() }).unwrap();
    p1.tags(&db).extend([&rust, &sql]).unwrap();
    p2.tags(&db).extend([&rust, &sql]).unwrap();
    // the side that declares the relationship
    p1.delete(&db).unwrap();
    assert_eq!(count(&db, "post_tags"), 2);
    assert_eq!(count(&db, "tag"), 2);
    // the backref side: `Tag::posts` is generated by `Post`'s derive
    rust.delete(&db).unwrap();
    assert_eq!(count(&db, "post_tags"), 1);
    assert!(Post::get(&db, p2.id).unwrap().is_some());
    assert_eq!(p2.tags(&db).all().unwrap().into_iter().map(|t| t.name).collect::<Vec<_>>(), ["sql"]);
    assert!(foreign_key_check(&db).is_empty());
}

fn saving_a_parent_saves_its_new_children_links_and_association_rows_in_one_transaction() {
    let db = db();
    let ann = user(&db, "ann");
    let existing = db.add(Tag { name: "rust".into(), ..Default::default() }).unwrap();
    let post = Post {
        title: "p".into(),
        author: BelongsTo::to(&ann),
        comments: vec![Comment { body: "first!".into(), user: BelongsTo::to(&ann), ..Default::default() }].into(),
        tags: vec![existing.clone(), Tag { name: "new".into(), ..Default::default() }].into(),
        ..Default::default()
    };
    let (post, sql) = db.record(|| db.add(post).unwrap());
    assert_eq!(sql.first().map(String::as_str), Some(db.dialect().begin()));
    assert_eq!(sql.last().map(String::as_str), Some("COMMIT"));
    // what was saved is in the fields, with its keys
    let comment = &post.comments.loaded().unwrap()[0];
    assert!(comment.id > 0 && comment.post.key() == &post.id);
    let tags: Vec<(i64, &str)> = post.tags.loaded().unwrap().iter().map(|t| (t.id, t.name.as_str())).collect();
    assert_eq!(tags, [(existing.id, "rust"), (existing.id + 1, "new")]);
    // and in the database
    let mut names: Vec<String> = post.tags(&db).all().unwrap().into_iter().map(|t| t.name).collect();
    names.sort();
    assert_eq!(names, ["new", "rust"]);
    assert_eq!(post.comments(&db).count().unwrap(), 1);

    // a failure part-way leaves nothing behind: the second tag's name is taken
    let bad = Post {
        title: "bad".into(),
        author: BelongsTo::to(&ann),
        tags: vec![
            Tag { name: "fresh".into(), ..Default::default() },
            Tag { name: "rust".into(), ..Default::default() },
        ]
        .into(),
        ..Default::default()
    };
    assert!(matches!(db.add(bad), Err(Error::UniqueViolation { .. })));
    assert_eq!((count(&db, "post"), count(&db, "tag"), count(&db, "post_tags")), (1, 2, 2));

    // an existing owner: `push` then `save` inserts only the new rows
    let mut ann = ann;
    ann.posts.push(Post { title: "later".into(), ..Default::default() });
    ann.save(&db).unwrap();
    assert_eq!(ann.posts(&db).count().unwrap(), 2);
}

fn on_delete_is_declared_in_the_schema_and_left_to_the_database() {
    let db = db();
    let schema = db.schema::<(Job, Task, Folder, File)>().join("\n");
    assert!(schema.contains("FOREIGN KEY(job_id) REFERENCES job (id) ON DELETE CASCADE"), "{schema}");
    assert!(schema.contains("FOREIGN KEY(folder_id) REFERENCES folder (id) ON DELETE RESTRICT"), "{schema}");

    let job = db.add(Job::default()).unwrap();
    for _ in 0..3 {
        db.add(Task { job: BelongsTo::to(&job), ..Default::default() }).unwrap();
    }
    db.delete_warm_up();
    // passive_deletes: no statement touches `task`, the database deletes the rows
    let (_, sql) = db.record(|| job.delete(&db).unwrap());
    assert!(!sql.iter().any(|s| s.contains("\"task\"")), "{sql:#?}");
    assert_eq!(count(&db, "task"), 0);

    let folder = db.add(Folder::default()).unwrap();
    db.add(File { folder: BelongsTo::to(&folder), ..Default::default() }).unwrap();
    let err = folder.delete(&db).unwrap_err();
    // MariaDB stores no difference between `ON DELETE RESTRICT` and none (both refuse at once)
    let restrict = db.backend_name() != "mariadb";
    assert!(matches!(&err, Error::Referenced { table: "folder", restrict: r, .. } if *r == restrict), "{err:?}");
    assert_eq!(count(&db, "folder"), 1);
}

fn a_self_referential_cascade_deletes_the_whole_subtree() {
    let db = db();
    let node = |name: &str, parent: Option<&Node>| {
        db.add(Node {
            name: name.into(),
            parent: parent.map_or_else(Default::default, BelongsTo::to),
            ..Default::default()
        })
        .unwrap()
    };
    let root = node("root", None);
    let a = node("a", Some(&root));
    let a1 = node("a1", Some(&a));
    node("a1x", Some(&a1));
    node("b", Some(&root));
    let other = node("other", None);
    a.delete(&db).unwrap();
    let left: Vec<String> = Node::query(&db).order_by(Node::id).all().unwrap().into_iter().map(|n| n.name).collect();
    assert_eq!(left, ["root", "b", "other"]);
    assert!(Node::get(&db, other.id).unwrap().is_some());
    assert!(foreign_key_check(&db).is_empty());
}

// sqlite only
#[test]
fn an_injected_failure_on_the_third_delete_leaves_everything_unchanged() {
    let db = db();
    let bob = user(&db, "bob");
    // one post with two comments: the cascade deletes both comments (one statement), then the
    // post (the next statement), which is the third row deleted
    let ann = author(&db, "ann", 1, &bob);
    author(&db, "cy", 1, &bob);
    // every row deleted from comment or post counts; the third one raises
    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute_batch(
            "CREATE TABLE deletes (n INTEGER NOT NULL); INSERT INTO deletes VALUES (0);
             CREATE TRIGGER count_comment BEFORE DELETE ON comment BEGIN
               UPDATE deletes SET n = n + 1;
               SELECT RAISE(ABORT, 'injected failure') WHERE (SELECT n FROM deletes) >= 3;
             END;
             CREATE TRIGGER count_post BEFORE DELETE ON post BEGIN
               UPDATE deletes SET n = n + 1;
               SELECT RAISE(ABORT, 'injected failure') WHERE (SELECT n FROM deletes) >= 3;
             END;",
        )
        .unwrap();
    db.forget_schema();
    let snapshot = |db: &Db| -> Vec<(String, i64)> {
        ["user", "post", "comment", "deletes"]
            .iter()
            .map(|t| {
                let sum: i64 = db
                    .driver::<relations::rusqlite::Connection>()
                    .unwrap()
                    .query_row(&format!("SELECT count(*) * 1000 + total(rowid) FROM \"{t}\""), [], |r| {
                        r.get::<_, f64>(0)
                    })
                    .unwrap() as i64;
                (t.to_string(), sum)
            })
            .collect()
    };
    let before = snapshot(&db);
    let n: i64 = db
        .driver::<relations::rusqlite::Connection>()
        .unwrap()
        .query_row("SELECT n FROM deletes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let err = ann.delete(&db).unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_eq!(snapshot(&db), before);
    let n: i64 = db
        .driver::<relations::rusqlite::Connection>()
        .unwrap()
        .query_row("SELECT n FROM deletes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "the counter's updates were rolled back too");
    assert!(db.driver::<relations::rusqlite::Connection>().unwrap().is_autocommit(), "no transaction left open");
    // and the same delete goes through once the trigger is gone
    db.driver::<relations::rusqlite::Connection>()
        .unwrap()
        .execute_batch("DROP TRIGGER count_comment; DROP TRIGGER count_post;")
        .unwrap();
    assert!(ann.delete(&db).unwrap());
    assert_eq!((count(&db, "post"), count(&db, "comment")), (1, 2), "cy's post and comments stay");
}

both_backends!(
    deleting_a_parent_deletes_children_then_grandchildren_first_in_one_transaction,
    a_refused_delete_changes_nothing_and_names_the_reference,
    nullable_references_without_cascade_are_unhooked,
    removing_a_child_deletes_it_under_delete_orphan,
    removing_a_child_without_delete_orphan_unhooks_it_or_fails_typed,
    replacing_a_has_one_deletes_the_old_row_first_despite_the_unique_key,
    deleting_either_side_of_a_many_to_many_removes_only_association_rows,
    saving_a_parent_saves_its_new_children_links_and_association_rows_in_one_transaction,
    on_delete_is_declared_in_the_schema_and_left_to_the_database,
    a_self_referential_cascade_deletes_the_whole_subtree,
);
