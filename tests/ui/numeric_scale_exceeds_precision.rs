// NUMERIC(p, s) needs s <= p.
use relations::rust_decimal::Decimal;
use relations::Model;

#[derive(Model)]
struct Product {
    id: i64,
    #[column(numeric(precision = 4, scale = 6))]
    price: Decimal,
}

fn main() {}
