//! Source files and byte spans into them.

/// Identifies a file inside a [`Files`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end }
    }

    /// The smallest span covering `self` and `other` (same file assumed).
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One named source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown in diagnostics, usually a path relative to the schema folder.
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The text a span covers, or `""` if the span is out of range or not on char boundaries.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// Reads the contents of the file `name` as UTF-8 text; otherwise renders a diagnostic with
/// the given code at the first byte that is not UTF-8 (`name:line:col` and its line, where the
/// byte shows as `�`), with help to save the file as UTF-8.
pub fn decode_utf8(code: &'static str, name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        let bytes = error.as_bytes();
        let at = error.utf8_error().valid_up_to();
        // Up to `at` the lossy text is the file's own; the bad byte becomes one U+FFFD there.
        let files = Files::single(name, String::from_utf8_lossy(bytes));
        let span = Span::new(FileId(0), at, at + char::REPLACEMENT_CHARACTER.len_utf8());
        crate::Diagnostic::error(
            code,
            format!(
                "the byte 0x{:02X} is not UTF-8 text",
                bytes.get(at).copied().unwrap_or(0)
            ),
            span,
        )
        .with_help("save the file as UTF-8")
        .render(&files)
    })
}

/// A set of source files, addressed by [`FileId`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    pub fn new() -> Self {
        Files::default()
    }

    /// A set with one file.
    pub fn single(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut files = Files::new();
        files.add(name, text);
        files
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile::new(name, text));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Files with their ids, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }
}

impl FromIterator<SourceFile> for Files {
    fn from_iter<T: IntoIterator<Item = SourceFile>>(iter: T) -> Self {
        Files {
            files: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_utf8_are_located() {
        assert_eq!(
            decode_utf8("D1002", "a.prisma", b"model A {}".to_vec()).as_deref(),
            Ok("model A {}")
        );
        let bytes = b"model A {\n  \xc3\xa9x \xff Int\n}".to_vec();
        assert_eq!(
            decode_utf8("D1002", "a.prisma", bytes),
            Err("error[D1002]: the byte 0xFF is not UTF-8 text\n  --> a.prisma:2:6\n   |\n 2 |   éx � Int\n   |      ^\n   = help: save the file as UTF-8\n".to_owned())
        );
    }
}
