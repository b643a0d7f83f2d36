//! PostgreSQL lowering rules: the provider names, the identifier limit, the mapping of Prisma
//! scalar types and `@db.*` native types to canonical native spellings, and
//! [`canonical_type`], which turns what the catalog reports into the same spelling so that
//! lowered and introspected schemas compare equal.
//!
//! Canonical spelling: upper case, arguments without spaces (`VARCHAR(255)`, `DECIMAL(10,2)`,
//! `TIMESTAMPTZ(6)`), only the arguments that were given (`@db.VarChar` is `VARCHAR`), no array
//! brackets (list-ness is the column's arity).

use drydock_schema::{ColumnType, Enum, LoweringRules, NativeTypeAttr, ObjectName, TypeFamily};

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

    fn enum_column_type(&self, enum_type: &Enum) -> ColumnType {
        ColumnType::new(
            TypeFamily::Enum(enum_type.object_name()),
            enum_type.name.clone(),
        )
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

/// How many arguments a native type takes at most (`Decimal` takes both or neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Args {
    None,
    One,
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
    spec("VarChar", FamilyKind::String, "VARCHAR", Args::One),
    spec("Char", FamilyKind::String, "CHAR", Args::One),
    spec("Text", FamilyKind::String, "TEXT", Args::None),
    spec("Uuid", FamilyKind::String, "UUID", Args::None),
    spec("Citext", FamilyKind::String, "CITEXT", Args::None),
    spec("Inet", FamilyKind::String, "INET", Args::None),
    spec("Xml", FamilyKind::String, "XML", Args::None),
    spec("Bit", FamilyKind::String, "BIT", Args::One),
    spec("VarBit", FamilyKind::String, "VARBIT", Args::One),
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
    spec("Timestamp", FamilyKind::DateTime, "TIMESTAMP", Args::One),
    spec(
        "Timestamptz",
        FamilyKind::DateTime,
        "TIMESTAMPTZ",
        Args::One,
    ),
    spec("Date", FamilyKind::DateTime, "DATE", Args::None),
    spec("Time", FamilyKind::DateTime, "TIME", Args::One),
    spec("Timetz", FamilyKind::DateTime, "TIMETZ", Args::One),
    spec("Json", FamilyKind::Json, "JSON", Args::None),
    spec("JsonB", FamilyKind::Json, "JSONB", Args::None),
    spec("ByteA", FamilyKind::Bytes, "BYTEA", Args::None),
    spec("Boolean", FamilyKind::Boolean, "BOOLEAN", Args::None),
];

/// Lowers `@db.<name>(<args>)` on a field of `family`. Validation has already checked the
/// name, the number and range of the arguments and the field type with Prisma's texts
/// (`drydock_psl`'s native type checks), so this only spells the type; a datamodel lowered
/// without validation still gets an error rather than a made-up type.
fn native_type(family: &TypeFamily, attr: &NativeTypeAttr) -> Result<ColumnType, String> {
    let spec = NATIVE_TYPES
        .iter()
        .find(|spec| spec.name == attr.name && Some(spec.family) == FamilyKind::of(family));
    let numbers: Option<Vec<u32>> = attr.args.iter().map(|arg| parse_number(arg)).collect();
    let (Some(spec), Some(numbers)) = (spec, numbers) else {
        return Err(invalid(family, attr));
    };
    let fits = match spec.args {
        Args::None => numbers.is_empty(),
        Args::One => numbers.len() <= 1,
        Args::PrecisionScale => matches!(numbers.len(), 0 | 2),
    };
    if !fits {
        return Err(invalid(family, attr));
    }
    let native = match numbers.as_slice() {
        [] => spec.sql.to_owned(),
        numbers => format!(
            "{}({})",
            spec.sql,
            numbers
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    Ok(ColumnType::new(spec.family.family(), native))
}

/// The error for a native type attribute validation would have rejected.
fn invalid(family: &TypeFamily, attr: &NativeTypeAttr) -> String {
    let declared = FamilyKind::of(family).map_or("Unsupported", FamilyKind::prisma_name);
    format!(
        "Native type {}({}) does not fit a {declared} field on PostgreSQL; validate the schema \
         for details.",
        attr.name,
        attr.args.join(", ")
    )
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
    use drydock_schema::{Enum, LoweringRules, NativeTypeAttr, TypeFamily};

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

    /// Validation reports these with Prisma's texts; lowering an unvalidated datamodel still
    /// refuses them instead of writing a type.
    #[test]
    fn lowering_refuses_what_validation_rejects() {
        let cases: [(TypeFamily, &str, &[&str]); 6] = [
            (TypeFamily::Int, "VarChar", &["3"]),
            (TypeFamily::String, "VarChar", &["1", "2"]),
            (TypeFamily::String, "Foo", &[]),
            (TypeFamily::String, "VarChar", &["x"]),
            (TypeFamily::Decimal, "Decimal", &["3"]),
            (TypeFamily::String, "Uuid", &["3"]),
        ];
        for (family, name, args) in cases {
            let message = lower(family, name, args).expect_err(name);
            assert!(
                message.starts_with(&format!("Native type {name}({})", args.join(", ")))
                    && message.ends_with("validate the schema for details."),
                "{message}"
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
        let role = Enum {
            namespace: Some("other".to_owned()),
            name: "Role".to_owned(),
            values: vec!["USER".to_owned()],
        };
        let canonical = canonical_type("\"other\".\"Role\"[]", Some(&role.object_name()));
        assert_eq!(canonical.column_type, PostgresTypes.enum_column_type(&role));
        assert!(canonical.is_list);
    }
}
