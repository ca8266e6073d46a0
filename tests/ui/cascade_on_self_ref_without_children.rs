// A self-reference's cascade is about its children, which must be named.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct Node {
    id: i64,
    #[self_ref(cascade = "all")]
    parent: BelongsTo<Option<Node>>,
}

fn main() {}
