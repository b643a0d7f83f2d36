//! A PostgreSQL-like set of lowering rules, enough for dialect-independent tests.

use drydock_schema::{ColumnType, Enum, LoweringRules, NativeTypeAttr, TypeFamily};

/// Lowering rules shaped like PostgreSQL's, enough for dialect-independent tests.
pub(crate) struct PgLike;

impl LoweringRules for PgLike {
    fn providers(&self) -> &'static [&'static str] {
        &["postgresql", "postgres"]
    }

    fn max_identifier_length(&self) -> usize {
        63
    }

    fn column_type(
        &self,
        family: &TypeFamily,
        native: Option<&NativeTypeAttr>,
    ) -> Result<ColumnType, String> {
        if let Some(n) = native {
            return match n.name.as_str() {
                "VarChar" | "Char" | "Uuid" | "Text" | "Citext" | "SmallInt" | "Integer"
                | "Timestamptz" | "Timestamp" | "Date" | "Time" | "Json" | "Real" | "Decimal" => {
                    let mut native = n.name.to_uppercase();
                    if !n.args.is_empty() {
                        native = format!("{native}({})", n.args.join(","));
                    }
                    Ok(ColumnType::new(family.clone(), native))
                }
                other => Err(format!(
                    "Native type {other} is not supported for postgresql connector."
                )),
            };
        }
        let native = match family {
            TypeFamily::String => "TEXT",
            TypeFamily::Boolean => "BOOLEAN",
            TypeFamily::Int => "INTEGER",
            TypeFamily::BigInt => "BIGINT",
            TypeFamily::Float => "DOUBLE PRECISION",
            TypeFamily::Decimal => "DECIMAL(65,30)",
            TypeFamily::DateTime => "TIMESTAMP(3)",
            TypeFamily::Json => "JSONB",
            TypeFamily::Bytes => "BYTEA",
            TypeFamily::Enum(_) | TypeFamily::Unsupported => {
                return Err("not a scalar family".to_owned());
            }
        };
        Ok(ColumnType::new(family.clone(), native))
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

    fn join_table_primary_key(&self) -> bool {
        true
    }
}
