// Names starting with `sqlite_` belong to SQLite and must be rejected.
use relations::Model;

#[derive(Model)]
#[model(table = sqlite_stats)]
struct Stats {
    id: i64,
}

fn main() {}
