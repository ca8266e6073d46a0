//! Soft deletion (`#[model(soft_delete = deleted_at)]`): `delete` stamps the column instead of
//! removing the row, the stamp follows `delete` cascades to soft-delete children, and every
//! read leaves stamped rows out until the rules are lifted. On every backend, sync and async.

use crate::common;

use relations::chrono::NaiveDateTime;
use relations::{joinedload, selectinload, BelongsTo, Error, HasMany, Model, Version};

#[derive(Model, Debug, Clone)]
#[model(soft_delete = deleted_at)]
struct Shelf {
    id: i64,
    #[column(len = 40)]
    name: String,
    deleted_at: Option<NaiveDateTime>,
    #[has_many(Volume, inverse = shelf, cascade = "all, delete")]
    volumes: HasMany<Volume>,
}

#[derive(Model, Debug, Clone)]
#[model(soft_delete = deleted_at)]
struct Volume {
    id: i64,
    #[column(len = 40)]
    title: String,
    deleted_at: Option<NaiveDateTime>,
    version_id: Version,
    #[belongs_to(Shelf, inverse = volumes)]
    shelf: BelongsTo<Shelf>,
    #[has_many(Review, inverse = volume, cascade = "all, delete")]
    reviews: HasMany<Review>,
}

/// Not soft-deleted: a soft delete of its volume leaves it alone (the volume is still there).
#[derive(Model, Debug, Clone)]
struct Review {
    id: i64,
    #[column(len = 40)]
    text: String,
    #[belongs_to(Volume, inverse = reviews)]
    volume: BelongsTo<Volume>,
}

/// A shelf "main" with volumes "v1", "v2", "v3", each with one review; a shelf "spare".
fn setup() -> (common::TestDb, Shelf) {
    let db = common::fresh();
    db.create_all::<(Shelf, Volume, Review)>().unwrap();
    let main = db.add(Shelf { name: "main".into(), ..Default::default() }).unwrap();
    db.add(Shelf { name: "spare".into(), ..Default::default() }).unwrap();
    for title in ["v1", "v2", "v3"] {
        let mut v = Volume { title: title.into(), ..Default::default() };
        v.shelf.set(&main);
        let v = db.add(v).unwrap();
        let mut r = Review { text: format!("on {title}"), ..Default::default() };
        r.volume.set(&v);
        db.add(r).unwrap();
    }
    (db, main)
}

fn stored(db: &relations::Db, table: &str) -> i64 {
    common::scalar(db, &format!("SELECT count(*) FROM \"{table}\""))
}

fn titles(volumes: &[Volume]) -> Vec<&str> {
    volumes.iter().map(|v| v.title.as_str()).collect()
}

fn delete_stamps_the_row_and_every_read_leaves_it_out() {
    let (db, main) = setup();
    let v2 = Volume::query(&db).filter_by(Volume::title, "v2").one().unwrap();
    let ((), statements) = db.record(|| assert!(v2.delete(&db).unwrap()));
    assert!(statements.iter().all(|s| s.starts_with("UPDATE")), "{statements:?}");
    assert_eq!(stored(&db, "volume"), 3, "the row is still there");
    assert_eq!(v2.version_id.get(), 2, "a soft delete is a new version");
    // gone from every read
    assert_eq!(titles(&Volume::query(&db).all().unwrap()), ["v1", "v3"]);
    assert!(Volume::get(&db, v2.id).unwrap().is_none());
    assert_eq!(main.volumes(&db).count().unwrap(), 2);
    for load in [selectinload(Shelf::VOLUMES), joinedload(Shelf::VOLUMES)] {
        let shelf = Shelf::query(&db).filter_by(Shelf::name, "main").options(load).one().unwrap();
        assert_eq!(titles(shelf.volumes.loaded().unwrap()), ["v1", "v3"]);
    }
    let shelves = Shelf::query(&db).select((Shelf::name, Shelf::VOLUMES.count())).all().unwrap();
    assert_eq!(shelves, [("main".to_string(), 2), ("spare".to_string(), 0)]);
    // until asked for, stamped
    let all = db.without_rules(|db| Volume::query(db).all()).unwrap();
    assert_eq!(all.len(), 3);
    assert!(all[1].deleted_at.is_some() && all[0].deleted_at.is_none());
    // a second delete finds no live row
    let again = db.without_rules(|db| Volume::get(db, v2.id)).unwrap().unwrap();
    assert!(matches!(again.delete(&db), Err(Error::StaleData { table: "volume", .. })), "versioned: stale");
    let spare = Shelf::query(&db).filter_by(Shelf::name, "spare").one().unwrap();
    assert!(spare.delete(&db).unwrap());
    assert!(!spare.delete(&db).unwrap(), "already deleted: nothing stamped");
}

fn the_stamp_follows_delete_cascades_to_soft_children_only() {
    let (db, main) = setup();
    let v1 = Volume::query(&db).filter_by(Volume::title, "v1").one().unwrap();
    v1.delete(&db).unwrap();
    let first = db.without_rules(|db| Volume::get(db, v1.id)).unwrap().unwrap().deleted_at.unwrap();
    assert!(main.delete(&db).unwrap());
    assert_eq!((Shelf::query(&db).count().unwrap(), Volume::query(&db).count().unwrap()), (1, 0));
    let volumes = db.without_rules(|db| Volume::query(db).all()).unwrap();
    let shelf = db.without_rules(|db| Shelf::get(db, main.id)).unwrap().unwrap();
    assert_eq!(volumes[0].deleted_at, Some(first), "the earlier stamp kept");
    assert_eq!((volumes[1].deleted_at, volumes[2].deleted_at), (shelf.deleted_at, shelf.deleted_at), "one stamp");
    assert_eq!(volumes[1].version_id.get(), 2, "stamped rows are new versions");
    // a child without a soft delete column stays: its volume is still there
    assert_eq!((stored(&db, "review"), stored(&db, "volume"), stored(&db, "shelf")), (3, 3, 2));
}

fn bulk_deletes_stamp_the_live_rows() {
    let (db, _) = setup();
    assert_eq!(Volume::query(&db).filter(Volume::title.ne("v3")).delete().unwrap(), 2);
    assert_eq!(titles(&Volume::query(&db).all().unwrap()), ["v3"]);
    assert_eq!(Volume::query(&db).without_rules().filter(Volume::title.ne("v3")).delete().unwrap(), 0, "stamped once");
    assert_eq!(stored(&db, "volume"), 3);
    // and cascade: the shelves' volumes go with them
    assert_eq!(Shelf::query(&db).delete().unwrap(), 2);
    assert_eq!(Volume::query(&db).count().unwrap(), 0);
}

fn purge_deletes_for_real_and_restore_is_an_update() {
    let (db, main) = setup();
    let v1 = Volume::query(&db).filter_by(Volume::title, "v1").one().unwrap();
    v1.delete(&db).unwrap();
    let mut back = db.without_rules(|db| Volume::get(db, v1.id)).unwrap().unwrap();
    back.deleted_at = None;
    back.update(&db).unwrap();
    assert_eq!(titles(&Volume::query(&db).all().unwrap()), ["v1", "v2", "v3"], "restored");
    assert!(db.purge(&back).unwrap());
    assert_eq!((stored(&db, "volume"), stored(&db, "review")), (2, 2), "gone, with its review");
    assert!(db.purge(&main).unwrap());
    assert_eq!((stored(&db, "shelf"), stored(&db, "volume")), (1, 0));
}

both_backends!(
    delete_stamps_the_row_and_every_read_leaves_it_out,
    the_stamp_follows_delete_cascades_to_soft_children_only,
    bulk_deletes_stamp_the_live_rows,
    purge_deletes_for_real_and_restore_is_an_update,
);

/// The table says which column a delete stamps.
#[test]
fn the_table_names_the_column() {
    assert_eq!(Shelf::TABLE.soft_delete, Some(2));
    assert_eq!(Review::TABLE.soft_delete, None);
}
