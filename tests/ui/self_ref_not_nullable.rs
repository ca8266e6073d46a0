// The root of a tree has no parent: `#[self_ref]` on a NOT NULL key must be rejected.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct Employee {
    id: i64,
    #[self_ref(children = reports)]
    manager: BelongsTo<Employee>,
}

fn main() {}
