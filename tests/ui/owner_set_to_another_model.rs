// `set_<owner>` takes one of the owner models: a `User` is not an owner of a `Remark`.
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
struct User {
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
    #[belongs_to(Article, owner = Remarkable)]
    article: BelongsTo<Option<Article>>,
    #[belongs_to(Photo, owner = Remarkable)]
    photo: BelongsTo<Option<Photo>>,
}

fn main() {
    let mut remark = Remark::default();
    remark.set_remarkable(&User::default());
}
