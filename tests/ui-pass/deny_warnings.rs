// Generated code is documented and warning-free, even for private models with accessors that
// are never used.
#![deny(warnings, missing_docs)]
//! A crate that denies warnings.

use relations::{BelongsTo, HasMany, ManyToMany, Model};

/// A user.
#[derive(Model)]
pub struct User {
    id: i64,
    #[has_many(Post, inverse = author)]
    posts: HasMany<Post>,
}

/// A post.
#[derive(Model)]
pub struct Post {
    id: i64,
    #[belongs_to(User, backref = writings)]
    author: BelongsTo<User>,
    #[many_to_many(Tag, through = post_tags, backref = posts)]
    tags: ManyToMany<Tag>,
}

/// A tag.
#[derive(Model)]
pub struct Tag {
    id: i64,
}

#[derive(Model)]
struct Private {
    id: i64,
    #[self_ref(children = children)]
    parent: BelongsTo<Option<Private>>,
}

fn main() {}
