//! The Prisma Schema Language (PSL): parsing, validation, the resolved datamodel, formatting and
//! lowering to a [`drydock_schema::SqlSchema`].
//!
//! API summary. No function fails or panics on any input; problems come back as
//! [`Diagnostics`] (code [`SCHEMA_ERROR`], `P1012`) with byte spans into the [`Files`] given.
//!
//! ```text
//! parse_schema(&Files) -> (ast::SchemaAst, Diagnostics)        // one file, or every .prisma file of a folder
//! validate(&ast::SchemaAst) -> (Datamodel, Diagnostics)        // names, types, attributes, relations
//! parse_and_validate(&Files) -> (Datamodel, Diagnostics)       // both, diagnostics sorted by position
//! lower(&Datamodel, &dyn LoweringRules) -> (SqlSchema, Diagnostics)  // tables Prisma Migrate would create
//! relations(&Datamodel) -> Vec<Relation>                      // every relation, with or without foreign keys
//! format(&str) -> String                                       // `prisma format` layout, idempotent,
//!                                                              // adds missing back-relation fields
//! ```
//!
//! [`Datamodel`] is plain data: `models` (with `db_name`, `fields`, `primary_key`, `indexes`),
//! `enums`, `relations` (both sides, referential actions with Prisma's defaults, implicit
//! many-to-many), `generators` and `datasource: Option<Datasource>` with `provider`, `url`,
//! `direct_url`, `shadow_database_url` (each a [`ConfigValue`]: `Env(name)` or `Literal`),
//! `relation_mode`, `schemas` and `extensions`. Shortcuts: [`Datamodel::provider`],
//! [`Datamodel::relation_mode`], [`Datamodel::preview_feature`].
//!
//! Native type attributes (`@db.VarChar(255)`) are checked in validation as Prisma checks them
//! (name known to the connector, number of arguments, field type, argument values), on models
//! and views; the dialect's [`LoweringRules::column_type`] maps them to SQL types in [`lower`].
//!
//! Input limits: values nest at most [`MAX_NESTING`] levels (deeper is [`NESTING_ERROR`], so no
//! input can exhaust the stack); [`Diagnostics::render`] writes the first 100 diagnostics and
//! counts the rest.
//! A schema without a `datasource` block is valid, as in Prisma; callers that need a database
//! report its absence.
//!
//! A `// drydock:renamed-from <previous name>` comment on the line of a field or model (or alone
//! on the line above it) sets `renamed_from` on the datamodel's field or model, and lowering
//! carries it to the column or table as a rename hint for the differ; a misplaced directive is a
//! warning. Prisma reads it as a plain comment.

pub mod ast;
mod back_relations;
pub mod datamodel;
mod edit;
mod fast_hash;
mod format;
mod lexer;
mod lower;
mod parser;
mod relations;
mod renamed_from;
mod validate;

pub use datamodel::{
    ConfigValue, Datamodel, Datasource, Extension, Provider, RelationMode, ScalarType,
};
pub use drydock_diagnostics::{Diagnostic, Diagnostics, FileId, Files, SourceFile, Span};
pub use drydock_schema::{LoweringRules, SqlSchema};
pub use edit::{SchemaEdit, add_index, remove_index};
pub use format::format;
pub use lower::lower;
pub use parser::{MAX_NESTING, parse_schema};
pub use relations::relations;
pub use validate::validate;

/// The error code of schema validation errors.
pub const SCHEMA_ERROR: &str = "P1012";

/// The error code of a value nested deeper than [`MAX_NESTING`] levels (drydock's own: Prisma
/// has no such limit).
pub const NESTING_ERROR: &str = "D1020";

/// Parses and validates a schema. Diagnostics are sorted by file and position.
pub fn parse_and_validate(files: &Files) -> (Datamodel, Diagnostics) {
    let (ast, mut diagnostics) = parse_schema(files);
    let (datamodel, more) = validate::validate_parsed(&ast, diagnostics.has_errors());
    diagnostics.extend(more);
    diagnostics.sort_by_position();
    (datamodel, diagnostics)
}
