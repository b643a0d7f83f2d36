//! Splits schema text into tokens. Whitespace other than newlines is dropped; comments are
//! kept as tokens so the parser can attach documentation and the formatter can keep them.

use drydock_diagnostics::{FileId, Span};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Ident,
    /// A string literal including its quotes; `valid` is false when it runs to the line end or
    /// holds a control character (Prisma's grammar allows none in strings, not even a tab).
    Str {
        valid: bool,
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
                let mut control = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => {
                            control |= bytes[i + 1] < 0x20;
                            i += 2;
                        }
                        b'"' => {
                            i += 1;
                            terminated = true;
                            break;
                        }
                        b'\n' => break,
                        b => {
                            control |= b < 0x20;
                            i += 1;
                        }
                    }
                }
                i = i.min(bytes.len());
                TokenKind::Str {
                    valid: terminated && !control,
                }
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

/// A bad escape in a string literal: the message and its byte range in the token.
pub(crate) type EscapeError = (&'static str, std::ops::Range<usize>);

const UNKNOWN_ESCAPE: &str = "Unknown escape sequence. If the value is a windows-style path, `\\` must be escaped as `\\\\`.";
const INVALID_UNICODE_ESCAPE: &str = "Invalid unicode escape sequence.";

/// Decodes the contents of a string literal token (quotes included) with JSON's escapes, as
/// Prisma does: an unknown escape or a bad `\u` sequence is reported and left out.
pub(crate) fn unescape(raw: &str) -> (String, Vec<EscapeError>) {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let base = usize::from(raw.starts_with('"'));
    let mut errors = Vec::new();
    if !inner.contains('\\') {
        return (inner.to_owned(), errors);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((start, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, escaped)) = chars.next() else {
            break;
        };
        match escaped {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'u' => {
                let slice = &inner[start..];
                let (consumed, decoded) = unicode_escape(slice);
                match decoded {
                    Ok(c) => out.push(c),
                    Err(len) => errors.push((
                        INVALID_UNICODE_ESCAPE,
                        base + start..base + start + len.min(slice.len()),
                    )),
                }
                // `\u` itself is consumed already.
                for _ in 0..consumed.saturating_sub(2) {
                    chars.next();
                }
            }
            other => errors.push((
                UNKNOWN_ESCAPE,
                base + start..base + start + 1 + other.len_utf8(),
            )),
        }
    }
    (out, errors)
}

/// A `\uXXXX` escape (or a UTF-16 surrogate pair of two) at the start of `slice`: the bytes it
/// takes, and the character or the length of the bad sequence.
fn unicode_escape(slice: &str) -> (usize, Result<char, usize>) {
    let (consumed, first) = codepoint(slice);
    let Some(first) = first else {
        return (consumed, Err(consumed.max(2)));
    };
    if let Some(c) = char::from_u32(first.into()) {
        return (6, Ok(c));
    }
    match codepoint(&slice[6..]) {
        (_, None) => (6, Err(6)),
        (second_consumed, Some(second)) => match char::decode_utf16([first, second]).next() {
            Some(Ok(c)) => (12, Ok(c)),
            _ => (12, Err(6 + second_consumed)),
        },
    }
}

/// Four hex digits after `\u`: the bytes read and the code unit, if all four are there.
fn codepoint(slice: &str) -> (usize, Option<u16>) {
    if slice.len() < 4 || !slice.starts_with("\\u") {
        return (0, None);
    }
    let mut unit = 0u16;
    let mut digits = slice[2..].chars();
    for i in 0..4 {
        match digits.next().and_then(|c| c.to_digit(16)) {
            Some(nibble) => unit = (unit << 4) | nibble as u16,
            None => return (2 + i, None),
        }
    }
    (6, Some(unit))
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
            vec![AtAt, Ident, LParen, Str { valid: true }, RParen, DocComment]
        );
        assert_eq!(kinds("\"abc\n"), vec![Str { valid: false }, Newline]);
        assert_eq!(kinds("\"a\tb\" \"\0\""), vec![Str { valid: false }; 2]);
        assert_eq!(kinds("\"a\u{7f}\u{80}b\""), vec![Str { valid: true }]);
        assert_eq!(kinds("Lööp lööps 東京"), vec![Ident, Ident, Ident]);
        // Other digits, letter numbers and combining marks are not letters.
        assert_eq!(kinds("a٣"), vec![Ident, Unknown]);
        assert_eq!(kinds("ⅷ"), vec![Unknown]);
        assert_eq!(kinds("😀"), vec![Unknown]);
        assert_eq!(kinds("\u{feff}model"), vec![Ident]);
    }

    #[test]
    fn unescapes_json_style() {
        assert_eq!(
            unescape(r#""a\"b\n\u00e9\ud83d\ude00""#),
            ("a\"b\né😀".to_owned(), vec![])
        );
        assert_eq!(unescape(r#""plain""#), ("plain".to_owned(), vec![]));
        assert_eq!(
            unescape(r#""c:\W\u12x\u""#),
            (
                "c:x".to_owned(),
                vec![
                    (UNKNOWN_ESCAPE, 3..5),
                    (INVALID_UNICODE_ESCAPE, 5..9),
                    (INVALID_UNICODE_ESCAPE, 10..12)
                ]
            )
        );
    }
}
