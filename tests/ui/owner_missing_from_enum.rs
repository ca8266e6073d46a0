// Every owner model of a polymorphic owner must be a variant of its enum: `Photo` is declared
// an owner of `Remark` with `owner = Remarkable`, but `Remarkable` has no `Photo` variant.
use relations::{BelongsTo, Model, Owner};

#[derive(Model)]
struct Article {
    id: i64,
}

#[derive(Model)]
struct Photo {
    id: i64,
}

#[derive(Model)]
struct Video {
    id: i64,
}

#[derive(Owner)]
enum Remarkable {
    Article(Article),
    Video(Video),
}

#[derive(Model)]
struct Remark {
    id: i64,
    #[belongs_to(Article, owner = Remarkable)]
    article: BelongsTo<Option<Article>>,
    #[belongs_to(Photo, owner = Remarkable)]
    photo: BelongsTo<Option<Photo>>,
}

fn main() {}
