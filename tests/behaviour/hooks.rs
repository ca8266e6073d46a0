//! Per-model hooks (SQLAlchemy's mapper events): `#[model(hooks)]` and `impl Hooks` run
//! before and after insert, update and delete, and after every load, inside the call's one
//! transaction — for the rows a cascade saves too; a hook may change the row or refuse with a
//! typed error that rolls the whole unit back. Set-based statements, which hold no rows to hand
//! the hooks, are refused for models with hooks. On every backend, sync and async.

use crate::common;

use relations::{joinedload, BelongsTo, Db, Error, HasMany, Hooks, Model, Result, Snapshot, Version};

#[derive(Model, Debug, Clone)]
#[model(hooks)]
struct Article {
    id: i64,
    #[column(len = 80)]
    title: String,
    #[column(len = 80)]
    slug: String,
    /// How many times it was updated: `before_update` counts.
    edits: i64,
    #[has_many(Remark, inverse = article, cascade = "all, delete-orphan")]
    remarks: HasMany<Remark>,
    #[has_many(Tagline, inverse = article)]
    taglines: HasMany<Tagline>,
}

/// A child with hooks that its parent unhooks (a nullable foreign key, no `delete` cascade).
#[derive(Model, Debug, Clone)]
#[model(hooks)]
struct Tagline {
    id: i64,
    #[column(len = 80)]
    text: String,
    #[belongs_to(Article, inverse = taglines)]
    article: BelongsTo<Option<Article>>,
}

impl Hooks for Tagline {}

/// A versioned row whose `after_update` may refuse: the version it had comes back.
#[derive(Model, Debug, Clone)]
#[model(hooks)]
struct Ledger {
    id: i64,
    balance: i64,
    version_id: Version,
    loaded: Snapshot,
}

impl Hooks for Ledger {
    fn after_update(&mut self, _: &Db) -> Result<()> {
        if self.balance < 0 {
            return Err(Error::rejected("overdrawn"));
        }
        Ok(())
    }
}

impl Hooks for Article {
    fn before_insert(&mut self, _: &Db) -> Result<()> {
        if self.title.is_empty() {
            return Err(Error::rejected("an article needs a title"));
        }
        self.slug = self.title.to_lowercase().replace(' ', "-");
        Ok(())
    }
    fn after_insert(&mut self, db: &Db) -> Result<()> {
        audit(db, "after_insert", self.id)
    }
    fn before_update(&mut self, _: &Db) -> Result<()> {
        if self.title == "frozen" {
            return Err(Error::rejected("a frozen article is not edited"));
        }
        self.edits += 1;
        Ok(())
    }
    fn after_update(&mut self, db: &Db) -> Result<()> {
        audit(db, "after_update", self.id)
    }
    fn before_delete(&self, _: &Db) -> Result<()> {
        match self.title.as_str() {
            "keep" => Err(Error::rejected("this one stays")),
            _ => Ok(()),
        }
    }
    fn after_delete(&self, db: &Db) -> Result<()> {
        audit(db, "after_delete", self.id)
    }
    fn after_load(&mut self) -> Result<()> {
        self.slug = self.slug.trim().to_string();
        Ok(())
    }
}

#[derive(Model, Debug, Clone)]
#[model(hooks)]
struct Remark {
    id: i64,
    #[column(len = 80)]
    text: String,
    #[belongs_to(Article, inverse = remarks)]
    article: BelongsTo<Article>,
}

impl Hooks for Remark {
    fn before_insert(&mut self, _: &Db) -> Result<()> {
        match self.text.as_str() {
            "spam" => Err(Error::rejected("no spam")),
            _ => Ok(()),
        }
    }
    fn after_delete(&self, db: &Db) -> Result<()> {
        audit(db, "remark deleted", self.id)
    }
}

/// What the hooks write: in the same transaction as the row they ran on.
#[derive(Model, Debug, Clone)]
struct Audit {
    id: i64,
    #[column(len = 40)]
    event: String,
    row: i64,
}

/// A natural key with hooks: `save` of a new row runs the insert hooks only.
#[derive(Model, Debug, Clone)]
#[model(hooks)]
struct Flag {
    #[key]
    #[column(len = 40)]
    name: String,
    on: bool,
    /// How many times `before_update` ran.
    updates: i64,
}

impl Hooks for Flag {
    fn before_update(&mut self, _: &Db) -> Result<()> {
        self.updates += 1;
        Ok(())
    }
    fn after_insert(&mut self, db: &Db) -> Result<()> {
        audit(db, "flag inserted", 0)
    }
}

fn audit(db: &Db, event: &str, row: i64) -> Result<()> {
    db.add(Audit { event: event.into(), row, ..Default::default() }).map(drop)
}

fn audits(db: &Db) -> Vec<(String, i64)> {
    Audit::query(db).order_by(Audit::id).all().unwrap().into_iter().map(|a| (a.event, a.row)).collect()
}

fn setup() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Article, Remark, Tagline, Ledger, Flag, Audit)>().unwrap();
    db
}

fn article(title: &str) -> Article {
    Article { title: title.into(), ..Default::default() }
}

fn insert_hooks_change_the_row_and_write_in_its_transaction() {
    let db = setup();
    let a = db.add(article("Hello World")).unwrap();
    assert_eq!(a.slug, "hello-world", "before_insert's change is written");
    assert_eq!(Article::get(&db, a.id).unwrap().unwrap().slug, "hello-world");
    assert_eq!(audits(&db), [("after_insert".to_string(), a.id)]);
    // many at once: each row through its hooks
    let many = db.add_all([article("One"), article("Two Three")]).unwrap();
    assert_eq!(many.iter().map(|a| a.slug.as_str()).collect::<Vec<_>>(), ["one", "two-three"]);
    assert_eq!(audits(&db).len(), 3);
}

fn a_refusal_rolls_back_the_whole_unit() {
    let db = setup();
    let e = db.add(article("")).unwrap_err();
    assert!(matches!(&e, Error::Rejected { table: "article", hook: "before_insert", .. }), "{e:?}");
    assert_eq!(e.to_string(), "the `before_insert` hook of `article` refuses: an article needs a title");
    // a child's refusal, in the cascade that saves it: the parent, its audit row and its
    // other children are rolled back with it
    let mut a = article("With remarks");
    a.remarks.push(Remark { text: "fine".into(), ..Default::default() });
    a.remarks.push(Remark { text: "spam".into(), ..Default::default() });
    let e = a.save(&db).unwrap_err();
    assert!(matches!(&e, Error::Rejected { table: "remark", hook: "before_insert", .. }), "{e:?}");
    assert!(a.is_new(), "not stored: the row is new again");
    assert_eq!(
        (Article::query(&db).count().unwrap(), Remark::query(&db).count().unwrap(), audits(&db).len()),
        (0, 0, 0)
    );
    assert!(common::no_transaction_open(&db));
    // in a batch: nothing of it kept
    let e = db.add_all([article("ok"), article("")]).unwrap_err();
    assert!(matches!(&e, Error::Rejected { hook: "before_insert", .. }), "{e:?}");
    assert_eq!(Article::query(&db).count().unwrap(), 0);
}

fn update_hooks_run_on_update_and_save() {
    let db = setup();
    let mut a = db.add(article("Draft")).unwrap();
    a.update(&db).unwrap();
    assert_eq!(a.edits, 1);
    a.title = "Final".into();
    a.save(&db).unwrap();
    let stored = Article::get(&db, a.id).unwrap().unwrap();
    assert_eq!((stored.title.as_str(), stored.edits), ("Final", 2));
    assert_eq!(audits(&db).iter().filter(|(e, _)| e == "after_update").count(), 2);
    a.title = "frozen".into();
    let e = a.save(&db).unwrap_err();
    assert!(matches!(&e, Error::Rejected { table: "article", hook: "before_update", .. }), "{e:?}");
    assert_eq!(Article::get(&db, a.id).unwrap().unwrap().title, "Final", "nothing written");
}

fn delete_hooks_run_and_refuse_and_cascades_to_hooked_rows_are_refused() {
    let db = setup();
    let keep = db.add(article("keep")).unwrap();
    let e = keep.delete(&db).unwrap_err();
    assert!(matches!(&e, Error::Rejected { table: "article", hook: "before_delete", .. }), "{e:?}");
    assert!(Article::get(&db, keep.id).unwrap().is_some());
    let gone = db.add(article("gone")).unwrap();
    assert!(gone.delete(&db).unwrap());
    assert!(audits(&db).contains(&("after_delete".to_string(), gone.id)));
    // its remarks are rows no one holds: the cascade cannot hand them to their hooks
    let mut a = article("with a remark");
    a.remarks.push(Remark { text: "first".into(), ..Default::default() });
    let a = db.add(a).unwrap();
    let e = a.delete(&db).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidQuery { table: "article", message } if message.contains("remark.article_id") && message.contains("hooks")),
        "{e:?}"
    );
    assert_eq!(Remark::query(&db).count().unwrap(), 1, "nothing deleted");
    // held rows are: delete the remarks, then the article
    for r in Remark::query(&db).all().unwrap() {
        r.delete(&db).unwrap();
    }
    assert!(a.delete(&db).unwrap());
    assert_eq!(audits(&db).iter().filter(|(e, _)| e == "remark deleted").count(), 1);
}

fn after_load_runs_on_every_read() {
    let db = setup();
    let mut a = article("Padded");
    a.remarks.push(Remark { text: "r".into(), ..Default::default() });
    let a = db.add(a).unwrap();
    common::raw(&db, &format!("UPDATE \"article\" SET slug = '  padded  ' WHERE id = {}", a.id));
    assert_eq!(Article::get(&db, a.id).unwrap().unwrap().slug, "padded");
    assert_eq!(Article::query(&db).all().unwrap()[0].slug, "padded");
    let remark = Remark::query(&db).options(joinedload(Remark::ARTICLE)).one().unwrap();
    assert_eq!(remark.article(&db).load().unwrap().slug, "padded", "an eager load, too");
    let lazily = Remark::query(&db).one().unwrap();
    assert_eq!(lazily.article(&db).load().unwrap().slug, "padded", "and a lazy one");
}

fn set_based_writes_are_refused() {
    let db = setup();
    let mut a = db.add(article("bulk")).unwrap();
    let e = Article::query(&db).set(Article::edits, 5).update().unwrap_err();
    assert!(
        matches!(&e, Error::InvalidQuery { table: "article", message } if message.contains("a bulk update")),
        "{e:?}"
    );
    let e = Article::query(&db).delete().unwrap_err();
    assert!(
        matches!(&e, Error::InvalidQuery { table: "article", message } if message.contains("a bulk delete")),
        "{e:?}"
    );
    let e = db.upsert(&mut a).unwrap_err();
    assert!(matches!(&e, Error::InvalidQuery { table: "article", message } if message.contains("an upsert")), "{e:?}");
    // a model without hooks is untouched by the rule
    db.add(Audit { event: "x".into(), row: 0, ..Default::default() }).unwrap();
    assert!(Audit::query(&db).set(Audit::row, 1).update().unwrap() >= 1);
}

fn a_refused_update_leaves_the_version_and_snapshot_as_they_were() {
    let db = setup();
    let mut l = db.add(Ledger { balance: 10, ..Default::default() }).unwrap();
    l.balance = -5;
    let e = l.update(&db).unwrap_err();
    assert!(matches!(&e, Error::Rejected { table: "ledger", hook: "after_update", .. }), "{e:?}");
    assert_eq!(l.version_id.get(), 1, "rolled back: the version it was read with");
    let stored = Ledger::get(&db, l.id).unwrap().unwrap();
    assert_eq!((stored.balance, stored.version_id.get()), (10, 1));
    // the snapshot still holds what is stored: the next update writes the change again
    l.balance = 7;
    l.update(&db).unwrap();
    let stored = Ledger::get(&db, l.id).unwrap().unwrap();
    assert_eq!((stored.balance, stored.version_id.get()), (7, 2));
}

fn unhooking_rows_of_a_model_with_hooks_is_refused() {
    let db = setup();
    let mut a = article("tagged");
    a.taglines.push(Tagline { text: "t".into(), ..Default::default() });
    let a = db.add(a).unwrap();
    let t = Tagline::query(&db).one().unwrap();
    let e = a.taglines(&db).remove(&t).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidQuery { table: "tagline", message } if message.contains("article.taglines")),
        "{e:?}"
    );
    let e = a.delete(&db).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidQuery { table: "article", message } if message.contains("set the foreign key of the `tagline` rows")),
        "{e:?}"
    );
    assert_eq!(Tagline::query(&db).filter(Tagline::article_id.is_not_null()).count().unwrap(), 1, "nothing changed");
}

fn saving_a_new_natural_key_runs_the_insert_hooks_only() {
    let db = setup();
    let mut flag = Flag { name: "dark".into(), on: true, ..Default::default() };
    flag.save(&db).unwrap();
    assert_eq!(flag.updates, 0, "before_update did not run for a row that was inserted");
    assert_eq!(audits(&db), [("flag inserted".to_string(), 0)]);
    flag.on = false;
    flag.save(&db).unwrap();
    assert_eq!(flag.updates, 1);
    let stored = Flag::get(&db, "dark").unwrap().unwrap();
    assert_eq!((stored.on, stored.updates), (false, 1));
    assert_eq!(audits(&db).len(), 1, "inserted once");
}

both_backends!(
    saving_a_new_natural_key_runs_the_insert_hooks_only,
    a_refused_update_leaves_the_version_and_snapshot_as_they_were,
    unhooking_rows_of_a_model_with_hooks_is_refused,
    insert_hooks_change_the_row_and_write_in_its_transaction,
    a_refusal_rolls_back_the_whole_unit,
    update_hooks_run_on_update_and_save,
    delete_hooks_run_and_refuse_and_cascades_to_hooked_rows_are_refused,
    after_load_runs_on_every_read,
    set_based_writes_are_refused,
);
