//! Enums a column declares inline (MySQL's `ENUM('A','B')`, [`LoweringRules::inline_enum_values`]):
//! the database has no enum objects, so each such column brings an enum of its own, named
//! `<table>_<column>` as Prisma's MySQL introspection names it (sanitized and mapped later, like
//! every name). On re-introspection a column whose field the existing schema types with an enum
//! keeps that enum instead, so one enum shared by several columns stays one block, unless the
//! columns no longer agree on its values.

use std::borrow::Cow;

use drydock_psl::Datamodel;
use drydock_psl::datamodel::FieldType;
use drydock_schema::{Enum, LoweringRules, ObjectName, SqlSchema, Table, TypeFamily};

use crate::hints::table_of;

/// `schema` with an [`Enum`] for each inline enum column, its columns typed with it; borrowed
/// when there is none. `existing` is the schema re-introspection starts from.
pub(crate) fn with_inline_enums<'a>(
    schema: &'a SqlSchema,
    rules: &dyn LoweringRules,
    existing: Option<&Datamodel>,
) -> Cow<'a, SqlSchema> {
    let mut enums: Vec<Enum> = Vec::new();
    // Per column found: table and column position, and the enum it takes.
    let mut typed: Vec<(usize, usize, ObjectName)> = Vec::new();
    for (t, table) in schema.tables.iter().enumerate() {
        for (c, column) in table.columns.iter().enumerate() {
            let TypeFamily::Enum(own) = &column.column_type.family else {
                continue;
            };
            if schema
                .enum_type(own.namespace.as_deref(), &own.name)
                .is_some()
            {
                continue;
            }
            let Some(values) = rules.inline_enum_values(&column.column_type) else {
                continue;
            };
            let agrees = |object: &ObjectName| {
                enums
                    .iter()
                    .find(|e| e.object_name() == *object)
                    .is_none_or(|e| e.values == values)
            };
            let object = existing
                .and_then(|datamodel| declared_enum(datamodel, table, &column.name))
                .filter(|declared| agrees(declared))
                .unwrap_or_else(|| own.clone());
            if !enums.iter().any(|e| e.object_name() == object) {
                enums.push(Enum {
                    namespace: object.namespace.clone(),
                    name: object.name.clone(),
                    values,
                });
            }
            typed.push((t, c, object));
        }
    }
    if enums.is_empty() {
        return Cow::Borrowed(schema);
    }
    let mut schema = schema.clone();
    schema.enums.extend(enums);
    for (t, c, object) in typed {
        if let Some(column) = schema
            .tables
            .get_mut(t)
            .and_then(|table| table.columns.get_mut(c))
        {
            column.column_type.family = TypeFamily::Enum(object);
        }
    }
    Cow::Owned(schema)
}

/// The enum the existing schema types the field of `table.column` with.
fn declared_enum(datamodel: &Datamodel, table: &Table, column: &str) -> Option<ObjectName> {
    let model = datamodel
        .models
        .iter()
        .find(|m| !m.is_view && table_of(m) == table.object_name())?;
    let field = model.fields.iter().find(|f| f.db_name == column)?;
    let FieldType::Enum(id) = &field.field_type else {
        return None;
    };
    let declared = datamodel.enum_(*id)?;
    Some(ObjectName::new(
        declared.schema.clone(),
        declared.db_name.clone(),
    ))
}
