//! Field validators (SQLAlchemy's `@validates`): `#[column(validate = f)]` runs `f` on every
//! value written to the column — insert, many rows at once, update, save, upsert, a bulk
//! update's value, the rows a cascade saves — and a refusal is `Error::Validation` naming the
//! table, column and validator, with nothing written; a bulk update to an expression the
//! validator cannot see is refused. On every backend, sync and async.

use crate::common;

use relations::{BelongsTo, Error, HasMany, Model};

fn valid_email(email: &String) -> Result<(), String> {
    if email.contains('@') {
        Ok(())
    } else {
        Err(format!("`{email}` has no `@`"))
    }
}

mod rules {
    /// Any `Display` error is the refusal's message.
    pub fn not_negative(amount: &i64) -> Result<(), &'static str> {
        if *amount >= 0 {
            Ok(())
        } else {
            Err("a balance is never below zero")
        }
    }
}

#[derive(Model, Debug, Clone)]
struct Account {
    id: i64,
    #[column(unique, len = 80, validate = valid_email)]
    email: String,
    #[column(validate = rules::not_negative)]
    balance: i64,
    #[has_many(Entry, inverse = account, cascade = "all")]
    entries: HasMany<Entry>,
}

fn short(memo: &Option<String>) -> Result<(), String> {
    match memo {
        Some(m) if m.chars().count() > 10 => Err(format!("{} characters; at most 10", m.chars().count())),
        _ => Ok(()),
    }
}

#[derive(Model, Debug, Clone)]
struct Entry {
    id: i64,
    #[column(len = 40, validate = short)]
    memo: Option<String>,
    #[belongs_to(Account, inverse = entries)]
    account: BelongsTo<Account>,
}

fn setup() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Account, Entry)>().unwrap();
    db
}

fn refused_by(e: &Error, column: &str, validator: &str) -> bool {
    matches!(e, Error::Validation { column: c, validator: v, .. } if *c == column && *v == validator)
}

fn account(email: &str, balance: i64) -> Account {
    Account { email: email.into(), balance, ..Default::default() }
}

fn inserts_are_refused_before_any_statement() {
    let db = setup();
    let e = db.assert_statements(0, || db.add(account("nobody", 1))).unwrap_err();
    assert!(refused_by(&e, "email", "valid_email"), "{e:?}");
    assert_eq!(e.to_string(), "`valid_email` refuses the value of `account.email`: `nobody` has no `@`");
    let e = db.add(account("a@x", -1)).unwrap_err();
    assert!(refused_by(&e, "balance", "rules::not_negative"), "{e:?}");
    assert_eq!(
        e.to_string(),
        "`rules::not_negative` refuses the value of `account.balance`: a balance is never below zero"
    );
    // many at once: one refused row, nothing kept
    let e = db.add_all([account("a@x", 1), account("b", 1), account("c@x", 1)]).unwrap_err();
    assert!(refused_by(&e, "email", "valid_email"), "{e:?}");
    assert_eq!(Account::query(&db).count().unwrap(), 0);
    assert!(common::no_transaction_open(&db));
    let kept = db.add_all([account("a@x", 1), account("b@x", 0)]).unwrap();
    assert_eq!(kept.len(), 2);
    // upserts and insert_or_ignore write rows too
    let mut bad = account("c", 1);
    assert!(refused_by(&db.upsert(&mut bad).unwrap_err(), "email", "valid_email"));
    assert!(refused_by(&db.insert_or_ignore(&mut bad).unwrap_err(), "email", "valid_email"));
    let mut bad_on = account("a@x", -5);
    assert!(refused_by(&db.upsert_on(&mut bad_on, Account::email).unwrap_err(), "balance", "rules::not_negative"));
    assert_eq!(Account::query(&db).count().unwrap(), 2);
}

fn updates_and_saves_are_refused_and_write_nothing() {
    let db = setup();
    let mut a = db.add(account("a@x", 10)).unwrap();
    a.balance = -1;
    let e = a.update(&db).unwrap_err();
    assert!(refused_by(&e, "balance", "rules::not_negative"), "{e:?}");
    a.email = "a-at-x".into();
    a.balance = 3;
    let e = a.save(&db).unwrap_err();
    assert!(refused_by(&e, "email", "valid_email"), "{e:?}");
    let stored = Account::get(&db, a.id).unwrap().unwrap();
    assert_eq!((stored.email.as_str(), stored.balance), ("a@x", 10));
    a.email = "new@x".into();
    a.save(&db).unwrap();
    assert_eq!(Account::get(&db, a.id).unwrap().unwrap().email, "new@x");
}

fn a_refused_row_saved_by_a_cascade_rolls_back_its_owner() {
    let db = setup();
    let mut a = account("owner@x", 1);
    a.entries.push(Entry { memo: Some("fine".into()), ..Default::default() });
    a.entries.push(Entry { memo: Some("far too long a memo".into()), ..Default::default() });
    let e = db.add(a).unwrap_err();
    assert!(refused_by(&e, "memo", "short"), "{e:?}");
    assert!(e.to_string().ends_with("19 characters; at most 10"), "{e}");
    assert_eq!((Account::query(&db).count().unwrap(), Entry::query(&db).count().unwrap()), (0, 0));
    // an optional field's validator sees `None` too
    let mut a = account("owner@x", 1);
    a.entries.push(Entry { memo: None, ..Default::default() });
    let a = db.add(a).unwrap();
    let mut handle_entry = Entry { memo: Some("0123456789ab".into()), ..Default::default() };
    let e = a.entries(&db).add(&mut handle_entry).unwrap_err();
    assert!(refused_by(&e, "memo", "short"), "{e:?}");
    assert_eq!(Entry::query(&db).count().unwrap(), 1);
}

fn bulk_updates_are_checked_value_by_value_and_expressions_refused() {
    let db = setup();
    db.add_all([account("a@x", 5), account("b@x", 1)]).unwrap();
    let e = Account::query(&db).set(Account::email, "no-at").update().unwrap_err();
    assert!(refused_by(&e, "email", "valid_email"), "{e:?}");
    // the validator cannot see what `balance - 3` will be for each row
    let e = db.assert_statements(0, || Account::query(&db).set(Account::balance, Account::balance - 3).update());
    let e = e.unwrap_err();
    assert!(refused_by(&e, "balance", "rules::not_negative"), "{e:?}");
    assert!(e.to_string().contains("a bulk update sets it to an expression"), "{e}");
    let balances: Vec<i64> =
        Account::query(&db).order_by(Account::id).all().unwrap().iter().map(|a| a.balance).collect();
    assert_eq!(balances, [5, 1], "nothing written");
    assert_eq!(Account::query(&db).set(Account::balance, 0).update().unwrap(), 2);
}

both_backends!(
    inserts_are_refused_before_any_statement,
    updates_and_saves_are_refused_and_write_nothing,
    a_refused_row_saved_by_a_cascade_rolls_back_its_owner,
    bulk_updates_are_checked_value_by_value_and_expressions_refused,
);

/// Without a database: the validator is part of the column's metadata, named as written.
#[test]
fn the_column_names_its_validator() {
    let email = Account::TABLE.column("email").unwrap();
    assert_eq!(email.validate.map(|v| v.name), Some("valid_email"));
    assert_eq!(Account::TABLE.column("balance").unwrap().validate.map(|v| v.name), Some("rules::not_negative"));
    assert_eq!(Account::TABLE.column("id").unwrap().validate.map(|v| v.name), None);
}
