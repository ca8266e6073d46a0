// `len = 0` makes a column that holds nothing and must be rejected.
use relations::Model;

#[derive(Model)]
struct User {
    id: i64,
    #[column(len = 0)]
    name: String,
}

fn main() {}
