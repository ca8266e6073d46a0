//! DDL: every column type and option renders exactly as SQLAlchemy's `create_all` renders it on
//! SQLite (`fixtures/sqlalchemy/types_and_options.sql` was printed by SQLAlchemy 2.1 for the
//! same declarations), and tables are created in foreign-key order.

use relations::chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use relations::rust_decimal::Decimal;
use relations::{BelongsTo, Db, Model};

#[derive(Model, Debug)]
#[model(table = accounts)]
struct Account {
    id: i64,
    #[column(unique, index, len = 40)]
    login: String,
    #[column(name = is_admin)]
    admin: bool,
    score: f64,
    small: i16,
    big: Option<u32>,
    avatar: Option<Vec<u8>>,
    created: NaiveDateTime,
    birthday: Option<NaiveDate>,
    wakes_at: Option<NaiveTime>,
    #[column(numeric(precision = 10, scale = 2))]
    balance: Decimal,
    note: Option<String>,
}

/// A reserved word as table and column name: quoted, as SQLAlchemy quotes them.
#[derive(Model, Debug)]
struct Order {
    id: i64,
    #[column(name = "select", index)]
    choice: Option<i64>,
    #[belongs_to(Account, column = accounts_id)]
    account: BelongsTo<Account>,
}

#[test]
fn ddl_matches_sqlalchemy_for_every_type_and_option() {
    let db = Db::open_in_memory().unwrap();
    let ours = db.schema::<(Account, Order)>().into_iter().map(|s| s + ";").collect::<Vec<_>>().join("\n");
    let theirs = include_str!("fixtures/sqlalchemy/types_and_options.sql");
    assert_eq!(ours, theirs.trim_end());
    db.create_all::<(Account, Order)>().unwrap();
}

#[test]
fn tables_are_created_parents_first_and_dropped_children_first() {
    let db = Db::open_in_memory().unwrap();
    // the child is named first; it must still be created after its parent
    let schema = db.schema::<(Order, Account)>();
    let pos = |needle: &str| schema.iter().position(|s| s.starts_with(needle)).unwrap();
    assert!(pos("CREATE TABLE accounts") < pos("CREATE TABLE \"order\""));
    db.create_all::<(Order, Account)>().unwrap();
    db.drop_all::<(Order, Account)>().unwrap();
    let left: i64 = db.sqlite().unwrap().query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
}

#[test]
fn reserved_words_work_in_queries_too() {
    let db = Db::open_in_memory().unwrap();
    db.create_all::<(Account, Order)>().unwrap();
    let created = NaiveDate::from_ymd_opt(2024, 5, 3).unwrap().and_hms_micro_opt(18, 5, 12, 250_000).unwrap();
    let a = db
        .add(Account {
            login: "a".into(),
            created,
            balance: Decimal::new(1450, 2),
            big: Some(u32::MAX),
            ..Default::default()
        })
        .unwrap();
    let o = db.add(Order { choice: Some(3), account: BelongsTo::to(&a), ..Default::default() }).unwrap();
    assert_eq!(Order::query(&db).filter_by(Order::select, 3).one().unwrap().id, o.id);
    let back = Account::get(&db, a.id).unwrap().unwrap();
    assert_eq!(back.created, created);
    assert_eq!(back.balance.to_string(), "14.50");
    assert_eq!(back.big, Some(u32::MAX));
    let stored: String = db.sqlite().unwrap().query_row("SELECT created FROM accounts", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, "2024-05-03 18:05:12.250000", "SQLAlchemy's DATETIME format");
    let flag: i64 = db.sqlite().unwrap().query_row("SELECT is_admin FROM accounts", [], |r| r.get(0)).unwrap();
    assert_eq!(flag, 0, "booleans are stored as 0/1");
}
