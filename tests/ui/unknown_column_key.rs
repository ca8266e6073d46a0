// A misspelt `#[column]` key must be rejected at the key, with the closest valid key.
use relations::Model;

#[derive(Model)]
struct User {
    id: i64,
    #[column(uniqe)]
    username: String,
}

fn main() {}
