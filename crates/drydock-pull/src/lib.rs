//! `db pull`: a Prisma schema written from an introspected [`SqlSchema`], as Prisma's
//! introspection writes it.
//!
//! [`pull`] takes the database's schema and a [`DatasourceHeader`] (the `datasource` and
//! `generator` blocks to put on top, usually kept from the existing schema file) and returns the
//! schema text, formatted by [`drydock_psl::format`], plus warnings about what the schema
//! language cannot say. Naming follows Prisma: models and fields take the database names when
//! they are identifiers (else a sanitized name with `@@map`/`@map`), constraint names are only
//! written (`map:`) when they differ from Prisma's defaults, and relation fields are named and
//! disambiguated with Prisma's rules (see `relations`).
//!
//! Nothing here does IO or fails: unrepresentable objects become comments and warnings, as in
//! Prisma: `///` notes on models with check or exclusion constraints, expression, partial or
//! `INCLUDE` indexes, or database comments (whose text becomes `///` documentation), and a `//`
//! list of the views. Functions, triggers, sequences and extensions are not mentioned.

mod header;
mod model;
mod names;
mod relations;
mod types;

pub use header::DatasourceHeader;

use drydock_schema::{LoweringRules, SqlSchema};

/// The pulled schema text and what could not be represented faithfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResult {
    /// The whole `schema.prisma`, formatted.
    pub text: String,
    /// One line per problem, e.g. a table without a unique criteria marked `@@ignore`.
    pub warnings: Vec<String>,
}

/// Writes the Prisma schema of `schema` under `datasource`'s header; `rules` are the target
/// dialect's (native types, identifier limits).
pub fn pull(
    schema: &SqlSchema,
    datasource: &DatasourceHeader,
    rules: &dyn LoweringRules,
) -> PullResult {
    let mut warnings = Vec::new();
    let body = model::render(schema, datasource, rules, &mut warnings);
    let header = datasource.render(schema);
    let text = if body.is_empty() {
        header
    } else {
        format!("{header}\n{body}")
    };
    PullResult {
        text: drydock_psl::format(&text),
        warnings,
    }
}
