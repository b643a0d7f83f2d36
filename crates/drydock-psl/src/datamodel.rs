//! The validated, resolved schema: models with database names, resolved field types, relations
//! with both sides and their referential actions, and the datasource configuration.
//!
//! All types are plain data. Indexes into [`Datamodel::models`], [`Datamodel::enums`] and
//! [`Model::fields`] are stable for one `Datamodel` value.

use drydock_diagnostics::Span;
pub use drydock_schema::{IndexAlgorithm, ReferentialAction, SortOrder};

/// The database a schema targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    PostgreSql,
    CockroachDb,
    MySql,
    Sqlite,
    SqlServer,
    MongoDb,
}

impl Provider {
    /// Parses a `provider` value. `postgres` is accepted as an alias of `postgresql`.
    pub fn parse(name: &str) -> Option<Provider> {
        Some(match name {
            "postgresql" | "postgres" => Provider::PostgreSql,
            "cockroachdb" => Provider::CockroachDb,
            "mysql" => Provider::MySql,
            "sqlite" => Provider::Sqlite,
            "sqlserver" => Provider::SqlServer,
            "mongodb" => Provider::MongoDb,
            _ => return None,
        })
    }

    /// The canonical provider name, as written to `migration_lock.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::PostgreSql => "postgresql",
            Provider::CockroachDb => "cockroachdb",
            Provider::MySql => "mysql",
            Provider::Sqlite => "sqlite",
            Provider::SqlServer => "sqlserver",
            Provider::MongoDb => "mongodb",
        }
    }

    /// Whether the provider supports scalar list fields (`String[]`).
    pub fn supports_scalar_lists(self) -> bool {
        matches!(
            self,
            Provider::PostgreSql | Provider::CockroachDb | Provider::MongoDb
        )
    }

    /// Whether the provider supports `enum` blocks.
    pub fn supports_enums(self) -> bool {
        !matches!(self, Provider::SqlServer)
    }

    /// Whether the provider has several namespaces (`schemas`, `@@schema`).
    /// The connector name Prisma uses in messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::PostgreSql => "Postgres",
            Provider::CockroachDb => "CockroachDB",
            Provider::MySql => "MySQL",
            Provider::Sqlite => "sqlite",
            Provider::SqlServer => "SQL Server",
            Provider::MongoDb => "MongoDB",
        }
    }

    pub fn supports_multi_schema(self) -> bool {
        matches!(
            self,
            Provider::PostgreSql | Provider::CockroachDb | Provider::SqlServer
        )
    }
}

/// Where a connection string comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// `env("NAME")`: the name of the environment variable.
    Env(String),
    /// A literal string.
    Literal(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RelationMode {
    /// Relations are foreign keys in the database (the default).
    #[default]
    ForeignKeys,
    /// Relations are emulated by the client; no foreign keys are created.
    Prisma,
}

/// The `datasource` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Datasource {
    /// The block name (`db`); also the prefix of native type attributes (`@db.VarChar`).
    pub name: String,
    /// `None` when the provider is missing or unknown (an error was reported).
    pub provider: Option<Provider>,
    /// The provider as written.
    pub provider_name: String,
    pub url: Option<ConfigValue>,
    pub direct_url: Option<ConfigValue>,
    pub shadow_database_url: Option<ConfigValue>,
    pub relation_mode: RelationMode,
    /// `schemas = [...]`, in declaration order.
    pub schemas: Vec<String>,
    /// `extensions = [...]` (PostgreSQL, `postgresqlExtensions` preview), in declaration order.
    pub extensions: Vec<Extension>,
    pub span: Span,
}

/// A PostgreSQL extension from `extensions = [pg_trgm, postgis(version: "3.3")]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The name in the schema.
    pub name: String,
    /// The database name (`map:`), else `name`.
    pub db_name: String,
    pub version: Option<String>,
    pub schema: Option<String>,
}

/// A `generator` block, kept for completeness.
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    pub name: String,
    pub provider: Option<ConfigValue>,
    /// `previewFeatures = [...]`.
    pub preview_features: Vec<String>,
    pub span: Span,
}

/// Built-in scalar types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    String,
    Boolean,
    Int,
    BigInt,
    Float,
    Decimal,
    DateTime,
    Json,
    Bytes,
}

impl ScalarType {
    pub fn parse(name: &str) -> Option<ScalarType> {
        Some(match name {
            "String" => ScalarType::String,
            "Boolean" => ScalarType::Boolean,
            "Int" => ScalarType::Int,
            "BigInt" => ScalarType::BigInt,
            "Float" => ScalarType::Float,
            "Decimal" => ScalarType::Decimal,
            "DateTime" => ScalarType::DateTime,
            "Json" => ScalarType::Json,
            "Bytes" => ScalarType::Bytes,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::String => "String",
            ScalarType::Boolean => "Boolean",
            ScalarType::Int => "Int",
            ScalarType::BigInt => "BigInt",
            ScalarType::Float => "Float",
            ScalarType::Decimal => "Decimal",
            ScalarType::DateTime => "DateTime",
            ScalarType::Json => "Json",
            ScalarType::Bytes => "Bytes",
        }
    }
}

/// Index into [`Datamodel::models`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub usize);

/// Index into [`Datamodel::enums`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnumId(pub usize);

/// Index into [`Datamodel::relations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationId(pub usize);

/// Index into [`Model::fields`].
pub type FieldIndex = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arity {
    Required,
    Optional,
    List,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    Scalar(ScalarType),
    Enum(EnumId),
    /// A relation to another model; the relation is in [`Field::relation`].
    Model(ModelId),
    /// A composite type (by name).
    Composite(String),
    /// `Unsupported("db type")`.
    Unsupported(String),
}

/// A native type attribute (`@db.VarChar(255)`) with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeType {
    /// The datasource name before the dot (`db`).
    pub prefix: String,
    pub name: String,
    /// The arguments as written (`255`, `"a"` with its quotes).
    pub args: Vec<String>,
    pub span: Span,
}

/// A resolved `@default(...)`.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Autoincrement,
    Now,
    /// `uuid()` (version 4) or `uuid(7)`.
    Uuid(u8),
    /// `cuid()` (version 1) or `cuid(2)`.
    Cuid(u8),
    Ulid,
    Nanoid(Option<u32>),
    /// `dbgenerated("expr")`; `None` for `dbgenerated()`.
    DbGenerated(Option<String>),
    /// `sequence()` (CockroachDB).
    Sequence,
    /// `auto()` (MongoDB).
    Auto,
    String(String),
    /// A numeric literal as written.
    Number(String),
    Boolean(bool),
    /// An enum value, by its name in the schema.
    EnumValue(String),
    List(Vec<DefaultValue>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Default {
    pub value: DefaultValue,
    /// `map:` of the default constraint (SQL Server).
    pub map: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    /// Column name: `@map` or the field name.
    pub db_name: String,
    pub field_type: FieldType,
    pub arity: Arity,
    pub default: Option<Default>,
    pub updated_at: bool,
    pub ignored: bool,
    pub native_type: Option<NativeType>,
    /// For relation fields, the relation they belong to.
    pub relation: Option<RelationId>,
    pub documentation: Option<String>,
    /// The previous column name, from `// drydock:renamed-from`.
    pub renamed_from: Option<String>,
    pub span: Span,
}

impl Field {
    pub fn is_relation(&self) -> bool {
        matches!(self.field_type, FieldType::Model(_))
    }

    /// Whether the field is a column in the database (not a relation or composite field).
    pub fn is_scalar(&self) -> bool {
        matches!(
            self.field_type,
            FieldType::Scalar(_) | FieldType::Enum(_) | FieldType::Unsupported(_)
        )
    }
}

/// One field of an index or key, with its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexField {
    pub field: FieldIndex,
    pub sort: Option<SortOrder>,
    pub length: Option<u32>,
    /// Operator class (`ops:`), as written.
    pub operator_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    pub fields: Vec<IndexField>,
    /// Client name (`name:` on `@@id`).
    pub name: Option<String>,
    /// Constraint name (`map:`).
    pub map: Option<String>,
    /// Whether the key was declared on a field (`@id`) rather than the model (`@@id`).
    pub from_field: bool,
    /// The attribute.
    pub span: Span,
    /// The `map:` argument, if given.
    pub map_span: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexType {
    Unique,
    Normal,
    Fulltext,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub kind: IndexType,
    pub fields: Vec<IndexField>,
    /// Client name (`name:`).
    pub name: Option<String>,
    /// Database name (`map:`).
    pub map: Option<String>,
    pub algorithm: Option<IndexAlgorithm>,
    /// Whether the index was declared on a field (`@unique`).
    pub from_field: bool,
    /// The attribute.
    pub span: Span,
    /// The `map:` argument, if given.
    pub map_span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    /// Table name: `@@map` or the model name.
    pub db_name: String,
    /// `@@schema`.
    pub schema: Option<String>,
    pub fields: Vec<Field>,
    pub primary_key: Option<PrimaryKey>,
    /// In declaration order: field `@unique` first, then `@@index`, `@@unique`, `@@fulltext` as
    /// written.
    pub indexes: Vec<Index>,
    pub ignored: bool,
    /// A `view` block rather than a `model`.
    pub is_view: bool,
    pub documentation: Option<String>,
    /// The previous table name, from `// drydock:renamed-from`.
    pub renamed_from: Option<String>,
    pub span: Span,
}

impl Model {
    /// The field of that name; of a name declared twice (an invalid schema, while it is being
    /// validated), the later field, as Prisma resolves it.
    pub fn field(&self, name: &str) -> Option<(FieldIndex, &Field)> {
        self.fields
            .iter()
            .enumerate()
            .rev()
            .find(|(_, f)| f.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub name: String,
    /// `@map` or the value name.
    pub db_name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: String,
    /// `@@map` or the enum name.
    pub db_name: String,
    pub schema: Option<String>,
    pub values: Vec<EnumValue>,
    pub documentation: Option<String>,
    pub span: Span,
}

/// A composite `type` block (parsed and kept, not lowered).
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeType {
    pub name: String,
    pub span: Span,
}

/// A relation field position: model and field index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelationField {
    pub model: ModelId,
    pub field: FieldIndex,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RelationKind {
    /// The referencing side holds the foreign key (`fields`/`references`); one-to-one or
    /// one-to-many.
    ForeignKey {
        /// The side with `@relation(fields: ..., references: ...)`.
        referencing: RelationField,
        /// The other side (`None` is never produced by validation but keeps the type total).
        referenced: Option<RelationField>,
        /// Scalar fields of the referencing model.
        fields: Vec<FieldIndex>,
        /// Scalar fields of the referenced model.
        references: Vec<FieldIndex>,
        referenced_model: ModelId,
        on_delete: ReferentialAction,
        on_update: ReferentialAction,
        /// Whether `onDelete`/`onUpdate` were written explicitly.
        on_delete_explicit: bool,
        on_update_explicit: bool,
        /// The foreign key name from `map:`.
        map: Option<String>,
        one_to_one: bool,
    },
    /// An implicit many-to-many relation, stored in a join table `_{name}`.
    ManyToMany {
        /// The side whose model name sorts first (column `A`).
        a: RelationField,
        /// The other side (column `B`).
        b: RelationField,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// `@relation("name")`, or the default `{A}To{B}` with the model names sorted.
    pub name: String,
    pub explicit_name: bool,
    pub kind: RelationKind,
}

/// The whole validated schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Datamodel {
    pub datasource: Option<Datasource>,
    pub generators: Vec<Generator>,
    /// Models and views, in declaration order.
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    pub composite_types: Vec<CompositeType>,
    pub relations: Vec<Relation>,
}

impl Datamodel {
    pub fn model(&self, id: ModelId) -> Option<&Model> {
        self.models.get(id.0)
    }

    pub fn enum_(&self, id: EnumId) -> Option<&Enum> {
        self.enums.get(id.0)
    }

    pub fn find_model(&self, name: &str) -> Option<(ModelId, &Model)> {
        self.models
            .iter()
            .enumerate()
            .find(|(_, m)| m.name == name)
            .map(|(i, m)| (ModelId(i), m))
    }

    pub fn find_enum(&self, name: &str) -> Option<(EnumId, &Enum)> {
        self.enums
            .iter()
            .enumerate()
            .find(|(_, e)| e.name == name)
            .map(|(i, e)| (EnumId(i), e))
    }

    /// The datasource provider, if a datasource with a known provider exists.
    pub fn provider(&self) -> Option<Provider> {
        self.datasource.as_ref().and_then(|d| d.provider)
    }

    /// Whether a generator enables a preview feature (`previewFeatures = ["views"]`).
    pub fn preview_feature(&self, name: &str) -> bool {
        self.generators.iter().any(|g| {
            g.preview_features
                .iter()
                .any(|f| f.eq_ignore_ascii_case(name))
        })
    }

    /// The relation mode (foreign keys when there is no datasource).
    pub fn relation_mode(&self) -> RelationMode {
        self.datasource
            .as_ref()
            .map_or(RelationMode::ForeignKeys, |d| d.relation_mode)
    }
}
