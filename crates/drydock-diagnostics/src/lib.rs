//! Source files, byte spans and diagnostics, plus a plain-text renderer.
//!
//! Nothing here knows about a particular language: the schema language uses it for `P1012`
//! errors, and migration files can use it for SQL errors. No IO happens in this crate.
//!
//! ```text
//! error[P1012]: Type "Strin" is neither a built-in type, nor refers to another model, composite type, or enum.
//!   --> schema.prisma:7:9
//!    |
//!  7 |   email Strin @unique
//!    |         ^^^^^
//!    = help: ...
//! ```

mod files;
mod render;

pub use files::{FileId, Files, SourceFile, Span, decode_utf8};
pub use render::{LineIndex, line_col, render_diagnostic};

/// How many diagnostics [`Diagnostics::render`] writes out; the rest are counted in one line.
pub const RENDER_LIMIT: usize = 100;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The lower-case label used in rendered output (`error`, `warning`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One message about a place in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable error code, e.g. `P1012`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            severity: Severity::Warning,
            message: message.into(),
            span,
            help: None,
        }
    }

    /// Adds a help line shown under the snippet.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders this diagnostic as text (see [`render_diagnostic`]).
    pub fn render(&self, files: &Files) -> String {
        render_diagnostic(self, files)
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Records an error.
    pub fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.push(Diagnostic::error(code, message, span));
    }

    /// Records a warning.
    pub fn warning(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.push(Diagnostic::warning(code, message, span));
    }

    /// Moves all diagnostics of `other` to the end of `self`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Sorts by file, then position, keeping the insertion order of equal positions.
    pub fn sort_by_position(&mut self) {
        self.items
            .sort_by_key(|d| (d.span.file, d.span.start, d.span.end));
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Renders the first [`RENDER_LIMIT`] diagnostics, separated by blank lines, then counts
    /// the others (`... and 150 more errors`). Each file's lines are indexed once, so the time
    /// taken grows with the size of the files and the number of diagnostics, never their product.
    pub fn render(&self, files: &Files) -> String {
        let mut indexes: Vec<Option<LineIndex>> = vec![None; files.len()];
        let mut out = String::new();
        for (i, d) in self.items.iter().take(RENDER_LIMIT).enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let index = files.get(d.span.file).and_then(|file| {
                let slot = indexes.get_mut(d.span.file.0 as usize)?;
                Some(&*slot.get_or_insert_with(|| LineIndex::new(&file.text)))
            });
            out.push_str(&render::render_with_index(d, files, index));
        }
        let rest = self.items.get(RENDER_LIMIT..).unwrap_or_default();
        let errors = rest.iter().filter(|d| d.is_error()).count();
        let warnings = rest.len() - errors;
        let counts: Vec<String> = [(errors, "error"), (warnings, "warning")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} more {what}{}", if *n == 1 { "" } else { "s" }))
            .collect();
        if !counts.is_empty() {
            out.push_str(&format!("\n... and {}\n", counts.join(" and ")));
        }
        out
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(items: Vec<Diagnostic>) -> Self {
        Diagnostics { items }
    }
}
