//! DDL: every column type and option renders exactly as SQLAlchemy's `create_all` renders it on
//! SQLite, PostgreSQL and MariaDB (`fixtures/sqlalchemy/types_and_options[.postgresql|.mariadb].sql`
//! were printed by SQLAlchemy 2.1 for the same declarations; `mariadb.py` says where relations'
//! MariaDB types differ), every type stores and reads back its
//! values, and tables are created in foreign-key order.

use crate::common;

use relations::chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use relations::rust_decimal::Decimal;
use relations::{BelongsTo, Db, Model};

#[derive(Model, Debug, Clone, PartialEq)]
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

fn ddl_matches_sqlalchemy_for_every_type_and_option() {
    let db = common::fresh();
    let ours = db.schema::<(Account, Order)>().into_iter().map(|s| s + ";").collect::<Vec<_>>().join("\n");
    let theirs = match db.backend_name() {
        "sqlite" => include_str!("../fixtures/sqlalchemy/types_and_options.sql"),
        "mariadb" => include_str!("../fixtures/sqlalchemy/types_and_options.mariadb.sql"),
        _ => include_str!("../fixtures/sqlalchemy/types_and_options.postgresql.sql"),
    };
    assert_eq!(ours, theirs.trim_end());
    db.create_all::<(Account, Order)>().unwrap();
}

fn every_type_stores_and_reads_back_its_values() {
    let db = common::fresh();
    db.create_all::<(Account, Order)>().unwrap();
    // MariaDB's DATETIME and TIME (SQLAlchemy's DDL there) keep whole seconds
    let whole_seconds = db.backend_name() == "mariadb";
    let micro = |m: u32| if whole_seconds { 0 } else { m };
    let at = |h, m, s, micro| NaiveDate::from_ymd_opt(2024, 2, 29).unwrap().and_hms_micro_opt(h, m, s, micro).unwrap();
    let full = Account {
        id: 0,
        login: "ann".into(),
        admin: true,
        score: -1.5e-300,
        small: i16::MIN,
        big: Some(u32::MAX),
        avatar: Some(vec![0, 255, 10, 13]),
        created: at(23, 59, 58, micro(999_999)),
        birthday: Some(NaiveDate::from_ymd_opt(1969, 7, 20).unwrap()),
        wakes_at: Some(NaiveTime::from_hms_micro_opt(6, 30, 0, micro(5)).unwrap()),
        balance: "-12345678.91".parse().unwrap(),
        note: Some("ünïcödé 😀".into()),
    };
    let empty = Account {
        login: "bob".into(),
        admin: false,
        created: at(0, 0, 0, 0),
        balance: Decimal::ZERO,
        ..Default::default()
    };
    for a in [full, empty] {
        let saved = db.add(a.clone()).unwrap();
        let back = Account::get(&db, saved.id).unwrap().unwrap();
        assert_eq!(back, saved, "{}", db.backend_name());
        assert_eq!(back.balance.to_string(), format!("{:.2}", a.balance), "the column's scale");
        // and found by each value
        let by = Account::query(&db)
            .filter_by(Account::is_admin, a.admin)
            .filter_by(Account::created, a.created)
            .filter_by(Account::balance, a.balance)
            .count()
            .unwrap();
        assert_eq!(by, 1);
    }
}

fn tables_are_created_parents_first_and_dropped_children_first() {
    let db = common::fresh();
    // the child is named first; it must still be created after its parent
    let schema = db.schema::<(Order, Account)>();
    let pos = |needle: &str| schema.iter().position(|s| s.starts_with(&common::quoted(&db, needle))).unwrap();
    assert!(pos("CREATE TABLE accounts") < pos("CREATE TABLE \"order\""));
    db.create_all::<(Order, Account)>().unwrap();
    db.drop_all::<(Order, Account)>().unwrap();
    assert!(common::table_names(&db).is_empty());
}

both_backends!(
    ddl_matches_sqlalchemy_for_every_type_and_option,
    every_type_stores_and_reads_back_its_values,
    tables_are_created_parents_first_and_dropped_children_first,
);

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
    let stored: String = db
        .driver::<relations::rusqlite::Connection>()
        .unwrap()
        .query_row("SELECT created FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "2024-05-03 18:05:12.250000", "SQLAlchemy's DATETIME format");
    let flag: i64 = db
        .driver::<relations::rusqlite::Connection>()
        .unwrap()
        .query_row("SELECT is_admin FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(flag, 0, "booleans are stored as 0/1");
}

/// Table-level constraints and indexes: `#[model(unique(..), check(..), index(..), unique_index(..))]` and
/// `#[self_ref(index)]` render as SQLAlchemy renders `__table_args__` (fixtures printed by
/// `fixtures/sqlalchemy/constraints.py`), and their violations are typed errors naming them.
mod constraints {
    use super::common;
    use relations::{BelongsTo, Error, Model};

    #[derive(Model, Debug, Clone)]
    pub struct Shop {
        pub id: i64,
        #[column(len = 80)]
        pub name: String,
    }

    #[derive(Model, Debug, Clone)]
    #[model(
        unique("shop_id", "sku"),
        unique("shop_id", "name", name = "uq_product_shop_name"),
        check("price > 0", name = "ck_product_price_positive"),
        check("length(sku) > 2"),
        index("shop_id", "price"),
        unique_index("name", "price", name = "ix_product_name_price")
    )]
    pub struct Product {
        pub id: i64,
        #[belongs_to(Shop)]
        pub shop: BelongsTo<Shop>,
        #[column(len = 20)]
        pub sku: String,
        // declared after the foreign key: its UNIQUE comes after the FOREIGN KEY, as in
        // SQLAlchemy's DDL
        #[column(len = 40, unique)]
        pub barcode: Option<String>,
        #[column(len = 80, index)]
        pub name: String,
        pub price: i64,
    }

    #[derive(Model, Debug)]
    pub struct Category {
        pub id: i64,
        #[column(len = 80)]
        pub name: String,
        #[self_ref(children = subcategories, index)]
        pub parent: BelongsTo<Option<Category>>,
    }

    type All = (Shop, Product, Category);

    fn statements(text: &str) -> Vec<String> {
        let mut v: Vec<String> = text.split(";\n").map(|s| s.trim().trim_end_matches(';').to_string()).collect();
        v.retain(|s| !s.is_empty());
        v.sort();
        v
    }

    pub fn ddl_matches_sqlalchemy_table_args() {
        let db = common::fresh();
        let mut ours = db.schema::<All>();
        ours.sort();
        let theirs = match db.backend_name() {
            "sqlite" => include_str!("../fixtures/sqlalchemy/constraints.sql"),
            "mariadb" => include_str!("../fixtures/sqlalchemy/constraints.mariadb.sql"),
            _ => include_str!("../fixtures/sqlalchemy/constraints.postgresql.sql"),
        };
        assert_eq!(ours, statements(theirs));
        db.create_all::<All>().unwrap();
        // what the database holds is what was asked for: the index on the self-reference
        let indexes: i64 = match db.backend_name() {
            "sqlite" => common::scalar(&db, "SELECT count(*) FROM sqlite_master WHERE name = 'ix_category_parent_id'"),
            "mariadb" => common::scalar(&db, "SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'ix_category_parent_id'"),
            _ => common::scalar(&db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_category_parent_id' AND schemaname = current_schema()"),
        };
        assert_eq!(indexes, 1);
    }

    fn product(shop: &Shop, sku: &str, name: &str, price: i64) -> Product {
        Product { shop: BelongsTo::to(shop), sku: sku.into(), name: name.into(), price, ..Default::default() }
    }

    pub fn violations_are_typed_errors_naming_the_constraint() {
        let db = common::fresh();
        db.create_all::<All>().unwrap();
        let a = db.add(Shop { name: "a".into(), ..Default::default() }).unwrap();
        let b = db.add(Shop { name: "b".into(), ..Default::default() }).unwrap();
        db.add(product(&a, "abc-1", "lamp", 10)).unwrap();

        // a named table-level UNIQUE
        match db.add(product(&a, "abc-2", "lamp", 11)) {
            Err(Error::UniqueViolation { table, columns, constraint }) => {
                assert_eq!(
                    (table.as_str(), columns.as_slice()),
                    ("product", &["shop_id".to_string(), "name".into()][..])
                );
                assert_eq!(constraint.as_deref(), Some("uq_product_shop_name"));
            }
            other => panic!("expected a unique violation, got {other:?}"),
        }
        // a named unique index over two columns
        let err = db.add(product(&b, "abc-3", "lamp", 10)).unwrap_err();
        assert!(
            matches!(&err, Error::UniqueViolation { constraint: Some(c), .. } if c == "ix_product_name_price"),
            "{err:?}"
        );
        assert!(err.to_string().contains("`ix_product_name_price`"), "{err}");
        // the unnamed UNIQUE (shop_id, sku): its columns; PostgreSQL names it, SQLite does not
        match db.add(product(&a, "abc-1", "desk", 12)) {
            Err(Error::UniqueViolation { columns, constraint, .. }) => {
                assert_eq!(columns.len(), 2, "{columns:?}");
                let expected = (db.backend_name() == "postgresql").then(|| "product_shop_id_sku_key".to_string());
                assert_eq!(constraint, expected);
            }
            other => panic!("expected a unique violation, got {other:?}"),
        }
        // a named CHECK
        match db.add(product(&a, "abc-4", "chair", 0)) {
            Err(Error::CheckViolation { table, constraint }) => {
                assert_eq!((table.as_str(), constraint.as_str()), ("product", "ck_product_price_positive"));
            }
            other => panic!("expected a check violation, got {other:?}"),
        }
        // an unnamed CHECK: SQLite says its condition, PostgreSQL and MariaDB the name they
        // gave it
        match db.add(product(&a, "ab", "chair", 5)) {
            Err(Error::CheckViolation { constraint, .. }) => {
                let expected = match db.backend_name() {
                    "sqlite" => "length(sku) > 2",
                    "mariadb" => "CONSTRAINT_1",
                    _ => "product_sku_check",
                };
                assert_eq!(constraint, expected);
            }
            other => panic!("expected a check violation, got {other:?}"),
        }
        // an update is checked and named the same way
        let mut lamp = Product::query(&db).filter_by(Product::name, "lamp").one().unwrap();
        lamp.price = -1;
        let err = lamp.update(&db).unwrap_err();
        assert!(matches!(&err, Error::CheckViolation { constraint, .. } if constraint == "ck_product_price_positive"));
        assert_eq!(Product::query(&db).count().unwrap(), 1, "nothing else was written");
    }

    crate::both_backends!(ddl_matches_sqlalchemy_table_args, violations_are_typed_errors_naming_the_constraint);
}
