//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{BelongsTo, HasMany, HasOne, Model};

/// The `course` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Course {
    pub id: i64,
    pub title: String,
    #[has_many(Enrollment, inverse = course)]
    pub enrollments: HasMany<Enrollment>,
}

/// The `student` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Student {
    pub id: i64,
    pub name: String,
    #[has_many(Enrollment, inverse = student)]
    pub enrollments: HasMany<Enrollment>,
}

/// The `enrollment` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Enrollment {
    #[key]
    #[belongs_to(Student, inverse = enrollments)]
    pub student: BelongsTo<Student>,
    #[key]
    #[belongs_to(Course, inverse = enrollments)]
    pub course: BelongsTo<Course>,
    pub grade: Option<String>,
    #[has_many(Attendance, inverse = enrollment)]
    pub attendances: HasMany<Attendance>,
    #[has_one(Certificate, inverse = enrollment)]
    pub certificate: HasOne<Certificate>,
}

/// The `attendance` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Attendance {
    pub id: i64,
    #[belongs_to(Enrollment, columns("student_id", "course_id"), inverse = attendances)]
    pub enrollment: BelongsTo<Enrollment>,
    pub day: String,
}

/// The `certificate` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(unique("student_id", "course_id"))]
pub struct Certificate {
    pub id: i64,
    #[belongs_to(Enrollment, columns("student_id", "course_id"), inverse = certificate)]
    pub enrollment: BelongsTo<Enrollment>,
    pub code: String,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Course, Student, Enrollment, Attendance, Certificate)>()?;
    Ok(())
}
