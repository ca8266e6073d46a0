// Two foreign keys from `Message` to `User`: a `has_many` without `inverse` or `foreign_key`
// does not pick one, even the one the convention names (SQLAlchemy's
// AmbiguousForeignKeysError); both paths are named.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Message)]
    messages: HasMany<Message>,
}

#[derive(Model)]
struct Message {
    id: i64,
    #[belongs_to(User)]
    user: BelongsTo<User>,
    #[belongs_to(User, column = reviewer_id)]
    reviewer: BelongsTo<User>,
}

fn main() {}
