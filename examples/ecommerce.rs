//! Practice exercise 2, an e-commerce platform: products ↔ categories through a plain table,
//! users → orders (`cascade = "all, delete-orphan"`), and order lines as an association model
//! (quantity, price paid) owned by their order (`cascade = "all, delete-orphan"`).

mod common;

use relations::chrono::{NaiveDate, NaiveDateTime};
use relations::prelude::*;
use relations::rust_decimal::Decimal;

#[derive(Model, Debug)]
struct Category {
    id: i64,
    #[column(unique, len = 80)]
    name: String,
}

#[derive(Model, Debug)]
struct Product {
    id: i64,
    #[column(len = 120)]
    name: String,
    #[column(numeric(precision = 10, scale = 2))]
    price: Decimal,
    #[column(default = true)]
    is_active: bool,
    // `Category::products` is generated on the other side, as a query (`lazy='dynamic'`)
    #[many_to_many(Category, through = product_categories, backref = products)]
    categories: ManyToMany<Category>,
}

#[derive(Model, Debug)]
struct User {
    id: i64,
    #[column(unique, len = 80)]
    username: String,
    #[column(unique, len = 120)]
    email: String,
    #[has_many(Order, inverse = customer, cascade = "all, delete-orphan")]
    orders: HasMany<Order>,
}

#[derive(Model, Debug)]
struct Order {
    id: i64,
    #[column(default = now)]
    created_at: NaiveDateTime,
    #[column(len = 20, default = "pending")]
    status: String,
    #[belongs_to(User, inverse = orders)]
    customer: BelongsTo<User>,
    #[has_many(OrderLine, inverse = order, cascade = "all, delete-orphan")]
    lines: HasMany<OrderLine>,
}

impl Order {
    /// The sum of quantity × unit price over the order's lines.
    fn total(&self, db: &Db) -> Result<Decimal> {
        Ok(self.lines(db).load()?.iter().map(|l| Decimal::from(l.quantity) * l.unit_price).sum())
    }
}

/// An association model: a product on an order, with the quantity and the price paid.
#[derive(Model, Debug)]
struct OrderLine {
    #[key]
    #[belongs_to(Order, inverse = lines)]
    order: BelongsTo<Order>,
    #[key]
    #[belongs_to(Product, backref = order_lines)]
    product: BelongsTo<Product>,
    #[column(default = 1)]
    quantity: i64,
    #[column(numeric(precision = 10, scale = 2))]
    unit_price: Decimal,
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d).and_then(|d| d.and_hms_micro_opt(h, mi, s, micro)).expect("a valid time")
}

fn line(product: &Product, quantity: i64) -> OrderLine {
    OrderLine { product: BelongsTo::to(product), quantity, unit_price: product.price, ..Default::default() }
}

fn main() -> Result<()> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    report(&db)
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(Category, Product, User, Order, OrderLine)>()?;

    let books = db.add(Category { name: "Books".into(), ..Default::default() })?;
    let electronics = db.add(Category { name: "Electronics".into(), ..Default::default() })?;
    let gifts = db.add(Category { name: "Gifts".into(), ..Default::default() })?;
    let product =
        |name: &str, cents: i64| Product { name: name.into(), price: Decimal::new(cents, 2), ..Default::default() };
    let ereader = db.add(product("E-Reader", 12999))?;
    let novel = db.add(product("Novel", 1450))?;
    let cable = db.add(product("USB Cable", 500))?;
    let old = db.add(Product { is_active: false, ..product("Floppy Disk", 125) })?;
    ereader.categories(db).extend([&electronics, &gifts])?;
    novel.categories(db).extend([&books, &gifts])?;
    cable.categories(db).add(&electronics)?;
    old.categories(db).add(&electronics)?;
    let alice = db.add(User { username: "alice".into(), email: common::mail("alice"), ..Default::default() })?;
    let bob = db.add(User { username: "bob".into(), email: common::mail("bob"), ..Default::default() })?;

    // an order is saved with its lines (save-update), in one transaction
    db.add(Order {
        customer: BelongsTo::to(&alice),
        created_at: at(2024, 5, 1, 9, 30, 0, 0),
        status: "paid".into(),
        lines: vec![line(&ereader, 1), line(&cable, 3)].into(),
        ..Default::default()
    })?;
    let mut order2 = db.add(Order {
        customer: BelongsTo::to(&alice),
        created_at: at(2024, 5, 3, 18, 5, 12, 250_000),
        lines: vec![line(&novel, 2)].into(),
        ..Default::default()
    })?;
    let mut order3 = db.add(Order {
        customer: BelongsTo::to(&bob),
        created_at: at(2024, 5, 4, 12, 0, 0, 0),
        lines: vec![line(&novel, 1)].into(),
        ..Default::default()
    })?;

    // an association model is a row of its own: update its data in place
    let first = &mut order2.lines.loaded_mut().expect("saved with the order")[0];
    first.quantity = 3;
    first.update(db)?;
    // delete-orphan on Order.lines: taking a line out of an order deletes the row
    let dropped = order3.lines.loaded_mut().and_then(Vec::pop).expect("saved with the order");
    order3.lines(db).remove(&dropped)?;
    // cascade delete: bob (and his now empty order) go away
    bob.delete(db)?;
    Ok(())
}

fn report(db: &Db) -> Result<()> {
    for category in Category::query(db).order_by(Category::name).all()? {
        let products = category.products(db).order_by(Product::name).all()?;
        let names: Vec<&str> = products.iter().map(|p| p.name.as_str()).collect();
        println!("{}: {}", category.name, names.join(", "));
    }
    let active = Product::query(db).filter_by(Product::is_active, true).order_by(Product::name).all()?;
    let names: Vec<&str> = active.iter().map(|p| p.name.as_str()).collect();
    println!("Active products: {}", names.join(", "));
    for user in User::query(db).order_by(User::username).all()? {
        println!("{}'s orders:", user.username);
        let mut orders: Vec<&Order> = user.orders(db).load()?.iter().collect();
        orders.sort_by_key(|o| o.id);
        for order in orders {
            println!(
                "- order {} ({}, {}): total {:.2}",
                order.id,
                order.status,
                common::isoformat(&order.created_at),
                order.total(db)?
            );
            let mut lines = Vec::new();
            for line in order.lines(db).load()? {
                lines.push((line.product(db).load()?.name.as_str(), line));
            }
            lines.sort_by_key(|(name, _)| *name);
            for (name, line) in lines {
                println!("  {} x {} @ {:.2}", line.quantity, name, line.unit_price);
            }
        }
    }
    println!("Orders: {}, users: {}", Order::query(db).count()?, User::query(db).count()?);
    Ok(())
}
