// A soft delete column is NULL while the row is live.
use relations::Model;

#[derive(Model)]
#[model(soft_delete = deleted_at)]
struct Note {
    id: i64,
    deleted_at: relations::chrono::NaiveDateTime,
}

fn main() {}
