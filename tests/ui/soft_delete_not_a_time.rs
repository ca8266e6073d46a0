// A soft delete column holds when the row was deleted.
use relations::Model;

#[derive(Model)]
#[model(soft_delete = deleted)]
struct Note {
    id: i64,
    deleted: Option<bool>,
}

fn main() {}
