//! MySQL and MariaDB, rendered as SQLAlchemy 2.1's MySQL dialect renders them (`INTEGER NOT NULL
//! AUTO_INCREMENT`, `BOOL`, `DATETIME`, backquoted reserved words), with `?` placeholders. One
//! spelling serves both servers; [`MariaDb`] and [`MySql`] differ in the words they quote and
//! in what the server can do (MariaDB returns new keys with `RETURNING`, MySQL 8 through the
//! connection's last insert id).

use super::common::{Dialect, TextTest, Writer};
use crate::schema::value::Value;
use crate::schema::SqlType;

/// The MariaDB dialect (10.5 and later: `INSERT ... RETURNING`), what the `mariadb` backend
/// speaks when the server says it is MariaDB.
#[derive(Debug, Clone, Copy, Default)]
pub struct MariaDb;

/// The MySQL 8 dialect: MariaDB's spelling, MySQL's reserved words, keys from the last insert
/// id. Not tested here against a MySQL server.
#[derive(Debug, Clone, Copy, Default)]
pub struct MySql;

/// The type as `CREATE TABLE` spells it.
fn type_name(t: SqlType, out: &mut String) {
    match t {
        SqlType::Boolean => out.push_str("BOOL"),
        // an `f64` keeps its 53 bits: MySQL's FLOAT (SQLAlchemy's `Float`) has 24
        SqlType::Float => out.push_str("DOUBLE"),
        // MySQL has no VARCHAR without a length (SQLAlchemy refuses to write one); 255
        // characters of utf8mb4 still fit an index key
        SqlType::Varchar(None) => out.push_str("VARCHAR(255)"),
        t => super::common::ddl::common_type_name(t, ["BLOB", "DATETIME", "TIME", "CHAR(32)", "JSON"], out),
    }
}

/// The type as `information_schema.COLUMNS.COLUMN_TYPE` reports it on MariaDB.
fn catalog_type(t: SqlType) -> String {
    match t {
        SqlType::Integer => "int(11)".into(),
        SqlType::SmallInteger => "smallint(6)".into(),
        SqlType::BigInteger => "bigint(20)".into(),
        SqlType::Boolean => "tinyint(1)".into(),
        SqlType::Float => "double".into(),
        SqlType::Varchar(None) => "varchar(255)".into(),
        SqlType::Varchar(Some(n)) => format!("varchar({n})"),
        SqlType::Text => "text".into(),
        SqlType::Blob => "blob".into(),
        SqlType::DateTime => "datetime".into(),
        SqlType::Date => "date".into(),
        SqlType::Time => "time".into(),
        SqlType::Numeric(None) => "decimal(10,0)".into(),
        SqlType::Numeric(Some((p, s))) => format!("decimal({p},{s})"),
        SqlType::Uuid => "char(32)".into(),
        SqlType::Json => "longtext".into(),
    }
}

/// A type name of the catalog (`int(11)`, `tinyint(1)`, `varchar(80)`, `longtext`) read back.
fn parse_type(name: &str) -> (SqlType, bool) {
    let lower = name.trim().to_ascii_lowercase();
    let base = lower.split(['(', ' ']).next().unwrap_or("");
    let t = match base {
        "tinyint" if lower.starts_with("tinyint(1)") => SqlType::Boolean,
        "int" | "integer" | "mediumint" => SqlType::Integer,
        "smallint" | "tinyint" => SqlType::SmallInteger,
        "bigint" => SqlType::BigInteger,
        "double" | "float" | "real" => SqlType::Float,
        "longtext" | "json" => SqlType::Json,
        _ => return super::common::parse_type(name, &MariaDb),
    };
    let exact = catalog_type(t) == lower || (t == SqlType::Json && lower == "json");
    (t, exact)
}

/// What the two dialects share: everything but the reserved words and the key's return.
macro_rules! mysql_dialect {
    ($name:literal, $words:expr, $returns:expr) => {
        fn name(&self) -> &'static str {
            $name
        }

        fn reserved_words(&self) -> &'static [&'static str] {
            $words
        }

        fn quote(&self, ident: &str, out: &mut String) {
            out.push('`');
            out.push_str(&ident.replace('`', "``"));
            out.push('`');
        }

        fn placeholder(&self, _: usize, out: &mut String) {
            out.push('?');
        }

        fn ddl_type(&self, sql_type: SqlType, auto_key: bool) -> String {
            let _ = auto_key;
            let mut s = String::new();
            type_name(sql_type, &mut s);
            s
        }

        fn in_subquery(&self, sub: &str, out: &mut String) {
            // a derived table is materialized first: no LIMIT inside IN, no read of the
            // written table (errors 1235 and 1093) reach the server
            out.push_str("(SELECT * FROM (");
            out.push_str(sub);
            out.push_str(") AS ");
            self.quote("relations_in", out);
            out.push(')');
        }

        fn update_joins_before_set(&self) -> bool {
            true
        }

        fn on_conflict(&self, target: Option<&[&str]>, set: &[&str], key: &str, out: &mut String) {
            // any unique key's conflict, whichever `target` names (MySQL cannot pick one)
            let _ = target;
            out.push_str(" ON DUPLICATE KEY UPDATE ");
            if target.is_none() {
                // ignore: a write of the same value, which changes nothing
                self.quote(key, out);
                out.push_str(" = ");
                self.quote(key, out);
                return;
            }
            for (i, c) in set.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                self.quote(c, out);
                out.push_str(" = VALUES(");
                self.quote(c, out);
                out.push(')');
            }
        }

        fn ignored_conflicts_return_rows(&self) -> bool {
            true
        }

        fn stored_type(&self, sql_type: SqlType) -> SqlType {
            match sql_type {
                SqlType::Varchar(None) => SqlType::Varchar(Some(255)),
                t => t,
            }
        }

        fn alter_column(
            &self,
            table: &str,
            column: &str,
            sql_type: SqlType,
            nullable: bool,
            retype: bool,
            renull: bool,
        ) -> Vec<String> {
            // one MODIFY restates the whole column
            let _ = (retype, renull);
            let null = if nullable { "NULL" } else { "NOT NULL" };
            vec![format!(
                "ALTER TABLE {} MODIFY COLUMN {} {} {null}",
                super::common::ddl::ident(self, table),
                super::common::ddl::ident(self, column),
                self.ddl_type(sql_type, false)
            )]
        }

        fn drop_primary_key(&self, table: &str) -> String {
            format!("ALTER TABLE {} DROP PRIMARY KEY", super::common::ddl::ident(self, table))
        }

        fn drop_constraint(&self, table: &str, name: &str, unique: bool) -> String {
            // a UNIQUE constraint is an index there
            let what = if unique { "INDEX" } else { "CONSTRAINT" };
            format!(
                "ALTER TABLE {} DROP {what} {}",
                super::common::ddl::ident(self, table),
                super::common::ddl::ident(self, name)
            )
        }

        fn default_constraint_name(&self, table: &str, columns: Option<&[String]>) -> String {
            // the first column's name for a UNIQUE key; the first unnamed CHECK's
            let _ = table;
            match columns {
                Some(columns) => columns.first().cloned().unwrap_or_default(),
                None => "CONSTRAINT_1".to_string(),
            }
        }

        fn add_foreign_key(&self, table: &str, fk: &crate::schema::catalog::ForeignKey) -> String {
            // named as PostgreSQL would name it: the server's own name (`t_ibfk_n`) depends on
            // the foreign keys before it, and the way back drops it by this one
            let name = format!("{table}_{}_fkey", fk.columns.join("_"));
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {}",
                super::common::ddl::ident(self, table),
                super::common::ddl::ident(self, &name),
                super::common::ddl::foreign_key(self, fk)
            )
        }

        fn drop_foreign_key(&self, table: &str, fk: &crate::schema::catalog::ForeignKey) -> String {
            let name = fk.name.clone().unwrap_or_else(|| format!("{table}_{}_fkey", fk.columns.join("_")));
            // and the index InnoDB made for it, which outlives it: named as the constraint when
            // it was added by name, as its first column when it came unnamed with the table
            let index = if name.starts_with(&format!("{table}_ibfk_")) { fk.columns[0].as_str() } else { &name };
            format!(
                "ALTER TABLE {t} DROP FOREIGN KEY {}, DROP INDEX IF EXISTS {}",
                super::common::ddl::ident(self, &name),
                super::common::ddl::ident(self, index),
                t = super::common::ddl::ident(self, table)
            )
        }

        fn drop_index(&self, table: &str, name: &str) -> String {
            format!(
                "DROP INDEX {} ON {}",
                super::common::ddl::ident(self, name),
                super::common::ddl::ident(self, table)
            )
        }

        fn cast_type(&self, sql_type: SqlType) -> String {
            match sql_type {
                SqlType::Integer | SqlType::SmallInteger | SqlType::BigInteger | SqlType::Boolean => "SIGNED".into(),
                SqlType::Float => "DOUBLE".into(),
                SqlType::Numeric(Some((p, s))) => format!("DECIMAL({p}, {s})"),
                SqlType::Numeric(None) => "DECIMAL(65, 30)".into(),
                SqlType::Blob => "BINARY".into(),
                SqlType::DateTime => "DATETIME(6)".into(),
                SqlType::Date => "DATE".into(),
                SqlType::Time => "TIME(6)".into(),
                SqlType::Varchar(_) | SqlType::Text | SqlType::Uuid | SqlType::Json => "CHAR".into(),
            }
        }

        fn auto_key_suffix(&self) -> &'static str {
            " AUTO_INCREMENT"
        }

        fn catalog_type(&self, sql_type: SqlType) -> String {
            catalog_type(sql_type)
        }

        fn parse_type(&self, name: &str) -> (SqlType, bool) {
            parse_type(name)
        }

        fn max_inline_list(&self) -> usize {
            // written out up to the bind limit, as the loaders write theirs: the optimizer reads
            // an `IN (?, ...)` list as ranges of an index, the rows of a JSON array as a join
            65_000
        }

        fn orders_levels_by_owner(&self) -> bool {
            // measured on MariaDB 10.11, a prepared statement over 1,000 of 1,000 users' posts:
            // 10 ms ordered by (user_id, id), a whole-table read then a sort by row id; 5 ms
            // ordered by id, the primary key read in order; as fast or faster at 100 and 300
            false
        }

        fn in_bound_list(&self, n: usize, out: &mut String) {
            // no arrays: the list is bound as one JSON array text (the backend writes it so)
            // and read back as rows; values compare as text converted to the column's type
            out.push_str(" IN (SELECT `relations_list`.`v` FROM JSON_TABLE(CONVERT(");
            self.placeholder(n, out);
            out.push_str(" USING utf8mb4), '$[*]' COLUMNS (`v` TEXT PATH '$')) AS `relations_list`)");
        }

        fn order_term(
            &self,
            term: Writer<'_>,
            descending: bool,
            nulls_first: Option<bool>,
            sql: &mut String,
            params: &mut Vec<Value<'static>>,
        ) {
            // no NULLS FIRST/LAST: NULLs sort first ascending and last descending, so the
            // other placement orders by `term IS NULL` first
            if let Some(first) = nulls_first.filter(|first| *first == descending) {
                term(sql, params);
                sql.push_str(if first { " IS NULL DESC, " } else { " IS NULL, " });
            }
            term(sql, params);
            if descending {
                sql.push_str(" DESC");
            }
        }

        fn holds(&self, term: Writer<'_>, test: TextTest<'_>, sql: &mut String, params: &mut Vec<Value<'static>>) {
            if test.ignore_case {
                return super::common::holds_by_like(self, term, test, sql, params);
            }
            // with case: the default collations ignore it, a binary pattern keeps it
            term(sql, params);
            sql.push_str(" LIKE BINARY ");
            params.push(Value::Text(super::common::like_pattern(test.text, test.at).into()));
            self.placeholder(params.len(), sql);
            sql.push_str(" ESCAPE ");
            params.push(Value::Text("/".into()));
            self.placeholder(params.len(), sql);
        }

        fn trigger_test(&self, n: usize, out: &mut String) {
            out.push_str(
                "EXISTS (SELECT 1 FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() \
                 AND EVENT_OBJECT_TABLE = ",
            );
            self.placeholder(n, out);
            out.push(')');
        }

        fn transactional_ddl(&self) -> bool {
            false
        }

        fn foreign_keys_sql(&self) -> &'static str {
            FOREIGN_KEYS
        }

        fn table_names_sql(&self) -> &'static str {
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_TYPE = 'BASE TABLE'"
        }

        fn table_columns_sql(&self) -> &'static str {
            "SELECT c.COLUMN_NAME, c.COLUMN_TYPE, (c.IS_NULLABLE = 'NO'), coalesce(k.ORDINAL_POSITION, 0) \
             FROM information_schema.COLUMNS c LEFT JOIN information_schema.KEY_COLUMN_USAGE k \
               ON k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME \
               AND k.COLUMN_NAME = c.COLUMN_NAME AND k.CONSTRAINT_NAME = 'PRIMARY' \
             WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION"
        }

        fn begin(&self) -> &'static str {
            // serializable, as on the other backends: InnoDB then reads with shared locks, so
            // a concurrent read-modify-write is a deadlock to retry, never a lost update
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION"
        }

        fn release_savepoint(&self, name: &str) -> String {
            format!("RELEASE SAVEPOINT {name}")
        }

        fn rollback_to_savepoint(&self, name: &str) -> String {
            format!("ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}")
        }

        fn returns_keys(&self) -> bool {
            $returns
        }

        fn default_values(&self, out: &mut String) {
            out.push_str(" () VALUES ()");
        }

        fn row_id(&self) -> &'static str {
            // the single integer key's alias (no other hidden row id exists)
            "_rowid"
        }

        fn limit_offset(&self, limit: Option<usize>, offset: Option<usize>, out: &mut String) {
            out.push_str("LIMIT ");
            match limit {
                Some(n) => self.placeholder(n, out),
                // MySQL needs a LIMIT before an OFFSET: the largest there is
                None => out.push_str("18446744073709551615"),
            }
            if let Some(n) = offset {
                out.push_str(" OFFSET ");
                self.placeholder(n, out);
            }
        }
    };
}

/// Every single foreign key column of the current database, as [`Dialect::foreign_keys_sql`]
/// lists them. InnoDB reports a foreign key without `ON DELETE` as `RESTRICT`, which it treats
/// as `NO ACTION` (checked at once either way): both read as `NO ACTION`.
const FOREIGN_KEYS: &str = "SELECT k.TABLE_NAME, DENSE_RANK() OVER (ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME), k.REFERENCED_TABLE_NAME, k.COLUMN_NAME, \
       k.REFERENCED_COLUMN_NAME, \
       IF(r.DELETE_RULE = 'RESTRICT', 'NO ACTION', r.DELETE_RULE), (c.IS_NULLABLE = 'NO'), \
       ((SELECT count(*) FROM information_schema.COLUMNS x WHERE x.TABLE_SCHEMA = k.TABLE_SCHEMA \
           AND x.TABLE_NAME = k.TABLE_NAME) \
         = (SELECT count(*) FROM information_schema.KEY_COLUMN_USAGE p WHERE p.TABLE_SCHEMA = k.TABLE_SCHEMA \
           AND p.TABLE_NAME = k.TABLE_NAME AND p.CONSTRAINT_NAME = 'PRIMARY') \
       AND (SELECT count(*) FROM information_schema.COLUMNS x WHERE x.TABLE_SCHEMA = k.TABLE_SCHEMA \
           AND x.TABLE_NAME = k.TABLE_NAME) \
         = (SELECT count(*) FROM information_schema.KEY_COLUMN_USAGE f WHERE f.TABLE_SCHEMA = k.TABLE_SCHEMA \
           AND f.TABLE_NAME = k.TABLE_NAME AND f.REFERENCED_TABLE_NAME IS NOT NULL)) \
     FROM information_schema.KEY_COLUMN_USAGE k \
     JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
       AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
     JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME \
       AND c.COLUMN_NAME = k.COLUMN_NAME \
     WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
     ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";

impl Dialect for MariaDb {
    mysql_dialect!("mariadb", super::mysql_words::MARIADB, true);
}

impl Dialect for MySql {
    mysql_dialect!("mysql", super::mysql_words::MYSQL, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_lists_are_sorted_for_binary_search() {
        for words in [super::super::mysql_words::MARIADB, super::super::mysql_words::MYSQL] {
            assert!(words.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn quoting_follows_the_server() {
        let ddl = |d: &dyn Dialect, ident: &str| {
            let mut s = String::new();
            d.ddl_ident(ident, &mut s);
            s
        };
        assert_eq!(ddl(&MariaDb, "order"), "`order`");
        assert_eq!(ddl(&MariaDb, "body"), "`body`");
        assert_eq!(ddl(&MySql, "body"), "body");
        assert_eq!(ddl(&MariaDb, "user"), "user");
        assert_eq!(ddl(&MariaDb, "a`b"), "`a``b`");
    }

    #[test]
    fn nulls_placement_without_nulls_first() {
        let order = |descending, nulls_first| {
            let (mut sql, mut params) = (String::new(), Vec::new());
            MariaDb.order_term(&mut |s, _| s.push_str("`t`.`a`"), descending, nulls_first, &mut sql, &mut params);
            sql
        };
        assert_eq!(order(false, None), "`t`.`a`");
        assert_eq!(order(false, Some(true)), "`t`.`a`");
        assert_eq!(order(false, Some(false)), "`t`.`a` IS NULL, `t`.`a`");
        assert_eq!(order(true, Some(true)), "`t`.`a` IS NULL DESC, `t`.`a` DESC");
        assert_eq!(order(true, Some(false)), "`t`.`a` DESC");
    }

    #[test]
    fn catalog_types_read_back_exactly() {
        for t in [
            SqlType::Integer,
            SqlType::BigInteger,
            SqlType::Boolean,
            SqlType::Varchar(Some(80)),
            SqlType::Text,
            SqlType::DateTime,
            SqlType::Numeric(Some((10, 2))),
            SqlType::Json,
        ] {
            assert_eq!(MariaDb.parse_type(&MariaDb.catalog_type(t)), (t, true), "{t:?}");
        }
        assert_eq!(MariaDb.parse_type("int(10) unsigned").0, SqlType::Integer);
    }

    #[test]
    fn offset_without_limit() {
        let mut s = String::new();
        MariaDb.limit_offset(None, Some(1), &mut s);
        assert_eq!(s, "LIMIT 18446744073709551615 OFFSET ?");
    }
}
