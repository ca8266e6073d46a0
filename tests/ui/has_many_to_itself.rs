// A relationship from a model to itself is a `#[self_ref]`; `has_many` must point there.
use relations::{HasMany, Model};

#[derive(Model)]
struct Employee {
    id: i64,
    #[has_many(Employee)]
    reports: HasMany<Employee>,
}

fn main() {}
