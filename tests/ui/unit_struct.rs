// A model without fields has no columns: a unit struct must be rejected.
use relations::Model;

#[derive(Model)]
struct Nothing;

fn main() {}
