//! `db pull`: a Prisma schema written from an introspected [`SqlSchema`], as Prisma's
//! introspection writes it.
//!
//! [`pull`] takes the database's schema and a [`DatasourceHeader`] (the `datasource` and
//! `generator` blocks to put on top, usually kept from the existing schema file) and returns the
//! schema text, formatted by [`drydock_psl::format`], plus warnings about what the schema
//! language cannot say. Naming follows Prisma: models and fields take the database names when
//! they are identifiers (else a sanitized name with `@@map`/`@map`), constraint names are only
//! written (`map:`) when they differ from Prisma's defaults, and relation fields are named and
//! disambiguated with Prisma's rules (see `relations`). Enums a column declares inline (MySQL)
//! become `enum` blocks of their own (see `inline_enums`).
//!
//! [`repull`] is `db pull` on an existing schema (re-introspection, see `reintrospect`): the
//! existing files are edited in place, keeping the user's names, comments, order and what the
//! database cannot know, so that a schema matching the database comes back byte for byte.
//!
//! Nothing here does IO or fails: unrepresentable objects become comments and warnings, as in
//! Prisma: `///` notes on models with check or exclusion constraints, expression, partial or
//! `INCLUDE` indexes, or database comments (whose text becomes `///` documentation), and a `//`
//! list of the views. Functions, triggers, sequences and extensions are not mentioned.

mod header;
mod hints;
mod inline_enums;
mod model;
mod names;
mod reintrospect;
mod relations;
mod types;

pub use header::DatasourceHeader;
pub use reintrospect::{PulledFile, RepullResult, repull};

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
    let schema = &*qualified(schema);
    let schema = &*inline_enums::with_inline_enums(schema, rules, None);
    let mut warnings = Vec::new();
    let rendered = model::render(
        schema,
        datasource,
        rules,
        &hints::Hints::default(),
        &mut warnings,
    );
    let mut text = datasource.render(schema);
    for block in &rendered.blocks {
        text.push('\n');
        text.push_str(&block.text());
    }
    if let Some(note) = &rendered.views_note {
        text.push('\n');
        text.push_str(note);
    }
    PullResult {
        text: drydock_psl::format(&text),
        warnings,
    }
}

/// `schema` with every object named with its namespace, so that each model and enum of a
/// `multiSchema` database gets its `@@schema`, the connection's namespace's too.
fn qualified(schema: &SqlSchema) -> std::borrow::Cow<'_, SqlSchema> {
    if schema.default_namespace.is_none() {
        return std::borrow::Cow::Borrowed(schema);
    }
    let mut schema = schema.clone();
    schema.qualify();
    std::borrow::Cow::Owned(schema)
}
