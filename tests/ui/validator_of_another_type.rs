// A validator takes a reference to the field's value: `&i64` here, not `&str`.
use relations::Model;

fn short(text: &str) -> Result<(), String> {
    if text.len() < 10 { Ok(()) } else { Err("too long".into()) }
}

#[derive(Model)]
struct Item {
    id: i64,
    #[column(validate = short)]
    count: i64,
}

fn main() {}
