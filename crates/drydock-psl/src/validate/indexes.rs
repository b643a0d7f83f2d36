//! PostgreSQL index algorithms (`type:`) and operator classes (`ops:`) against field and
//! native types, with Prisma's rules and messages.

use crate::SCHEMA_ERROR;
use crate::datamodel::{Arity, FieldType, ScalarType};
use drydock_diagnostics::{Diagnostic, Span};
use drydock_schema::IndexAlgorithm;

/// The operator classes Prisma names (`ops: JsonbPathOps`); all others need `raw("...")`.
/// The first five serve GiST, GIN and SP-GiST indexes; the rest are BRIN classes.
const OPERATOR_CLASSES: &[&str] = &[
    "InetOps",
    "JsonbOps",
    "JsonbPathOps",
    "ArrayOps",
    "TextOps",
    "BitMinMaxOps",
    "VarBitMinMaxOps",
    "BpcharBloomOps",
    "BpcharMinMaxOps",
    "ByteaBloomOps",
    "ByteaMinMaxOps",
    "DateBloomOps",
    "DateMinMaxOps",
    "DateMinMaxMultiOps",
    "Float4BloomOps",
    "Float4MinMaxOps",
    "Float4MinMaxMultiOps",
    "Float8BloomOps",
    "Float8MinMaxOps",
    "Float8MinMaxMultiOps",
    "InetInclusionOps",
    "InetBloomOps",
    "InetMinMaxOps",
    "InetMinMaxMultiOps",
    "Int2BloomOps",
    "Int2MinMaxOps",
    "Int2MinMaxMultiOps",
    "Int4BloomOps",
    "Int4MinMaxOps",
    "Int4MinMaxMultiOps",
    "Int8BloomOps",
    "Int8MinMaxOps",
    "Int8MinMaxMultiOps",
    "NumericBloomOps",
    "NumericMinMaxOps",
    "NumericMinMaxMultiOps",
    "OidBloomOps",
    "OidMinMaxOps",
    "OidMinMaxMultiOps",
    "TextBloomOps",
    "TextMinMaxOps",
    "TimestampBloomOps",
    "TimestampMinMaxOps",
    "TimestampMinMaxMultiOps",
    "TimestampTzBloomOps",
    "TimestampTzMinMaxOps",
    "TimestampTzMinMaxMultiOps",
    "TimeBloomOps",
    "TimeMinMaxOps",
    "TimeMinMaxMultiOps",
    "TimeTzBloomOps",
    "TimeTzMinMaxOps",
    "TimeTzMinMaxMultiOps",
    "UuidBloomOps",
    "UuidMinMaxOps",
    "UuidMinMaxMultiOps",
];

pub(super) fn is_operator_class(name: &str) -> bool {
    OPERATOR_CLASSES.contains(&name)
}

/// BRIN classes for a native type (by Prisma's native type name), and the scalar type that
/// stands for the native type when none is written.
const BRIN_CLASSES: &[(&str, &[&str], Option<ScalarType>)] = &[
    ("Bit", &["BitMinMaxOps"], None),
    ("VarBit", &["VarBitMinMaxOps"], None),
    ("Char", &["BpcharBloomOps", "BpcharMinMaxOps"], None),
    (
        "Date",
        &["DateBloomOps", "DateMinMaxOps", "DateMinMaxMultiOps"],
        None,
    ),
    (
        "Real",
        &["Float4BloomOps", "Float4MinMaxOps", "Float4MinMaxMultiOps"],
        None,
    ),
    (
        "DoublePrecision",
        &["Float8BloomOps", "Float8MinMaxOps", "Float8MinMaxMultiOps"],
        Some(ScalarType::Float),
    ),
    (
        "Inet",
        &[
            "InetInclusionOps",
            "InetBloomOps",
            "InetMinMaxOps",
            "InetMinMaxMultiOps",
        ],
        None,
    ),
    (
        "SmallInt",
        &["Int2BloomOps", "Int2MinMaxOps", "Int2MinMaxMultiOps"],
        None,
    ),
    (
        "Integer",
        &["Int4BloomOps", "Int4MinMaxOps", "Int4MinMaxMultiOps"],
        Some(ScalarType::Int),
    ),
    (
        "BigInt",
        &["Int8BloomOps", "Int8MinMaxOps", "Int8MinMaxMultiOps"],
        Some(ScalarType::BigInt),
    ),
    (
        "Decimal",
        &[
            "NumericBloomOps",
            "NumericMinMaxOps",
            "NumericMinMaxMultiOps",
        ],
        Some(ScalarType::Decimal),
    ),
    (
        "Oid",
        &["OidBloomOps", "OidMinMaxOps", "OidMinMaxMultiOps"],
        None,
    ),
    (
        "ByteA",
        &["ByteaBloomOps", "ByteaMinMaxOps"],
        Some(ScalarType::Bytes),
    ),
    (
        "Text",
        &["TextBloomOps", "TextMinMaxOps"],
        Some(ScalarType::String),
    ),
    ("VarChar", &["TextBloomOps", "TextMinMaxOps"], None),
    (
        "Timestamp",
        &[
            "TimestampBloomOps",
            "TimestampMinMaxOps",
            "TimestampMinMaxMultiOps",
        ],
        Some(ScalarType::DateTime),
    ),
    (
        "Timestamptz",
        &[
            "TimestampTzBloomOps",
            "TimestampTzMinMaxOps",
            "TimestampTzMinMaxMultiOps",
        ],
        None,
    ),
    (
        "Time",
        &["TimeBloomOps", "TimeMinMaxOps", "TimeMinMaxMultiOps"],
        None,
    ),
    (
        "Timetz",
        &["TimeTzBloomOps", "TimeTzMinMaxOps", "TimeTzMinMaxMultiOps"],
        None,
    ),
    (
        "Uuid",
        &["UuidBloomOps", "UuidMinMaxOps", "UuidMinMaxMultiOps"],
        None,
    ),
];

fn algorithm_name(algorithm: Option<IndexAlgorithm>) -> &'static str {
    match algorithm {
        None => "BTree",
        Some(IndexAlgorithm::Hash) => "Hash",
        Some(IndexAlgorithm::Gist) => "Gist",
        Some(IndexAlgorithm::Gin) => "Gin",
        Some(IndexAlgorithm::SpGist) => "SpGist",
        Some(IndexAlgorithm::Brin) => "Brin",
    }
}

fn class_supports(class: &str, algorithm: Option<IndexAlgorithm>) -> bool {
    use IndexAlgorithm::{Brin, Gin, Gist, SpGist};
    match class {
        "InetOps" => matches!(algorithm, Some(Gist | SpGist)),
        "JsonbOps" | "JsonbPathOps" | "ArrayOps" => algorithm == Some(Gin),
        "TextOps" => algorithm == Some(SpGist),
        _ => algorithm == Some(Brin),
    }
}

fn scalar_name(scalar: ScalarType) -> &'static str {
    match scalar {
        ScalarType::String => "String",
        ScalarType::Int => "Int",
        ScalarType::BigInt => "BigInt",
        ScalarType::Float => "Float",
        ScalarType::Decimal => "Decimal",
        ScalarType::Boolean => "Boolean",
        ScalarType::DateTime => "DateTime",
        ScalarType::Json => "Json",
        ScalarType::Bytes => "Bytes",
    }
}

/// One field of an index as the checks see it.
pub(super) struct IndexedField<'a> {
    pub(super) name: &'a str,
    pub(super) field_type: &'a FieldType,
    pub(super) arity: Arity,
    pub(super) native: Option<&'a str>,
    /// `ops: Name` (a class Prisma names); `raw("...")` is never checked.
    pub(super) class: Option<&'a str>,
    pub(super) raw_class: bool,
    /// Whether `sort:` is given.
    pub(super) sorted: bool,
}

impl IndexedField<'_> {
    fn scalar(&self) -> Option<ScalarType> {
        match self.field_type {
            FieldType::Scalar(s) => Some(*s),
            _ => None,
        }
    }

    fn is(&self, scalar: ScalarType) -> bool {
        self.scalar() == Some(scalar)
    }

    /// Prisma's `IndexAlgorithm::supports_field_type`.
    fn supported_by(&self, algorithm: Option<IndexAlgorithm>) -> bool {
        use ScalarType as S;
        if matches!(self.field_type, FieldType::Unsupported(_)) {
            return true;
        }
        match algorithm {
            None | Some(IndexAlgorithm::Hash) => true,
            Some(IndexAlgorithm::Gist | IndexAlgorithm::SpGist) => self.is(S::String),
            Some(IndexAlgorithm::Gin) => self.is(S::Json) || self.arity == Arity::List,
            Some(IndexAlgorithm::Brin) => matches!(
                self.scalar(),
                Some(
                    S::String | S::Bytes | S::DateTime | S::Float | S::Int | S::BigInt | S::Decimal
                )
            ),
        }
    }
}

/// Prisma's PostgreSQL index validations (`generalized_index_validations` and the SP-GiST
/// column count): the errors for the index attribute `label` at `span`.
pub(super) fn check_postgres_index(
    label: &str,
    span: Span,
    algorithm: Option<IndexAlgorithm>,
    fields: &[IndexedField<'_>],
) -> Vec<Diagnostic> {
    let algo = algorithm_name(algorithm);
    let mut messages: Vec<String> = Vec::new();
    if algorithm == Some(IndexAlgorithm::Hash) && fields.iter().any(|f| f.sorted) {
        messages.push("Hash type does not support sort option.".to_owned());
    }
    if algorithm == Some(IndexAlgorithm::SpGist) && fields.len() > 1 {
        messages.push("SpGist does not support multi-column indices.".to_owned());
    }
    for field in fields {
        if field.raw_class {
            continue;
        }
        if let Some(class) = field.class
            && !class_supports(class, algorithm)
        {
            messages.push(format!(
                "The given operator class `{class}` is not supported with the `{algo}` index type."
            ));
            continue;
        }
        if let Some(message) = field_problem(field, algorithm) {
            messages.push(message);
        }
    }
    messages
        .into_iter()
        .map(|m| {
            Diagnostic::error(
                SCHEMA_ERROR,
                format!("Error parsing attribute \"{label}\": {m}"),
                span,
            )
        })
        .collect()
}

/// Prisma's fallback when no rule accepts the field: by native type and operator class.
fn generic_problem(field: &IndexedField<'_>, algorithm: Option<IndexAlgorithm>) -> Option<String> {
    let (algo, name) = (algorithm_name(algorithm), field.name);
    match (field.native, field.class) {
        (Some(native), Some(class)) => Some(format!(
            "The given operator class `{class}` does not support native type `{native}` of field `{name}`."
        )),
        (Some(native), None) => Some(format!(
            "The {algo} index field type `{native}` has no default operator class."
        )),
        (None, Some(class)) => Some(format!(
            "The given operator class `{class}` expects the field `{name}` to define a valid native type."
        )),
        (None, None) => (!field.supported_by(algorithm)).then(|| {
            format!("The {algo} index type does not support the type of the field `{name}`.")
        }),
    }
}

/// An operator class for one scalar type on a field of another.
fn scalar_problem(field: &IndexedField<'_>, scalar: ScalarType) -> Option<String> {
    (!field.is(scalar)).then(|| {
        format!(
            "The given operator class `{}` points to the field `{}` that is not of {} type.",
            field.class.unwrap_or_default(),
            field.name,
            scalar_name(scalar)
        )
    })
}

fn field_problem(field: &IndexedField<'_>, algorithm: Option<IndexAlgorithm>) -> Option<String> {
    let generic = || generic_problem(field, algorithm);
    match algorithm {
        Some(IndexAlgorithm::Gist) => {
            if field.native == Some("Inet") && field.class == Some("InetOps") {
                None
            } else {
                generic()
            }
        }
        Some(IndexAlgorithm::Gin) => match (field.native, field.class) {
            (None, None) if field.is(ScalarType::Json) => None,
            (_, None) if field.arity == Arity::List => None,
            (Some("JsonB"), Some("JsonbOps" | "JsonbPathOps") | None) => None,
            (None, Some("JsonbOps" | "JsonbPathOps")) => scalar_problem(field, ScalarType::Json),
            (_, Some("ArrayOps")) => (field.arity != Arity::List
                && matches!(field.field_type, FieldType::Scalar(_) | FieldType::Enum(_)))
            .then(|| {
                format!(
                    "The given operator class `ArrayOps` expects the type of field `{}` to be an array.",
                    field.name
                )
            }),
            _ => generic(),
        },
        Some(IndexAlgorithm::SpGist) => match (field.native, field.class) {
            (Some("Inet"), Some("InetOps") | None) => None,
            (None, None) if field.is(ScalarType::String) => None,
            (None, Some("TextOps")) => scalar_problem(field, ScalarType::String),
            (Some("Text" | "VarChar" | "Char"), Some("TextOps") | None) => None,
            _ => generic(),
        },
        Some(IndexAlgorithm::Brin) => {
            let entry = BRIN_CLASSES.iter().find(|(native, classes, scalar)| {
                match (field.native, field.class) {
                    (Some(n), None) => n == *native,
                    (Some(n), Some(c)) => n == *native && classes.contains(&c),
                    (None, None) => scalar.is_some_and(|s| field.is(s)),
                    (None, Some(c)) => scalar.is_some() && classes.contains(&c),
                }
            });
            match (entry, field.native, field.class) {
                (Some((_, _, Some(scalar))), None, Some(_)) => scalar_problem(field, *scalar),
                (Some(_), _, _) => None,
                (None, _, _) => generic(),
            }
        }
        None | Some(IndexAlgorithm::Hash) => None,
    }
}
