// A foreign key to a model with a composite key names one column per key column: three
// columns for a two-column key, and one column (the convention's), are both refused.
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
    #[has_many(Attendance, inverse = enrollment)]
    attendances: HasMany<Attendance>,
}

#[derive(Model)]
struct Attendance {
    id: i64,
    #[belongs_to(Enrollment, columns("student_id", "course_id", "term"))]
    enrollment: BelongsTo<Enrollment>,
}

#[derive(Model)]
struct Grade {
    id: i64,
    #[belongs_to(Enrollment)]
    enrollment: BelongsTo<Enrollment>,
}

fn main() {}
