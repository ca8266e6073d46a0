// A many-to-one `delete-orphan` deletes the parent a row lets go of: only safe with
// `single_parent`, as SQLAlchemy requires.
use relations::{BelongsTo, Model};

#[derive(Model)]
struct Address {
    id: i64,
}

#[derive(Model)]
struct User {
    id: i64,
    #[belongs_to(Address, cascade = "all, delete-orphan")]
    address: BelongsTo<Option<Address>>,
}

fn main() {}
