// Two `belongs_to` to one parent would both be `user_id`: refuse to guess, name the fix.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct User {
    id: i64,
}

#[derive(Model)]
struct Message {
    id: i64,
    #[belongs_to(User)]
    sender: BelongsTo<User>,
    #[belongs_to(User)]
    recipient: BelongsTo<User>,
}

fn main() {}
