// Two sides of a many-to-many that each name the other as inverse, and neither declares the
// association table.
use relations::{ManyToMany, Model};

#[derive(Model)]
struct Student {
    id: i64,
    #[many_to_many(Course, inverse = students)]
    courses: ManyToMany<Course>,
}

#[derive(Model)]
struct Course {
    id: i64,
    #[many_to_many(Student, inverse = courses)]
    students: ManyToMany<Student>,
}

fn main() {}
