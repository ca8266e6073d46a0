// A `check(..)` takes its condition as SQL text: missing, empty, with a `;`, or with an unclosed
// parenthesis, it is refused at compile time.
use relations::Model;

#[derive(Model)]
#[model(check(price > 0))]
struct A {
    id: i64,
    price: i64,
}

#[derive(Model)]
#[model(check(""), check("price > 0; DROP TABLE b"), check("(price > 0"), check("price > 0", name = "ck b"))]
struct B {
    id: i64,
    price: i64,
}

fn main() {}
