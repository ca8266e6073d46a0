//! The tutorial's self-referential section: employees, their manager and their reports.

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct Employee {
    id: i64,
    #[column(len = 80)]
    name: String,
    // `manager_id` references `employee.id`; `reports` are the employees it manages
    #[self_ref(children = reports)]
    manager: BelongsTo<Option<Employee>>,
}

fn main() -> Result<()> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    read_back(&db)
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(Employee,)>()?;

    let alice = db.add(Employee { name: "Alice".into(), ..Default::default() })?; // CEO, no manager
    let bob = db.add(Employee { name: "Bob".into(), manager: BelongsTo::to(&alice), ..Default::default() })?;
    let mut carol = Employee { name: "Carol".into(), ..Default::default() };
    alice.reports(db).add(&mut carol)?; // through the `reports` collection
    db.add(Employee { name: "Dave".into(), manager: BelongsTo::to(&bob), ..Default::default() })?;
    Ok(())
}

fn read_back(db: &Db) -> Result<()> {
    for e in Employee::query(db).order_by(Employee::id).all()? {
        let manager = e.manager(db).load()?.map_or("-", |m| m.name.as_str());
        let reports: Vec<String> = e.reports(db).order_by(Employee::id).all()?.into_iter().map(|r| r.name).collect();
        println!("{}: manager={manager}; reports={}", e.name, common::join_or_dash(&reports));
    }
    // the chain of command, in one recursive query
    let dave = Employee::query(db).filter_by(Employee::name, "Dave").one()?;
    let chain: Vec<String> = dave.ancestors(db)?.into_iter().map(|e| e.name).collect();
    println!("Dave's chain of command: {}", chain.join(" -> "));
    Ok(())
}
