//! Raw SQL, first class: a statement written by hand, with `:name` parameters bound as values,
//! whose rows decode into models (by column name), tuples or `#[derive(FromRow)]` structs (by
//! position). It runs through the same connection path as every other statement: echoed,
//! counted, guarded.

use crate::backend::RawRow;
use crate::orm::db::Db;
use crate::orm::model::{Model, Row};
use crate::orm::project::{Cursor, FromValues};
use crate::schema::error::{Error, Result};
use crate::schema::value::{SqlValue, Value, ValueRef};

/// A value a raw statement's parameter can be bound to: every column type, and `&str`.
pub trait RawBind {
    /// The value to bind.
    fn raw_value(self) -> Value<'static>;
}

impl<T: SqlValue> RawBind for T {
    fn raw_value(self) -> Value<'static> {
        self.to_value().into_owned()
    }
}

impl RawBind for &str {
    fn raw_value(self) -> Value<'static> {
        Value::Text(self.to_owned().into())
    }
}

/// A hand-written statement, from [`Db::sql`]: `db.sql("SELECT * FROM \"user\" WHERE
/// username = :name").bind("name", "ann").models::<User>()`. Parameters are written `:name`
/// (as in SQLAlchemy's `text()`), on both databases; the dialect's placeholders replace them,
/// and the values are bound, never pasted. `:name` inside quotes or comments, and
/// PostgreSQL's `::type` casts, are left alone.
#[must_use = "a statement does nothing until `all`, `models` or `execute` runs it"]
pub struct Raw<'db> {
    db: &'db Db,
    text: String,
    binds: Vec<(String, Value<'static>)>,
}

impl Db {
    /// A raw statement (see [`Raw`]).
    pub fn sql(&self, text: impl Into<String>) -> Raw<'_> {
        Raw { db: self, text: text.into(), binds: Vec::new() }
    }
}

impl<'db> Raw<'db> {
    /// Binds `:name` to `value` (a later bind of the same name replaces it).
    pub fn bind(mut self, name: &str, value: impl RawBind) -> Self {
        let value = value.raw_value();
        match self.binds.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.binds.push((name.to_owned(), value)),
        }
        self
    }

    /// The statement in the dialect's placeholders, and its parameters in order.
    fn statement(&self) -> Result<(String, Vec<Value<'static>>)> {
        let d = self.db.dialect();
        let mut sql = String::with_capacity(self.text.len());
        let mut params = Vec::new();
        let mut used = vec![false; self.binds.len()];
        let mut missing = None;
        split_parameters(&self.text, |piece| match piece {
            Piece::Text(t) => sql.push_str(t),
            Piece::Parameter(name) => match self.binds.iter().position(|(n, _)| n == name) {
                Some(i) => {
                    used[i] = true;
                    params.push(self.binds[i].1.clone());
                    d.placeholder(params.len(), &mut sql);
                }
                None => {
                    missing.get_or_insert_with(|| name.to_owned());
                }
            },
        });
        if let Some(name) = missing {
            return Err(Error::RawParameter { name, in_statement: true });
        }
        if let Some(i) = used.iter().position(|u| !u) {
            return Err(Error::RawParameter { name: self.binds[i].0.clone(), in_statement: false });
        }
        Ok((sql, params))
    }

    /// Runs a statement that returns no rows (`UPDATE`, `DELETE`, DDL...) and returns the
    /// number of rows it changed.
    pub fn execute(&self) -> Result<u64> {
        let (sql, params) = self.statement()?;
        Ok(self.db.execute(&sql, &params, "")? as u64)
    }

    /// Every row, decoded by position into `R`: a column type, a tuple, or a
    /// `#[derive(FromRow)]` struct.
    pub fn all<R: FromValues>(&self) -> Result<Vec<R>> {
        let (sql, params) = self.statement()?;
        let mut rows = Vec::new();
        self.db.query_map_into(&sql, &params, |row| {
            rows.push(R::decode(row, &mut Cursor::new(&[], &[]))?);
            Ok(())
        })?;
        Ok(rows)
    }

    /// The one row's value (a count, say): [`Error::NotFound`] for no row,
    /// [`Error::MultipleRows`] for several.
    pub fn one<R: FromValues>(&self) -> Result<R> {
        crate::orm::select::only_row(self.all::<R>()?, "raw statement")
    }

    /// Every row as a model: each of the model's columns is read from the result column of
    /// the same name (in any order, other columns ignored). A column the result lacks is
    /// [`Error::InvalidQuery`] naming it — but a [`Deferred`](crate::Deferred) one, which is then
    /// not loaded. Relationship fields start unloaded.
    pub fn models<M: Model>(&self) -> Result<Vec<M>> {
        let (sql, params) = self.statement()?;
        let table = M::TABLE;
        let mut map: Option<(Vec<usize>, u64)> = None;
        let mut rows = Vec::new();
        self.db.query_map_into(&sql, &params, |row| {
            if map.is_none() {
                let names: Vec<Option<&str>> = (0..row.width()).map(|i| row.column_name(i)).collect();
                let (mut found, mut absent) = (Vec::with_capacity(table.columns.len()), 0u64);
                for (k, c) in table.columns.iter().enumerate() {
                    match names.iter().position(|n| *n == Some(c.name)) {
                        Some(i) => found.push(i),
                        // a deferred column left out: not loaded (never read)
                        None if crate::schema::in_mask(table.deferred, k) => {
                            found.push(usize::MAX);
                            absent |= 1 << k;
                        }
                        None => return Err(Error::InvalidQuery {
                            table: table.name,
                            message: format!("the raw statement's result has no column `{}`; select the model's columns (`SELECT \"{}\".* ...`)", c.name, table.name),
                        }),
                    }
                }
                map = Some((found, absent));
            }
            let (map, absent) = map.as_ref().map_or((&[][..], 0), |(m, a)| (m.as_slice(), *a));
            let model = M::from_row(&Row::new(&Mapped { row, map }, table, 0).leaving_out(absent))?;
            crate::orm::model::remember(&model);
            rows.push(model);
            Ok(())
        })?;
        Ok(rows)
    }
}

/// A result row seen through a column map: the model's `i`th column is the row's `map[i]`th.
struct Mapped<'r> {
    row: &'r dyn RawRow,
    map: &'r [usize],
}

impl RawRow for Mapped<'_> {
    fn value(&self, index: usize) -> Result<ValueRef<'_>, crate::backend::RowError> {
        self.row.value(self.map[index])
    }
    fn width(&self) -> usize {
        self.map.len()
    }
    fn column_name(&self, index: usize) -> Option<&str> {
        self.row.column_name(self.map[index])
    }
}

/// A piece of a raw statement: text to keep, or a `:name` parameter.
#[derive(Debug, PartialEq)]
enum Piece<'t> {
    Text(&'t str),
    Parameter(&'t str),
}

/// Splits `text` at its `:name` parameters, leaving alone what is quoted (`'..'`, `".."`),
/// commented (`-- ..`, `/* .. */`) or a `::` cast.
fn split_parameters<'t>(text: &'t str, mut f: impl FnMut(Piece<'t>)) {
    let bytes = text.as_bytes();
    let (mut i, mut start) = (0, 0);
    let skip_to = |from: usize, end: &str| text[from..].find(end).map_or(text.len(), |p| from + p + end.len());
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => i = skip_to(i + 1, "'"),
            b'"' => i = skip_to(i + 1, "\""),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_to(i + 2, "\n"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_to(i + 2, "*/"),
            b':' if bytes.get(i + 1) == Some(&b':') => i += 2,
            b':' if bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') => {
                let end = text[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(text.len(), |p| i + 1 + p);
                f(Piece::Text(&text[start..i]));
                f(Piece::Parameter(&text[i + 1..end]));
                i = end;
                start = end;
            }
            _ => i += 1,
        }
    }
    f(Piece::Text(&text[start..]));
}

#[cfg(test)]
mod tests {
    use super::{split_parameters, Piece};

    fn pieces(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        split_parameters(text, |p| match p {
            Piece::Text("") => {}
            Piece::Text(t) => out.push(t.to_string()),
            Piece::Parameter(n) => out.push(format!("<{n}>")),
        });
        out
    }

    #[test]
    fn parameters_are_found_outside_quotes_comments_and_casts() {
        assert_eq!(
            pieces("SELECT * FROM t WHERE a = :a AND b=:b_2"),
            ["SELECT * FROM t WHERE a = ", "<a>", " AND b=", "<b_2>"]
        );
        assert_eq!(
            pieces("SELECT ':x', \":y\" -- :z\n, /* :w */ x::text, :v"),
            ["SELECT ':x', \":y\" -- :z\n, /* :w */ x::text, ", "<v>"]
        );
        assert_eq!(pieces("SELECT '12:30', 'it''s :not'"), ["SELECT '12:30', 'it''s :not'"]);
        assert_eq!(pieces("SELECT 1 WHERE x = :1"), ["SELECT 1 WHERE x = :1"]);
    }
}
