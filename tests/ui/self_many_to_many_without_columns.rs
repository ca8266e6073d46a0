// A many-to-many from a model to itself cannot infer its two columns.
use relations::{ManyToMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[many_to_many(User, through = follows)]
    followed: ManyToMany<User>,
}

fn main() {}
