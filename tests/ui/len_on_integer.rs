// `len` declares VARCHAR(n); on an integer column it must be rejected.
use relations::Model;

#[derive(Model)]
struct Product {
    id: i64,
    #[column(len = 10)]
    stock: i64,
}

fn main() {}
