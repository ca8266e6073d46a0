use relations::SqlEnum;

#[derive(SqlEnum)]
struct Status {
    name: String,
}

#[derive(SqlEnum)]
enum Shape {
    Point,
    Circle(f64),
}

#[derive(SqlEnum)]
#[sql_enum(text)]
enum Color {
    Red,
}

fn main() {}
