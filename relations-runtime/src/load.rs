//! Eager loading: the relationship paths ([`Rel`]), the per-query options that choose a
//! strategy ([`joinedload`], [`selectinload`], [`subqueryload`], [`subtreeload`],
//! [`lazyload`], [`raiseload`]) and the engine that runs them and fills relationship fields.
//!
//! Every strategy costs a fixed number of statements, whatever the number of rows:
//! - `joined`: none of its own; its rows come in the owner's statement (`LEFT OUTER JOIN`);
//! - `selectin`, `subquery`: one per relationship level (`IN (...)`, chunked below SQLite's
//!   variable limit; `subquery` repeats the owner's query instead of listing keys);
//! - `subtree`: one recursive statement for every level below the owners.

use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::backend::RawRow;
use crate::db::Db;
use crate::error::Result;
use crate::fetch::{fetch, plan, runs_joined};
use crate::keys::KeyVal;
use crate::model::{Model, Row};
use crate::options::{How, JoinSql, JoinedAcc, Load, Node, OwnerQuery, Path};
use crate::query::{Expr, Order};
use crate::relation::{Fill, HasMany, Slot};
use crate::schema::{Join, RelationDef};
use crate::sql::{column, descendants_cte, in_list, key_column, table_as, tree_select, Select};
use crate::value::Value;

/// A relationship of model `O` held in its field of type `F`, as a value: the argument of the
/// loader options and of the `any` / `has` filters. The derive emits one per relationship
/// field, named like the field in upper case: `User::POSTS`, `Post::AUTHOR`, `Post::TAGS`
/// (the lower-case name is the accessor method).
pub struct Rel<O, F> {
    def: &'static RelationDef,
    field: fn(&O) -> &F,
}

impl<O, F> Clone for Rel<O, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<O, F> Copy for Rel<O, F> {}

impl<O, F> fmt::Debug for Rel<O, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rel({})", self.def.path())
    }
}

impl<O, F> Rel<O, F> {
    /// A relationship path (emitted by the derive).
    #[doc(hidden)]
    pub const fn new(def: &'static RelationDef, field: fn(&O) -> &F) -> Self {
        Rel { def, field }
    }
}

impl<O: Model, F> Rel<O, F> {
    /// What the derive says about the relationship.
    pub fn def(self) -> &'static RelationDef {
        self.def
    }

    /// The owners with at least one related row matching `condition` (SQLAlchemy's
    /// `User.posts.any(...)`): `User::POSTS.any(Post::title.eq("Flask Tips"))`. One correlated
    /// `EXISTS` subquery; conditions nest (`User::POSTS.any(Post::TAGS.any(...))`).
    pub fn any(self, condition: Expr) -> Expr {
        Expr::exists(self.def, Some(condition))
    }

    /// The owners whose related row matches `condition` (SQLAlchemy's `Post.author.has(...)`),
    /// for to-one relationships; the same `EXISTS` as [`Rel::any`].
    pub fn has(self, condition: Expr) -> Expr {
        Expr::exists(self.def, Some(condition))
    }

    /// The owners with at least one related row at all.
    pub fn is_not_empty(self) -> Expr {
        Expr::exists(self.def, None)
    }
}

/// How `subtreeload` fills a field with rows of the owner's own type.
type FillOwn<O, F> = fn(&F, &'static RelationDef, Vec<O>) -> Result<()>;

/// One loader option, typed by the relationship it loads: built by [`joinedload`],
/// [`selectinload`] and friends, refined by nesting ([`Eager::then`], [`Eager::selectinload`],
/// [`Eager::joinedload`]) and per-owner limits ([`Eager::order_by`], [`Eager::limit`]), and
/// given to [`Query::options`](crate::Query::options).
pub struct Eager<O, F: Slot> {
    rel: Rel<O, F>,
    how: How,
    nested: Vec<Load<F::Target>>,
    order: Vec<Order>,
    filter: Vec<Expr>,
    limit: Option<u64>,
    /// For `subtreeload`: fills the field with rows of the owner's own type.
    fill_own: Option<FillOwn<O, F>>,
}

impl<O: Model, F: Slot> Eager<O, F> {
    fn new(rel: Rel<O, F>, how: How) -> Self {
        Eager { rel, how, nested: Vec::new(), order: Vec::new(), filter: Vec::new(), limit: None, fill_own: None }
    }

    /// Loads a relationship of the related rows too: `selectinload(User::POSTS)
    /// .then(joinedload(Post::COMMENTS).then(joinedload(Comment::AUTHOR)))` — to any depth,
    /// each level with its own strategy. Call it again for siblings.
    pub fn then(mut self, nested: impl Into<Load<F::Target>>) -> Self {
        self.nested.push(nested.into());
        self
    }

    /// `.then(joinedload(rel))`.
    pub fn joinedload<G: Slot>(self, rel: Rel<F::Target, G>) -> Self {
        self.then(joinedload(rel))
    }

    /// `.then(selectinload(rel))`.
    pub fn selectinload<G: Slot>(self, rel: Rel<F::Target, G>) -> Self {
        self.then(selectinload(rel))
    }

    /// `.then(subqueryload(rel))`.
    pub fn subqueryload<G: Slot>(self, rel: Rel<F::Target, G>) -> Self {
        self.then(subqueryload(rel))
    }

    /// `.then(raiseload(rel))`.
    pub fn raiseload<G: Slot>(self, rel: Rel<F::Target, G>) -> Self {
        self.then(raiseload(rel))
    }

    /// Orders each owner's related rows (default: by key). A many-to-many's rows can be
    /// ordered by a column of its association model too:
    /// `selectinload(Book::AUTHORS).order_by(BookAuthor::position)`.
    pub fn order_by(mut self, order: impl Into<Order>) -> Self {
        self.order.push(order.into());
        self
    }

    /// Loads only the related rows matching `condition` (SQLAlchemy's
    /// `selectinload(User.posts.and_(...))`): the collection then holds those rows alone. The
    /// condition may name the columns of a many-to-many's association model. A filtered
    /// `joinedload` runs as `selectinload`.
    pub fn filter(mut self, condition: Expr) -> Self {
        self.filter.push(condition);
        self
    }

    /// Loads at most `n` related rows per owner — "each user's 3 latest posts":
    /// `selectinload(User::POSTS).order_by(Post::created_at.desc()).limit(3)`. One statement
    /// for all owners, with a `row_number()` window. A limited or ordered `joinedload` runs as
    /// `selectinload`, so that the owners' statement stays one row per related row.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }
}

/// Loads the relationship in the owners' own statement, with a `LEFT OUTER JOIN`
/// (SQLAlchemy's `joinedload`). Owners are de-duplicated; a `LIMIT`/`OFFSET` on the owners'
/// query moves into a subquery so that no collection is cut short.
pub fn joinedload<O: Model, F: Slot>(rel: Rel<O, F>) -> Eager<O, F> {
    Eager::new(rel, How::Joined)
}

/// Loads the relationship for all owners with one more statement, `... WHERE fk IN (...)`
/// (SQLAlchemy's `selectinload`).
pub fn selectinload<O: Model, F: Slot>(rel: Rel<O, F>) -> Eager<O, F> {
    Eager::new(rel, How::Selectin)
}

/// Loads the relationship for all owners with one more statement that repeats the owners'
/// query as a subquery (SQLAlchemy's `subqueryload`). Below the first level, where no owners'
/// query exists, it lists the owners' keys as `selectinload` does.
pub fn subqueryload<O: Model, F: Slot>(rel: Rel<O, F>) -> Eager<O, F> {
    Eager::new(rel, How::Subquery)
}

/// Leaves the relationship to load lazily on first use, overriding an eager `lazy = ...`
/// declared on it (SQLAlchemy's `lazyload`).
pub fn lazyload<O: Model, F: Slot>(rel: Rel<O, F>) -> Eager<O, F> {
    Eager::new(rel, How::Lazy)
}

/// Makes a lazy load of the relationship an [`Error::NotLoaded`](crate::Error::NotLoaded) on
/// the rows this query returns (SQLAlchemy's `raiseload`): a test that the code under it loads
/// everything it touches eagerly.
pub fn raiseload<O: Model, F: Slot>(rel: Rel<O, F>) -> Eager<O, F> {
    Eager::new(rel, How::Raise)
}

/// Loads a self-referential collection — every level of it — with one recursive statement:
/// `subtreeload(Employee::REPORTS)` fills each employee's `reports`, their reports' `reports`,
/// and so on down to the leaves. Cycle-safe.
pub fn subtreeload<O: Model>(rel: Rel<O, HasMany<O>>) -> Eager<O, HasMany<O>> {
    fn fill<O: Model>(field: &HasMany<O>, def: &'static RelationDef, rows: Vec<O>) -> Result<()> {
        field.fill(def, Fill::Many(rows))
    }
    Eager { fill_own: Some(fill::<O>), ..Eager::new(rel, How::Subtree) }
}

impl<O: Model, F: Slot> From<Eager<O, F>> for Load<O> {
    fn from(e: Eager<O, F>) -> Self {
        Load(Rc::new(e))
    }
}

impl<O: Model, F: Slot> From<Rel<O, F>> for Load<O> {
    /// A relationship by itself loads with its declared strategy, or `selectin` if it is
    /// declared lazy.
    fn from(rel: Rel<O, F>) -> Self {
        let how = match How::of(rel.def.lazy) {
            How::Lazy | How::Raise => How::Selectin,
            how => how,
        };
        Eager::new(rel, how).into()
    }
}

impl<O: Model> Load<O> {
    /// The option a relationship's declared `lazy` strategy implies, if it is an eager one
    /// (emitted by the derive for `Model::default_loads`).
    #[doc(hidden)]
    pub fn declared<F: Slot>(rel: Rel<O, F>) -> Option<Load<O>> {
        match How::of(rel.def.lazy) {
            How::Lazy | How::Raise => None,
            how => Some(Eager::new(rel, how).into()),
        }
    }
}

impl<O: Model, F: Slot> Node<O> for Eager<O, F> {
    fn def(&self) -> &'static RelationDef {
        self.rel.def
    }

    fn how(&self) -> How {
        self.how
    }

    fn limited(&self) -> bool {
        self.limit.is_some() || !self.order.is_empty() || !self.filter.is_empty()
    }

    fn joined(&self, db: &Db, sql: &mut JoinSql, owner_alias: &str, path: &mut Path) -> Box<dyn JoinedAcc<O>> {
        let d = db.dialect();
        let def = self.rel.def;
        let (owner, target) = (def.owner, F::Target::TABLE);
        sql.aliases += 1;
        let alias = format!("relations_j{}", sql.aliases);
        let offset = sql.width;
        for c in target.columns {
            sql.cols.push_str(", ");
            column(d, &alias, c.name, &mut sql.cols);
        }
        sql.width += target.columns.len();
        sql.joins.push_str(" LEFT OUTER JOIN ");
        match def.join {
            Join::Reverse { column: fk } => {
                table_as(d, target.name, &alias, &mut sql.joins);
                sql.joins.push_str(" ON ");
                column(d, &alias, fk, &mut sql.joins);
                sql.joins.push_str(" = ");
                key_column(d, owner, owner_alias, &mut sql.joins);
            }
            Join::Forward { column: fk } => {
                table_as(d, target.name, &alias, &mut sql.joins);
                sql.joins.push_str(" ON ");
                key_column(d, target, &alias, &mut sql.joins);
                sql.joins.push_str(" = ");
                column(d, owner_alias, fk, &mut sql.joins);
            }
            Join::Through { table, local, remote } => {
                let link = format!("{alias}_link");
                sql.joins.push('(');
                table_as(d, table.name, &link, &mut sql.joins);
                sql.joins.push_str(" JOIN ");
                table_as(d, target.name, &alias, &mut sql.joins);
                sql.joins.push_str(" ON ");
                key_column(d, target, &alias, &mut sql.joins);
                sql.joins.push_str(" = ");
                column(d, &link, remote, &mut sql.joins);
                sql.joins.push_str(") ON ");
                column(d, &link, local, &mut sql.joins);
                sql.joins.push_str(" = ");
                key_column(d, owner, owner_alias, &mut sql.joins);
            }
        }
        if !matches!(def.join, Join::Forward { .. }) {
            crate::sql::declared_order(d, target, &alias, def.order_by, &mut sql.order);
        }
        let loads = plan::<F::Target>(&self.nested, path);
        path.push(target.name);
        let mut nested = Vec::new();
        let mut after = Vec::new();
        for l in loads {
            if runs_joined(&l) {
                nested.push(l.0.joined(db, sql, &alias, path));
            } else {
                after.push(l);
            }
        }
        path.pop();
        Box::new(JoinAcc::<O, F> {
            rel: self.rel,
            offset,
            per_owner: matches!(def.join, Join::Through { .. }),
            seen: HashMap::default(),
            last: None,
            rows: Vec::new(),
            links: Vec::new(),
            linked: Vec::new(),
            nested,
            after,
        })
    }

    fn after(&self, db: &Db, owners: &[O], owner_query: Option<&OwnerQuery<'_>>, path: &mut Path) -> Result<()> {
        match self.how {
            How::Raise => {
                owners.iter().for_each(|o| (self.rel.field)(o).refuse_lazy_load());
                Ok(())
            }
            How::Lazy => Ok(()),
            How::Subtree => self.subtree(db, owners, path),
            How::Subquery => self.select_in(db, owners, owner_query, path),
            How::Selectin | How::Joined => self.select_in(db, owners, None, path),
        }
    }
}

/// The rows of one joined relationship, collected from the owners' statement.
struct JoinAcc<O, F: Slot> {
    rel: Rel<O, F>,
    offset: usize,
    /// A many-to-many row may belong to several owners: keep one per owner.
    per_owner: bool,
    seen: HashMap<(usize, KeyVal), usize>,
    /// The previous row's `(owner, key, index)`: joined rows repeat it while a deeper level
    /// varies.
    last: Option<(usize, KeyVal, usize)>,
    rows: Vec<F::Target>,
    /// `(owner, row)` pairs, each once.
    links: Vec<(usize, usize)>,
    /// For a `belongs_to`: whether each owner has its parent already.
    linked: Vec<bool>,
    nested: Vec<Box<dyn JoinedAcc<F::Target>>>,
    after: Vec<Load<F::Target>>,
}

impl<O: Model, F: Slot> JoinedAcc<O> for JoinAcc<O, F> {
    fn absorb(&mut self, row: &dyn RawRow, owner: usize) -> Result<()> {
        let Some(key) = KeyVal::read_key(row, F::Target::TABLE, self.offset)? else {
            return Ok(()); // the LEFT OUTER JOIN found nothing for this owner
        };
        let forward = matches!(self.rel.def.join, Join::Forward { .. });
        let index = match &self.last {
            Some((o, k, i)) if *o == owner && *k == key => *i,
            _ => {
                let scope = if self.per_owner { owner } else { usize::MAX };
                let next = self.rows.len();
                let index = *self.seen.entry((scope, key.clone())).or_insert(next);
                if index == next {
                    self.rows.push(F::Target::from_row(&Row::new(row, F::Target::TABLE, self.offset))?);
                    if !forward {
                        self.links.push((owner, index));
                    }
                }
                self.last = Some((owner, key, index));
                index
            }
        };
        if forward {
            if self.linked.len() <= owner {
                self.linked.resize(owner + 1, false);
            }
            if !std::mem::replace(&mut self.linked[owner], true) {
                self.links.push((owner, index));
            }
        }
        for n in &mut self.nested {
            n.absorb(row, index)?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>, db: &Db, owners: &[O], path: &mut Path) -> Result<()> {
        let this = *self;
        path.push(F::Target::TABLE.name);
        for n in this.nested {
            n.finish(db, &this.rows, path)?;
        }
        for l in &this.after {
            l.0.after(db, &this.rows, None, path)?;
        }
        path.pop();
        distribute_by_index(this.rel, owners, this.rows, &this.links)
    }
}

/// Hands `rows` to `owners` by `(owner, row)` index pairs.
fn distribute_by_index<O, F: Slot>(
    rel: Rel<O, F>,
    owners: &[O],
    rows: Vec<F::Target>,
    links: &[(usize, usize)],
) -> Result<()> {
    if matches!(rel.def.join, Join::Forward { .. }) {
        let rows: Vec<Arc<F::Target>> = rows.into_iter().map(Arc::new).collect();
        let mut parent: Vec<Option<usize>> = vec![None; owners.len()];
        for &(o, r) in links {
            parent[o] = Some(r);
        }
        for (o, p) in owners.iter().zip(parent) {
            (rel.field)(o).fill(rel.def, Fill::One(p.map(|r| Arc::clone(&rows[r]))))?;
        }
    } else {
        let mut groups: Vec<Vec<F::Target>> = owners.iter().map(|_| Vec::new()).collect();
        let mut owner_of = vec![0; rows.len()];
        for &(o, r) in links {
            owner_of[r] = o;
        }
        for (row, o) in rows.into_iter().zip(owner_of) {
            groups[o].push(row);
        }
        for (o, g) in owners.iter().zip(groups) {
            (rel.field)(o).fill(rel.def, Fill::Many(g))?;
        }
    }
    Ok(())
}

impl<O: Model, F: Slot> Eager<O, F> {
    /// The index in `O`'s columns of the value that links an owner to its related rows: its
    /// key, or for a `belongs_to` its foreign key.
    fn link_index(&self) -> usize {
        match self.rel.def.join {
            Join::Forward { column } => O::TABLE.column_index(column),
            Join::Reverse { .. } | Join::Through { .. } => O::TABLE.key_index(),
        }
    }

    /// `selectin` (and `subquery`): one statement for the related rows of every owner.
    fn select_in(&self, db: &Db, owners: &[O], owner_query: Option<&OwnerQuery<'_>>, path: &mut Path) -> Result<()> {
        let d = db.dialect();
        let def = self.rel.def;
        let target = F::Target::TABLE;
        let link_index = self.link_index();
        // each owner's link value, once; the distinct ones are bound
        let owner_keys: Vec<Option<KeyVal>> = owners.iter().map(|o| KeyVal::of(&o.column_value(link_index))).collect();
        let mut keys: Vec<&KeyVal> = Vec::with_capacity(owners.len());
        let mut seen = HashSet::with_capacity_and_hasher(owners.len(), Default::default());
        for k in owner_keys.iter().flatten() {
            if seen.insert(k) {
                keys.push(k);
            }
        }
        drop(seen);
        let shared = keys.len() < owner_keys.iter().flatten().count();
        // what each related row is grouped by, and the FROM clause
        let mut tag = String::new();
        let mut from = String::new();
        d.quote(target.name, &mut from);
        match def.join {
            Join::Reverse { column: fk } => column(d, target.name, fk, &mut tag),
            Join::Forward { .. } => key_column(d, target, target.name, &mut tag),
            Join::Through { table, local, remote } => {
                // the association table under its own name, so that an `order_by` or `filter`
                // can name its columns (`BookAuthor::position`)
                column(d, table.name, local, &mut tag);
                from.push_str(" JOIN ");
                d.quote(table.name, &mut from);
                from.push_str(" ON ");
                column(d, table.name, remote, &mut from);
                from.push_str(" = ");
                key_column(d, target, target.name, &mut from);
            }
        }
        let mut rows = Vec::new();
        let mut tags = Vec::new();
        let owner_column = O::TABLE.columns[link_index].name;
        match owner_query {
            Some(q) => {
                // `tag IN (SELECT <link> <the owners' query>)`
                let (tail, params) = q();
                let mut filter = String::new();
                filter.push_str(&tag);
                filter.push_str(" IN (SELECT ");
                column(d, O::TABLE.name, owner_column, &mut filter);
                filter.push_str(&tail);
                filter.push(')');
                let (r, t) = self.fetch_related(db, &tag, &from, filter, params, path)?;
                rows = r;
                tags = t;
            }
            None => {
                let chunk = db.max_variables().saturating_sub(8).max(1);
                for keys in keys.chunks(chunk) {
                    let mut filter = String::with_capacity(tag.len() + 8 + 3 * keys.len());
                    filter.push_str(&tag);
                    let mut params = Vec::with_capacity(keys.len());
                    in_list(d, keys.iter().map(|k| k.value()), &mut filter, &mut params);
                    let (mut r, mut t) = self.fetch_related(db, &tag, &from, filter, params, path)?;
                    rows.append(&mut r);
                    tags.append(&mut t);
                }
            }
        }
        distribute_by_key(self.rel, owners, &owner_keys, shared, rows, tags)
    }

    /// Runs the related rows' statement (with the per-owner window when limited).
    fn fetch_related(
        &self,
        db: &Db,
        tag: &str,
        from: &str,
        filter: String,
        params: Vec<Value<'static>>,
        path: &mut Path,
    ) -> Result<(Vec<F::Target>, Vec<KeyVal>)> {
        let d = db.dialect();
        let target = F::Target::TABLE;
        let (mut filter, mut params) = (filter, params);
        for f in &self.filter {
            filter.push_str(" AND ");
            f.render(d, &mut filter, &mut params);
        }
        // the option's order, else the relationship's declared one; the key last
        let mut order = String::new();
        for o in &self.order {
            if !order.is_empty() {
                order.push_str(", ");
            }
            o.render(d, &mut order);
        }
        let declared = if self.order.is_empty() { self.rel.def.order_by } else { &[] };
        crate::sql::declared_order(d, target, target.name, declared, &mut order);
        let select = match self.limit {
            None => {
                Select { tag: Some(tag.to_owned()), from: from.to_owned(), filter, order, params, ..Select::default() }
            }
            Some(n) => {
                // number each owner's rows in order, keep the first n
                let mut inner = String::from("(SELECT ");
                inner.push_str(tag);
                inner.push_str(" AS \"relations_tag\", ");
                d.quote(target.name, &mut inner);
                inner.push_str(".*, row_number() OVER (PARTITION BY ");
                inner.push_str(tag);
                inner.push_str(" ORDER BY ");
                inner.push_str(&order);
                inner.push_str(") AS \"relations_rn\" FROM ");
                inner.push_str(from);
                inner.push_str(" WHERE ");
                inner.push_str(&filter);
                inner.push_str(") AS ");
                d.quote(target.name, &mut inner);
                let mut params = params;
                let mut outer_filter = String::new();
                column(d, target.name, "relations_rn", &mut outer_filter);
                outer_filter.push_str(" <= ");
                params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
                d.placeholder(params.len(), &mut outer_filter);
                let mut outer_tag = String::new();
                column(d, target.name, "relations_tag", &mut outer_tag);
                // the window numbered each owner's rows in order (the order may name columns
                // the outer query cannot see, like an association model's)
                let mut outer_order = String::new();
                column(d, target.name, "relations_rn", &mut outer_order);
                Select {
                    tag: Some(outer_tag),
                    from: inner,
                    filter: outer_filter,
                    order: outer_order,
                    params,
                    ..Select::default()
                }
            }
        };
        fetch::<F::Target>(db, select, &self.nested, path, None)
    }

    /// `subtree`: every level below the owners, in one recursive statement.
    fn subtree(&self, db: &Db, owners: &[O], path: &mut Path) -> Result<()> {
        let d = db.dialect();
        let (Join::Reverse { column: fk }, Some(fill_own)) = (self.rel.def.join, self.fill_own) else {
            return self.select_in(db, owners, None, path);
        };
        let table = O::TABLE;
        let link_index = table.key_index();
        let keys: Vec<Value<'static>> =
            owners.iter().filter_map(|o| KeyVal::of(&o.column_value(link_index))).map(|k| k.value()).collect();
        let mut rows = Vec::new();
        let mut tags = Vec::new();
        let chunk = db.max_variables().saturating_sub(8).max(1);
        for keys in keys.chunks(chunk) {
            let mut params = Vec::with_capacity(keys.len());
            let cte = descendants_cte(d, table, fk, keys.iter().cloned(), &mut params);
            let select = Select { params, ..tree_select(d, table, fk, cte, true) };
            let (mut r, mut t) = fetch::<O>(db, select, &[], path, None)?;
            rows.append(&mut r);
            tags.append(&mut t);
        }
        // assemble bottom-up: each row's own children first, then the row into its parent's
        let keys: Vec<Option<KeyVal>> = rows.iter().map(|r| KeyVal::of(&r.column_value(link_index))).collect();
        let mut children: HashMap<KeyVal, Vec<usize>> = HashMap::default();
        for (i, t) in tags.iter().enumerate() {
            children.entry(t.clone()).or_default().push(i);
        }
        // a cycle back to an owner is cut there: the owner is already placed, at the top
        let owner_keys: HashSet<KeyVal> =
            owners.iter().filter_map(|o| KeyVal::of(&o.column_value(link_index))).collect();
        let mut slots: Vec<Option<O>> = rows
            .into_iter()
            .zip(&keys)
            .map(|(r, k)| if k.as_ref().is_some_and(|k| owner_keys.contains(k)) { None } else { Some(r) })
            .collect();
        let field = self.rel.field;
        let def = self.rel.def;
        let fill = |o: &O, rows: Vec<O>| fill_own(field(o), def, rows);
        fn build<O: Model>(
            i: usize,
            slots: &mut [Option<O>],
            keys: &[Option<KeyVal>],
            children: &HashMap<KeyVal, Vec<usize>>,
            fill: &dyn Fn(&O, Vec<O>) -> Result<()>,
        ) -> Result<Option<O>> {
            let Some(row) = slots[i].take() else { return Ok(None) };
            let kids = match &keys[i] {
                Some(k) => children.get(k).map_or(&[][..], Vec::as_slice),
                None => &[],
            };
            let mut built = Vec::with_capacity(kids.len());
            for &c in kids {
                built.extend(build(c, slots, keys, children, fill)?);
            }
            fill(&row, built)?;
            Ok(Some(row))
        }
        for o in owners {
            let mut built = Vec::new();
            if let Some(kids) = KeyVal::of(&o.column_value(link_index)).and_then(|k| children.get(&k)) {
                for &c in kids {
                    built.extend(build(c, &mut slots, &keys, &children, &fill)?);
                }
            }
            fill(o, built)?;
        }
        Ok(())
    }
}

/// Hands rows tagged with their owner's link value to the owners (`owner_keys`, in order;
/// `shared` when two owners have the same one).
fn distribute_by_key<O: Model, F: Slot>(
    rel: Rel<O, F>,
    owners: &[O],
    owner_keys: &[Option<KeyVal>],
    shared: bool,
    rows: Vec<F::Target>,
    tags: Vec<KeyVal>,
) -> Result<()> {
    if matches!(rel.def.join, Join::Forward { .. }) {
        let parents: HashMap<KeyVal, Arc<F::Target>> = tags.into_iter().zip(rows.into_iter().map(Arc::new)).collect();
        for (o, k) in owners.iter().zip(owner_keys) {
            let parent = k.as_ref().and_then(|k| parents.get(k).cloned());
            (rel.field)(o).fill(rel.def, Fill::One(parent))?;
        }
        return Ok(());
    }
    let mut groups: HashMap<KeyVal, Vec<F::Target>> =
        HashMap::with_capacity_and_hasher(owners.len(), Default::default());
    for (tag, row) in tags.into_iter().zip(rows) {
        groups.entry(tag).or_default().push(row);
    }
    // owners can share a key (a tag under two posts): the last one takes the rows, the
    // others get copies
    let mut wanted: HashMap<&KeyVal, usize> = HashMap::default();
    if shared {
        for k in owner_keys.iter().flatten() {
            *wanted.entry(k).or_default() += 1;
        }
    }
    for (o, k) in owners.iter().zip(owner_keys) {
        let rows = match k {
            None => Vec::new(),
            Some(k) => {
                let left = wanted.get_mut(k).map_or(0, |n| {
                    *n -= 1;
                    *n
                });
                if left == 0 {
                    groups.remove(k).unwrap_or_default()
                } else {
                    groups.get(k).map_or_else(Vec::new, |g| g.iter().map(Model::duplicate).collect())
                }
            }
        };
        (rel.field)(o).fill(rel.def, Fill::Many(rows))?;
    }
    Ok(())
}
