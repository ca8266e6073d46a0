//! Static schema metadata. `#[derive(Model)]` emits one [`Table`] per model (and one per plain
//! association table); the runtime renders DDL and statements from it through a dialect.

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
        }
    }
}

/// `FOREIGN KEY(column) REFERENCES table (target_column)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForeignKey {
    /// The referencing column in this table.
    pub column: &'static str,
    /// The referenced table.
    pub references: &'static str,
    /// The referenced column (the target's primary key).
    pub target_column: &'static str,
}

/// A table: a model's, or a plain association table's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table {
    /// The table's SQL name.
    pub name: &'static str,
    /// Columns in declaration order (the order of `SELECT` lists and `from_row`).
    pub columns: &'static [ColumnDef],
    /// Whether the primary key is one integer column that SQLite assigns (the rowid).
    pub auto_key: bool,
    /// Foreign keys in declaration order.
    pub foreign_keys: &'static [ForeignKey],
}

impl Table {
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

    /// The position of the first primary key column (the only one, for a single-column key).
    pub fn key_index(&self) -> usize {
        self.columns.iter().position(|c| c.primary_key).expect("the derive gives every table a primary key")
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
    /// `target.column = owner.key`: has-many, has-one, and the children of a self-reference.
    Reverse {
        /// The foreign key column in the target table.
        column: &'static str,
    },
    /// `owner.column = target.key`: belongs-to.
    Forward {
        /// The foreign key column in the owner's table.
        column: &'static str,
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
#[derive(Debug, Clone, Copy, PartialEq)]
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
