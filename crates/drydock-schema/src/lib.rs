//! The dialect-neutral SQL schema: tables, columns, keys, indexes, foreign keys and enums.
//!
//! Both sides of every diff are values of [`SqlSchema`]: one comes from lowering `schema.prisma`,
//! the other from introspecting a database (live, or a shadow replay of the migrations).
//! Each dialect produces the same canonical spelling for the same fact (for example native types
//! are upper case, `TIMESTAMP(3)`), so the differ can compare values with `==`.
//!
//! This crate does no IO and holds no SQL text other than verbatim expressions users wrote
//! (`dbgenerated("...")` defaults, `Unsupported("...")` types) and the definitions introspection
//! reads of objects the schema language cannot express (views, functions, triggers, check and
//! exclusion constraints, partial-index predicates, index expressions). Lowering never produces
//! those objects; the differ ignores all of them but the index parts (see `ARCHITECTURE.md`).
//! Extensions come from both: declared by the schema, or installed in the database.

mod lowering;
mod relations;

pub use lowering::{LoweringRules, NativeTypeAttr};
pub use relations::Relation;

use serde::{Deserialize, Serialize};

/// A whole database schema as drydock sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SqlSchema {
    /// Explicit namespaces (PostgreSQL schemas) the schema declares, in declaration order.
    /// Empty when everything lives in the connection's default namespace.
    pub namespaces: Vec<String>,
    /// Enum types, in declaration order. Empty on dialects without native enums.
    pub enums: Vec<Enum>,
    /// Tables, in declaration order.
    pub tables: Vec<Table>,
    /// Views, sorted by name. Introspection only.
    #[serde(default)]
    pub views: Vec<View>,
    /// PostgreSQL extensions: the ones the schema declares (`extensions = [...]`), in the order
    /// Prisma creates them, or every one installed, sorted by name. [`Self::extension_source`]
    /// says which.
    #[serde(default)]
    pub extensions: Vec<Extension>,
    /// Whether `extensions` is what a schema declares or what a database has installed; the
    /// differ treats the two differently (see `ARCHITECTURE.md`).
    #[serde(default)]
    pub extension_source: ExtensionSource,
    /// The installed extensions the tables need: a column's type, an index's operator class or
    /// a default's function is one of theirs. Sorted by name. Introspection only.
    #[serde(default)]
    pub extensions_in_use: Vec<String>,
    /// Sequences not owned by a column (a column's own sequence is its `auto_increment`),
    /// sorted by name. Introspection only.
    #[serde(default)]
    pub sequences: Vec<Sequence>,
    /// Functions, procedures, triggers, exclusion constraints: kept so that nothing is dropped
    /// by accident, compared only by drift. Introspection only.
    #[serde(default)]
    pub opaque: Vec<OpaqueObject>,
    /// With explicit namespaces: the connection's, whose objects carry no namespace
    /// ([`Self::unqualify`]). `None` otherwise.
    #[serde(default)]
    pub default_namespace: Option<String>,
}

impl SqlSchema {
    pub fn table(&self, namespace: Option<&str>, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.name == name && t.namespace.as_deref() == namespace)
    }

    pub fn enum_type(&self, namespace: Option<&str>, name: &str) -> Option<&Enum> {
        self.enums
            .iter()
            .find(|e| e.name == name && e.namespace.as_deref() == namespace)
    }

    /// Objects of `namespace`, the connection's, without it: with explicit namespaces they are
    /// written unqualified and the others keep theirs, as Prisma writes them. Introspection
    /// names the connection's schema the same way, so the two sides compare.
    pub fn unqualify(&mut self, namespace: &str) {
        self.each_namespace(|n| {
            if n.as_deref() == Some(namespace) {
                *n = None;
            }
        });
        self.default_namespace = Some(namespace.to_owned());
    }

    /// The reverse of [`Self::unqualify`]: every object named with its namespace, for writing a
    /// schema where each model says its `@@schema`.
    pub fn qualify(&mut self) {
        if let Some(namespace) = self.default_namespace.take() {
            self.each_namespace(|n| {
                if n.is_none() {
                    *n = Some(namespace.clone());
                }
            });
        }
    }

    /// Every namespace an object lives in or refers to.
    fn each_namespace(&mut self, mut visit: impl FnMut(&mut Option<String>)) {
        for e in &mut self.enums {
            visit(&mut e.namespace);
        }
        for table in &mut self.tables {
            visit(&mut table.namespace);
            for column in &mut table.columns {
                if let TypeFamily::Enum(name) = &mut column.column_type.family {
                    visit(&mut name.namespace);
                }
            }
            for foreign_key in &mut table.foreign_keys {
                visit(&mut foreign_key.referenced_table.namespace);
            }
            for parent in &mut table.inherits {
                visit(&mut parent.namespace);
            }
        }
        for view in &mut self.views {
            visit(&mut view.namespace);
        }
        for sequence in &mut self.sequences {
            visit(&mut sequence.namespace);
        }
        for object in &mut self.opaque {
            visit(&mut object.namespace);
        }
    }

    /// No tables and no enums (namespaces are containers, not content).
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.enums.is_empty()
    }
}

/// A view and its query as the database prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub namespace: Option<String>,
    pub name: String,
    /// The `SELECT` the view runs, as the database prints it.
    pub definition: String,
}

/// A PostgreSQL extension, declared by a schema or installed in a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// The database name (`map:` in the schema).
    pub name: String,
    /// `None` when a declaration does not say: any version matches.
    pub version: Option<String>,
    /// The schema holding the extension's objects; `None` when a declaration does not say: any
    /// schema matches.
    pub namespace: Option<String>,
    /// Whether `ALTER EXTENSION ... SET SCHEMA` can move it. Declared extensions are not:
    /// only the database knows.
    pub relocatable: bool,
}

impl Extension {
    /// Whether `self` and `other` are the same extension as far as a migration is concerned: a
    /// version or schema one side leaves open matches any.
    pub fn matches(&self, other: &Extension) -> bool {
        fn open_or_equal(a: &Option<String>, b: &Option<String>) -> bool {
            a.is_none() || b.is_none() || a == b
        }
        self.name == other.name
            && open_or_equal(&self.version, &other.version)
            && open_or_equal(&self.namespace, &other.namespace)
    }
}

/// What [`SqlSchema::extensions`] lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExtensionSource {
    /// The extensions a schema declares (lowering); it speaks for no other extension.
    Declared,
    /// Every extension installed in a database (introspection; an empty database has none).
    #[default]
    Installed,
}

/// A sequence that no column owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub namespace: Option<String>,
    pub name: String,
}

/// What kind of object an [`OpaqueObject`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpaqueKind {
    Function,
    Procedure,
    Trigger,
    ExclusionConstraint,
    /// A scheduled event (MySQL's `CREATE EVENT`).
    Event,
    Other,
}

impl OpaqueKind {
    /// The kind in words, as in "trigger `audit` on table `Post`".
    pub fn describe(self) -> &'static str {
        match self {
            OpaqueKind::Function => "function",
            OpaqueKind::Procedure => "procedure",
            OpaqueKind::Trigger => "trigger",
            OpaqueKind::ExclusionConstraint => "exclusion constraint",
            OpaqueKind::Event => "event",
            OpaqueKind::Other => "object",
        }
    }
}

/// An object the schema language cannot express, carried with its full definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpaqueObject {
    pub kind: OpaqueKind,
    pub namespace: Option<String>,
    pub name: String,
    /// The table a trigger or constraint belongs to.
    pub table: Option<String>,
    /// The definition as the database prints it (`CREATE FUNCTION …`, `EXCLUDE USING …`).
    pub definition: String,
}

/// A `CHECK` constraint and its expression as the database prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckConstraint {
    pub name: String,
    pub expression: String,
}

/// Where an object lives: an optional namespace plus its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectName {
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectName {
    pub fn new(namespace: Option<String>, name: impl Into<String>) -> Self {
        ObjectName {
            namespace,
            name: name.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enum {
    pub namespace: Option<String>,
    pub name: String,
    /// Database values in declaration order.
    pub values: Vec<String>,
}

impl Enum {
    pub fn object_name(&self) -> ObjectName {
        ObjectName::new(self.namespace.clone(), self.name.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub namespace: Option<String>,
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    /// Unique and non-unique indexes, in creation order.
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
    /// Check constraints, sorted by name. Introspection only.
    #[serde(default)]
    pub checks: Vec<CheckConstraint>,
    /// The table's comment. Introspection only.
    #[serde(default)]
    pub comment: Option<String>,
    /// The table's previous name, when the schema says it was renamed
    /// (`// drydock:renamed-from`). Lowering only: a hint for the differ, which renames the
    /// table instead of dropping and creating it when the previous name still exists.
    #[serde(default)]
    pub renamed_from: Option<String>,
    /// How a partitioned table splits its rows (`RANGE ("created")`), as the database prints
    /// the `PARTITION BY` clause. Introspection only.
    #[serde(default)]
    pub partition_by: Option<String>,
    /// The partitions of a partitioned table, sorted by name. They take the table's columns,
    /// indexes and keys, so they are not tables of their own here. Introspection only.
    #[serde(default)]
    pub partitions: Vec<Partition>,
    /// The tables this one inherits from (`INHERITS`), in order. Introspection only.
    #[serde(default)]
    pub inherits: Vec<ObjectName>,
    /// Columns that come from a parent table (whether declared on this one too or not): they
    /// change with the parent. Introspection only.
    #[serde(default)]
    pub inherited_columns: Vec<String>,
}

/// One partition of a partitioned table, in the table's namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    pub name: String,
    /// The bound as the database prints it (`FOR VALUES FROM (...) TO (...)`, `DEFAULT`).
    pub bound: String,
    /// How a partition that is partitioned itself splits its rows, like
    /// [`Table::partition_by`].
    #[serde(default)]
    pub partition_by: Option<String>,
    /// The partitions of a partitioned partition (sub-partitions), sorted by name.
    #[serde(default)]
    pub partitions: Vec<Partition>,
    /// The columns the partition keeps `NOT NULL` of its own: those of its own primary key, and
    /// those its partitioned table leaves nullable. Sorted by name. Introspection only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_columns: Vec<String>,
    /// The partition's own primary key, when its partitioned table has none. Introspection
    /// only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// The partition's own indexes (unique constraints' too), sorted by name; those attached
    /// to an index of its partitioned table are the table's. Introspection only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// The partition's own checks, sorted by name; those it has from its partitioned table are
    /// the table's. Introspection only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckConstraint>,
}

impl Table {
    pub fn new(namespace: Option<String>, name: impl Into<String>) -> Self {
        Table {
            namespace,
            name: name.into(),
            columns: Vec::new(),
            primary_key: None,
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            comment: None,
            renamed_from: None,
            partition_by: None,
            partitions: Vec::new(),
            inherits: Vec::new(),
            inherited_columns: Vec::new(),
        }
    }

    pub fn object_name(&self) -> ObjectName {
        ObjectName::new(self.namespace.clone(), self.name.clone())
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// Whether `column` is (part of) the primary key.
    pub fn is_primary_key_column(&self, column: &str) -> bool {
        self.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.iter().any(|c| c.name == column))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub column_type: ColumnType,
    pub arity: ColumnArity,
    pub default: Option<DefaultValue>,
    /// Values come from a sequence or the dialect's auto-increment mechanism
    /// (`SERIAL`, `AUTOINCREMENT`, `AUTO_INCREMENT`).
    pub auto_increment: bool,
    /// The column's comment. Introspection only.
    #[serde(default)]
    pub comment: Option<String>,
    /// The column's previous name, when the schema says it was renamed
    /// (`// drydock:renamed-from`). Lowering only: a hint for the differ, like
    /// [`Table::renamed_from`].
    #[serde(default)]
    pub renamed_from: Option<String>,
    /// An identity column (`GENERATED ... AS IDENTITY`); `auto_increment` is set too.
    /// Introspection only.
    #[serde(default)]
    pub identity: Option<Identity>,
    /// The expression of a generated column (`GENERATED ALWAYS AS (...) STORED`) as the
    /// database prints it; such a column has no default. Introspection only.
    #[serde(default)]
    pub generated: Option<String>,
    /// A generated column computed when read (MySQL's `VIRTUAL`) rather than stored.
    /// Introspection only; left out of serialized schemas when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub generated_virtual: bool,
    /// The column's collation, when it is not its type's default. Introspection only.
    #[serde(default)]
    pub collation: Option<String>,
    /// What the database sets the column to on every update of its row (MySQL's
    /// `ON UPDATE CURRENT_TIMESTAMP(3)`), as the expression after `ON UPDATE`. Introspection
    /// only; left out of serialized schemas when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
}

/// When an identity column takes its value from its sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    /// `GENERATED ALWAYS`: an explicit value needs `OVERRIDING SYSTEM VALUE`.
    Always,
    /// `GENERATED BY DEFAULT`: when no value is given.
    ByDefault,
}

impl Column {
    /// A required column of `column_type` and nothing more: no default, comment, identity,
    /// generation or collation.
    pub fn new(name: impl Into<String>, column_type: ColumnType) -> Self {
        Column {
            name: name.into(),
            column_type,
            arity: ColumnArity::Required,
            default: None,
            auto_increment: false,
            comment: None,
            renamed_from: None,
            identity: None,
            generated: None,
            generated_virtual: false,
            collation: None,
            on_update: None,
        }
    }

    pub fn is_required(&self) -> bool {
        self.arity == ColumnArity::Required
    }

    /// `expression`, an `ON UPDATE` kept from another version of this column
    /// (`CURRENT_TIMESTAMP(3)`), at the fractional-second precision of this column's type:
    /// the database takes no other (`DATETIME(6)` takes `CURRENT_TIMESTAMP(6)`, `DATETIME`
    /// takes `CURRENT_TIMESTAMP`).
    pub fn on_update_at_own_precision(&self, expression: &str) -> String {
        if self.column_type.family != TypeFamily::DateTime {
            return expression.to_owned();
        }
        let digits = self
            .column_type
            .native
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .and_then(|(digits, _)| digits.trim().parse::<u32>().ok())
            .filter(|&digits| digits > 0);
        let function = expression
            .split('(')
            .next()
            .unwrap_or(expression)
            .trim_end();
        match digits {
            Some(digits) => format!("{function}({digits})"),
            None => function.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnArity {
    Required,
    Nullable,
    /// An array column (PostgreSQL `TEXT[]`). Never `NOT NULL` in Prisma's conventions.
    List,
}

/// A column's type: the portable family and the dialect's canonical native spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnType {
    pub family: TypeFamily,
    /// Canonical native type without array brackets, upper case with arguments and no spaces,
    /// e.g. `TEXT`, `TIMESTAMP(3)`, `DECIMAL(65,30)`, `VARCHAR(255)`. For enum columns on dialects
    /// with native enums it is the enum's name as written (renderers quote it).
    pub native: String,
}

impl ColumnType {
    pub fn new(family: TypeFamily, native: impl Into<String>) -> Self {
        ColumnType {
            family,
            native: native.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeFamily {
    String,
    Boolean,
    Int,
    BigInt,
    Float,
    Decimal,
    DateTime,
    Json,
    Bytes,
    /// A native enum type.
    Enum(ObjectName),
    /// A type drydock does not map, kept verbatim.
    Unsupported,
}

/// The canonical spelling of a date-time default literal, the one Prisma writes into migrations
/// (`2020-01-01 00:00:00 +00:00`): RFC 3339 and the usual SQL spellings (`2020-01-01 00:00:00`,
/// `2020-01-01 00:00:00+00`, `2020-01-01`) are accepted; values without an offset are UTC.
/// `None` when `text` is no date-time.
pub fn canonical_datetime_literal(text: &str) -> Option<String> {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
    let text = text.trim();
    let with_offset = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f %:z"));
    let parsed: DateTime<FixedOffset> = match with_offset {
        Ok(parsed) => parsed,
        Err(_) => {
            let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
                .or_else(|_| {
                    NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
                })
                .ok()?;
            Utc.from_utc_datetime(&naive).fixed_offset()
        }
    };
    Some(parsed.to_string())
}

/// A column default, in a form both lowering and introspection can produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DefaultValue {
    /// A string literal (also used for JSON and date literals; date-times in the spelling of
    /// [`canonical_datetime_literal`]).
    String(String),
    /// A numeric literal, textual as written (`42`, `1.5`, `-3`).
    Number(String),
    Boolean(bool),
    /// Bytes given as hex.
    Bytes(String),
    /// An enum value (its database name).
    EnumValue(String),
    /// The current timestamp.
    Now,
    /// An array literal.
    List(Vec<DefaultValue>),
    /// A verbatim SQL expression (`dbgenerated("...")`, or one introspection cannot map).
    Expression(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimaryKey {
    /// Constraint name; `None` on dialects whose primary keys carry no name.
    pub name: Option<String>,
    pub columns: Vec<IndexColumn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub kind: IndexKind,
    pub columns: Vec<IndexColumn>,
    /// Access method other than the default b-tree (`Hash`, `Gin`, `Gist`, `SpGist`, `Brin`).
    pub algorithm: Option<IndexAlgorithm>,
    /// The `WHERE` predicate of a partial index, as the database prints it.
    #[serde(default)]
    pub predicate: Option<String>,
    /// Non-key columns stored in the index (`INCLUDE (...)`).
    #[serde(default)]
    pub include: Vec<String>,
    /// The index belongs to a `UNIQUE` constraint (`ADD CONSTRAINT ... UNIQUE`) rather than
    /// standing alone: it is dropped and renamed through its table. Introspection only.
    #[serde(default)]
    pub constraint_backed: bool,
}

impl Index {
    /// Whether the index uses what the schema language cannot express (a `WHERE` predicate,
    /// `INCLUDE` columns, expression keys). Such an index only exists because someone wrote it
    /// in SQL.
    pub fn is_hand_written_only(&self) -> bool {
        self.predicate.is_some()
            || !self.include.is_empty()
            || self.columns.iter().any(|c| c.expression.is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexKind {
    Normal,
    Unique,
    Fulltext,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexAlgorithm {
    Hash,
    Gist,
    Gin,
    SpGist,
    Brin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexColumn {
    pub name: String,
    pub sort: Option<SortOrder>,
    /// Prefix length (MySQL).
    pub length: Option<u32>,
    /// Operator class (PostgreSQL), upper-case-insensitive as written, e.g. `jsonb_path_ops`.
    pub operator_class: Option<String>,
    /// An index key that is an expression rather than a column (`lower(email)`); `name` then
    /// holds the same text, so messages can show it.
    #[serde(default)]
    pub expression: Option<String>,
}

impl IndexColumn {
    pub fn named(name: impl Into<String>) -> Self {
        IndexColumn {
            name: name.into(),
            sort: None,
            length: None,
            operator_class: None,
            expression: None,
        }
    }

    /// A key on `expression`, as the database prints it.
    pub fn expression(expression: impl Into<String>) -> Self {
        let expression = expression.into();
        IndexColumn {
            name: expression.clone(),
            expression: Some(expression),
            ..IndexColumn::named("")
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// Constraint name; `None` when the database does not keep one.
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub referenced_table: ObjectName,
    pub referenced_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferentialAction {
    Cascade,
    Restrict,
    NoAction,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    /// The SQL spelling, as in `ON DELETE SET NULL`.
    pub fn as_sql(self) -> &'static str {
        match self {
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_datetime_literal;

    #[test]
    fn datetime_literals_have_one_spelling() {
        for (input, expected) in [
            ("2020-01-01T00:00:00Z", "2020-01-01 00:00:00 +00:00"),
            (
                "2020-01-01T00:00:00.250+02:00",
                "2020-01-01 00:00:00.250 +02:00",
            ),
            ("2020-01-01 00:00:00", "2020-01-01 00:00:00 +00:00"),
            ("2020-01-01 00:00:00+00", "2020-01-01 00:00:00 +00:00"),
            ("2020-01-01 00:00:00 +00:00", "2020-01-01 00:00:00 +00:00"),
            ("2020-01-01", "2020-01-01 00:00:00 +00:00"),
        ] {
            assert_eq!(
                canonical_datetime_literal(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
        assert_eq!(canonical_datetime_literal("tomorrow"), None);
    }
}
