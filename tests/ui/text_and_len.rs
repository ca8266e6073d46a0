// A column is TEXT or VARCHAR(n), not both.
use relations::Model;

#[derive(Model)]
struct Post {
    id: i64,
    #[column(text, len = 100)]
    body: String,
}

fn main() {}
