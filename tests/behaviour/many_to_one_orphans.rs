//! Many-to-one `delete-orphan` (SQLAlchemy's `single_parent=True`): a row that lets go of its
//! parent deletes it, a second parent is refused, and deleting the row deletes its parent.

use crate::common;

use relations::{BelongsTo, Db, Error, Model};

#[derive(Model, Debug, Clone, PartialEq)]
struct Address {
    id: i64,
    #[column(len = 80)]
    street: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Customer {
    id: i64,
    #[column(len = 80)]
    name: String,
    #[belongs_to(Address, cascade = "all, delete-orphan", single_parent)]
    address: BelongsTo<Option<Address>>,
}

fn setup() -> (common::TestDb, Address) {
    let db = common::fresh();
    db.create_all::<(Address, Customer)>().unwrap();
    let a = db.add(Address { street: "1 Main St".into(), ..Default::default() }).unwrap();
    (db, a)
}

fn streets(db: &Db) -> Vec<String> {
    Address::all(db).unwrap().into_iter().map(|a| a.street).collect()
}

fn letting_go_of_the_parent_deletes_it() {
    let (db, home) = setup();
    let mut ann = db.add(Customer { name: "ann".into(), address: BelongsTo::to(&home), ..Default::default() }).unwrap();
    // saving without a change deletes nothing
    ann.name = "Ann".into();
    ann.save(&db).unwrap();
    assert_eq!(streets(&db), ["1 Main St"]);

    // moving to another address: the old one is an orphan
    let new = db.add(Address { street: "2 High St".into(), ..Default::default() }).unwrap();
    ann.address.set(&new);
    let (_, sql) = db.record(|| ann.update(&db).unwrap());
    assert_eq!(streets(&db), ["2 High St"], "{sql:#?}");
    assert_eq!(sql.first().map(String::as_str), Some(db.dialect().begin()));

    // no address at all: the second one goes too, once
    ann.address.set_key(None);
    ann.save(&db).unwrap();
    assert!(streets(&db).is_empty());
    ann.save(&db).unwrap();
    assert_eq!(Customer::get(&db, ann.id).unwrap().unwrap().address.key(), &None);
}

fn a_second_parent_is_refused_and_nothing_is_written() {
    let (db, home) = setup();
    db.add(Customer { name: "ann".into(), address: BelongsTo::to(&home), ..Default::default() }).unwrap();
    let err = db.add(Customer { name: "bob".into(), address: BelongsTo::to(&home), ..Default::default() }).unwrap_err();
    assert!(
        matches!(&err, Error::SingleParent { relationship, parent } if relationship == "customer.address" && parent == "1"),
        "{err:?}"
    );
    assert!(err.to_string().contains("single_parent"), "{err}");
    let mut bob = db.add(Customer { name: "bob".into(), ..Default::default() }).unwrap();
    bob.address.set(&home);
    assert!(matches!(bob.save(&db), Err(Error::SingleParent { .. })));
    assert_eq!(Customer::get(&db, bob.id).unwrap().unwrap().address.key(), &None);
    assert_eq!(Customer::all(&db).unwrap().len(), 2);
}

fn deleting_the_child_deletes_its_parent() {
    let (db, home) = setup();
    let ann = db.add(Customer { name: "ann".into(), address: BelongsTo::to(&home), ..Default::default() }).unwrap();
    let other = db.add(Address { street: "kept".into(), ..Default::default() }).unwrap();
    assert!(ann.delete(&db).unwrap());
    assert_eq!(streets(&db), [other.street]);
    assert!(Customer::all(&db).unwrap().is_empty());
}

both_backends!(
    letting_go_of_the_parent_deletes_it,
    a_second_parent_is_refused_and_nothing_is_written,
    deleting_the_child_deletes_its_parent,
);
