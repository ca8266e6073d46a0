// A composite foreign key is NOT NULL, names its columns as strings, once each, and takes no
// `column`, `unique`, `index`, `backref` or `#[key]`: each is refused with the way to say it.
use relations::{BelongsTo, Model};

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
}

#[derive(Model)]
struct Attendance {
    id: i64,
    #[belongs_to(Enrollment, columns("student_id", "course_id"))]
    enrollment: BelongsTo<Option<Enrollment>>,
    #[belongs_to(Enrollment, columns(student_id, "course_id", "course_id"), column = other_id, unique, backref = visits)]
    other: BelongsTo<Enrollment>,
    #[key]
    #[belongs_to(Enrollment, columns("a", "b"))]
    third: BelongsTo<Enrollment>,
    #[belongs_to(Enrollment, columns("only_one"))]
    fourth: BelongsTo<Enrollment>,
    #[belongs_to(Enrollment, columns(), backref = fifths)]
    fifth: BelongsTo<Enrollment>,
}

fn main() {}
