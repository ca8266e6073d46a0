//! Deferred columns (SQLAlchemy's `deferred`, `undefer`): a `Deferred<T>` field is left out of
//! every load — queries, `get`, lazy loads, every eager strategy, raw models — until a query
//! asks for it or `load_deferred` loads it; reading it unloaded is a typed error naming the
//! column; `update` writes only loaded columns; inserting a row without it is refused. On every
//! backend, sync and async.

use crate::common;

use relations::{
    joinedload, selectinload, subqueryload, subtreeload, BelongsTo, Db, Deferred, Error, HasMany, Model, Snapshot,
};

#[derive(Model, Debug, Clone)]
struct Folder {
    id: i64,
    #[column(len = 40)]
    name: String,
    #[has_many(Doc, inverse = folder)]
    docs: HasMany<Doc>,
}

#[derive(Model, Debug, Clone)]
struct Doc {
    id: i64,
    #[column(len = 80)]
    title: String,
    #[column(text)]
    body: Deferred<String>,
    #[column(len = 200)]
    summary: Deferred<Option<String>>,
    #[belongs_to(Folder, inverse = docs)]
    folder: BelongsTo<Folder>,
    loaded: Snapshot,
}

/// A tree, loaded whole by one recursive statement.
#[derive(Model, Debug, Clone)]
struct Node {
    id: i64,
    #[column(text)]
    notes: Deferred<String>,
    #[self_ref]
    parent: BelongsTo<Option<Node>>,
    #[has_many(Node, inverse = parent)]
    children: HasMany<Node>,
}

fn subtree_loads_leave_them_out_and_undefer_reaches_the_rows_of_the_query() {
    let db = common::fresh();
    db.create_all::<(Node,)>().unwrap();
    let root = db.add(Node { notes: Deferred::new("root notes".into()), ..Default::default() }).unwrap();
    let child = Node { notes: Deferred::new("child notes".into()), parent: BelongsTo::to(&root), ..Default::default() };
    db.add(child).unwrap();
    let query = || Node::query(&db).filter_by(Node::id, root.id).options(subtreeload(Node::CHILDREN));
    let tree = without_deferred(&db, "subtreeload", || query().one().unwrap());
    assert!(matches!(tree.notes.get(), Err(Error::Deferred { table: "node", column: "notes" })));
    assert!(tree.children.loaded().unwrap()[0].notes.get().is_err());
    let tree = query().undefer(Node::notes).one().unwrap();
    assert_eq!(tree.notes.get().unwrap(), "root notes");
}

fn setup() -> (common::TestDb, Folder) {
    let db = common::fresh();
    db.create_all::<(Folder, Doc)>().unwrap();
    let folder = db.add(Folder { name: "f".into(), ..Default::default() }).unwrap();
    for (title, body) in [("one", "a long body"), ("two", "another long body")] {
        let doc = Doc {
            title: title.into(),
            body: Deferred::new(body.to_string()),
            summary: Deferred::new(Some(format!("{title} in short"))),
            folder: BelongsTo::to(&folder),
            ..Default::default()
        };
        db.add(doc).unwrap();
    }
    (db, folder)
}

fn not_loaded(doc: &Doc) -> bool {
    matches!(doc.body.get(), Err(Error::Deferred { table: "doc", column: "body" }))
        && matches!(doc.summary.get(), Err(Error::Deferred { table: "doc", column: "summary" }))
}

/// Runs `load` and checks that its statements read neither deferred column.
fn without_deferred<T>(db: &Db, what: &str, load: impl FnOnce() -> T) -> T {
    let (value, statements) = db.record(load);
    assert!(!statements.is_empty(), "{what}: no statement");
    for s in &statements {
        assert!(!s.contains("body") && !s.contains("summary"), "{what} reads a deferred column: {s}");
    }
    value
}

fn every_load_leaves_them_out() {
    let (db, folder) = setup();
    let docs = without_deferred(&db, "a query", || Doc::query(&db).all().unwrap());
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(not_loaded));
    assert_eq!(docs[0].title, "one", "the other columns keep their places");
    let doc = without_deferred(&db, "get", || Doc::get(&db, docs[0].id).unwrap().unwrap());
    assert!(not_loaded(&doc));
    let page = without_deferred(&db, "a page", || Doc::query(&db).paginate(1, 1).unwrap());
    assert!(page.items.iter().all(not_loaded));
    let f = Folder::get(&db, folder.id).unwrap().unwrap();
    let lazy = without_deferred(&db, "a lazy load", || f.docs(&db).load().unwrap().to_vec());
    assert!(lazy.iter().all(not_loaded));
    for (name, load) in [
        ("selectinload", selectinload(Folder::DOCS)),
        ("joinedload", joinedload(Folder::DOCS)),
        ("subqueryload", subqueryload(Folder::DOCS)),
    ] {
        let f = without_deferred(&db, name, || Folder::query(&db).options(load).one().unwrap());
        let docs = f.docs.loaded().unwrap();
        assert_eq!(docs.len(), 2, "{name}");
        assert!(docs.iter().all(not_loaded), "{name}");
    }
    // a raw statement that leaves them out: not loaded either
    let sql = common::quoted(&db, "SELECT id, title, folder_id FROM \"doc\" ORDER BY id");
    let raw: Vec<Doc> = db.sql(sql).models().unwrap();
    assert!(raw.iter().all(not_loaded));
    let sql = common::quoted(&db, "SELECT * FROM \"doc\" ORDER BY id");
    let whole: Vec<Doc> = db.sql(sql).models().unwrap();
    assert_eq!(whole[0].body.get().unwrap(), "a long body");
    // the message names the way to load it
    assert_eq!(
        doc.body.get().unwrap_err().to_string(),
        "`doc.body` is deferred and was not loaded: ask for it in the query (`.undefer(..)`), or load it with `load_deferred(&db)`"
    );
}

fn undefer_and_load_deferred_load_them() {
    let (db, _) = setup();
    let docs = Doc::query(&db).undefer(Doc::body).order_by(Doc::id).all().unwrap();
    assert_eq!(docs[1].body.get().unwrap(), "another long body");
    assert!(docs[1].summary.get().is_err(), "only the column asked for");
    let doc = Doc::query(&db).undefer_all().first().unwrap().unwrap();
    assert_eq!(doc.summary.get().unwrap().as_deref(), Some("one in short"));
    // afterwards: one statement for all of the row's deferred columns, none when loaded
    let doc = Doc::query(&db).first().unwrap().unwrap();
    db.assert_statements(1, || doc.load_deferred(&db)).unwrap();
    assert_eq!(doc.body.get().unwrap(), "a long body");
    assert_eq!(doc.summary.get().unwrap().as_deref(), Some("one in short"));
    db.assert_statements(0, || doc.load_deferred(&db)).unwrap();
}

fn loader_options_undefer_their_rows() {
    let (db, folder) = setup();
    for (name, load, statements) in [
        ("selectinload", selectinload(Folder::DOCS).undefer(Doc::body), 2),
        ("joinedload", joinedload(Folder::DOCS).undefer(Doc::body), 1),
        ("subqueryload", subqueryload(Folder::DOCS).undefer(Doc::body), 2),
    ] {
        let f = db.assert_statements(statements, || Folder::query(&db).options(load).one().unwrap());
        let docs = f.docs.loaded().unwrap();
        assert_eq!(docs[1].body.get().unwrap(), "another long body", "{name}");
        assert!(docs[1].summary.get().is_err(), "{name}: only the column asked for");
    }
    let f = Folder::query(&db).options(selectinload(Folder::DOCS).undefer_all()).one().unwrap();
    assert_eq!(f.docs.loaded().unwrap()[0].summary.get().unwrap().as_deref(), Some("one in short"));
    // the option's rows only: the owners' own deferred columns stay out
    let doc = Doc::query(&db).options(joinedload(Doc::FOLDER)).first().unwrap().unwrap();
    assert!(not_loaded(&doc));
    assert_eq!(doc.folder(&db).load().unwrap().id, folder.id);
}

fn updates_write_only_loaded_columns() {
    let (db, _) = setup();
    let mut doc = Doc::query(&db).first().unwrap().unwrap();
    doc.title = "renamed".into();
    let ((), statements) = db.record(|| doc.update(&db).unwrap());
    assert_eq!(statements.len(), 1);
    assert!(!statements[0].contains("body"), "{statements:?}");
    let stored = Doc::query(&db).undefer_all().first().unwrap().unwrap();
    assert_eq!((stored.title.as_str(), stored.body.get().unwrap().as_str()), ("renamed", "a long body"));
    // without a snapshot too: every loaded column, no deferred one
    doc.loaded.clear();
    let ((), statements) = db.record(|| doc.update(&db).unwrap());
    assert!(statements[0].contains("title") && !statements[0].contains("body"), "{statements:?}");
    // loaded, then changed: written
    doc.load_deferred(&db).unwrap();
    db.assert_statements(0, || doc.update(&db)).unwrap();
    doc.body = Deferred::new("rewritten".into());
    doc.update(&db).unwrap();
    let stored = Doc::query(&db).undefer(Doc::body).first().unwrap().unwrap();
    assert_eq!(stored.body.get().unwrap(), "rewritten");
}

fn inserting_a_row_without_them_is_refused() {
    let (db, _) = setup();
    let loaded = Doc::query(&db).first().unwrap().unwrap();
    let copy = Doc { id: 0, ..loaded.clone() };
    let e = db.add(copy.clone()).unwrap_err();
    assert!(matches!(e, Error::Deferred { table: "doc", column: "body" }), "{e:?}");
    let e = db.add_all([copy.clone(), copy]).unwrap_err();
    assert!(matches!(e, Error::Deferred { table: "doc", column: "body" }), "{e:?}");
    assert_eq!(Doc::query(&db).count().unwrap(), 2, "nothing written");
    // loaded first: a copy goes in whole
    loaded.load_deferred(&db).unwrap();
    let copy = db.add(Doc { id: 0, ..loaded }).unwrap();
    let stored = Doc::query(&db).undefer_all().filter_by(Doc::id, copy.id).one().unwrap();
    assert_eq!(stored.body.get().unwrap(), "a long body");
}

both_backends!(
    loader_options_undefer_their_rows,
    subtree_loads_leave_them_out_and_undefer_reaches_the_rows_of_the_query,
    every_load_leaves_them_out,
    undefer_and_load_deferred_load_them,
    updates_write_only_loaded_columns,
    inserting_a_row_without_them_is_refused,
);

/// The column is declared as its value type's, the table says which columns are deferred.
#[test]
fn the_table_marks_them() {
    assert_eq!(Doc::TABLE.deferred, 0b1100);
    let body = Doc::TABLE.column("body").unwrap();
    assert_eq!((body.sql_type, body.nullable), (relations::schema::SqlType::Text, false));
    assert!(Doc::TABLE.column("summary").unwrap().nullable);
}
