// Generated code reaches everything through absolute paths: shadowing prelude names, and a
// local `rusqlite` module, changes nothing.
#![allow(dead_code, non_camel_case_types)]

mod rusqlite {}
mod core {}
mod std {}

type Result = ();
type Option = ();
struct Vec;
struct String;
struct Ok;
struct Default;
struct Into;

mod models {
    use relations::{BelongsTo, HasMany, Model};

    #[derive(Model)]
    pub struct User {
        id: i64,
        #[column(default = "anonymous")]
        name: ::std::string::String,
        nickname: ::core::option::Option<::std::string::String>,
        #[has_many(Post, inverse = author)]
        posts: HasMany<Post>,
    }

    #[derive(Model)]
    pub struct Post {
        id: i64,
        #[belongs_to(User)]
        author: BelongsTo<User>,
    }
}

fn main() {}
