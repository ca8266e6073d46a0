//! The validated model: what code generation reads. Every node keeps the span of the tokens
//! it came from, so that errors and generated code point at the user's attribute.

use proc_macro2::Span;
use syn::{Expr, Ident, Path, Type, Visibility};

/// A SQL identifier that passed validation, with the span of the tokens that named it.
#[derive(Debug, Clone)]
pub struct SqlIdent {
    pub value: String,
    pub span: Span,
}

/// A `#[derive(Model)]` struct.
pub struct Model {
    pub ident: Ident,
    pub vis: Visibility,
    pub table: SqlIdent,
    /// Columns in field order.
    pub columns: Vec<Column>,
    pub relations: Vec<Relation>,
    /// Whether the key is one `i64` column that SQLite assigns.
    pub auto_key: bool,
    /// Whether to generate `Default` (with the column defaults).
    pub default_impl: bool,
    /// Whether to generate `Serialize` and `Deserialize` (`#[model(serde)]`).
    pub serde: bool,
    /// `#[model(hooks)]`: the span of `hooks`, when the model runs its `relations::Hooks`.
    pub hooks: Option<proc_macro2::Span>,
    /// `#[model(unique(..), check(..))]`, in declaration order.
    pub constraints: Vec<TableConstraint>,
    /// `#[model(index(..))]`, in declaration order.
    pub indexes: Vec<TableIndex>,
    /// The polymorphic owners: `#[belongs_to(P, owner = Enum)]` fields grouped by enum.
    pub owners: Vec<OwnerGroup>,
    /// The `relations::Snapshot` field, when the model keeps the values it was loaded with.
    pub snapshot: Option<Ident>,
    /// The `relations::Version` column's field, when the model counts its row's versions.
    pub version: Option<Ident>,
    /// `#[model(soft_delete = ..)]`: the position of the column `delete` stamps.
    pub soft_delete: Option<usize>,
    /// `#[model(tenant = ..)]`: the position of the tenant column.
    pub tenant: Option<usize>,
    /// Mistakes reported with the model's code, not instead of it: a stand-in value replaced
    /// the wrong one, so the expansion stays sound.
    pub soft_errors: Vec<darling::Error>,
}

impl Column {
    /// Whether this column starts its field: every column but a composite key's later parts.
    pub fn starts_field(&self) -> bool {
        self.part.is_none_or(|(k, _)| k == 0)
    }
}

impl Model {
    pub fn keys(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.key)
    }

    /// The columns of the foreign key whose first column is `columns[first]`: one, or a
    /// composite key's (consecutive).
    pub fn fk_columns(&self, first: usize) -> &[Column] {
        match self.columns[first].part {
            Some((0, n)) => &self.columns[first..first + n],
            _ => &self.columns[first..=first],
        }
    }
}

/// A table-level constraint.
pub enum TableConstraint {
    Unique {
        name: Option<SqlIdent>,
        columns: Vec<SqlIdent>,
    },
    Check {
        name: Option<SqlIdent>,
        sql: String,
    },
    /// The `CHECK` of a polymorphic owner: exactly one of the columns is set.
    ExactlyOne {
        name: SqlIdent,
        columns: Vec<SqlIdent>,
    },
}

/// A polymorphic owner: the enum of its models, and one `belongs_to` field per model.
pub struct OwnerGroup {
    pub owner_enum: Path,
    /// The accessor: the enum's name in snake_case (`Commentable` → `commentable`).
    pub accessor: Ident,
    /// `(field, column index, owner model, the enum as that field's attribute wrote it)` of
    /// each member, in field order.
    pub members: Vec<(Ident, usize, Path, Path)>,
}

/// A multi-column index.
pub struct TableIndex {
    pub name: SqlIdent,
    pub columns: Vec<SqlIdent>,
    pub unique: bool,
    /// Whether `name = ...` was given (else it is SQLAlchemy's default).
    pub named: bool,
}

/// What a column stores.
#[derive(Clone)]
pub enum ColumnValue {
    /// A plain value of the field's type.
    Plain,
    /// The foreign key of a `BelongsTo<P>` field: `parent` is `P` as written (`User` or
    /// `Option<User>`), `model` the parent model (`User`).
    ForeignKey { parent: Box<Type>, model: Box<Path>, self_ref: bool, on_delete: OnDelete },
}

/// A column, from a plain field or from a `belongs_to` field.
#[derive(Clone)]
pub struct Column {
    pub field: Ident,
    pub ty: Type,
    pub name: SqlIdent,
    pub value: ColumnValue,
    pub key: bool,
    pub unique: bool,
    pub index: bool,
    /// The declared type, when the attribute overrides the Rust type's.
    pub sql_type: Option<SqlTypeOverride>,
    pub default: Option<DefaultValue>,
    /// A `Deferred<T>` field (`ty` is `T`): left out of loads unless asked for.
    pub deferred: bool,
    /// `validate = path`: the function every value written to the column passes through.
    pub validate: Option<Path>,
    pub nullable: bool,
    pub span: Span,
    /// For a column of a composite foreign key: its position in the key, and the key's column
    /// count (the columns of one field are consecutive).
    pub part: Option<(usize, usize)>,
}

#[derive(Clone)]
pub enum SqlTypeOverride {
    Varchar(u32),
    Text,
    BigInteger,
    Numeric(u8, u8),
}

#[derive(Clone)]
pub enum DefaultValue {
    Now,
    Today,
    Expr(Expr),
}

/// Where a has-many / has-one finds its foreign key column in the target.
pub enum FkSource {
    /// From the target's `belongs_to` relationship of this name.
    Inverse(Ident),
    /// This column of the target: `foreign_key = ...` (`given`), or the convention's.
    Column { column: SqlIdent, given: bool },
}

/// The association table of a many-to-many.
pub enum Through {
    /// A plain table declared here (`through = enrollments`): its DDL is emitted by this model.
    Table { name: SqlIdent, local: SqlIdent, remote: SqlIdent },
    /// An association model (`through = BookLoan`) and its two foreign key columns.
    Model { model: Path, local: SqlIdent, remote: SqlIdent },
    /// Taken from the inverse relationship on the target, swapped.
    Inverse(Ident),
}

pub enum RelationKind {
    HasMany {
        fk: FkSource,
    },
    HasOne {
        fk: FkSource,
    },
    /// The column is `columns[column]`.
    BelongsTo {
        column: usize,
    },
    ManyToMany {
        through: Through,
    },
    /// The children side of a `self_ref` or a `belongs_to(backref = ..)`: declared on the
    /// *parent* type (`owner`), no field behind it.
    Children {
        column: SqlIdent,
    },
    /// A `backref` of a many-to-many: declared on the target with the join swapped.
    ManyToManyBackref {
        table: TableRef,
        local: SqlIdent,
        remote: SqlIdent,
    },
}

/// How generated code names an association table's metadata.
pub enum TableRef {
    /// A plain table declared by the model `owner` under the const `__assoc_<name>`.
    Declared { owner: Ident, name: SqlIdent },
    /// An association model's table.
    Model(Path),
}

/// A relationship accessor.
pub struct Relation {
    /// The accessor's name; also the field's name when `field` is true.
    pub name: Ident,
    /// Whether a struct field backs it (it caches loaded rows); backrefs have none.
    pub field: bool,
    /// The type the accessor is generated on: `Self`'s ident, or the parent for backrefs.
    pub owner: Path,
    pub target: Path,
    pub kind: RelationKind,
    /// An `inverse = name` to check against the target.
    pub inverse: Option<Ident>,
    /// For self-references: the `ancestors`/`descendants` accessor names.
    pub tree: Option<(Ident, Ident)>,
    /// The declared loading strategy.
    pub lazy: Lazy,
    /// `cascade = ...` (SQLAlchemy's words), with the span of the value when given.
    pub cascade: Cascade,
    /// `passive_deletes`: leave the related rows to the foreign key's `ON DELETE`.
    pub passive_deletes: bool,
    /// `single_parent` on a `belongs_to`: one row at most points at each parent.
    pub single_parent: bool,
    /// `order_by = "a desc, b"`: columns of the target, each descending or not.
    pub order_by: Vec<(SqlIdent, bool)>,
    pub span: Span,
}

impl Relation {
    /// A relationship generated on `owner` without a field behind it (a `backref`, or a
    /// self-reference's children), spanned at its name, with the default strategy and cascade.
    pub fn backref(name: &Ident, owner: Path, target: Path, kind: RelationKind) -> Relation {
        Relation {
            name: name.clone(),
            field: false,
            owner,
            target,
            kind,
            inverse: None,
            tree: None,
            lazy: Lazy::Select,
            cascade: Cascade::default_at(name.span()),
            passive_deletes: false,
            single_parent: false,
            order_by: Vec::new(),
            span: name.span(),
        }
    }
}

/// `cascade = "..."`: the runtime's `Cascade` flags.
#[derive(Debug, Clone, Copy)]
pub struct Cascade {
    pub save_update: bool,
    pub delete: bool,
    pub delete_orphan: bool,
    /// Where it was written (the relationship's span when it was not).
    pub span: Span,
}

impl Cascade {
    pub fn default_at(span: Span) -> Self {
        Cascade { save_update: true, delete: false, delete_orphan: false, span }
    }
}

/// `on_delete = "..."` on a foreign key: the runtime's `OnDelete` variant of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    Unset,
    Cascade,
    SetNull,
    Restrict,
    NoAction,
}

impl OnDelete {
    pub const NAMES: [(&'static str, OnDelete); 4] = [
        ("cascade", OnDelete::Cascade),
        ("set null", OnDelete::SetNull),
        ("restrict", OnDelete::Restrict),
        ("no action", OnDelete::NoAction),
    ];

    /// The runtime variant's name.
    pub fn variant(self) -> &'static str {
        match self {
            OnDelete::Unset => "Unset",
            OnDelete::Cascade => "Cascade",
            OnDelete::SetNull => "SetNull",
            OnDelete::Restrict => "Restrict",
            OnDelete::NoAction => "NoAction",
        }
    }
}

/// `lazy = ...`: the runtime's `Lazy` variant of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lazy {
    Select,
    Joined,
    Selectin,
    Subquery,
    Dynamic,
    Raise,
}

impl Lazy {
    pub const NAMES: [(&'static str, Lazy); 6] = [
        ("select", Lazy::Select),
        ("joined", Lazy::Joined),
        ("selectin", Lazy::Selectin),
        ("subquery", Lazy::Subquery),
        ("dynamic", Lazy::Dynamic),
        ("raise", Lazy::Raise),
    ];

    /// The runtime variant's name.
    pub fn variant(self) -> &'static str {
        match self {
            Lazy::Select => "Select",
            Lazy::Joined => "Joined",
            Lazy::Selectin => "Selectin",
            Lazy::Subquery => "Subquery",
            Lazy::Dynamic => "Dynamic",
            Lazy::Raise => "Raise",
        }
    }
}
