//! Every relationship kind: loading, caching, scoped queries, linking, both sides.

use crate::common;

use common::{db, post, user, Comment, Post, Tag, User, UserProfile};
use relations::{BelongsTo, Db, Error, HasMany, ManyToMany, Model};

fn has_many_loads_once_and_keeps_the_rows() {
    let db = db();
    let ann = user(&db, "ann");
    post(&db, &ann, "one");
    post(&db, &ann, "two");
    let before = db.statement_count();
    let titles: Vec<&str> = ann.posts(&db).load().unwrap().iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["one", "two"]);
    assert_eq!(ann.posts(&db).load().unwrap().len(), 2);
    assert_eq!(db.statement_count() - before, 1, "the second load is served from the field");
    assert_eq!(ann.posts.loaded().map(<[Post]>::len), Some(2));
}

fn has_many_dynamic_queries_are_scoped_to_the_owner() {
    let db = db();
    let (ann, bob) = (user(&db, "ann"), user(&db, "bob"));
    for t in ["a1", "a2", "a3"] {
        post(&db, &ann, t);
    }
    post(&db, &bob, "b1");
    assert_eq!(ann.posts(&db).count().unwrap(), 3);
    assert_eq!(bob.posts(&db).all().unwrap().len(), 1);
    let latest = ann.posts(&db).order_by(Post::title.desc()).limit(2).all().unwrap();
    assert_eq!(latest.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["a3", "a2"]);
    assert_eq!(ann.posts(&db).filter_by(Post::title, "b1").count().unwrap(), 0, "bob's post is not ann's");
    assert!(ann.posts(&db).exists().unwrap());
}

fn has_many_add_links_and_saves_a_child() {
    let db = db();
    let (ann, bob) = (user(&db, "ann"), user(&db, "bob"));
    let mut p = Post { title: "moved".into(), author: BelongsTo::to(&ann), ..Default::default() };
    ann.posts(&db).add(&mut p).unwrap();
    assert!(!p.is_new(), "a new child is inserted");
    bob.posts(&db).add(&mut p).unwrap(); // reassign: an update
    assert_eq!(p.author.key(), &bob.id);
    assert_eq!(Post::get(&db, p.id).unwrap().unwrap().author.key(), &bob.id);
    assert_eq!(ann.posts(&db).count().unwrap(), 0);
    let unsaved = User { username: "new".into(), ..Default::default() };
    assert!(matches!(unsaved.posts(&db).add(&mut p), Err(Error::Unsaved { table: "user", .. })));
    assert_eq!(unsaved.posts(&db).count().unwrap(), 0, "an unsaved owner has no rows");
}

fn reset_forgets_loaded_rows() {
    let db = db();
    let mut ann = user(&db, "ann");
    assert!(ann.posts(&db).load().unwrap().is_empty());
    post(&db, &ann, "later");
    assert!(ann.posts(&db).load().unwrap().is_empty(), "load keeps what it loaded");
    ann.posts.reset();
    assert_eq!(ann.posts(&db).load().unwrap().len(), 1);
}

fn belongs_to_loads_the_parent_once() {
    let db = db();
    let ann = user(&db, "ann");
    let p = post(&db, &ann, "t");
    let before = db.statement_count();
    assert_eq!(p.author(&db).load().unwrap().username, "ann");
    assert_eq!(p.author(&db).load().unwrap().id, ann.id);
    assert_eq!(db.statement_count() - before, 1);
    assert_eq!(p.author(&db).key(), &ann.id);
    let mut p = p;
    let bob = user(&db, "bob");
    p.author.set(&bob);
    assert_eq!(p.author(&db).load().unwrap().username, "bob", "set forgets the loaded parent");
}

fn has_one_is_optional() {
    let db = db();
    let ann = user(&db, "ann");
    assert!(ann.profile(&db).load().unwrap().is_none());
    let bob = user(&db, "bob");
    db.add(UserProfile { website: Some("https://b.example".into()), user: BelongsTo::to(&bob), ..Default::default() })
        .unwrap();
    assert_eq!(bob.profile(&db).load().unwrap().and_then(|p| p.website.clone()).as_deref(), Some("https://b.example"));
    assert!(bob.profile(&db).get().unwrap().is_some());
    // the UNIQUE foreign key makes it one-to-one
    let second = db.add(UserProfile { user: BelongsTo::to(&bob), ..Default::default() });
    match second {
        Err(Error::UniqueViolation { table, columns, .. }) => {
            assert_eq!(table, "user_profile");
            assert_eq!(columns, ["user_id"]);
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }
}

fn many_to_many_links_from_both_sides() {
    let db = db();
    let p = post(&db, &user(&db, "ann"), "p");
    let tags = db.add_all(["rust", "sql", "orm"].map(|n| Tag { name: n.into(), ..Default::default() })).unwrap();
    p.tags(&db).extend(&tags[..2]).unwrap();
    assert!(p.tags(&db).contains(&tags[0]).unwrap());
    assert!(!p.tags(&db).contains(&tags[2]).unwrap());
    assert_eq!(tags[1].posts(&db).all().unwrap()[0].id, p.id, "the backref sees the link");
    assert!(tags[2].posts(&db).add(&p).is_ok(), "linking from the other side");
    assert_eq!(p.tags(&db).count().unwrap(), 3);
    assert!(p.tags(&db).remove(&tags[0]).unwrap());
    assert!(!p.tags(&db).remove(&tags[0]).unwrap(), "already unlinked");
    assert_eq!(
        p.tags(&db).order_by(Tag::name).all().unwrap().into_iter().map(|t| t.name).collect::<Vec<_>>(),
        ["orm", "sql"]
    );
    match p.tags(&db).add(&tags[1]) {
        Err(Error::UniqueViolation { table, columns, .. }) => {
            assert_eq!(table, "post_tags");
            assert_eq!(columns, ["post_id", "tag_id"]);
        }
        other => panic!("a duplicate link must be a unique violation, got {other:?}"),
    }
    let unsaved = Tag { name: "new".into(), ..Default::default() };
    assert!(matches!(p.tags(&db).add(&unsaved), Err(Error::Unsaved { table: "tag", .. })));
    assert!(!p.tags(&db).contains(&unsaved).unwrap());
}

fn belongs_to_backref_is_a_scoped_query() {
    let db = db();
    let (ann, bob) = (user(&db, "ann"), user(&db, "bob"));
    let p = post(&db, &ann, "p");
    for (who, text) in [(&ann, "mine"), (&bob, "nice"), (&bob, "again")] {
        db.add(Comment {
            content: text.into(),
            post: BelongsTo::to(&p),
            user: BelongsTo::to(who),
            ..Default::default()
        })
        .unwrap();
    }
    assert_eq!(bob.comments(&db).count().unwrap(), 2);
    assert_eq!(p.comments(&db).count().unwrap(), 3);
    assert_eq!(
        bob.comments(&db).filter_by(Comment::content, "nice").one().unwrap().user(&db).load().unwrap().id,
        bob.id
    );
}

// ---- association models and self-references -------------------------------------------------

#[derive(Model, Debug)]
struct Student {
    id: i64,
    #[column(len = 40)]
    name: String,
    #[many_to_many(Course, through = Enrollment, backref = students)]
    courses: ManyToMany<Course>,
    #[has_many(Enrollment, inverse = student)]
    enrollments: HasMany<Enrollment>,
}

#[derive(Model, Debug)]
struct Course {
    id: i64,
    #[column(len = 40)]
    title: String,
}

#[derive(Model, Debug)]
struct Enrollment {
    #[key]
    #[belongs_to(Student, inverse = enrollments)]
    student: BelongsTo<Student>,
    #[key]
    #[belongs_to(Course)]
    course: BelongsTo<Course>,
    grade: Option<i32>,
}

fn many_to_many_through_an_association_model() {
    let db = common::fresh();
    db.create_all::<(Student, Course, Enrollment)>().unwrap();
    let s = db.add(Student { name: "s".into(), ..Default::default() }).unwrap();
    let (c1, c2) = (
        db.add(Course { title: "c1".into(), ..Default::default() }).unwrap(),
        db.add(Course { title: "c2".into(), ..Default::default() }).unwrap(),
    );
    db.add(Enrollment { student: BelongsTo::to(&s), course: BelongsTo::to(&c1), grade: Some(90) }).unwrap();
    s.courses(&db).add(&c2).unwrap(); // a link row with the other columns at their defaults
    assert_eq!(s.courses(&db).count().unwrap(), 2);
    assert_eq!(c1.students(&db).all().unwrap()[0].name, "s");
    let mut e = Enrollment::get(&db, (s.id, c2.id)).unwrap().expect("the link is a row");
    assert_eq!(e.grade, None);
    e.grade = Some(75);
    e.update(&db).unwrap();
    let grades: Vec<Option<i32>> = s.enrollments(&db).load().unwrap().iter().map(|e| e.grade).collect();
    assert_eq!(grades, [Some(90), Some(75)]);
    assert!(e.delete(&db).unwrap());
    assert_eq!(s.courses(&db).count().unwrap(), 1);
}

#[derive(Model, Debug)]
struct Node {
    id: i64,
    #[column(len = 10)]
    name: String,
    #[self_ref(children = children)]
    parent: BelongsTo<Option<Node>>,
}

fn tree(db: &Db) -> Vec<Node> {
    db.create_all::<(Node,)>().unwrap();
    // root ─┬─ a ─┬─ a1
    //       │     └─ a2 ── a2x
    //       └─ b
    let mut nodes: Vec<Node> = Vec::new();
    for (name, parent) in
        [("root", None), ("a", Some(0)), ("b", Some(0)), ("a1", Some(1)), ("a2", Some(1)), ("a2x", Some(4))]
    {
        let parent = parent.map_or_else(BelongsTo::default, |i: usize| BelongsTo::to(&nodes[i]));
        nodes.push(db.add(Node { name: name.into(), parent, ..Default::default() }).unwrap());
    }
    nodes
}

fn names(nodes: Vec<Node>) -> Vec<String> {
    nodes.into_iter().map(|n| n.name).collect()
}

fn self_ref_parent_children_ancestors_descendants() {
    let db = common::fresh();
    let n = tree(&db);
    assert!(n[0].parent(&db).load().unwrap().is_none());
    assert_eq!(n[4].parent(&db).load().unwrap().map(|p| p.name.as_str()), Some("a"));
    assert_eq!(names(n[1].children(&db).all().unwrap()), ["a1", "a2"]);
    let before = db.statement_count();
    assert_eq!(names(n[5].ancestors(&db).unwrap()), ["a2", "a", "root"]);
    assert_eq!(names(n[0].descendants(&db).unwrap()), ["a", "b", "a1", "a2", "a2x"], "level by level");
    assert_eq!(db.statement_count() - before, 2, "one recursive statement each");
    assert!(n[0].ancestors(&db).unwrap().is_empty());
    assert!(n[5].descendants(&db).unwrap().is_empty());
}

fn self_ref_recursion_survives_a_cycle() {
    let db = common::fresh();
    let n = tree(&db);
    // make root a child of a2x: a cycle root → a → a2 → a2x → root
    common::raw(&db, "UPDATE node SET parent_id = 6 WHERE id = 1");
    let root = Node::get(&db, 1).unwrap().unwrap();
    let up = names(root.ancestors(&db).unwrap());
    assert_eq!(up, ["a2x", "a2", "a", "root"], "each row once, then stop");
    let down = names(n[1].descendants(&db).unwrap());
    assert_eq!(down.len(), 6, "every row once: {down:?}");
}

both_backends!(
    has_many_loads_once_and_keeps_the_rows,
    has_many_dynamic_queries_are_scoped_to_the_owner,
    has_many_add_links_and_saves_a_child,
    reset_forgets_loaded_rows,
    belongs_to_loads_the_parent_once,
    has_one_is_optional,
    many_to_many_links_from_both_sides,
    belongs_to_backref_is_a_scoped_query,
    many_to_many_through_an_association_model,
    self_ref_parent_children_ancestors_descendants,
    self_ref_recursion_survives_a_cycle,
);

/// Polymorphic owners: a comment belongs to a post *or* a photo, one nullable foreign key per
/// owner model and a CHECK that exactly one is set; `comment.commentable(&db)` returns the
/// owner as an enum; each owner's comments are an ordinary relationship.
mod polymorphic {
    use super::common;
    use relations::{joinedload, selectinload, BelongsTo, Error, HasMany, Model, Owner};

    #[derive(Model, Debug)]
    pub struct Article {
        pub id: i64,
        pub title: String,
        #[has_many(Remark, inverse = article, cascade = "all, delete-orphan")]
        pub remarks: HasMany<Remark>,
    }

    #[derive(Model, Debug)]
    pub struct Photo {
        pub id: i64,
        pub url: String,
        #[has_many(Remark, inverse = photo)]
        pub remarks: HasMany<Remark>,
    }

    #[derive(Owner, Debug)]
    pub enum Remarkable {
        Article(Article),
        Photo(Photo),
    }

    #[derive(Model, Debug)]
    pub struct Remark {
        pub id: i64,
        pub body: String,
        #[belongs_to(Article, owner = Remarkable)]
        pub article: BelongsTo<Option<Article>>,
        #[belongs_to(Photo, owner = Remarkable)]
        pub photo: BelongsTo<Option<Photo>>,
    }

    type All = (Article, Photo, Remark);

    fn setup() -> (common::TestDb, Article, Photo) {
        let db = common::fresh();
        db.create_all::<All>().unwrap();
        let article = db.add(Article { title: "On owners".into(), ..Default::default() }).unwrap();
        let photo = db.add(Photo { url: "sea.jpg".into(), ..Default::default() }).unwrap();
        (db, article, photo)
    }

    fn remark(body: &str) -> Remark {
        Remark { body: body.into(), ..Default::default() }
    }

    pub fn the_ddl_has_one_key_per_owner_and_a_check_that_one_is_set() {
        let db = common::fresh();
        let ddl = db.schema::<All>().into_iter().find(|s| s.starts_with("CREATE TABLE remark")).unwrap();
        assert!(ddl.contains("\tarticle_id INTEGER, \n\tphoto_id INTEGER, \n"), "{ddl}");
        assert!(
            ddl.contains(
                "CONSTRAINT ck_remark_remarkable CHECK (CASE WHEN article_id IS NULL THEN 0 ELSE 1 END + CASE WHEN photo_id IS NULL THEN 0 ELSE 1 END = 1)"
            ),
            "{ddl}"
        );
        assert!(ddl.contains("FOREIGN KEY(article_id) REFERENCES article (id)"), "{ddl}");
        assert!(ddl.contains("FOREIGN KEY(photo_id) REFERENCES photo (id)"), "{ddl}");
    }

    pub fn the_accessor_returns_the_owner_as_an_enum() {
        let (db, article, photo) = setup();
        let mut on_article = remark("nice read");
        on_article.set_remarkable(&article);
        let on_article = db.add(on_article).unwrap();
        let mut on_photo = remark("nice view");
        on_photo.set_remarkable(&photo);
        let on_photo = db.add(on_photo).unwrap();

        let owner = db.assert_statements(1, || on_article.remarkable(&db).unwrap());
        assert!(matches!(&owner, Remarkable::Article(a) if a.title == "On owners"), "{owner:?}");
        assert_eq!(owner.table(), "article");
        // kept in the field: the second call reads nothing
        db.assert_statements(0, || on_article.remarkable(&db).unwrap());
        assert!(matches!(on_photo.remarkable(&db).unwrap(), Remarkable::Photo(p) if p.url == "sea.jpg"));

        // eager options on the owner fields load every owner with the rows
        let remarks = db.assert_statements(3, || {
            Remark::query(&db)
                .options(selectinload(Remark::ARTICLE))
                .options(selectinload(Remark::PHOTO))
                .all()
                .unwrap()
        });
        let owners =
            db.assert_statements(0, || remarks.iter().map(|r| r.remarkable(&db).unwrap().table()).collect::<Vec<_>>());
        assert_eq!(owners, ["article", "photo"]);

        // pointing a row at another owner lets go of the first
        let mut moved = Remark::get(&db, on_article.id).unwrap().unwrap();
        moved.set_remarkable(&photo);
        assert_eq!((*moved.article.key(), *moved.photo.key()), (None, Some(photo.id)));
        moved.update(&db).unwrap();
        let back = Remark::get(&db, on_article.id).unwrap().unwrap();
        assert!(matches!(back.remarkable(&db).unwrap(), Remarkable::Photo(_)));
    }

    pub fn the_database_keeps_exactly_one_owner() {
        let (db, article, photo) = setup();
        // no owner: refused by the accessor, and by the database
        let orphan = remark("lost");
        match orphan.remarkable(&db) {
            Err(Error::NotOneOwner { relationship, columns, set: 0 }) => {
                assert_eq!(relationship, "remark.remarkable");
                assert_eq!(columns, ["article_id", "photo_id"]);
            }
            other => panic!("expected NotOneOwner, got {other:?}"),
        }
        let check =
            |e: Error| matches!(&e, Error::CheckViolation { constraint, .. } if constraint == "ck_remark_remarkable");
        assert!(check(db.add(remark("lost")).unwrap_err()));
        // two owners: the same
        let both = Remark {
            body: "both".into(),
            article: BelongsTo::to(&article),
            photo: BelongsTo::to(&photo),
            ..Default::default()
        };
        let err = both.remarkable(&db).unwrap_err();
        assert!(matches!(&err, Error::NotOneOwner { set: 2, .. }), "{err:?}");
        assert!(err.to_string().contains("article_id, photo_id are set"), "{err}");
        assert!(check(db.add(both).unwrap_err()));
        assert_eq!(Remark::query(&db).count().unwrap(), 0, "nothing was written");
    }

    pub fn each_owners_collection_is_an_ordinary_relationship() {
        let (db, article, photo) = setup();
        for (body, on_article) in [("a1", true), ("p1", false), ("a2", true), ("p2", false), ("p3", false)] {
            let mut r = remark(body);
            if on_article {
                r.set_remarkable(&article);
            } else {
                r.set_remarkable(&photo);
            }
            db.add(r).unwrap();
        }
        let bodies = |rs: &[Remark]| rs.iter().map(|r| r.body.clone()).collect::<Vec<_>>();
        assert_eq!(bodies(article.remarks(&db).load().unwrap()), ["a1", "a2"]);
        let photos = db.assert_statements(1, || Photo::query(&db).options(joinedload(Photo::REMARKS)).all().unwrap());
        assert_eq!(bodies(photos[0].remarks.loaded().unwrap()), ["p1", "p2", "p3"]);
        let with_a2 = Article::query(&db).filter(Article::REMARKS.any(Remark::body.eq("a2"))).count().unwrap();
        assert_eq!(with_a2, 1);
        let from_photos = Remark::query(&db).filter(Remark::PHOTO.has(Photo::url.eq("sea.jpg"))).count().unwrap();
        assert_eq!(from_photos, 3);
    }

    pub fn cascades_follow_each_owners_relationship() {
        let (db, article, photo) = setup();
        let mut on_article = remark("a");
        on_article.set_remarkable(&article);
        let on_article = db.add(on_article).unwrap();
        let mut on_photo = remark("p");
        on_photo.set_remarkable(&photo);
        let on_photo = db.add(on_photo).unwrap();

        // a photo's remarks have no delete cascade, and their key cannot be NULL alone: the
        // delete is refused before anything is written
        match photo.delete(&db) {
            Err(Error::Referenced { table: "photo", by, owner_key: true, .. }) => assert_eq!(by, "remark.photo_id"),
            other => panic!("expected Referenced, got {other:?}"),
        }
        let err = photo.remarks(&db).remove(&on_photo).unwrap_err();
        assert!(
            matches!(&err, Error::Orphan { column, owner_key: true, .. } if column == "remark.photo_id"),
            "{err:?}"
        );
        assert_eq!(Remark::query(&db).count().unwrap(), 2);

        // an article's remarks go with it (`all`), and leave with `delete-orphan`
        let mut second = remark("a2");
        second.set_remarkable(&article);
        let second = db.add(second).unwrap();
        assert!(article.remarks(&db).remove(&second).unwrap());
        assert!(Remark::get(&db, second.id).unwrap().is_none());
        assert!(article.delete(&db).unwrap());
        assert!(Remark::get(&db, on_article.id).unwrap().is_none());
        assert!(Remark::get(&db, on_photo.id).unwrap().is_some());
    }

    crate::both_backends!(
        the_ddl_has_one_key_per_owner_and_a_check_that_one_is_set,
        the_accessor_returns_the_owner_as_an_enum,
        the_database_keeps_exactly_one_owner,
        each_owners_collection_is_an_ordinary_relationship,
        cascades_follow_each_owners_relationship,
    );
}

/// Composite foreign keys: an association object (`Enrollment`, keyed by its two foreign keys)
/// as a parent, referenced by `FOREIGN KEY(student_id, course_id)`; every strategy, `any`/`has`,
/// saving and cascades along it.
mod composite {
    use super::common;
    use relations::{
        joinedload, selectinload, subqueryload, BelongsTo, Error, HasMany, HasOne, IndexForeignKeys, Model,
    };

    #[derive(Model, Debug)]
    pub struct Student {
        pub id: i64,
        pub name: String,
        #[has_many(Enrollment, inverse = student, cascade = "all")]
        pub enrollments: HasMany<Enrollment>,
    }

    #[derive(Model, Debug)]
    pub struct Course {
        pub id: i64,
        pub title: String,
    }

    #[derive(Model, Debug)]
    pub struct Enrollment {
        #[key]
        #[belongs_to(Student)]
        pub student: BelongsTo<Student>,
        #[key]
        #[belongs_to(Course)]
        pub course: BelongsTo<Course>,
        pub grade: Option<String>,
        #[has_many(Attendance, inverse = enrollment, cascade = "all, delete-orphan", order_by = "day")]
        pub attendances: HasMany<Attendance>,
        #[has_one(Certificate, inverse = enrollment)]
        pub certificate: HasOne<Certificate>,
    }

    #[derive(Model, Debug)]
    pub struct Attendance {
        pub id: i64,
        #[belongs_to(Enrollment, columns("student_id", "course_id"))]
        pub enrollment: BelongsTo<Enrollment>,
        pub day: String,
    }

    #[derive(Model, Debug)]
    #[model(unique("student_id", "course_id"))]
    pub struct Certificate {
        pub id: i64,
        #[belongs_to(Enrollment, columns("student_id", "course_id"))]
        pub enrollment: BelongsTo<Enrollment>,
        pub code: String,
    }

    type All = (Course, Student, Enrollment, Attendance, Certificate);

    /// Two students in two courses; ann attends maths on mon and tue, bob physics on wed.
    fn school() -> common::TestDb {
        let db = common::fresh();
        db.create_all::<All>().unwrap();
        let ann = db.add(Student { name: "ann".into(), ..Default::default() }).unwrap();
        let bob = db.add(Student { name: "bob".into(), ..Default::default() }).unwrap();
        let maths = db.add(Course { title: "maths".into(), ..Default::default() }).unwrap();
        let physics = db.add(Course { title: "physics".into(), ..Default::default() }).unwrap();
        let enrol = |s: &Student, c: &Course, grade: &str, days: &[&str]| Enrollment {
            student: BelongsTo::to(s),
            course: BelongsTo::to(c),
            grade: Some(grade.into()),
            attendances: days.iter().map(|d| Attendance { day: (*d).into(), ..Default::default() }).collect(),
            ..Default::default()
        };
        // saved with its attendances: both columns of their foreign key point at it
        db.add(enrol(&ann, &maths, "A", &["tue", "mon"])).unwrap();
        db.add(enrol(&ann, &physics, "B", &[])).unwrap();
        db.add(enrol(&bob, &physics, "C", &["wed"])).unwrap();
        db
    }

    fn days(rows: &[Attendance]) -> Vec<&str> {
        rows.iter().map(|a| a.day.as_str()).collect()
    }

    pub fn the_ddl_is_sqlalchemys() {
        let db = common::fresh();
        let ours = db.schema::<All>().into_iter().map(|s| s + ";").collect::<Vec<_>>().join("\n");
        let theirs = match db.backend_name() {
            "sqlite" => include_str!("../fixtures/sqlalchemy/composite.sql"),
            "mariadb" => include_str!("../fixtures/sqlalchemy/composite.mariadb.sql"),
            _ => include_str!("../fixtures/sqlalchemy/composite.postgresql.sql"),
        };
        assert_eq!(ours, theirs.trim_end());
        // the switch indexes a composite foreign key as one, unless a key or a unique
        // constraint leads with its columns
        let plain = db.schema::<All>();
        let mut added: Vec<String> =
            db.schema::<IndexForeignKeys<All>>().into_iter().filter(|s| !plain.contains(s)).collect();
        added.sort();
        assert_eq!(
            added,
            [
                "CREATE INDEX ix_attendance_student_id_course_id ON attendance (student_id, course_id)",
                "CREATE INDEX ix_enrollment_course_id ON enrollment (course_id)",
            ]
        );
        db.create_all::<IndexForeignKeys<All>>().unwrap();
    }

    pub fn lazy_loads_go_both_ways() {
        let db = school();
        let monday = Attendance::query(&db).filter_by(Attendance::day, "mon").one().unwrap();
        assert_eq!(monday.enrollment.key(), &(1, 1));
        let enrollment = db.assert_statements(1, || monday.enrollment(&db).load().unwrap());
        assert_eq!(enrollment.grade.as_deref(), Some("A"));
        let e = Enrollment::get(&db, (1, 1)).unwrap().unwrap();
        assert_eq!(db.assert_statements(1, || days(e.attendances(&db).load().unwrap())), ["mon", "tue"]);
        assert_eq!(e.attendances(&db).count().unwrap(), 2);
        let empty = Enrollment::get(&db, (1, 2)).unwrap().unwrap();
        assert!(empty.attendances(&db).load().unwrap().is_empty());
    }

    pub fn every_strategy_loads_by_both_columns() {
        let db = school();
        for (name, load, count) in [
            ("selectin", selectinload(Enrollment::ATTENDANCES), 2),
            ("subquery", subqueryload(Enrollment::ATTENDANCES), 2),
            ("joined", joinedload(Enrollment::ATTENDANCES), 1),
        ] {
            let rows = db.assert_statements(count, || Enrollment::query(&db).options(load).all().unwrap());
            let got: Vec<_> = rows.iter().map(|e| days(e.attendances.loaded().unwrap())).collect();
            assert_eq!(got, [vec!["mon", "tue"], vec![], vec!["wed"]], "{name}");
        }
        // the owners' keys are bound column by column: one enrollment's rows, not its student's
        let (rows, sql) = db.record(|| {
            Enrollment::query(&db)
                .filter_by(Enrollment::grade, "B")
                .options(selectinload(Enrollment::ATTENDANCES))
                .all()
                .unwrap()
        });
        assert!(rows[0].attendances.loaded().unwrap().is_empty());
        let (student, course) = (common::quoted(&db, "\"student_id\" = "), common::quoted(&db, "\"course_id\" = "));
        assert!(sql[1].contains(&student) && sql[1].contains(&course), "{sql:#?}");
        for (load, count) in [(selectinload(Attendance::ENROLLMENT), 2), (joinedload(Attendance::ENROLLMENT), 1)] {
            let rows = db.assert_statements(count, || Attendance::query(&db).options(load).all().unwrap());
            let grades: Vec<_> = rows.iter().map(|a| a.enrollment.loaded().unwrap().grade.clone().unwrap()).collect();
            assert_eq!(grades, ["A", "A", "C"]);
        }
        // two levels down from the students, and a has_one by the composite key
        let students = db.assert_statements(3, || {
            Student::query(&db)
                .options(selectinload(Student::ENROLLMENTS).then(selectinload(Enrollment::ATTENDANCES)))
                .all()
                .unwrap()
        });
        let ann: Vec<usize> =
            students[0].enrollments.loaded().unwrap().iter().map(|e| e.attendances.loaded().unwrap().len()).collect();
        assert_eq!(ann, [2, 0]);
        let e = Enrollment::get(&db, (2, 2)).unwrap().unwrap();
        let mut cert = Certificate { code: "C-1".into(), ..Default::default() };
        e.certificate(&db).set(&mut cert).unwrap();
        let loaded = db.assert_statements(2, || {
            Enrollment::query(&db).options(selectinload(Enrollment::CERTIFICATE)).all().unwrap()
        });
        let codes: Vec<_> = loaded.iter().map(|e| e.certificate.loaded().unwrap().map(|c| c.code.clone())).collect();
        assert_eq!(codes, [None, None, Some("C-1".to_string())]);
    }

    pub fn any_and_has_correlate_on_both_columns() {
        let db = school();
        let on_monday =
            Enrollment::query(&db).filter(Enrollment::ATTENDANCES.any(Attendance::day.eq("mon"))).all().unwrap();
        assert_eq!(on_monday.iter().map(|e| e.key()).collect::<Vec<_>>(), [(1, 1)]);
        let graded_c =
            Attendance::query(&db).filter(Attendance::ENROLLMENT.has(Enrollment::grade.eq("C"))).all().unwrap();
        assert_eq!(days(&graded_c), ["wed"]);
    }

    pub fn adding_removing_and_deleting_follow_the_composite_key() {
        let db = school();
        let e = Enrollment::get(&db, (1, 2)).unwrap().unwrap();
        let mut fri = Attendance { day: "fri".into(), ..Default::default() };
        e.attendances(&db).add(&mut fri).unwrap();
        assert_eq!(fri.enrollment.key(), &(1, 2));
        // delete-orphan: taken out, deleted
        assert!(e.attendances(&db).remove(&fri).unwrap());
        assert!(Attendance::get(&db, fri.id).unwrap().is_none());
        // a key that references no enrollment names both columns
        let stray = Attendance { enrollment: BelongsTo::from_key((9, 9)), day: "sun".into(), ..Default::default() };
        match db.add(stray) {
            Err(Error::ForeignKeyViolation { table, column }) => {
                assert_eq!(table, "attendance");
                if db.backend_name() == "sqlite" {
                    assert_eq!(column.as_deref(), Some("attendance.(student_id, course_id)"));
                }
            }
            other => panic!("expected a foreign key violation, got {other:?}"),
        }
        // deleting an enrollment deletes its attendances (`all`); deleting a student, its
        // enrollments and theirs
        let maths = Enrollment::get(&db, (1, 1)).unwrap().unwrap();
        assert!(maths.delete(&db).unwrap());
        assert_eq!(days(&Attendance::all(&db).unwrap()), ["wed"]);
        let bob = Student::get(&db, 2).unwrap().unwrap();
        assert!(bob.delete(&db).unwrap());
        assert_eq!(Attendance::query(&db).count().unwrap(), 0);
        assert_eq!(Enrollment::query(&db).count().unwrap(), 1);
    }

    crate::both_backends!(
        the_ddl_is_sqlalchemys,
        lazy_loads_go_both_ways,
        every_strategy_loads_by_both_columns,
        any_and_has_correlate_on_both_columns,
        adding_removing_and_deleting_follow_the_composite_key,
    );
}
