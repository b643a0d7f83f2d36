//! PostgreSQL lowering rules: the provider names, the identifier limit, the mapping of Prisma
//! scalar types and `@db.*` native types to canonical native spellings, and
//! [`canonical_type`], which turns what the catalog reports into the same spelling so that
//! lowered and introspected schemas compare equal.
//!
//! Canonical spelling: upper case, arguments without spaces (`VARCHAR(255)`, `DECIMAL(10,2)`,
//! `TIMESTAMPTZ(6)`), only the arguments that were given (`@db.VarChar` is `VARCHAR`), no array
//! brackets (list-ness is the column's arity).

use drydock_schema::{ColumnType, LoweringRules, NativeTypeAttr, ObjectName, TypeFamily};

/// The provider name written to `migration_lock.toml`.
pub(crate) const PROVIDER: &str = "postgresql";

/// Longest identifier PostgreSQL keeps, in bytes (`NAMEDATALEN - 1`).
const MAX_IDENTIFIER_LENGTH: usize = 63;

/// The lowering rules of PostgreSQL.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PostgresTypes;

impl LoweringRules for PostgresTypes {
    fn providers(&self) -> &'static [&'static str] {
        &["postgresql", "postgres"]
    }

    fn max_identifier_length(&self) -> usize {
        MAX_IDENTIFIER_LENGTH
    }

    fn column_type(
        &self,
        family: &TypeFamily,
        native: Option<&NativeTypeAttr>,
    ) -> Result<ColumnType, String> {
        match native {
            None => default_native(family)
                .map(|native| ColumnType::new(family.clone(), native))
                .ok_or_else(|| format!("No default PostgreSQL type for {family:?} columns.")),
            Some(attr) => native_type(family, attr),
        }
    }

    fn enum_column_type(&self, enum_name: &ObjectName) -> ColumnType {
        ColumnType::new(TypeFamily::Enum(enum_name.clone()), enum_name.name.clone())
    }

    fn native_enums(&self) -> bool {
        true
    }

    fn scalar_lists(&self) -> bool {
        true
    }

    fn named_primary_keys(&self) -> bool {
        true
    }

    fn native_type_attribute(&self, column_type: &ColumnType) -> Option<String> {
        let family = &column_type.family;
        if default_native(family)? == column_type.native {
            return None;
        }
        let (name, args) = match column_type.native.split_once('(') {
            Some((name, rest)) => (name, Some(rest.trim_end_matches(')'))),
            None => (column_type.native.as_str(), None),
        };
        let kind = FamilyKind::of(family);
        let spec = NATIVE_TYPES
            .iter()
            .find(|spec| spec.sql == name && Some(spec.family) == kind)?;
        Some(match args {
            // Prisma separates arguments with a comma and a space.
            Some(args) => format!(
                "{}({})",
                spec.name,
                args.split(',').collect::<Vec<_>>().join(", ")
            ),
            None => spec.name.to_owned(),
        })
    }

    fn join_table_primary_key(&self) -> bool {
        true
    }

    fn default_namespace(&self) -> Option<&'static str> {
        Some("public")
    }
}

/// The native type of a scalar family without `@db.*`.
fn default_native(family: &TypeFamily) -> Option<&'static str> {
    Some(match family {
        TypeFamily::String => "TEXT",
        TypeFamily::Boolean => "BOOLEAN",
        TypeFamily::Int => "INTEGER",
        TypeFamily::BigInt => "BIGINT",
        TypeFamily::Float => "DOUBLE PRECISION",
        TypeFamily::Decimal => "DECIMAL(65,30)",
        TypeFamily::DateTime => "TIMESTAMP(3)",
        TypeFamily::Json => "JSONB",
        TypeFamily::Bytes => "BYTEA",
        TypeFamily::Enum(_) | TypeFamily::Unsupported => return None,
    })
}

/// The arguments a native type takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Args {
    None,
    /// An optional length, which must be positive when `positive` is set.
    Length {
        positive: bool,
    },
    /// An optional fractional-seconds precision between 0 and 6.
    Precision,
    /// An optional `(precision, scale)` pair.
    PrecisionScale,
}

/// One `@db.*` native type: its name in the schema language, the scalar family it applies to,
/// its SQL spelling and its arguments.
struct NativeTypeSpec {
    name: &'static str,
    family: FamilyKind,
    sql: &'static str,
    args: Args,
}

/// The scalar families, without the payload of [`TypeFamily::Enum`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FamilyKind {
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

impl FamilyKind {
    fn of(family: &TypeFamily) -> Option<FamilyKind> {
        Some(match family {
            TypeFamily::String => FamilyKind::String,
            TypeFamily::Boolean => FamilyKind::Boolean,
            TypeFamily::Int => FamilyKind::Int,
            TypeFamily::BigInt => FamilyKind::BigInt,
            TypeFamily::Float => FamilyKind::Float,
            TypeFamily::Decimal => FamilyKind::Decimal,
            TypeFamily::DateTime => FamilyKind::DateTime,
            TypeFamily::Json => FamilyKind::Json,
            TypeFamily::Bytes => FamilyKind::Bytes,
            TypeFamily::Enum(_) | TypeFamily::Unsupported => return None,
        })
    }

    /// The scalar type name as written in the schema language.
    fn prisma_name(self) -> &'static str {
        match self {
            FamilyKind::String => "String",
            FamilyKind::Boolean => "Boolean",
            FamilyKind::Int => "Int",
            FamilyKind::BigInt => "BigInt",
            FamilyKind::Float => "Float",
            FamilyKind::Decimal => "Decimal",
            FamilyKind::DateTime => "DateTime",
            FamilyKind::Json => "Json",
            FamilyKind::Bytes => "Bytes",
        }
    }

    fn family(self) -> TypeFamily {
        match self {
            FamilyKind::String => TypeFamily::String,
            FamilyKind::Boolean => TypeFamily::Boolean,
            FamilyKind::Int => TypeFamily::Int,
            FamilyKind::BigInt => TypeFamily::BigInt,
            FamilyKind::Float => TypeFamily::Float,
            FamilyKind::Decimal => TypeFamily::Decimal,
            FamilyKind::DateTime => TypeFamily::DateTime,
            FamilyKind::Json => TypeFamily::Json,
            FamilyKind::Bytes => TypeFamily::Bytes,
        }
    }
}

const fn spec(
    name: &'static str,
    family: FamilyKind,
    sql: &'static str,
    args: Args,
) -> NativeTypeSpec {
    NativeTypeSpec {
        name,
        family,
        sql,
        args,
    }
}

/// Every native type Prisma supports on PostgreSQL.
const NATIVE_TYPES: &[NativeTypeSpec] = &[
    spec(
        "VarChar",
        FamilyKind::String,
        "VARCHAR",
        Args::Length { positive: false },
    ),
    spec(
        "Char",
        FamilyKind::String,
        "CHAR",
        Args::Length { positive: false },
    ),
    spec("Text", FamilyKind::String, "TEXT", Args::None),
    spec("Uuid", FamilyKind::String, "UUID", Args::None),
    spec("Citext", FamilyKind::String, "CITEXT", Args::None),
    spec("Inet", FamilyKind::String, "INET", Args::None),
    spec("Xml", FamilyKind::String, "XML", Args::None),
    spec(
        "Bit",
        FamilyKind::String,
        "BIT",
        Args::Length { positive: true },
    ),
    spec(
        "VarBit",
        FamilyKind::String,
        "VARBIT",
        Args::Length { positive: true },
    ),
    spec("SmallInt", FamilyKind::Int, "SMALLINT", Args::None),
    spec("Integer", FamilyKind::Int, "INTEGER", Args::None),
    spec("Oid", FamilyKind::Int, "OID", Args::None),
    spec("BigInt", FamilyKind::BigInt, "BIGINT", Args::None),
    spec("Real", FamilyKind::Float, "REAL", Args::None),
    spec(
        "DoublePrecision",
        FamilyKind::Float,
        "DOUBLE PRECISION",
        Args::None,
    ),
    spec(
        "Decimal",
        FamilyKind::Decimal,
        "DECIMAL",
        Args::PrecisionScale,
    ),
    spec("Money", FamilyKind::Decimal, "MONEY", Args::None),
    spec(
        "Timestamp",
        FamilyKind::DateTime,
        "TIMESTAMP",
        Args::Precision,
    ),
    spec(
        "Timestamptz",
        FamilyKind::DateTime,
        "TIMESTAMPTZ",
        Args::Precision,
    ),
    spec("Date", FamilyKind::DateTime, "DATE", Args::None),
    spec("Time", FamilyKind::DateTime, "TIME", Args::Precision),
    spec("Timetz", FamilyKind::DateTime, "TIMETZ", Args::Precision),
    spec("Json", FamilyKind::Json, "JSON", Args::None),
    spec("JsonB", FamilyKind::Json, "JSONB", Args::None),
    spec("ByteA", FamilyKind::Bytes, "BYTEA", Args::None),
    spec("Boolean", FamilyKind::Boolean, "BOOLEAN", Args::None),
];

/// Lowers `@db.<name>(<args>)` on a field of `family`, with Prisma's error messages.
fn native_type(family: &TypeFamily, attr: &NativeTypeAttr) -> Result<ColumnType, String> {
    let Some(spec) = NATIVE_TYPES.iter().find(|spec| spec.name == attr.name) else {
        return Err(format!(
            "Native type {} is not supported for postgresql connector.",
            attr.name
        ));
    };
    let declared = FamilyKind::of(family);
    if declared != Some(spec.family) {
        let declared = declared.map_or("Unsupported", FamilyKind::prisma_name);
        return Err(format!(
            "Native type {} is not compatible with declared field type {declared}, expected field \
             type {}.",
            spec.name,
            spec.family.prisma_name()
        ));
    }
    let args = &attr.args;
    let raw_args = format!("({})", args.join(","));
    let native = match spec.args {
        Args::None => {
            if !args.is_empty() {
                return Err(format!(
                    "Function \"{}\" takes 0 arguments, but received {}.",
                    spec.name,
                    args.len()
                ));
            }
            spec.sql.to_owned()
        }
        Args::Length { positive } => match one_optional_number(spec.name, args, &raw_args)? {
            None => spec.sql.to_owned(),
            Some(0) if positive => {
                return Err(format!(
                    "Argument M is out of range for native type `{}(0)` of Postgres: M must be \
                     a positive integer.",
                    spec.name
                ));
            }
            Some(length) => format!("{}({length})", spec.sql),
        },
        Args::Precision => match one_optional_number(spec.name, args, &raw_args)? {
            None => spec.sql.to_owned(),
            Some(precision) if precision > 6 => {
                return Err(format!(
                    "Argument M is out of range for native type `{}({precision})` of Postgres: M \
                     can range from 0 to 6.",
                    spec.name
                ));
            }
            Some(precision) => format!("{}({precision})", spec.sql),
        },
        Args::PrecisionScale => match args.as_slice() {
            [] => spec.sql.to_owned(),
            [precision, scale] => {
                let (Some(precision), Some(scale)) = (parse_number(precision), parse_number(scale))
                else {
                    return Err(format!(
                        "Expected two nonnegative integers, but found {raw_args}."
                    ));
                };
                if precision == 0 || precision > 1000 {
                    return Err(format!(
                        "Argument M is out of range for native type `{}({precision},{scale})` \
                         of Postgres: Precision must be positive with a maximum value of 1000.",
                        spec.name
                    ));
                }
                if scale > precision {
                    return Err(format!(
                        "The scale must not be larger than the precision for the \
                         {}({precision},{scale}) native type in Postgres.",
                        spec.name
                    ));
                }
                format!("{}({precision},{scale})", spec.sql)
            }
            [_] => {
                return Err(format!(
                    "Expected two nonnegative integers, but found {raw_args}."
                ));
            }
            _ => {
                return Err(format!(
                    "Native type {} takes 2 optional arguments, but received {}.",
                    spec.name,
                    args.len()
                ));
            }
        },
    };
    Ok(ColumnType::new(spec.family.family(), native))
}

/// The single optional numeric argument of `name`, if given.
fn one_optional_number(name: &str, args: &[String], raw_args: &str) -> Result<Option<u32>, String> {
    match args {
        [] => Ok(None),
        [arg] => parse_number(arg)
            .map(Some)
            .ok_or_else(|| format!("Expected a nonnegative integer, but found {raw_args}.")),
        _ => Err(format!(
            "Native type {name} takes 1 optional arguments, but received {}.",
            args.len()
        )),
    }
}

fn parse_number(arg: &str) -> Option<u32> {
    let arg = arg.trim();
    if arg.is_empty() || !arg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    arg.parse().ok()
}

/// A column type as the catalog reports it, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogType {
    pub(crate) column_type: ColumnType,
    /// The type was an array (`text[]`): the column's arity is [`ColumnArity::List`].
    ///
    /// [`ColumnArity::List`]: drydock_schema::ColumnArity::List
    pub(crate) is_list: bool,
}

/// Canonical form of a column type reported by the PostgreSQL catalog
/// (`format_type(atttypid, atttypmod)`, e.g. `character varying(255)`,
/// `timestamp(3) without time zone`, `numeric(65,30)`, `text[]`).
///
/// The result equals what lowering produces for the same type: `VARCHAR(255)`, `TIMESTAMP(3)`,
/// `DECIMAL(65,30)`, `TEXT` with `is_list` set. `enum_type` is the enum the column's type refers
/// to, when the catalog says the type is an enum (`pg_type.typtype = 'e'`); its native spelling
/// is the enum's name. Types drydock does not map become [`TypeFamily::Unsupported`] with the
/// reported text kept verbatim (without array brackets), as `Unsupported("...")` lowers them.
pub(crate) fn canonical_type(raw: &str, enum_type: Option<&ObjectName>) -> CatalogType {
    let trimmed = raw.trim();
    let (base, is_list) = match trimmed.strip_suffix("[]") {
        Some(base) => (base.trim_end(), true),
        None => (trimmed, false),
    };
    let column_type = match enum_type {
        Some(name) => ColumnType::new(TypeFamily::Enum(name.clone()), name.name.clone()),
        None => canonical_scalar(base)
            .unwrap_or_else(|| ColumnType::new(TypeFamily::Unsupported, base.to_owned())),
    };
    CatalogType {
        column_type,
        is_list,
    }
}

/// The canonical type of a catalog spelling, or `None` for types drydock does not map.
fn canonical_scalar(raw: &str) -> Option<ColumnType> {
    let lower = raw.to_ascii_lowercase();
    let (name, args, suffix) = split_type(&lower)?;
    let with_args = |sql: &str| match &args {
        Some(args) => format!("{sql}({args})"),
        None => sql.to_owned(),
    };
    let zone = match suffix {
        "" | "without time zone" => false,
        "with time zone" => true,
        _ => return None,
    };
    let (family, native) = match (name, zone) {
        ("character varying" | "varchar", false) => (TypeFamily::String, with_args("VARCHAR")),
        ("character" | "char" | "bpchar", false) => (TypeFamily::String, with_args("CHAR")),
        ("text", false) if args.is_none() => (TypeFamily::String, "TEXT".to_owned()),
        ("uuid", false) if args.is_none() => (TypeFamily::String, "UUID".to_owned()),
        ("citext", false) if args.is_none() => (TypeFamily::String, "CITEXT".to_owned()),
        ("inet", false) if args.is_none() => (TypeFamily::String, "INET".to_owned()),
        ("xml", false) if args.is_none() => (TypeFamily::String, "XML".to_owned()),
        ("bit", false) => (TypeFamily::String, with_args("BIT")),
        ("bit varying" | "varbit", false) => (TypeFamily::String, with_args("VARBIT")),
        ("smallint" | "int2", false) if args.is_none() => (TypeFamily::Int, "SMALLINT".to_owned()),
        ("integer" | "int" | "int4", false) if args.is_none() => {
            (TypeFamily::Int, "INTEGER".to_owned())
        }
        ("oid", false) if args.is_none() => (TypeFamily::Int, "OID".to_owned()),
        ("bigint" | "int8", false) if args.is_none() => (TypeFamily::BigInt, "BIGINT".to_owned()),
        ("real" | "float4", false) if args.is_none() => (TypeFamily::Float, "REAL".to_owned()),
        ("double precision" | "float8", false) if args.is_none() => {
            (TypeFamily::Float, "DOUBLE PRECISION".to_owned())
        }
        ("numeric" | "decimal", false) => (TypeFamily::Decimal, with_args("DECIMAL")),
        ("money", false) if args.is_none() => (TypeFamily::Decimal, "MONEY".to_owned()),
        ("timestamp", false) => (TypeFamily::DateTime, with_args("TIMESTAMP")),
        ("timestamp", true) | ("timestamptz", false) => {
            (TypeFamily::DateTime, with_args("TIMESTAMPTZ"))
        }
        ("date", false) if args.is_none() => (TypeFamily::DateTime, "DATE".to_owned()),
        ("time", false) => (TypeFamily::DateTime, with_args("TIME")),
        ("time", true) | ("timetz", false) => (TypeFamily::DateTime, with_args("TIMETZ")),
        ("json", false) if args.is_none() => (TypeFamily::Json, "JSON".to_owned()),
        ("jsonb", false) if args.is_none() => (TypeFamily::Json, "JSONB".to_owned()),
        ("bytea", false) if args.is_none() => (TypeFamily::Bytes, "BYTEA".to_owned()),
        ("boolean" | "bool", false) if args.is_none() => {
            (TypeFamily::Boolean, "BOOLEAN".to_owned())
        }
        _ => return None,
    };
    Some(ColumnType::new(family, native))
}

/// Splits `timestamp(3) without time zone` into `("timestamp", Some("3"), "without time zone")`;
/// the arguments come back without spaces. `None` when the parentheses are unbalanced.
fn split_type(lower: &str) -> Option<(&str, Option<String>, &str)> {
    match lower.find('(') {
        None => {
            for suffix in ["without time zone", "with time zone"] {
                if let Some(name) = lower.strip_suffix(suffix) {
                    return Some((name.trim_end(), None, suffix));
                }
            }
            Some((lower, None, ""))
        }
        Some(open) => {
            let close = open + lower[open..].find(')')?;
            let args: String = lower[open + 1..close]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            Some((
                lower[..open].trim_end(),
                Some(args),
                lower[close + 1..].trim(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use drydock_schema::{LoweringRules, NativeTypeAttr, ObjectName, TypeFamily};

    use super::{PostgresTypes, canonical_type};

    fn lower(family: TypeFamily, name: &str, args: &[&str]) -> Result<String, String> {
        let attr = NativeTypeAttr {
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        };
        PostgresTypes
            .column_type(&family, Some(&attr))
            .map(|t| t.native)
    }

    #[test]
    fn scalar_defaults() {
        let cases = [
            (TypeFamily::String, "TEXT"),
            (TypeFamily::Boolean, "BOOLEAN"),
            (TypeFamily::Int, "INTEGER"),
            (TypeFamily::BigInt, "BIGINT"),
            (TypeFamily::Float, "DOUBLE PRECISION"),
            (TypeFamily::Decimal, "DECIMAL(65,30)"),
            (TypeFamily::DateTime, "TIMESTAMP(3)"),
            (TypeFamily::Json, "JSONB"),
            (TypeFamily::Bytes, "BYTEA"),
        ];
        for (family, native) in cases {
            let lowered = PostgresTypes.column_type(&family, None);
            assert_eq!(lowered.map(|t| t.native), Ok(native.to_owned()));
        }
    }

    #[test]
    fn native_type_attributes_reverse_lowering() {
        let rules = PostgresTypes;
        let column = |family, native: &str| drydock_schema::ColumnType::new(family, native);
        assert_eq!(
            rules.native_type_attribute(&column(TypeFamily::String, "TEXT")),
            None
        );
        for (family, native, attribute) in [
            (TypeFamily::String, "VARCHAR(255)", "VarChar(255)"),
            (TypeFamily::String, "VARCHAR", "VarChar"),
            (TypeFamily::Decimal, "DECIMAL(10,2)", "Decimal(10, 2)"),
            (TypeFamily::DateTime, "TIMESTAMPTZ(6)", "Timestamptz(6)"),
            (TypeFamily::String, "UUID", "Uuid"),
            (TypeFamily::Int, "SMALLINT", "SmallInt"),
        ] {
            let written = rules.native_type_attribute(&column(family.clone(), native));
            assert_eq!(written.as_deref(), Some(attribute), "{native}");
            // Lowering the attribute gives the type back.
            let (name, args) = attribute.split_once('(').unwrap_or((attribute, ""));
            let args: Vec<String> = args
                .trim_end_matches(')')
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect();
            let attr = NativeTypeAttr {
                name: name.to_owned(),
                args,
            };
            assert_eq!(
                rules
                    .column_type(&family, Some(&attr))
                    .map(|t| t.native)
                    .as_deref(),
                Ok(native)
            );
        }
    }

    #[test]
    fn native_types_are_canonical() {
        assert_eq!(
            lower(TypeFamily::String, "VarChar", &["255"]).as_deref(),
            Ok("VARCHAR(255)")
        );
        assert_eq!(
            lower(TypeFamily::String, "VarChar", &[]).as_deref(),
            Ok("VARCHAR")
        );
        assert_eq!(
            lower(TypeFamily::Decimal, "Decimal", &["10", " 2"]).as_deref(),
            Ok("DECIMAL(10,2)")
        );
        assert_eq!(
            lower(TypeFamily::DateTime, "Timestamptz", &["6"]).as_deref(),
            Ok("TIMESTAMPTZ(6)")
        );
        assert_eq!(
            lower(TypeFamily::Float, "DoublePrecision", &[]).as_deref(),
            Ok("DOUBLE PRECISION")
        );
        assert_eq!(
            lower(TypeFamily::Int, "SmallInt", &[]).as_deref(),
            Ok("SMALLINT")
        );
        assert_eq!(
            lower(TypeFamily::Decimal, "Money", &[]).as_deref(),
            Ok("MONEY")
        );
    }

    #[test]
    fn native_type_errors_use_prisma_wording() {
        let cases: [(TypeFamily, &str, &[&str], &str); 10] = [
            (
                TypeFamily::Int,
                "VarChar",
                &["3"],
                "Native type VarChar is not compatible with declared field type Int, expected \
                 field type String.",
            ),
            (
                TypeFamily::String,
                "VarChar",
                &["1", "2"],
                "Native type VarChar takes 1 optional arguments, but received 2.",
            ),
            (
                TypeFamily::String,
                "Foo",
                &[],
                "Native type Foo is not supported for postgresql connector.",
            ),
            (
                TypeFamily::String,
                "VarChar",
                &["x"],
                "Expected a nonnegative integer, but found (x).",
            ),
            (
                TypeFamily::Decimal,
                "Decimal",
                &["3"],
                "Expected two nonnegative integers, but found (3).",
            ),
            (
                TypeFamily::DateTime,
                "Timestamp",
                &["7"],
                "Argument M is out of range for native type `Timestamp(7)` of Postgres: M can \
                 range from 0 to 6.",
            ),
            (
                TypeFamily::String,
                "Uuid",
                &["3"],
                "Function \"Uuid\" takes 0 arguments, but received 1.",
            ),
            (
                TypeFamily::Decimal,
                "Decimal",
                &["1001", "2"],
                "Argument M is out of range for native type `Decimal(1001,2)` of Postgres: \
                 Precision must be positive with a maximum value of 1000.",
            ),
            (
                TypeFamily::Decimal,
                "Decimal",
                &["3", "5"],
                "The scale must not be larger than the precision for the Decimal(3,5) native \
                 type in Postgres.",
            ),
            (
                TypeFamily::String,
                "Bit",
                &["0"],
                "Argument M is out of range for native type `Bit(0)` of Postgres: M must be a \
                 positive integer.",
            ),
        ];
        for (family, name, args, message) in cases {
            assert_eq!(
                lower(family, name, args),
                Err(message.to_owned()),
                "@db.{name}"
            );
        }
    }

    #[test]
    fn catalog_spellings_match_lowering() {
        let cases = [
            (
                "character varying(255)",
                TypeFamily::String,
                "VARCHAR(255)",
                false,
            ),
            ("character varying", TypeFamily::String, "VARCHAR", false),
            ("character(1)", TypeFamily::String, "CHAR(1)", false),
            ("text[]", TypeFamily::String, "TEXT", true),
            (
                "timestamp(3) without time zone",
                TypeFamily::DateTime,
                "TIMESTAMP(3)",
                false,
            ),
            (
                "timestamp(6) with time zone",
                TypeFamily::DateTime,
                "TIMESTAMPTZ(6)",
                false,
            ),
            (
                "timestamp without time zone",
                TypeFamily::DateTime,
                "TIMESTAMP",
                false,
            ),
            (
                "time(6) with time zone",
                TypeFamily::DateTime,
                "TIMETZ(6)",
                false,
            ),
            ("integer", TypeFamily::Int, "INTEGER", false),
            ("integer[]", TypeFamily::Int, "INTEGER", true),
            (
                "numeric(65,30)",
                TypeFamily::Decimal,
                "DECIMAL(65,30)",
                false,
            ),
            (
                "numeric(10, 2)",
                TypeFamily::Decimal,
                "DECIMAL(10,2)",
                false,
            ),
            (
                "double precision",
                TypeFamily::Float,
                "DOUBLE PRECISION",
                false,
            ),
            ("bit varying(4)", TypeFamily::String, "VARBIT(4)", false),
            ("jsonb", TypeFamily::Json, "JSONB", false),
            ("bytea", TypeFamily::Bytes, "BYTEA", false),
            ("boolean", TypeFamily::Boolean, "BOOLEAN", false),
            ("money", TypeFamily::Decimal, "MONEY", false),
            ("circle", TypeFamily::Unsupported, "circle", false),
            (
                "geometry(Point,4326)",
                TypeFamily::Unsupported,
                "geometry(Point,4326)",
                false,
            ),
        ];
        for (raw, family, native, is_list) in cases {
            let canonical = canonical_type(raw, None);
            assert_eq!(canonical.column_type.family, family, "{raw}");
            assert_eq!(canonical.column_type.native, native, "{raw}");
            assert_eq!(canonical.is_list, is_list, "{raw}");
        }
    }

    #[test]
    fn catalog_and_lowering_agree_on_every_default() {
        let pairs = [
            (TypeFamily::String, "text"),
            (TypeFamily::Boolean, "boolean"),
            (TypeFamily::Int, "integer"),
            (TypeFamily::BigInt, "bigint"),
            (TypeFamily::Float, "double precision"),
            (TypeFamily::Decimal, "numeric(65,30)"),
            (TypeFamily::DateTime, "timestamp(3) without time zone"),
            (TypeFamily::Json, "jsonb"),
            (TypeFamily::Bytes, "bytea"),
        ];
        for (family, raw) in pairs {
            let lowered = PostgresTypes.column_type(&family, None);
            assert_eq!(lowered, Ok(canonical_type(raw, None).column_type), "{raw}");
        }
    }

    #[test]
    fn enums_keep_their_name() {
        let name = ObjectName::new(Some("other".to_owned()), "Role");
        let canonical = canonical_type("\"other\".\"Role\"[]", Some(&name));
        assert_eq!(canonical.column_type, PostgresTypes.enum_column_type(&name));
        assert!(canonical.is_list);
    }
}
