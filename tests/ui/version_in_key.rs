// The version counter changes at every update: it cannot identify the row.
use relations::{Model, Version};

#[derive(Model)]
struct Page {
    #[key]
    slug: String,
    #[key]
    version_id: Version,
}

fn main() {}
