//! [`Stored`]: a stored row as the shared code of deletes sees it, whatever its model.

use crate::orm::db::Db;
use crate::orm::hooks::run_ref;
use crate::orm::model::{Event, Key, Model};
use crate::orm::version::Version;
use crate::schema::error::Result;
use crate::schema::value::Value;
use crate::schema::Table;

/// A stored row as the shared code of deletes sees it, whatever its model: what deleting a
/// row, or unhooking it from its parent, reads of it. Every model is one. That code takes
/// `&dyn Stored` so that it is compiled once, in the runtime, rather than once per model in
/// each application that deletes or orphans rows.
pub(crate) trait Stored: Sync {
    /// The row's table (`Model::TABLE`).
    fn table(&self) -> &'static Table;
    /// The row's primary key values, in order.
    fn key_values(&self) -> Vec<Value<'static>>;
    /// The value of the `index`th column.
    fn value_at(&self, index: usize) -> Value<'_>;
    /// Whether the row has not been inserted yet.
    fn unsaved(&self) -> bool;
    /// The row's version counter, when its model has one.
    fn counter(&self) -> Option<&Version>;
    /// Runs the model's delete hook of `event`, when it has hooks; an error names the table.
    fn delete_hook(&self, db: &Db, event: Event) -> Result<()>;
    /// Whether the model has hooks (`#[model(hooks)]`).
    fn hooked(&self) -> bool;
}

impl<M: Model> Stored for M {
    fn table(&self) -> &'static Table {
        M::TABLE
    }

    fn key_values(&self) -> Vec<Value<'static>> {
        self.key().to_values().into_iter().map(Value::into_owned).collect()
    }

    fn value_at(&self, index: usize) -> Value<'_> {
        self.column_value(index)
    }

    fn unsaved(&self) -> bool {
        self.is_new()
    }

    fn counter(&self) -> Option<&Version> {
        self.version()
    }

    fn delete_hook(&self, db: &Db, event: Event) -> Result<()> {
        run_ref(self, db, event)
    }

    fn hooked(&self) -> bool {
        M::HOOKS
    }
}
