//! Splits schema text into tokens. Whitespace other than newlines is dropped; comments are
//! kept as tokens so the parser can attach documentation and the formatter can keep them.

use drydock_diagnostics::{FileId, Span};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Ident,
    /// A string literal including its quotes; `terminated` is false when it runs to the line end.
    Str {
        terminated: bool,
    },
    Number,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Equals,
    Question,
    Bang,
    At,
    AtAt,
    Dot,
    Newline,
    /// `// ...`
    Comment,
    /// `/// ...`
    DocComment,
    /// Any other character.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Token {
    pub(crate) fn span(&self, file: FileId) -> Span {
        Span::new(file, self.start, self.end)
    }

    pub(crate) fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

/// A letter outside ASCII that may appear in an identifier: Prisma's grammar accepts Unicode
/// letters (general category L), but neither other digits nor marks.
fn is_unicode_letter(c: char) -> bool {
    !c.is_ascii() && c.general_category_group() == GeneralCategoryGroup::Letter
}

/// The length in bytes of the identifier character at `i`, if there is one.
fn ident_continue_len(src: &str, i: usize) -> Option<usize> {
    let b = *src.as_bytes().get(i)?;
    if b.is_ascii() {
        return (b.is_ascii_alphanumeric() || b == b'_' || b == b'-').then_some(1);
    }
    let c = src.get(i..)?.chars().next()?;
    is_unicode_letter(c).then(|| c.len_utf8())
}

fn skip_ident(src: &str, i: &mut usize) {
    while let Some(len) = ident_continue_len(src, *i) {
        *i += len;
    }
}

/// Tokenizes `src`. Never fails: unexpected characters become [`TokenKind::Unknown`].
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::with_capacity(src.len() / 4);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            // A byte order mark (U+FEFF) is not content.
            0xef if bytes.get(i + 1..i + 3) == Some(&[0xbb, 0xbf]) => {
                i += 3;
                continue;
            }
            b'\n' => {
                i += 1;
                TokenKind::Newline
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let doc = bytes.get(i + 2) == Some(&b'/');
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                if doc {
                    TokenKind::DocComment
                } else {
                    TokenKind::Comment
                }
            }
            b'"' => {
                i += 1;
                let mut terminated = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
                        b'"' => {
                            i += 1;
                            terminated = true;
                            break;
                        }
                        b'\n' => break,
                        _ => i += 1,
                    }
                }
                i = i.min(bytes.len());
                TokenKind::Str { terminated }
            }
            b'0'..=b'9' => {
                lex_number(bytes, &mut i);
                TokenKind::Number
            }
            b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                lex_number(bytes, &mut i);
                TokenKind::Number
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                skip_ident(src, &mut i);
                TokenKind::Ident
            }
            // Identifiers cannot start with `_`; the whole word is one unknown token.
            b'_' => {
                skip_ident(src, &mut i);
                TokenKind::Unknown
            }
            _ if !b.is_ascii() && src[i..].chars().next().is_some_and(is_unicode_letter) => {
                skip_ident(src, &mut i);
                TokenKind::Ident
            }
            b'{' => single(&mut i, TokenKind::LBrace),
            b'}' => single(&mut i, TokenKind::RBrace),
            b'(' => single(&mut i, TokenKind::LParen),
            b')' => single(&mut i, TokenKind::RParen),
            b'[' => single(&mut i, TokenKind::LBracket),
            b']' => single(&mut i, TokenKind::RBracket),
            b',' => single(&mut i, TokenKind::Comma),
            b':' => single(&mut i, TokenKind::Colon),
            b'=' => single(&mut i, TokenKind::Equals),
            b'?' => single(&mut i, TokenKind::Question),
            b'!' => single(&mut i, TokenKind::Bang),
            b'.' => single(&mut i, TokenKind::Dot),
            b'@' => {
                if bytes.get(i + 1) == Some(&b'@') {
                    i += 2;
                    TokenKind::AtAt
                } else {
                    single(&mut i, TokenKind::At)
                }
            }
            _ => {
                // Skip one whole UTF-8 character.
                i += 1;
                while i < bytes.len() && !src.is_char_boundary(i) {
                    i += 1;
                }
                TokenKind::Unknown
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

fn single(i: &mut usize, kind: TokenKind) -> TokenKind {
    *i += 1;
    kind
}

fn lex_number(bytes: &[u8], i: &mut usize) {
    while *i < bytes.len() && bytes[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i + 1 < bytes.len() && bytes[*i] == b'.' && bytes[*i + 1].is_ascii_digit() {
        *i += 1;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
    }
    // Exponents (`1e10`).
    if *i < bytes.len() && (bytes[*i] == b'e' || bytes[*i] == b'E') {
        let mut j = *i + 1;
        if j < bytes.len() && (bytes[j] == b'-' || bytes[j] == b'+') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            *i = j;
        }
    }
}

/// Decodes the contents of a string literal token (quotes included) with JSON-style escapes.
/// Unknown escapes are kept verbatim.
pub(crate) fn unescape(raw: &str) -> String {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    if !inner.contains('\\') {
        return inner.to_owned();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn lexes_a_field_line() {
        use TokenKind::*;
        assert_eq!(
            kinds("id Int @id @default(-1.5) // c\n"),
            vec![
                Ident, Ident, At, Ident, At, Ident, LParen, Number, RParen, Comment, Newline
            ]
        );
        assert_eq!(
            kinds("@@map(\"a\\\"b\") ///d"),
            vec![
                AtAt,
                Ident,
                LParen,
                Str { terminated: true },
                RParen,
                DocComment
            ]
        );
        assert_eq!(kinds("\"abc\n"), vec![Str { terminated: false }, Newline]);
        assert_eq!(kinds("Lööp lööps 東京"), vec![Ident, Ident, Ident]);
        // Other digits, letter numbers and combining marks are not letters.
        assert_eq!(kinds("a٣"), vec![Ident, Unknown]);
        assert_eq!(kinds("ⅷ"), vec![Unknown]);
        assert_eq!(kinds("😀"), vec![Unknown]);
        assert_eq!(kinds("\u{feff}model"), vec![Ident]);
    }

    #[test]
    fn unescapes_json_style() {
        assert_eq!(unescape(r#""a\"b\n\u00e9\q""#), "a\"b\né\\q");
        assert_eq!(unescape(r#""plain""#), "plain");
    }
}
