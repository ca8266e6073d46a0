// `#[derive(Owner)]` takes an enum of two or more one-model tuple variants, each model once;
// a model whose owner enum does not derive `Owner` is refused too.
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
struct NotAnEnum {
    article: Article,
}

#[derive(Owner)]
enum OneOwner {
    Article(Article),
}

#[derive(Owner)]
enum Shapes {
    Article { article: Article },
    Photo(Photo),
    Again(Photo),
}

enum Plain {
    Article(Article),
    Photo(Photo),
}

#[derive(Model)]
struct Remark {
    id: i64,
    #[belongs_to(Article, owner = Plain)]
    article: BelongsTo<Option<Article>>,
    #[belongs_to(Photo, owner = Plain)]
    photo: BelongsTo<Option<Photo>>,
}

fn main() {}
