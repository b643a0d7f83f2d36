//! A migration file read as statements: where each one starts and ends in the file, its words,
//! its syntax tree when the grammar reads it, the ignore comments before it, and the
//! transaction it runs in.

use std::ops::Range;

use drydock_connector::{Dialect, SqlGrammar};
use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect as Grammar, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// The comment that silences rules for the statement after it.
const IGNORE: &str = "drydock-lint-ignore";
/// The comment that silences rules for the whole file.
const IGNORE_FILE: &str = "drydock-lint-ignore-file";

/// One statement of a file.
#[derive(Debug)]
pub(crate) struct Stmt {
    /// From the first character of SQL to the end of the statement (comments before it and
    /// whitespace after it left out).
    pub range: Range<usize>,
    pub text: String,
    /// Upper-cased unquoted words, in order: enough to recognize statements the grammar
    /// cannot read (`CLUSTER`, `DO`) and transaction control.
    pub words: Vec<String>,
    pub ast: Option<Statement>,
    /// Rules named by `drydock-lint-ignore` comments just before the statement.
    pub ignores: Vec<String>,
    /// The transaction the statement runs in: an explicit `BEGIN` block, or the one drydock
    /// wraps the whole file in. `None` for autocommit and for the control statements.
    pub transaction: Option<usize>,
    /// Whether that transaction was opened by the file's own `BEGIN`.
    pub explicit_transaction: bool,
    /// The grammar whose lexical rules tokenize the statement.
    pub grammar: SqlGrammar,
}

impl Stmt {
    pub(crate) fn starts_with(&self, words: &[&str]) -> bool {
        self.words.len() >= words.len() && self.words.iter().zip(words).all(|(a, b)| a == b)
    }

    /// The first two words, naming the kind of statement in messages (`ALTER TABLE`).
    pub(crate) fn kind(&self) -> String {
        self.words[..self.words.len().min(2)].join(" ")
    }

    /// The tokens of the statement (empty when the text cannot be tokenized).
    pub(crate) fn tokens(&self) -> Vec<Token> {
        tokens(&self.text, self.grammar)
    }
}

/// A file split into statements, with the rules its `drydock-lint-ignore-file` comments name
/// (`*` for all).
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub statements: Vec<Stmt>,
    pub file_ignores: Vec<String>,
}

/// sqlparser's grammar for a dialect's.
pub(crate) fn grammar_for(grammar: SqlGrammar) -> Box<dyn Grammar> {
    match grammar {
        SqlGrammar::PostgreSql => Box::new(PostgreSqlDialect {}),
        SqlGrammar::Sqlite => Box::new(SQLiteDialect {}),
        SqlGrammar::MySql => Box::new(MySqlDialect {}),
    }
}

/// Splits `text` with the dialect's statement scanner and reads each statement on its own, so
/// one statement the grammar cannot read leaves the others checked.
pub(crate) fn parse_file(text: &str, dialect: &dyn Dialect) -> ParsedFile {
    let sql_grammar = dialect.capabilities().sql_grammar;
    let grammar = grammar_for(sql_grammar);
    let mut statements = Vec::new();
    let mut file_ignores = Vec::new();
    for range in dialect.split_statements(text) {
        let Some(chunk) = text.get(range.clone()) else {
            continue;
        };
        let (lead, comments) = leading_trivia(chunk, sql_grammar);
        let mut ignores = Vec::new();
        for comment in comments {
            if let Some(rest) = comment.strip_prefix(IGNORE_FILE) {
                let names = rule_list(rest);
                if names.is_empty() {
                    file_ignores.push("*".to_owned());
                }
                file_ignores.extend(names);
            } else if let Some(rest) = comment.strip_prefix(IGNORE) {
                ignores.extend(rule_list(rest));
            }
        }
        let body = chunk[lead..].trim_end();
        if body.is_empty() {
            continue;
        }
        let start = range.start + lead;
        let words = words(body, sql_grammar);
        let parse = |sql: &str| {
            Parser::parse_sql(grammar.as_ref(), sql)
                .ok()
                .and_then(|mut parsed| (parsed.len() == 1).then(|| parsed.remove(0)))
        };
        let ast = parse(body).or_else(|| {
            (sql_grammar == SqlGrammar::MySql)
                .then(|| without_wait_clause(body))
                .flatten()
                .and_then(|sql| parse(&sql))
        });
        statements.push(Stmt {
            range: start..start + body.len(),
            text: body.to_owned(),
            words,
            ast,
            ignores,
            transaction: None,
            explicit_transaction: false,
            grammar: sql_grammar,
        });
    }
    // A trailing comment after the last statement is no statement, but may still hold a
    // file-level ignore.
    let tail_start = statements.last().map_or(0, |s| s.range.end);
    if let Some(tail) = text.get(tail_start..) {
        for comment in leading_trivia(tail.trim_start_matches(';'), sql_grammar).1 {
            if let Some(rest) = comment.strip_prefix(IGNORE_FILE) {
                let names = rule_list(rest);
                if names.is_empty() {
                    file_ignores.push("*".to_owned());
                }
                file_ignores.extend(names);
            }
        }
    }
    mark_transactions(
        &mut statements,
        dialect.needs_no_transaction(text).is_none(),
    );
    ParsedFile {
        statements,
        file_ignores,
    }
}

/// MariaDB's `ALTER TABLE t WAIT n …` / `NOWAIT …` without its wait clause, which the grammar
/// does not know; `None` when the statement has none.
fn without_wait_clause(sql: &str) -> Option<String> {
    let tokens = tokens(sql, SqlGrammar::MySql);
    let significant: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, token)| !matches!(token, Token::Whitespace(_)))
        .map(|(index, _)| index)
        .take(6)
        .collect();
    let is_word = |index: usize, word: &str| matches!(&tokens[index], Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word));
    if !(significant.len() > 3
        && is_word(significant[0], "ALTER")
        && is_word(significant[1], "TABLE"))
    {
        return None;
    }
    // After `ALTER TABLE name` or `ALTER TABLE schema.name`.
    let at = significant
        .iter()
        .skip(3)
        .position(|&index| is_word(index, "WAIT") || is_word(index, "NOWAIT"))?
        + 3;
    if at > 5 {
        return None;
    }
    let first = significant[at];
    let last = if is_word(first, "WAIT") {
        *significant.get(at + 1)?
    } else {
        first
    };
    Some(
        tokens
            .iter()
            .enumerate()
            .filter(|(index, _)| !(first..=last).contains(index))
            .map(|(_, token)| token.to_string())
            .collect(),
    )
}

/// Gives each statement its transaction. Explicit `BEGIN … COMMIT` blocks come first; a file
/// with none that drydock runs in a transaction is one transaction as a whole.
fn mark_transactions(statements: &mut [Stmt], wrapped_by_drydock: bool) {
    let mut open: Option<usize> = None;
    let mut next_id = 1;
    for statement in statements.iter_mut() {
        if is_begin(statement) {
            open = Some(next_id);
            next_id += 1;
            continue;
        }
        if is_end(statement) {
            open = None;
            continue;
        }
        if let Some(id) = open {
            statement.transaction = Some(id);
            statement.explicit_transaction = true;
        } else if wrapped_by_drydock {
            statement.transaction = Some(0);
        }
    }
}

pub(crate) fn is_begin(statement: &Stmt) -> bool {
    statement.starts_with(&["BEGIN"]) || statement.starts_with(&["START", "TRANSACTION"])
}

pub(crate) fn is_end(statement: &Stmt) -> bool {
    match statement.words.first().map(String::as_str) {
        Some("COMMIT" | "END" | "ABORT") => true,
        Some("ROLLBACK") => statement.words.get(1).map(String::as_str) != Some("TO"),
        _ => false,
    }
}

/// The length of the comments and whitespace at the start of `chunk`, and the text of each
/// line comment there (after `--`, or MySQL's `#`, trimmed).
fn leading_trivia(chunk: &str, grammar: SqlGrammar) -> (usize, Vec<&str>) {
    let bytes = chunk.as_bytes();
    let mut comments = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let marker = if bytes[i..].starts_with(b"--") {
            2
        } else if grammar == SqlGrammar::MySql && bytes[i..].starts_with(b"#") {
            1
        } else {
            0
        };
        if marker > 0 {
            let end = chunk[i..].find('\n').map_or(chunk.len(), |n| i + n);
            comments.push(chunk[i + marker..end].trim());
            i = end;
        } else if bytes[i..].starts_with(b"/*") {
            // Nested block comments, as PostgreSQL reads them.
            let mut depth = 0usize;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return (i, comments);
        }
    }
}

/// The rule names after an ignore directive: `a, b c` gives `a`, `b`, `c`.
fn rule_list(rest: &str) -> Vec<String> {
    // The directive must stand alone: `drydock-lint-ignore-filex` is no directive.
    if !rest.is_empty() && !rest.starts_with([' ', '\t', ':']) {
        return Vec::new();
    }
    rest.trim_start_matches(':')
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Tokens of `sql` under MySQL's lexical rules for MySQL, else PostgreSQL's (which accept
/// SQLite's too); empty when the text does not tokenize.
pub(crate) fn tokens(sql: &str, grammar: SqlGrammar) -> Vec<Token> {
    let rules: Box<dyn Grammar> = match grammar {
        SqlGrammar::MySql => Box::new(MySqlDialect {}),
        SqlGrammar::PostgreSql | SqlGrammar::Sqlite => Box::new(PostgreSqlDialect {}),
    };
    Tokenizer::new(rules.as_ref(), sql)
        .tokenize()
        .unwrap_or_default()
}

fn words(sql: &str, grammar: SqlGrammar) -> Vec<String> {
    tokens(sql, grammar)
        .into_iter()
        .filter_map(|token| match token {
            Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_uppercase()),
            _ => None,
        })
        .collect()
}
