//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, ManyToMany, Model};

/// The `category` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    #[column(unique, len = 80)]
    pub name: String,
}

/// The `product` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    #[column(len = 120)]
    pub name: String,
    #[column(numeric(precision = 10, scale = 2))]
    pub price: relations::rust_decimal::Decimal,
    pub is_active: bool,
    #[has_many(OrderLine, inverse = product)]
    pub order_lines: HasMany<OrderLine>,
    #[many_to_many(Category, through = product_categories, local = "product_id", remote = "category_id", backref = products)]
    pub categories: ManyToMany<Category>,
}

/// The `user` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    #[column(unique, len = 80)]
    pub username: String,
    #[column(unique, len = 120)]
    pub email: String,
    #[has_many(Order, inverse = user)]
    pub orders: HasMany<Order>,
}

/// The `order` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Order {
    pub id: i64,
    pub created_at: relations::chrono::NaiveDateTime,
    #[column(len = 20)]
    pub status: String,
    #[belongs_to(User, inverse = orders)]
    pub user: BelongsTo<User>,
    #[has_many(OrderLine, inverse = order)]
    pub order_lines: HasMany<OrderLine>,
}

/// The `order_line` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct OrderLine {
    #[key]
    #[belongs_to(Order, inverse = order_lines)]
    pub order: BelongsTo<Order>,
    #[key]
    #[belongs_to(Product, inverse = order_lines)]
    pub product: BelongsTo<Product>,
    pub quantity: i64,
    #[column(numeric(precision = 10, scale = 2))]
    pub unit_price: relations::rust_decimal::Decimal,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Category, Product, User, Order, OrderLine)>()?;
    Ok(())
}
