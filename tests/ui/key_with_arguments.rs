// `#[key]` is a marker; arguments must be rejected.
use relations::Model;

#[derive(Model)]
struct Country {
    #[key(auto)]
    code: String,
}

fn main() {}
