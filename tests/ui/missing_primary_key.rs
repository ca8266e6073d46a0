// A model without `id` and without `#[key]` fields has no primary key and must be rejected.
use relations::Model;

#[derive(Model)]
struct Setting {
    name: String,
    value: String,
}

fn main() {}
