//! The hooks a dialect gives the schema language so it can lower a datamodel into a
//! [`crate::SqlSchema`]: identifier limits and the mapping of scalar types to native types.

use crate::{ColumnType, TypeFamily};

/// A native type attribute as written in the schema language: `@db.VarChar(255)` is
/// `name = "VarChar"`, `args = ["255"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeTypeAttr {
    pub name: String,
    pub args: Vec<String>,
}

/// What lowering needs to know about the target database. Implemented by each dialect.
pub trait LoweringRules {
    /// The provider names this dialect answers to in a `datasource` block.
    fn providers(&self) -> &'static [&'static str];

    /// Longest identifier in bytes (PostgreSQL 63, MySQL 64, SQLite 10000).
    fn max_identifier_length(&self) -> usize;

    /// The column type for a scalar family (never [`TypeFamily::Enum`]) and an optional native
    /// type attribute. `Err` carries a message for an unknown native type or wrong arguments.
    fn column_type(
        &self,
        family: &TypeFamily,
        native: Option<&NativeTypeAttr>,
    ) -> Result<ColumnType, String>;

    /// The column type of a column holding values of `enum_type` (`TypeFamily::Enum` named
    /// after the type where the dialect has enum types, an inline `ENUM('A','B')` on MySQL,
    /// `TEXT` on SQLite).
    fn enum_column_type(&self, enum_type: &crate::Enum) -> ColumnType;

    /// Whether the dialect has enum types (`CREATE TYPE ... AS ENUM`).
    fn native_enums(&self) -> bool;

    /// Whether scalar lists (`String[]`) are array columns on this dialect.
    fn scalar_lists(&self) -> bool;

    /// Whether primary key constraints carry a name (`CONSTRAINT "T_pkey"`).
    fn named_primary_keys(&self) -> bool;

    /// Whether implicit many-to-many join tables get a primary key on `(A, B)`
    /// (`_AToB_AB_pkey`) rather than a unique index (`_AToB_AB_unique`).
    fn join_table_primary_key(&self) -> bool;

    /// The namespace objects live in when the schema names none (`public` on PostgreSQL).
    /// Lowering lists it in [`crate::SqlSchema::namespaces`] when the schema declares no
    /// namespaces, so a diff from an empty database creates it (`CREATE SCHEMA IF NOT EXISTS`)
    /// as Prisma does; tables stay unqualified. A project whose URL names another namespace
    /// (`?schema=`) lists that one instead.
    fn default_namespace(&self) -> Option<&'static str> {
        None
    }

    /// The native type attribute, without `@<datasource>.`, that lowers to `column_type`
    /// (`VarChar(255)`, `Timestamptz(6)`): the reverse of [`LoweringRules::column_type`], for
    /// writing schemas from databases. `None` when the scalar's default type already gives it,
    /// or the dialect has no native type attributes.
    fn native_type_attribute(&self, column_type: &ColumnType) -> Option<String> {
        let _ = column_type;
        None
    }

    /// Whether the catalog keeps the names of foreign keys (SQLite's does not), so a schema
    /// written from the database maps names other than Prisma's.
    fn foreign_key_names_kept(&self) -> bool {
        true
    }

    /// Whether the catalog keeps check constraints apart from the table's SQL (SQLite's does
    /// not), so a schema written from the database notes them.
    fn check_constraints_in_catalog(&self) -> bool {
        true
    }

    /// Whether a single-column primary key of `column_type` numbers new rows by itself
    /// (SQLite's `INTEGER` rowid), which Prisma writes as `@default(autoincrement())`.
    fn numbers_rows_itself(&self, column_type: &ColumnType) -> bool {
        let _ = column_type;
        false
    }

    /// Whether enum values are stored as plain text that no database object names (SQLite),
    /// so a schema written again from the database keeps the enums it declared.
    fn enums_stored_as_text(&self) -> bool {
        false
    }

    /// Whether the database makes an index for each foreign key no index serves, named after
    /// the foreign key (MySQL's InnoDB): a schema written again from the database keeps such an
    /// index only where it declares it, as nothing tells who made it.
    fn foreign_keys_indexed(&self) -> bool {
        false
    }

    /// The values of an enum that `column_type` declares inline (MySQL's `ENUM('A','B')`): a
    /// column typed [`TypeFamily::Enum`] of an enum that no [`crate::SqlSchema::enums`] entry
    /// holds, so a schema written from the database gets an `enum` block from its column. `None`
    /// for every other type, and on dialects with enum types.
    fn inline_enum_values(&self, column_type: &ColumnType) -> Option<Vec<String>> {
        let _ = column_type;
        None
    }

    /// Whether a default expression is this database's spelling of the current time, which
    /// Prisma writes as `now()`.
    fn is_now_expression(&self, expression: &str) -> bool {
        let _ = expression;
        false
    }
}
