// Identifiers are validated at compile time: a table name with a space must be rejected.
use relations::Model;

#[derive(Model)]
#[model(table = "user accounts")]
struct User {
    id: i64,
}

fn main() {}
