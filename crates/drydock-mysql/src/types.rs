//! MySQL and MariaDB lowering rules: the provider name, the identifier limit, the column type
//! of each Prisma scalar type and `@db.*` native type as Prisma's MySQL connector lowers them,
//! and [`MySqlType`], a column type parsed once from its text, so that the renderer and the
//! diff hooks read arguments instead of re-parsing strings.
//!
//! Canonical spelling ([`ColumnType::native`]): upper case, arguments without spaces
//! (`VARCHAR(191)`, `DECIMAL(65,30)`, `DATETIME(3)`), `UNSIGNED` after the integer type
//! (`INTEGER UNSIGNED`), `BOOLEAN` for the `TINYINT(1)` MySQL reports for booleans, and an enum
//! column's values inline (`ENUM('USER','ADMIN')`): MySQL has no enum types, each column
//! carries its values. [`canonical_type`] turns what `information_schema.COLUMNS.COLUMN_TYPE`
//! reports into the same spelling, so lowered and introspected schemas compare equal.

use std::fmt::Write as _;

use drydock_schema::{ColumnType, Enum, LoweringRules, NativeTypeAttr, ObjectName, TypeFamily};

/// The provider name written to `migration_lock.toml`.
pub const PROVIDER: &str = "mysql";

/// Longest identifier MySQL and MariaDB keep, in characters; Prisma counts bytes.
const MAX_IDENTIFIER_LENGTH: usize = 64;

/// The lowering rules of MySQL and MariaDB.
#[derive(Debug, Default, Clone, Copy)]
pub struct MySqlTypes;

impl LoweringRules for MySqlTypes {
    fn providers(&self) -> &'static [&'static str] {
        &[PROVIDER]
    }

    fn max_identifier_length(&self) -> usize {
        MAX_IDENTIFIER_LENGTH
    }

    fn column_type(
        &self,
        family: &TypeFamily,
        native: Option<&NativeTypeAttr>,
    ) -> Result<ColumnType, String> {
        let mysql_type = match native {
            None => default_type(family)
                .ok_or_else(|| format!("No default MySQL type for {family:?} columns."))?,
            Some(attr) => native_type(family, attr)?,
        };
        Ok(ColumnType::new(family.clone(), mysql_type.to_string()))
    }

    fn enum_column_type(&self, enum_type: &Enum) -> ColumnType {
        ColumnType::new(
            TypeFamily::Enum(enum_type.object_name()),
            MySqlType::Enum(enum_type.values.clone()).to_string(),
        )
    }

    fn native_enums(&self) -> bool {
        false
    }

    fn scalar_lists(&self) -> bool {
        false
    }

    fn named_primary_keys(&self) -> bool {
        false
    }

    fn join_table_primary_key(&self) -> bool {
        false
    }

    fn foreign_keys_indexed(&self) -> bool {
        true
    }

    fn inline_enum_values(&self, column_type: &ColumnType) -> Option<Vec<String>> {
        match (&column_type.family, MySqlType::parse(&column_type.native)?) {
            (TypeFamily::Enum(_), MySqlType::Enum(values)) => Some(values),
            _ => None,
        }
    }

    fn native_type_attribute(&self, column_type: &ColumnType) -> Option<String> {
        let family = &column_type.family;
        let parsed = MySqlType::parse(&column_type.native)?;
        if default_type(family).as_ref() == Some(&parsed) {
            return None;
        }
        let (name, args) = parsed.attribute()?;
        // A `TINYINT(1)` boolean is `@db.TinyInt`; on an Int field it would be a boolean.
        if parsed == MySqlType::Boolean && *family != TypeFamily::Boolean {
            return None;
        }
        let spec = NATIVE_TYPES
            .iter()
            .find(|spec| spec.name == name && spec.fits(family))?;
        Some(match args.as_slice() {
            [] => spec.name.to_owned(),
            // Prisma separates arguments with a comma and a space.
            args => format!(
                "{}({})",
                spec.name,
                args.iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }
}

/// A MySQL column type, parsed from its text once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MySqlType {
    TinyInt {
        unsigned: bool,
    },
    SmallInt {
        unsigned: bool,
    },
    MediumInt {
        unsigned: bool,
    },
    Int {
        unsigned: bool,
    },
    BigInt {
        unsigned: bool,
    },
    /// `TINYINT(1)`, spelled `BOOLEAN`.
    Boolean,
    Year,
    /// Precision and scale, when given.
    Decimal(Option<(u32, u32)>),
    Float,
    Double,
    Bit(u32),
    Char(u32),
    VarChar(u32),
    TinyText,
    Text,
    MediumText,
    LongText,
    Binary(u32),
    VarBinary(u32),
    TinyBlob,
    Blob,
    MediumBlob,
    LongBlob,
    Date,
    /// Fractional seconds precision, when given.
    Time(Option<u32>),
    DateTime(Option<u32>),
    Timestamp(Option<u32>),
    Json,
    /// The values of an inline `ENUM(...)`, in order.
    Enum(Vec<String>),
}

impl std::fmt::Display for MySqlType {
    /// The canonical spelling (see the module documentation).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unsigned = |u: bool| if u { " UNSIGNED" } else { "" };
        let precision = |p: &Option<u32>| p.map(|p| format!("({p})")).unwrap_or_default();
        match self {
            MySqlType::TinyInt { unsigned: u } => write!(f, "TINYINT{}", unsigned(*u)),
            MySqlType::SmallInt { unsigned: u } => write!(f, "SMALLINT{}", unsigned(*u)),
            MySqlType::MediumInt { unsigned: u } => write!(f, "MEDIUMINT{}", unsigned(*u)),
            MySqlType::Int { unsigned: u } => write!(f, "INTEGER{}", unsigned(*u)),
            MySqlType::BigInt { unsigned: u } => write!(f, "BIGINT{}", unsigned(*u)),
            MySqlType::Boolean => f.write_str("BOOLEAN"),
            MySqlType::Year => f.write_str("YEAR"),
            MySqlType::Decimal(None) => f.write_str("DECIMAL"),
            MySqlType::Decimal(Some((p, s))) => write!(f, "DECIMAL({p},{s})"),
            MySqlType::Float => f.write_str("FLOAT"),
            MySqlType::Double => f.write_str("DOUBLE"),
            MySqlType::Bit(n) => write!(f, "BIT({n})"),
            MySqlType::Char(n) => write!(f, "CHAR({n})"),
            MySqlType::VarChar(n) => write!(f, "VARCHAR({n})"),
            MySqlType::TinyText => f.write_str("TINYTEXT"),
            MySqlType::Text => f.write_str("TEXT"),
            MySqlType::MediumText => f.write_str("MEDIUMTEXT"),
            MySqlType::LongText => f.write_str("LONGTEXT"),
            MySqlType::Binary(n) => write!(f, "BINARY({n})"),
            MySqlType::VarBinary(n) => write!(f, "VARBINARY({n})"),
            MySqlType::TinyBlob => f.write_str("TINYBLOB"),
            MySqlType::Blob => f.write_str("BLOB"),
            MySqlType::MediumBlob => f.write_str("MEDIUMBLOB"),
            MySqlType::LongBlob => f.write_str("LONGBLOB"),
            MySqlType::Date => f.write_str("DATE"),
            MySqlType::Time(p) => write!(f, "TIME{}", precision(p)),
            MySqlType::DateTime(p) => write!(f, "DATETIME{}", precision(p)),
            MySqlType::Timestamp(p) => write!(f, "TIMESTAMP{}", precision(p)),
            MySqlType::Json => f.write_str("JSON"),
            MySqlType::Enum(values) => {
                f.write_str("ENUM(")?;
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "'{}'", value.replace('\'', "''"))?;
                }
                f.write_char(')')
            }
        }
    }
}

impl MySqlType {
    /// Parses a canonical spelling or one MySQL or MariaDB reports (`int(11) unsigned`,
    /// `tinyint(1)`, `decimal(65,30)`, `enum('a','b')`, `bool`); `None` for types drydock does
    /// not map.
    pub fn parse(text: &str) -> Option<MySqlType> {
        let text = text.trim();
        let (name, args, rest) = split(text)?;
        let name = name.to_ascii_lowercase();
        if name == "enum" {
            if !rest.trim().is_empty() {
                return None;
            }
            return Some(MySqlType::Enum(enum_values(args?)?));
        }
        let rest = rest.trim().to_ascii_lowercase();
        let unsigned = match rest.as_str() {
            "" => false,
            "unsigned" | "unsigned zerofill" => true,
            _ => return None,
        };
        let numbers: Vec<u32> = match args {
            Some(args) => args
                .split(',')
                .map(|a| a.trim().parse().ok())
                .collect::<Option<_>>()?,
            None => Vec::new(),
        };
        let integer = matches!(
            name.as_str(),
            "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
        );
        if unsigned && !integer {
            return None;
        }
        let one = || match numbers.as_slice() {
            [n] => Some(*n),
            _ => None,
        };
        let optional = || match numbers.as_slice() {
            [] => Some(None),
            [n] => Some(Some(*n)),
            _ => None,
        };
        let none = numbers.is_empty();
        Some(match name.as_str() {
            // MySQL 5.7 and MariaDB report a display width (`int(11)`); it means nothing to a
            // value. `TINYINT(1)` alone is MySQL's boolean.
            "tinyint" if !unsigned && numbers == [1] => MySqlType::Boolean,
            "bool" | "boolean" if none => MySqlType::Boolean,
            "tinyint" => MySqlType::TinyInt { unsigned },
            "smallint" => MySqlType::SmallInt { unsigned },
            "mediumint" => MySqlType::MediumInt { unsigned },
            "int" | "integer" => MySqlType::Int { unsigned },
            "bigint" => MySqlType::BigInt { unsigned },
            "year" => MySqlType::Year,
            "decimal" | "numeric" => MySqlType::Decimal(match numbers.as_slice() {
                [] => None,
                [p] => Some((*p, 0)),
                [p, s] => Some((*p, *s)),
                _ => return None,
            }),
            "float" if none => MySqlType::Float,
            "double" | "double precision" | "real" if none => MySqlType::Double,
            "bit" => MySqlType::Bit(one().unwrap_or(1)),
            "char" => MySqlType::Char(one().unwrap_or(1)),
            "varchar" => MySqlType::VarChar(one()?),
            "tinytext" if none => MySqlType::TinyText,
            "text" if none => MySqlType::Text,
            "mediumtext" if none => MySqlType::MediumText,
            "longtext" if none => MySqlType::LongText,
            "binary" => MySqlType::Binary(one().unwrap_or(1)),
            "varbinary" => MySqlType::VarBinary(one()?),
            "tinyblob" if none => MySqlType::TinyBlob,
            "blob" if none => MySqlType::Blob,
            "mediumblob" if none => MySqlType::MediumBlob,
            "longblob" if none => MySqlType::LongBlob,
            "date" if none => MySqlType::Date,
            "time" => MySqlType::Time(optional()?),
            "datetime" => MySqlType::DateTime(optional()?),
            "timestamp" => MySqlType::Timestamp(optional()?),
            "json" if none => MySqlType::Json,
            _ => return None,
        })
    }

    /// The type family Prisma gives a column of this type when reading a database.
    pub fn family(&self) -> TypeFamily {
        match self {
            MySqlType::Boolean => TypeFamily::Boolean,
            MySqlType::TinyInt { .. }
            | MySqlType::SmallInt { .. }
            | MySqlType::MediumInt { .. }
            | MySqlType::Int { .. }
            | MySqlType::Year => TypeFamily::Int,
            MySqlType::BigInt { .. } => TypeFamily::BigInt,
            MySqlType::Decimal(_) => TypeFamily::Decimal,
            MySqlType::Float | MySqlType::Double => TypeFamily::Float,
            MySqlType::Char(_)
            | MySqlType::VarChar(_)
            | MySqlType::TinyText
            | MySqlType::Text
            | MySqlType::MediumText
            | MySqlType::LongText => TypeFamily::String,
            MySqlType::Bit(1) => TypeFamily::Boolean,
            MySqlType::Bit(_)
            | MySqlType::Binary(_)
            | MySqlType::VarBinary(_)
            | MySqlType::TinyBlob
            | MySqlType::Blob
            | MySqlType::MediumBlob
            | MySqlType::LongBlob => TypeFamily::Bytes,
            MySqlType::Date
            | MySqlType::Time(_)
            | MySqlType::DateTime(_)
            | MySqlType::Timestamp(_) => TypeFamily::DateTime,
            MySqlType::Json => TypeFamily::Json,
            MySqlType::Enum(_) => TypeFamily::Unsupported,
        }
    }

    /// The fractional seconds precision `CURRENT_TIMESTAMP` takes on a column of this type.
    pub fn timestamp_precision(&self) -> Option<u32> {
        match self {
            MySqlType::Time(p) | MySqlType::DateTime(p) | MySqlType::Timestamp(p) => *p,
            _ => None,
        }
    }

    /// The type as Prisma's MySQL renderer writes it: canonical, but a decimal's arguments
    /// separated by a comma and a space (`DECIMAL(65, 30)`), enum values too.
    pub fn to_prisma_sql(&self) -> String {
        match self {
            MySqlType::Decimal(Some((p, s))) => format!("DECIMAL({p}, {s})"),
            MySqlType::Enum(values) => {
                let quoted: Vec<String> = values
                    .iter()
                    .map(|v| format!("'{}'", v.replace('\'', "''")))
                    .collect();
                format!("ENUM({})", quoted.join(", "))
            }
            other => other.to_string(),
        }
    }

    /// The `@db.*` attribute name and arguments of this type; `None` for enums.
    fn attribute(&self) -> Option<(&'static str, Vec<u32>)> {
        Some(match self {
            MySqlType::TinyInt { unsigned: false } | MySqlType::Boolean => ("TinyInt", vec![]),
            MySqlType::TinyInt { unsigned: true } => ("UnsignedTinyInt", vec![]),
            MySqlType::SmallInt { unsigned: false } => ("SmallInt", vec![]),
            MySqlType::SmallInt { unsigned: true } => ("UnsignedSmallInt", vec![]),
            MySqlType::MediumInt { unsigned: false } => ("MediumInt", vec![]),
            MySqlType::MediumInt { unsigned: true } => ("UnsignedMediumInt", vec![]),
            MySqlType::Int { unsigned: false } => ("Int", vec![]),
            MySqlType::Int { unsigned: true } => ("UnsignedInt", vec![]),
            MySqlType::BigInt { unsigned: false } => ("BigInt", vec![]),
            MySqlType::BigInt { unsigned: true } => ("UnsignedBigInt", vec![]),
            MySqlType::Year => ("Year", vec![]),
            MySqlType::Decimal(args) => {
                ("Decimal", args.map(|(p, s)| vec![p, s]).unwrap_or_default())
            }
            MySqlType::Float => ("Float", vec![]),
            MySqlType::Double => ("Double", vec![]),
            MySqlType::Bit(n) => ("Bit", vec![*n]),
            MySqlType::Char(n) => ("Char", vec![*n]),
            MySqlType::VarChar(n) => ("VarChar", vec![*n]),
            MySqlType::TinyText => ("TinyText", vec![]),
            MySqlType::Text => ("Text", vec![]),
            MySqlType::MediumText => ("MediumText", vec![]),
            MySqlType::LongText => ("LongText", vec![]),
            MySqlType::Binary(n) => ("Binary", vec![*n]),
            MySqlType::VarBinary(n) => ("VarBinary", vec![*n]),
            MySqlType::TinyBlob => ("TinyBlob", vec![]),
            MySqlType::Blob => ("Blob", vec![]),
            MySqlType::MediumBlob => ("MediumBlob", vec![]),
            MySqlType::LongBlob => ("LongBlob", vec![]),
            MySqlType::Date => ("Date", vec![]),
            // The server reports a precision for every time type (0 when none was given), and
            // Prisma writes it.
            MySqlType::Time(p) => ("Time", vec![p.unwrap_or(0)]),
            MySqlType::DateTime(p) => ("DateTime", vec![p.unwrap_or(0)]),
            MySqlType::Timestamp(p) => ("Timestamp", vec![p.unwrap_or(0)]),
            MySqlType::Json => ("Json", vec![]),
            MySqlType::Enum(_) => return None,
        })
    }
}

/// `name(args) rest` → `(name, Some(args), rest)`; `None` when the parentheses do not close.
/// Quoted enum values may hold parentheses and commas.
fn split(text: &str) -> Option<(&str, Option<&str>, &str)> {
    let Some(open) = text.find('(') else {
        // `int unsigned`, `double precision`
        return Some(match text.split_once(' ') {
            Some((name, rest)) if rest.eq_ignore_ascii_case("unsigned") => (name, None, rest),
            Some((name, rest)) if rest.eq_ignore_ascii_case("unsigned zerofill") => {
                (name, None, rest)
            }
            _ => (text, None, ""),
        });
    };
    let mut quoted = false;
    let bytes = text.as_bytes();
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b')' if !quoted => {
                return Some((
                    text[..open].trim_end(),
                    Some(&text[open + 1..i]),
                    &text[i + 1..],
                ));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The values of `'a','b'` (`''` is a quote inside a value; MySQL reports them so).
fn enum_values(args: &str) -> Option<Vec<String>> {
    let mut values = Vec::new();
    let mut chars = args.trim().chars().peekable();
    while chars.peek().is_some() {
        if chars.next()? != '\'' {
            return None;
        }
        let mut value = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                c => value.push(c),
            }
        }
        values.push(value);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some(',') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(_) => return None,
        }
    }
    Some(values)
}

/// Canonical form of a column type as `information_schema.COLUMNS.COLUMN_TYPE` reports it.
/// An enum column is named `{table}_{column}`, as Prisma names the enums it reads from MySQL.
/// Types drydock does not map become [`TypeFamily::Unsupported`] with the text kept verbatim.
pub fn canonical_type(raw: &str, table: &str, column: &str) -> ColumnType {
    match MySqlType::parse(raw) {
        Some(MySqlType::Enum(values)) => ColumnType::new(
            TypeFamily::Enum(ObjectName::new(None, format!("{table}_{column}"))),
            MySqlType::Enum(values).to_string(),
        ),
        Some(parsed) => ColumnType::new(parsed.family(), parsed.to_string()),
        None => ColumnType::new(TypeFamily::Unsupported, raw.trim()),
    }
}

/// The type of a scalar family without `@db.*`, as Prisma's MySQL connector picks it.
fn default_type(family: &TypeFamily) -> Option<MySqlType> {
    Some(match family {
        TypeFamily::String => MySqlType::VarChar(191),
        TypeFamily::Boolean => MySqlType::Boolean,
        TypeFamily::Int => MySqlType::Int { unsigned: false },
        TypeFamily::BigInt => MySqlType::BigInt { unsigned: false },
        TypeFamily::Float => MySqlType::Double,
        TypeFamily::Decimal => MySqlType::Decimal(Some((65, 30))),
        TypeFamily::DateTime => MySqlType::DateTime(Some(3)),
        TypeFamily::Json => MySqlType::Json,
        TypeFamily::Bytes => MySqlType::LongBlob,
        TypeFamily::Enum(_) | TypeFamily::Unsupported => return None,
    })
}

/// How many numeric arguments a native type takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Args {
    None,
    /// Exactly one (`VarChar(191)`).
    One,
    /// None or one (`DateTime(3)`).
    OptionalOne,
    /// None or both (`Decimal(10, 2)`).
    PrecisionScale,
}

/// One `@db.*` native type of Prisma's MySQL connector: its name, the scalar families it
/// applies to and its arguments.
struct NativeTypeSpec {
    name: &'static str,
    families: &'static [TypeFamily],
    args: Args,
}

impl NativeTypeSpec {
    fn fits(&self, family: &TypeFamily) -> bool {
        self.families.contains(family)
    }
}

const fn spec(name: &'static str, families: &'static [TypeFamily], args: Args) -> NativeTypeSpec {
    NativeTypeSpec {
        name,
        families,
        args,
    }
}

use TypeFamily as K;

/// Every native type Prisma supports on MySQL.
const NATIVE_TYPES: &[NativeTypeSpec] = &[
    spec("Int", &[K::Int], Args::None),
    spec("UnsignedInt", &[K::Int], Args::None),
    spec("SmallInt", &[K::Int], Args::None),
    spec("UnsignedSmallInt", &[K::Int], Args::None),
    spec("TinyInt", &[K::Boolean, K::Int], Args::None),
    spec("UnsignedTinyInt", &[K::Boolean, K::Int], Args::None),
    spec("MediumInt", &[K::Int], Args::None),
    spec("UnsignedMediumInt", &[K::Int], Args::None),
    spec("BigInt", &[K::BigInt], Args::None),
    spec("UnsignedBigInt", &[K::BigInt], Args::None),
    spec("Decimal", &[K::Decimal], Args::PrecisionScale),
    spec("Float", &[K::Float], Args::None),
    spec("Double", &[K::Float], Args::None),
    spec("Bit", &[K::Boolean, K::Bytes], Args::One),
    spec("Char", &[K::String], Args::One),
    spec("VarChar", &[K::String], Args::One),
    spec("Binary", &[K::Bytes], Args::One),
    spec("VarBinary", &[K::Bytes], Args::One),
    spec("TinyBlob", &[K::Bytes], Args::None),
    spec("Blob", &[K::Bytes], Args::None),
    spec("MediumBlob", &[K::Bytes], Args::None),
    spec("LongBlob", &[K::Bytes], Args::None),
    spec("TinyText", &[K::String], Args::None),
    spec("Text", &[K::String], Args::None),
    spec("MediumText", &[K::String], Args::None),
    spec("LongText", &[K::String], Args::None),
    spec("Date", &[K::DateTime], Args::None),
    spec("Time", &[K::DateTime], Args::OptionalOne),
    spec("DateTime", &[K::DateTime], Args::OptionalOne),
    spec("Timestamp", &[K::DateTime], Args::OptionalOne),
    spec("Year", &[K::Int], Args::None),
    spec("Json", &[K::Json], Args::None),
];

/// Lowers `@db.<name>(<args>)` on a field of `family`. Validation has already checked names,
/// arguments and field types with Prisma's texts (`drydock_psl`'s native type checks); this
/// only builds the type, and still refuses what validation would have rejected.
fn native_type(family: &TypeFamily, attr: &NativeTypeAttr) -> Result<MySqlType, String> {
    let invalid = || {
        format!(
            "Native type {}({}) does not fit a {family:?} field on MySQL; validate the schema \
             for details.",
            attr.name,
            attr.args.join(", ")
        )
    };
    let spec = NATIVE_TYPES
        .iter()
        .find(|spec| spec.name == attr.name && spec.fits(family))
        .ok_or_else(invalid)?;
    let numbers: Vec<u32> = attr
        .args
        .iter()
        .map(|arg| arg.trim().parse().ok())
        .collect::<Option<_>>()
        .ok_or_else(invalid)?;
    let (one, optional) = match (spec.args, numbers.as_slice()) {
        (Args::None, []) | (Args::PrecisionScale, [] | [_, _]) => (0, None),
        (Args::One, [n]) => (*n, None),
        (Args::OptionalOne, []) => (0, None),
        (Args::OptionalOne, [n]) => (0, Some(*n)),
        _ => return Err(invalid()),
    };
    let boolean = *family == TypeFamily::Boolean;
    Ok(match spec.name {
        // Prisma's boolean is a `TINYINT(1)`, written `BOOLEAN`.
        "TinyInt" if boolean => MySqlType::Boolean,
        "TinyInt" => MySqlType::TinyInt { unsigned: false },
        "UnsignedTinyInt" => MySqlType::TinyInt { unsigned: true },
        "Int" => MySqlType::Int { unsigned: false },
        "UnsignedInt" => MySqlType::Int { unsigned: true },
        "SmallInt" => MySqlType::SmallInt { unsigned: false },
        "UnsignedSmallInt" => MySqlType::SmallInt { unsigned: true },
        "MediumInt" => MySqlType::MediumInt { unsigned: false },
        "UnsignedMediumInt" => MySqlType::MediumInt { unsigned: true },
        "BigInt" => MySqlType::BigInt { unsigned: false },
        "UnsignedBigInt" => MySqlType::BigInt { unsigned: true },
        "Decimal" => MySqlType::Decimal(match numbers.as_slice() {
            [p, s] => Some((*p, *s)),
            _ => None,
        }),
        "Float" => MySqlType::Float,
        "Double" => MySqlType::Double,
        "Bit" => MySqlType::Bit(one),
        "Char" => MySqlType::Char(one),
        "VarChar" => MySqlType::VarChar(one),
        "Binary" => MySqlType::Binary(one),
        "VarBinary" => MySqlType::VarBinary(one),
        "TinyBlob" => MySqlType::TinyBlob,
        "Blob" => MySqlType::Blob,
        "MediumBlob" => MySqlType::MediumBlob,
        "LongBlob" => MySqlType::LongBlob,
        "TinyText" => MySqlType::TinyText,
        "Text" => MySqlType::Text,
        "MediumText" => MySqlType::MediumText,
        "LongText" => MySqlType::LongText,
        "Date" => MySqlType::Date,
        "Time" => MySqlType::Time(optional),
        "DateTime" => MySqlType::DateTime(optional),
        "Timestamp" => MySqlType::Timestamp(optional),
        "Year" => MySqlType::Year,
        "Json" => MySqlType::Json,
        _ => return Err(invalid()),
    })
}

#[cfg(test)]
mod tests {
    use drydock_schema::{ColumnType, Enum, LoweringRules, NativeTypeAttr, TypeFamily};

    use super::{MySqlType, MySqlTypes, canonical_type};

    fn attr(name: &str, args: &[&str]) -> NativeTypeAttr {
        NativeTypeAttr {
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    fn lowered(family: TypeFamily, native: Option<NativeTypeAttr>) -> String {
        MySqlTypes
            .column_type(&family, native.as_ref())
            .expect("lowers")
            .native
    }

    #[test]
    fn scalar_types_are_prismas() {
        let cases = [
            (TypeFamily::String, "VARCHAR(191)", "varchar(191)"),
            (TypeFamily::Boolean, "BOOLEAN", "tinyint(1)"),
            (TypeFamily::Int, "INTEGER", "int(11)"),
            (TypeFamily::BigInt, "BIGINT", "bigint(20)"),
            (TypeFamily::Float, "DOUBLE", "double"),
            (TypeFamily::Decimal, "DECIMAL(65,30)", "decimal(65,30)"),
            (TypeFamily::DateTime, "DATETIME(3)", "datetime(3)"),
            (TypeFamily::Json, "JSON", "json"),
            (TypeFamily::Bytes, "LONGBLOB", "longblob"),
        ];
        for (family, native, reported) in cases {
            assert_eq!(lowered(family.clone(), None), native);
            // What MySQL and MariaDB report reads back as the same type.
            assert_eq!(
                canonical_type(reported, "T", "c"),
                ColumnType::new(family, native),
                "{reported}"
            );
        }
    }

    #[test]
    fn native_types() {
        let cases = [
            (
                TypeFamily::String,
                attr("VarChar", &["255"]),
                "VARCHAR(255)",
            ),
            (TypeFamily::String, attr("Char", &["10"]), "CHAR(10)"),
            (TypeFamily::String, attr("Text", &[]), "TEXT"),
            (TypeFamily::String, attr("LongText", &[]), "LONGTEXT"),
            (
                TypeFamily::Int,
                attr("UnsignedInt", &[]),
                "INTEGER UNSIGNED",
            ),
            (TypeFamily::Int, attr("TinyInt", &[]), "TINYINT"),
            (
                TypeFamily::Int,
                attr("UnsignedTinyInt", &[]),
                "TINYINT UNSIGNED",
            ),
            (TypeFamily::Int, attr("SmallInt", &[]), "SMALLINT"),
            (TypeFamily::Int, attr("MediumInt", &[]), "MEDIUMINT"),
            (TypeFamily::Int, attr("Year", &[]), "YEAR"),
            (
                TypeFamily::BigInt,
                attr("UnsignedBigInt", &[]),
                "BIGINT UNSIGNED",
            ),
            (TypeFamily::Boolean, attr("TinyInt", &[]), "BOOLEAN"),
            (TypeFamily::Boolean, attr("Bit", &["1"]), "BIT(1)"),
            (
                TypeFamily::Decimal,
                attr("Decimal", &["10", "2"]),
                "DECIMAL(10,2)",
            ),
            (TypeFamily::Decimal, attr("Decimal", &[]), "DECIMAL"),
            (TypeFamily::Float, attr("Float", &[]), "FLOAT"),
            (
                TypeFamily::DateTime,
                attr("DateTime", &["6"]),
                "DATETIME(6)",
            ),
            (
                TypeFamily::DateTime,
                attr("Timestamp", &["0"]),
                "TIMESTAMP(0)",
            ),
            (TypeFamily::DateTime, attr("Date", &[]), "DATE"),
            (TypeFamily::DateTime, attr("Time", &["3"]), "TIME(3)"),
            (
                TypeFamily::Bytes,
                attr("VarBinary", &["16"]),
                "VARBINARY(16)",
            ),
            (TypeFamily::Bytes, attr("Blob", &[]), "BLOB"),
            (TypeFamily::Json, attr("Json", &[]), "JSON"),
        ];
        for (family, native, expected) in cases {
            let name = format!("{native:?}");
            let column_type = MySqlTypes
                .column_type(&family, Some(&native))
                .expect("lowers");
            assert_eq!(column_type.native, expected, "{name}");
            // The introspected spelling is the same, and `db pull` writes the attribute back.
            assert_eq!(
                canonical_type(&expected.to_lowercase(), "T", "c"),
                column_type,
                "{name}"
            );
            let written = MySqlTypes.native_type_attribute(&column_type);
            let args = native.args.join(", ");
            let expected_attr =
                if MySqlTypes.column_type(&family, None).as_ref() == Ok(&column_type) {
                    // The scalar's own type needs no attribute (`Boolean` is `@db.TinyInt`).
                    None
                } else if args.is_empty() {
                    Some(native.name.clone())
                } else {
                    Some(format!("{}({args})", native.name))
                };
            assert_eq!(written, expected_attr, "{name}");
        }
    }

    #[test]
    fn time_types_are_written_with_their_precision() {
        let column_type = MySqlTypes
            .column_type(&TypeFamily::DateTime, Some(&attr("Timestamp", &[])))
            .expect("lowers");
        assert_eq!(column_type.native, "TIMESTAMP");
        assert_eq!(
            MySqlTypes.native_type_attribute(&column_type).as_deref(),
            Some("Timestamp(0)")
        );
    }

    #[test]
    fn default_types_need_no_attribute() {
        let column_type = MySqlTypes
            .column_type(&TypeFamily::String, None)
            .expect("lowers");
        assert_eq!(MySqlTypes.native_type_attribute(&column_type), None);
    }

    #[test]
    fn wrong_native_types_are_refused() {
        for (family, native) in [
            (TypeFamily::String, attr("VarChar", &[])),
            (TypeFamily::Int, attr("VarChar", &["3"])),
            (TypeFamily::String, attr("Uuid", &[])),
            (TypeFamily::Decimal, attr("Decimal", &["10"])),
        ] {
            assert!(
                MySqlTypes.column_type(&family, Some(&native)).is_err(),
                "{native:?}"
            );
        }
    }

    #[test]
    fn enums_are_inline() {
        let role = Enum {
            namespace: None,
            name: "Role".to_owned(),
            values: vec!["USER".to_owned(), "it's".to_owned()],
        };
        let column_type = MySqlTypes.enum_column_type(&role);
        assert_eq!(column_type.native, "ENUM('USER','it''s')");
        assert_eq!(
            MySqlType::parse("enum('USER','it''s')"),
            Some(MySqlType::Enum(role.values.clone()))
        );
        assert_eq!(
            MySqlType::Enum(role.values).to_prisma_sql(),
            "ENUM('USER', 'it''s')"
        );
        assert_eq!(
            canonical_type("enum('a','b')", "User", "role").family,
            TypeFamily::Enum(drydock_schema::ObjectName::new(None, "User_role"))
        );
    }

    #[test]
    fn reported_spellings_are_read() {
        let cases = [
            ("int(10) unsigned", MySqlType::Int { unsigned: true }),
            ("INT UNSIGNED", MySqlType::Int { unsigned: true }),
            ("tinyint(4)", MySqlType::TinyInt { unsigned: false }),
            ("bool", MySqlType::Boolean),
            ("decimal(10,2)", MySqlType::Decimal(Some((10, 2)))),
            ("DECIMAL(10, 2)", MySqlType::Decimal(Some((10, 2)))),
            ("datetime", MySqlType::DateTime(None)),
            ("bit(1)", MySqlType::Bit(1)),
        ];
        for (text, expected) in cases {
            assert_eq!(MySqlType::parse(text), Some(expected), "{text}");
        }
        for text in [
            "geometry",
            "varchar",
            "text(10)",
            "enum('a'",
            "set('a','b')",
        ] {
            assert_eq!(MySqlType::parse(text), None, "{text}");
        }
        assert_eq!(
            canonical_type("geometry", "T", "c"),
            ColumnType::new(TypeFamily::Unsupported, "geometry")
        );
    }
}
