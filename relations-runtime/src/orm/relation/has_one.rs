//! [`HasOne`]: the one row that points at the owner, loaded or put there to save.

use std::fmt;

use super::slot::{Cache, Fill, Lazily, LazyRead, Slot};
use crate::orm::model::Model;
use crate::schema::error::{Error, Result};
use crate::schema::value::Value;
use crate::schema::RelationDef;

/// The field type of a `#[has_one(Target)]` relationship (`uselist=False`): the one target
/// row whose unique foreign key points at this row, if any. Holds it once loaded.
pub struct HasOne<T> {
    // boxed: a model holding its related model inline would be infinitely large
    pub(crate) cache: Cache<Option<Box<T>>>,
    /// The row was assigned (`row.into()`): saving an existing owner replaces its row.
    pub(crate) assigned: bool,
    /// The owner was just inserted under a key the database assigned, without a row here:
    /// none pointed at it then.
    pub(crate) born_empty: bool,
}

impl<T> HasOne<T> {
    /// The row loaded, if the relationship was loaded (`Some(None)`: loaded, no row). An owner
    /// just inserted under a key the database assigned, without a row here, has none
    /// (`Some(None)`): nothing could point at it yet. (A later `load()` still reads the
    /// database, once.)
    pub fn loaded(&self) -> Option<Option<&T>> {
        self.cache.cell.get().map(Option::as_deref).or(self.born_empty.then_some(None))
    }

    /// Forgets the loaded (or assigned, unsaved) row.
    pub fn reset(&mut self) {
        self.cache.cell.take();
        self.assigned = false;
        self.born_empty = false;
    }
}

impl<T> From<T> for HasOne<T> {
    /// A `has_one` assigned `row`: `profile: profile.into()`. Saving the owner saves it; for
    /// an owner already stored, it replaces the owner's row as
    /// [`HasOneRef::set`](crate::orm::relation::HasOneRef::set) does.
    fn from(row: T) -> Self {
        let field = HasOne { assigned: true, ..HasOne::default() };
        let _ = field.cache.cell.set(Some(Box::new(row)));
        field
    }
}

#[diagnostic::do_not_recommend]
impl<T: Model> Slot for HasOne<T> {
    type Target = T;
    type Lazy = HasOne<T>;
    fn lazy(&self) -> &HasOne<T> {
        self
    }
    fn fill(&self, rel: &'static RelationDef, rows: Fill<T>) -> Result<()> {
        self.put(rel, rows)
    }
    fn refuse_lazy_load(&self) {
        self.cache.refuse_lazy_load();
    }
    fn is_loaded(&self) -> bool {
        self.cache.cell.get().is_some()
    }
    fn duplicate(&self) -> Self {
        HasOne {
            cache: self.cache.map(|row| row.as_deref().map(|r| Box::new(r.duplicate()))),
            assigned: self.assigned,
            born_empty: self.born_empty,
        }
    }
}

impl<T: Model> Lazily for HasOne<T> {
    type Target = T;
    type Loaded<'a>
        = Option<&'a T>
    where
        T: 'a;
    fn loaded_or_refused(&self, rel: &'static RelationDef) -> Result<Option<Option<&T>>> {
        Ok(self.cache.loaded_or_refused(rel)?.map(Option::as_deref))
    }
    fn read(&self, owner: Option<Vec<Value<'static>>>) -> LazyRead {
        // two rows pointing at the owner (a key without `unique`) are an error, not a pick
        LazyRead::Scoped { owner, at_most: Some(2) }
    }
    /// Keeps the row read; two are [`Error::MultipleRelated`].
    fn put(&self, rel: &'static RelationDef, rows: Fill<T>) -> Result<()> {
        if let Fill::Many(rows) = rows {
            if rows.len() > 1 {
                return Err(Error::MultipleRelated { relationship: rel.path() });
            }
            let _ = self.cache.cell.set(rows.into_iter().next().map(Box::new));
        }
        Ok(())
    }
}

impl<T> Default for HasOne<T> {
    fn default() -> Self {
        HasOne { cache: Cache::default(), assigned: false, born_empty: false }
    }
}

impl<T: Clone> Clone for HasOne<T> {
    fn clone(&self) -> Self {
        HasOne { cache: self.cache.clone(), assigned: self.assigned, born_empty: self.born_empty }
    }
}

/// The loaded row is a cache, not part of the row's value: two models are equal when their
/// columns are.
impl<T> PartialEq for HasOne<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for HasOne<T> {}

impl<T: fmt::Debug> fmt::Debug for HasOne<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cache.cell.get() {
            Some(row) => row.as_deref().fmt(f),
            None => f.write_str("<not loaded>"),
        }
    }
}
