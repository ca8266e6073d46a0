//! Column types beyond the built-in ones: enums through `#[derive(SqlEnum)]`, stored as the
//! variant's name (SQLAlchemy's `Enum`) or as the discriminant, on both backends.

mod common;

use relations::{Error, Model, SqlEnum};

#[derive(SqlEnum, Debug, Clone, Copy, PartialEq, Default)]
enum Status {
    #[default]
    Draft,
    Published,
    Archived,
}

#[derive(SqlEnum, Debug, Clone, Copy, PartialEq, Default)]
#[sql_enum(integer)]
enum Priority {
    #[default]
    Low = 1,
    High = 10,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Article {
    id: i64,
    status: Status,
    priority: Priority,
    previous: Option<Status>,
}

fn enums_are_stored_as_names_or_discriminants() {
    let db = common::fresh();
    db.create_all::<(Article,)>().unwrap();
    let sql = db.schema::<(Article,)>().join("\n");
    assert!(sql.contains("status VARCHAR(9) NOT NULL"), "{sql}");
    assert!(sql.contains("priority INTEGER NOT NULL"), "{sql}");
    let a = db
        .add(Article { status: Status::Published, priority: Priority::High, previous: Some(Status::Draft), id: 0 })
        .unwrap();
    db.add(Article { status: Status::Archived, ..Default::default() }).unwrap();
    let stored_as =
        |sql: &str| common::scalar(&db, &format!("SELECT count(*) FROM article WHERE id = {} AND {sql}", a.id));
    assert_eq!(stored_as("status = 'Published' AND previous = 'Draft'"), 1, "the variant's name");
    assert_eq!(common::scalar(&db, &format!("SELECT priority FROM article WHERE id = {}", a.id)), 10);
    assert_eq!(Article::get(&db, a.id).unwrap().unwrap(), a);
    let archived = Article::query(&db).filter_by(Article::status, Status::Archived).all().unwrap();
    assert_eq!(
        archived.iter().map(|a| (a.status, a.priority, a.previous)).collect::<Vec<_>>(),
        [(Status::Archived, Priority::Low, None)]
    );
}

fn a_stored_value_that_is_no_variant_is_a_decode_error() {
    let db = common::fresh();
    db.create_all::<(Article,)>().unwrap();
    common::raw(&db, "INSERT INTO article (status, priority) VALUES ('Deleted', 1)");
    let err = Article::all(&db).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(text.contains("article.status") && text.contains("'Deleted' is not a Status"), "{text}");
    common::raw(&db, "UPDATE article SET status = 'Draft', priority = 5");
    let text = Article::all(&db).unwrap_err().to_string();
    assert!(text.contains("article.priority") && text.contains("INTEGER 5 is not a Priority"), "{text}");
}

both_backends!(enums_are_stored_as_names_or_discriminants, a_stored_value_that_is_no_variant_is_a_decode_error,);
