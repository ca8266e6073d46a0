// Two indexes of a table cannot share a name: `index("name", "price")` is `ix_product_name` by
// default, the name `#[column(index)]` gives `name` too. Constraint names are unique as well,
// a unique index is `unique_index`, and a second `#[model]` is refused rather than ignored.
use relations::Model;

#[derive(Model)]
#[model(
    index("name", "price"),
    unique("name", "price", name = "uq_product"),
    check("price > 0", name = "uq_product"),
    index("price", unique)
)]
#[model(table = products)]
struct Product {
    id: i64,
    #[column(index)]
    name: String,
    price: i64,
}

fn main() {}
