// `unique(..)` and `index(..)` name columns of the model, as strings: a relationship field's
// name, a misspelt column, a column named twice, a bare word and an empty list are each
// reported where written.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct Shop {
    id: i64,
}

#[derive(Model)]
#[model(unique("shop", "sku"), index("skus", "price"), unique("sku", "sku"), index(), unique_index(sku))]
struct Product {
    id: i64,
    #[belongs_to(Shop)]
    shop: BelongsTo<Shop>,
    sku: String,
    price: i64,
}

fn main() {}
