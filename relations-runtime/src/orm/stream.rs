//! Walking a query's rows a batch at a time (SQLAlchemy's `yield_per`), by keyset: each batch
//! is one `SELECT ... WHERE key > <the last key read> ORDER BY key LIMIT n`, with the query's
//! eager loads run for its rows alone, so memory holds one batch whatever the table's size,
//! no cursor stays open between batches, and the connection is free for other statements
//! (writes included) while the rows are handled.

use crate::orm::db::Db;
use crate::orm::model::{Key, Model};
use crate::orm::query::Query;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::sql::expr::{Expr, Order, Scalar};

impl<'db, M: Model, J> Query<'db, M, Db, J> {
    /// The matching rows, `size` at a time, in key order: each batch is one statement
    /// (`WHERE key > ? ORDER BY key LIMIT ?`, which the primary key's index answers without
    /// reading the rows before), plus the query's eager loads for that batch's rows. A
    /// million rows take a million rows' statements but one batch's memory.
    ///
    /// The query's `limit` and `offset` count over all batches. A query with an `order_by`
    /// or a join is refused ([`Error::InvalidQuery`]): the batches follow the key, and a join
    /// repeats a key, which a batch boundary could cut. Rows written between two batches are
    /// seen by the later ones when their key comes later; run it in a transaction for one
    /// snapshot of the table.
    pub fn batches(&self, size: u64) -> Batches<'db, M> {
        Batches {
            // joins are refused when a batch runs: the reached models no longer matter
            query: Query {
                db: self.db,
                loads: self.loads.clone(),
                core: self.core.clone(),
                _model: std::marker::PhantomData,
            },
            size: size.max(1),
            after: None,
            left: self.core.limit,
            offset: self.core.offset,
            done: false,
        }
    }

    /// The matching rows one by one, read [`batches`](Self::batches) of `size` at a time.
    pub fn iter(&self, size: u64) -> Rows<'db, M> {
        Rows { batches: self.batches(size), batch: Vec::new().into_iter() }
    }
}

/// The batches of a query's rows: see [`Query::batches`].
pub struct Batches<'db, M> {
    query: Query<'db, M>,
    size: u64,
    /// The key of the last row read: the next batch starts after it.
    after: Option<Vec<Value<'static>>>,
    /// How many rows the query's `limit` leaves.
    left: Option<u64>,
    /// The query's `offset`, for the first batch only.
    offset: Option<u64>,
    done: bool,
}

impl<M: Model> Batches<'_, M> {
    fn next_batch(&mut self) -> Result<Vec<M>> {
        let table = M::TABLE;
        let core = &self.query.core;
        if !core.order.is_empty() || !core.joins.is_empty() {
            return Err(Error::InvalidQuery {
                table: table.name,
                message: "batches(..) and iter(..) read the rows in key order, one batch after the last key read: \
                          the query can have no order_by and no join (filter with `Rel::any` instead)"
                    .into(),
            });
        }
        let size = self.left.map_or(self.size, |left| left.min(self.size));
        let mut q = self.query.clone();
        q.core.limit = Some(size);
        q.core.offset = self.offset.take();
        q.core.key_order = None;
        q.core.order = table
            .primary_key()
            .map(|c| Order::new(Scalar::Column { table: table.name, column: c.name }, false))
            .collect();
        if let Some(after) = &self.after {
            q.core.filters.push(after_key(table, after));
        }
        let batch = q.all()?;
        if let Some(left) = &mut self.left {
            *left -= batch.len() as u64;
        }
        self.done = (batch.len() as u64) < size || self.left == Some(0);
        if let Some(last) = batch.last() {
            self.after = Some(last.key().to_values().into_iter().map(Value::into_owned).collect());
        }
        Ok(batch)
    }
}

/// `key > after`, for a key of one column or several (`a > ? OR (a = ? AND b > ?) ...`).
fn after_key(table: &'static crate::schema::Table, after: &[Value<'static>]) -> Expr {
    let columns: Vec<&'static str> = table.primary_key().map(|c| c.name).collect();
    let col = |i: usize| Scalar::Column { table: table.name, column: columns[i] };
    let mut any: Option<Expr> = None;
    for i in 0..columns.len().min(after.len()) {
        let mut term = Expr::compare(col(i), ">", Scalar::Bound(after[i].clone()));
        for j in (0..i).rev() {
            term = Expr::compare(col(j), "=", Scalar::Bound(after[j].clone())).and(term).erase();
        }
        any = Some(match any {
            Some(a) => a.or(term).erase(),
            None => term,
        });
    }
    any.unwrap_or_else(Expr::nothing)
}

impl<M: Model> Iterator for Batches<'_, M> {
    type Item = Result<Vec<M>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_batch() {
            Ok(batch) if batch.is_empty() => None,
            Ok(batch) => Some(Ok(batch)),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// A query's rows one by one, read in batches: see [`Query::iter`].
pub struct Rows<'db, M> {
    batches: Batches<'db, M>,
    batch: std::vec::IntoIter<M>,
}

impl<M: Model> Iterator for Rows<'_, M> {
    type Item = Result<M>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.batch.next() {
                return Some(Ok(row));
            }
            match self.batches.next()? {
                Ok(batch) => self.batch = batch.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
