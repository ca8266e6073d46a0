// `soft_delete` names the column a delete stamps: it must be one of the model's.
use relations::Model;

#[derive(Model)]
#[model(soft_delete = removed_at)]
struct Note {
    id: i64,
    deleted_at: Option<relations::chrono::NaiveDateTime>,
}

fn main() {}
