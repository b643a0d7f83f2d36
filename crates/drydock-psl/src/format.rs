//! Prisma-style formatting of one schema file.
//!
//! Works line by line on tokens, so comments and lines that do not parse are kept:
//! - blocks are separated by one blank line, runs of blank lines collapse to one, and blank
//!   lines at the start and end of blocks are removed;
//! - fields, enum values and `key = value` properties are aligned in columns; a blank line starts
//!   a new group of aligned lines, comment lines do not;
//! - field attributes are ordered `@id @unique @default @updatedAt @map @relation @ignore`, then
//!   the others as written; block attributes move to the end of the block after a blank line,
//!   ordered `@@id @@unique @@index @@fulltext @@map @@ignore`, then the others as written;
//! - spacing inside attributes and values is normalized (`fields: [a, b]`);
//! - lines that cannot be understood are kept, re-indented;
//! - missing back-relation fields are added (see `back_relations`).
//!
//! The result is idempotent: formatting formatted text changes nothing.

use crate::back_relations::missing_back_relations;
use crate::fast_hash::FastMap;
use crate::lexer::{Token, TokenKind, lex};

const INDENT: &str = "  ";

/// Formats one schema file.
pub fn format(source: &str) -> String {
    let tokens = lex(source);
    let lines = split_lines(source, &tokens);
    let additions = missing_back_relations(source);
    let mut out = Output::default();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.tokens.is_empty() {
            out.pending_blank = true;
            i += 1;
            continue;
        }
        if let Some(header) = block_header(source, line) {
            i = format_block(source, &lines, i + 1, &header, &additions, &mut out);
            continue;
        }
        out.separate();
        out.push(line.text.to_owned());
        out.last_was_block = false;
        i += 1;
    }
    let mut text = out.lines.join("\n");
    text.push('\n');
    text
}

#[derive(Default)]
struct Output {
    lines: Vec<String>,
    /// A blank line was seen since the last output.
    pending_blank: bool,
    last_was_block: bool,
}

impl Output {
    /// Writes a blank separator line if one is due before the next item.
    fn separate(&mut self) {
        if !self.lines.is_empty() && (self.pending_blank || self.last_was_block) {
            self.lines.push(String::new());
        }
        self.pending_blank = false;
    }

    fn push(&mut self, line: String) {
        self.lines.push(line);
    }
}

/// One physical line: its tokens (without the line break) and its trimmed text.
struct Line<'a> {
    tokens: Vec<Token>,
    text: &'a str,
}

fn split_lines<'a>(source: &'a str, tokens: &[Token]) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let mut current = Vec::new();
    let mut line_start = 0;
    for t in tokens {
        if t.kind == TokenKind::Newline {
            let text = trim_blanks(source.get(line_start..t.start).unwrap_or(""));
            lines.push(Line {
                tokens: std::mem::take(&mut current),
                text,
            });
            line_start = t.end;
        } else {
            current.push(*t);
        }
    }
    let text = trim_blanks(source.get(line_start..).unwrap_or(""));
    if !current.is_empty() || !text.is_empty() {
        lines.push(Line {
            tokens: current,
            text,
        });
    }
    lines
}

/// `text` without the blanks the lexer skips around it. `str::trim` would also drop other
/// whitespace (a vertical tab, U+00A0), which the lexer reads as a token: a line of only that
/// would print empty and be dropped as blank on the next run.
fn trim_blanks(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\x0c', '\u{feff}'])
}

fn is_comment(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::Comment | TokenKind::DocComment)
}

/// Splits off a trailing comment: the tokens before it and its trimmed text.
fn split_comment<'s>(source: &'s str, tokens: &[Token]) -> (Vec<Token>, Option<&'s str>) {
    match tokens.split_last() {
        Some((last, rest)) if is_comment(last.kind) => {
            (rest.to_vec(), Some(last.text(source).trim_end()))
        }
        _ => (tokens.to_vec(), None),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Model,
    Enum,
    Config,
}

struct Header {
    kind: BlockKind,
    /// The block name, for `model` blocks (where back relations may be added).
    model_name: Option<String>,
    text: String,
    /// The block is closed on its header line (`model A {}`).
    closed: bool,
}

fn block_header(source: &str, line: &Line<'_>) -> Option<Header> {
    let (tokens, comment) = split_comment(source, &line.tokens);
    let [keyword, name, brace, rest @ ..] = tokens.as_slice() else {
        return None;
    };
    if keyword.kind != TokenKind::Ident
        || name.kind != TokenKind::Ident
        || brace.kind != TokenKind::LBrace
    {
        return None;
    }
    let closed = match rest {
        [] => false,
        [close] if close.kind == TokenKind::RBrace => true,
        _ => return None,
    };
    let kind = match keyword.text(source) {
        "model" | "view" | "type" => BlockKind::Model,
        "enum" => BlockKind::Enum,
        "datasource" | "generator" => BlockKind::Config,
        _ => return None,
    };
    let mut text = format!("{} {} {{", keyword.text(source), name.text(source));
    if let Some(c) = comment.filter(|_| !closed) {
        text.push(' ');
        text.push_str(c);
    }
    let model_name = (keyword.text(source) == "model").then(|| name.text(source).to_owned());
    Some(Header {
        kind,
        model_name,
        text,
        closed,
    })
}

/// A formatted line of a block body.
enum Elem {
    Blank,
    /// A comment or unparseable line, already trimmed.
    Text(String),
    Row(Row),
}

/// An aligned line: columns plus an optional trailing comment.
struct Row {
    columns: Vec<String>,
    comment: Option<String>,
}

/// A block attribute with the comment lines directly above it.
struct BlockAttribute {
    rank: usize,
    comments: Vec<String>,
    text: String,
}

/// Formats a block whose body starts at line `start`; returns the index of the first line after
/// it.
fn format_block(
    source: &str,
    lines: &[Line<'_>],
    start: usize,
    header: &Header,
    additions: &FastMap<String, Vec<String>>,
    out: &mut Output,
) -> usize {
    out.separate();
    out.push(header.text.clone());
    if header.closed {
        out.push("}".to_owned());
        out.last_was_block = true;
        return start;
    }
    let mut elems: Vec<Elem> = Vec::new();
    let mut attributes: Vec<BlockAttribute> = Vec::new();
    let mut i = start;
    let mut after_close: Option<&str> = None;
    let mut closed = false;
    while i < lines.len() {
        let line = &lines[i];
        let first = line.tokens.first().map(|t| t.kind);
        if first == Some(TokenKind::RBrace) {
            closed = true;
            let rest = source
                .get(line.tokens[0].end..)
                .unwrap_or("")
                .lines()
                .next()
                .map(trim_blanks)
                .unwrap_or("");
            if !rest.is_empty() {
                after_close = Some(rest);
            }
            i += 1;
            break;
        }
        if block_header(source, line).is_some() {
            break;
        }
        i += 1;
        if line.tokens.is_empty() {
            elems.push(Elem::Blank);
            continue;
        }
        if first == Some(TokenKind::AtAt)
            && let Some((rank, text)) = block_attribute(source, &line.tokens)
        {
            // Comment lines directly above belong to the attribute.
            let mut comments = Vec::new();
            while let Some(Elem::Text(t)) = elems.last() {
                if !t.starts_with("//") {
                    break;
                }
                comments.insert(0, t.clone());
                elems.pop();
            }
            attributes.push(BlockAttribute {
                rank,
                comments,
                text,
            });
            continue;
        }
        let row = match header.kind {
            BlockKind::Model => field_row(source, &line.tokens),
            BlockKind::Enum => enum_row(source, &line.tokens),
            BlockKind::Config => property_row(source, &line.tokens),
        };
        match row {
            Some(row) => elems.push(Elem::Row(row)),
            None => elems.push(Elem::Text(line.text.to_owned())),
        }
    }
    // Trim and collapse blank lines.
    let mut body: Vec<Elem> = Vec::with_capacity(elems.len());
    for e in elems {
        if matches!(e, Elem::Blank) && matches!(body.last(), None | Some(Elem::Blank)) {
            continue;
        }
        body.push(e);
    }
    while matches!(body.last(), Some(Elem::Blank)) {
        body.pop();
    }
    if let Some(added) = header.model_name.as_ref().and_then(|n| additions.get(n)) {
        for line in added {
            let tokens = lex(line);
            if let Some(row) = field_row(line, &tokens) {
                body.push(Elem::Row(row));
            }
        }
    }
    render_body(&body, out);
    if !attributes.is_empty() {
        if !body.is_empty() {
            out.push(String::new());
        }
        attributes.sort_by_key(|a| a.rank);
        for a in attributes {
            for c in a.comments {
                out.push(format!("{INDENT}{c}"));
            }
            out.push(format!("{INDENT}{}", a.text));
        }
    }
    if closed {
        match after_close {
            // Kept on the closing line so that formatting stays idempotent.
            Some(rest) => out.push(format!("}} {rest}")),
            None => out.push("}".to_owned()),
        }
    }
    out.last_was_block = true;
    i
}

fn render_body(body: &[Elem], out: &mut Output) {
    let mut i = 0;
    while i < body.len() {
        // A group runs until the next blank line.
        let end = body[i..]
            .iter()
            .position(|e| matches!(e, Elem::Blank))
            .map_or(body.len(), |p| i + p);
        let group = &body[i..end];
        let mut widths: Vec<usize> = Vec::new();
        for e in group {
            if let Elem::Row(r) = e {
                for (c, col) in r.columns.iter().enumerate() {
                    let w = col.chars().count();
                    match widths.get_mut(c) {
                        Some(x) => *x = (*x).max(w),
                        None => widths.push(w),
                    }
                }
            }
        }
        for e in group {
            match e {
                Elem::Blank => {}
                Elem::Text(t) => out.push(format!("{INDENT}{t}")),
                Elem::Row(r) => {
                    let mut line = String::from(INDENT);
                    let last = r.columns.len().saturating_sub(1);
                    for (c, col) in r.columns.iter().enumerate() {
                        line.push_str(col);
                        if c < last {
                            let pad = widths.get(c).copied().unwrap_or(0)
                                - col.chars().count().min(widths.get(c).copied().unwrap_or(0));
                            line.extend(std::iter::repeat_n(' ', pad + 1));
                        }
                    }
                    let mut line = line.trim_end().to_owned();
                    if let Some(c) = &r.comment {
                        line.push(' ');
                        line.push_str(c);
                    }
                    out.push(line);
                }
            }
        }
        if end < body.len() {
            out.push(String::new());
        }
        i = end + 1;
    }
}

/// Prints tokens with normalized spacing: `a(b: 1, c: [x, y])`, `key = value`.
fn print_tokens(source: &str, tokens: &[Token]) -> String {
    let mut out = String::new();
    let mut prev: Option<TokenKind> = None;
    for t in tokens {
        let space = match (prev, t.kind) {
            (None, _) => false,
            (_, TokenKind::Equals) | (Some(TokenKind::Equals), _) => true,
            (
                _,
                TokenKind::Comma
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::Colon
                | TokenKind::Question
                | TokenKind::Bang
                | TokenKind::Dot
                | TokenKind::LParen,
            ) => false,
            (Some(TokenKind::Comma | TokenKind::Colon), _) => true,
            (
                Some(
                    TokenKind::LParen
                    | TokenKind::LBracket
                    | TokenKind::At
                    | TokenKind::AtAt
                    | TokenKind::Dot,
                ),
                _,
            ) => false,
            (
                Some(TokenKind::Ident | TokenKind::RBracket | TokenKind::RParen),
                TokenKind::LBracket,
            ) => false,
            _ => true,
        };
        if space {
            out.push(' ');
        }
        out.push_str(t.text(source));
        prev = Some(t.kind);
    }
    out
}

/// Index of the token closing the bracket opened at `open`, if any.
fn matching(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket => depth += 1,
            TokenKind::RParen | TokenKind::RBracket => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits `@a(...) @b` into attributes; `None` if something else is in between.
fn split_attributes(tokens: &[Token]) -> Option<Vec<&[Token]>> {
    let mut attrs = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].kind != TokenKind::At {
            return None;
        }
        let start = i;
        i += 1;
        // name, optionally dotted
        if tokens.get(i)?.kind != TokenKind::Ident {
            return None;
        }
        i += 1;
        if tokens.get(i).map(|t| t.kind) == Some(TokenKind::Dot) {
            if tokens.get(i + 1)?.kind != TokenKind::Ident {
                return None;
            }
            i += 2;
        }
        if tokens.get(i).map(|t| t.kind) == Some(TokenKind::LParen) {
            i = matching(tokens, i)? + 1;
        }
        attrs.push(&tokens[start..i]);
    }
    Some(attrs)
}

fn attribute_name<'s>(source: &'s str, attr: &[Token]) -> &'s str {
    attr.get(1).map_or("", |t| t.text(source))
}

fn field_rank(name: &str) -> usize {
    match name {
        "id" => 0,
        "unique" => 1,
        "default" => 2,
        "updatedAt" => 3,
        "map" => 4,
        "relation" => 5,
        "ignore" => 6,
        _ => 7,
    }
}

fn block_rank(name: &str) -> usize {
    match name {
        "id" => 0,
        "unique" => 1,
        "index" => 2,
        "fulltext" => 3,
        "map" => 4,
        "ignore" => 5,
        _ => 6,
    }
}

fn print_attributes(source: &str, tokens: &[Token], sort: bool) -> Option<String> {
    let mut attrs = split_attributes(tokens)?;
    if sort {
        attrs.sort_by_key(|a| field_rank(attribute_name(source, a)));
    }
    let printed: Vec<String> = attrs.iter().map(|a| print_tokens(source, a)).collect();
    Some(printed.join(" "))
}

fn comment_string(c: Option<&str>) -> Option<String> {
    c.map(str::to_owned)
}

fn field_row(source: &str, tokens: &[Token]) -> Option<Row> {
    let (tokens, comment) = split_comment(source, tokens);
    let [name, type_name, ..] = tokens.as_slice() else {
        return None;
    };
    if name.kind != TokenKind::Ident || type_name.kind != TokenKind::Ident {
        return None;
    }
    let mut i = 2;
    if tokens.get(i).map(|t| t.kind) == Some(TokenKind::LParen) {
        i = matching(&tokens, i)? + 1;
    }
    loop {
        match tokens.get(i).map(|t| t.kind) {
            Some(TokenKind::Question | TokenKind::Bang) => i += 1,
            Some(TokenKind::LBracket)
                if tokens.get(i + 1).map(|t| t.kind) == Some(TokenKind::RBracket) =>
            {
                i += 2;
            }
            _ => break,
        }
    }
    let field_type = print_tokens(source, &tokens[1..i]);
    let attributes = print_attributes(source, &tokens[i..], true)?;
    Some(Row {
        columns: vec![name.text(source).to_owned(), field_type, attributes],
        comment: comment_string(comment),
    })
}

fn enum_row(source: &str, tokens: &[Token]) -> Option<Row> {
    let (tokens, comment) = split_comment(source, tokens);
    let [name, rest @ ..] = tokens.as_slice() else {
        return None;
    };
    if name.kind != TokenKind::Ident {
        return None;
    }
    let attributes = print_attributes(source, rest, false)?;
    Some(Row {
        columns: vec![name.text(source).to_owned(), attributes],
        comment: comment_string(comment),
    })
}

fn property_row(source: &str, tokens: &[Token]) -> Option<Row> {
    let (tokens, comment) = split_comment(source, tokens);
    let [name, equals, value @ ..] = tokens.as_slice() else {
        return None;
    };
    if name.kind != TokenKind::Ident || equals.kind != TokenKind::Equals || value.is_empty() {
        return None;
    }
    Some(Row {
        columns: vec![
            name.text(source).to_owned(),
            format!("= {}", print_tokens(source, value)),
        ],
        comment: comment_string(comment),
    })
}

fn block_attribute(source: &str, tokens: &[Token]) -> Option<(usize, String)> {
    let (tokens, comment) = split_comment(source, tokens);
    let name = tokens.get(1).filter(|t| t.kind == TokenKind::Ident)?;
    let mut end = 2;
    if tokens.get(2).map(|t| t.kind) == Some(TokenKind::LParen) {
        end = matching(&tokens, 2)? + 1;
    }
    if end != tokens.len() {
        return None;
    }
    let mut text = print_tokens(source, &tokens);
    if let Some(c) = comment {
        text.push(' ');
        text.push_str(c);
    }
    Some((block_rank(name.text(source)), text))
}
