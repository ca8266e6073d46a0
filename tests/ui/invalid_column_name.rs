// Identifiers are validated at compile time: a column name with a quote must be rejected.
use relations::Model;

#[derive(Model)]
struct User {
    id: i64,
    #[column(name = "name\"; DROP TABLE user; --")]
    name: String,
}

fn main() {}
