//! Loading strategies: statement counts for every strategy × relationship kind (flat as the
//! number of owners grows), the rows they load (the same as lazy loading), nesting, per-owner
//! limits, declared strategies, `raise`, `dynamic`, the N+1 guard, and `any` / `has`.

use crate::common;

use common::{Comment, Post, Tag, User, UserProfile};
use relations::{
    joinedload, raiseload, selectinload, subqueryload, subtreeload, BelongsTo, Db, Error, HasMany, ManyToMany, Model,
    NPlusOne,
};

#[derive(Model, Debug, Clone, PartialEq)]
struct Employee {
    id: i64,
    #[column(len = 80)]
    name: String,
    #[self_ref]
    manager: BelongsTo<Option<Employee>>,
    #[has_many(Employee, inverse = manager)]
    reports: HasMany<Employee>,
}

/// A tree keyed by text: its rows are put in key order by the statement, not the loader.
#[derive(Model, Debug, Clone, PartialEq)]
struct Folder {
    #[key]
    #[column(len = 40)]
    path: String,
    #[self_ref]
    parent: BelongsTo<Option<Folder>>,
    #[has_many(Folder, inverse = parent)]
    children: HasMany<Folder>,
}

/// A tree of JSON documents: PostgreSQL's `json` has no equality, so a recursive `UNION` cannot
/// compare its rows whole.
#[derive(Model, Debug, Clone, PartialEq)]
struct Note {
    id: i64,
    body: serde_json::Value,
    #[self_ref]
    parent: BelongsTo<Option<Note>>,
    #[has_many(Note, inverse = parent)]
    replies: HasMany<Note>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Book {
    id: i64,
    #[column(len = 100)]
    title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Reader {
    id: i64,
    #[column(len = 100)]
    name: String,
    #[many_to_many(Book, through = Loan)]
    books: ManyToMany<Book>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Loan {
    #[key]
    #[belongs_to(Reader)]
    reader: BelongsTo<Reader>,
    #[key]
    #[belongs_to(Book)]
    book: BelongsTo<Book>,
}

/// A playlist holds albums, an album may be on several playlists: an album reached through
/// two playlists is two owners of its tracks.
#[derive(Model, Debug, Clone, PartialEq)]
struct Playlist {
    id: i64,
    #[column(len = 50)]
    name: String,
    #[many_to_many(Album, through = playlist_albums)]
    albums: ManyToMany<Album>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Album {
    id: i64,
    #[column(len = 50)]
    title: String,
    #[has_many(Track, inverse = album)]
    tracks: HasMany<Track>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Track {
    id: i64,
    #[column(len = 50)]
    title: String,
    #[belongs_to(Album, inverse = tracks)]
    album: BelongsTo<Album>,
}

/// `users` users; user `i` has `i % 3` posts, each post 2 comments (by the next user) and the
/// tags `t(post % 4)` and `t((post + 1) % 4)`; every other user has a profile.
fn blog(users: usize) -> common::TestDb {
    let db = common::db();
    seed_blog(&db, users);
    db
}

/// `users` users, every other one with a profile, user `i` with `i % 3` posts, each post with two
/// of four tags and two comments.
fn seed_blog(db: &Db, users: usize) {
    db.transaction(|db| {
        let tags: Vec<Tag> =
            (0..4).map(|i| db.add(Tag { name: format!("t{i}"), ..Default::default() })).collect::<Result<_, _>>()?;
        let users: Vec<User> = (0..users)
            .map(|i| db.add(User { username: format!("u{i}"), ..Default::default() }))
            .collect::<Result<_, _>>()?;
        let mut n = 0;
        for (i, u) in users.iter().enumerate() {
            if i % 2 == 0 {
                db.add(UserProfile { website: Some(format!("w{i}")), user: BelongsTo::to(u), ..Default::default() })?;
            }
            for _ in 0..i % 3 {
                let p = db.add(Post { title: format!("p{n}"), author: BelongsTo::to(u), ..Default::default() })?;
                p.tags(db).extend([&tags[n % 4], &tags[(n + 1) % 4]])?;
                let commenter = &users[(i + 1) % users.len()];
                for c in 0..2 {
                    db.add(Comment {
                        content: format!("c{n}.{c}"),
                        post: BelongsTo::to(&p),
                        user: BelongsTo::to(commenter),
                        ..Default::default()
                    })?;
                }
                n += 1;
            }
        }
        Ok::<_, Error>(())
    })
    .expect("seed");
}

/// How many statements `f` ran.
fn statements<T>(db: &Db, f: impl FnOnce() -> T) -> (T, usize) {
    let (value, sql) = db.record(f);
    (value, sql.len())
}

fn titles(posts: &[Post]) -> Vec<String> {
    posts.iter().map(|p| p.title.clone()).collect()
}

/// Each user's post titles, read lazily (one statement per user): the reference.
fn lazy_titles(db: &Db) -> Vec<Vec<String>> {
    User::all(db).unwrap().iter().map(|u| titles(u.posts(db).load().unwrap())).collect()
}

fn has_many_every_strategy_same_rows_flat_count() {
    for n in [10, 100] {
        let db = blog(n);
        let expected = lazy_titles(&db);
        for (name, users, count) in [
            ("joined", statements(&db, || User::query(&db).options(joinedload(User::POSTS)).all().unwrap()), 1),
            ("selectin", statements(&db, || User::query(&db).options(selectinload(User::POSTS)).all().unwrap()), 2),
            ("subquery", statements(&db, || User::query(&db).options(subqueryload(User::POSTS)).all().unwrap()), 2),
        ]
        .map(|(name, (users, c), want)| (name, users, (c, want)))
        {
            assert_eq!(count.0, count.1, "{name} with {n} users");
            let loaded: Vec<Vec<String>> =
                db.assert_statements(0, || users.iter().map(|u| titles(u.posts(&db).load().unwrap())).collect());
            assert_eq!(loaded, expected, "{name} loads what lazy loading loads");
            assert_eq!(users.len(), n, "{name}: one row per user, whatever the join returned");
        }
    }
}

/// Rows whose key order interleaves their owners (each level where the dialect orders by the
/// rows' own key, MariaDB's, comes in runs of one row per owner): every owner gets its own,
/// in order, at each level and by each strategy.
fn owners_whose_rows_interleave_get_each_their_own_in_order() {
    let db = common::db();
    let users: Vec<User> =
        (0..5).map(|i| db.add(User { username: format!("u{i}"), ..Default::default() }).unwrap()).collect();
    // user `i` has `i` posts, added in turns: in key order no two of one user's are together
    let mut posts = Vec::new();
    for round in 0..4 {
        for (i, u) in users.iter().enumerate().filter(|(i, _)| round < *i) {
            let title = format!("p{round}.{i}");
            posts.push(db.add(Post { title, author: BelongsTo::to(u), ..Default::default() }).unwrap());
        }
    }
    // and each post's comments in turns, but for every third post, which has none
    for round in 0..3 {
        for (n, p) in posts.iter().enumerate().filter(|(n, _)| n % 3 != 0) {
            let content = format!("c{round}.{n}");
            db.add(Comment { content, post: BelongsTo::to(p), user: BelongsTo::to(&users[0]), ..Default::default() })
                .unwrap();
        }
    }
    let post_ids = |posts: &[Post]| posts.iter().map(|p| p.id).collect::<Vec<_>>();
    let comment_ids = |comments: &[Comment]| comments.iter().map(|c| c.id).collect::<Vec<_>>();
    for (name, load) in [
        ("selectin", selectinload(User::POSTS).selectinload(Post::COMMENTS)),
        ("subquery", subqueryload(User::POSTS).subqueryload(Post::COMMENTS)),
    ] {
        let loaded = db.assert_statements(3, || User::query(&db).options(load).all().unwrap());
        for u in &loaded {
            let got = post_ids(u.posts.loaded().unwrap());
            let lazy = post_ids(&u.posts(&db).all().unwrap());
            assert!(lazy.windows(2).all(|w| w[0] < w[1]), "{}: lazily, in key order", u.username);
            assert_eq!(got, lazy, "{name}: {}'s posts", u.username);
            for p in u.posts.loaded().unwrap() {
                let got = comment_ids(p.comments.loaded().unwrap());
                assert_eq!(got, comment_ids(&p.comments(&db).all().unwrap()), "{name}: {}'s comments", p.title);
            }
        }
        let counts: Vec<usize> = loaded.iter().map(|u| u.posts.loaded().unwrap().len()).collect();
        assert_eq!(counts, [0, 1, 2, 3, 4], "{name}");
    }
}

fn belongs_to_every_strategy() {
    for n in [10, 100] {
        let db = blog(n);
        let expected: Vec<String> =
            Post::all(&db).unwrap().iter().map(|p| p.author(&db).load().unwrap().username.clone()).collect();
        for (load, count) in
            [(joinedload(Post::AUTHOR), 1), (selectinload(Post::AUTHOR), 2), (subqueryload(Post::AUTHOR), 2)]
        {
            let posts = db.assert_statements(count, || Post::query(&db).options(load).all().unwrap());
            let authors: Vec<String> = db.assert_statements(0, || {
                posts.iter().map(|p| p.author(&db).load().unwrap().username.clone()).collect()
            });
            assert_eq!(authors, expected);
        }
    }
}

fn has_one_every_strategy() {
    for n in [10, 100] {
        let db = blog(n);
        let website = |u: &User| u.profile(&db).load().unwrap().and_then(|p| p.website.clone());
        let expected: Vec<Option<String>> = User::all(&db).unwrap().iter().map(website).collect();
        assert_eq!(expected.iter().filter(|w| w.is_some()).count(), n / 2);
        for (load, count) in [(joinedload(User::PROFILE), 1), (selectinload(User::PROFILE), 2)] {
            let users = db.assert_statements(count, || User::query(&db).options(load).all().unwrap());
            let got: Vec<Option<String>> = db.assert_statements(0, || users.iter().map(website).collect());
            assert_eq!(got, expected);
        }
    }
}

/// An album on two playlists, loaded under each: each copy gets all its tracks, whether the
/// albums come joined or by selectin (a row reached under two owners belongs to both).
fn a_row_reached_under_two_owners_gets_its_collection_under_both() {
    let db = common::fresh();
    db.create_all::<(Playlist, Album, Track)>().unwrap();
    let shared = db.add(Album { title: "shared".into(), ..Default::default() }).unwrap();
    let other = db.add(Album { title: "other".into(), ..Default::default() }).unwrap();
    for (album, title) in [(&shared, "s1"), (&shared, "s2"), (&other, "o1")] {
        db.add(Track { title: title.into(), album: BelongsTo::to(album), ..Default::default() }).unwrap();
    }
    for (name, albums) in [("a", vec![&shared, &other]), ("b", vec![&shared])] {
        let p = db.add(Playlist { name: name.into(), ..Default::default() }).unwrap();
        p.albums(&db).extend(albums).unwrap();
    }
    let tracks = |p: &Playlist| -> Vec<(String, Vec<String>)> {
        let albums = p.albums.loaded().expect("albums loaded");
        albums
            .iter()
            .map(|a| {
                (a.title.clone(), a.tracks.loaded().expect("tracks loaded").iter().map(|t| t.title.clone()).collect())
            })
            .collect()
    };
    let expected = [
        vec![("shared".to_string(), vec!["s1".to_string(), "s2".to_string()]), ("other".into(), vec!["o1".into()])],
        vec![("shared".into(), vec!["s1".into(), "s2".into()])],
    ];
    let loads = [
        joinedload(Playlist::ALBUMS).joinedload(Album::TRACKS),
        selectinload(Playlist::ALBUMS).joinedload(Album::TRACKS),
        joinedload(Playlist::ALBUMS).selectinload(Album::TRACKS),
        selectinload(Playlist::ALBUMS).selectinload(Album::TRACKS),
    ];
    for load in loads {
        let playlists = Playlist::query(&db).options(load).all().unwrap();
        let got: Vec<_> = playlists.iter().map(tracks).collect();
        assert_eq!(got, expected);
    }
}

fn many_to_many_every_strategy() {
    for n in [10, 100] {
        let db = blog(n);
        let names = |p: &Post| p.tags(&db).load().unwrap().iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        let expected: Vec<Vec<String>> = Post::all(&db).unwrap().iter().map(names).collect();
        for (load, count) in [(joinedload(Post::TAGS), 1), (selectinload(Post::TAGS), 2), (subqueryload(Post::TAGS), 2)]
        {
            let posts = db.assert_statements(count, || Post::query(&db).options(load).all().unwrap());
            let got: Vec<Vec<String>> = db.assert_statements(0, || posts.iter().map(names).collect());
            assert_eq!(got, expected);
        }
    }
}

fn library(readers: usize) -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Book, Reader, Loan)>().unwrap();
    db.transaction(|db| {
        let books: Vec<Book> =
            (0..5).map(|i| db.add(Book { title: format!("b{i}"), ..Default::default() })).collect::<Result<_, _>>()?;
        for r in 0..readers {
            let reader = db.add(Reader { name: format!("r{r}"), ..Default::default() })?;
            for b in books.iter().skip(r % 5).take(r % 3) {
                db.add(Loan { reader: BelongsTo::to(&reader), book: BelongsTo::to(b) })?;
            }
        }
        Ok::<_, Error>(())
    })
    .unwrap();
    db
}

fn many_to_many_through_an_association_model() {
    for n in [10, 100] {
        let db = library(n);
        let names = |r: &Reader| r.books(&db).load().unwrap().iter().map(|b| b.title.clone()).collect::<Vec<_>>();
        let expected: Vec<Vec<String>> = Reader::all(&db).unwrap().iter().map(names).collect();
        assert!(expected.iter().any(|b| b.len() == 2));
        for (load, count) in [(joinedload(Reader::BOOKS), 1), (selectinload(Reader::BOOKS), 2)] {
            let readers = db.assert_statements(count, || Reader::query(&db).options(load).all().unwrap());
            let got: Vec<Vec<String>> = db.assert_statements(0, || readers.iter().map(names).collect());
            assert_eq!(got, expected);
        }
    }
}

/// An org chart of `depth` levels below one root, each employee with `fanout` reports.
fn org(depth: u32, fanout: usize) -> common::TestDb {
    let db = common::fresh();
    db.create_all::<(Employee,)>().unwrap();
    db.transaction(|db| {
        let root = db.add(Employee { name: "e".into(), ..Default::default() })?;
        let mut level = vec![root];
        for _ in 0..depth {
            let mut next = Vec::new();
            for boss in &level {
                for i in 0..fanout {
                    next.push(db.add(Employee {
                        name: format!("{}.{i}", boss.name),
                        manager: BelongsTo::to(boss),
                        ..Default::default()
                    })?);
                }
            }
            level = next;
        }
        Ok::<_, Error>(())
    })
    .unwrap();
    db
}

fn self_ref_parent_and_children_every_strategy() {
    for depth in [2, 4] {
        let db = org(depth, 3);
        let boss = |e: &Employee| e.manager(&db).load().unwrap().map(|m| m.name.clone());
        let reports = |e: &Employee| e.reports(&db).load().unwrap().iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        let all = Employee::all(&db).unwrap();
        let (bosses, kids): (Vec<_>, Vec<_>) = all.iter().map(|e| (boss(e), reports(e))).unzip();
        for (load, count) in [(joinedload(Employee::MANAGER), 1), (selectinload(Employee::MANAGER), 2)] {
            let rows = db.assert_statements(count, || Employee::query(&db).options(load).all().unwrap());
            assert_eq!(db.assert_statements(0, || rows.iter().map(boss).collect::<Vec<_>>()), bosses);
        }
        for (load, count) in [(joinedload(Employee::REPORTS), 1), (selectinload(Employee::REPORTS), 2)] {
            let rows = db.assert_statements(count, || Employee::query(&db).options(load).all().unwrap());
            assert_eq!(db.assert_statements(0, || rows.iter().map(reports).collect::<Vec<_>>()), kids);
        }
    }
}

/// Every name in the loaded tree below `e`, depth first.
fn walk(db: &Db, e: &Employee, out: &mut Vec<String>) {
    for r in e.reports(db).load().unwrap() {
        out.push(r.name.clone());
        walk(db, r, out);
    }
}

fn a_whole_subtree_in_one_recursive_statement() {
    for depth in [2, 5] {
        let db = org(depth, 3);
        let root = || Employee::query(&db).filter(Employee::manager_id.is_null());
        let mut expected = Vec::new();
        walk(&db, &root().one().unwrap(), &mut expected);
        assert_eq!(expected.len(), (1..=depth).map(|d| 3usize.pow(d)).sum::<usize>());
        let tree = db.assert_statements(1, || root().options(subtreeload(Employee::REPORTS)).one().unwrap());
        let mut got = Vec::new();
        db.assert_statements(0, || walk(&db, &tree, &mut got));
        assert_eq!(got, expected);
    }
}

/// Each employee's subtree, walked level by level from the rows in hand (no statement).
fn subtrees(db: &Db, rows: &[Employee]) -> Vec<(String, Vec<String>)> {
    rows.iter()
        .map(|e| {
            let mut names = Vec::new();
            walk(db, e, &mut names);
            (e.name.clone(), names)
        })
        .collect()
}

/// What lazy loading finds below each of these employees.
fn lazy_subtrees(db: &Db, names: &[String]) -> Vec<(String, Vec<String>)> {
    let fresh: Vec<Employee> =
        names.iter().map(|n| Employee::query(db).filter_by(Employee::name, n.as_str()).one().unwrap()).collect();
    subtrees(db, &fresh)
}

fn owners_inside_each_others_subtree_each_get_it_whole() {
    let db = org(2, 3);
    // every employee, so most owners are also rows below other owners; in name order, limited
    let query = || Employee::query(&db).order_by(Employee::name).limit(7);
    let want: Vec<String> = query().all().unwrap().iter().map(|e| e.name.clone()).collect();
    let rows = db.assert_statements(1, || query().options(subtreeload(Employee::REPORTS)).all().unwrap());
    let got = db.assert_statements(0, || subtrees(&db, &rows));
    assert_eq!(got.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(), want, "the owners in the query's order");
    assert_eq!(got, lazy_subtrees(&db, &want));
    assert!(got.iter().any(|(_, below)| below.len() == 12), "the root's whole tree: {got:?}");
    // owners in hand: the level-by-level path, one recursive statement
    let all = Employee::all(&db).unwrap();
    db.assert_statements(1, || db.preload(&all, subtreeload(Employee::REPORTS)).unwrap());
    let names: Vec<String> = all.iter().map(|e| e.name.clone()).collect();
    assert_eq!(db.assert_statements(0, || subtrees(&db, &all)), lazy_subtrees(&db, &names));
}

fn a_subtree_under_owners_ordered_by_a_bound_value_comes_in_one_statement() {
    let db = org(2, 3);
    // the owners' order binds a value, and the recursive statement writes it twice (where the
    // owners are numbered, before their filter, and where they are sorted): each copy bound
    // where it is written
    let query = || Employee::query(&db).filter(Employee::id.gt(1)).order_by(Employee::id - 100).limit(4);
    let want: Vec<String> = query().all().unwrap().iter().map(|e| e.name.clone()).collect();
    let rows = db.assert_statements(1, || query().options(subtreeload(Employee::REPORTS)).all().unwrap());
    let got = db.assert_statements(0, || subtrees(&db, &rows));
    assert_eq!(got.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(), want, "the owners in the query's order");
    assert_eq!(got, lazy_subtrees(&db, &want));
    assert_eq!(got.iter().filter(|(_, below)| below.len() == 3).count(), 3, "{got:?}");
}

fn a_subtree_keeps_key_order_where_the_rows_come_in_another() {
    let db = org(2, 3);
    // rewrite the first rows, so PostgreSQL's heap (and a scan of it) holds them last
    for mut e in Employee::query(&db).filter(Employee::id.le(6)).all().unwrap() {
        e.name.push('!');
        e.update(&db).unwrap();
    }
    let root = Employee::query(&db).filter(Employee::manager_id.is_null());
    let tree = db.assert_statements(1, || root.options(subtreeload(Employee::REPORTS)).one().unwrap());
    let mut level = vec![&tree];
    while !level.is_empty() {
        for e in &level {
            let ids: Vec<i64> = e.reports.loaded().unwrap().iter().map(|r| r.id).collect();
            assert!(ids.is_sorted(), "{}'s reports in key order: {ids:?}", e.name);
        }
        level = level.iter().flat_map(|e| e.reports.loaded().unwrap()).collect();
    }
}

fn subtrees_of_text_keys_and_of_json_documents_load_whole_in_key_order() {
    let db = common::fresh();
    db.create_all::<(Folder, Note)>().unwrap();
    // folders added out of their keys' order
    let mut folders: Vec<Folder> = Vec::new();
    for (path, parent) in [
        ("m", None),
        ("m/z", Some(0)),
        ("m/a", Some(0)),
        ("m/k", Some(0)),
        ("m/z/b", Some(1)),
        ("m/z/a", Some(1)),
        ("m/a/q", Some(2)),
    ] {
        let mut f = Folder { path: path.into(), ..Default::default() };
        if let Some(p) = parent {
            f.parent = BelongsTo::to(&folders[p]);
        }
        folders.push(db.add(f).unwrap());
    }
    let root = db.assert_statements(1, || {
        Folder::query(&db).filter_by(Folder::path, "m").options(subtreeload(Folder::CHILDREN)).one().unwrap()
    });
    let mut seen = Vec::new();
    let mut level = vec![&root];
    while !level.is_empty() {
        for f in &level {
            seen.push(f.path.clone());
            let paths: Vec<&str> = f.children.loaded().unwrap().iter().map(|c| c.path.as_str()).collect();
            assert!(paths.is_sorted(), "{}'s children in key order: {paths:?}", f.path);
        }
        level = level.iter().flat_map(|f| f.children.loaded().unwrap()).collect();
    }
    assert_eq!(seen, ["m", "m/a", "m/k", "m/z", "m/a/q", "m/z/a", "m/z/b"]);

    // notes: a root, two replies, a reply to each of them, every one a document
    let mut notes: Vec<Note> = vec![db.add(Note { body: serde_json::json!({"n": 0}), ..Default::default() }).unwrap()];
    for (n, parent) in [(1, 0), (2, 0), (3, 1), (4, 2)] {
        let note = Note {
            body: serde_json::json!({"n": n, "tags": [n, n]}),
            parent: BelongsTo::to(&notes[parent]),
            ..Default::default()
        };
        notes.push(db.add(note).unwrap());
    }
    let root = db.assert_statements(1, || {
        Note::query(&db).filter(Note::parent_id.is_null()).options(subtreeload(Note::REPLIES)).one().unwrap()
    });
    let replies = root.replies.loaded().unwrap();
    let below: Vec<&serde_json::Value> =
        replies.iter().flat_map(|r| r.replies.loaded().unwrap()).map(|r| &r.body).collect();
    assert_eq!(replies.iter().map(|r| &r.body).collect::<Vec<_>>(), [&notes[1].body, &notes[2].body]);
    assert_eq!(below, [&notes[3].body, &notes[4].body]);
}

fn a_long_chain_loads_whole() {
    let db = common::fresh();
    db.create_all::<(Employee,)>().unwrap();
    let depth = 600;
    db.transaction(|db| {
        let mut boss = db.add(Employee { name: "c0".into(), ..Default::default() })?;
        for i in 1..depth {
            boss = db.add(Employee { name: format!("c{i}"), manager: BelongsTo::to(&boss), ..Default::default() })?;
        }
        Ok::<_, Error>(())
    })
    .unwrap();
    let root = db.assert_statements(1, || {
        Employee::query(&db).filter(Employee::manager_id.is_null()).options(subtreeload(Employee::REPORTS)).one()
    });
    let mut e = &root.unwrap();
    let mut names = vec![e.name.clone()];
    while let [next] = e.reports.loaded().expect("every level loaded") {
        names.push(next.name.clone());
        e = next;
    }
    assert!(e.reports.loaded().unwrap().is_empty());
    assert_eq!(names, (0..depth).map(|i| format!("c{i}")).collect::<Vec<_>>());
}

fn a_subtree_option_nests_into_every_level_and_refuses_what_it_cannot_honour() {
    let db = org(3, 2);
    let root = || Employee::query(&db).filter(Employee::manager_id.is_null());
    let tree = db.assert_statements(2, || {
        root().options(subtreeload(Employee::REPORTS).then(selectinload(Employee::MANAGER))).one().unwrap()
    });
    let mut bosses = Vec::new();
    let mut level = vec![&tree];
    while !level.is_empty() {
        let next: Vec<&Employee> = level.iter().flat_map(|e| e.reports.loaded().unwrap()).collect();
        for e in &next {
            let boss = db.assert_statements(0, || e.manager(&db).load().unwrap().map(|m| m.name.clone()));
            bosses.push((e.name.clone(), boss.unwrap()));
        }
        level = next;
    }
    assert_eq!(bosses.len(), 14);
    assert!(bosses.iter().all(|(e, boss)| e.rsplit_once('.').map(|(b, _)| b) == Some(boss.as_str())), "{bosses:?}");
    for option in [
        subtreeload(Employee::REPORTS).limit(1),
        subtreeload(Employee::REPORTS).order_by(Employee::name),
        subtreeload(Employee::REPORTS).filter(Employee::name.ne("x")),
    ] {
        match root().options(option).one() {
            Err(Error::InvalidQuery { table: "employee", message }) => {
                assert!(message.starts_with("subtreeload(Employee::REPORTS) loads every level whole"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
}

fn a_subtree_survives_a_cycle_in_the_data() {
    let db = org(2, 2);
    // make the root report to one of its own grandchildren
    let leaf = Employee::query(&db).filter_by(Employee::name, "e.0.0").one().unwrap();
    let mut root = Employee::query(&db).filter_by(Employee::name, "e").one().unwrap();
    root.manager.set(&leaf);
    root.update(&db).unwrap();
    let tree = db.assert_statements(1, || {
        Employee::query(&db).filter_by(Employee::name, "e").options(subtreeload(Employee::REPORTS)).one().unwrap()
    });
    let mut names = Vec::new();
    walk(&db, &tree, &mut names);
    assert_eq!(names.len(), 6, "each employee once: {names:?}");
}

/// A post's title, its comments' contents and its tags' names.
type PostShape = (String, Vec<String>, Vec<String>);

fn nested_eager_loading_mixes_strategies_per_level() {
    for n in [10, 60] {
        let db = blog(n);
        let shape = |users: &[User]| -> Vec<(String, Vec<PostShape>)> {
            users
                .iter()
                .map(|u| {
                    let posts = u.posts(&db).load().unwrap();
                    let posts = posts
                        .iter()
                        .map(|p| {
                            let comments = p.comments(&db).load().unwrap().iter().map(|c| c.content.clone()).collect();
                            let tags = p.tags(&db).load().unwrap().iter().map(|t| t.name.clone()).collect();
                            (p.title.clone(), comments, tags)
                        })
                        .collect();
                    (u.username.clone(), posts)
                })
                .collect()
        };
        let expected = shape(&User::all(&db).unwrap());
        let cases = [
            (selectinload(User::POSTS).selectinload(Post::COMMENTS).selectinload(Post::TAGS), 4),
            (joinedload(User::POSTS).joinedload(Post::COMMENTS).joinedload(Post::TAGS), 1),
            (selectinload(User::POSTS).joinedload(Post::COMMENTS).joinedload(Post::TAGS), 2),
            (joinedload(User::POSTS).selectinload(Post::COMMENTS).selectinload(Post::TAGS), 3),
            (subqueryload(User::POSTS).joinedload(Post::COMMENTS).selectinload(Post::TAGS), 3),
        ];
        for (i, (load, count)) in cases.into_iter().enumerate() {
            let users = db.assert_statements(count, || User::query(&db).options(load).all().unwrap());
            assert_eq!(db.assert_statements(0, || shape(&users)), expected, "case {i}");
        }
    }
}

fn three_levels_deep_and_back_to_the_author() {
    let db = blog(12);
    let users = db.assert_statements(3, || {
        User::query(&db)
            .options(selectinload(User::POSTS).then(selectinload(Post::COMMENTS).joinedload(Comment::USER)))
            .options(joinedload(User::PROFILE))
            .all()
            .unwrap()
    });
    db.assert_statements(0, || {
        for u in &users {
            u.profile(&db).load().unwrap();
            for p in u.posts(&db).load().unwrap() {
                for c in p.comments(&db).load().unwrap() {
                    let commenter = c.user(&db).load().unwrap();
                    assert_eq!(commenter.key(), *c.user.key());
                }
            }
        }
    });
}

fn joined_loading_under_a_limit_does_not_cut_collections() {
    let db = blog(9);
    // user u2 has two posts: LIMIT 1 on a plain join would keep one
    let u = db.assert_statements(1, || {
        User::query(&db).filter_by(User::username, "u2").options(joinedload(User::POSTS)).first().unwrap().unwrap()
    });
    assert_eq!(titles(u.posts.loaded().unwrap()).len(), 2);
    let page = db.assert_statements(1, || {
        User::query(&db).order_by(User::id).offset(1).limit(3).options(joinedload(User::POSTS)).all().unwrap()
    });
    let names: Vec<&str> = page.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["u1", "u2", "u3"]);
    let counts: Vec<usize> = page.iter().map(|u| u.posts.loaded().unwrap().len()).collect();
    assert_eq!(counts, [1, 2, 0]);
}

fn per_owner_limit_with_a_window_function() {
    let db = blog(12);
    let users = db.assert_statements(2, || {
        User::query(&db).options(selectinload(User::POSTS).order_by(Post::title.desc()).limit(1)).all().unwrap()
    });
    for u in &users {
        let all = u.posts(&db).order_by(Post::title.desc()).all().unwrap();
        let latest = u.posts.loaded().unwrap();
        assert_eq!(titles(latest), titles(&all[..all.len().min(1)]), "{}", u.username);
    }
    // a limited joinedload runs as selectin: the owners' statement stays one row per owner
    let users = db.assert_statements(2, || {
        User::query(&db).options(joinedload(User::POSTS).order_by(Post::title).limit(1)).all().unwrap()
    });
    assert_eq!(users.len(), 12);
}

// sqlite only
#[test]
fn in_lists_are_chunked_below_the_variable_limit() {
    use relations::rusqlite::{limits::Limit, Connection};
    let conn = Connection::open_in_memory().unwrap();
    conn.set_limit(Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 20).unwrap();
    let db = Db::from_connection(conn).unwrap();
    db.create_all::<(User, UserProfile, Post, Comment, Tag)>().unwrap();
    let users: Vec<User> = (0..30).map(|i| common::user(&db, &format!("u{i}"))).collect();
    for u in &users {
        common::post(&db, u, &format!("by {}", u.username));
    }
    // 30 keys, 12 per statement: 3 statements after the users'
    let loaded = db.assert_statements(4, || User::query(&db).options(selectinload(User::POSTS)).all().unwrap());
    for u in &loaded {
        assert_eq!(titles(u.posts.loaded().unwrap()), [format!("by {}", u.username)]);
    }
}

// sqlite only
#[test]
fn chunked_loads_give_each_owner_its_own_rows() {
    use relations::rusqlite::{limits::Limit, Connection};
    let conn = Connection::open_in_memory().unwrap();
    // 12 keys per statement
    conn.set_limit(Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 20).unwrap();
    let db = Db::from_connection(conn).unwrap();
    db.create_all::<(User, UserProfile, Post, Comment, Tag, Employee)>().unwrap();
    seed_blog(&db, 40);
    let ids = |posts: &[Post]| posts.iter().map(|p| p.id).collect::<Vec<_>>();
    let names = |tags: &[Tag]| tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>();

    // several rows per owner, owners without any: 40 keys in four statements after the users'
    let users = db.assert_statements(5, || User::query(&db).options(selectinload(User::POSTS)).all().unwrap());
    assert_eq!(users.len(), 40);
    for u in &users {
        assert_eq!(ids(u.posts.loaded().unwrap()), ids(&u.posts(&db).all().unwrap()), "{}", u.username);
    }
    // rows shared by owners (a tag under many posts), and a level under each chunk
    let users = User::query(&db).options(selectinload(User::POSTS).selectinload(Post::TAGS)).all().unwrap();
    let posts: Vec<&Post> = users.iter().flat_map(|u| u.posts.loaded().unwrap()).collect();
    assert!(posts.len() > 24, "the tags take more than two chunks of posts");
    for p in &posts {
        assert_eq!(names(p.tags.loaded().unwrap()), names(&p.tags(&db).all().unwrap()), "{}", p.title);
    }
    // parents shared by their children
    let posts = Post::query(&db).options(selectinload(Post::AUTHOR)).all().unwrap();
    for p in &posts {
        let author = p.author.loaded().expect("a post's author").id;
        assert_eq!(author, p.author(&db).load().unwrap().id, "{}", p.title);
    }

    // owners without a link value: employee `i` reports to `i / 2`, but every third one to no one
    let mut staff: Vec<Employee> = Vec::new();
    for i in 0..40 {
        let mut e = Employee { name: format!("e{i}"), ..Default::default() };
        if i > 0 && i % 3 != 0 {
            e.manager = BelongsTo::to(&staff[i / 2]);
        }
        staff.push(db.add(e).unwrap());
    }
    let staff = Employee::query(&db).options(selectinload(Employee::MANAGER)).all().unwrap();
    for (i, e) in staff.iter().enumerate() {
        let manager = e.manager.loaded().map(|m| m.name.clone());
        let expected = (i > 0 && i % 3 != 0).then(|| format!("e{}", i / 2));
        assert_eq!(manager, expected, "{}", e.name);
    }
    // the ones without a manager were loaded too: reading each runs no lazy load
    db.set_n_plus_one(NPlusOne::Deny(1));
    for e in &staff {
        e.manager(&db).load().unwrap();
    }
    db.set_n_plus_one(NPlusOne::Allow);
    let staff = Employee::query(&db).options(selectinload(Employee::REPORTS)).all().unwrap();
    for e in &staff {
        let reports: Vec<i64> = e.reports.loaded().unwrap().iter().map(|r| r.id).collect();
        let expected: Vec<i64> = e.reports(&db).all().unwrap().iter().map(|r| r.id).collect();
        assert_eq!(reports, expected, "{}", e.name);
    }
}

mod declared {
    use relations::{joinedload, lazyload, BelongsTo, Error, HasMany, Model};

    #[derive(Model, Debug)]
    pub struct Author {
        pub id: i64,
        #[column(len = 80)]
        pub name: String,
        #[has_many(Book, inverse = author, lazy = "joined")]
        pub books: HasMany<Book>,
        #[has_many(Fan, inverse = author, lazy = "raise")]
        pub fans: HasMany<Fan>,
        #[has_many(Review, inverse = author, lazy = "dynamic")]
        pub reviews: HasMany<Review>,
    }

    #[derive(Model, Debug)]
    pub struct Book {
        pub id: i64,
        #[column(len = 80)]
        pub title: String,
        // joined on both sides: loading stops at the table it came from
        #[belongs_to(Author, inverse = books, lazy = "joined")]
        pub author: BelongsTo<Author>,
        #[has_many(Chapter, inverse = book, lazy = "selectin")]
        pub chapters: HasMany<Chapter>,
    }

    #[derive(Model, Debug)]
    pub struct Chapter {
        pub id: i64,
        pub number: i64,
        #[belongs_to(Book, inverse = chapters)]
        pub book: BelongsTo<Book>,
    }

    #[derive(Model, Debug)]
    pub struct Fan {
        pub id: i64,
        #[belongs_to(Author, inverse = fans)]
        pub author: BelongsTo<Author>,
    }

    #[derive(Model, Debug)]
    pub struct Review {
        pub id: i64,
        pub stars: i64,
        #[belongs_to(Author, inverse = reviews)]
        pub author: BelongsTo<Author>,
    }

    fn db() -> super::common::TestDb {
        let db = super::common::fresh();
        db.create_all::<(Author, Book, Chapter, Fan, Review)>().unwrap();
        for a in 0..3 {
            let author = db.add(Author { name: format!("a{a}"), ..Default::default() }).unwrap();
            for b in 0..2 {
                let book = db
                    .add(Book { title: format!("a{a}b{b}"), author: BelongsTo::to(&author), ..Default::default() })
                    .unwrap();
                for number in 1..=3 {
                    db.add(Chapter { number, book: BelongsTo::to(&book), ..Default::default() }).unwrap();
                }
            }
            db.add(Fan { author: BelongsTo::to(&author), ..Default::default() }).unwrap();
            for stars in 1..=a + 1 {
                db.add(Review { stars, author: BelongsTo::to(&author), ..Default::default() }).unwrap();
            }
        }
        db
    }

    fn declared_strategies_apply_to_every_query() {
        let db = db();
        // authors JOIN books (joined), then chapters of those books (selectin)
        let authors = db.assert_statements(2, || Author::all(&db).unwrap());
        db.assert_statements(0, || {
            for a in &authors {
                let books = a.books(&db).load().unwrap();
                assert_eq!(books.len(), 2);
                for b in books {
                    assert_eq!(b.chapters(&db).load().unwrap().len(), 3);
                }
            }
        });
        // a book's joined author does not join its books again
        let (book, sql) = db.record(|| Book::query(&db).filter_by(Book::title, "a1b0").one().unwrap());
        assert_eq!(sql.len(), 2, "{sql:#?}");
        assert_eq!(sql[0].matches("JOIN").count(), 1, "{}", sql[0]);
        assert_eq!(db.assert_statements(0, || book.author(&db).load().unwrap().name.clone()), "a1");
        // and a relationship handle's query applies them too
        let books = db.assert_statements(2, || authors[0].books(&db).all().unwrap());
        assert_eq!(db.assert_statements(0, || books[0].chapters(&db).load().unwrap().len()), 3);
        // so do a get by key and a lazy load, the second time as the first
        for _ in 0..2 {
            let got = db.assert_statements(2, || Book::get(&db, book.id).unwrap().unwrap());
            assert_eq!(db.assert_statements(0, || got.chapters(&db).load().unwrap().len()), 3);
            let bare = Author::query(&db).options(lazyload(Author::BOOKS)).all().unwrap();
            let books = db.assert_statements(2, || bare[0].books(&db).load().unwrap());
            assert_eq!(db.assert_statements(0, || books[0].chapters(&db).load().unwrap().len()), 3);
        }
    }

    fn lazyload_overrides_a_declared_strategy() {
        let db = db();
        let authors = db.assert_statements(1, || Author::query(&db).options(lazyload(Author::BOOKS)).all().unwrap());
        assert!(authors[0].books.loaded().is_none());
        let (_, sql) = db.record(|| {
            Author::query(&db)
                .options(joinedload(Author::BOOKS).selectinload(crate::loading::declared::Book::CHAPTERS))
                .all()
                .unwrap()
        });
        assert_eq!(sql.len(), 2);
    }

    fn raise_refuses_a_lazy_load_and_accepts_an_eager_one() {
        let db = db();
        let a = Author::query(&db).filter_by(Author::name, "a0").one().unwrap();
        let err = a.fans(&db).load().unwrap_err();
        assert!(matches!(&err, Error::NotLoaded { relationship } if relationship == "author.fans"), "{err}");
        assert_eq!(
            err.to_string(),
            "`author.fans` is lazy=\"raise\" here and was not loaded eagerly; load it with `selectinload` or `joinedload`"
        );
        // the query API still works: it is not a load
        assert_eq!(a.fans(&db).count().unwrap(), 1);
        let a = Author::query(&db).filter_by(Author::name, "a0").options(Author::FANS).one().unwrap();
        assert_eq!(a.fans(&db).load().unwrap().len(), 1);
    }

    fn a_relationship_given_by_itself_loads_with_its_declared_strategy() {
        let db = db();
        // `Book::AUTHOR` is declared joined: the authors come in the books' statement, and the
        // chapters (declared selectin) in one more
        let books = db.assert_statements(2, || Book::query(&db).options(Book::AUTHOR).all().unwrap());
        assert_eq!(books.len(), 6);
        db.assert_statements(0, || {
            for b in &books {
                assert_eq!(b.author(&db).load().unwrap().name, b.title[..2]);
                assert_eq!(b.chapters(&db).load().unwrap().len(), 3);
            }
        });
    }

    fn dynamic_is_a_query_scoped_to_the_owner() {
        let db = db();
        let a = Author::query(&db).filter_by(Author::name, "a2").one().unwrap();
        let reviews = a.reviews(&db);
        assert_eq!(reviews.count().unwrap(), 3);
        assert_eq!(reviews.filter(Review::stars.ge(2)).count().unwrap(), 2);
        let best = reviews.order_by(Review::stars.desc()).limit(1).all().unwrap();
        assert_eq!(best[0].stars, 3);
    }

    crate::both_backends!(
        declared_strategies_apply_to_every_query,
        lazyload_overrides_a_declared_strategy,
        raise_refuses_a_lazy_load_and_accepts_an_eager_one,
        a_relationship_given_by_itself_loads_with_its_declared_strategy,
        dynamic_is_a_query_scoped_to_the_owner,
    );
}

fn raiseload_per_query() {
    let db = blog(6);
    let users = User::query(&db).options(raiseload(User::POSTS)).all().unwrap();
    assert!(matches!(users[1].posts(&db).load(), Err(Error::NotLoaded { .. })));
    // nested: posts loaded, their comments refused
    let users = User::query(&db).options(selectinload(User::POSTS).raiseload(Post::COMMENTS)).all().unwrap();
    let post = &users[1].posts(&db).load().unwrap()[0];
    assert!(matches!(post.comments(&db).load(), Err(Error::NotLoaded { .. })));
    assert!(post.tags(&db).load().is_ok(), "only the named relationship refuses");
}

fn the_n_plus_one_guard() {
    let db = blog(6);
    db.set_n_plus_one(NPlusOne::Deny(1));
    let users = User::all(&db).unwrap();
    users[0].posts(&db).load().unwrap();
    let err = users[1].posts(&db).load().unwrap_err();
    assert!(matches!(&err, Error::NPlusOne { relationship, count: 2 } if relationship == "user.posts"), "{err}");
    // any other statement ends the run
    User::query(&db).count().unwrap();
    users[2].posts(&db).load().unwrap();
    // the eager version passes
    let users = User::query(&db).options(selectinload(User::POSTS)).all().unwrap();
    for u in &users {
        u.posts(&db).load().unwrap();
    }
    // warn mode only logs
    db.set_n_plus_one(NPlusOne::Warn(1));
    let users = User::all(&db).unwrap();
    for u in &users {
        u.posts(&db).load().unwrap();
    }
}

fn any_and_has_filters() {
    let db = blog(12);
    // users who have a post tagged 't1'
    let tagged = User::query(&db).filter(User::POSTS.any(Post::TAGS.any(Tag::name.eq("t1")))).all().unwrap();
    let expected: Vec<String> = User::all(&db)
        .unwrap()
        .into_iter()
        .filter(|u| {
            u.posts(&db).load().unwrap().iter().any(|p| p.tags(&db).all().unwrap().iter().any(|t| t.name == "t1"))
        })
        .map(|u| u.username)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(tagged.into_iter().map(|u| u.username).collect::<Vec<_>>(), expected);
    // posts whose author is u5
    let posts = Post::query(&db).filter(Post::AUTHOR.has(User::username.eq("u5"))).all().unwrap();
    assert_eq!(
        titles(&posts),
        titles(&User::query(&db).filter_by(User::username, "u5").one().unwrap().posts(&db).all().unwrap())
    );
    assert_eq!(posts.len(), 2);
    // users without posts; with a profile
    let without = User::query(&db).filter(User::POSTS.is_not_empty().not()).count().unwrap();
    assert_eq!(without, 4);
    assert_eq!(User::query(&db).filter(User::PROFILE.is_not_empty()).count().unwrap(), 6);
    // a value with a quote stays a bound value
    assert_eq!(Post::query(&db).filter(Post::AUTHOR.has(User::username.eq("x' OR 1=1 --"))).count().unwrap(), 0);
}

fn any_on_a_self_reference_correlates_with_aliases() {
    let db = org(2, 2);
    // managers with a report named e.1
    let bosses = Employee::query(&db).filter(Employee::REPORTS.any(Employee::name.eq("e.1"))).all().unwrap();
    assert_eq!(bosses.into_iter().map(|e| e.name).collect::<Vec<_>>(), ["e"]);
    // employees whose manager has a manager named e
    let grand =
        Employee::query(&db).filter(Employee::MANAGER.has(Employee::MANAGER.has(Employee::name.eq("e")))).count();
    assert_eq!(grand.unwrap(), 4);
}

fn a_relationship_alone_loads_with_its_declared_strategy_or_selectin() {
    let db = blog(6);
    let users = db.assert_statements(2, || User::query(&db).options(User::POSTS).all().unwrap());
    assert!(users.iter().all(|u| u.posts.loaded().is_some()));
}

fn assert_statements_reports_the_sql() {
    let db = blog(3);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        db.assert_statements(1, || {
            for u in User::all(&db).unwrap() {
                u.posts(&db).load().unwrap();
            }
        })
    }));
    let message = *caught.unwrap_err().downcast::<String>().unwrap();
    assert!(message.starts_with("expected 1 statement(s), 4 ran:\n  1. SELECT"), "{message}");
    let placeholder = if db.driver::<relations::tokio_postgres::Client>().is_some() { "$1" } else { "?" };
    let filter = common::quoted(&db, &format!("WHERE \"post\".\"user_id\" = {placeholder}"));
    assert_eq!(message.matches(&filter).count(), 3, "{message}");
}

fn joined_loading_keeps_every_row_of_a_composite_key_model() {
    let db = library(10);
    let expected = Loan::all(&db).unwrap().len();
    let loans = db.assert_statements(1, || Loan::query(&db).options(joinedload(Loan::BOOK)).all().unwrap());
    assert_eq!(loans.len(), expected, "two loans of one reader are two rows");
    for l in &loans {
        assert_eq!(db.assert_statements(0, || l.book(&db).load().unwrap().id), *l.book.key());
    }
}

/// Rows in hand, from several queries: one call fills a relationship path for all of them, one
/// statement per level, with the same rows every lazy load would give.
fn preloading_rows_in_hand_fills_a_path_one_statement_per_level() {
    let db = blog(9);
    let reference = lazy_titles(&db);
    // rows from two queries, in hand
    let mut users = User::query(&db).filter(User::id.le(4_i64)).all().unwrap();
    users.extend(User::query(&db).filter(User::id.gt(4_i64)).all().unwrap());
    db.assert_statements(2, || db.preload(&users, selectinload(User::POSTS).selectinload(Post::COMMENTS)).unwrap());
    let titles_now: Vec<Vec<String>> = users.iter().map(|u| titles(u.posts.loaded().unwrap())).collect();
    assert_eq!(titles_now, reference);
    for u in &users {
        for p in u.posts.loaded().unwrap() {
            let want = p.comments(&db).all().unwrap();
            assert_eq!(p.comments.loaded().unwrap(), &want[..], "{}", p.title);
        }
    }
    // joined has no owners' statement here: it runs as selectin; a relationship alone too
    let again = User::all(&db).unwrap();
    db.assert_statements(1, || db.preload(&again, joinedload(User::POSTS)).unwrap());
    db.assert_statements(1, || db.preload(&again, User::PROFILE).unwrap());
    assert_eq!(again.iter().filter(|u| u.profile.loaded().is_some_and(|p| p.is_some())).count(), 5);
    // options apply: each user's newest post only
    let fresh = User::all(&db).unwrap();
    db.preload(&fresh, selectinload(User::POSTS).order_by(Post::id.desc()).limit(1)).unwrap();
    for (u, all) in fresh.iter().zip(&reference) {
        assert_eq!(titles(u.posts.loaded().unwrap()), all.last().cloned().into_iter().collect::<Vec<_>>());
    }
    // nothing in hand: nothing runs; loaded relationships are kept
    db.assert_statements(0, || db.preload(&Vec::<User>::new(), selectinload(User::POSTS)).unwrap());
    db.preload(&fresh, selectinload(User::POSTS)).unwrap();
    assert!(fresh.iter().all(|u| u.posts.loaded().unwrap().len() <= 1), "kept, not reloaded");
    // raiseload marks the rows
    let raised = User::all(&db).unwrap();
    db.assert_statements(0, || db.preload(&raised, raiseload(User::POSTS)).unwrap());
    assert!(matches!(raised[0].posts(&db).load(), Err(Error::NotLoaded { .. })));
}

/// A tree built level by level from rows in hand: one statement per level.
fn preloading_a_tree_level_by_level() {
    let db = org(3, 3);
    let root = Employee::query(&db).filter(Employee::manager_id.is_null()).one().unwrap();
    let mut level = vec![root];
    let mut sizes = Vec::new();
    for _ in 0..3 {
        db.assert_statements(1, || db.preload(&level, selectinload(Employee::REPORTS)).unwrap());
        let next: Vec<Employee> = level.iter().flat_map(|e| e.reports.loaded().unwrap().iter().cloned()).collect();
        sizes.push(next.len());
        level = next;
    }
    assert_eq!(sizes, [3, 9, 27]);
}

both_backends!(
    preloading_rows_in_hand_fills_a_path_one_statement_per_level,
    preloading_a_tree_level_by_level,
    has_many_every_strategy_same_rows_flat_count,
    owners_whose_rows_interleave_get_each_their_own_in_order,
    belongs_to_every_strategy,
    has_one_every_strategy,
    many_to_many_every_strategy,
    a_row_reached_under_two_owners_gets_its_collection_under_both,
    many_to_many_through_an_association_model,
    self_ref_parent_and_children_every_strategy,
    a_whole_subtree_in_one_recursive_statement,
    owners_inside_each_others_subtree_each_get_it_whole,
    subtrees_of_text_keys_and_of_json_documents_load_whole_in_key_order,
    a_long_chain_loads_whole,
    a_subtree_keeps_key_order_where_the_rows_come_in_another,
    a_subtree_under_owners_ordered_by_a_bound_value_comes_in_one_statement,
    a_subtree_option_nests_into_every_level_and_refuses_what_it_cannot_honour,
    a_subtree_survives_a_cycle_in_the_data,
    nested_eager_loading_mixes_strategies_per_level,
    three_levels_deep_and_back_to_the_author,
    joined_loading_under_a_limit_does_not_cut_collections,
    per_owner_limit_with_a_window_function,
    raiseload_per_query,
    the_n_plus_one_guard,
    any_and_has_filters,
    any_on_a_self_reference_correlates_with_aliases,
    a_relationship_alone_loads_with_its_declared_strategy_or_selectin,
    assert_statements_reports_the_sql,
    joined_loading_keeps_every_row_of_a_composite_key_model,
);
