// The enum of a polymorphic owner has no variant the model does not own: `Remarkable` has a
// `Video`, but `Remark` has no `#[belongs_to(Video, owner = Remarkable)]` field.
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
    Photo(Photo),
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
