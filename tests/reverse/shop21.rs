//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, HasOne, Model};

/// The `users` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "users")]
pub struct User {
    pub id: i64,
    #[column(unique, text)]
    pub username: String,
    #[column(text)]
    pub email: String,
    #[column(text)]
    pub display_name: Option<String>,
    pub is_active: bool,
    /// `REAL` in the database.
    pub karma: f64,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    /// `TIMESTAMP` in the database.
    pub last_login_at: Option<relations::chrono::NaiveDateTime>,
    #[has_one(Profile, inverse = user)]
    pub profile: HasOne<Profile>,
    #[has_many(Address, inverse = user)]
    pub addresses: HasMany<Address>,
    #[has_many(Post, inverse = author)]
    pub posts: HasMany<Post>,
    #[has_many(Comment, inverse = author)]
    pub comments: HasMany<Comment>,
    #[has_many(Order, inverse = user)]
    pub orders: HasMany<Order>,
    #[has_many(Follow, inverse = follower)]
    pub follower_follows: HasMany<Follow>,
    #[has_many(Follow, inverse = followee)]
    pub followee_follows: HasMany<Follow>,
    #[has_many(Message, inverse = sender)]
    pub sender_messages: HasMany<Message>,
    #[has_many(Message, inverse = recipient)]
    pub recipient_messages: HasMany<Message>,
    #[has_many(Notification, inverse = user)]
    pub notifications: HasMany<Notification>,
}

/// The `profiles` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "profiles")]
pub struct Profile {
    pub id: i64,
    #[belongs_to(User, unique, inverse = profile)]
    pub user: BelongsTo<User>,
    #[column(text)]
    pub bio: Option<String>,
    #[column(text)]
    pub avatar_url: Option<String>,
    pub birth_date: Option<relations::chrono::NaiveDate>,
    #[column(text)]
    pub website: Option<String>,
    /// `TIMESTAMP` in the database.
    pub updated_at: relations::chrono::NaiveDateTime,
}

/// The `addresses` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "addresses",
    index("user_id", name = "addresses_user_id")
)]
pub struct Address {
    pub id: i64,
    #[belongs_to(User, inverse = addresses)]
    pub user: BelongsTo<User>,
    #[column(text)]
    pub line1: String,
    #[column(text)]
    pub line2: Option<String>,
    #[column(text)]
    pub city: String,
    #[column(text)]
    pub postal_code: Option<String>,
    #[column(text)]
    pub country: String,
    pub is_default: bool,
    #[has_many(Order, inverse = shipping_address)]
    pub orders: HasMany<Order>,
}

/// The `posts` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "posts",
    index("author_id", name = "posts_author_id")
)]
pub struct Post {
    pub id: i64,
    #[belongs_to(User, column = "author_id", inverse = posts)]
    pub author: BelongsTo<User>,
    #[column(text)]
    pub title: String,
    #[column(text)]
    pub body: String,
    pub published: bool,
    /// `REAL` in the database.
    pub rating: Option<f64>,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    /// `TIMESTAMP` in the database.
    pub updated_at: Option<relations::chrono::NaiveDateTime>,
    #[has_many(Comment, inverse = post)]
    pub comments: HasMany<Comment>,
    #[has_many(PostTag, inverse = post)]
    pub post_tags: HasMany<PostTag>,
    #[has_many(Notification, inverse = post)]
    pub notifications: HasMany<Notification>,
}

/// The `comments` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "comments",
    index("post_id", name = "comments_post_id"),
    index("author_id", name = "comments_author_id")
)]
pub struct Comment {
    pub id: i64,
    #[belongs_to(Post, inverse = comments)]
    pub post: BelongsTo<Post>,
    #[belongs_to(User, column = "author_id", inverse = comments)]
    pub author: BelongsTo<User>,
    #[column(text)]
    pub body: String,
    pub is_flagged: bool,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    /// `TIMESTAMP` in the database.
    pub edited_at: Option<relations::chrono::NaiveDateTime>,
}

/// The `tags` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tags")]
pub struct Tag {
    pub id: i64,
    #[column(unique, text)]
    pub name: String,
    #[column(text)]
    pub slug: String,
    #[column(text)]
    pub description: Option<String>,
    pub is_featured: bool,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    #[has_many(PostTag, inverse = tag)]
    pub post_tags: HasMany<PostTag>,
}

/// The `post_tags` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "post_tags",
    index("tag_id", name = "post_tags_tag_id")
)]
pub struct PostTag {
    #[key]
    #[belongs_to(Post, inverse = post_tags)]
    pub post: BelongsTo<Post>,
    #[key]
    #[belongs_to(Tag, inverse = post_tags)]
    pub tag: BelongsTo<Tag>,
    /// `TIMESTAMP` in the database.
    pub added_at: relations::chrono::NaiveDateTime,
}

/// The `categories` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "categories")]
pub struct Category {
    pub id: i64,
    #[column(text)]
    pub name: String,
    #[column(unique, text)]
    pub slug: String,
    #[column(text)]
    pub description: Option<String>,
    pub position: i64,
    pub is_visible: bool,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    #[has_many(ProductCategory, inverse = category)]
    pub product_categories: HasMany<ProductCategory>,
}

/// The `products` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "products")]
pub struct Product {
    pub id: i64,
    #[column(unique, text)]
    pub sku: String,
    #[column(text)]
    pub name: String,
    #[column(text)]
    pub description: Option<String>,
    /// `REAL` in the database.
    pub price: f64,
    /// `REAL` in the database.
    pub weight_kg: Option<f64>,
    pub in_stock: bool,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    #[has_many(ProductCategory, inverse = product)]
    pub product_categories: HasMany<ProductCategory>,
    #[has_many(OrderLine, inverse = product)]
    pub order_lines: HasMany<OrderLine>,
}

/// The `product_categories` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "product_categories",
    index("category_id", name = "product_categories_category_id")
)]
pub struct ProductCategory {
    #[key]
    #[belongs_to(Product, inverse = product_categories)]
    pub product: BelongsTo<Product>,
    #[key]
    #[belongs_to(Category, inverse = product_categories)]
    pub category: BelongsTo<Category>,
    pub is_primary: bool,
}

/// The `orders` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "orders",
    index("user_id", name = "orders_user_id"),
    index("shipping_address_id", name = "orders_shipping_address_id")
)]
pub struct Order {
    pub id: i64,
    #[belongs_to(User, inverse = orders)]
    pub user: BelongsTo<User>,
    #[belongs_to(Address, column = "shipping_address_id", inverse = orders)]
    pub shipping_address: BelongsTo<Option<Address>>,
    #[column(text)]
    pub status: String,
    /// `REAL` in the database.
    pub total: f64,
    /// `TIMESTAMP` in the database.
    pub placed_at: relations::chrono::NaiveDateTime,
    /// `TIMESTAMP` in the database.
    pub shipped_at: Option<relations::chrono::NaiveDateTime>,
    #[column(text)]
    pub note: Option<String>,
    #[has_many(OrderLine, inverse = order)]
    pub order_lines: HasMany<OrderLine>,
}

/// The `order_lines` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "order_lines",
    unique("order_id", "product_id"),
    index("product_id", name = "order_lines_product_id")
)]
pub struct OrderLine {
    pub id: i64,
    #[belongs_to(Order, inverse = order_lines)]
    pub order: BelongsTo<Order>,
    #[belongs_to(Product, inverse = order_lines)]
    pub product: BelongsTo<Product>,
    pub quantity: i64,
    /// `REAL` in the database.
    pub unit_price: f64,
    /// `REAL` in the database.
    pub discount: Option<f64>,
}

/// The `authors` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "authors")]
pub struct Author {
    pub id: i64,
    #[column(text)]
    pub name: String,
    #[column(text)]
    pub bio: Option<String>,
    pub birth_year: Option<i64>,
    #[column(text)]
    pub country: Option<String>,
    pub is_active: bool,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    #[has_many(BookAuthor, inverse = author)]
    pub book_authors: HasMany<BookAuthor>,
}

/// The `books` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "books")]
pub struct Book {
    pub id: i64,
    #[column(unique, text)]
    pub isbn: String,
    #[column(text)]
    pub title: String,
    pub published_on: Option<relations::chrono::NaiveDate>,
    pub pages: Option<i64>,
    /// `REAL` in the database.
    pub price: f64,
    pub in_print: bool,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    #[has_many(BookAuthor, inverse = book)]
    pub book_authors: HasMany<BookAuthor>,
    #[has_many(Loan, inverse = book)]
    pub loans: HasMany<Loan>,
}

/// The `book_authors` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "book_authors",
    index("author_id", name = "book_authors_author_id")
)]
pub struct BookAuthor {
    #[key]
    #[belongs_to(Book, inverse = book_authors)]
    pub book: BelongsTo<Book>,
    #[key]
    #[belongs_to(Author, inverse = book_authors)]
    pub author: BelongsTo<Author>,
    pub author_order: i64,
}

/// The `borrowers` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "borrowers")]
pub struct Borrower {
    pub id: i64,
    #[column(text)]
    pub name: String,
    #[column(text)]
    pub email: Option<String>,
    #[column(unique, text)]
    pub card_number: String,
    pub is_blocked: bool,
    /// `REAL` in the database.
    pub balance: f64,
    /// `TIMESTAMP` in the database.
    pub member_since: relations::chrono::NaiveDateTime,
    #[has_many(Loan, inverse = borrower)]
    pub loans: HasMany<Loan>,
}

/// The `loans` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "loans",
    index("book_id", name = "loans_book_id"),
    index("borrower_id", name = "loans_borrower_id")
)]
pub struct Loan {
    pub id: i64,
    #[belongs_to(Book, inverse = loans)]
    pub book: BelongsTo<Book>,
    #[belongs_to(Borrower, inverse = loans)]
    pub borrower: BelongsTo<Borrower>,
    /// `TIMESTAMP` in the database.
    pub loaned_at: relations::chrono::NaiveDateTime,
    pub due_on: relations::chrono::NaiveDate,
    /// `TIMESTAMP` in the database.
    pub returned_at: Option<relations::chrono::NaiveDateTime>,
    /// `REAL` in the database.
    pub fine: Option<f64>,
}

/// The `employees` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "employees",
    index("manager_id", name = "employees_manager_id")
)]
pub struct Employee {
    pub id: i64,
    #[column(text)]
    pub name: String,
    #[column(text)]
    pub title: String,
    #[self_ref(children = employees, column = "manager_id")]
    pub manager: BelongsTo<Option<Self>>,
    /// `REAL` in the database.
    pub salary: f64,
    pub is_remote: bool,
    /// `TIMESTAMP` in the database.
    pub hired_at: relations::chrono::NaiveDateTime,
    /// `TIMESTAMP` in the database.
    pub left_at: Option<relations::chrono::NaiveDateTime>,
}

/// The `follows` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "follows",
    index("followee_id", name = "follows_followee_id")
)]
pub struct Follow {
    #[key]
    #[belongs_to(User, column = "follower_id", inverse = follower_follows)]
    pub follower: BelongsTo<User>,
    #[key]
    #[belongs_to(User, column = "followee_id", inverse = followee_follows)]
    pub followee: BelongsTo<User>,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
    pub is_muted: bool,
}

/// The `messages` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "messages",
    index("sender_id", name = "messages_sender_id"),
    index("recipient_id", name = "messages_recipient_id")
)]
pub struct Message {
    pub id: i64,
    #[belongs_to(User, column = "sender_id", inverse = sender_messages)]
    pub sender: BelongsTo<User>,
    #[belongs_to(User, column = "recipient_id", inverse = recipient_messages)]
    pub recipient: BelongsTo<User>,
    #[column(text)]
    pub subject: Option<String>,
    #[column(text)]
    pub body: String,
    /// `TIMESTAMP` in the database.
    pub sent_at: relations::chrono::NaiveDateTime,
    /// `TIMESTAMP` in the database.
    pub read_at: Option<relations::chrono::NaiveDateTime>,
    pub is_archived: bool,
}

/// The `notifications` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    table = "notifications",
    index("user_id", name = "notifications_user_id"),
    index("post_id", name = "notifications_post_id")
)]
pub struct Notification {
    pub id: i64,
    #[belongs_to(User, inverse = notifications)]
    pub user: BelongsTo<User>,
    #[belongs_to(Post, inverse = notifications)]
    pub post: BelongsTo<Option<Post>>,
    #[column(text)]
    pub kind: String,
    #[column(text)]
    pub payload: Option<String>,
    pub is_read: bool,
    /// `TIMESTAMP` in the database.
    pub created_at: relations::chrono::NaiveDateTime,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(User, Profile, Address, Post, Comment, Tag, PostTag, Category, Product, ProductCategory, Order, OrderLine, Author, Book, BookAuthor, Borrower, Loan, Employee, Follow, Message, Notification)>()?;
    Ok(())
}
