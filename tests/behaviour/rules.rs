//! Rules on every load (SQLAlchemy's `with_loader_criteria`): a condition on a model, set on a
//! connection or on one query, that every statement reading the model honours — one test per
//! loading path, each failing when the rule is not applied there — with the same number of
//! statements as without it, and lifted only explicitly. On every backend, sync and async.

use crate::common;

use relations::load::Load;
use relations::query::Rule;
use relations::{joinedload, selectinload, subqueryload, subtreeload, BelongsTo, HasMany, ManyToMany, Model};

#[derive(Model, Debug, Clone)]
struct Author {
    id: i64,
    #[column(len = 40)]
    name: String,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

#[derive(Model, Debug, Clone)]
struct Post {
    id: i64,
    #[column(len = 40)]
    title: String,
    published: bool,
    #[belongs_to(Author, inverse = posts)]
    author: BelongsTo<Author>,
    #[many_to_many(Label, through = post_labels)]
    labels: ManyToMany<Label>,
}

#[derive(Model, Debug, Clone)]
struct Label {
    id: i64,
    #[column(len = 40)]
    name: String,
}

/// A tree whose hidden nodes hide what is below them.
#[derive(Model, Debug, Clone)]
struct Topic {
    id: i64,
    #[column(len = 40)]
    name: String,
    hidden: bool,
    #[self_ref]
    parent: BelongsTo<Option<Topic>>,
    #[has_many(Topic, inverse = parent)]
    children: HasMany<Topic>,
}

fn published() -> Rule {
    Post::rule(Post::published.eq(true))
}

/// Ann: "a1" (published), "a2" (draft), "a3" (published); Bob: "b1" (draft); Cy: none. Each
/// post labelled "x"; "a1" also "y".
fn setup() -> (common::TestDb, Vec<Author>) {
    let db = common::fresh();
    db.create_all::<(Author, Post, Label, Topic)>().unwrap();
    let authors: Vec<Author> = ["Ann", "Bob", "Cy"]
        .iter()
        .map(|n| db.add(Author { name: (*n).into(), ..Default::default() }).unwrap())
        .collect();
    let x = db.add(Label { name: "x".into(), ..Default::default() }).unwrap();
    let y = db.add(Label { name: "y".into(), ..Default::default() }).unwrap();
    for (title, published, author) in [("a1", true, 0), ("a2", false, 0), ("a3", true, 0), ("b1", false, 1)] {
        let mut p = Post { title: title.into(), published, ..Default::default() };
        p.author.set(&authors[author]);
        let p = db.add(p).unwrap();
        p.labels(&db).add(&x).unwrap();
        if title == "a1" {
            p.labels(&db).add(&y).unwrap();
        }
    }
    (db, authors)
}

fn titles(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.title.as_str()).collect()
}

fn loaded_titles(authors: &[Author]) -> Vec<(String, Vec<String>)> {
    authors
        .iter()
        .map(|a| (a.name.clone(), a.posts.loaded().unwrap().iter().map(|p| p.title.clone()).collect()))
        .collect()
}

fn queries_gets_counts_and_pages() {
    let (db, _) = setup();
    db.add_rule(published());
    assert_eq!(titles(&Post::query(&db).all().unwrap()), ["a1", "a3"]);
    assert_eq!(Post::query(&db).count().unwrap(), 2);
    assert!(!Post::query(&db).filter_by(Post::title, "b1").exists().unwrap());
    let draft = db.without_rules(|db| Post::query(db).filter_by(Post::title, "a2").one()).unwrap();
    assert!(Post::get(&db, draft.id).unwrap().is_none(), "get honours it");
    let page = Post::query(&db).paginate(1, 1).unwrap();
    assert_eq!((page.total, titles(&page.items)), (2, vec!["a1"]));
    let after = Post::query(&db).page_after(Post::id, Some(page.items[0].id), 5).unwrap();
    assert_eq!(titles(&after), ["a3"]);
    // a projection, and the rows a join reaches
    let counted = Post::query(&db).select(Post::id.count()).one().unwrap();
    assert_eq!(counted, 2);
    let with_drafts = Author::query(&db).join(Author::POSTS).filter(Post::title.ne("a1")).select(Author::name).all();
    assert_eq!(with_drafts.unwrap(), ["Ann"], "the inner join reaches only a3");
    let outer =
        Author::query(&db).outer_join(Author::POSTS).select((Author::name, Post::title.count())).group_by(Author::name);
    let counts = outer.order_by(Author::name).all().unwrap();
    assert_eq!(
        counts,
        [("Ann".to_string(), 2), ("Bob".to_string(), 0), ("Cy".to_string(), 0)],
        "in the outer join's ON"
    );
    // lifted explicitly
    assert_eq!(db.without_rules(|db| Post::query(db).count()).unwrap(), 4);
    assert_eq!(Post::query(&db).without_rules().count().unwrap(), 4);
    db.clear_rules();
    assert_eq!(Post::query(&db).count().unwrap(), 4);
}

fn lazy_loads() {
    let (db, authors) = setup();
    // a get and lazy loads run before the rule is set (each renders its statement once on the
    // connection) honour it after
    let draft = Post::query(&db).filter_by(Post::title, "a2").one().unwrap();
    let read = |db: &common::TestDb| {
        let ann = Author::get(db, authors[0].id).unwrap().unwrap();
        let posts: Vec<String> = ann.posts(db).load().unwrap().iter().map(|p| p.title.clone()).collect();
        let a1 = Post::query(db).filter_by(Post::title, "a1").one().unwrap();
        let labels = a1.labels(db).load().unwrap().len();
        let author = a1.author(db).load().unwrap().name.clone();
        (Post::get(db, draft.id).unwrap().is_some(), posts, labels, author)
    };
    assert_eq!(read(&db), (true, vec!["a1".into(), "a2".into(), "a3".into()], 2, "Ann".into()));
    db.add_rule(published());
    db.add_rule(Label::rule(Label::name.ne("y")));
    assert_eq!(read(&db), (false, vec!["a1".into(), "a3".into()], 1, "Ann".into()));
    db.add_rule(Author::rule(Author::name.ne("Ann")));
    let a1 = Post::query(&db).filter_by(Post::title, "a1").one().unwrap();
    let hidden = a1.author(&db).load().map(|a| a.name.clone());
    assert!(
        matches!(hidden, Err(relations::Error::NotFound { table: "author", .. })),
        "a parent hidden by a rule: {hidden:?}"
    );
    db.clear_rules();
    db.add_rule(published());
    assert_eq!(titles(&authors[0].posts(&db).all().unwrap()), ["a1", "a3"]);
    assert_eq!(authors[0].posts(&db).count().unwrap(), 2);
    assert!(authors[1].posts(&db).all().unwrap().is_empty());
    let x = Label::query(&db).filter_by(Label::name, "x").one().unwrap();
    let a1 = Post::query(&db).filter_by(Post::title, "a1").one().unwrap();
    assert_eq!(a1.labels(&db).all().unwrap().len(), 2);
    // a rule on the target of a many-to-many
    db.add_rule(Label::rule(Label::name.ne("y")));
    assert_eq!(a1.labels(&db).all().unwrap().iter().map(|l| l.id).collect::<Vec<_>>(), [x.id]);
}

fn eager_loads_of_every_strategy_in_the_same_statements() {
    let (db, _) = setup();
    db.add_rule(published());
    let expected = vec![
        ("Ann".to_string(), vec!["a1".to_string(), "a3".to_string()]),
        ("Bob".to_string(), vec![]),
        ("Cy".to_string(), vec![]),
    ];
    type Strategy = (&'static str, fn() -> Load<Author>, usize);
    let strategies: [Strategy; 3] = [
        ("joinedload", || joinedload(Author::POSTS).into(), 1),
        ("selectinload", || selectinload(Author::POSTS).into(), 2),
        ("subqueryload", || subqueryload(Author::POSTS).into(), 2),
    ];
    for (name, load, statements) in strategies {
        // a filter binding a value before the rule's, and a limit after: the parameters in order
        let query = || Author::query(&db).filter(Author::name.ne("Zed")).options(load()).limit(10);
        let authors = db.assert_statements(statements, || query().all().unwrap());
        assert_eq!(loaded_titles(&authors), expected, "{name}");
        // without the limit: a joined load's parameters come before the filter's
        let unlimited = || Author::query(&db).filter(Author::name.ne("Zed")).options(load()).all().unwrap();
        assert_eq!(loaded_titles(&db.assert_statements(statements, unlimited)), expected, "{name}");
        // and the query's own rule reaches its loads
        let authors = Author::query(&db).rule(Author::rule(Author::name.eq("Ann"))).options(load()).all().unwrap();
        assert_eq!(loaded_titles(&authors), expected[..1], "{name}");
        let all = Author::query(&db).without_rules().options(load()).all().unwrap();
        assert_eq!(all[0].posts.loaded().unwrap().len(), 3, "{name}: lifted for the loads too");
    }
    // nested, to a many-to-many's targets, with a rule on them
    db.add_rule(Label::rule(Label::name.eq("y")));
    for load in [
        joinedload(Author::POSTS).then(joinedload(Post::LABELS)),
        selectinload(Author::POSTS).then(selectinload(Post::LABELS)),
    ] {
        let ann = Author::query(&db).filter_by(Author::name, "Ann").options(load).one().unwrap();
        let labels: Vec<usize> = ann.posts.loaded().unwrap().iter().map(|p| p.labels.loaded().unwrap().len()).collect();
        assert_eq!(labels, [1, 0]);
    }
    // an outer join's rule in its ON, a joined load's in its own, the filter's and the
    // query's rule after them: bound in the order of the text
    db.add_rule(Author::rule(Author::name.ne("Bob")));
    let posts = Post::query(&db)
        .outer_join(Post::AUTHOR)
        .filter(Post::title.ne("zz"))
        .options(joinedload(Post::LABELS))
        .all()
        .unwrap();
    let labels: Vec<(&str, usize)> =
        posts.iter().map(|p| (p.title.as_str(), p.labels.loaded().unwrap().len())).collect();
    assert_eq!(labels, [("a1", 1), ("a3", 0)]);
    // a joined option under a limited selectin level (whose rows come from a subquery in
    // `FROM`), with a rule on the joined rows: bound after the subquery's parameters
    db.clear_rules();
    db.add_rule(published());
    db.add_rule(Label::rule(Label::name.eq("y")));
    let ann = Author::query(&db)
        .filter_by(Author::name, "Ann")
        .options(selectinload(Author::POSTS).limit(5).then(joinedload(Post::LABELS)))
        .one()
        .unwrap();
    let labels: Vec<usize> = ann.posts.loaded().unwrap().iter().map(|p| p.labels.loaded().unwrap().len()).collect();
    assert_eq!(labels, [1, 0]);
    // to-one: a post's author, hidden by a rule
    db.clear_rules();
    db.add_rule(Author::rule(Author::name.ne("Ann")));
    for load in [joinedload(Post::AUTHOR), selectinload(Post::AUTHOR)] {
        let posts = Post::query(&db).without_rules().filter_by(Post::title, "b1").options(load).all().unwrap();
        assert_eq!(posts[0].author.loaded().unwrap().name, "Bob");
    }
}

fn any_has_and_aggregates() {
    let (db, _) = setup();
    db.add_rule(published());
    let with_posts = Author::query(&db).filter(Author::POSTS.is_not_empty()).select(Author::name).all().unwrap();
    assert_eq!(with_posts, ["Ann"], "Bob's one post is a draft");
    let any = Author::query(&db).filter(Author::POSTS.any(Post::title.eq("b1"))).count().unwrap();
    assert_eq!(any, 0);
    let has = Post::query(&db).without_rules().filter(Post::AUTHOR.has(Author::name.eq("Bob"))).count().unwrap();
    assert_eq!(has, 1);
    let counts = Author::query(&db).select((Author::name, Author::POSTS.count())).all().unwrap();
    assert_eq!(counts, [("Ann".to_string(), 2), ("Bob".to_string(), 0), ("Cy".to_string(), 0)]);
    // a subquery's rows
    let published = Post::query(&db).select(Post::id.count()).as_term();
    let rows = Author::query(&db).filter_by(Author::name, "Cy").select((Author::name, published)).all().unwrap();
    assert_eq!(rows, [("Cy".to_string(), 2)], "a scalar subquery's rows");
    let writers = Post::query(&db).select(Post::author_id);
    assert_eq!(Author::query(&db).filter(Author::id.in_query(writers)).count().unwrap(), 1, "Ann");
}

fn bulk_updates_and_deletes() {
    let (db, _) = setup();
    db.add_rule(published());
    assert_eq!(Post::query(&db).set(Post::title, "renamed").update().unwrap(), 2);
    let drafts = db.without_rules(|db| Post::query(db).filter_by(Post::published, false).all()).unwrap();
    assert_eq!(titles(&drafts), ["a2", "b1"], "the drafts kept their titles");
    // through a join too
    db.add_rule(Author::rule(Author::name.ne("Ann")));
    assert_eq!(Post::query(&db).without_rules().join(Post::AUTHOR).count().unwrap(), 4);
    db.clear_rules();
    db.add_rule(published());
    let links = db.without_rules(|db| Label::query(db).count()).unwrap();
    assert_eq!(links, 2);
    assert_eq!(Post::query(&db).delete().unwrap(), 2);
    assert_eq!(db.without_rules(|db| Post::query(db).count()).unwrap(), 2, "the drafts are there");
}

fn trees_stop_at_a_hidden_row() {
    let db = common::fresh();
    db.create_all::<(Author, Post, Label, Topic)>().unwrap();
    let add = |name: &str, hidden: bool, parent: Option<&Topic>| {
        let mut t = Topic { name: name.into(), hidden, ..Default::default() };
        if let Some(p) = parent {
            t.parent.set(p);
        }
        db.add(t).unwrap()
    };
    let root = add("root", false, None);
    let a = add("a", false, Some(&root));
    let b = add("b", true, Some(&root));
    let _b1 = add("b1", false, Some(&b));
    let a1 = add("a1", false, Some(&a));
    db.add_rule(Topic::rule(Topic::hidden.eq(false)));
    let names = |ts: &[Topic]| ts.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&root.descendants(&db).unwrap()), ["a", "a1"], "b and what is below it");
    assert_eq!(names(&root.children(&db).all().unwrap()), ["a"]);
    let b1 = db.without_rules(|db| Topic::query(db).filter_by(Topic::name, "b1").one()).unwrap();
    assert!(b1.ancestors(&db).unwrap().is_empty(), "not through the hidden b");
    assert_eq!(names(&a1.ancestors(&db).unwrap()), ["a", "root"]);
    let tree = db.assert_statements(1, || {
        Topic::query(&db).filter(Topic::parent_id.is_null()).options(subtreeload(Topic::CHILDREN)).one().unwrap()
    });
    let below: Vec<String> = tree.children.loaded().unwrap().iter().map(|t| t.name.clone()).collect();
    assert_eq!(below, ["a"]);
    // through a self-join's alias: the rule's columns read from the alias; a rule with a
    // subquery, which would correlate with the table's own name, is refused
    let up = Topic::alias("up");
    let under_visible = Topic::query(&db).join_as(Topic::PARENT, up).select(Topic::name).all().unwrap();
    assert_eq!(under_visible, ["a", "a1"], "b1's parent b is hidden");
    db.add_rule(Topic::rule(Topic::CHILDREN.is_not_empty()));
    let e = Topic::query(&db).join_as(Topic::PARENT, up).count().unwrap_err();
    assert!(
        matches!(&e, relations::Error::InvalidQuery { table: "topic", message } if message.contains("alias `up`")),
        "{e:?}"
    );
    db.clear_rules();
    db.add_rule(Topic::rule(Topic::hidden.eq(false)));
    // the owners' statement of a subtree load from rows already read
    let roots = Topic::query(&db).filter(Topic::parent_id.is_null()).all().unwrap();
    db.preload(&roots, subtreeload(Topic::CHILDREN)).unwrap();
    assert_eq!(roots[0].children.loaded().unwrap().len(), 1);
    // with a joined option on the subtree's rows: its rule bound after the recursive part's
    let roots = Topic::query(&db).filter(Topic::parent_id.is_null()).all().unwrap();
    db.preload(&roots, subtreeload(Topic::CHILDREN).then(joinedload(Topic::PARENT))).unwrap();
    let a = &roots[0].children.loaded().unwrap()[0];
    assert_eq!((a.name.as_str(), a.parent.loaded().unwrap().name.as_str()), ("a", "root"));
}

both_backends!(
    queries_gets_counts_and_pages,
    lazy_loads,
    eager_loads_of_every_strategy_in_the_same_statements,
    any_has_and_aggregates,
    bulk_updates_and_deletes,
    trees_stop_at_a_hidden_row,
);

/// A pool's connections start every checkout with the pool's rules, whatever rules the last
/// user of the connection added.
#[test]
fn a_pools_connections_start_with_its_rules() {
    use relations::pool::{Pool, PoolOptions};
    let dir = std::env::temp_dir().join(format!("relations-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let options = PoolOptions { max_size: 1, rules: vec![published()], ..PoolOptions::default() };
    let pool = Pool::open(dir.join("rules.db"), options).unwrap();
    {
        let db = pool.get().unwrap();
        db.create_all::<(Author, Post, Label, Topic)>().unwrap();
        let ann = db.add(Author { name: "Ann".into(), ..Default::default() }).unwrap();
        for (title, published) in [("p", true), ("d", false)] {
            let mut p = Post { title: title.into(), published, ..Default::default() };
            p.author.set(&ann);
            db.add(p).unwrap();
        }
        assert_eq!(Post::query(&db).count().unwrap(), 1);
        db.clear_rules();
        db.add_rule(Post::rule(Post::title.eq("nothing")));
        assert_eq!(Post::query(&db).count().unwrap(), 0);
    }
    let db = pool.get().unwrap();
    assert_eq!(Post::query(&db).count().unwrap(), 1, "the pool's rule, and only it");
    drop((db, pool));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Through `AsyncDb`: a rule set on the connection, and a query's own, are honoured by awaited
/// queries and loads.
#[test]
fn an_async_connection_honours_its_rules() {
    use relations::AsyncDb;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let adb = AsyncDb::open_in_memory().await.unwrap();
        adb.run(|db| {
            db.create_all::<(Author, Post, Label, Topic)>()?;
            let ann = db.add(Author { name: "Ann".into(), ..Default::default() })?;
            for (title, published) in [("p", true), ("d", false)] {
                let mut p = Post { title: title.into(), published, ..Default::default() };
                p.author.set(&ann);
                db.add(p)?;
            }
            Ok::<_, relations::Error>(())
        })
        .await
        .unwrap();
        assert_eq!(adb.query::<Post>().count().await.unwrap(), 2);
        adb.add_rule(published()).await.unwrap();
        assert_eq!(adb.query::<Post>().count().await.unwrap(), 1);
        let authors = adb.query::<Author>().options(selectinload(Author::POSTS)).all().await.unwrap();
        assert_eq!(authors[0].posts.loaded().unwrap().len(), 1);
        assert_eq!(adb.query::<Post>().without_rules().count().await.unwrap(), 2);
        assert_eq!(adb.query::<Post>().rule(Post::rule(Post::title.eq("d"))).count().await.unwrap(), 0);
        adb.clear_rules().await.unwrap();
        assert_eq!(adb.query::<Post>().count().await.unwrap(), 2);
    });
}
