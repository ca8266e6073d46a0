//! Multi-tenancy (`#[model(tenant = org_id)]` and `Db::set_tenant`): a connection of a tenant
//! reads only its rows through every path, writes its tenant into the rows it inserts, and a
//! write that would cross tenants is `Error::CrossTenant`. On every backend, sync and async.

use crate::common;

use relations::{joinedload, selectinload, BelongsTo, Db, Error, HasMany, Model};

#[derive(Model, Debug, Clone)]
#[model(tenant = org_id)]
struct Project {
    id: i64,
    #[column(len = 40)]
    name: String,
    org_id: i64,
    #[has_many(Task, inverse = project)]
    tasks: HasMany<Task>,
}

#[derive(Model, Debug, Clone)]
#[model(tenant = org_id)]
struct Task {
    id: i64,
    #[column(len = 40)]
    title: String,
    org_id: i64,
    #[belongs_to(Project, inverse = tasks)]
    project: BelongsTo<Project>,
}

/// Tenant 1: project "p1" with tasks "t1", "t2"; tenant 2: project "p2" with task "t3" — and,
/// by a mistake the tenant filter hides, a task "x" of tenant 2 under "p1".
fn setup() -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Project, Task)>().unwrap();
    for (org, project, tasks) in [(1, "p1", &["t1", "t2"][..]), (2, "p2", &["t3"][..])] {
        let p = db.add(Project { name: project.into(), org_id: org, ..Default::default() }).unwrap();
        for t in tasks {
            let mut task = Task { title: (*t).into(), org_id: org, ..Default::default() };
            task.project.set(&p);
            db.add(task).unwrap();
        }
    }
    let p1 = Project::query(&db).filter_by(Project::name, "p1").one().unwrap();
    let mut stray = Task { title: "x".into(), org_id: 2, ..Default::default() };
    stray.project.set(&p1);
    db.add(stray).unwrap();
    db
}

fn names(projects: &[Project]) -> Vec<&str> {
    projects.iter().map(|p| p.name.as_str()).collect()
}

fn titles(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

fn a_tenant_reads_only_its_rows() {
    let db = setup();
    db.set_tenant(1_i64);
    assert_eq!(db.tenant(), Some(relations::schema::Value::Integer(1)));
    assert_eq!(names(&Project::query(&db).all().unwrap()), ["p1"]);
    assert_eq!(Task::query(&db).count().unwrap(), 2);
    let p2 = db.without_rules(|db| Project::query(db).filter_by(Project::name, "p2").one()).unwrap();
    assert!(Project::get(&db, p2.id).unwrap().is_none());
    let p1 = Project::query(&db).one().unwrap();
    assert_eq!(titles(&p1.tasks(&db).all().unwrap()), ["t1", "t2"], "not the other tenant's task under it");
    for (load, statements) in [(selectinload(Project::TASKS), 2), (joinedload(Project::TASKS), 1)] {
        let p = db.assert_statements(statements, || Project::query(&db).options(load).one().unwrap());
        assert_eq!(titles(p.tasks.loaded().unwrap()), ["t1", "t2"]);
    }
    let counts = Project::query(&db).select((Project::name, Project::TASKS.count())).all().unwrap();
    assert_eq!(counts, [("p1".to_string(), 2)]);
    assert_eq!(Project::query(&db).filter(Project::TASKS.any(Task::title.eq("x"))).count().unwrap(), 0);
    // the other tenant
    db.set_tenant(2_i64);
    assert_eq!(names(&Project::query(&db).all().unwrap()), ["p2"]);
    assert_eq!(titles(&Task::query(&db).all().unwrap()), ["t3", "x"]);
    // lifted for reads, or ended
    assert_eq!(db.without_rules(|db| Task::query(db).count()).unwrap(), 4);
    db.clear_tenant();
    assert_eq!(Task::query(&db).count().unwrap(), 4);
}

fn inserts_take_the_tenant_and_refuse_another() {
    let db = setup();
    db.set_tenant(2_i64);
    let p = db.add(Project { name: "new".into(), ..Default::default() }).unwrap();
    assert_eq!(p.org_id, 2, "filled");
    let many = db.add_all((0..2).map(|i| Project { name: format!("m{i}"), ..Default::default() })).unwrap();
    assert!(many.iter().all(|m| m.org_id == 2));
    let e = db.add(Project { name: "theirs".into(), org_id: 1, ..Default::default() }).unwrap_err();
    assert!(matches!(&e, Error::CrossTenant { table: "project", column: "org_id", action: "insert", .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "cannot insert a `project` row of tenant 1 (`project.org_id`) on a connection of tenant 2; nothing was written"
    );
    let e = db.add_all([
        Project { name: "ok".into(), ..Default::default() },
        Project { name: "no".into(), org_id: 1, ..Default::default() },
    ]);
    assert!(matches!(e, Err(Error::CrossTenant { .. })));
    db.clear_tenant();
    assert_eq!(Project::query(&db).filter_by(Project::org_id, 2).count().unwrap(), 4, "p2, new, m0, m1: nothing else");
    assert_eq!(Project::query(&db).filter_by(Project::org_id, 1).count().unwrap(), 1);
    db.set_tenant(2_i64);
    let e = db.upsert(&mut Project { name: "u".into(), ..Default::default() }).unwrap_err();
    assert!(matches!(e, Error::InvalidQuery { table: "project", .. }), "{e:?}");
}

fn writes_across_tenants_are_refused() {
    let db = setup();
    let theirs = Project::query(&db).filter_by(Project::name, "p2").one().unwrap();
    db.set_tenant(1_i64);
    let mut changed = theirs.clone();
    changed.name = "mine now".into();
    assert!(matches!(changed.update(&db), Err(Error::CrossTenant { action: "update", .. })));
    assert!(matches!(theirs.delete(&db), Err(Error::CrossTenant { action: "delete", .. })));
    // moving one's own row to another tenant
    let mut mine = Project::query(&db).one().unwrap();
    mine.org_id = 2;
    assert!(matches!(mine.update(&db), Err(Error::CrossTenant { action: "update", .. })));
    // a row built by hand with the other tenant's key and this tenant's column changes nothing
    let mut forged = Project { id: theirs.id, name: "forged".into(), org_id: 1, ..Default::default() };
    assert!(matches!(forged.update(&db), Err(Error::NotFound { table: "project", .. })));
    assert!(!forged.delete(&db).unwrap());
    // bulk writes: the tenant's rows, and never to another tenant
    let e = Task::query(&db).set(Task::org_id, 2).update().unwrap_err();
    assert!(matches!(e, Error::CrossTenant { action: "bulk update", .. }), "{e:?}");
    assert_eq!(Task::query(&db).set(Task::title, "done").update().unwrap(), 2);
    assert_eq!(Task::query(&db).delete().unwrap(), 2);
    db.clear_tenant();
    let left = Project::get(&db, theirs.id).unwrap().unwrap();
    assert_eq!(left.name, "p2");
    assert_eq!(titles(&Task::query(&db).all().unwrap()), ["t3", "x"]);
}

both_backends!(
    a_tenant_reads_only_its_rows,
    inserts_take_the_tenant_and_refuse_another,
    writes_across_tenants_are_refused
);

/// A pool's connection starts every checkout without a tenant (and with the pool's rules):
/// a request never inherits the last one's.
#[test]
fn a_pools_connections_start_without_a_tenant() {
    use relations::pool::{Pool, PoolOptions};
    let dir = std::env::temp_dir().join(format!("relations-tenancy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pool = Pool::open(dir.join("tenancy.db"), PoolOptions { max_size: 1, ..PoolOptions::default() }).unwrap();
    {
        let db = pool.get().unwrap();
        db.create_all::<(Project, Task)>().unwrap();
        db.add(Project { name: "a".into(), org_id: 1, ..Default::default() }).unwrap();
        db.add(Project { name: "b".into(), org_id: 2, ..Default::default() }).unwrap();
        db.set_tenant(1_i64);
        assert_eq!(Project::query(&db).count().unwrap(), 1);
    }
    let db: &Db = &pool.get().unwrap();
    assert_eq!(db.tenant(), None);
    assert_eq!(Project::query(db).count().unwrap(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The table names its tenant column.
#[test]
fn the_table_names_the_column() {
    assert_eq!((Project::TABLE.tenant, Task::TABLE.tenant), (Some(2), Some(2)));
}

/// The async pool too: a connection comes back from a checkout with the pool's rules and no
/// tenant.
#[test]
fn an_async_pools_connections_start_without_a_tenant() {
    use relations::pool::{AsyncPool, PoolOptions};
    let dir = std::env::temp_dir().join(format!("relations-tenancy-async-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    rt.block_on(async {
        let options = PoolOptions { max_size: 1, ..PoolOptions::default() };
        let pool = AsyncPool::open(dir.join("tenancy.db"), options).await.unwrap();
        pool.run(|db| {
            db.create_all::<(Project, Task)>()?;
            db.add(Project { name: "a".into(), org_id: 1, ..Default::default() })?;
            db.add(Project { name: "b".into(), org_id: 2, ..Default::default() })?;
            db.set_tenant(1_i64);
            db.add_rule(Project::rule(Project::name.eq("none")));
            Ok::<_, Error>(())
        })
        .await
        .unwrap();
        let seen = pool.run(|db| Ok::<_, Error>((db.tenant(), Project::query(db).count()?))).await.unwrap();
        assert_eq!(seen, (None, 2));
    });
    std::fs::remove_dir_all(&dir).unwrap();
}
