//! Deferred columns (SQLAlchemy's `deferred`, `undefer`): a [`Deferred`] field is a column left
//! out of every load until asked for.

use std::sync::OnceLock;

use crate::schema::error::{Error, Result};
use crate::schema::value::{DecodeError, SqlValue, Value, ValueRef};
use crate::schema::{ColumnDef, SqlType};

/// A column left out of every load until asked for — a large `TEXT` or `BLOB` (SQLAlchemy's
/// `mapped_column(Text, deferred=True)`): `body: Deferred<String>`.
///
/// Queries and loaders select `NULL` in its place, and the field holds nothing;
/// [`get`](Deferred::get) then says so as [`Error::Deferred`], naming `table.column` (SQLAlchemy
/// raises or lazy loads it: here the load is asked for, never hidden in a field read). It is
/// loaded by a query that asks for it (`.undefer(Post::body)`, `.undefer_all()`, or on a loader
/// option, `selectinload(User::POSTS).undefer(Post::body)`), or afterwards
/// by [`Model::load_deferred`](crate::Model::load_deferred), one statement for all of a row's
/// deferred columns. `update` and `save` write only loaded columns; inserting a row with one not
/// loaded is refused. A value put in by hand ([`Deferred::new`], `From`, `Default`) is loaded.
///
/// The guide's *Loading* chapter, "Deferred columns", runs it.
pub struct Deferred<T> {
    value: OnceLock<T>,
    /// `(table, column)`, when it was read by a load that left it out: for the error.
    column: Option<(&'static str, &'static str)>,
}

impl<T> Deferred<T> {
    /// A loaded value.
    pub fn new(value: T) -> Deferred<T> {
        Deferred { value: OnceLock::from(value), column: None }
    }

    /// The column `table.column` of a row whose load left it out.
    pub(crate) fn not_loaded(table: &'static str, column: &'static str) -> Deferred<T> {
        Deferred { value: OnceLock::new(), column: Some((table, column)) }
    }

    /// The value, if it was loaded: [`Error::Deferred`] naming the column otherwise.
    pub fn get(&self) -> Result<&T> {
        self.value.get().ok_or_else(|| {
            let (table, column) = self.column.unwrap_or(("?", "?"));
            Error::Deferred { table, column }
        })
    }

    /// Whether the value was loaded (or put in).
    pub fn is_loaded(&self) -> bool {
        self.value.get().is_some()
    }

    /// The value, if it was loaded.
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// Puts in the value a later load read, unless one is there.
    #[doc(hidden)]
    pub fn fill(&self, from: Deferred<T>) {
        if let Some(v) = from.into_inner() {
            let _ = self.value.set(v);
        }
    }
}

impl<T> From<T> for Deferred<T> {
    fn from(value: T) -> Deferred<T> {
        Deferred::new(value)
    }
}

impl<T: Default> Default for Deferred<T> {
    fn default() -> Deferred<T> {
        Deferred::new(T::default())
    }
}

impl<T: Clone> Clone for Deferred<T> {
    fn clone(&self) -> Deferred<T> {
        Deferred { value: self.value.clone(), column: self.column }
    }
}

impl<T: PartialEq> PartialEq for Deferred<T> {
    fn eq(&self, other: &Deferred<T>) -> bool {
        self.value.get() == other.value.get()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Deferred<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value.get() {
            Some(v) => f.debug_tuple("Deferred").field(v).finish(),
            None => f.write_str("Deferred(not loaded)"),
        }
    }
}

/// Bound as its value; a value not loaded is never written (the writes leave its column out, or
/// refuse), so it binds as `NULL` only where nothing reads it.
impl<T: SqlValue> SqlValue for Deferred<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;
    const NULLABLE: bool = T::NULLABLE;
    fn to_value(&self) -> Value<'_> {
        self.value.get().map_or(Value::Null, T::to_value)
    }
    fn from_value(value: ValueRef<'_>, column: &ColumnDef) -> Result<Self, DecodeError> {
        T::from_value(value, column).map(Deferred::new)
    }
}

/// A loaded value serializes as itself, one not loaded as `null`.
#[cfg(feature = "serde")]
impl<T: serde::Serialize> serde::Serialize for Deferred<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.get().serialize(serializer)
    }
}
