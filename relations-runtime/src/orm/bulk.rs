//! Bulk writes by query: `UPDATE ... SET ... WHERE` and `DELETE ... WHERE` over the rows a
//! [`Query`] matches, returning the row count. A bulk delete runs the deletes that
//! [`Model::delete`] runs for one row, set-based, for all the matched rows at once.

use crate::orm::db::Db;
use crate::orm::model::Model;
use crate::orm::query::{Col, Query};
use crate::orm::term::Operand;
use crate::schema::error::{Error, Result};
use crate::schema::reach::{Cons, Nil, Within};
use crate::schema::Join;
use crate::sql::expr::Scalar;
use crate::sql::write::{self, New, Rows};

/// An `UPDATE` of the rows a query matches, from [`Query::set`]; run by
/// [`update`](Update::update).
#[must_use = "an update does nothing until `update` runs it"]
pub struct Update<'db, M, J = Nil> {
    query: Query<'db, M, Db, J>,
    sets: Vec<(&'static str, Scalar)>,
}

impl<'db, M: Model, J> Query<'db, M, Db, J> {
    /// Starts a bulk update of the matched rows: `column` gets `value` (a value, a column or a
    /// term: `Post::views + 1`, or a joined model's column after a `join` along a
    /// `belongs_to`). Add columns with [`Update::set`], run with [`Update::update`].
    pub fn set<T, O: Operand<T>, I>(self, column: Col<M, T>, value: O) -> Update<'db, M, J>
    where
        O::Src: Within<Cons<M, J>, I>,
    {
        Update { query: self, sets: Vec::new() }.set(column, value)
    }

    /// Deletes every matched row in one statement when nothing references the table, and
    /// returns how many were deleted. When rows do reference it, or a `belongs_to` cascades
    /// the delete to a parent, it does what [`Model::delete`] does for each row — the
    /// relationships' `delete` cascades, unhooking, association rows, refusals as
    /// [`Error::Referenced`] — set-based, in one transaction: one statement for the keys, then
    /// one per table touched.
    pub fn delete(self) -> Result<u64> {
        crate::orm::hooks::refuse_set_based::<M>("a bulk delete", "load the rows and `delete` each")?;
        self.core.check()?;
        let core = self.db.ruled_query(&self.core)?;
        crate::orm::cascade::delete_matching(self.db, &core)
    }
}

impl<M: Model, J> Update<'_, M, J> {
    /// Also sets `column` to `value`.
    pub fn set<T, O: Operand<T>, I>(mut self, column: Col<M, T>, value: O) -> Self
    where
        O::Src: Within<Cons<M, J>, I>,
    {
        self.sets.push((column.name(), value.term().node));
        self
    }

    /// Runs the `UPDATE` (one statement) and returns the number of rows it changed. Refused
    /// with [`Error::InvalidQuery`] when a column set is the foreign key of a `belongs_to`
    /// whose rule a row-by-row update enforces (`single_parent`, `delete-orphan`).
    pub fn update(self) -> Result<u64> {
        let Update { query, sets } = self;
        crate::orm::hooks::refuse_set_based::<M>("a bulk update", "load the rows and `update` each")?;
        query.core.check()?;
        let t = M::TABLE;
        for (name, _) in &sets {
            let guarded = (t.relations)().iter().find(|r| {
                (r.single_parent || r.cascade.delete_orphan)
                    && matches!(r.join, crate::schema::Join::Forward { columns } if columns.contains(name))
            });
            if let Some(r) = guarded {
                return Err(Error::InvalidQuery {
                    table: t.name,
                    message: format!(
                        "a bulk update of `{}.{name}` would bypass the `single_parent` / `delete-orphan` rule of `{}`; update the rows one by one",
                        t.name,
                        r.path()
                    ),
                });
            }
        }
        // a value set must fit its column and pass its validator, as a row's values do; a
        // validator cannot see what an expression will compute
        for (name, value) in &sets {
            let bound = match value {
                Scalar::Bound(v) => Some(v),
                _ => None,
            };
            query.db.tenant_set(t, name, bound)?;
            let Some(column) = t.columns.iter().find(|c| c.name == *name) else { continue };
            match (value, column.validate) {
                (Scalar::Bound(v), _) => crate::schema::fit::check(t.name, column, v)?,
                (_, Some(v)) => {
                    return Err(Error::Validation {
                        table: t.name,
                        column: column.name,
                        validator: v.name,
                        message: "a bulk update sets it to an expression, which the validator cannot see before the \
                                  database computes it; set a value, or update the rows one by one"
                            .into(),
                    })
                }
                _ => {}
            }
        }
        // a versioned table: every row changed is a new version (unless the update sets it)
        let mut sets = sets;
        if let Some(c) = t.version_column().filter(|c| !sets.iter().any(|(name, _)| name == &c.name)) {
            sets.push((c.name, crate::orm::version::bumped(t.name, c.name)));
        }
        let d = query.db.dialect();
        let core = &*query.db.ruled_query(&query.core)?;
        // a new value that reads a joined model's column: `UPDATE ... FROM` the joined tables
        let reads_joined = sets.iter().any(|(_, v)| core.joins.iter().any(|j| v.mentions(j.alias)));
        if reads_joined {
            if let Some(j) = core.joins.iter().find(|j| j.outer || !matches!(j.rel.join, Join::Forward { .. })) {
                let why = if j.outer {
                    "an outer join, whose rows without a match an `UPDATE ... FROM` would skip"
                } else {
                    "a to-many relationship: each row would take the value of one of its related rows, picked by the database"
                };
                return Err(Error::InvalidQuery {
                    table: t.name,
                    message: format!(
                        "a bulk update whose new value reads a joined column joins `{}`, {why}; read it through inner joins along `belongs_to` relationships, or aggregate it (`{}.sum(..)`)",
                        j.rel.path(),
                        j.rel.name.to_uppercase()
                    ),
                });
            }
        }
        let update = write::Update {
            table: t.name,
            set: sets.iter().map(|(name, value)| (*name, New::Scalar(value))).collect(),
            rows: if reads_joined { Rows::Joined(core) } else { Rows::Matching(core) },
        };
        let (mut sql, mut params) = (String::new(), Vec::new());
        update.render(d, &mut sql, &mut params);
        Ok(query.db.execute(&sql, &params, t.name)? as u64)
    }
}
