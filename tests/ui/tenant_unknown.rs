// `tenant` names the column that says whose the row is: one of the model's.
use relations::Model;

#[derive(Model)]
#[model(tenant = org)]
struct Invoice {
    id: i64,
    org_id: i64,
}

fn main() {}
