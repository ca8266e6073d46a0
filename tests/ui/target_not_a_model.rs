// The target of a relationship must be a model.
use relations::{HasMany, Model};

struct Note {
    text: String,
}

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Note)]
    notes: HasMany<Note>,
}

fn main() {}
