// Every relationship kind and column option compiles, and runs against an in-memory database.
use relations::chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use relations::rust_decimal::Decimal;
use relations::{BelongsTo, Db, HasMany, HasOne, ManyToMany, Model};

#[derive(Model, Debug)]
#[model(table = "accounts")]
struct Account {
    id: i64,
    #[column(unique, index, len = 40)]
    login: String,
    #[column(name = "is_admin", default = false)]
    admin: bool,
    score: f64,
    small: i16,
    avatar: Vec<u8>,
    #[column(default = now)]
    created: NaiveDateTime,
    birthday: Option<NaiveDate>,
    wakes_at: Option<NaiveTime>,
    #[column(numeric(precision = 10, scale = 2), default = Decimal::new(100, 2))]
    balance: Decimal,
    #[has_one(Settings, inverse = account)]
    settings: HasOne<Settings>,
    #[has_many(Message, inverse = sender)]
    sent: HasMany<Message>,
    #[many_to_many(Group, through = memberships, backref = members)]
    groups: ManyToMany<Group>,
    #[many_to_many(Account, through = friendships, local = a_id, remote = b_id, backref = friend_of)]
    friends: ManyToMany<Account>,
}

#[derive(Model, Debug)]
struct Settings {
    id: i64,
    #[belongs_to(Account, unique, column = account_id, inverse = settings)]
    account: BelongsTo<Account>,
}

#[derive(Model, Debug)]
struct Message {
    id: i64,
    #[belongs_to(Account, column = sender_id, inverse = sent)]
    sender: BelongsTo<Account>,
    #[belongs_to(Account, column = recipient_id, backref = inbox)]
    recipient: BelongsTo<Account>,
}

#[derive(Model, Debug)]
struct Group {
    id: i64,
    #[column(text)]
    name: String,
}

#[derive(Model, Debug)]
struct Node {
    id: i64,
    #[self_ref(children = kids, ancestors = up, descendants = down)]
    parent: BelongsTo<Option<Node>>,
}

#[derive(Model, Debug)]
struct Grade {
    #[key]
    #[belongs_to(Account)]
    account: BelongsTo<Account>,
    #[key]
    #[belongs_to(Group)]
    group: BelongsTo<Group>,
    points: i32,
}

fn main() -> relations::Result<()> {
    let db = Db::open_in_memory()?;
    db.create_all::<(Account, Settings, Message, Group, Node, Grade)>()?;
    let a = db.add(Account { login: "a".into(), ..Default::default() })?;
    let b = db.add(Account { login: "b".into(), ..Default::default() })?;
    assert_eq!(a.balance.to_string(), "1.00");
    db.add(Settings { account: BelongsTo::to(&a), ..Default::default() })?;
    assert!(a.settings(&db).load()?.is_some());
    db.add(Message { sender: BelongsTo::to(&a), recipient: BelongsTo::to(&b), ..Default::default() })?;
    assert_eq!(a.sent(&db).count()?, 1);
    assert_eq!(b.inbox(&db).count()?, 1);
    let g = db.add(Group { name: "g".into(), ..Default::default() })?;
    a.groups(&db).add(&g)?;
    assert_eq!(g.members(&db).all()?.len(), 1);
    a.friends(&db).add(&b)?;
    assert!(b.friend_of(&db).contains(&a)?);
    db.add(Grade { account: BelongsTo::to(&a), group: BelongsTo::to(&g), points: 3 })?;
    assert_eq!(Grade::get(&db, (a.id, g.id))?.map(|g| g.points), Some(3));
    let root = db.add(Node::default())?;
    let child = db.add(Node { parent: BelongsTo::to(&root), ..Default::default() })?;
    assert_eq!(child.up(&db)?.len(), 1);
    assert_eq!(root.down(&db)?.len(), 1);
    assert_eq!(root.kids(&db).count()?, 1);
    Ok(())
}
