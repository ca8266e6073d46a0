// A `belongs_to` to the model itself is a `#[self_ref]`; the fix must be a spelling the
// derive accepts.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct Employee {
    id: i64,
    #[belongs_to(Employee)]
    manager: BelongsTo<Option<Employee>>,
}

fn main() {}
