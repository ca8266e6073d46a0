// `through` naming the model itself cannot be an association and must be rejected.
use relations::{ManyToMany, Model};

#[derive(Model)]
struct Course {
    id: i64,
}

#[derive(Model)]
struct Student {
    id: i64,
    #[many_to_many(Course, through = Student)]
    courses: ManyToMany<Course>,
}

fn main() {}
