// `#[model(hooks)]` runs the model's hooks: it needs `impl Hooks`.
use relations::Model;

#[derive(Model)]
#[model(hooks)]
struct Post {
    id: i64,
    title: String,
}

fn main() {}
