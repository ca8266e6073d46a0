// `default = now` fills a timestamp; on a `String` it must be rejected.
use relations::Model;

#[derive(Model)]
struct Post {
    id: i64,
    #[column(default = now)]
    created: String,
}

fn main() {}
