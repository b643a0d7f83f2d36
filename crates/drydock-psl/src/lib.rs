//! The Prisma Schema Language (PSL): parsing, validation, the resolved datamodel, formatting and
//! lowering to a [`drydock_schema::SqlSchema`].
//!
//! API summary (no function fails or panics; problems come back as [`Diagnostics`] with code
//! [`SCHEMA_ERROR`], `P1012`):
//!
//! - [`parse_schema`]`(&Files) -> (SchemaAst, Diagnostics)`: parse every file of a schema
//!   (one file, or all `.prisma` files of a folder added to one [`Files`] set).
//! - [`validate`]`(&SchemaAst) -> (Datamodel, Diagnostics)`: resolve names, types, attributes and
//!   relations. [`parse_and_validate`] does both steps.
//! - [`Datamodel`]: models, enums, relations and [`Datasource`] (`provider`, `url`, `direct_url`,
//!   `shadow_database_url`, `relation_mode`, `schemas`); see [`Datamodel::provider`].
//! - [`lower`]`(&Datamodel, &dyn LoweringRules) -> (SqlSchema, Diagnostics)`: the tables, indexes,
//!   foreign keys and enums Prisma Migrate would create.
//! - [`format`]`(&str) -> String`: `prisma format`-style alignment, idempotent, keeps comments.

pub mod ast;
pub mod datamodel;
mod fast_hash;
mod format;
mod lexer;
mod lower;
mod parser;
mod validate;

pub use datamodel::{ConfigValue, Datamodel, Datasource, Provider, RelationMode, ScalarType};
pub use drydock_diagnostics::{Diagnostic, Diagnostics, FileId, Files, SourceFile, Span};
pub use drydock_schema::{LoweringRules, SqlSchema};
pub use format::format;
pub use lower::lower;
pub use parser::parse_schema;
pub use validate::validate;

/// The error code of schema validation errors.
pub const SCHEMA_ERROR: &str = "P1012";

/// Parses and validates a schema. Parse diagnostics come first.
pub fn parse_and_validate(files: &Files) -> (Datamodel, Diagnostics) {
    let (ast, mut diagnostics) = parse_schema(files);
    let (datamodel, more) = validate(&ast);
    diagnostics.extend(more);
    (datamodel, diagnostics)
}
