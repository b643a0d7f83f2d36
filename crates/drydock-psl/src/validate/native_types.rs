//! `@db.*` native types checked against the connector's catalogue, as Prisma checks them for
//! every model and view in its last phase: the prefix must name the datasource, the name must be
//! known to the connector, the number of arguments must fit, the field's type must be one the
//! native type stores, and the argument values (lengths, precisions, scales) must be in the
//! connector's range.

use super::Ctx;
use crate::datamodel::{FieldType, IndexField, IndexType, NativeType, Provider, ScalarType};
use drydock_diagnostics::Span;

/// How many arguments a native type takes.
#[derive(Clone, Copy)]
enum Args {
    /// Exactly this many.
    Required(usize),
    /// Up to this many.
    Optional(usize),
}

struct Spec {
    name: &'static str,
    args: Args,
    types: &'static [ScalarType],
}

const fn spec(name: &'static str, args: Args, types: &'static [ScalarType]) -> Spec {
    Spec { name, args, types }
}

use Args::{Optional, Required};
use ScalarType as S;

const NONE: Args = Required(0);

/// Prisma's PostgreSQL native types.
const POSTGRES: &[Spec] = &[
    spec("SmallInt", NONE, &[S::Int]),
    spec("Integer", NONE, &[S::Int]),
    spec("BigInt", NONE, &[S::BigInt]),
    spec("Decimal", Optional(2), &[S::Decimal]),
    spec("Money", NONE, &[S::Decimal]),
    spec("Inet", NONE, &[S::String]),
    spec("Oid", NONE, &[S::Int]),
    spec("Citext", NONE, &[S::String]),
    spec("Real", NONE, &[S::Float]),
    spec("DoublePrecision", NONE, &[S::Float]),
    spec("VarChar", Optional(1), &[S::String]),
    spec("Char", Optional(1), &[S::String]),
    spec("Text", NONE, &[S::String]),
    spec("ByteA", NONE, &[S::Bytes]),
    spec("Timestamp", Optional(1), &[S::DateTime]),
    spec("Timestamptz", Optional(1), &[S::DateTime]),
    spec("Date", NONE, &[S::DateTime]),
    spec("Time", Optional(1), &[S::DateTime]),
    spec("Timetz", Optional(1), &[S::DateTime]),
    spec("Boolean", NONE, &[S::Boolean]),
    spec("Bit", Optional(1), &[S::String]),
    spec("VarBit", Optional(1), &[S::String]),
    spec("Uuid", NONE, &[S::String]),
    spec("Xml", NONE, &[S::String]),
    spec("Json", NONE, &[S::Json]),
    spec("JsonB", NONE, &[S::Json]),
];

/// Prisma's MySQL (and MariaDB) native types.
const MYSQL: &[Spec] = &[
    spec("Int", NONE, &[S::Int]),
    spec("UnsignedInt", NONE, &[S::Int]),
    spec("SmallInt", NONE, &[S::Int]),
    spec("UnsignedSmallInt", NONE, &[S::Int]),
    spec("TinyInt", NONE, &[S::Boolean, S::Int]),
    spec("UnsignedTinyInt", NONE, &[S::Boolean, S::Int]),
    spec("MediumInt", NONE, &[S::Int]),
    spec("UnsignedMediumInt", NONE, &[S::Int]),
    spec("BigInt", NONE, &[S::BigInt]),
    spec("UnsignedBigInt", NONE, &[S::BigInt]),
    spec("Decimal", Optional(2), &[S::Decimal]),
    spec("Float", NONE, &[S::Float]),
    spec("Double", NONE, &[S::Float]),
    spec("Bit", Required(1), &[S::Boolean, S::Bytes]),
    spec("Char", Required(1), &[S::String]),
    spec("VarChar", Required(1), &[S::String]),
    spec("Binary", Required(1), &[S::Bytes]),
    spec("VarBinary", Required(1), &[S::Bytes]),
    spec("TinyBlob", NONE, &[S::Bytes]),
    spec("Blob", NONE, &[S::Bytes]),
    spec("MediumBlob", NONE, &[S::Bytes]),
    spec("LongBlob", NONE, &[S::Bytes]),
    spec("TinyText", NONE, &[S::String]),
    spec("Text", NONE, &[S::String]),
    spec("MediumText", NONE, &[S::String]),
    spec("LongText", NONE, &[S::String]),
    spec("Date", NONE, &[S::DateTime]),
    spec("Time", Optional(1), &[S::DateTime]),
    spec("DateTime", Optional(1), &[S::DateTime]),
    spec("Timestamp", Optional(1), &[S::DateTime]),
    spec("Year", NONE, &[S::Int]),
    spec("Json", NONE, &[S::Json]),
];

/// The connector's catalogue and its name in messages; `None` for connectors drydock does not
/// know the native types of.
fn catalogue(provider: Provider) -> Option<(&'static [Spec], &'static str)> {
    match provider {
        Provider::PostgreSql => Some((POSTGRES, "postgresql")),
        Provider::MySql => Some((MYSQL, "mysql")),
        Provider::Sqlite => Some((&[], "sqlite")),
        Provider::CockroachDb | Provider::SqlServer | Provider::MongoDb => None,
    }
}

/// Checks the native type of every field of models and views.
pub(super) fn check(ctx: &mut Ctx<'_>) {
    let datasource = ctx.datasource_name().map(str::to_owned);
    let catalogue = ctx.dm.provider().and_then(catalogue);
    let mut errors = Vec::new();
    for model in &ctx.dm.models {
        for field in &model.fields {
            let (FieldType::Scalar(scalar), Some(native)) = (&field.field_type, &field.native_type)
            else {
                continue;
            };
            let Some(ds) = &datasource else {
                errors.push((
                    format!(
                        "Native type {} is not supported for Default connector.",
                        native.name
                    ),
                    native.span,
                ));
                continue;
            };
            // Prisma reports a wrong prefix and still checks the type against the connector.
            if *ds != native.prefix {
                errors.push((
                    format!(
                        "The prefix {} is invalid. It must be equal to the name of an existing datasource e.g. {ds}. Did you mean to use {ds}.{}?",
                        native.prefix, native.name
                    ),
                    native.span,
                ));
            }
            if let Some((specs, connector)) = catalogue
                && let Some(message) = problem(specs, connector, *scalar, native)
            {
                errors.push((message, native.span));
            }
        }
    }
    let connector = catalogue.map(|(_, connector)| connector);
    if connector == Some("postgresql") {
        xml_in_indexes(ctx, &mut errors);
    }
    if ctx.dm.provider() == Some(Provider::MySql) {
        mysql_text_in_keys(ctx, &mut errors);
    }
    for (message, span) in errors {
        ctx.error(message, span);
    }
}

/// PostgreSQL has no equality operator for `xml`: no unique constraint or index can hold it.
fn xml_in_indexes(ctx: &Ctx<'_>, errors: &mut Vec<(String, Span)>) {
    for model in &ctx.dm.models {
        for index in &model.indexes {
            let xml = index.fields.iter().any(|f| {
                model.fields[f.field]
                    .native_type
                    .as_ref()
                    .is_some_and(|n| n.name == "Xml")
            });
            let message = match index.kind {
                _ if !xml => continue,
                IndexType::Unique => "Native type `Xml` cannot be unique in Postgres.",
                IndexType::Normal => {
                    "You cannot define an index on fields with native type `Xml` of Postgres."
                }
                IndexType::Fulltext => continue,
            };
            errors.push((message.to_owned(), index.span));
        }
    }
}

/// MySQL keys and indexes hold text and blob columns only by a prefix: without `length` on
/// such a field, Prisma reports the key or index (once, by its first such field).
fn mysql_text_in_keys(ctx: &Ctx<'_>, errors: &mut Vec<(String, Span)>) {
    const PREFIX_ONLY: [&str; 8] = [
        "Text",
        "LongText",
        "MediumText",
        "TinyText",
        "Blob",
        "TinyBlob",
        "MediumBlob",
        "LongBlob",
    ];
    const HINT: &str =
        "Please use the `length` argument to the field in the index definition to allow this.";
    // Prisma's connector checks models only: a view's keys are not the database's.
    for model in ctx.dm.models.iter().filter(|m| !m.is_view) {
        let needs_length = |fields: &[IndexField]| {
            fields.iter().filter(|f| f.length.is_none()).find_map(|f| {
                model.fields[f.field]
                    .native_type
                    .as_ref()
                    .filter(|n| PREFIX_ONLY.contains(&n.name.as_str()))
                    .map(|n| n.name.clone())
            })
        };
        if let Some(pk) = &model.primary_key
            && let Some(name) = needs_length(&pk.fields)
        {
            errors.push((
                format!("Native type `{name}` of MySQL cannot be used on a field that is `@id` or `@@id`. {HINT}"),
                pk.span,
            ));
        }
        for index in &model.indexes {
            let Some(name) = needs_length(&index.fields) else {
                continue;
            };
            let message = match index.kind {
                IndexType::Unique => {
                    format!("Native type `{name}` cannot be unique in MySQL. {HINT}")
                }
                IndexType::Normal => format!(
                    "You cannot define an index on fields with native type `{name}` of MySQL. {HINT}"
                ),
                IndexType::Fulltext => continue,
            };
            errors.push((message, index.span));
        }
    }
}

fn problem(
    specs: &[Spec],
    connector: &str,
    scalar: ScalarType,
    native: &NativeType,
) -> Option<String> {
    let name = native.name.as_str();
    let Some(spec) = specs.iter().find(|s| s.name == name) else {
        return Some(format!(
            "Native type {name} is not supported for {connector} connector."
        ));
    };
    let given = native.args.len();
    match spec.args {
        Required(n) if given != n => {
            return Some(format!(
                "Function \"{name}\" takes {n} arguments, but received {given}."
            ));
        }
        Optional(n) if given > n => {
            return Some(format!(
                "Native type {name} takes {n} optional arguments, but received {given}."
            ));
        }
        _ => {}
    }
    if !spec.types.contains(&scalar) {
        let expected: Vec<&str> = spec.types.iter().map(|t| t.as_str()).collect();
        return Some(format!(
            "Native type {name} is not compatible with declared field type {}, expected field type {}.",
            scalar.as_str(),
            expected.join(" or ")
        ));
    }
    argument_problem(connector, name, &native.args).or_else(|| {
        // Only a single bit reads as a boolean.
        let bits = native.args.first().and_then(|a| nonnegative(a))?;
        (connector == "mysql" && name == "Bit" && scalar == ScalarType::Boolean && bits > 1)
            .then(|| {
                format!(
                    "Argument M is out of range for native type `Bit({bits})` of MySQL: only Bit(1) can be used as Boolean."
                )
            })
    })
}

/// What the arguments of a native type must be, beyond their number.
enum Rule {
    /// Each argument is a number in `min..=max`; `text` says so.
    Number {
        min: u32,
        max: u32,
        text: &'static str,
    },
    /// `(precision, scale)`, both or neither.
    Decimal {
        min_precision: u32,
        max_precision: u32,
        precision_text: &'static str,
        max_scale: Option<u32>,
    },
}

/// Any nonnegative numbers.
const NUMBERS: Rule = Rule::Number {
    min: 0,
    max: u32::MAX,
    text: "",
};

fn rule(connector: &str, name: &str) -> Rule {
    let number = |min, max, text| Rule::Number { min, max, text };
    match (connector, name) {
        ("postgresql", "Bit" | "VarBit") => number(1, u32::MAX, "M must be a positive integer"),
        ("postgresql", "Timestamp" | "Timestamptz" | "Time" | "Timetz") => {
            number(0, 6, "M can range from 0 to 6")
        }
        ("postgresql", "Decimal") => Rule::Decimal {
            min_precision: 1,
            max_precision: 1000,
            precision_text: "Precision must be positive with a maximum value of 1000",
            max_scale: None,
        },
        ("mysql", "VarChar") => number(0, 65_535, "M can range from 0 to 65,535"),
        ("mysql", "Char") => number(0, 255, "M can range from 0 to 255"),
        ("mysql", "Bit") => number(1, 64, "M can range from 1 to 64"),
        ("mysql", "Decimal") => Rule::Decimal {
            min_precision: 0,
            max_precision: 65,
            precision_text: "Precision can range from 1 to 65",
            max_scale: Some(30),
        },
        _ => NUMBERS,
    }
}

/// The argument values of a native type whose name and number of arguments are right, with
/// Prisma's texts.
fn argument_problem(connector: &str, name: &str, args: &[String]) -> Option<String> {
    if args.is_empty() {
        return None;
    }
    let database = if connector == "mysql" {
        "MySQL"
    } else {
        "Postgres"
    };
    let found = format!("({})", args.join(", "));
    let numbers: Option<Vec<u32>> = args.iter().map(|a| nonnegative(a)).collect();
    match rule(connector, name) {
        Rule::Number { min, max, text } => {
            let Some(numbers) = numbers else {
                return Some(format!(
                    "Expected a nonnegative integer, but found {found}."
                ));
            };
            let outside = numbers.iter().find(|n| !(min..=max).contains(*n))?;
            Some(format!(
                "Argument M is out of range for native type `{name}({outside})` of {database}: {text}."
            ))
        }
        Rule::Decimal {
            min_precision,
            max_precision,
            precision_text,
            max_scale,
        } => {
            let Some([precision, scale]) = numbers.as_deref() else {
                return Some(format!(
                    "Expected two nonnegative integers, but found {found}."
                ));
            };
            let (precision, scale) = (*precision, *scale);
            let out_of_range = |text: &str| {
                format!(
                    "Argument M is out of range for native type `{name}({precision},{scale})` of {database}: {text}."
                )
            };
            if !(min_precision..=max_precision).contains(&precision) {
                Some(out_of_range(precision_text))
            } else if scale > precision {
                Some(format!(
                    "The scale must not be larger than the precision for the {name}({precision},{scale}) native type in {database}."
                ))
            } else {
                let max_scale = max_scale.filter(|max| scale > *max)?;
                Some(out_of_range(&format!(
                    "Scale can range from 0 to {max_scale}"
                )))
            }
        }
    }
}

/// A native type argument as Prisma reads it: digits only, within `u32`.
fn nonnegative(arg: &str) -> Option<u32> {
    if arg.is_empty() || !arg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    arg.parse().ok()
}
