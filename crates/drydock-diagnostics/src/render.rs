//! Plain-text rendering of diagnostics in the familiar compiler style.

use crate::{Diagnostic, Files};

/// The longest source line a snippet shows whole, in characters; a longer one is cut to a window
/// around the span, so one huge line does not make every diagnostic on it huge.
const SNIPPET_WIDTH: usize = 120;
/// How many characters of a cut line are shown before the span starts.
const SNIPPET_LEAD: usize = 40;

/// The 1-based line and column (in characters) of a byte offset. Offsets past the end or inside
/// a multi-byte character are clamped to the nearest preceding character boundary. For many
/// lookups into one text, build a [`LineIndex`] once instead.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_col(text, offset)
}

/// Where the lines of one text start: line and column lookups without scanning the text from
/// its start each time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 0-based line holding a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1)
    }

    /// [`line_col`] of `text`, which must be the text this index was built from.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let line_start = self.starts[line].min(offset);
        let col = text[line_start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// The byte range of the line holding `offset` (a char boundary of `text`), without its
    /// line break.
    fn line_range(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.starts[line].min(offset);
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1)
            .max(offset);
        (start, end)
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
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
/// A span reaching past its first line is underlined to the end of that line; a line longer
/// than 120 characters is shown as a window around the span, cut ends marked `…`. When the file
/// is unknown only the header (and help) are written. To render many diagnostics of one file,
/// use [`crate::Diagnostics::render`], which indexes each file's lines once.
pub fn render_diagnostic(diagnostic: &Diagnostic, files: &Files) -> String {
    let index = files
        .get(diagnostic.span.file)
        .map(|file| LineIndex::new(&file.text));
    render_with_index(diagnostic, files, index.as_ref())
}

/// [`render_diagnostic`] with the line index of the diagnostic's file, if it has one.
pub(crate) fn render_with_index(
    diagnostic: &Diagnostic,
    files: &Files,
    index: Option<&LineIndex>,
) -> String {
    let mut out = format!(
        "{}[{}]: {}\n",
        diagnostic.severity.label(),
        diagnostic.code,
        diagnostic.message
    );
    let (Some(file), Some(index)) = (files.get(diagnostic.span.file), index) else {
        if let Some(help) = &diagnostic.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        return out;
    };
    let text = file.text.as_str();
    let start = floor_char_boundary(text, diagnostic.span.start);
    let (line, col) = index.line_col(text, start);
    let width = line.to_string().len();
    let pad = " ".repeat(width);

    let (line_start, line_end) = index.line_range(text, start);
    // A span that starts in the `\r`s ending a line keeps its start.
    let line_end =
        (line_start + text[line_start..line_end].trim_end_matches('\r').len()).max(start);
    let end = floor_char_boundary(text, diagnostic.span.end.clamp(start, line_end));
    let snippet = Snippet::new(text, line_start, line_end, start, end);

    out.push_str(&format!("{pad} --> {}:{line}:{col}\n", file.name));
    out.push_str(&format!(" {pad} |\n"));
    out.push_str(&format!(" {line} | {}\n", snippet.line));
    out.push_str(&format!(
        " {pad} | {}{}\n",
        snippet.marker_prefix,
        "^".repeat(snippet.carets)
    ));
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!(" {pad} = help: {help}\n"));
    }
    out
}

/// The source line as shown, and where its carets go.
struct Snippet {
    line: String,
    marker_prefix: String,
    carets: usize,
}

impl Snippet {
    /// `start..end` is the underlined part of the line `line_start..line_end`; all four are
    /// char boundaries of `text`.
    fn new(text: &str, line_start: usize, line_end: usize, start: usize, end: usize) -> Snippet {
        let before = &text[line_start..start];
        let marked = &text[start..end];
        let after = &text[end..line_end];
        let (shown_before, cut_before) = match before.char_indices().rev().nth(SNIPPET_LEAD - 1) {
            Some((i, _))
                if i > 0
                    && text[line_start..line_end]
                        .chars()
                        .nth(SNIPPET_WIDTH)
                        .is_some() =>
            {
                (&before[i..], true)
            }
            _ => (before, false),
        };
        let room = SNIPPET_WIDTH.saturating_sub(shown_before.chars().count());
        let (shown_marked, marked_cut) = cut_chars(marked, room.max(1));
        let room_after = room.saturating_sub(shown_marked.chars().count());
        let (shown_after, after_cut) = if marked_cut {
            ("", !after.is_empty())
        } else {
            cut_chars(after, room_after)
        };
        let lead = if cut_before { "…" } else { "" };
        let tail = if marked_cut || after_cut { "…" } else { "" };
        let marker_prefix: String = lead
            .chars()
            .chain(shown_before.chars())
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let line: String = format!("{lead}{shown_before}{shown_marked}{shown_after}{tail}")
            .chars()
            .map(visible)
            .collect();
        Snippet {
            line,
            marker_prefix,
            carets: shown_marked.chars().count().max(1),
        }
    }
}

/// A control character (other than tab) as its Unicode control picture (`␀` for NUL), so that
/// a snippet never sends one to the terminal; each stays one character wide.
fn visible(c: char) -> char {
    match u32::from(c) {
        0x09 => c,
        n @ 0x00..=0x1f => char::from_u32(0x2400 + n).unwrap_or(c),
        0x7f => '\u{2421}',
        _ => c,
    }
}

/// The first `max` characters of `s`, and whether that left some out.
fn cut_chars(s: &str, max: usize) -> (&str, bool) {
    match s.char_indices().nth(max) {
        Some((i, _)) => (&s[..i], true),
        None => (s, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Diagnostic, Diagnostics, FileId, Span};

    #[test]
    fn line_col_is_one_based_and_counts_chars() {
        let text = "ab\ncé d\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(line_col(text, 5), (2, 2));
        assert_eq!(line_col(text, 999), (3, 1));
        let index = LineIndex::new(text);
        for offset in 0..12 {
            assert_eq!(index.line_col(text, offset), line_col(text, offset));
        }
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

    /// Found by the `settings_toml` fuzz target: a span starting among the `\r`s that end a
    /// line panicked (`clamp` with its bounds crossed).
    #[test]
    fn a_span_among_the_carriage_returns_ending_a_line_renders() {
        let text = "[[schedule]]\nnameAY = [\r\r\r\r\r";
        let files = Files::single("drydock.toml", text);
        let d = Diagnostic::error("D1003", "invalid array", Span::new(FileId(0), 24, 25));
        assert!(
            d.render(&files).contains("drydock.toml:2:"),
            "{}",
            d.render(&files)
        );
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_span() {
        let text = format!("{}bad{}\n", "a ".repeat(5_000), " b".repeat(5_000));
        let files = Files::single("schema.prisma", text.as_str());
        let d = Diagnostic::error("P1012", "Bad.", Span::new(FileId(0), 10_000, 10_003));
        insta::assert_snapshot!(d.render(&files), @r"
        error[P1012]: Bad.
          --> schema.prisma:1:10001
           |
         1 | …a a a a a a a a a a a a a a a a a a a a bad b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b …
           |                                          ^^^
        ");
        // A span longer than the window is underlined as far as it is shown.
        let whole = Diagnostic::error("P1012", "All.", Span::new(FileId(0), 0, text.len()));
        let rendered = whole.render(&files);
        assert!(
            rendered.lines().all(|l| l.chars().count() < 140),
            "{rendered}"
        );
    }

    #[test]
    fn control_characters_are_shown_as_pictures() {
        let text = "model A {\n  x\0 Int\u{1b}[31m\n}\n";
        let files = Files::single("schema.prisma", text);
        let d = Diagnostic::error("P1012", "Bad line.", Span::new(FileId(0), 12, 25));
        insta::assert_snapshot!(d.render(&files), @r"
        error[P1012]: Bad line.
          --> schema.prisma:2:3
           |
         2 |   x␀ Int␛[31m
           |   ^^^^^^^^^^^
        ");
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

    #[test]
    fn many_diagnostics_are_cut_after_the_first_hundred() {
        let text = "x\n".repeat(300);
        let files = Files::single("schema.prisma", text.as_str());
        let mut diagnostics = Diagnostics::new();
        for line in 0..250 {
            diagnostics.error(
                "P1012",
                "Bad line.",
                Span::new(FileId(0), line * 2, line * 2 + 1),
            );
        }
        for line in 250..260 {
            diagnostics.warning(
                "P1012",
                "Odd line.",
                Span::new(FileId(0), line * 2, line * 2 + 1),
            );
        }
        let rendered = diagnostics.render(&files);
        assert_eq!(rendered.matches("error[P1012]").count(), 100);
        assert!(rendered.contains("schema.prisma:100:1"), "{rendered}");
        assert!(!rendered.contains("schema.prisma:101:1"), "{rendered}");
        assert!(
            rendered.ends_with("... and 150 more errors and 10 more warnings\n"),
            "{}",
            &rendered[rendered.len() - 200..]
        );
    }
}
