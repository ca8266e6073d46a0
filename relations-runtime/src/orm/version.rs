//! The version counter of a row (SQLAlchemy's `version_id_col`): a [`Version`] column that
//! every update and delete of a loaded row is conditional on, and that each of them bumps.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::schema::error::Error;
use crate::schema::value::{DecodeError, SqlValue, Value, ValueRef};
use crate::schema::{ColumnDef, SqlType, Table};
use crate::sql::expr::Scalar;
use crate::sql::write::{Col, Cond};

/// A row's version counter: a column (`INTEGER NOT NULL`, as SQLAlchemy declares
/// `version_id = Column(Integer, nullable=False)`) whose field type says that the model is
/// versioned (SQLAlchemy's `__mapper_args__ = {"version_id_col": version_id}`):
///
/// `#[derive(Model)] struct Page { id: i64, body: String, version_id: relations::Version }`
/// (the guide's *Writing* chapter, "Version counters", runs it).
///
/// - **Insert** writes version 1 (whatever the field held) and stores it in the field.
/// - **`update` and `save`** of a stored row write `version + 1` under the condition that the
///   row still has the version the field holds, and store the new one. When no row matches —
///   someone else updated or deleted it since it was read — nothing is written, and the call
///   fails with [`Error::StaleData`], naming the table, the key and the version. A model with
///   a [`Snapshot`](crate::Snapshot) that changed nothing writes nothing, and keeps its
///   version.
/// - **`delete`** is conditional the same way: a stale row is not deleted, and nothing its
///   cascades would have deleted is.
/// - **Bulk updates** (`query.set(..).update()`) and the unhooking of children (a foreign key set
///   to `NULL` when their parent is deleted or lets go of them) bump the version of every row
///   they change, so that a copy read before is stale.
/// - **Upserts** (`upsert`, `upsert_on`) would overwrite a row whatever its version, and are
///   refused with [`Error::InvalidQuery`]; `insert_or_ignore` writes version 1 or nothing.
///
/// The field is read with [`get`](Version::get) and is otherwise left to the library (it
/// changes behind a shared reference, as `update(&self)` bumps it). A row built by hand has
/// version 0, which no stored row has: updating it by key is stale, as it was never read; to
/// write a version a client sent back (an HTTP `If-Match`), build the row with
/// [`Version::new`].
#[derive(Default)]
pub struct Version(AtomicI64);

impl Version {
    /// A counter holding `version`: the version a row was read with, as a client sent it back.
    pub const fn new(version: i64) -> Version {
        Version(AtomicI64::new(version))
    }

    /// The version the row was read or last written with (0: never stored).
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Stores the version the row now has in the database.
    pub(crate) fn set(&self, version: i64) {
        self.0.store(version, Ordering::Relaxed);
    }
}

impl From<i64> for Version {
    fn from(version: i64) -> Version {
        Version::new(version)
    }
}

impl Clone for Version {
    fn clone(&self) -> Version {
        Version::new(self.get())
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.get() == other.get()
    }
}

impl Eq for Version {}

impl std::hash::Hash for Version {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

impl std::fmt::Debug for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Version({})", self.get())
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl SqlValue for Version {
    const SQL_TYPE: SqlType = SqlType::Integer;
    fn to_value(&self) -> Value<'_> {
        Value::Integer(self.get())
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        i64::from_value(value, column).map(Version::new)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.get())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Version, D::Error> {
        i64::deserialize(deserializer).map(Version::new)
    }
}

/// `version = ?`, the version a row of `t` was read with (its counter, `version`); `None` when
/// the table has no counter.
pub(crate) fn version_cond(t: &'static Table, version: Option<&Version>) -> Option<Cond<'static>> {
    let (column, v) = t.version_column().zip(version)?;
    Some(Cond::Eq(Col::of(t.name, column.name), Value::Integer(v.get())))
}

/// The [`Error::StaleData`] of a write to the row of `t` with this key, read at `version`.
pub(crate) fn stale(t: &'static Table, key: &[Value<'_>], version: &Version, action: &'static str) -> Error {
    Error::StaleData { table: t.name, key: crate::sql::key_text(key), version: version.get(), action }
}

/// `"table"."column" + 1`: a version counter's next value, in a statement that writes many rows.
pub(crate) fn bumped(table: &'static str, column: &'static str) -> Scalar {
    Scalar::Arith {
        op: "+",
        left: Box::new(Scalar::Column { table, column }),
        right: Box::new(Scalar::Bound(Value::Integer(1))),
    }
}
