//! Version counters (SQLAlchemy's `version_id_col`): a `Version` column makes every update,
//! save and delete of a loaded row conditional on the version it was read with, and bumps it;
//! a row changed or deleted by someone else in between is `Error::StaleData`, never a silent
//! overwrite. On every backend, sync and async, and under concurrent writers (threads, and
//! tasks through `AsyncDb`).

use crate::common;

use std::sync::{Arc, Barrier};

use relations::{BelongsTo, Db, Error, HasMany, Model, Snapshot, Version};

#[derive(Model, Debug, Clone)]
struct Doc {
    id: i64,
    #[column(len = 80)]
    title: String,
    version_id: Version,
    #[has_many(Section, inverse = doc, cascade = "all, delete-orphan")]
    sections: HasMany<Section>,
    #[has_many(Note, inverse = doc)]
    notes: HasMany<Note>,
}

#[derive(Model, Debug, Clone)]
struct Section {
    id: i64,
    #[column(len = 80)]
    body: String,
    #[belongs_to(Doc, inverse = sections)]
    doc: BelongsTo<Doc>,
}

/// A versioned child whose parent, deleted or letting go of it, unhooks it.
#[derive(Model, Debug, Clone)]
struct Note {
    id: i64,
    #[column(len = 80)]
    text: String,
    version_id: Version,
    #[belongs_to(Doc, inverse = notes)]
    doc: BelongsTo<Option<Doc>>,
}

/// A natural key: new while it has no version.
#[derive(Model, Debug, Clone)]
struct Setting {
    #[key]
    #[column(len = 40)]
    name: String,
    value: i64,
    version_id: Version,
}

/// Keeps the values it was loaded with: writes only what changed, and nothing when nothing did.
#[derive(Model, Debug, Clone)]
struct Draft {
    id: i64,
    #[column(len = 80)]
    text: String,
    version_id: Version,
    loaded: Snapshot,
}

#[derive(Model, Debug, Clone)]
struct Tally {
    id: i64,
    value: i64,
    version_id: Version,
}

fn setup() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Doc, Section, Note, Setting, Draft, Tally)>().unwrap();
    db
}

/// The version stored in the database for the row of `table` with key `id`.
fn stored_version(db: &Db, table: &str, id: i64) -> i64 {
    common::scalar(db, &format!("SELECT version_id FROM \"{table}\" WHERE id = {id}"))
}

fn doc(db: &Db, title: &str) -> Doc {
    db.add(Doc { title: title.into(), ..Default::default() }).unwrap()
}

fn is_stale(e: &Error, table: &str, version: i64, action: &str) -> bool {
    matches!(e, Error::StaleData { table: t, version: v, action: a, .. } if *t == table && *v == version && *a == action)
}

fn the_column_is_an_integer_not_null() {
    let db = setup();
    let column = Doc::TABLE.version_column().expect("the `Version` field is the version counter");
    assert_eq!((column.name, column.nullable), ("version_id", false));
    assert_eq!(Doc::TABLE.version, Some(2));
    assert_eq!(Section::TABLE.version, None);
    let ddl = db.dialect().create_table(&relations::catalog::Table::from(Doc::TABLE));
    assert!(ddl.contains("\tversion_id INTEGER NOT NULL, \n"), "as SQLAlchemy declares it: {ddl}");
}

fn an_insert_writes_version_one_and_each_update_the_next() {
    let db = setup();
    // whatever the field held, an insert writes 1
    let mut d = db.add(Doc { title: "a".into(), version_id: Version::new(7), ..Default::default() }).unwrap();
    assert_eq!((d.version_id.get(), stored_version(&db, "doc", d.id)), (1, 1));
    let (sql, statements) = db.record(|| d.update(&db));
    sql.unwrap();
    assert_eq!(statements.len(), 1, "one statement: {statements:?}");
    assert!(statements[0].contains("version_id"), "{statements:?}");
    assert_eq!((d.version_id.get(), stored_version(&db, "doc", d.id)), (2, 2));
    let mut d = Doc::get(&db, d.id).unwrap().unwrap();
    assert_eq!(d.version_id.get(), 2, "loaded with its version");
    d.title = "b".into();
    d.save(&db).unwrap();
    assert_eq!((d.version_id.get(), stored_version(&db, "doc", d.id)), (3, 3));
    // many rows at once: each inserted at version 1
    let many = db.add_all((0..3).map(|i| Doc { title: format!("m{i}"), ..Default::default() })).unwrap();
    for m in &many {
        assert_eq!((m.version_id.get(), stored_version(&db, "doc", m.id)), (1, 1));
    }
}

fn a_stale_update_is_refused_and_writes_nothing() {
    let db = setup();
    let d = doc(&db, "first");
    let (mut mine, mut theirs) = (Doc::get(&db, d.id).unwrap().unwrap(), Doc::get(&db, d.id).unwrap().unwrap());
    theirs.title = "theirs".into();
    theirs.update(&db).unwrap();
    mine.title = "mine".into();
    let e = mine.update(&db).unwrap_err();
    assert!(is_stale(&e, "doc", 1, "update"), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "cannot update the `doc` row with key {}: it was read at version 1, and someone else has updated or deleted it since; nothing was written: load it again and retry",
            d.id
        )
    );
    assert_eq!(mine.version_id.get(), 1, "a refused write keeps the version it was read with");
    let stored = Doc::get(&db, d.id).unwrap().unwrap();
    assert_eq!((stored.title.as_str(), stored.version_id.get()), ("theirs", 2));
    // `save` is the same write
    let e = mine.save(&db).unwrap_err();
    assert!(is_stale(&e, "doc", 1, "update"), "{e:?}");
    // deleted by someone else: stale too, not silently nothing
    theirs.delete(&db).unwrap();
    let e = theirs.update(&db).unwrap_err();
    assert!(is_stale(&e, "doc", 2, "update"), "{e:?}");
}

fn a_row_never_read_is_stale_and_a_natural_key_without_a_version_is_new() {
    let db = setup();
    let d = doc(&db, "stored");
    // built by hand with the key of a stored row: it was never read, so it cannot overwrite
    let mut by_hand = Doc { id: d.id, title: "blind".into(), ..Default::default() };
    let e = by_hand.update(&db).unwrap_err();
    assert!(is_stale(&e, "doc", 0, "update"), "{e:?}");
    assert!(e.to_string().contains("it holds no version (0)"), "{e}");
    assert_eq!(Doc::get(&db, d.id).unwrap().unwrap().title, "stored");
    // a client sends back the version it read (an HTTP If-Match): the write is conditional on it
    let mut sent = Doc { id: d.id, title: "from the client".into(), version_id: Version::new(1), ..Default::default() };
    sent.update(&db).unwrap();
    assert_eq!(stored_version(&db, "doc", d.id), 2);
    // a natural key without a version was never stored: `save` inserts it, then updates it
    let mut s = Setting { name: "theme".into(), value: 1, ..Default::default() };
    s.save(&db).unwrap();
    assert_eq!(s.version_id.get(), 1);
    s.value = 2;
    s.save(&db).unwrap();
    assert_eq!(s.version_id.get(), 2);
    let mut copy = Setting { name: "theme".into(), value: 3, version_id: Version::new(1) };
    let e = copy.save(&db).unwrap_err();
    assert!(is_stale(&e, "setting", 1, "update"), "{e:?}");
}

fn a_stale_delete_deletes_nothing_not_even_what_cascades() {
    let db = setup();
    let mut d = Doc { title: "with sections".into(), ..Default::default() };
    d.sections.push(Section { body: "s1".into(), ..Default::default() });
    d.sections.push(Section { body: "s2".into(), ..Default::default() });
    let d = db.add(d).unwrap();
    let stale = Doc::get(&db, d.id).unwrap().unwrap();
    let mut fresh = Doc::get(&db, d.id).unwrap().unwrap();
    fresh.update(&db).unwrap();
    let e = stale.delete(&db).unwrap_err();
    assert!(is_stale(&e, "doc", 1, "delete"), "{e:?}");
    assert_eq!(Section::query(&db).count().unwrap(), 2, "the cascade was rolled back with the refused delete");
    assert!(Doc::get(&db, d.id).unwrap().is_some());
    assert!(common::no_transaction_open(&db));
    assert!(fresh.delete(&db).unwrap(), "read at the current version: deleted");
    assert_eq!(Section::query(&db).count().unwrap(), 0);
    // nothing references `setting`: the one-statement delete is conditional too
    let mut s = Setting { name: "a".into(), value: 1, ..Default::default() };
    s.save(&db).unwrap();
    let old = s.clone();
    s.save(&db).unwrap();
    let e = old.delete(&db).unwrap_err();
    assert!(is_stale(&e, "setting", 1, "delete"), "{e:?}");
    assert!(s.delete(&db).unwrap());
}

fn unhooked_children_and_bulk_updates_are_new_versions() {
    let db = setup();
    let mut d = Doc { title: "parent".into(), ..Default::default() };
    d.notes.push(Note { text: "n1".into(), ..Default::default() });
    d.notes.push(Note { text: "n2".into(), ..Default::default() });
    let d = db.add(d).unwrap();
    let mut notes = Note::query(&db).order_by(Note::id).all().unwrap();
    assert_eq!(notes.iter().map(|n| n.version_id.get()).collect::<Vec<_>>(), [1, 1]);
    // a parent letting go of one: its foreign key set to NULL, as a new version
    assert!(d.notes(&db).remove(&notes[0]).unwrap());
    assert_eq!(notes[0].version_id.get(), 2);
    assert_eq!(stored_version(&db, "note", notes[0].id), 2);
    // the parent deleted: the other one unhooked, as a new version
    d.delete(&db).unwrap();
    assert_eq!(stored_version(&db, "note", notes[1].id), 2);
    let e = notes[1].update(&db).unwrap_err();
    assert!(is_stale(&e, "note", 1, "update"), "{e:?}");
    // a bulk update bumps every row it changes
    let mut before = Note::query(&db).order_by(Note::id).all().unwrap();
    let changed = Note::query(&db).set(Note::text, "bulk").update().unwrap();
    assert_eq!(changed, 2);
    let after: Vec<i64> =
        Note::query(&db).order_by(Note::id).all().unwrap().iter().map(|n| n.version_id.get()).collect();
    assert_eq!(after, [3, 3]);
    let e = before[0].update(&db).unwrap_err();
    assert!(is_stale(&e, "note", 2, "update"), "{e:?}");
}

fn a_snapshot_writes_the_version_only_with_a_change() {
    let db = setup();
    let d = db.add(Draft { text: "a".into(), ..Default::default() }).unwrap();
    let mut d = Draft::get(&db, d.id).unwrap().unwrap();
    db.assert_statements(0, || d.save(&db)).unwrap();
    assert_eq!(d.version_id.get(), 1, "nothing written: the same version");
    d.text = "b".into();
    let ((), statements) = db.record(|| d.save(&db).unwrap());
    assert_eq!(statements.len(), 1);
    assert_eq!(d.version_id.get(), 2);
    assert_eq!(stored_version(&db, "draft", d.id), 2);
    db.assert_statements(0, || d.save(&db)).unwrap();
}

fn upserts_are_refused_and_insert_or_ignore_writes_version_one() {
    let db = setup();
    let mut d = doc(&db, "x");
    let e = db.upsert(&mut d).unwrap_err();
    assert!(matches!(&e, Error::InvalidQuery { table: "doc", message } if message.contains("version_id")), "{e:?}");
    let mut s = Setting { name: "k".into(), value: 1, ..Default::default() };
    assert!(db.insert_or_ignore(&mut s).unwrap());
    assert_eq!(s.version_id.get(), 1);
    let mut again = Setting { name: "k".into(), value: 2, version_id: Version::new(5) };
    assert!(!db.insert_or_ignore(&mut again).unwrap());
    assert_eq!(again.version_id.get(), 5, "left out: the version it had");
}

fn a_unit_that_fails_after_the_update_leaves_the_version_as_stored() {
    let db = setup();
    let mut d = Doc::get(&db, doc(&db, "parent").id).unwrap().unwrap();
    d.title = "renamed".into();
    // the row is updated, then its new section refused: all of it rolled back
    d.sections.push(Section { body: "x".repeat(81), ..Default::default() });
    let e = d.save(&db).unwrap_err();
    assert!(matches!(e, Error::ValueDoesNotFit { table: "section", .. }), "{e:?}");
    assert_eq!((d.version_id.get(), stored_version(&db, "doc", d.id)), (1, 1), "the version it is stored with");
    // so the next write is not stale
    d.update(&db).unwrap();
    assert_eq!((d.version_id.get(), stored_version(&db, "doc", d.id)), (2, 2));
}

const WRITERS: usize = 4;
const ROUNDS: i64 = 10;

/// What one writer saw: its writes that were kept, and those refused as stale.
#[derive(Default)]
struct Seen {
    kept: i64,
    stale: i64,
}

/// One round of one writer, after every writer read the tally at the same version: add one
/// and write it back, once.
fn write_once(db: &Db, tally: &Tally, seen: &mut Seen) {
    let mut next = Tally { id: tally.id, value: tally.value + 1, version_id: tally.version_id.clone() };
    match next.update(db) {
        Ok(()) => seen.kept += 1,
        Err(e) if is_stale(&e, "tally", tally.version_id.get(), "update") => seen.stale += 1,
        Err(e) => panic!("{e}"),
    }
}

/// Each round, every writer reads the tally (all at one version), then each writes it back
/// plus one: one write is kept, every other one is refused as stale. Without the version,
/// every write would be kept and all but one of each round's increments lost.
fn check_rounds(db: &Db, seen: Vec<Seen>) {
    let kept: i64 = seen.iter().map(|s| s.kept).sum();
    let stale: i64 = seen.iter().map(|s| s.stale).sum();
    let tally = Tally::get(db, 1).unwrap().unwrap();
    let lost = kept - tally.value;
    println!(
        "{} writers x {ROUNDS} rounds on {}: {kept} writes kept, {stale} refused as StaleData, {lost} lost",
        WRITERS,
        db.backend_name()
    );
    assert_eq!(lost, 0, "every kept write is in the tally");
    assert_eq!((kept, stale), (ROUNDS, ROUNDS * (WRITERS as i64 - 1)), "one write kept per round");
    assert_eq!(tally.version_id.get(), ROUNDS + 1);
}

fn concurrent_writers_lose_no_update() {
    let db = common::shared("versions");
    db.create_all::<(Tally,)>().unwrap();
    db.add(Tally { id: 1, value: 0, ..Default::default() }).unwrap();
    if common::backends::is_async() {
        return concurrent_tasks_lose_no_update(&db);
    }
    let (read, written) = (Arc::new(Barrier::new(WRITERS)), Arc::new(Barrier::new(WRITERS)));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (url, read, written) = (db.url().to_string(), read.clone(), written.clone());
            std::thread::spawn(move || {
                let db = Db::connect(&url).unwrap();
                db.set_busy_timeout(std::time::Duration::from_secs(20)).unwrap();
                let mut seen = Seen::default();
                for _ in 0..ROUNDS {
                    let tally = Tally::get(&db, 1).unwrap().unwrap();
                    read.wait();
                    write_once(&db, &tally, &mut seen);
                    written.wait();
                }
                seen
            })
        })
        .collect();
    let seen = writers.into_iter().map(|w| w.join().unwrap()).collect();
    check_rounds(&db, seen);
}

/// [`concurrent_writers_lose_no_update`] as tasks, each with an `AsyncDb` of its own.
fn concurrent_tasks_lose_no_update(db: &common::TestDb) {
    let url = db.url().to_string();
    let seen = tokio::runtime::Handle::current().block_on(async move {
        let (read, written) =
            (Arc::new(tokio::sync::Barrier::new(WRITERS)), Arc::new(tokio::sync::Barrier::new(WRITERS)));
        let mut tasks = Vec::new();
        for _ in 0..WRITERS {
            let (url, read, written) = (url.clone(), read.clone(), written.clone());
            tasks.push(tokio::spawn(async move {
                let adb = relations::AsyncDb::connect(&url).await.unwrap();
                adb.run(|db| db.set_busy_timeout(std::time::Duration::from_secs(20))).await.unwrap();
                let mut seen = Seen::default();
                for _ in 0..ROUNDS {
                    let tally: Tally = adb.get(1).await.unwrap().unwrap();
                    read.wait().await;
                    let version = tally.version_id.get();
                    let next = Tally { value: tally.value + 1, ..tally };
                    match adb.update(next).await {
                        Ok(_) => seen.kept += 1,
                        Err(e) if is_stale(&e, "tally", version, "update") => seen.stale += 1,
                        Err(e) => panic!("{e}"),
                    }
                    written.wait().await;
                }
                seen
            }));
        }
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen
    });
    check_rounds(db, seen);
}

both_backends!(
    a_unit_that_fails_after_the_update_leaves_the_version_as_stored,
    the_column_is_an_integer_not_null,
    an_insert_writes_version_one_and_each_update_the_next,
    a_stale_update_is_refused_and_writes_nothing,
    a_row_never_read_is_stale_and_a_natural_key_without_a_version_is_new,
    a_stale_delete_deletes_nothing_not_even_what_cascades,
    unhooked_children_and_bulk_updates_are_new_versions,
    a_snapshot_writes_the_version_only_with_a_change,
    upserts_are_refused_and_insert_or_ignore_writes_version_one,
    concurrent_writers_lose_no_update,
);
