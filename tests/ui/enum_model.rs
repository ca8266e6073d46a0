// A model is one table row: `#[derive(Model)]` on an enum must be rejected.
use relations::Model;

#[derive(Model)]
enum Status {
    Active,
    Banned,
}

fn main() {}
