//! Reading a live schema back (`Db::inspect`) gives what the models declare, on both backends.

use crate::common;

use common::{Comment, Post, Tag, User, UserProfile};
use relations::catalog::Catalog;
use relations::migrate::{diff, Renames};

fn the_blog_reads_back_as_its_models_declare_it() {
    let db = common::db();
    let declared = Catalog::of::<(User, UserProfile, Post, Comment, Tag)>();
    let live = db.inspect().unwrap();
    let d = diff(&live, &declared, &Renames::none()).unwrap();
    assert!(d.is_empty(), "{:#?}", d.changes);
    assert_eq!(
        live.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        declared.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()
    );
    let user = live.table("user").unwrap();
    assert!(user.auto_key && user.column("username").unwrap().unique);
}

both_backends!(the_blog_reads_back_as_its_models_declare_it);
