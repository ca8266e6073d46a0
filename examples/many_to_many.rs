//! The tutorial's many-to-many section: students and courses through `enrollments`.

mod common;

use relations::prelude::*;

#[derive(Model, Debug)]
struct Student {
    id: i64,
    #[column(len = 80)]
    name: String,
    // the association table `enrollments` (student_id, course_id); `Course::students` is
    // generated on the other side, as a query (`lazy='dynamic'`)
    #[many_to_many(Course, through = enrollments, backref = students)]
    courses: ManyToMany<Course>,
}

#[derive(Model, Debug)]
struct Course {
    id: i64,
    #[column(len = 120)]
    title: String,
    #[column(text)]
    description: Option<String>,
}

fn main() -> Result<()> {
    let (db, new) = common::open()?;
    if new {
        fill(&db)?;
    }
    read_back(&db)?;
    if new {
        // Remove a student from a course
        let alice = Student::query(&db).filter_by(Student::name, "Alice Johnson").one()?;
        let python_course = Course::query(&db).filter_by(Course::title, "Advanced Python").one()?;
        alice.courses(&db).remove(&python_course)?;
    }
    Ok(())
}

fn fill(db: &Db) -> Result<()> {
    db.create_all::<(Student, Course)>()?;

    // Create students
    let alice = db.add(Student { name: "Alice Johnson".into(), ..Default::default() })?;
    db.add(Student { name: "Bob Williams".into(), ..Default::default() })?;
    let bob = Student::query(db).filter_by(Student::name, "Bob Williams").one()?;

    // Create courses
    let flask_course = db.add(Course {
        title: "Flask Development".into(),
        description: Some("Learn web development with Flask".into()),
        ..Default::default()
    })?;
    let python_course = db.add(Course {
        title: "Advanced Python".into(),
        description: Some("Mastering Python programming".into()),
        ..Default::default()
    })?;

    // Enroll students in courses
    alice.courses(db).add(&flask_course)?;
    alice.courses(db).add(&python_course)?;
    bob.courses(db).add(&flask_course)?;
    Ok(())
}

fn read_back(db: &Db) -> Result<()> {
    let alice = Student::query(db).filter_by(Student::name, "Alice Johnson").one()?;
    let flask_course = Course::query(db).filter_by(Course::title, "Flask Development").one()?;

    // Query all courses for a student
    println!("Alice's courses:");
    for course in alice.courses(db).load()? {
        println!("- {}", course.title);
    }

    // Query all students in a course
    println!("\nStudents in Flask Development:");
    for student in flask_course.students(db).all()? {
        println!("- {}", student.name);
    }
    Ok(())
}
