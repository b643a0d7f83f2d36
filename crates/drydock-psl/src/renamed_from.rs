//! The rename directive, `// drydock:renamed-from <previous name>`, on the line of a field or a
//! model or alone on the line just above it. It is a plain comment, so Prisma ignores it and the
//! schema stays valid for Prisma; drydock reads it to rename a column or table instead of
//! dropping and recreating it.
//!
//! The name is the previous database name: the previous field name (or its previous `@map`
//! column name), the previous model name (or its previous `@@map` table name). A directive that
//! belongs to no field or model is a warning, never an error.

use drydock_diagnostics::{Diagnostics, FileId, Span};

use crate::SCHEMA_ERROR;
use crate::ast::{Ident, ModelKind, Top};
use crate::lexer::{TokenKind, lex};

/// The directive's keyword, after `//`.
const DIRECTIVE: &str = "drydock:renamed-from";

/// Attaches the directives of the file `file` (text `src`) to the fields and models of `tops`,
/// the blocks parsed from that file.
pub(crate) fn attach(file: FileId, src: &str, tops: &mut [Top], diagnostics: &mut Diagnostics) {
    let tokens = lex(src);
    let line_of = |offset: usize| src[..offset.min(src.len())].matches('\n').count();
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != TokenKind::Comment {
            continue;
        }
        let text = token.text(src);
        let Some(argument) = text
            .strip_prefix("//")
            .map(str::trim_start)
            .and_then(|body| body.strip_prefix(DIRECTIVE))
            .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        else {
            continue;
        };
        let span = token.span(file);
        let words: Vec<&str> = argument.split_whitespace().collect();
        let [name] = words.as_slice() else {
            diagnostics.warning(
                SCHEMA_ERROR,
                format!(
                    "`// {DIRECTIVE}` takes exactly one name, the previous name of the field \
                     or model; the directive is ignored."
                ),
                span,
            );
            continue;
        };
        let alone_on_line = i == 0 || tokens[i - 1].kind == TokenKind::Newline;
        let target_line = line_of(token.start) + usize::from(alone_on_line);
        let previous = Ident {
            name: (*name).to_owned(),
            span,
        };
        if !attach_to_line(tops, target_line, &line_of, previous) {
            diagnostics.warning(
                SCHEMA_ERROR,
                format!(
                    "`// {DIRECTIVE} {name}` belongs to no field or model: write it on the line \
                     of a field or model, or alone on the line just above it. The directive is \
                     ignored."
                ),
                span,
            );
        }
    }
}

/// Sets `previous` on the model whose header, or the field whose definition, starts on `line`.
/// False when there is none, or it already has a directive.
fn attach_to_line(
    tops: &mut [Top],
    line: usize,
    line_of: &dyn Fn(usize) -> usize,
    previous: Ident,
) -> bool {
    let starts_on_line = |span: Span| line_of(span.start) == line;
    for top in tops {
        let Top::Model(model) = top else {
            continue;
        };
        if model.kind != ModelKind::Model {
            continue;
        }
        let slot = if starts_on_line(model.span) {
            &mut model.renamed_from
        } else if let Some(field) = model.fields.iter_mut().find(|f| starts_on_line(f.span)) {
            &mut field.renamed_from
        } else {
            continue;
        };
        // A second directive for the same object is reported rather than silently preferred.
        if slot.is_some() {
            return false;
        }
        *slot = Some(previous);
        return true;
    }
    false
}
