// Two `has_many` naming each other as inverse: a `has_many`'s inverse is a `belongs_to`
// (this used to be rustc's cycle error, E0391).
use relations::{HasMany, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Group, inverse = members)]
    groups: HasMany<Group>,
}

#[derive(Model)]
struct Group {
    id: i64,
    #[has_many(User, inverse = groups)]
    members: HasMany<User>,
}

fn main() {}
