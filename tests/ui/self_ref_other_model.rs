// `#[self_ref]` points at the model itself; pointing at another model must be rejected.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct Department {
    id: i64,
}

#[derive(Model)]
struct Employee {
    id: i64,
    #[self_ref]
    department: BelongsTo<Option<Department>>,
}

fn main() {}
