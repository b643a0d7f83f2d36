//! SQLite lowering rules: the provider name, the identifier limit, the declared column type of
//! each Prisma scalar type, and [`canonical_type`], which maps declared types read back from a
//! database to the same spelling.
//!
//! SQLite has no native type attributes, no enums (enum fields are `TEXT`), no scalar lists and
//! no named primary keys.

use drydock_schema::{ColumnType, Enum, LoweringRules, NativeTypeAttr, TypeFamily};

/// The provider name written to `migration_lock.toml`.
pub(crate) const PROVIDER: &str = "sqlite";

/// SQLite has no practical identifier limit; Prisma uses this one.
const MAX_IDENTIFIER_LENGTH: usize = 10_000;

/// The lowering rules of SQLite.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SqliteTypes;

impl LoweringRules for SqliteTypes {
    fn providers(&self) -> &'static [&'static str] {
        &["sqlite"]
    }

    fn max_identifier_length(&self) -> usize {
        MAX_IDENTIFIER_LENGTH
    }

    fn column_type(
        &self,
        family: &TypeFamily,
        native: Option<&NativeTypeAttr>,
    ) -> Result<ColumnType, String> {
        if let Some(attr) = native {
            return Err(format!(
                "Native type {} is not supported for sqlite connector.",
                attr.name
            ));
        }
        declared_type(family)
            .map(|declared| ColumnType::new(family.clone(), declared))
            .ok_or_else(|| format!("No SQLite type for {family:?} columns."))
    }

    fn enum_column_type(&self, _enum_type: &Enum) -> ColumnType {
        ColumnType::new(TypeFamily::String, "TEXT")
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

    fn foreign_key_names_kept(&self) -> bool {
        false
    }

    /// Prisma reads check constraints from the catalogs that keep them apart, not from
    /// SQLite's table SQL.
    fn check_constraints_in_catalog(&self) -> bool {
        false
    }

    /// A single-column `INTEGER` primary key is the rowid.
    fn numbers_rows_itself(&self, column_type: &ColumnType) -> bool {
        column_type.native == "INTEGER"
    }

    fn enums_stored_as_text(&self) -> bool {
        true
    }

    /// `datetime('now')`, the spelling of `CURRENT_TIMESTAMP` Prisma reads as `now()`.
    fn is_now_expression(&self, expression: &str) -> bool {
        let compact: String = expression
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
            .collect::<String>()
            .to_ascii_lowercase();
        compact == "datetime'now'" || compact == "datetime\"now\""
    }
}

/// The declared type Prisma writes for a scalar family.
pub(crate) fn declared_type(family: &TypeFamily) -> Option<&'static str> {
    Some(match family {
        TypeFamily::String => "TEXT",
        TypeFamily::Boolean => "BOOLEAN",
        TypeFamily::Int => "INTEGER",
        TypeFamily::BigInt => "BIGINT",
        TypeFamily::Float => "REAL",
        TypeFamily::Decimal => "DECIMAL",
        TypeFamily::DateTime => "DATETIME",
        TypeFamily::Json => "JSONB",
        TypeFamily::Bytes => "BLOB",
        TypeFamily::Enum(_) | TypeFamily::Unsupported => return None,
    })
}

/// Canonical form of a column's declared type as SQLite reports it (`PRAGMA table_info`).
///
/// SQLite accepts any type name, so the declared type is classified the way Prisma classifies
/// it (`varchar(255)` and `TEXT` are strings, `numeric(10,2)` is a decimal, `int` an integer) and
/// spelled as lowering spells that family (`TEXT`, `DECIMAL`, `INTEGER`): a database Prisma
/// created compares equal to the schema that created it, and the differ, which compares SQLite
/// columns by family, sees a hand-written `VARCHAR(255)` as Prisma's `TEXT`. Names Prisma does
/// not map become [`TypeFamily::Unsupported`] with the declared text kept verbatim, as
/// `Unsupported("...")` lowers them.
pub(crate) fn canonical_type(declared: &str) -> ColumnType {
    let declared = declared.trim();
    let lower = declared.to_ascii_lowercase();
    let family = match lower.as_str() {
        "int" | "integer" | "serial" => TypeFamily::Int,
        "bigint" => TypeFamily::BigInt,
        "real" | "float" | "double" => TypeFamily::Float,
        "boolean" => TypeFamily::Boolean,
        "text" => TypeFamily::String,
        "date" | "datetime" | "timestamp" => TypeFamily::DateTime,
        "binary" | "blob" => TypeFamily::Bytes,
        "jsonb" => TypeFamily::Json,
        s if s.contains("char") => TypeFamily::String,
        s if s.contains("numeric") || s.contains("decimal") => TypeFamily::Decimal,
        _ => return ColumnType::new(TypeFamily::Unsupported, declared),
    };
    match declared_type(&family) {
        Some(spelling) => ColumnType::new(family, spelling),
        None => ColumnType::new(TypeFamily::Unsupported, declared),
    }
}

#[cfg(test)]
mod tests {
    use drydock_schema::{Enum, LoweringRules, NativeTypeAttr, TypeFamily};

    use super::{SqliteTypes, canonical_type};

    #[test]
    fn datetime_now_is_the_current_time_and_localtime_is_not() {
        assert!(SqliteTypes.is_now_expression("(datetime('now'))"));
        assert!(SqliteTypes.is_now_expression("datetime( \"now\" )"));
        assert!(!SqliteTypes.is_now_expression("datetime('now', 'localtime')"));
    }

    #[test]
    fn scalar_types() {
        let cases = [
            (TypeFamily::String, "TEXT"),
            (TypeFamily::Boolean, "BOOLEAN"),
            (TypeFamily::Int, "INTEGER"),
            (TypeFamily::BigInt, "BIGINT"),
            (TypeFamily::Float, "REAL"),
            (TypeFamily::Decimal, "DECIMAL"),
            (TypeFamily::DateTime, "DATETIME"),
            (TypeFamily::Json, "JSONB"),
            (TypeFamily::Bytes, "BLOB"),
        ];
        for (family, declared) in cases {
            let lowered = SqliteTypes.column_type(&family, None);
            assert_eq!(lowered.as_ref().map(|t| t.native.as_str()), Ok(declared));
            assert_eq!(lowered, Ok(canonical_type(declared)), "{declared}");
            assert_eq!(lowered, Ok(canonical_type(&declared.to_lowercase())));
        }
    }

    #[test]
    fn native_types_are_rejected() {
        let attr = NativeTypeAttr {
            name: "VarChar".to_owned(),
            args: vec!["3".to_owned()],
        };
        assert_eq!(
            SqliteTypes.column_type(&TypeFamily::String, Some(&attr)),
            Err("Native type VarChar is not supported for sqlite connector.".to_owned())
        );
    }

    #[test]
    fn enums_are_text() {
        let role = Enum {
            namespace: None,
            name: "Role".to_owned(),
            values: vec!["USER".to_owned()],
        };
        let column_type = SqliteTypes.enum_column_type(&role);
        assert_eq!(column_type, canonical_type("TEXT"));
    }

    #[test]
    fn declared_types_are_classified() {
        let cases = [
            ("VARCHAR(255)", TypeFamily::String, "TEXT"),
            ("character(20)", TypeFamily::String, "TEXT"),
            ("NUMERIC(10,2)", TypeFamily::Decimal, "DECIMAL"),
            ("int", TypeFamily::Int, "INTEGER"),
            ("DOUBLE", TypeFamily::Float, "REAL"),
            ("TIMESTAMP", TypeFamily::DateTime, "DATETIME"),
            ("circle", TypeFamily::Unsupported, "circle"),
            ("", TypeFamily::Unsupported, ""),
        ];
        for (declared, family, native) in cases {
            let canonical = canonical_type(declared);
            assert_eq!(canonical.family, family, "{declared}");
            assert_eq!(canonical.native, native, "{declared}");
        }
    }
}
