//! Static schema metadata. `#[derive(Model)]` emits one [`Table`] per model (and one per plain
//! association table); the runtime renders DDL and statements from it through a dialect.

pub mod catalog;
pub(crate) mod checks;
pub(crate) mod error;
pub(crate) mod fit;
pub mod reach;
pub(crate) mod value;

pub use value::{Bind, DecodeError, SqlValue, Value, ValueRef};

/// A declared SQL column type, named as SQLAlchemy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `INTEGER`.
    Integer,
    /// `SMALLINT`.
    SmallInteger,
    /// `BIGINT`.
    BigInteger,
    /// `BOOLEAN` (stored as 1/0).
    Boolean,
    /// `FLOAT`.
    Float,
    /// `VARCHAR` or `VARCHAR(n)`.
    Varchar(Option<u32>),
    /// `TEXT`.
    Text,
    /// `BLOB`.
    Blob,
    /// `DATETIME` (stored as `YYYY-MM-DD HH:MM:SS.ffffff`).
    DateTime,
    /// `DATE` (stored as `YYYY-MM-DD`).
    Date,
    /// `TIME` (stored as `HH:MM:SS.ffffff`).
    Time,
    /// `NUMERIC` or `NUMERIC(precision, scale)`.
    Numeric(Option<(u8, u8)>),
    /// `UUID` on PostgreSQL; `CHAR(32)` on SQLite, holding the 32 hex digits, as SQLAlchemy's
    /// `Uuid` stores them there.
    Uuid,
    /// `JSON` on PostgreSQL; `TEXT` on SQLite, holding the JSON text.
    Json,
}

/// How a column is filled when a new row does not give it a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnDefault {
    /// No default.
    None,
    /// A constant, given as its Rust source for documentation; applied by `Default::default`.
    Value(&'static str),
    /// The current UTC time (`default=datetime.utcnow`).
    Now,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnDef {
    /// The column's SQL name.
    pub name: &'static str,
    /// The declared type.
    pub sql_type: SqlType,
    /// Whether `NULL` is allowed.
    pub nullable: bool,
    /// Whether the column is part of the primary key.
    pub primary_key: bool,
    /// `UNIQUE` (a table constraint, or a unique index when `index` is also set).
    pub unique: bool,
    /// An index named `ix_<table>_<column>`.
    pub index: bool,
    /// The default applied to new rows (ORM-side, like SQLAlchemy's `default=`: no DDL).
    pub default: ColumnDefault,
    /// The field's validator (`#[column(validate = path)]`), run on every value written to the
    /// column.
    pub validate: Option<Validator>,
}

/// A field validator, SQLAlchemy's `@validates`: `#[column(validate = check_email)]` names a
/// function taking a reference to the field's value and returning `Result<(), E>`, `E: Display`.
/// Every value written to the column — by insert, update, save, upsert, or a bulk update's
/// value — passes through it first; a refusal is [`Error::Validation`](crate::Error::Validation).
#[derive(Clone, Copy)]
pub struct Validator {
    /// The function, as the attribute names it.
    pub name: &'static str,
    /// Decodes a value into the field's type and calls the function with it: the refusal's
    /// message, if it refuses.
    pub check: fn(ValueRef<'_>, &ColumnDef) -> Result<(), String>,
}

/// Two validators are the same when they name the same function.
impl PartialEq for Validator {
    fn eq(&self, other: &Validator) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Validator({})", self.name)
    }
}

impl ColumnDef {
    /// A `NOT NULL` column with no options.
    pub const fn new(name: &'static str, sql_type: SqlType) -> Self {
        ColumnDef {
            name,
            sql_type,
            nullable: false,
            primary_key: false,
            unique: false,
            index: false,
            default: ColumnDefault::None,
            validate: None,
        }
    }
}

/// `FOREIGN KEY(a[, b]) REFERENCES table (x[, y]) [ON DELETE ...]`: one column, or several
/// for a composite key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForeignKey {
    /// The referencing columns in this table, in the order of the target's key.
    pub columns: &'static [&'static str],
    /// The referenced table.
    pub references: &'static str,
    /// The referenced columns (the target's primary key), in order.
    pub target_columns: &'static [&'static str],
    /// What the database does to this row when the referenced row is deleted.
    pub on_delete: OnDelete,
}

/// A foreign key's `ON DELETE` action, declared with `#[belongs_to(P, on_delete = "...")]` and
/// carried out by the database itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDelete {
    /// No clause (SQLite's and SQLAlchemy's default, which behaves as `NO ACTION`).
    #[default]
    Unset,
    /// `ON DELETE CASCADE`: the database deletes the referencing rows.
    Cascade,
    /// `ON DELETE SET NULL`: the database sets the foreign key to `NULL`.
    SetNull,
    /// `ON DELETE RESTRICT`: the database refuses to delete a referenced row.
    Restrict,
    /// `ON DELETE NO ACTION`, spelled out.
    NoAction,
}

impl OnDelete {
    /// The DDL clause's action, `None` when there is no clause.
    pub fn sql(self) -> Option<&'static str> {
        match self {
            OnDelete::Unset => None,
            OnDelete::Cascade => Some("CASCADE"),
            OnDelete::SetNull => Some("SET NULL"),
            OnDelete::Restrict => Some("RESTRICT"),
            OnDelete::NoAction => Some("NO ACTION"),
        }
    }
}

/// What the ORM does along a relationship (SQLAlchemy's `cascade=`): `save-update` is the
/// default; `all` is `save-update` and `delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cascade {
    /// `save-update`: saving the owner saves the new rows in the relationship's field.
    pub save_update: bool,
    /// `delete`: deleting the owner deletes the related rows first (recursively).
    pub delete: bool,
    /// `delete-orphan`: a row removed from the relationship, or replaced, is deleted. On a
    /// `belongs_to` (with `single_parent`): the parent row is deleted when this row lets go
    /// of it (its foreign key set to another row, or to `NULL`), or is deleted.
    pub delete_orphan: bool,
}

impl Cascade {
    /// `save-update` only: the default.
    pub const DEFAULT: Cascade = Cascade { save_update: true, delete: false, delete_orphan: false };
}

impl Default for Cascade {
    fn default() -> Self {
        Cascade::DEFAULT
    }
}

/// A table-level constraint, declared on the model: `#[model(unique(shop_id, sku))]`,
/// `#[model(check("price > 0", name = "ck_price_positive"))]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// `[CONSTRAINT name] UNIQUE (a, b)`.
    Unique {
        /// The constraint's name, when it has one (the database names it otherwise).
        name: Option<&'static str>,
        /// The columns, in order.
        columns: &'static [&'static str],
    },
    /// `CONSTRAINT name CHECK (<exactly one of the columns is not NULL>)`: the owner keys of a
    /// polymorphic owner (`#[belongs_to(P, owner = Enum)]`).
    ExactlyOne {
        /// The constraint's name: `ck_<table>_<owner>`.
        name: &'static str,
        /// The owner key columns, in declaration order.
        columns: &'static [&'static str],
    },
    /// `[CONSTRAINT name] CHECK (sql)`.
    Check {
        /// The constraint's name, when it has one.
        name: Option<&'static str>,
        /// The condition, as SQL text written in the declaration.
        sql: &'static str,
    },
}

impl Constraint {
    /// The constraint's declared name.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Constraint::Unique { name, .. } | Constraint::Check { name, .. } => *name,
            Constraint::ExactlyOne { name, .. } => Some(name),
        }
    }
}

/// An index over one or more columns: `#[model(index(shop_id, name))]` is
/// `CREATE INDEX ix_product_shop_id ON product (shop_id, name)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    /// The index's name (SQLAlchemy's `ix_<table>_<first column>` unless given).
    pub name: &'static str,
    /// The columns, in order.
    pub columns: &'static [&'static str],
    /// `CREATE UNIQUE INDEX`.
    pub unique: bool,
}

/// A table: a model's, or a plain association table's.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// The table's SQL name.
    pub name: &'static str,
    /// Columns in declaration order (the order of `SELECT` lists and `from_row`).
    pub columns: &'static [ColumnDef],
    /// Whether the primary key is one integer column that SQLite assigns (the rowid).
    pub auto_key: bool,
    /// Foreign keys in declaration order.
    pub foreign_keys: &'static [ForeignKey],
    /// Table-level `UNIQUE` and `CHECK` constraints (`#[model(unique(..), check(..))]`), in
    /// declaration order.
    pub constraints: &'static [Constraint],
    /// Multi-column indexes (`#[model(index(..))]`), in declaration order.
    pub indexes: &'static [Index],
    /// The relationships the model declares on itself (none for an association table): what
    /// deleting one of its rows cascades along.
    pub relations: fn() -> &'static [&'static RelationDef],
    /// The position of the row's version counter, a `Version` column (SQLAlchemy's
    /// `version_id_col`): every update and delete of a loaded row is conditional on it.
    pub version: Option<usize>,
    /// Whether the model runs hooks (`#[model(hooks)]`) on its rows: a statement that changes
    /// rows of it that no one holds is refused.
    pub hooks: bool,
    /// The columns left out of every load unless asked for (`Deferred` fields): bit `i` is
    /// `columns[i]`.
    pub deferred: u64,
    /// The column a delete stamps instead of deleting the row (`#[model(soft_delete = ..)]`);
    /// every read leaves the stamped rows out.
    pub soft_delete: Option<usize>,
    /// The column that says whose the row is (`#[model(tenant = ..)]`): a connection with a
    /// tenant ([`Db::set_tenant`](crate::Db::set_tenant)) reads only its rows and writes them
    /// with its tenant.
    pub tenant: Option<usize>,
}

/// Two tables are equal when their SQL is: `relations` (a function) is not compared.
impl PartialEq for Table {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.columns == other.columns
            && self.auto_key == other.auto_key
            && self.foreign_keys == other.foreign_keys
            && self.constraints == other.constraints
            && self.indexes == other.indexes
            && self.version == other.version
            && self.hooks == other.hooks
            && self.deferred == other.deferred
            && self.soft_delete == other.soft_delete
            && self.tenant == other.tenant
    }
}

/// Whether column `i` is in `mask`, a set of a table's columns (bit `i` for column `i`; a
/// column past the 64th never is): a deferred column, one a statement left out, one not loaded.
pub(crate) fn in_mask(mask: u64, i: usize) -> bool {
    i < 64 && mask & (1 << i) != 0
}

/// The `relations` of a table that declares none.
pub fn no_relations() -> &'static [&'static RelationDef] {
    &[]
}

impl Table {
    /// A table of these columns and nothing else: no key the database assigns, no foreign key,
    /// constraint, index or relationship, none of the row-level features (version counter,
    /// hooks, deferred, soft delete and tenant columns). What generated code builds the rest on
    /// (`Table { foreign_keys: .., ..Table::plain(name, columns) }`), so that a field added to
    /// `Table` is written once.
    pub const fn plain(name: &'static str, columns: &'static [ColumnDef]) -> Table {
        Table {
            name,
            columns,
            auto_key: false,
            foreign_keys: &[],
            constraints: &[],
            indexes: &[],
            relations: no_relations,
            version: None,
            hooks: false,
            deferred: 0,
            soft_delete: None,
            tenant: None,
        }
    }

    /// The primary key columns, in declaration order.
    pub fn primary_key(&self) -> impl Iterator<Item = &'static ColumnDef> {
        self.columns.iter().filter(|c| c.primary_key)
    }

    /// The column with this SQL name.
    pub fn column(&self, name: &str) -> Option<&'static ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The position of the column named `name`. The derive only names columns that exist.
    pub fn column_index(&self, name: &str) -> usize {
        self.columns.iter().position(|c| c.name == name).expect("the derive names an existing column")
    }

    /// `mask` — a set of this table's columns, bit `i` for column `i`, or `None` for its
    /// deferred ones — without the column named `column`: what loading it as well leaves out.
    pub(crate) fn undeferring(&self, mask: Option<u64>, column: &str) -> u64 {
        let mask = mask.unwrap_or(self.deferred);
        match self.column_index(column) {
            i if i < 64 => mask & !(1 << i),
            _ => mask,
        }
    }

    /// The version counter column, if the table has one.
    pub fn version_column(&self) -> Option<&'static ColumnDef> {
        self.version.map(|i| &self.columns[i])
    }

    /// The position of the first primary key column (the only one, for a single-column key).
    pub fn key_index(&self) -> usize {
        self.columns.iter().position(|c| c.primary_key).expect("the derive gives every table a primary key")
    }

    /// The foreign key `column` is part of, if any.
    pub fn foreign_key(&self, column: &str) -> Option<&'static ForeignKey> {
        self.foreign_keys.iter().find(|fk| fk.columns.contains(&column))
    }

    /// SQLAlchemy's name for an index on `columns` of this table: `ix_<table>_<a>[_<b>]`.
    pub fn index_name(&self, columns: &[&str]) -> String {
        format!("ix_{}_{}", self.name, columns.join("_"))
    }

    /// The names of the primary key columns, in order.
    pub fn key_names(&self) -> impl Iterator<Item = &'static str> {
        self.primary_key().map(|c| c.name)
    }

    /// The declared name of the unique constraint or unique index over exactly `columns`
    /// (in any order): a table-level `unique(..)` or `index(.., unique)` with a name, or a
    /// column's `#[column(unique, index)]` (`ix_<table>_<column>`).
    pub fn unique_name(&self, columns: &[String]) -> Option<String> {
        let same = |cs: &[&str]| cs.len() == columns.len() && cs.iter().all(|c| columns.iter().any(|x| x == c));
        let declared = self
            .constraints
            .iter()
            .find_map(|c| match c {
                Constraint::Unique { name: Some(name), columns } if same(columns) => Some(*name),
                _ => None,
            })
            .or_else(|| self.indexes.iter().find(|i| i.unique && same(i.columns)).map(|i| i.name));
        match (declared, columns) {
            (Some(name), _) => Some(name.to_string()),
            (None, [column]) => self.column(column).filter(|c| c.unique && c.index).map(|c| self.index_name(&[c.name])),
            _ => None,
        }
    }

    /// Whether `column` is one of the owner keys of a polymorphic owner: nullable, but never
    /// set to `NULL` alone (its `CHECK` keeps exactly one owner key set).
    pub fn owner_key(&self, column: &str) -> bool {
        self.constraints
            .iter()
            .any(|c| matches!(c, Constraint::ExactlyOne { columns, .. } if columns.contains(&column)))
    }

    /// The single primary key column. The derive guarantees one for every model that is the
    /// target of a relationship, so this is only `None` for composite-key tables.
    pub fn single_key(&self) -> Option<&'static ColumnDef> {
        let mut pk = self.primary_key();
        match (pk.next(), pk.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    }
}

/// How a relationship's rows are found from its owner's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Join {
    /// `target.columns = owner.key`: has-many, has-one, and the children of a self-reference.
    Reverse {
        /// The foreign key columns in the target table, in the order of the owner's key (one,
        /// or several when the owner's key is composite).
        columns: &'static [&'static str],
    },
    /// `owner.columns = target.key`: belongs-to.
    Forward {
        /// The foreign key columns in the owner's table, in the order of the target's key.
        columns: &'static [&'static str],
    },
    /// `through.local = owner.key AND through.remote = target.key`: many-to-many.
    Through {
        /// The association table.
        table: &'static Table,
        /// Its column referencing the owner.
        local: &'static str,
        /// Its column referencing the target.
        remote: &'static str,
    },
}

/// A relationship, as the derive describes it.
#[derive(Debug, Clone, Copy)]
pub struct RelationDef {
    /// The accessor's name (for messages).
    pub name: &'static str,
    /// The owning model's table.
    pub owner: &'static Table,
    /// The related model's table.
    pub target: &'static Table,
    /// How the rows are joined.
    pub join: Join,
    /// The relationship on the target that is this one's inverse, when declared
    /// (`back_populates`).
    pub inverse: Option<&'static str>,
    /// How the relationship loads when nothing else is asked for (`lazy = ...`).
    pub lazy: Lazy,
    /// What saving and deleting the owner does along it (`cascade = ...`).
    pub cascade: Cascade,
    /// `passive_deletes`: deleting the owner leaves the related rows to the foreign key's
    /// `ON DELETE` action instead of visiting them.
    pub passive_deletes: bool,
    /// `single_parent` on a `belongs_to`: at most one row of the owner's table may point at a
    /// given parent (what makes a many-to-one `delete-orphan` safe).
    pub single_parent: bool,
    /// `order_by = "..."`: the order of a collection's rows, before the key (which always
    /// ends the order), under every loading strategy.
    pub order_by: &'static [OrderBy],
}

/// One term of a relationship's declared order: a column of the related table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderBy {
    /// The column.
    pub column: &'static str,
    /// `desc`.
    pub descending: bool,
    /// The column is the association model's, not the target's, in a many-to-many through
    /// one (SQLAlchemy's `relationship(order_by=BookAuthor.position)`).
    pub on_link: bool,
}

/// Whether `column`, in a many-to-many's `order_by`, is the association table `link`'s: the
/// target has no such column and the association table has (emitted by the derive).
#[doc(hidden)]
pub const fn ordered_on_link(target: &Table, link: &Table, column: &str) -> bool {
    !has_column(target, column) && has_column(link, column)
}

const fn has_column(table: &Table, column: &str) -> bool {
    let mut i = 0;
    while i < table.columns.len() {
        if str_eq(table.columns[i].name, column) {
            return true;
        }
        i += 1;
    }
    false
}

impl PartialEq for RelationDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.owner.name == other.owner.name
            && self.target.name == other.target.name
            && self.join == other.join
            && self.inverse == other.inverse
            && self.lazy == other.lazy
            && self.cascade == other.cascade
            && self.passive_deletes == other.passive_deletes
            && self.single_parent == other.single_parent
            && self.order_by == other.order_by
    }
}

impl RelationDef {
    /// `owner_table.name`, for messages: `user.posts`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.owner.name, self.name)
    }
}

/// A relationship's default loading strategy, as SQLAlchemy's `lazy=` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lazy {
    /// `lazy = "select"` (the default): loaded by its own `SELECT` on first `load()`.
    Select,
    /// `lazy = "joined"`: loaded with its owner, in the same statement (`LEFT OUTER JOIN`).
    Joined,
    /// `lazy = "selectin"`: loaded with its owners, by one more statement per level (`IN (...)`).
    Selectin,
    /// `lazy = "subquery"`: like `selectin`, with the owners' query as a subquery.
    Subquery,
    /// `lazy = "dynamic"`: never loaded; the accessor is a query scoped to the owner.
    Dynamic,
    /// `lazy = "raise"`: loading it without an eager option is an error, never a silent query.
    Raise,
}

/// `a == b`, in a constant.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
