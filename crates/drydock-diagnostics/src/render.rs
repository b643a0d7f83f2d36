//! Plain-text rendering of diagnostics in the familiar compiler style.

use crate::{Diagnostic, Files};

/// The 1-based line and column (in characters) of a byte offset. Offsets past the end or inside
/// a multi-byte character are clamped to the nearest preceding character boundary.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Renders one diagnostic:
///
/// ```text
/// error[P1012]: message
///   --> file:line:col
///    |
///  7 |   email Strin @unique
///    |         ^^^^^
///    = help: ...
/// ```
///
/// A span reaching past its first line is underlined to the end of that line. When the file is
/// unknown only the header (and help) are written.
pub fn render_diagnostic(diagnostic: &Diagnostic, files: &Files) -> String {
    let mut out = format!(
        "{}[{}]: {}\n",
        diagnostic.severity.label(),
        diagnostic.code,
        diagnostic.message
    );
    let Some(file) = files.get(diagnostic.span.file) else {
        if let Some(help) = &diagnostic.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        return out;
    };
    let text = file.text.as_str();
    let (line, col) = line_col(text, diagnostic.span.start);
    let width = line.to_string().len();
    let pad = " ".repeat(width);

    let mut start = diagnostic.span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_text = text[line_start..line_end].trim_end_matches('\r');

    let mut end = diagnostic
        .span
        .end
        .clamp(start, line_start + line_text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let marker_prefix: String = text[line_start..start]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = text[start..end].chars().count().max(1);

    out.push_str(&format!("{pad} --> {}:{line}:{col}\n", file.name));
    out.push_str(&format!(" {pad} |\n"));
    out.push_str(&format!(" {line} | {line_text}\n"));
    out.push_str(&format!(" {pad} | {marker_prefix}{}\n", "^".repeat(carets)));
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!(" {pad} = help: {help}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Diagnostic, FileId, Span};

    #[test]
    fn line_col_is_one_based_and_counts_chars() {
        let text = "ab\ncé d\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn renders_snippet_with_help() {
        let text = "model User {\n  id    Int @id\n  email Strin @unique\n}\n";
        let files = Files::single("schema.prisma", text);
        let start = text.find("Strin").unwrap_or(0);
        let d = Diagnostic::error(
            "P1012",
            "Type \"Strin\" is unknown.",
            Span::new(FileId(0), start, start + 5),
        )
        .with_help("did you mean `String`?");
        insta::assert_snapshot!(d.render(&files), @r#"
        error[P1012]: Type "Strin" is unknown.
          --> schema.prisma:3:9
           |
         3 |   email Strin @unique
           |         ^^^^^
           = help: did you mean `String`?
        "#);
    }

    #[test]
    fn never_panics_on_odd_spans() {
        let files = Files::single("x", "é\n");
        for (s, e) in [(0, 0), (1, 1), (1, 50), (50, 60), (3, 1)] {
            let d = Diagnostic::warning("W", "m", Span::new(FileId(0), s, e));
            assert!(d.render(&files).starts_with("warning[W]: m\n"));
        }
        let d = Diagnostic::error("E", "m", Span::new(FileId(9), 0, 1));
        assert_eq!(d.render(&files), "error[E]: m\n");
    }
}
