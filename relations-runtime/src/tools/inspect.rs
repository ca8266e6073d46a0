//! Reading a live database's schema into a [`Catalog`], through the backend's catalog reader.

use crate::orm::db::Db;
use crate::schema::catalog::Catalog;
use crate::schema::error::Result;

impl Db {
    /// The database's schema as it is now: every table (but the migration version tables,
    /// [`BOOKKEEPING_TABLES`](crate::schema::catalog::BOOKKEEPING_TABLES)), with its columns, primary key, foreign keys, unique and check
    /// constraints and indexes, in creation order.
    ///
    /// Types read back as [`SqlType`](crate::schema::SqlType)s; a spelling that is not the dialect's own (SQLite's
    /// `TIMESTAMP`, `REAL`) is kept in [`Column::declared_type`](crate::schema::catalog::Column::declared_type).
    pub fn inspect(&self) -> Result<Catalog> {
        let tables = self.backend().tables(&|sql, params, f| self.query_map_into(sql, params, f))?;
        Ok(Catalog { tables }.sorted())
    }
}
