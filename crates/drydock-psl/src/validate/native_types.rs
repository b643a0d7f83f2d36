//! `@db.*` native types checked against the connector's catalogue, as Prisma checks them for
//! every model and view in its last phase: the prefix must name the datasource, the name must be
//! known to the connector, the number of arguments must
//! fit, and the field's type must be one the native type stores. The argument values (lengths,
//! precisions) are the dialect's to check when it lowers the schema.

use super::Ctx;
use crate::datamodel::{FieldType, IndexType, NativeType, Provider, ScalarType};
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
    if spec.types.contains(&scalar) {
        return None;
    }
    let expected: Vec<&str> = spec.types.iter().map(|t| t.as_str()).collect();
    Some(format!(
        "Native type {name} is not compatible with declared field type {}, expected field type {}.",
        scalar.as_str(),
        expected.join(" or ")
    ))
}
