//! The top of a pulled schema: the `datasource` and `generator` blocks (and the comments above
//! them) kept from the existing schema file, or a fresh `datasource` block.

use drydock_psl::ast::{Expression, Top};
use drydock_psl::{Files, Provider, SqlSchema};

/// What a pulled schema starts with, and the provider facts rendering needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasourceHeader {
    /// The database the schema targets: decides native type attributes and name limits.
    pub provider: Provider,
    /// The datasource block's name, the prefix of native type attributes (`@db.VarChar`).
    pub name: String,
    /// Verbatim text written before the models (configuration blocks and comments); empty for a
    /// fresh `datasource` block.
    pub preamble: String,
    /// Where in `preamble` the datasource block closes, when it should get the database's
    /// extensions: a PostgreSQL schema with the `postgresqlExtensions` preview feature whose
    /// datasource has no `extensions` yet.
    pub extensions_at: Option<usize>,
}

impl DatasourceHeader {
    /// A fresh header: `datasource db` with `provider` and `url = env("DATABASE_URL")`.
    pub fn new(provider: Provider) -> Self {
        DatasourceHeader {
            provider,
            name: "db".to_owned(),
            preamble: String::new(),
            extensions_at: None,
        }
    }

    /// The header of an existing schema file: its `datasource` and `generator` blocks, in file
    /// order, and with `keep_comments` the comment lines at the top of the file and above each
    /// block. `None` when the text has no datasource block with a known provider.
    pub fn from_schema(text: &str, keep_comments: bool) -> Option<Self> {
        let mut files = Files::new();
        files.add("schema.prisma", text);
        let (ast, _) = drydock_psl::parse_schema(&files);
        let datasource = ast.datasources().next()?;
        let provider = datasource
            .property("provider")
            .and_then(|p| p.value.as_str())
            .and_then(Provider::parse)?;
        let wants_extensions = provider == Provider::PostgreSql
            && datasource.property("extensions").is_none()
            && ast.generators().any(|generator| {
                generator
                    .property("previewFeatures")
                    .is_some_and(|features| match &features.value {
                        Expression::Array(items, _) => items
                            .iter()
                            .any(|item| item.as_str() == Some("postgresqlExtensions")),
                        _ => false,
                    })
            });
        let mut extensions_at = None;
        let mut parts: Vec<String> = Vec::new();
        if keep_comments {
            let first_block = ast.tops.iter().map(top_start).min().unwrap_or(text.len());
            let top = leading_comments(text, first_block);
            if !top.is_empty() {
                parts.push(top);
            }
        }
        for top in &ast.tops {
            let (Top::Datasource(block) | Top::Generator(block)) = top else {
                continue;
            };
            let Some(body) = text.get(block.span.start..block.span.end) else {
                continue;
            };
            let above = if keep_comments {
                comments_above(text, block.span.start)
            } else {
                ""
            };
            if wants_extensions && block.span == datasource.span {
                let start: usize = parts.iter().map(|part| part.len() + "\n\n".len()).sum();
                extensions_at = body.rfind('}').map(|end| start + above.len() + end);
            }
            parts.push(format!("{above}{body}"));
        }
        Some(DatasourceHeader {
            provider,
            name: datasource.name.name.clone(),
            preamble: parts.join("\n\n"),
            extensions_at,
        })
    }

    /// The header text, ending with a newline.
    pub(crate) fn render(&self, schema: &SqlSchema) -> String {
        if !self.preamble.trim().is_empty() {
            let mut preamble = self.preamble.clone();
            if let (Some(at), Some(line)) = (self.extensions_at, extensions_line(schema)) {
                let line_start = preamble[..at].ends_with('\n');
                preamble.insert_str(at, &format!("{}{line}", if line_start { "" } else { "\n" }));
            }
            return format!("{}\n", preamble.trim_end());
        }
        let provider = match self.provider {
            Provider::PostgreSql => "postgresql",
            Provider::CockroachDb => "cockroachdb",
            Provider::MySql => "mysql",
            Provider::Sqlite => "sqlite",
            Provider::SqlServer => "sqlserver",
            Provider::MongoDb => "mongodb",
        };
        let mut text = format!(
            "datasource {} {{\n  provider = \"{provider}\"\n  url = env(\"DATABASE_URL\")\n",
            self.name
        );
        let qualified = schema.tables.iter().any(|t| t.namespace.is_some())
            || schema.enums.iter().any(|e| e.namespace.is_some());
        if qualified && !schema.namespaces.is_empty() {
            let names: Vec<String> = schema
                .namespaces
                .iter()
                .map(|n| crate::names::quote(n))
                .collect();
            text.push_str(&format!("  schemas = [{}]\n", names.join(", ")));
        }
        text.push_str("}\n");
        text
    }
}

/// Extensions Prisma writes into a datasource that lists none: of the installed ones, those
/// its introspection knows to be needed by a schema (`EXTENSION_ALLOW_LIST` in Prisma's
/// engine), each with its schema.
const PULLED_EXTENSIONS: &[&str] = &["citext", "postgis", "pg_crypto", "uuid-ossp"];

/// `  extensions = [citext(schema: "public"), ...]` and a newline, for the installed extensions
/// Prisma's introspection writes; `None` when there are none.
fn extensions_line(schema: &SqlSchema) -> Option<String> {
    let items: Vec<String> = schema
        .extensions
        .iter()
        .filter(|e| PULLED_EXTENSIONS.contains(&e.name.as_str()))
        .map(|e| {
            let name = crate::names::sanitize(&e.name);
            let map = if name == e.name {
                String::new()
            } else {
                format!("map: {}, ", crate::names::quote(&e.name))
            };
            let namespace = e.namespace.as_deref().unwrap_or("public");
            format!("{name}({map}schema: {})", crate::names::quote(namespace))
        })
        .collect();
    (!items.is_empty()).then(|| format!("  extensions = [{}]\n", items.join(", ")))
}

fn top_start(top: &Top) -> usize {
    match top {
        Top::Model(m) => m.span.start,
        Top::Enum(e) => e.span.start,
        Top::Datasource(b) | Top::Generator(b) => b.span.start,
    }
}

/// The comment lines at the very top of the file, before the first block (`end`) and the
/// comments that belong to that block.
fn leading_comments(text: &str, end: usize) -> String {
    let head = text.get(..end).unwrap_or_default();
    let own = comments_above(text, end);
    let head = head
        .get(
            ..head
                .len()
                .saturating_sub(own.len() + line_prefix(head).len()),
        )
        .unwrap_or_default();
    head.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What precedes byte `head.len()` on its line (indentation before a block keyword).
fn line_prefix(head: &str) -> &str {
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    head.get(line_start..).unwrap_or_default()
}

/// The run of comment lines directly above the line holding byte `start`.
fn comments_above(text: &str, start: usize) -> &str {
    let head = text.get(..start).unwrap_or_default();
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let mut begin = line_start;
    while begin > 0 {
        let previous_end = begin - 1;
        let previous = head.get(..previous_end).unwrap_or_default();
        let previous_start = previous.rfind('\n').map_or(0, |i| i + 1);
        let line = head.get(previous_start..previous_end).unwrap_or_default();
        if !line.trim().starts_with("//") {
            break;
        }
        begin = previous_start;
    }
    head.get(begin..line_start).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "// Top comment.\n// Second line.\n\n/// The database.\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n// Clients.\ngenerator client {\n  provider = \"prisma-client-js\"\n}\n\n// A model comment.\nmodel A {\n  id Int @id\n}\n";

    #[test]
    fn keeps_configuration_blocks_and_their_comments() {
        let header = DatasourceHeader::from_schema(SCHEMA, true).expect("header");
        assert_eq!(header.provider, Provider::PostgreSql);
        assert_eq!(header.name, "db");
        assert_eq!(
            header.preamble,
            "// Top comment.\n// Second line.\n\n/// The database.\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n// Clients.\ngenerator client {\n  provider = \"prisma-client-js\"\n}"
        );
    }

    #[test]
    fn force_drops_the_comments() {
        let header = DatasourceHeader::from_schema(SCHEMA, false).expect("header");
        assert_eq!(
            header.preamble,
            "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\ngenerator client {\n  provider = \"prisma-client-js\"\n}"
        );
    }

    #[test]
    fn no_datasource_no_header() {
        assert_eq!(
            DatasourceHeader::from_schema("model A {\n  id Int @id\n}\n", true),
            None
        );
        assert_eq!(
            DatasourceHeader::from_schema("datasource db {\n  provider = \"oracle\"\n}\n", true),
            None
        );
    }
}
