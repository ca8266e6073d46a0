// A model keeps one snapshot of the values it was loaded with.
use relations::{Model, Snapshot};

#[derive(Model)]
struct User {
    id: i64,
    loaded: Snapshot,
    again: Snapshot,
}

fn main() {}
