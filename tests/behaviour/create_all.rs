//! `create_all` as SQLAlchemy's (`checkfirst=True`): existing tables are left alone and checked
//! against their models, a set missing a referenced model is refused before anything is
//! created, and a real application's tables fit in one call.

use crate::common;

use common::{Comment, Post, Tag, User, UserProfile};
use relations::{Db, Error, IndexForeignKeys, Model};

fn tables(db: &Db) -> Vec<String> {
    common::table_names(db)
}

// sqlite only
#[test]
fn an_application_that_starts_twice_on_its_file_keeps_its_rows() {
    let dir = std::env::temp_dir().join(format!("relations-create-all-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.db");
    let _ = std::fs::remove_file(&path);
    {
        let db = Db::open(&path).unwrap();
        db.create_all::<(User, UserProfile, Post, Comment, Tag)>().unwrap();
        common::user(&db, "ann");
    }
    let db = Db::open(&path).unwrap();
    let (result, sql) = db.record(|| db.create_all::<(User, UserProfile, Post, Comment, Tag)>());
    result.unwrap();
    assert!(!sql.iter().any(|s| s.starts_with("CREATE")), "{sql:#?}");
    assert_eq!(User::all(&db).unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn a_table_of_another_shape_is_an_error_naming_the_table_and_the_differences() {
    let db = common::fresh();
    common::raw(
        &db,
        "CREATE TABLE \"user\" (id INTEGER NOT NULL, username VARCHAR(40) NOT NULL, legacy TEXT NOT NULL, PRIMARY KEY (id))",
    );
    let err = db.create_all::<(User, Post, Tag)>().unwrap_err();
    let Error::SchemaMismatch { table, difference } = &err else { panic!("{err:?}") };
    assert_eq!(table, "user");
    // each database's own spelling of the types
    let (theirs, ours) = match db.backend_name() {
        "sqlite" => ("VARCHAR(40)", "VARCHAR(80)"),
        "mariadb" => ("varchar(40)", "varchar(80)"),
        _ => ("character varying(40)", "character varying(80)"),
    };
    assert_eq!(
        difference,
        &format!(
            "column `username` is {theirs} in the database, {ours} in the model; \
             column `karma` is missing; \
             column `legacy` is NOT NULL in the database and not in the model, so inserts would fail"
        )
    );
    assert!(err.to_string().starts_with("table `user` exists with another shape"), "{err}");
    // nothing was created
    assert_eq!(tables(&db), ["user"]);
}

fn a_set_that_leaves_out_a_referenced_model_creates_nothing() {
    let db = common::fresh();
    let err = db.create_all::<(Post, Tag)>().unwrap_err();
    let Error::MissingModel { model, column, references } = &err else { panic!("{err:?}") };
    assert!(model.ends_with("Post"), "{model}");
    assert_eq!((column.as_str(), references.as_str()), ("post.user_id", "user"));
    assert!(tables(&db).is_empty());
    // a referenced table already in the database is enough
    db.create_all::<(User,)>().unwrap();
    db.create_all::<(Post, Tag)>().unwrap();
    assert_eq!(tables(&db), ["post", "post_tags", "tag", "user"]);
}

macro_rules! chain {
    ($first:ident $(, $rest:ident)*) => {
        #[derive(Model, Debug, Clone, PartialEq)]
        struct $first {
            id: i64,
        }
        chain!(@link $first $(, $rest)*);
    };
    (@link $parent:ident, $child:ident $(, $rest:ident)*) => {
        #[derive(Model, Debug, Clone, PartialEq)]
        struct $child {
            id: i64,
            #[belongs_to($parent)]
            parent: relations::BelongsTo<$parent>,
        }
        chain!(@link $child $(, $rest)*);
    };
    (@link $last:ident) => {};
}

chain!(T01, T02, T03, T04, T05, T06, T07, T08, T09, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19, T20, T21);

fn twenty_one_tables_are_one_call() {
    let db = common::fresh();
    // children first in the tuple: created parents first all the same
    db.create_all::<(T21, T20, T19, T18, T17, T16, T15, T14, T13, T12, T11, T10, T09, T08, T07, T06, T05, T04, T03, T02, T01)>()
        .unwrap();
    assert_eq!(tables(&db).len(), 21);
    db.drop_all::<(T01, T02, T03, T04, T05, T06, T07, T08, T09, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19, T20, T21)>()
        .unwrap();
    assert!(tables(&db).is_empty());
}

/// The indexes a database holds whose names start `ix_`, sorted.
fn ix_indexes(db: &Db) -> Vec<String> {
    common::strings(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix\\_%' ESCAPE '\\' ORDER BY name",
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'ix\\_%' \
         ORDER BY 1",
        "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
         AND INDEX_NAME LIKE 'ix\\_%' ORDER BY 1",
    )
}

fn one_switch_indexes_every_foreign_key_no_other_index_covers() {
    type Blog = (User, UserProfile, Post, Comment, Tag);
    let db = common::fresh();
    let plain = db.schema::<Blog>();
    let indexed = db.schema::<IndexForeignKeys<Blog>>();
    // the default stays SQLAlchemy's DDL; the switch only adds statements
    assert!(plain.iter().all(|s| indexed.contains(s)));
    let mut added: Vec<&String> = indexed.iter().filter(|s| !plain.contains(s)).collect();
    added.sort();
    // not user_profile.user_id (unique), not post_tags.post_id (first key column)
    assert_eq!(
        added,
        [
            "CREATE INDEX ix_comment_post_id ON comment (post_id)",
            "CREATE INDEX ix_comment_user_id ON comment (user_id)",
            "CREATE INDEX ix_post_tags_tag_id ON post_tags (tag_id)",
            "CREATE INDEX ix_post_user_id ON post (user_id)",
        ]
    );
    db.create_all::<IndexForeignKeys<Blog>>().unwrap();
    assert_eq!(ix_indexes(&db), ["ix_comment_post_id", "ix_comment_user_id", "ix_post_tags_tag_id", "ix_post_user_id"]);
    // a second start finds the tables and leaves them alone
    let (result, sql) = db.record(|| db.create_all::<IndexForeignKeys<Blog>>());
    result.unwrap();
    assert!(!sql.iter().any(|s| s.starts_with("CREATE")), "{sql:#?}");
    let plain_db = common::fresh();
    plain_db.create_all::<Blog>().unwrap();
    assert!(ix_indexes(&plain_db).is_empty());
}

both_backends!(
    one_switch_indexes_every_foreign_key_no_other_index_covers,
    a_table_of_another_shape_is_an_error_naming_the_table_and_the_differences,
    a_set_that_leaves_out_a_referenced_model_creates_nothing,
    twenty_one_tables_are_one_call,
);
