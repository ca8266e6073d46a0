// A polymorphic owner's keys are nullable, it has two owner models or more, each once, and its
// accessor does not clash with a field; the enum is a `#[derive(Owner)]` one.
use relations::{BelongsTo, Model, Owner};

#[derive(Model)]
struct Article {
    id: i64,
}

#[derive(Model)]
struct Photo {
    id: i64,
}

#[derive(Owner)]
enum Remarkable {
    Article(Article),
    Photo(Photo),
}

#[derive(Model)]
struct Remark {
    id: i64,
    remarkable: String,
    #[belongs_to(Article, owner = Remarkable)]
    article: BelongsTo<Article>,
    #[belongs_to(Photo, owner = Remarkable)]
    photo: BelongsTo<Option<Photo>>,
    #[belongs_to(Photo, column = other_photo_id, owner = Remarkable)]
    other_photo: BelongsTo<Option<Photo>>,
}

#[derive(Model)]
struct Note {
    id: i64,
    #[belongs_to(Article, owner = Remarkable)]
    article: BelongsTo<Option<Article>>,
}

fn main() {}
