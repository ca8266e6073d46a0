// A many-to-many needs its association table: no `through` and no `inverse` must be rejected.
use relations::{ManyToMany, Model};

#[derive(Model)]
struct Course {
    id: i64,
}

#[derive(Model)]
struct Student {
    id: i64,
    #[many_to_many(Course)]
    courses: ManyToMany<Course>,
}

fn main() {}
