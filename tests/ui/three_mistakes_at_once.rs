// Every error of a derive is reported in one run: three mistakes, three errors.
use relations::Model;

#[derive(Model)]
#[model(table = "bad name")]
struct User {
    id: i64,
    #[column(len = 0)]
    name: String,
    #[column(text, len = 5)]
    bio: String,
}

fn main() {}
