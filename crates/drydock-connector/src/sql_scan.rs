//! Splitting SQL scripts into statements, for every dialect.
//!
//! The scanner knows what all supported databases share (`--` and `/* */` comments, `'...'`
//! literals and `"..."` identifiers with doubled quotes, `;` ending a statement); a dialect
//! describes the rest in a [`LexicalRules`] value: nested comments, dollar-quoted and `E'...'`
//! strings, MySQL's `#` comments, backslash escapes and `"..."` strings, extra identifier
//! quotes, and the compound bodies inside which `;` does not end the statement.

use std::ops::Range;

/// What a dialect's SQL text adds to the shared lexical rules.
#[derive(Debug, Clone, Copy)]
pub struct LexicalRules {
    /// `/* /* */ */` nests (PostgreSQL); otherwise the first `*/` ends the comment.
    pub nested_block_comments: bool,
    /// `$tag$ ... $tag$` strings (PostgreSQL).
    pub dollar_quoted_strings: bool,
    /// `E'...'` strings take backslash escapes (PostgreSQL).
    pub escape_strings: bool,
    /// `#` starts a comment to the end of the line (MySQL).
    pub hash_comments: bool,
    /// Every quoted string takes backslash escapes: `'it\'s'` (MySQL without
    /// `NO_BACKSLASH_ESCAPES`).
    pub backslash_escapes: bool,
    /// `"..."` is a string, not an identifier (MySQL without `ANSI_QUOTES`).
    pub double_quoted_strings: bool,
    /// Identifier quotes besides `"`, as (opening, closing) bytes. Where both are the same, a
    /// doubled quote stands for itself, as in `"..."`.
    pub identifier_quotes: &'static [(u8, u8)],
    /// Compound bodies inside which `;` does not end the statement.
    pub bodies: &'static [Body],
    /// An unquoted name stands for its lower-case spelling (PostgreSQL); otherwise it is
    /// compared without regard to case (MySQL's columns, SQLite).
    pub folds_unquoted_names: bool,
}

/// A compound body (`BEGIN ATOMIC ... END`, a trigger's `BEGIN ... END`): its `;` belong to
/// the statement around it. Words are upper case.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    /// How a statement must begin for the body to open in it; empty for any statement.
    pub in_statements: &'static [&'static [&'static str]],
    /// The words that open the body, ending with the word that opens it.
    pub opened_by: &'static [&'static str],
    /// Words that open a block inside the body which its own `END` closes (`CASE`).
    pub nested: &'static [&'static str],
}

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From the end of the previous statement to just after this one's `;` (or the end of the
    /// script): comments and whitespace before a statement belong to it.
    pub range: Range<usize>,
    /// Upper-cased keywords and identifiers, outside comments, literals and quoted identifiers.
    pub words: Vec<String>,
}

/// The statements of `script`, in order. Stretches holding only comments, whitespace and `;`
/// are no statement.
pub fn statements(script: &str, rules: &LexicalRules) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut start = 0;
    let mut words: Vec<String> = Vec::new();
    // Whether the current statement has anything besides comments and whitespace.
    let mut has_sql = false;
    // Open bodies and blocks nested in them: there `;` does not end the statement.
    let mut depth = 0usize;
    let mut open_body: Option<&Body> = None;
    for token in tokens(script, rules) {
        match token.kind {
            TokenKind::Punct if depth == 0 && token.text == ";" => {
                if has_sql {
                    statements.push(Statement {
                        range: start..token.range.end,
                        words: std::mem::take(&mut words),
                    });
                    start = token.range.end;
                    has_sql = false;
                }
                continue;
            }
            TokenKind::Word => {
                words.push(token.text.to_ascii_uppercase());
                if let Some(body) = opened_body(rules, &words) {
                    depth += 1;
                    open_body = Some(body);
                } else if depth > 0 {
                    let word = words.last().map_or("", String::as_str);
                    if word == "END" {
                        depth -= 1;
                    } else if open_body.is_some_and(|body| body.nested.contains(&word)) {
                        depth += 1;
                    }
                }
            }
            _ => {}
        }
        has_sql = true;
    }
    if has_sql {
        statements.push(Statement {
            range: start..script.len(),
            words,
        });
    }
    statements
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword or unquoted identifier.
    Word,
    /// A quoted identifier.
    QuotedIdentifier,
    /// A string literal: `'...'`, `E'...'` (after its `E` word), `$tag$...$tag$`, MySQL's
    /// `"..."`.
    Literal,
    /// A number: `42`, `1.5`, `1e10`.
    Number,
    /// Any other character: `(`, `,`, `.`, `;`, `=`, ...
    Punct,
}

/// A piece of SQL outside comments and whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Where it is in the text scanned.
    pub range: Range<usize>,
    /// As written; for a quoted identifier, the name it quotes (doubled quotes undone).
    pub text: String,
}

impl Token {
    /// Whether it is the keyword `keyword` (upper case), however written.
    pub fn is_keyword(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// The identifier it names: a quoted one as quoted, an unquoted one folded to lower case
    /// (as PostgreSQL folds names); `None` for literals and punctuation.
    pub fn identifier(&self) -> Option<String> {
        match self.kind {
            TokenKind::Word => Some(self.text.to_lowercase()),
            TokenKind::QuotedIdentifier => Some(self.text.clone()),
            TokenKind::Literal | TokenKind::Number | TokenKind::Punct => None,
        }
    }
}

/// The tokens of `text`, in order; comments and whitespace are left out.
pub fn tokens(text: &str, rules: &LexicalRules) -> Vec<Token> {
    scan(text, rules).0
}

/// Where `text` opens a block comment, a quoted string or a quoted identifier that never
/// closes (such a script does not end where it seems to); `None` when everything closes.
pub fn unclosed_at(text: &str, rules: &LexicalRules) -> Option<usize> {
    scan(text, rules).1
}

/// The tokens of `text`, and where it opens what never closes.
fn scan(text: &str, rules: &LexicalRules) -> (Vec<Token>, Option<usize>) {
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut unclosed = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let mut closing_quote = None;
        let kind = match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let closed;
                (i, closed) = skip_block_comment(bytes, i, rules.nested_block_comments);
                if !closed {
                    unclosed = Some(start);
                }
                continue;
            }
            b'#' if rules.hash_comments => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'\'' => {
                // In `E'...'` the `E` must be a word of its own, just before the quote.
                let escapes = rules.backslash_escapes
                    || (rules.escape_strings
                        && tokens.last().is_some_and(|word| {
                            word.range.end == i
                                && word.kind == TokenKind::Word
                                && word.is_keyword("E")
                        }));
                i = skip_quoted(bytes, i, (b'\'', b'\''), escapes, &mut unclosed);
                TokenKind::Literal
            }
            b'"' if rules.double_quoted_strings => {
                i = skip_quoted(
                    bytes,
                    i,
                    (b'"', b'"'),
                    rules.backslash_escapes,
                    &mut unclosed,
                );
                TokenKind::Literal
            }
            b'"' => {
                i = skip_quoted(bytes, i, (b'"', b'"'), false, &mut unclosed);
                closing_quote = Some(b'"');
                TokenKind::QuotedIdentifier
            }
            b'$' if rules.dollar_quoted_strings && dollar_tag(text, i).is_some() => {
                let tag = dollar_tag(text, i).unwrap_or_default();
                let body = i + tag.len();
                i = match text[body..].find(tag) {
                    Some(n) => body + n + tag.len(),
                    None => {
                        unclosed = Some(start);
                        bytes.len()
                    }
                };
                TokenKind::Literal
            }
            _ if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                TokenKind::Word
            }
            _ if b.is_ascii_digit() => {
                while i < bytes.len() && (is_word_byte(bytes[i]) || bytes[i] == b'.') {
                    i += 1;
                }
                TokenKind::Number
            }
            _ => match rules.identifier_quotes.iter().find(|(open, _)| *open == b) {
                Some(&(open, close)) => {
                    i = skip_quoted(bytes, i, (open, close), false, &mut unclosed);
                    closing_quote = Some(close);
                    TokenKind::QuotedIdentifier
                }
                None => {
                    i += text[i..].chars().next().map_or(1, char::len_utf8);
                    TokenKind::Punct
                }
            },
        };
        let written = &text[start..i];
        let text = match closing_quote {
            Some(close) => unquote(written, char::from(close)),
            None => written.to_owned(),
        };
        tokens.push(Token {
            kind,
            range: start..i,
            text,
        });
    }
    (tokens, unclosed)
}

/// The name a quoted identifier holds: its quotes removed (an unterminated one runs to the
/// end), doubled closing quotes undone.
fn unquote(written: &str, close: char) -> String {
    let body = written.get(1..).unwrap_or_default();
    let inner = body.strip_suffix(close).unwrap_or(body);
    inner.replace(&format!("{close}{close}"), &close.to_string())
}

/// The byte ranges of the statements of `script`, as [`statements`] finds them.
pub fn statement_ranges(script: &str, rules: &LexicalRules) -> Vec<Range<usize>> {
    statements(script, rules)
        .into_iter()
        .map(|statement| statement.range)
        .collect()
}

/// The body whose opening words `words` (the statement so far) ends with, if any.
fn opened_body<'r>(rules: &'r LexicalRules, words: &[String]) -> Option<&'r Body> {
    rules.bodies.iter().find(|body| {
        let in_statement = body.in_statements.is_empty()
            || body
                .in_statements
                .iter()
                .any(|start| starts_with(words, start));
        in_statement
            && words.len() >= body.opened_by.len()
            && words[words.len() - body.opened_by.len()..]
                .iter()
                .zip(body.opened_by)
                .all(|(word, expected)| word == expected)
    })
}

fn starts_with(words: &[String], prefix: &[&str]) -> bool {
    words.len() >= prefix.len() && words.iter().zip(prefix).all(|(word, p)| word == p)
}

/// The index just past the block comment opening at `start`, and whether it closes there.
fn skip_block_comment(bytes: &[u8], start: usize, nested: bool) -> (usize, bool) {
    let mut depth = 1;
    let mut i = start + 2;
    while i < bytes.len() && depth > 0 {
        if nested && bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    (i, depth == 0)
}

/// Whether `b` continues an unquoted identifier or keyword.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The index just past the quoted text opening at `start` (`unclosed` set to `start` when it
/// runs to the end). A doubled quote is part of the text where opening and closing quotes are
/// the same.
fn skip_quoted(
    bytes: &[u8],
    start: usize,
    (open, close): (u8, u8),
    backslash_escapes: bool,
    unclosed: &mut Option<usize>,
) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if backslash_escapes && bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i] == close {
            if open == close && bytes.get(i + 1) == Some(&close) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    *unclosed = Some(start);
    bytes.len()
}

/// The `$tag$` opening a dollar-quoted string at `start`, if there is one.
fn dollar_tag(script: &str, start: usize) -> Option<&str> {
    let rest = &script[start + 1..];
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag
        .chars()
        .enumerate()
        .all(|(n, c)| c == '_' || c.is_alphabetic() || (n > 0 && c.is_ascii_digit()));
    valid.then(|| &script[start..start + end + 2])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Body, LexicalRules, TokenKind, statement_ranges, statements, tokens, unclosed_at};

    /// Only what every dialect shares.
    pub(crate) const PLAIN: LexicalRules = LexicalRules {
        nested_block_comments: false,
        dollar_quoted_strings: false,
        escape_strings: false,
        hash_comments: false,
        backslash_escapes: false,
        double_quoted_strings: false,
        identifier_quotes: &[],
        bodies: &[],
        folds_unquoted_names: false,
    };

    /// Every option on but MySQL's string and comment rules (which read `'\'` and `"` their
    /// own way, tested with `MYSQL_STRINGS`), with a body opening in any statement and one
    /// limited to triggers.
    pub(crate) const ALL: LexicalRules = LexicalRules {
        nested_block_comments: true,
        dollar_quoted_strings: true,
        escape_strings: true,
        hash_comments: false,
        backslash_escapes: false,
        double_quoted_strings: false,
        identifier_quotes: &[(b'`', b'`'), (b'[', b']')],
        bodies: &[
            Body {
                in_statements: &[],
                opened_by: &["BEGIN", "ATOMIC"],
                nested: &["CASE"],
            },
            Body {
                in_statements: &[&["CREATE", "TRIGGER"]],
                opened_by: &["BEGIN"],
                nested: &["CASE"],
            },
        ],
        folds_unquoted_names: true,
    };

    /// MySQL's strings and comments: `#` comments, backslash escapes, `"..."` strings.
    pub(crate) const MYSQL_STRINGS: LexicalRules = LexicalRules {
        hash_comments: true,
        backslash_escapes: true,
        double_quoted_strings: true,
        ..PLAIN
    };

    /// The statements of `script` as text.
    fn split<'s>(script: &'s str, rules: &LexicalRules) -> Vec<&'s str> {
        statement_ranges(script, rules)
            .into_iter()
            .map(|range| &script[range])
            .collect()
    }

    #[test]
    fn semicolons_in_literals_and_identifiers_do_not_split() {
        assert_eq!(
            split(
                "INSERT INTO t VALUES ('a;b', 'it''s;');\nSELECT \"x;y\", \"a\"\";\" FROM t;",
                &PLAIN
            ),
            [
                "INSERT INTO t VALUES ('a;b', 'it''s;');",
                "\nSELECT \"x;y\", \"a\"\";\" FROM t;"
            ]
        );
    }

    #[test]
    fn comments_belong_to_the_next_statement() {
        assert_eq!(
            split(
                "-- first; not a statement\nSELECT 1; /* a; */ SELECT 2;\n-- trailing;\n",
                &PLAIN
            ),
            [
                "-- first; not a statement\nSELECT 1;",
                " /* a; */ SELECT 2;"
            ]
        );
        assert_eq!(
            split("SELECT 1;;\n;SELECT 2;", &PLAIN),
            ["SELECT 1;", ";\n;SELECT 2;"]
        );
    }

    #[test]
    fn crlf_scripts_and_a_missing_final_semicolon() {
        assert_eq!(
            split("-- a\r\nBEGIN;\r\nCREATE TABLE b (id INT)\r\n", &PLAIN),
            ["-- a\r\nBEGIN;", "\r\nCREATE TABLE b (id INT)\r\n"]
        );
        assert_eq!(split("SELECT 1", &PLAIN), ["SELECT 1"]);
    }

    #[test]
    fn scripts_without_statements_split_into_nothing() {
        for script in ["", "  \r\n", "-- only a comment", "/* a; */ ;\n-- b;\n"] {
            for rules in [&PLAIN, &ALL] {
                assert!(statements(script, rules).is_empty(), "{script:?}");
            }
        }
    }

    #[test]
    fn unterminated_text_runs_to_the_end() {
        for script in [
            "SELECT 'a; b",
            "SELECT \"a; b",
            "SELECT 1 /* a; b",
            "SELECT $x$ a; b",
        ] {
            assert_eq!(split(script, &ALL), [script]);
        }
    }

    #[test]
    fn unclosed_text_is_found_where_it_opens() {
        for (script, at) in [
            ("SELECT 1; /* never closed", Some(10)),
            ("SELECT 'a; b", Some(7)),
            ("SELECT \"a; b", Some(7)),
            ("SELECT $x$ a; b", Some(7)),
            ("SELECT 1; /* closed */ SELECT 'it''s'; -- to the end", None),
        ] {
            assert_eq!(unclosed_at(script, &ALL), at, "{script}");
        }
    }

    #[test]
    fn words_are_upper_cased_sql_only() {
        let words = |script: &str, rules: &LexicalRules| -> Vec<Vec<String>> {
            statements(script, rules)
                .into_iter()
                .map(|statement| statement.words)
                .collect()
        };
        assert_eq!(
            words(
                "-- VACUUM\ncreate table \"T\" (a$b int, é text) /* x */; Select 'y';",
                &PLAIN
            ),
            [
                vec!["CREATE", "TABLE", "A$B", "INT", "é", "TEXT"],
                vec!["SELECT"]
            ]
        );
        assert_eq!(words("SELECT `x`, [y];", &ALL), [vec!["SELECT"]]);
    }

    /// Each option changes where statements end: with it on (`ALL`) and off (`PLAIN`).
    #[test]
    fn dialect_options() {
        let cases: [(&str, &[&str], &[&str]); 5] = [
            // Nested block comments.
            (
                "/* a /* b */ c; */ SELECT 1;",
                &["/* a /* b */ c; */ SELECT 1;"],
                &["/* a /* b */ c;", " */ SELECT 1;"],
            ),
            // `E'...'` strings; in `type'...'` the `E` is no word of its own.
            (
                "SELECT E'\\';', e'\\\\'; SELECT type'x\\';",
                &["SELECT E'\\';', e'\\\\';", " SELECT type'x\\';"],
                &["SELECT E'\\';", "', e'\\\\'; SELECT type'x\\';"],
            ),
            // Dollar-quoted strings; `$1` is no tag.
            (
                "SELECT $$a;$$, $t$ $$; $t$, $1; SELECT 2;",
                &["SELECT $$a;$$, $t$ $$; $t$, $1;", " SELECT 2;"],
                &["SELECT $$a;", "$$, $t$ $$;", " $t$, $1;", " SELECT 2;"],
            ),
            // Extra identifier quotes, doubled where they close themselves.
            (
                "SELECT `a;``b`, [c;] FROM t; SELECT 2;",
                &["SELECT `a;``b`, [c;] FROM t;", " SELECT 2;"],
                &["SELECT `a;", "``b`, [c;", "] FROM t;", " SELECT 2;"],
            ),
            // Bodies.
            (
                "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END; SELECT 2;",
                &[
                    "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END;",
                    " SELECT 2;",
                ],
                &[
                    "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1;",
                    " END;",
                    " SELECT 2;",
                ],
            ),
        ];
        for (script, on, off) in cases {
            assert_eq!(split(script, &ALL), on, "{script}");
            assert_eq!(split(script, &PLAIN), off, "{script}");
        }
    }

    /// MySQL's rules change where statements end: on (`MYSQL_STRINGS`) and off (`PLAIN`).
    #[test]
    fn mysql_comments_escapes_and_double_quoted_strings() {
        let cases: [(&str, &[&str], &[&str]); 4] = [
            // `#` comments to the end of the line belong to the next statement.
            (
                "# a; b\nSELECT 1; SELECT '#;';",
                &["# a; b\nSELECT 1;", " SELECT '#;';"],
                &["# a;", " b\nSELECT 1;", " SELECT '#;';"],
            ),
            // A backslash escapes the quote after it.
            (
                "SELECT 'it\\'s; here'; SELECT 2;",
                &["SELECT 'it\\'s; here';", " SELECT 2;"],
                &["SELECT 'it\\'s;", " here'; SELECT 2;"],
            ),
            // An escaped backslash does not escape the quote after it.
            (
                "SELECT 'a\\\\'; SELECT 2;",
                &["SELECT 'a\\\\';", " SELECT 2;"],
                &["SELECT 'a\\\\';", " SELECT 2;"],
            ),
            // `"..."` strings take escapes and doubled quotes.
            (
                "SELECT \"a\\\";\"\";\"; SELECT 2;",
                &["SELECT \"a\\\";\"\";\";", " SELECT 2;"],
                &["SELECT \"a\\\";", "\"\";", "\"; SELECT 2;"],
            ),
        ];
        for (script, on, off) in cases {
            assert_eq!(split(script, &MYSQL_STRINGS), on, "{script}");
            assert_eq!(split(script, &PLAIN), off, "{script}");
        }
        // A `"..."` string is a literal, not an identifier, and leaves no word.
        let found: Vec<(TokenKind, String)> = tokens("SELECT \"x\" # c\n, 'y\\'z'", &MYSQL_STRINGS)
            .into_iter()
            .map(|token| (token.kind, token.text))
            .collect();
        assert_eq!(
            found,
            [
                (TokenKind::Word, "SELECT".to_owned()),
                (TokenKind::Literal, "\"x\"".to_owned()),
                (TokenKind::Punct, ",".to_owned()),
                (TokenKind::Literal, "'y\\'z'".to_owned()),
            ]
        );
    }

    #[test]
    fn bodies_hold_their_semicolons() {
        let atomic = "CREATE FUNCTION g(x int) RETURNS int LANGUAGE SQL BEGIN ATOMIC \
                      SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END; SELECT x; END;";
        let trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET b = CASE WHEN \
                       1 THEN 2 END; BEGIN SELECT 1; END; DELETE FROM c; END;";
        let script = format!("{atomic}\n{trigger}\nBEGIN; SELECT CASE WHEN 1 THEN 2 END;");
        assert_eq!(
            split(&script, &ALL),
            [
                atomic.to_owned(),
                format!("\n{trigger}"),
                "\nBEGIN;".to_owned(),
                " SELECT CASE WHEN 1 THEN 2 END;".to_owned()
            ]
        );
    }

    #[test]
    fn a_body_opens_only_in_its_statements() {
        // `CASE` before the body opens nothing, and `BEGIN` outside a trigger is no body.
        let script = "CREATE TRIGGER t AFTER INSERT ON a WHEN CASE WHEN 1 THEN 1 END \
                      BEGIN SELECT 1; END; SELECT 2;";
        assert_eq!(split(script, &ALL).len(), 2);
        assert_eq!(
            split("CREATE TABLE begin (id INT); SELECT 2;", &ALL),
            ["CREATE TABLE begin (id INT);", " SELECT 2;"]
        );
    }

    #[test]
    fn tokens_leave_out_comments_and_unquote_identifiers() {
        let sql = "UPDATE public.\"we\"\"ird\" /* a */ SET x = E'it\\'s' -- b\n\
                   WHERE $t$;$t$ <> 'a''b' AND [y] = 1;";
        let found: Vec<(TokenKind, String)> = tokens(sql, &ALL)
            .into_iter()
            .map(|token| (token.kind, token.text))
            .collect();
        let expected = [
            (TokenKind::Word, "UPDATE"),
            (TokenKind::Word, "public"),
            (TokenKind::Punct, "."),
            (TokenKind::QuotedIdentifier, "we\"ird"),
            (TokenKind::Word, "SET"),
            (TokenKind::Word, "x"),
            (TokenKind::Punct, "="),
            (TokenKind::Word, "E"),
            (TokenKind::Literal, "'it\\'s'"),
            (TokenKind::Word, "WHERE"),
            (TokenKind::Literal, "$t$;$t$"),
            (TokenKind::Punct, "<"),
            (TokenKind::Punct, ">"),
            (TokenKind::Literal, "'a''b'"),
            (TokenKind::Word, "AND"),
            (TokenKind::QuotedIdentifier, "y"),
            (TokenKind::Punct, "="),
            (TokenKind::Number, "1"),
            (TokenKind::Punct, ";"),
        ]
        .map(|(kind, text)| (kind, text.to_owned()));
        assert_eq!(found, expected);
        // An unterminated quoted identifier runs to the end.
        assert_eq!(tokens("\"open", &PLAIN)[0].text, "open");
    }
}
