// Hooks run only for a model whose derive says so: an `impl Hooks` alone would be ignored.
use relations::{Db, Hooks, Model, Result};

#[derive(Model)]
struct Post {
    id: i64,
    title: String,
}

impl Hooks for Post {
    fn before_insert(&mut self, _: &Db) -> Result<()> {
        Ok(())
    }
}

fn main() {}
