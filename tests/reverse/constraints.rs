//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, Model};

/// The `category` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    #[column(len = 80)]
    pub name: String,
    #[self_ref(children = categories, column = "parent_id", index)]
    pub parent: BelongsTo<Option<Self>>,
}

/// The `shop` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Shop {
    pub id: i64,
    #[column(len = 80)]
    pub name: String,
    #[has_many(Product, inverse = shop)]
    pub products: HasMany<Product>,
}

/// The `product` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    unique("shop_id", "sku"),
    unique("shop_id", "name", name = "uq_product_shop_name"),
    check("price > 0", name = "ck_product_price_positive"),
    check("length(sku) > 2"),
    unique_index("name", "price", name = "ix_product_name_price"),
    index("shop_id", "price", name = "ix_product_shop_id")
)]
pub struct Product {
    pub id: i64,
    #[belongs_to(Shop, inverse = products)]
    pub shop: BelongsTo<Shop>,
    #[column(len = 20)]
    pub sku: String,
    #[column(unique, len = 40)]
    pub barcode: Option<String>,
    #[column(index, len = 80)]
    pub name: String,
    pub price: i64,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Category, Shop, Product)>()?;
    Ok(())
}
