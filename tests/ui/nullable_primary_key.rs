// A primary key cannot be NULL: `#[key]` on an `Option` must be rejected.
use relations::Model;

#[derive(Model)]
struct Country {
    #[key]
    code: Option<String>,
    name: String,
}

fn main() {}
