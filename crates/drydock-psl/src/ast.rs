//! The syntax tree of schema files, as written (nothing resolved yet).

use drydock_diagnostics::{FileId, Span};

/// The parsed contents of all files of one schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchemaAst {
    /// Top-level blocks of all files, file by file, in source order.
    pub tops: Vec<Top>,
}

impl SchemaAst {
    /// All `model`, `view` and `type` blocks.
    pub fn models(&self) -> impl Iterator<Item = &Model> {
        self.tops.iter().filter_map(|t| match t {
            Top::Model(m) => Some(m),
            _ => None,
        })
    }

    pub fn enums(&self) -> impl Iterator<Item = &Enum> {
        self.tops.iter().filter_map(|t| match t {
            Top::Enum(e) => Some(e),
            _ => None,
        })
    }

    pub fn datasources(&self) -> impl Iterator<Item = &ConfigBlock> {
        self.tops.iter().filter_map(|t| match t {
            Top::Datasource(d) => Some(d),
            _ => None,
        })
    }

    pub fn generators(&self) -> impl Iterator<Item = &ConfigBlock> {
        self.tops.iter().filter_map(|t| match t {
            Top::Generator(g) => Some(g),
            _ => None,
        })
    }
}

/// A top-level block.
#[derive(Debug, Clone, PartialEq)]
pub enum Top {
    /// A `model`, `view` or composite `type` block.
    Model(Model),
    Enum(Enum),
    Datasource(ConfigBlock),
    Generator(ConfigBlock),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    Model,
    View,
    /// A composite `type` block.
    CompositeType,
}

impl ModelKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ModelKind::Model => "model",
            ModelKind::View => "view",
            ModelKind::CompositeType => "type",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub kind: ModelKind,
    pub name: Ident,
    pub fields: Vec<Field>,
    /// Block attributes (`@@id`, `@@index`, ...), in source order.
    pub attributes: Vec<Attribute>,
    /// Text of the `///` comments before the block, one line per comment.
    pub documentation: Option<String>,
    /// The previous name from a `// drydock:renamed-from` directive; the span is the comment's.
    pub renamed_from: Option<Ident>,
    /// The whole block, keyword to closing brace.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: Ident,
    pub field_type: FieldType,
    pub arity: FieldArity,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    /// The previous name from a `// drydock:renamed-from` directive; the span is the comment's.
    pub renamed_from: Option<Ident>,
    /// The whole field line, trailing comment and line break included.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldType {
    /// The type name (`String`, `User`, `Unsupported`).
    pub name: String,
    /// For `Unsupported("...")`, the database type text.
    pub unsupported: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldArity {
    Required,
    Optional,
    List,
}

/// An attribute: `@id`, `@db.VarChar(255)`, `@@index([a])`. The name has no `@` and may contain
/// one dot (`db.VarChar`).
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    pub arguments: Vec<Argument>,
    /// The whole attribute, `@` included.
    pub span: Span,
}

impl Attribute {
    /// The first argument with this name, or the first unnamed one when `name` is `None`.
    pub fn argument(&self, name: Option<&str>) -> Option<&Argument> {
        self.arguments
            .iter()
            .find(|a| a.name.as_ref().map(|n| n.name.as_str()) == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    pub name: Option<Ident>,
    pub value: Expression,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expression {
    /// A string literal, unescaped.
    String(String, Span),
    /// A numeric literal as written.
    Number(String, Span),
    /// A bare identifier: `true`, `Cascade`, an enum value, a field name.
    Constant(String, Span),
    /// `name(args)`, e.g. `now()`, `env("X")`, `a(sort: Desc)`.
    Function(String, Vec<Argument>, Span),
    Array(Vec<Expression>, Span),
}

impl Expression {
    pub fn span(&self) -> Span {
        match self {
            Expression::String(_, s)
            | Expression::Number(_, s)
            | Expression::Constant(_, s)
            | Expression::Function(_, _, s)
            | Expression::Array(_, s) => *s,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expression::String(s, _) => Some(s),
            _ => None,
        }
    }

    /// The items of a list value. Prisma reads a single value where a list is expected as a
    /// list of one (`@@index(a)`, `fields: a`, `extensions = pg_trgm`).
    pub fn list_items(&self) -> &[Expression] {
        match self {
            Expression::Array(items, _) => items,
            single => std::slice::from_ref(single),
        }
    }

    /// A short description of the kind of value, as used in messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Expression::String(..) => "string",
            Expression::Number(..) => "numeric",
            Expression::Constant(..) => "constant",
            Expression::Function(..) => "function",
            Expression::Array(..) => "array",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: Ident,
    pub values: Vec<EnumValue>,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub name: Ident,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    pub span: Span,
}

/// A `datasource` or `generator` block: `key = value` properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigBlock {
    pub name: Ident,
    pub properties: Vec<ConfigProperty>,
    pub documentation: Option<String>,
    pub span: Span,
}

impl ConfigBlock {
    pub fn property(&self, name: &str) -> Option<&ConfigProperty> {
        self.properties.iter().find(|p| p.name.name == name)
    }

    pub fn file(&self) -> FileId {
        self.span.file
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProperty {
    pub name: Ident,
    pub value: Expression,
    pub span: Span,
}
