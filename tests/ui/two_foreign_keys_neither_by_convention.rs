// Two `belongs_to` back to `User`, neither by the `<model>_id` convention: the error names
// both and lets the owner choose, rather than offering the first as the fix.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Message)]
    sent: HasMany<Message>,
}

#[derive(Model)]
struct Message {
    id: i64,
    #[belongs_to(User, column = sender_id)]
    sender: BelongsTo<User>,
    #[belongs_to(User, column = recipient_id)]
    recipient: BelongsTo<User>,
}

fn main() {}
