//! A recovering parser from tokens to [`crate::ast`]. It never fails: malformed lines are
//! reported and skipped, and parsing resumes at the next line or top-level block.

use crate::ast::{
    Argument, Attribute, ConfigBlock, ConfigProperty, Enum, EnumValue, Expression, Field,
    FieldArity, FieldType, Ident, Model, ModelKind, SchemaAst, Top,
};
use crate::lexer::{Token, TokenKind, lex, unescape};
use crate::{NESTING_ERROR, SCHEMA_ERROR};
use drydock_diagnostics::{Diagnostic, Diagnostics, FileId, Files, Span};

/// Parses every file of a schema, in file order.
pub fn parse_schema(files: &Files) -> (SchemaAst, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut ast = SchemaAst::default();
    for (id, file) in files.iter() {
        parse_file_into(id, &file.text, &mut ast, &mut diagnostics);
    }
    (ast, diagnostics)
}

/// Parses one file and appends its blocks to `ast`.
pub(crate) fn parse_file_into(
    file: FileId,
    src: &str,
    ast: &mut SchemaAst,
    diagnostics: &mut Diagnostics,
) {
    let tokens = lex(src);
    let first_top = ast.tops.len();
    let mut parser = Parser {
        src,
        file,
        tokens,
        pos: 0,
        depth: 0,
        nesting_reported: false,
        escape_errors: Vec::new(),
        diagnostics,
    };
    parser.parse_tops(ast);
    crate::renamed_from::attach(file, src, &mut ast.tops[first_top..], diagnostics);
}

const KEYWORDS: [&str; 6] = ["model", "view", "type", "enum", "datasource", "generator"];

/// Marker for a line that failed to parse; the caller reports it and skips the line.
struct LineError;

/// How deeply function calls and lists may nest in one value. Real schemas nest three or four
/// levels; the limit keeps the parser's recursion (and every later walk over values) far from
/// the end of the stack, whatever the input.
pub const MAX_NESTING: usize = 64;

type PResult<T> = Result<T, LineError>;

struct Parser<'a> {
    src: &'a str,
    file: FileId,
    tokens: Vec<Token>,
    pos: usize,
    /// Function calls and lists open around the value being parsed.
    depth: usize,
    /// The line being parsed nests too deeply and that was reported: no second error for it.
    nesting_reported: bool,
    /// Bad escapes in the strings of the line being parsed; as in Prisma, reported only when
    /// the line parses.
    escape_errors: Vec<(&'static str, Span)>,
    diagnostics: &'a mut Diagnostics,
}

impl Parser<'_> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn peek_kind(&self) -> Option<TokenKind> {
        self.peek().map(|t| t.kind)
    }

    fn peek_kind_at(&self, offset: usize) -> Option<TokenKind> {
        self.tokens.get(self.pos + offset).map(|t| t.kind)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn text(&self, t: Token) -> &str {
        t.text(self.src)
    }

    /// The value of a string literal token; bad escapes are reported.
    fn string(&mut self, t: Token) -> String {
        let (value, errors) = unescape(t.text(self.src));
        for (message, range) in errors {
            let span = self.span(t.start + range.start, t.start + range.end);
            self.escape_errors.push((message, span));
        }
        value
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.diagnostics.error(SCHEMA_ERROR, message, span);
    }

    fn expect(&mut self, kind: TokenKind) -> PResult<Token> {
        match self.peek() {
            Some(t) if t.kind == kind => {
                self.pos += 1;
                Ok(t)
            }
            _ => Err(LineError),
        }
    }

    fn ident(&mut self) -> PResult<Ident> {
        let t = self.expect(TokenKind::Ident)?;
        Ok(Ident {
            name: self.text(t).to_owned(),
            span: t.span(self.file),
        })
    }

    /// End offset of the previous token.
    fn prev_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(0, |t| t.end)
    }

    /// Whether the current line has no more tokens other than a comment.
    fn at_line_end(&self) -> bool {
        matches!(
            self.peek_kind(),
            None | Some(TokenKind::Newline | TokenKind::Comment | TokenKind::DocComment)
        )
    }

    /// Consumes an optional trailing comment and the line break; returns the end offset of the
    /// line including the break.
    fn finish_line(&mut self) -> PResult<usize> {
        if matches!(
            self.peek_kind(),
            Some(TokenKind::Comment | TokenKind::DocComment)
        ) {
            self.pos += 1;
        }
        let end = match self.peek() {
            None => self.src.len(),
            Some(t) if t.kind == TokenKind::Newline => {
                self.pos += 1;
                t.end
            }
            Some(_) => return Err(LineError),
        };
        for (message, span) in std::mem::take(&mut self.escape_errors) {
            self.error(message, span);
        }
        Ok(end)
    }

    /// Skips to the start of the next line and returns the end offset of the skipped line,
    /// line break included.
    fn skip_line(&mut self) -> usize {
        while let Some(t) = self.bump() {
            if t.kind == TokenKind::Newline {
                return t.end;
            }
        }
        self.src.len()
    }

    /// Reports a malformed line starting at token index `line_start` and skips past it.
    fn report_line(&mut self, line_start: usize, message: &str) {
        let start = self
            .tokens
            .get(line_start)
            .map_or(self.src.len(), |t| t.start);
        let end = self.skip_line();
        self.depth = 0;
        self.escape_errors.clear();
        if std::mem::take(&mut self.nesting_reported) {
            return;
        }
        let mut diagnostic = Diagnostic::error(SCHEMA_ERROR, message, self.span(start, end));
        let line_begin = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        diagnostic.help = control_character(self.src.get(line_begin..end).unwrap_or(""));
        self.diagnostics.push(diagnostic);
    }

    /// Enters a function call or list opened by token `open`; fails (reported once for the
    /// line) past [`MAX_NESTING`] levels.
    fn nest(&mut self, open: Token) -> PResult<()> {
        self.depth += 1;
        if self.depth <= MAX_NESTING {
            return Ok(());
        }
        if !self.nesting_reported {
            self.nesting_reported = true;
            self.diagnostics.error(
                NESTING_ERROR,
                format!(
                    "Function calls and lists are nested more than {MAX_NESTING} levels deep here; no schema needs that many. Write the value with fewer levels."
                ),
                open.span(self.file),
            );
        }
        Err(LineError)
    }

    fn doc_text(&self, t: Token) -> String {
        let text = self.text(t);
        let text = text.strip_prefix("///").unwrap_or(text);
        text.strip_prefix(' ').unwrap_or(text).trim_end().to_owned()
    }

    fn push_doc(doc: &mut Option<String>, line: String) {
        match doc {
            Some(d) => {
                d.push('\n');
                d.push_str(&line);
            }
            None => *doc = Some(line),
        }
    }

    fn parse_tops(&mut self, ast: &mut SchemaAst) {
        let mut doc: Option<String> = None;
        while let Some(t) = self.peek() {
            match t.kind {
                TokenKind::Newline | TokenKind::Comment => {
                    self.pos += 1;
                }
                TokenKind::DocComment => {
                    self.pos += 1;
                    let line = self.doc_text(t);
                    Self::push_doc(&mut doc, line);
                }
                TokenKind::Ident if KEYWORDS.contains(&self.text(t)) => {
                    let documentation = doc.take();
                    let line_start = self.pos;
                    match self.parse_block(documentation) {
                        Ok(Some(top)) => ast.tops.push(top),
                        Ok(None) => {}
                        Err(LineError) => {
                            self.pos = line_start;
                            self.report_line(
                                line_start,
                                "Error validating: This line is invalid. It does not start with any known Prisma schema keyword.",
                            );
                        }
                    }
                }
                _ => {
                    doc = None;
                    let line_start = self.pos;
                    self.report_line(
                        line_start,
                        "Error validating: This line is invalid. It does not start with any known Prisma schema keyword.",
                    );
                }
            }
        }
    }

    /// Parses a block from its keyword. `Err` when the header line is malformed (nothing of the
    /// block consumed beyond that line), `Ok(None)` for a block reported and skipped.
    fn parse_block(&mut self, documentation: Option<String>) -> PResult<Option<Top>> {
        let keyword_token = self.expect(TokenKind::Ident)?;
        let keyword = self.text(keyword_token).to_owned();
        let name = self.ident()?;
        if keyword == "type" && self.peek_kind() == Some(TokenKind::Equals) {
            let end = self.skip_line();
            self.error(
                "Error validating: Type aliases are not supported.",
                self.span(keyword_token.start, end),
            );
            return Ok(None);
        }
        self.expect(TokenKind::LBrace)?;
        if !self.block_closes() {
            return Err(LineError);
        }
        self.finish_line()?;
        let start = keyword_token.start;
        Ok(Some(match keyword.as_str() {
            "enum" => Top::Enum(self.parse_enum_body(name, documentation, start)),
            "datasource" | "generator" => {
                let block = self.parse_config_body(name, documentation, start, &keyword);
                if keyword == "datasource" {
                    Top::Datasource(block)
                } else {
                    Top::Generator(block)
                }
            }
            _ => {
                let kind = match keyword.as_str() {
                    "view" => ModelKind::View,
                    "type" => ModelKind::CompositeType,
                    _ => ModelKind::Model,
                };
                Top::Model(self.parse_model_body(kind, name, documentation, start))
            }
        }))
    }

    /// Whether a line further down starts with `}` and so closes the block just opened. As in
    /// Prisma's grammar, a block ends at the first such line whatever lies between (a block
    /// header inside is an invalid line of the body); a block that never closes is no block, and
    /// each of its lines is an invalid line of the file.
    fn block_closes(&self) -> bool {
        let mut line_start = true;
        for t in &self.tokens[self.pos..] {
            match t.kind {
                TokenKind::RBrace if line_start => return true,
                TokenKind::Newline => line_start = true,
                _ => line_start = false,
            }
        }
        false
    }

    /// Handles the block-structure tokens shared by all block bodies. Returns `Some(end)` when
    /// the block ends (closing brace, a new block header, or end of input).
    fn block_boundary(&mut self, doc: &mut Option<String>, block_start: usize) -> BodyStep {
        let Some(t) = self.peek() else {
            self.error(
                "Error validating: This block is missing its closing brace `}`.",
                self.span(block_start, self.src.len()),
            );
            return BodyStep::End(self.src.len());
        };
        match t.kind {
            TokenKind::Newline | TokenKind::Comment => {
                self.pos += 1;
                BodyStep::Skip
            }
            TokenKind::DocComment => {
                self.pos += 1;
                let line = self.doc_text(t);
                Self::push_doc(doc, line);
                BodyStep::Skip
            }
            TokenKind::RBrace => {
                self.pos += 1;
                let end = t.end;
                if !self.at_line_end() {
                    let line_start = self.pos;
                    self.report_line(
                        line_start,
                        "Error validating: This line is invalid. It does not start with any known Prisma schema keyword.",
                    );
                }
                BodyStep::End(end)
            }
            _ => BodyStep::Line,
        }
    }

    fn parse_model_body(
        &mut self,
        kind: ModelKind,
        name: Ident,
        documentation: Option<String>,
        start: usize,
    ) -> Model {
        let mut fields = Vec::new();
        let mut attributes = Vec::new();
        let mut doc = None;
        let end = loop {
            match self.block_boundary(&mut doc, start) {
                BodyStep::Skip => continue,
                BodyStep::End(end) => break end,
                BodyStep::Line => {}
            }
            let line_start = self.pos;
            let field_doc = doc.take();
            if self.peek_kind() == Some(TokenKind::AtAt) {
                match self.block_attribute() {
                    Ok(attr) => attributes.push(attr),
                    Err(LineError) => self.report_line(
                        line_start,
                        "Error validating: This line is not a valid field or attribute definition.",
                    ),
                }
                continue;
            }
            if self.peek_kind() == Some(TokenKind::Ident)
                && matches!(
                    self.peek_kind_at(1),
                    None | Some(TokenKind::Newline | TokenKind::Comment)
                )
            {
                let what = match kind {
                    ModelKind::Model => "model",
                    ModelKind::View => "view",
                    ModelKind::CompositeType => "composite type",
                };
                self.report_line(
                    line_start,
                    &format!(
                        "Error validating {what} \"{}\": This field declaration is invalid. It is either missing a name or a type.",
                        name.name
                    ),
                );
                continue;
            }
            match self.field(field_doc) {
                Ok(Some(field)) => fields.push(field),
                // Prisma leaves a field with a malformed type out of its model.
                Ok(None) => {}
                Err(LineError) => {
                    self.pos = line_start;
                    self.report_line(
                        line_start,
                        "Error validating: This line is not a valid field or attribute definition.",
                    );
                }
            }
        };
        Model {
            kind,
            name,
            fields,
            attributes,
            documentation,
            renamed_from: None,
            span: self.span(start, end),
        }
    }

    /// A field line; `None` for a field whose type is malformed (reported), which Prisma leaves
    /// out of the model.
    fn field(&mut self, documentation: Option<String>) -> PResult<Option<Field>> {
        let name = self.ident()?;
        let mut malformed = false;
        // Legacy `[Type]` lists.
        let legacy_list = self.peek_kind() == Some(TokenKind::LBracket);
        let type_start = self.peek().map_or(0, |t| t.start);
        if legacy_list {
            self.pos += 1;
        }
        let field_type = self.field_type()?;
        let mut arity = FieldArity::Required;
        if legacy_list {
            self.expect(TokenKind::RBracket)?;
            arity = FieldArity::List;
            malformed = true;
            self.error(
                "To specify a list, please use `Type[]` instead of `[Type]`.",
                self.span(type_start, self.prev_end()),
            );
        }
        match self.peek_kind() {
            Some(TokenKind::Question) if !legacy_list => {
                self.pos += 1;
                arity = FieldArity::Optional;
            }
            Some(TokenKind::LBracket) if !legacy_list => {
                self.pos += 1;
                self.expect(TokenKind::RBracket)?;
                arity = FieldArity::List;
                if self.peek_kind() == Some(TokenKind::Question) {
                    self.pos += 1;
                    malformed = true;
                    self.error(
                        "Optional lists are not supported. Use either `Type[]` or `Type?`.",
                        self.span(type_start, self.prev_end()),
                    );
                }
            }
            Some(TokenKind::Bang) if !legacy_list => {
                self.pos += 1;
                malformed = true;
                self.error(
                    "Fields are required by default, `!` is no longer required.",
                    self.span(type_start, self.prev_end()),
                );
            }
            _ => {}
        }
        let mut attributes = Vec::new();
        while self.peek_kind() == Some(TokenKind::At) {
            attributes.push(self.attribute(TokenKind::At)?);
        }
        let end = self.finish_line()?;
        Ok((!malformed).then(|| Field {
            span: self.span(name.span.start, end),
            name,
            field_type,
            arity,
            attributes,
            documentation,
            renamed_from: None,
        }))
    }

    fn field_type(&mut self) -> PResult<FieldType> {
        let name = self.ident()?;
        if self.peek_kind() == Some(TokenKind::LParen) {
            self.pos += 1;
            let t = self.peek().ok_or(LineError)?;
            let TokenKind::Str { valid: true } = t.kind else {
                return Err(LineError);
            };
            self.pos += 1;
            let close = self.expect(TokenKind::RParen)?;
            return Ok(FieldType {
                name: name.name,
                unsupported: Some(self.string(t)),
                span: self.span(name.span.start, close.end),
            });
        }
        Ok(FieldType {
            name: name.name,
            unsupported: None,
            span: name.span,
        })
    }

    fn block_attribute(&mut self) -> PResult<Attribute> {
        let attr = self.attribute(TokenKind::AtAt)?;
        self.finish_line()?;
        Ok(attr)
    }

    /// Parses `@name`, `@a.b` or `@@name`, with optional arguments.
    fn attribute(&mut self, at: TokenKind) -> PResult<Attribute> {
        let at_token = self.expect(at)?;
        let first = self.ident()?;
        let mut name = first.name;
        let mut name_end = first.span.end;
        if self.peek_kind() == Some(TokenKind::Dot)
            && self.peek_kind_at(1) == Some(TokenKind::Ident)
        {
            self.pos += 1;
            let second = self.ident()?;
            name.push('.');
            name.push_str(&second.name);
            name_end = second.span.end;
        }
        let name = Ident {
            name,
            span: self.span(first.span.start, name_end),
        };
        let mut arguments = Vec::new();
        if self.peek_kind() == Some(TokenKind::LParen) {
            self.pos += 1;
            arguments = self.arguments()?;
        }
        Ok(Attribute {
            name,
            arguments,
            span: self.span(at_token.start, self.prev_end()),
        })
    }

    fn skip_trivia(&mut self) {
        while matches!(
            self.peek_kind(),
            Some(TokenKind::Newline | TokenKind::Comment | TokenKind::DocComment)
        ) {
            self.pos += 1;
        }
    }

    /// Parses arguments after `(` up to and including `)`.
    fn arguments(&mut self) -> PResult<Vec<Argument>> {
        let mut args = Vec::new();
        loop {
            self.skip_trivia();
            if self.peek_kind() == Some(TokenKind::RParen) {
                self.pos += 1;
                return Ok(args);
            }
            let start = self.peek().ok_or(LineError)?.start;
            let name = if self.peek_kind() == Some(TokenKind::Ident)
                && self.peek_kind_at(1) == Some(TokenKind::Colon)
            {
                let n = self.ident()?;
                self.pos += 1;
                self.skip_trivia();
                Some(n)
            } else {
                None
            };
            let value = self.expression()?;
            args.push(Argument {
                name,
                span: self.span(start, self.prev_end()),
                value,
            });
            self.skip_trivia();
            match self.peek_kind() {
                Some(TokenKind::Comma) => self.pos += 1,
                Some(TokenKind::RParen) => {}
                _ => return Err(LineError),
            }
        }
    }

    fn expression(&mut self) -> PResult<Expression> {
        let t = self.peek().ok_or(LineError)?;
        let span = t.span(self.file);
        match t.kind {
            TokenKind::Str { valid: true } => {
                self.pos += 1;
                Ok(Expression::String(self.string(t), span))
            }
            TokenKind::Number => {
                self.pos += 1;
                Ok(Expression::Number(self.text(t).to_owned(), span))
            }
            TokenKind::Ident => {
                self.pos += 1;
                let name = self.text(t).to_owned();
                if let Some(open) = self.peek().filter(|o| o.kind == TokenKind::LParen) {
                    self.pos += 1;
                    self.nest(open)?;
                    let args = self.arguments()?;
                    self.depth -= 1;
                    Ok(Expression::Function(
                        name,
                        args,
                        self.span(t.start, self.prev_end()),
                    ))
                } else {
                    Ok(Expression::Constant(name, span))
                }
            }
            TokenKind::LBracket => {
                self.pos += 1;
                self.nest(t)?;
                let mut items = Vec::new();
                loop {
                    self.skip_trivia();
                    if self.peek_kind() == Some(TokenKind::RBracket) {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.expression()?);
                    self.skip_trivia();
                    match self.peek_kind() {
                        Some(TokenKind::Comma) => self.pos += 1,
                        Some(TokenKind::RBracket) => {}
                        _ => return Err(LineError),
                    }
                }
                self.depth -= 1;
                Ok(Expression::Array(
                    items,
                    self.span(t.start, self.prev_end()),
                ))
            }
            _ => Err(LineError),
        }
    }

    fn parse_enum_body(
        &mut self,
        name: Ident,
        documentation: Option<String>,
        start: usize,
    ) -> Enum {
        let mut values = Vec::new();
        let mut attributes = Vec::new();
        let mut doc = None;
        let end = loop {
            match self.block_boundary(&mut doc, start) {
                BodyStep::Skip => continue,
                BodyStep::End(end) => break end,
                BodyStep::Line => {}
            }
            let line_start = self.pos;
            let value_doc = doc.take();
            let result = if self.peek_kind() == Some(TokenKind::AtAt) {
                self.block_attribute().map(|a| attributes.push(a))
            } else {
                self.enum_value(value_doc).map(|v| values.push(v))
            };
            if result.is_err() {
                self.pos = line_start;
                self.report_line(
                    line_start,
                    "Error validating: This line is not an enum value definition.",
                );
            }
        };
        Enum {
            name,
            values,
            attributes,
            documentation,
            span: self.span(start, end),
        }
    }

    fn enum_value(&mut self, documentation: Option<String>) -> PResult<EnumValue> {
        let name = self.ident()?;
        let mut attributes = Vec::new();
        while self.peek_kind() == Some(TokenKind::At) {
            attributes.push(self.attribute(TokenKind::At)?);
        }
        let end = self.finish_line()?;
        Ok(EnumValue {
            span: self.span(name.span.start, end),
            name,
            attributes,
            documentation,
        })
    }

    fn parse_config_body(
        &mut self,
        name: Ident,
        documentation: Option<String>,
        start: usize,
        keyword: &str,
    ) -> ConfigBlock {
        let mut properties = Vec::new();
        let mut doc = None;
        let end = loop {
            match self.block_boundary(&mut doc, start) {
                BodyStep::Skip => continue,
                BodyStep::End(end) => break end,
                BodyStep::Line => {}
            }
            doc = None;
            let line_start = self.pos;
            match self.config_property() {
                Ok(p) => properties.push(p),
                Err(LineError) => {
                    self.pos = line_start;
                    self.report_line(
                        line_start,
                        &format!(
                            "Error validating: This line is not a valid definition within a {keyword}."
                        ),
                    );
                }
            }
        };
        ConfigBlock {
            name,
            properties,
            documentation,
            span: self.span(start, end),
        }
    }

    fn config_property(&mut self) -> PResult<ConfigProperty> {
        let name = self.ident()?;
        self.expect(TokenKind::Equals)?;
        let value = self.expression()?;
        let end = self.prev_end();
        self.finish_line()?;
        Ok(ConfigProperty {
            span: self.span(name.span.start, end),
            name,
            value,
        })
    }
}

/// A help line naming the first control character (other than tab and line breaks) of an
/// invalid line: invisible in most editors, and often the reason the line is invalid.
fn control_character(line: &str) -> Option<String> {
    let (column, c) = line
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))?;
    Some(format!(
        "column {} holds the control character U+{:04X}; a schema holds them only in comments, so remove it",
        column + 1,
        u32::from(c)
    ))
}

enum BodyStep {
    /// A blank, comment or documentation line was consumed.
    Skip,
    /// The block ended at this offset.
    End(usize),
    /// A content line follows.
    Line,
}
