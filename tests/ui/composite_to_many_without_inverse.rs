// A `has_many` from a model with a composite key finds its rows through the target's composite
// `belongs_to`, named with `inverse`: a one-column convention would pair one column with a
// two-column key.
use relations::{BelongsTo, HasMany, Model};

#[derive(Model)]
struct Student {
    id: i64,
}

#[derive(Model)]
struct Course {
    id: i64,
}

#[derive(Model)]
struct Enrollment {
    #[key]
    #[belongs_to(Student)]
    student: BelongsTo<Student>,
    #[key]
    #[belongs_to(Course)]
    course: BelongsTo<Course>,
    #[has_many(Attendance)]
    attendances: HasMany<Attendance>,
}

#[derive(Model)]
struct Attendance {
    id: i64,
    enrollment_id: i64,
}

fn main() {}
