//! Models written by `relations inspect` from an existing database.

#![allow(dead_code)]

use relations::{ManyToMany, Model};

/// The `student` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Student {
    pub id: i64,
    #[column(len = 80)]
    pub name: String,
    #[many_to_many(Course, through = enrollments, local = "student_id", remote = "course_id", backref = students)]
    pub courses: ManyToMany<Course>,
}

/// The `course` table.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Course {
    pub id: i64,
    #[column(len = 120)]
    pub title: String,
    #[column(text)]
    pub description: Option<String>,
}

/// Creates every table of these models that does not exist yet, parents first.
pub fn create_all(db: &relations::Db) -> relations::Result<()> {
    db.create_all::<(Student, Course)>()?;
    Ok(())
}
