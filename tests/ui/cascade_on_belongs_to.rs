// A cascade on the child's side would act on the parent: it goes on the parent's `has_many`.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct User {
    id: i64,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, cascade = "all")]
    author: BelongsTo<User>,
}

fn main() {}
