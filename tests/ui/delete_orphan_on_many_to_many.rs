// A many-to-many cannot own the rows it links: no `delete` or `delete-orphan` cascade.
use relations::{ManyToMany, Model};

#[derive(Model)]
struct Tag {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[many_to_many(Tag, through = post_tags, cascade = "all, delete-orphan")]
    tags: ManyToMany<Tag>,
}

fn main() {}
