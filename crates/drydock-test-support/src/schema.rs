//! Short builders for the schema values tests write by hand: columns, defaults, indexes,
//! foreign keys.

use drydock_schema::{
    Column, ColumnArity, ColumnType, DefaultValue, ForeignKey, Index, IndexColumn, IndexKind,
    ObjectName, ReferentialAction, TypeFamily,
};

/// A table or type name without a namespace.
pub fn name(table: &str) -> ObjectName {
    ObjectName::new(None, table)
}

/// A required column without default.
pub fn col(name: &str, family: TypeFamily, native: &str) -> Column {
    Column::new(name, ColumnType::new(family, native))
}

/// A required `TEXT` column.
pub fn text(name: &str) -> Column {
    col(name, TypeFamily::String, "TEXT")
}

/// A required `INTEGER` column.
pub fn int(name: &str) -> Column {
    col(name, TypeFamily::Int, "INTEGER")
}

pub fn nullable(mut column: Column) -> Column {
    column.arity = ColumnArity::Nullable;
    column
}

pub fn list(mut column: Column) -> Column {
    column.arity = ColumnArity::List;
    column
}

pub fn with_default(mut column: Column, default: DefaultValue) -> Column {
    column.default = Some(default);
    column
}

pub fn auto_increment(mut column: Column) -> Column {
    column.auto_increment = true;
    column
}

pub fn string(value: &str) -> DefaultValue {
    DefaultValue::String(value.to_owned())
}

pub fn number(value: &str) -> DefaultValue {
    DefaultValue::Number(value.to_owned())
}

/// An index on plain columns, with the default algorithm.
pub fn index(name: &str, kind: IndexKind, columns: &[&str]) -> Index {
    Index {
        name: name.to_owned(),
        kind,
        columns: columns.iter().map(|c| IndexColumn::named(*c)).collect(),
        algorithm: None,
        predicate: None,
        include: Vec::new(),
        constraint_backed: false,
    }
}

/// A named foreign key.
pub fn foreign_key(
    name: &str,
    columns: &[&str],
    referenced_table: ObjectName,
    referenced_columns: &[&str],
    on_delete: ReferentialAction,
    on_update: ReferentialAction,
) -> ForeignKey {
    ForeignKey {
        name: Some(name.to_owned()),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        referenced_table,
        referenced_columns: referenced_columns.iter().map(|c| (*c).to_owned()).collect(),
        on_delete,
        on_update,
    }
}
