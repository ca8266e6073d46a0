//! Column types beyond the built-in ones, on both backends: enums through `#[derive(SqlEnum)]`,
//! stored as the variant's name (SQLAlchemy's `Enum`) or as the discriminant; `uuid::Uuid`,
//! `serde_json::Value`, the `time` crate's types, small and unsigned integers, and a newtype
//! through the public value trait.

use crate::common;

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

/// A newtype column, through the public value trait: stored as the text it wraps.
#[derive(Debug, Clone, PartialEq, Default)]
struct Email(String);

impl relations::schema::SqlValue for Email {
    const SQL_TYPE: relations::schema::SqlType = <String as relations::schema::SqlValue>::SQL_TYPE;
    fn to_value(&self) -> relations::schema::Value<'_> {
        self.0.to_value()
    }
    fn from_value(
        value: relations::schema::ValueRef<'_>,
        column: &relations::schema::ColumnDef,
    ) -> Result<Self, relations::schema::DecodeError> {
        let s = String::from_value(value, column)?;
        match s.contains('@') {
            true => Ok(Email(s)),
            false => Err(relations::schema::DecodeError::unexpected("an email address", value)),
        }
    }
}

// `time`'s types have no `Default`, so neither has the model
#[derive(Model, Debug, Clone, PartialEq)]
#[model(no_default)]
struct Account {
    id: i64,
    token: uuid::Uuid,
    parent_token: Option<uuid::Uuid>,
    settings: serde_json::Value,
    joined: time::PrimitiveDateTime,
    birthday: Option<time::Date>,
    wakes: time::Time,
    level: u8,
    score: i16,
    visits: u32,
    email: Email,
}

fn uuid_json_time_integers_and_newtypes_round_trip() {
    let db = common::fresh();
    db.create_all::<(Account,)>().unwrap();
    let sql = db.schema::<(Account,)>().join("\n");
    let (uuid, json) = match db.backend_name() {
        "sqlite" => ("CHAR(32)", "TEXT"),
        "mariadb" => ("CHAR(32)", "JSON"),
        _ => ("UUID", "JSON"),
    };
    assert!(sql.contains(&format!("token {uuid} NOT NULL")), "{sql}");
    assert!(sql.contains(&format!("settings {json} NOT NULL")), "{sql}");
    assert!(sql.contains("level SMALLINT NOT NULL") && sql.contains("visits BIGINT NOT NULL"), "{sql}");

    let whole_seconds = db.backend_name() == "mariadb";
    let token = uuid::Uuid::new_v4();
    let joined = time::PrimitiveDateTime::new(
        time::Date::from_calendar_date(2024, time::Month::February, 29).unwrap(),
        // MariaDB's DATETIME and TIME (SQLAlchemy's DDL there) keep whole seconds
        time::Time::from_hms_micro(13, 45, 7, if whole_seconds { 0 } else { 123_456 }).unwrap(),
    );
    let account = db
        .add(Account {
            token,
            parent_token: None,
            settings: serde_json::json!({"theme": "dark", "tabs": [1, 2]}),
            joined,
            birthday: Some(time::Date::from_calendar_date(1990, time::Month::July, 4).unwrap()),
            wakes: time::Time::from_hms_micro(6, 30, 0, if whole_seconds { 0 } else { 250 }).unwrap(),
            level: 255,
            score: -32768,
            visits: u32::MAX,
            email: Email("ann@example.com".into()),
            id: 0,
        })
        .unwrap();
    let back = Account::query(&db).filter_by(Account::token, token).one().unwrap();
    assert_eq!(back, account);
    assert_eq!(back.settings["tabs"][1], 2);
    // as SQLAlchemy's `Uuid` stores it on SQLite: 32 hex digits
    if db.backend_name() == "sqlite" {
        let stored: String = db
            .driver::<relations::rusqlite::Connection>()
            .unwrap()
            .query_row("SELECT token FROM account", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, token.simple().to_string());
    }
    common::raw(&db, "UPDATE account SET email = 'nobody'");
    let err = Account::get(&db, account.id).unwrap_err();
    assert!(err.to_string().contains("account.email"), "{err}");
}

both_backends!(
    enums_are_stored_as_names_or_discriminants,
    a_stored_value_that_is_no_variant_is_a_decode_error,
    uuid_json_time_integers_and_newtypes_round_trip,
);
