//! `#[model(serde)]`: loaded relationships nested, unloaded ones left out, a `belongs_to` as
//! its key column; deserialized rows saved with their owner.

use crate::common;

use relations::{joinedload, selectinload, BelongsTo, Deferred, Error, HasMany, HasOne, ManyToMany, Model, Version};
use serde_json::json;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(serde, table = "author")]
pub struct Writer {
    pub id: i64,
    #[column(unique, len = 80)]
    pub username: String,
    pub karma: Option<i64>,
    #[has_many(Article, inverse = writer)]
    pub articles: HasMany<Article>,
    #[has_one(Bio, inverse = writer)]
    pub bio: HasOne<Bio>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(serde)]
pub struct Bio {
    pub id: i64,
    #[column(len = 200)]
    pub text: String,
    #[belongs_to(Writer, unique, inverse = bio)]
    pub writer: BelongsTo<Writer>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(serde)]
pub struct Article {
    pub id: i64,
    #[column(len = 120)]
    pub title: String,
    #[belongs_to(Writer, inverse = articles)]
    pub writer: BelongsTo<Writer>,
    #[many_to_many(Label, through = article_labels)]
    pub labels: ManyToMany<Label>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(serde)]
pub struct Label {
    pub id: i64,
    #[column(unique, len = 50)]
    pub name: String,
}

/// A versioned row: its counter is a number in JSON, and a client sends back the one it read.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(serde)]
pub struct Memo {
    pub id: i64,
    #[column(len = 80)]
    pub text: String,
    pub version_id: Version,
}

/// A deferred column: `null` in JSON while not loaded, loaded when deserialized.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(serde)]
pub struct Sheet {
    pub id: i64,
    #[column(text)]
    pub body: Deferred<String>,
}

fn blog() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Writer, Bio, Article, Label, Memo, Sheet)>().unwrap();
    db
}

fn relationships_serialize_when_loaded_and_are_left_out_when_not() {
    let db = blog();
    let ann = db.add(Writer { username: "ann".into(), karma: Some(3), ..Default::default() }).unwrap();
    let mut article = Article { title: "Hi".into(), writer: BelongsTo::to(&ann), ..Default::default() };
    article.labels.push(Label { name: "rust".into(), ..Default::default() });
    db.add(article).unwrap();

    let plain = Writer::get(&db, ann.id).unwrap().unwrap();
    assert_eq!(serde_json::to_value(&plain).unwrap(), json!({"id": 1, "username": "ann", "karma": 3}));

    let loaded = Writer::query(&db)
        .options(selectinload(Writer::ARTICLES).selectinload(Article::LABELS))
        .options(joinedload(Writer::BIO))
        .one()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&loaded).unwrap(),
        json!({
            "id": 1, "username": "ann", "karma": 3,
            "articles": [{"id": 1, "title": "Hi", "writer_id": 1, "labels": [{"id": 1, "name": "rust"}]}],
            "bio": null,
        })
    );

    // a belongs_to keeps its key; its parent comes beside it once loaded
    let article = Article::query(&db).options(joinedload(Article::WRITER)).one().unwrap();
    let value = serde_json::to_value(&article).unwrap();
    assert_eq!(value["writer_id"], 1);
    assert_eq!(value["writer"], json!({"id": 1, "username": "ann", "karma": 3}));
    assert!(value.get("labels").is_none(), "not loaded: {value}");
}

fn deserialized_rows_are_saved_with_their_owner() {
    let db = blog();
    let input = json!({
        "username": "bob",
        "articles": [{"title": "One", "writer_id": 0, "labels": [{"name": "orm"}]}, {"title": "Two", "writer_id": 0}],
        "bio": {"text": "hello", "writer_id": 0},
    });
    let bob: Writer = serde_json::from_value(input).unwrap();
    assert!(bob.is_new() && bob.karma.is_none());
    let bob = db.add(bob).unwrap();
    let back = Writer::query(&db)
        .options(selectinload(Writer::ARTICLES).selectinload(Article::LABELS))
        .options(selectinload(Writer::BIO))
        .one()
        .unwrap();
    assert_eq!(back.id, bob.id);
    let titles: Vec<_> = back.articles.loaded().unwrap().iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["One", "Two"]);
    assert_eq!(back.articles.loaded().unwrap()[0].labels.loaded().unwrap()[0].name, "orm");
    assert_eq!(back.bio.loaded().unwrap().map(|b| b.text.as_str()), Some("hello"));

    // the serialized form reads back as the same row
    let again: Writer = serde_json::from_value(serde_json::to_value(&back).unwrap()).unwrap();
    assert_eq!((again.id, again.username.as_str(), again.karma), (back.id, "bob", None));
    let article: Article = serde_json::from_value(json!({"id": 5, "title": "T", "writer_id": 1})).unwrap();
    assert_eq!(*article.writer.key(), 1);

    let missing = serde_json::from_value::<Writer>(json!({"karma": 1})).unwrap_err();
    assert_eq!(missing.to_string(), "missing field `username`");
    let wrong = serde_json::from_value::<Article>(json!({"title": 5, "writer_id": 1})).unwrap_err();
    assert!(wrong.to_string().starts_with("invalid type: integer `5`, expected a string"), "{wrong}");
}

fn a_version_is_a_number_and_the_one_sent_back_is_the_condition() {
    let db = blog();
    // a new row comes without its version
    let new: Memo = serde_json::from_value(json!({"text": "a"})).unwrap();
    let memo = db.add(new).unwrap();
    let read = Memo::get(&db, memo.id).unwrap().unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), json!({"id": memo.id, "text": "a", "version_id": 1}));
    // the client edits what it read and sends it back: written on the condition of version 1
    let mut edit: Memo = serde_json::from_value(json!({"id": memo.id, "text": "b", "version_id": 1})).unwrap();
    edit.update(&db).unwrap();
    assert_eq!(edit.version_id.get(), 2);
    // a second client, which read version 1 too, is refused
    let mut late: Memo = serde_json::from_value(json!({"id": memo.id, "text": "c", "version_id": 1})).unwrap();
    let e = late.update(&db).unwrap_err();
    assert!(matches!(e, Error::StaleData { table: "memo", version: 1, .. }), "{e:?}");
    assert_eq!(Memo::get(&db, memo.id).unwrap().unwrap().text, "b");
}

fn a_deferred_column_is_null_until_loaded() {
    let db = blog();
    let sheet: Sheet = serde_json::from_value(json!({"body": "long text"})).unwrap();
    assert_eq!(sheet.body.get().unwrap(), "long text", "deserialized: loaded");
    let sheet = db.add(sheet).unwrap();
    let read = Sheet::get(&db, sheet.id).unwrap().unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), json!({"id": sheet.id, "body": null}));
    let whole = Sheet::query(&db).undefer_all().one().unwrap();
    assert_eq!(serde_json::to_value(&whole).unwrap(), json!({"id": sheet.id, "body": "long text"}));
}

both_backends!(
    a_deferred_column_is_null_until_loaded,
    relationships_serialize_when_loaded_and_are_left_out_when_not,
    deserialized_rows_are_saved_with_their_owner,
    a_version_is_a_number_and_the_one_sent_back_is_the_condition
);
