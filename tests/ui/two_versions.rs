// A model counts its rows' versions in one column.
use relations::{Model, Version};

#[derive(Model)]
struct Page {
    id: i64,
    version_id: Version,
    revision: Version,
}

fn main() {}
