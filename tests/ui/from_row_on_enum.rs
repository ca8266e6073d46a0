// `FromRow` decodes a row into a struct's fields in order; an enum has no fields to fill.
use relations::FromRow;

#[derive(FromRow)]
enum Shape {
    Circle,
    Square,
}

fn main() {}
