//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, Model};

/// The `employee` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Employee {
    pub id: i64,
    #[column(len = 80)]
    pub name: String,
    #[self_ref(children = employees, column = "manager_id")]
    pub manager: BelongsTo<Option<Self>>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Employee,)>()?;
    Ok(())
}
