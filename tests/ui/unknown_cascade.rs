// Cascades are SQLAlchemy's words; the session's own ones have no meaning here. Every mistake
// is reported at once.
use relations::{BelongsTo, HasMany, HasOne, Model};

#[derive(Model)]
struct User {
    id: i64,
    #[has_many(Post, inverse = author, cascade = "save-update, delete-orphans")]
    posts: HasMany<Post>,
    #[has_one(Profile, inverse = user, cascade = "save-update, merge")]
    profile: HasOne<Profile>,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[belongs_to(User, inverse = posts, on_delete = "nullify")]
    author: BelongsTo<User>,
}

#[derive(Model)]
struct Profile {
    id: i64,
    #[belongs_to(User, unique, inverse = profile)]
    user: BelongsTo<User>,
}

fn main() {}
