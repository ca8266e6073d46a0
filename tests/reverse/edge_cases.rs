//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasOne, ManyToMany, Model};

/// The `person` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Person {
    pub id: i64,
    #[column(len = 40)]
    pub name: String,
    #[has_one(Passport, inverse = person)]
    pub passport: HasOne<Passport>,
    #[many_to_many(Person, through = friendship, local = "person_id", remote = "friend_id", backref = persons)]
    pub friends: ManyToMany<Person>,
}

/// The `passport` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(unique_index("person_id", name = "ix_passport_holder"))]
pub struct Passport {
    pub id: i64,
    #[belongs_to(Person, on_delete = "cascade", inverse = passport)]
    pub person: BelongsTo<Person>,
    #[column(len = 20)]
    pub number: String,
}

/// The `type` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Type {
    #[key]
    #[column(name = "match")]
    pub match_: i64,
    #[column(name = "ref", text)]
    pub ref_: Option<String>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Person, Passport, Type)>()?;
    Ok(())
}
