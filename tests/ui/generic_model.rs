// A table has one fixed set of column types: a generic model must be rejected.
use relations::Model;

#[derive(Model)]
struct Wrapper<T> {
    id: i64,
    value: T,
}

fn main() {}
