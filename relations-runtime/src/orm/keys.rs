//! [`KeyVal`]: a key or foreign key value read from a row, hashable, by which loaders group
//! rows and cascades collect the keys they delete.

use rustc_hash::FxHashMap as HashMap;

use crate::backend::RawRow;
use crate::schema::error::Result;
use crate::schema::value::{Value, ValueRef};
use crate::schema::Table;

/// A key or foreign key value, hashable: what rows are grouped and de-duplicated by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyVal {
    Int(i64),
    Real(u64),
    Text(Box<str>),
    Blob(Box<[u8]>),
    /// A composite primary key, its columns in order.
    Composite(Box<[Option<KeyVal>]>),
}

impl KeyVal {
    pub(crate) fn of(v: &Value<'_>) -> Option<KeyVal> {
        Some(match v {
            Value::Null => return None,
            Value::Integer(i) => KeyVal::Int(*i),
            Value::Real(f) => KeyVal::Real(f.to_bits()),
            Value::Text(t) => KeyVal::Text(t.as_ref().into()),
            Value::Blob(b) => KeyVal::Blob(b.as_ref().into()),
            Value::Decimal(d) => KeyVal::Text(d.normalize().to_string().into()),
            Value::List(_) => return None,
        })
    }

    pub(crate) fn read(row: &dyn RawRow, index: usize) -> Result<Option<KeyVal>> {
        Ok(Some(match row.value(index)? {
            ValueRef::Null => return Ok(None),
            ValueRef::Integer(i) => KeyVal::Int(i),
            ValueRef::Real(f) => KeyVal::Real(f.to_bits()),
            ValueRef::Text(t) => KeyVal::Text(t.into()),
            ValueRef::Blob(b) => KeyVal::Blob(b.into()),
        }))
    }

    /// The value of the `n` columns from `start`: one column's, or a composite of them (`None`
    /// when all are `NULL`).
    pub(crate) fn read_parts(row: &dyn RawRow, start: usize, n: usize) -> Result<Option<KeyVal>> {
        if n == 1 {
            return KeyVal::read(row, start);
        }
        let parts = (start..start + n).map(|i| KeyVal::read(row, i)).collect::<Result<Box<[_]>>>()?;
        Ok(parts.iter().any(Option::is_some).then_some(KeyVal::Composite(parts)))
    }

    /// The value of these values: one's, or a composite of them (`None` when all are `NULL`).
    pub(crate) fn of_parts(values: &[Value<'_>]) -> Option<KeyVal> {
        if let [one] = values {
            return KeyVal::of(one);
        }
        let parts: Box<[_]> = values.iter().map(KeyVal::of).collect();
        parts.iter().any(Option::is_some).then_some(KeyVal::Composite(parts))
    }

    /// The values to bind for this key: one, or a composite key's parts.
    pub(crate) fn values(&self) -> Vec<Value<'static>> {
        let mut out = Vec::with_capacity(1);
        self.push_values(&mut out);
        out
    }

    /// Appends the values to bind for this key to `out`, with no vector of their own.
    pub(crate) fn push_values(&self, out: &mut Vec<Value<'static>>) {
        match self {
            KeyVal::Composite(parts) => out.extend(parts.iter().map(|p| p.as_ref().map_or(Value::Null, KeyVal::value))),
            one => out.push(one.value()),
        }
    }

    /// One column's value (a composite key's parts are bound through [`KeyVal::values`]).
    fn value(&self) -> Value<'static> {
        match self {
            KeyVal::Int(i) => Value::Integer(*i),
            KeyVal::Real(b) => Value::Real(f64::from_bits(*b)),
            KeyVal::Text(t) => Value::Text(t.to_string().into()),
            KeyVal::Blob(b) => Value::Blob(b.to_vec().into()),
            // a part is never composite itself
            KeyVal::Composite(_) => Value::Null,
        }
    }
}

/// Where a table's primary key is in a statement's rows: its one key column, or a composite
/// key's columns — found once per statement, read at every row.
#[derive(Debug, Clone)]
pub(crate) enum KeyAt {
    One(usize),
    Parts(Box<[usize]>),
}

impl KeyAt {
    /// The key of the `table` row whose columns start at `offset`.
    pub(crate) fn new(table: &Table, offset: usize) -> KeyAt {
        match table.single_key() {
            Some(_) => KeyAt::One(offset + table.key_index()),
            None => KeyAt::Parts(
                (0..table.columns.len()).filter(|&i| table.columns[i].primary_key).map(|i| offset + i).collect(),
            ),
        }
    }

    /// The key `row` holds (`None` when the row is absent, as in a `LEFT OUTER JOIN` that
    /// found nothing).
    #[inline]
    pub(crate) fn read(&self, row: &dyn RawRow) -> Result<Option<KeyVal>> {
        match self {
            KeyAt::One(i) => KeyVal::read(row, *i),
            KeyAt::Parts(at) => {
                let parts = at.iter().map(|&i| KeyVal::read(row, i)).collect::<Result<Box<[_]>>>()?;
                Ok(parts.iter().any(Option::is_some).then_some(KeyVal::Composite(parts)))
            }
        }
    }
}

/// Which row each key read from a statement's rows stands for: the index it was given when
/// first seen in its scope (an owner, for a collection's rows; one scope for a `belongs_to`'s
/// parents), or the next index when it is new.
///
/// Rows come sorted so that, within each scope, integer keys mostly rise: then a key above the
/// scope's last one is new and one equal to it is that row, with nothing hashed. The first key
/// that falls (an order this cannot see, such as a sibling collection's rows repeating under
/// each of the first's) moves every key seen so far into a hash map, which answers from then
/// on. Either way the answer is the same.
pub(crate) struct Dedup {
    /// While keys rise: each scope's last key and its index.
    last: Vec<Option<(i64, usize)>>,
    /// While keys rise: every new key's `(scope, key, index)`, to build the map from.
    seen: Vec<(usize, i64, usize)>,
    /// Once a key fell, or was not an integer.
    map: Option<HashMap<(usize, KeyVal), usize>>,
}

impl Dedup {
    /// Starts watching for rising keys, or with the map at once when they cannot rise (a
    /// `belongs_to`'s parents, shared by owners in any order).
    pub(crate) fn new(rising: bool) -> Self {
        Dedup { last: Vec::new(), seen: Vec::new(), map: (!rising).then(HashMap::default) }
    }

    /// Room for `keys` keys in all.
    pub(crate) fn reserve(&mut self, keys: usize) {
        match &mut self.map {
            Some(map) => map.reserve(keys.saturating_sub(map.len())),
            None => self.seen.reserve(keys.saturating_sub(self.seen.len())),
        }
    }

    /// The index of `key` in `scope` (a small number: scopes index a vector while keys rise):
    /// the one it was given, or `next`.
    pub(crate) fn index(&mut self, scope: usize, key: &KeyVal, next: usize) -> usize {
        if self.map.is_none() {
            if let KeyVal::Int(k) = *key {
                if self.last.len() <= scope {
                    self.last.resize(scope + 1, None);
                }
                match self.last[scope] {
                    Some((last, index)) if last == k => return index,
                    Some((last, _)) if k < last => {}
                    _ => {
                        self.last[scope] = Some((k, next));
                        self.seen.push((scope, k, next));
                        return next;
                    }
                }
            }
            // a key fell, or is not an integer: from now on, the map
            self.last = Vec::new();
        }
        let seen = &mut self.seen;
        let map = self.map.get_or_insert_with(|| seen.drain(..).map(|(s, k, i)| ((s, KeyVal::Int(k)), i)).collect());
        *map.entry((scope, key.clone())).or_insert(next)
    }
}
