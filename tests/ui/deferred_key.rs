// A row is found by its key: a key column is always loaded, never deferred.
use relations::{Deferred, Model};

#[derive(Model)]
struct Page {
    #[key]
    slug: Deferred<String>,
    body: String,
}

fn main() {}
