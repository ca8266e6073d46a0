//! Queries beyond relationships: aggregates, projections, joins, operators, subqueries, raw
//! SQL and pagination, on both backends.

use crate::common;

use common::{db, post, user, Comment, Post, Tag, User};
use relations::query::Term;
use relations::{coalesce, count, BelongsTo, Error, FromRow, HasMany, Model};

/// Three users with 2, 1 and 0 posts; karma 5, none, 9.
fn blog() -> common::TestDb {
    let db = db();
    let ann = db.add(User { username: "ann".into(), karma: Some(5), ..Default::default() }).unwrap();
    let bob = user(&db, "bob");
    db.add(User { username: "cy".into(), karma: Some(9), ..Default::default() }).unwrap();
    post(&db, &ann, "Ann one");
    post(&db, &bob, "Bob one");
    post(&db, &ann, "Ann two");
    db
}

fn aggregates_over_a_query_are_typed_and_one_statement() {
    let db = blog();
    let (n, total, mean, low, high) = db.assert_statements(1, || {
        User::query(&db)
            .select((count(), User::karma.sum(), User::karma.avg(), User::karma.min(), User::username.max()))
            .one()
            .unwrap()
    });
    assert_eq!((n, total, mean, low, high.as_deref()), (3, Some(14), Some(7.0), Some(5), Some("cy")));
    // over no rows: count 0, the others NULL
    let none = User::query(&db).filter(User::username.eq("nobody"));
    let empty: (i64, Option<i64>, Option<f64>) =
        none.select((count(), User::karma.sum(), User::karma.avg())).one().unwrap();
    assert_eq!(empty, (0, None, None));
    assert_eq!(User::query(&db).select(User::karma.count()).one().unwrap(), 2, "count(column) skips NULL");
}

fn group_by_and_having() {
    let db = blog();
    let per_author: Vec<(i64, i64)> = db.assert_statements(1, || {
        Post::query(&db).select((Post::user_id, count())).group_by(Post::user_id).order_by(Post::user_id).all().unwrap()
    });
    assert_eq!(per_author, [(1, 2), (2, 1)]);
    let prolific: Vec<i64> =
        Post::query(&db).select(Post::user_id).group_by(Post::user_id).having(count().gt(1)).all().unwrap();
    assert_eq!(prolific, [1]);
    // a plain column beside an aggregate, without grouping: refused (SQLite would pick a row)
    let err = Post::query(&db).select((Post::title, count())).all().unwrap_err();
    assert!(matches!(&err, Error::InvalidQuery { table: "post", .. }), "{err}");
    assert!(err.to_string().contains("selects `title` beside an aggregate"), "{err}");
}

fn relationship_aggregates_for_every_owner_in_one_statement() {
    let db = blog();
    let counts: Vec<(String, i64)> =
        db.assert_statements(1, || User::query(&db).select((User::username, User::POSTS.count())).all().unwrap());
    assert_eq!(counts, [("ann".to_string(), 2), ("bob".to_string(), 1), ("cy".to_string(), 0)]);
    let with_two = User::POSTS.count_where(Post::title.like("%two"));
    assert_eq!(User::query(&db).select(with_two).all().unwrap(), [1, 0, 0]);
    // the aggregate as a filter and an order: the users with posts, most first
    let busiest: Vec<String> = User::query(&db)
        .filter(User::POSTS.count().gt(0))
        .order_by(User::POSTS.count().desc())
        .select(User::username)
        .all()
        .unwrap();
    assert_eq!(busiest, ["ann", "bob"]);
    // a sum over a relationship: each post's number of comment characters
    let ann_post = Post::query(&db).first().unwrap().unwrap();
    db.add(Comment {
        content: "hey".into(),
        post: BelongsTo::to(&ann_post),
        user: BelongsTo::to(&user(&db, "dee")),
        ..Default::default()
    })
    .unwrap();
    let longest: Vec<Option<i64>> = Post::query(&db).select(Post::COMMENTS.max(Comment::id)).all().unwrap();
    assert_eq!(longest, [Some(1), None, None]);
}

#[derive(FromRow, Debug, PartialEq)]
struct AuthorPosts {
    username: String,
    posts: i64,
}

fn projections_into_structs_and_distinct() {
    let db = blog();
    let rows = User::query(&db)
        .filter(User::karma.is_not_null())
        .select((User::username, User::POSTS.count()))
        .into_struct::<AuthorPosts>()
        .all()
        .unwrap();
    assert_eq!(
        rows,
        [AuthorPosts { username: "ann".into(), posts: 2 }, AuthorPosts { username: "cy".into(), posts: 0 }]
    );
    let authors: Vec<i64> = Post::query(&db).select(Post::user_id).distinct().order_by(Post::user_id).all().unwrap();
    assert_eq!(authors, [1, 2]);
    let titles: Vec<(i64, String)> = Post::query(&db).select((Post::id, Post::title)).all().unwrap();
    assert_eq!(titles[2], (3, "Ann two".to_string()), "a plain projection keeps key order");
}

fn joins_filter_and_order_by_related_columns() {
    let db = blog();
    fn titles<J>(q: relations::Query<'_, Post, relations::Db, J>) -> Vec<String> {
        q.all().unwrap().into_iter().map(|p| p.title).collect()
    }
    // posts ordered by their author's name, descending, then by title
    let q = Post::query(&db).join(Post::AUTHOR).order_by(User::username.desc()).order_by(Post::title);
    assert_eq!(db.assert_statements(1, || titles(q)), ["Bob one", "Ann one", "Ann two"]);
    assert_eq!(titles(Post::query(&db).join(Post::AUTHOR).filter(User::karma.eq(5))), ["Ann one", "Ann two"]);
    // a chain of joins, and a join through an association table
    let rust = db.add(Tag { name: "rust".into(), ..Default::default() }).unwrap();
    let p = Post::get(&db, 2).unwrap().unwrap();
    p.tags(&db).add(&rust).unwrap();
    let tagged: Vec<String> = User::query(&db)
        .join(User::POSTS)
        .join(Post::TAGS)
        .filter(Tag::name.eq("rust"))
        .select(User::username)
        .all()
        .unwrap();
    assert_eq!(tagged, ["bob"]);
    // an outer join keeps the user without posts
    let pairs: Vec<(String, Option<String>)> = User::query(&db)
        .outer_join(User::POSTS)
        .select((User::username, Post::title.term().cast::<Option<String>>()))
        .order_by(User::username)
        .order_by(Post::title)
        .all()
        .unwrap();
    assert_eq!(pairs.last().unwrap(), &("cy".to_string(), None));
    assert_eq!(pairs.len(), 4);
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Employee {
    id: i64,
    #[column(len = 80)]
    name: String,
    salary: i64,
    bonus: Option<i64>,
    #[self_ref]
    manager: BelongsTo<Option<Employee>>,
    #[has_many(Employee, inverse = manager)]
    reports: HasMany<Employee>,
}

fn staff() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Employee,)>().unwrap();
    let boss = db.add(Employee { name: "Grace".into(), salary: 300, ..Default::default() }).unwrap();
    let mid = db
        .add(Employee {
            name: "Alan".into(),
            salary: 200,
            bonus: Some(50),
            manager: BelongsTo::to(&boss),
            ..Default::default()
        })
        .unwrap();
    db.add(Employee {
        name: "Ada".into(),
        salary: 100,
        bonus: Some(10),
        manager: BelongsTo::to(&mid),
        ..Default::default()
    })
    .unwrap();
    db.add(Employee { name: "linus".into(), salary: 150, manager: BelongsTo::to(&mid), ..Default::default() }).unwrap();
    db
}

fn a_self_join_through_an_alias() {
    let db = staff();
    let boss = Employee::alias("boss");
    let pairs: Vec<(String, Option<String>)> = db.assert_statements(1, || {
        Employee::query(&db)
            .outer_join_as(Employee::MANAGER, boss)
            .select((Employee::name, boss.col(Employee::name).term().cast::<Option<String>>()))
            .all()
            .unwrap()
    });
    assert_eq!(
        pairs,
        [
            ("Grace".to_string(), None),
            ("Alan".to_string(), Some("Grace".to_string())),
            ("Ada".to_string(), Some("Alan".to_string())),
            ("linus".to_string(), Some("Alan".to_string())),
        ]
    );
    // the manager's manager: a join from the alias
    let top = Employee::alias("top");
    let grand: Vec<String> = Employee::query(&db)
        .join_as(Employee::MANAGER, boss)
        .join_from(boss, Employee::MANAGER, top)
        .filter(top.col(Employee::name).eq("Grace"))
        .select(Employee::name)
        .all()
        .unwrap();
    assert_eq!(grand, ["Ada", "linus"]);
    // earning more than their manager: a comparison of two columns
    let richer: Vec<String> = Employee::query(&db)
        .join_as(Employee::MANAGER, boss)
        .filter(Employee::salary.gt(boss.col(Employee::salary)))
        .select(Employee::name)
        .all()
        .unwrap();
    assert_eq!(richer, Vec::<String>::new());
    // joining the table to itself without an alias is refused, typed
    let err = Employee::query(&db).join(Employee::MANAGER).all().unwrap_err();
    assert!(matches!(&err, Error::InvalidQuery { table: "employee", .. }), "{err}");
    assert!(err.to_string().contains("give it an alias: `join_as(employee.manager, "), "{err}");
    // a join from an alias no join made
    let stray = Employee::alias("stray");
    let err = Employee::query(&db).join_from(stray, Employee::MANAGER, top).all().unwrap_err();
    assert!(err.to_string().contains("starts at the alias `stray`"), "{err}");
    // (a join from a model the query does not have does not compile: tests/ui/join_from_a_model_not_reached.rs)
}

fn operators_people_reach_for() {
    let db = staff();
    let names = |q: relations::Query<'_, Employee>| -> Vec<String> {
        q.order_by(Employee::id).all().unwrap().into_iter().map(|e| e.name).collect()
    };
    let q = || Employee::query(&db);
    assert_eq!(names(q().filter(Employee::salary.between(100, 200))), ["Alan", "Ada", "linus"]);
    assert_eq!(names(q().filter(Employee::name.ilike("A%"))), ["Alan", "Ada"]);
    assert_eq!(names(q().filter(Employee::name.ilike("LINUS"))), ["linus"]);
    assert_eq!(names(q().filter(Employee::name.not_in(["Ada", "Alan"]))), ["Grace", "linus"]);
    assert_eq!(names(q().filter(Employee::name.not_in(Vec::<String>::new()))).len(), 4);
    // coalesce: pay including a missing bonus as 0
    assert_eq!(names(q().filter((Employee::salary + Employee::bonus.or_else(0)).ge(250))), ["Grace", "Alan"]);
    assert_eq!(names(q().filter(coalesce(Employee::bonus, 0).eq(0))), ["Grace", "linus"]);
    // arithmetic in the order: by pay, highest first
    let by_pay = q().order_by((Employee::salary + coalesce(Employee::bonus, 0)).desc()).all().unwrap();
    assert_eq!(by_pay.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Grace", "Alan", "linus", "Ada"]);
    let doubled: Vec<i64> = q().select(Employee::salary * 2 - 50).order_by(Employee::id).all().unwrap();
    assert_eq!(doubled, [550, 350, 150, 250]);
    // a subquery as a value: above the average salary
    let mean = Employee::query(&db).select(Employee::salary.avg()).as_term();
    assert_eq!(names(q().filter(Employee::salary.term().cast::<f64>().gt(mean))), ["Grace", "Alan"]);
    // a subquery as a list: the managers
    let managers = Employee::query(&db)
        .filter(Employee::manager_id.is_not_null())
        .select(Employee::manager_id.term().cast::<i64>());
    assert_eq!(names(q().filter(Employee::id.in_query(managers.clone()))), ["Grace", "Alan"]);
    assert_eq!(names(q().filter(Employee::id.not_in_query(managers))), ["Ada", "linus"]);
    let total: Term<Option<i64>> = Employee::salary.sum().erase();
    assert_eq!(Employee::query(&db).select(total).one().unwrap(), Some(750));
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Item {
    id: i64,
    #[column(len = 40)]
    label: String,
    #[column(numeric(precision = 10, scale = 2))]
    price: relations::rust_decimal::Decimal,
    rank: Option<i64>,
}

fn literal_text_nulls_order_and_column_functions() {
    let db = common::fresh();
    db.create_all::<(Item,)>().unwrap();
    let price = |cents: i64| relations::rust_decimal::Decimal::new(cents, 2);
    for (label, cents, rank) in [
        ("50% off", 1250, Some(2)),
        ("500 left", 999, None),
        ("a_b", 10, Some(-7)),
        ("axb", 20, None),
        ("Rust", 5, Some(1)),
    ] {
        db.add(Item { label: label.into(), price: price(cents), rank, ..Default::default() }).unwrap();
    }
    // (conditions erased to pass them to one helper: checked when the statement runs)
    let labels = |e: relations::Expr| -> Vec<String> {
        Item::query(&db).filter(e).order_by(Item::id).select(Item::label).all().unwrap()
    };
    // `%` and `_` are themselves: the same rows on both databases, with case
    assert_eq!(labels(Item::label.contains("0%").erase()), ["50% off"]);
    assert_eq!(labels(Item::label.contains("_").erase()), ["a_b"]);
    assert_eq!(labels(Item::label.startswith("50").erase()), ["50% off", "500 left"]);
    assert_eq!(labels(Item::label.endswith("_b").erase()), ["a_b"]);
    assert_eq!(labels(Item::label.contains("rust").erase()), Vec::<String>::new());
    assert_eq!(labels(Item::label.icontains("rust").erase()), ["Rust"]);
    assert_eq!(labels(Item::label.contains("*").or(Item::label.contains("?")).erase()), Vec::<String>::new());
    // like with an escape character, as SQLAlchemy's `like(pattern, escape='/')`
    assert_eq!(labels(Item::label.like("5_/%%").escape('/').erase()), ["50% off"]);
    assert_eq!(labels(Item::label.like("a/_b").escape('/').erase()), ["a_b"]);
    assert_eq!(labels(Item::label.like("a_b").erase()), ["a_b", "axb"]);

    // NULLs where asked, alike on both (SQLite puts them first by default, PostgreSQL last)
    let ranks = |o: relations::query::Order<relations::reach::One<Item>>| -> Vec<Option<i64>> {
        Item::query(&db).order_by(o).order_by(Item::id).select(Item::rank).all().unwrap()
    };
    assert_eq!(ranks(Item::rank.asc().nulls_last()), [Some(-7), Some(1), Some(2), None, None]);
    assert_eq!(ranks(Item::rank.desc().nulls_first()), [None, None, Some(2), Some(1), Some(-7)]);
    assert_eq!(ranks(Item::rank.asc().nulls_first()), [None, None, Some(-7), Some(1), Some(2)]);

    // length, abs and cast on columns, as on terms
    let long: Vec<String> =
        Item::query(&db).filter(Item::label.length().gt(4)).order_by(Item::id).select(Item::label).all().unwrap();
    assert_eq!(long, ["50% off", "500 left"]);
    let magnitudes: Vec<Option<i64>> = Item::query(&db)
        .filter(Item::rank.is_not_null())
        .order_by(Item::rank.abs())
        .select(Item::rank.abs())
        .all()
        .unwrap();
    assert_eq!(magnitudes, [Some(1), Some(2), Some(7)]);
    let as_float: Vec<f64> =
        Item::query(&db).order_by(Item::id).select(Item::price.cast::<f64>()).limit(1).all().unwrap();
    assert_eq!(as_float, [12.5]);

    // decimals: a column's scale where it is one, the database's where it computes
    let stored: Vec<relations::rust_decimal::Decimal> =
        Item::query(&db).order_by(Item::id).select(Item::price).limit(1).all().unwrap();
    assert_eq!(stored[0].to_string(), "12.50");
    let total: Option<relations::rust_decimal::Decimal> = Item::query(&db).select(Item::price.sum()).one().unwrap();
    assert_eq!(total.unwrap().to_string(), "22.84");
    let scaled: Vec<relations::rust_decimal::Decimal> =
        Item::query(&db).order_by(Item::id).select(Item::price * price(150)).limit(2).all().unwrap();
    // 12.50 × 1.50 = 18.75 and 9.99 × 1.50 = 14.985: not rounded to the column's two places
    assert_eq!(scaled, [price(1875), relations::rust_decimal::Decimal::new(14985, 3)]);
    assert_eq!(scaled[1].to_string().trim_end_matches('0'), "14.985");
}

fn erased_conditions_and_alias_columns_are_checked_when_the_query_runs() {
    let db = staff();
    // typed, `Post::title` on an Employee query does not compile; erased, it is refused
    // before any statement, naming the column
    let (err, sql) = db.record(|| Employee::query(&db).filter(Post::title.eq("x").erase()).all().unwrap_err());
    assert!(sql.is_empty(), "{sql:?}");
    assert!(matches!(&err, Error::InvalidQuery { table: "employee", .. }), "{err:?}");
    assert!(err.to_string().contains("it names `post.title`"), "{err}");
    // an alias's column where the alias was never joined
    let boss = Employee::alias("boss");
    let err = Employee::query(&db).select(boss.col(Employee::name)).all().unwrap_err();
    assert!(err.to_string().contains("`boss.name`"), "{err}");
    // inside a relationship's subquery, its target is reached
    let n = Employee::query(&db).filter(Employee::REPORTS.any(Employee::name.eq("Ada").erase())).count().unwrap();
    assert_eq!(n, 1);
    // and joined, the erased condition runs
    let blog = blog();
    let joined = User::query(&blog)
        .join(User::POSTS)
        .filter(Post::title.ne("").erase())
        .order_by(Post::title.desc().erase())
        .count()
        .unwrap();
    assert_eq!(joined, 3);
}

fn pagination_by_offset_and_by_keyset() {
    let db = db();
    for i in 0..7 {
        user(&db, &format!("u{i}"));
    }
    let page = db.assert_statements(2, || User::query(&db).paginate(2, 3).unwrap());
    assert_eq!(page.items.iter().map(|u| u.id).collect::<Vec<_>>(), [4, 5, 6]);
    assert_eq!((page.total, page.pages(), page.has_next(), page.has_prev()), (7, 3, true, true));
    assert_eq!((page.next_num(), page.prev_num()), (Some(3), Some(1)));
    let last = User::query(&db).paginate(3, 3).unwrap();
    assert_eq!((last.items.len(), last.has_next(), last.next_num()), (1, false, None));
    assert!(User::query(&db).paginate(9, 3).unwrap().items.is_empty());
    // keyset: each page starts after the last key seen
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let rows = db.assert_statements(1, || User::query(&db).page_after(User::id, after, 3).unwrap());
        let Some(last) = rows.last() else { break };
        after = Some(last.id);
        seen.extend(rows.iter().map(|u| u.id));
    }
    assert_eq!(seen, [1, 2, 3, 4, 5, 6, 7]);
    let newest = User::query(&db).page_before(User::id, Some(6), 2).unwrap();
    assert_eq!(newest.iter().map(|u| u.id).collect::<Vec<_>>(), [5, 4]);
}

#[derive(FromRow, Debug, PartialEq)]
struct NameKarma(String, Option<i64>);

fn raw_sql_maps_rows_and_is_echoed_and_counted() {
    let db = blog();
    // the statements' names quoted as the backend quotes them
    let q = |sql: &str| common::quoted(&db, sql);
    let (users, lines) = db.record(|| {
        db.sql(q("SELECT * FROM \"user\" WHERE karma >= :low AND username != :name ORDER BY id"))
            .bind("low", 1)
            .bind("name", "it's :not a parameter")
            .models::<User>()
            .unwrap()
    });
    assert_eq!(users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["ann", "cy"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("karma >= "), "{lines:?}");
    // a model's columns in another order, with more besides
    let reordered =
        db.sql(q("SELECT username, 1 AS extra, karma, id FROM \"user\" ORDER BY id")).models::<User>().unwrap();
    assert_eq!(reordered[1].username, "bob");
    // tuples and structs by position
    let pairs: Vec<(String, i64)> = db
        .sql(q("SELECT u.username, count(p.id) FROM \"user\" u JOIN post p ON p.user_id = u.id GROUP BY u.username ORDER BY 1"))
        .all()
        .unwrap();
    assert_eq!(pairs, [("ann".to_string(), 2), ("bob".to_string(), 1)]);
    let structs: Vec<NameKarma> =
        db.sql(q("SELECT username, karma FROM \"user\" WHERE id = :id")).bind("id", 2).all().unwrap();
    assert_eq!(structs, [NameKarma("bob".into(), None)]);
    let n: i64 = db.sql(q("SELECT count(*) FROM post WHERE user_id = :u")).bind("u", 1).one().unwrap();
    assert_eq!(n, 2);
    assert_eq!(db.sql(q("UPDATE \"user\" SET karma = :k WHERE karma IS NULL")).bind("k", 0).execute().unwrap(), 1);
    // mistakes are typed
    let err = db.sql(q("SELECT id FROM \"user\" WHERE id = :id")).all::<i64>().unwrap_err();
    assert!(matches!(&err, Error::RawParameter { name, in_statement: true } if name == "id"), "{err}");
    let err = db.sql(q("SELECT id FROM \"user\"")).bind("id", 1).all::<i64>().unwrap_err();
    assert!(matches!(&err, Error::RawParameter { in_statement: false, .. }), "{err}");
    let err = db.sql(q("SELECT id, username FROM \"user\"")).models::<User>().unwrap_err();
    assert!(err.to_string().contains("no column `karma`"), "{err}");
    let err = db.sql(q("SELECT username FROM \"user\"")).all::<i64>().unwrap_err();
    assert!(matches!(&err, Error::DecodeResult { position: 0, column, .. } if column == "username"), "{err}");
}

both_backends!(
    aggregates_over_a_query_are_typed_and_one_statement,
    group_by_and_having,
    relationship_aggregates_for_every_owner_in_one_statement,
    projections_into_structs_and_distinct,
    joins_filter_and_order_by_related_columns,
    a_self_join_through_an_alias,
    operators_people_reach_for,
    pagination_by_offset_and_by_keyset,
    raw_sql_maps_rows_and_is_echoed_and_counted,
    literal_text_nulls_order_and_column_functions,
    erased_conditions_and_alias_columns_are_checked_when_the_query_runs,
);
