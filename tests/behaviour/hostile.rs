//! Hostile input: quotes, semicolons, NUL bytes, emoji, megabyte strings and integer extremes
//! round-trip unchanged, in columns, filters, keys and links; no value ever reaches SQL text.

use crate::common;

use proptest::prelude::*;
use relations::{BelongsTo, Db, Error, HasMany, Model};

#[derive(Model, Debug, Clone, PartialEq)]
struct Thing {
    id: i64,
    #[column(text)]
    name: String,
    note: Option<String>,
    #[column(bigint)]
    count: i64,
    small: i32,
    ratio: f64,
    data: Vec<u8>,
    #[has_many(Part, inverse = thing)]
    parts: HasMany<Part>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Part {
    /// A string primary key, so that hostile strings are keys and foreign keys too (VARCHAR:
    /// MariaDB keys no TEXT column).
    #[key]
    #[column(len = 200)]
    code: String,
    #[belongs_to(Thing, inverse = parts)]
    thing: BelongsTo<Thing>,
}

const NASTY: &[&str] = &[
    "",
    "'",
    "''; DROP TABLE thing; --",
    "\"thing\"",
    "a;b;c",
    "nul\0inside\0",
    "\0",
    "emoji 😀👩‍👩‍👧 and RTL \u{202e}txet",
    "back\\slash %_ LIKE wildcards",
    "?1 ?2 :name @p $x",
    "\n\r\t",
];

fn db() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Thing, Part)>().unwrap();
    db
}

/// Inserts, reads back by key and by every filter, and checks that the SQL run never contains
/// the value's text.
fn round_trip(db: &Db, thing: Thing) {
    let (saved, sql) = db.record(|| db.add(thing.clone()).unwrap());
    let back = Thing::get(db, saved.id).unwrap().unwrap();
    assert_eq!(back, saved);
    assert_eq!(back.name, thing.name);
    let (found, more) = db.record(|| {
        Thing::query(db)
            .filter_by(Thing::name, thing.name.as_str())
            .filter_by(Thing::count, thing.count)
            .filter_by(Thing::small, thing.small)
            .filter_by(Thing::data, thing.data.clone())
            .all()
            .unwrap()
    });
    assert!(found.iter().any(|t| t.id == saved.id), "found by its own values");
    for s in sql.iter().chain(&more) {
        // (`"thing"` is also the table's quoted name, legitimately in the SQL)
        if thing.name.len() > 2 && thing.name != "\"thing\"" {
            assert!(!s.contains(&thing.name), "a value reached SQL text: {s}");
        }
        if thing.count.unsigned_abs() > 9 {
            assert!(!s.contains(&thing.count.to_string()), "a value reached SQL text: {s}");
        }
    }
}

fn nasty_strings_round_trip_in_columns_filters_keys_and_links() {
    let db = db();
    for (i, s) in NASTY.iter().enumerate() {
        if s.contains('\0') {
            // PostgreSQL's text has no NUL: on both databases a typed error naming the column,
            // before any statement, nothing stored
            let (err, sql) = db.record(|| db.add(Thing { name: s.to_string(), ..Default::default() }).unwrap_err());
            assert!(matches!(&err, Error::ValueDoesNotFit { table: "thing", column: "name", .. }), "{err:?}");
            assert!(err.to_string().contains("has a NUL at character"), "{err}");
            assert!(sql.is_empty(), "{sql:?}");
            continue;
        }
        round_trip(
            &db,
            Thing { name: s.to_string(), note: Some(s.to_string()), data: s.as_bytes().to_vec(), ..Default::default() },
        );
        let owner = Thing::query(&db).filter_by(Thing::name, *s).first().unwrap().unwrap();
        // as a text primary key and through a relationship
        let code = format!("{s}#{i}");
        db.add(Part { code: code.clone(), thing: BelongsTo::to(&owner) }).unwrap();
        let part = Part::get(&db, code.clone()).unwrap().unwrap();
        assert_eq!(part.code, code);
        assert_eq!(owner.parts(&db).all().unwrap(), std::slice::from_ref(&part));
        assert!(part.delete(&db).unwrap());
    }
    // nothing was executed as SQL: every table is still there, with every row
    let stored = NASTY.iter().filter(|s| !s.contains('\0')).count();
    assert_eq!(Thing::query(&db).count().unwrap(), stored as i64);
}

fn integer_and_float_extremes_round_trip() {
    let db = db();
    for (count, small, ratio) in [
        (i64::MIN, i32::MIN, f64::MIN),
        (i64::MAX, i32::MAX, f64::MAX),
        (0, 0, 0.0),
        (-1, -1, -0.0),
        (i64::MIN + 1, 1, f64::EPSILON),
        (1 << 53, 7, f64::MIN_POSITIVE),
    ] {
        round_trip(&db, Thing { name: "x".into(), count, small, ratio, ..Default::default() });
    }
    let max = Thing::query(&db).filter(Thing::count.eq(i64::MAX)).one().unwrap();
    assert_eq!((max.count, max.small, max.ratio), (i64::MAX, i32::MAX, f64::MAX));
    // an `i64` in an INTEGER column (SQLAlchemy's `Integer`): 32 bits, as PostgreSQL stores
    // it; a larger value is a typed error naming the column on both databases, before any
    // statement (SQLite would store it, and the same code would fail on PostgreSQL)
    db.create_all::<(common::User, common::UserProfile, common::Post, common::Comment, common::Tag)>().unwrap();
    let big = common::User { username: "big".into(), karma: Some(i64::from(i32::MAX) + 1), ..Default::default() };
    let (e, sql) = db.record(|| db.add(big).unwrap_err());
    assert!(sql.is_empty(), "{sql:?}");
    assert!(matches!(&e, Error::ValueDoesNotFit { table: "user", column: "karma", .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "`user.karma` cannot hold this value: INTEGER holds -2147483648 to 2147483647 (declare the column `#[column(bigint)]` for 64 bits), and the value is 2147483648"
    );
    let fits = common::User { username: "fits".into(), karma: Some(i64::from(i32::MIN)), ..Default::default() };
    assert_eq!(db.add(fits).unwrap().reload(&db).unwrap().karma, Some(i64::from(i32::MIN)));
}

fn megabyte_values_round_trip() {
    let db = db();
    let mut big = "😀'; x".repeat(200_000); // 1.4 MB of text
    let mut blob: Vec<u8> = (0..1_500_000u32).map(|i| (i % 251) as u8).collect();
    if db.backend_name() == "mariadb" {
        // MariaDB's TEXT and BLOB (SQLAlchemy's DDL there) hold 64 KiB: more is refused, typed,
        // never cut; what fits round-trips
        let err = db.add(Thing { name: big.clone(), ..Default::default() }).unwrap_err();
        assert!(matches!(&err, Error::InvalidData { table, .. } if table == "thing"), "{err:?}");
        big.truncate("😀'; x".len() * 7_000);
        blob.truncate(65_535);
    }
    round_trip(&db, Thing { name: big.clone(), data: blob.clone(), ..Default::default() });
    let back = Thing::query(&db).filter_by(Thing::name, big.as_str()).one().unwrap();
    assert_eq!(back.name.len(), big.len());
    assert_eq!(back.data, blob);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_string_and_integer_round_trips(name in any::<String>(), note in any::<Option<String>>(), count in any::<i64>(), small in any::<i32>(), data in prop::collection::vec(any::<u8>(), 0..64)) {
        let db = db();
        let saved = db.add(Thing { name: name.clone(), note: note.clone(), count, small, data: data.clone(), ..Default::default() }).unwrap();
        let back = Thing::query(&db).filter_by(Thing::name, name.as_str()).one().unwrap();
        prop_assert_eq!(back.id, saved.id);
        prop_assert_eq!((back.name, back.note, back.count, back.small, back.data), (name, note, count, small, data));
    }
}

both_backends!(
    nasty_strings_round_trip_in_columns_filters_keys_and_links,
    integer_and_float_extremes_round_trip,
    megabyte_values_round_trip,
);
