// Columns need names: a tuple struct must be rejected.
use relations::Model;

#[derive(Model)]
struct User(i64, String);

fn main() {}
