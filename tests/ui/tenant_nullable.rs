// Every row belongs to a tenant: the tenant column is never NULL.
use relations::Model;

#[derive(Model)]
#[model(tenant = org_id)]
struct Invoice {
    id: i64,
    org_id: Option<i64>,
}

fn main() {}
