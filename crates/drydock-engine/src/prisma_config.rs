//! The Prisma config file (`prisma7.config.ts`, `prisma.config.ts`, ...), read as Prisma loads
//! it: the settings drydock needs (`schema`, `migrations.path`, `migrations.seed`,
//! `datasource.url`, `datasource.shadowDatabaseUrl`) are read statically from the JS/TS subset
//! real files use (`defineConfig({...})`, `export default {...} satisfies PrismaConfig`,
//! `env("X")`, `process.env.X`, `||`/`??` chains, `path.join(__dirname, ...)`, `const`
//! bindings). A setting the static reader cannot resolve is evaluated with `node` when it is
//! installed, within a time limit (10 s, or `DRYDOCK_CONFIG_NODE_TIMEOUT` seconds); otherwise
//! the error names the construct and its `file:line:col`.
//!
//! Reading never panics and never evaluates what the settings do not need: a config whose
//! `adapter` is an arrow function still reads its `schema` statically.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Config file names in Prisma 7.10's order of precedence, relative to the working folder.
/// Each base name is tried with every extension, then as a folder holding `index.<ext>`.
const CONFIG_BASES: [&str; 5] = [
    "prisma7.config",
    ".config/prisma7",
    "prisma.config",
    ".config/prisma",
    ".config/prisma.config",
];

const CONFIG_EXTENSIONS: [&str; 6] = ["js", "ts", "mjs", "cjs", "mts", "cts"];

/// Nesting deeper than this is not read statically (it is left to `node`), so hostile input
/// cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// What the static reader always reads.
const PLAIN_VALUES: &str = "write the value as a string, `env(\"VAR\")` or `process.env.VAR`";

/// A problem with the Prisma config file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the Prisma config file `{path}`: {message}")]
    Unreadable { path: String, message: String },

    #[error("the Prisma config file `{path}` does not exist")]
    NotFound { path: String },

    #[error(
        "{location}: the Prisma config file has no `export default` (or `module.exports =`)\n\
         Export the config, e.g. `export default defineConfig({{ schema: \"prisma/schema.prisma\" }})`."
    )]
    NoExport { location: String },

    #[error(
        "{location}: environment variable `{name}` is not set; `env(\"{name}\")` in the Prisma \
         config file needs it.\n{snippet}\nSet it in the environment or in `.env`."
    )]
    EnvNotSet {
        name: String,
        location: String,
        snippet: String,
    },

    #[error("{location}: `{key}` in the Prisma config file must be a string\n{snippet}")]
    NotAString {
        key: String,
        location: String,
        snippet: String,
    },

    #[error(
        "{location}: drydock cannot read `{construct}` ({key}) in the Prisma config file without \
         running it, and {reason}\n{snippet}"
    )]
    Unresolved {
        key: String,
        construct: String,
        location: String,
        snippet: String,
        /// Why, and what to do.
        reason: String,
    },
}

/// A setting as read: absent (`None`), a string, or why it could not be read.
pub type Setting = Option<Result<String, ConfigError>>;

/// The settings of a Prisma config file that drydock uses.
#[derive(Debug, Clone)]
pub struct PrismaConfig {
    /// The config file.
    pub path: PathBuf,
    /// `schema`, a file or folder, relative to the config file's folder.
    pub schema: Setting,
    /// `migrations.path`, relative to the config file's folder.
    pub migrations_path: Setting,
    /// `datasource.url`.
    pub url: Setting,
    /// `datasource.shadowDatabaseUrl`.
    pub shadow_database_url: Setting,
    /// The file's text, for the settings read only when a command uses them ([`Self::seed`]).
    text: String,
    /// Whether settings the static reader cannot resolve are evaluated with `node`.
    node: bool,
}

impl PrismaConfig {
    /// The folder relative paths in the config resolve against.
    pub fn dir(&self) -> &Path {
        self.path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// `path` from the config (`schema`, `migrations.path`), relative to the config file's
    /// folder.
    /// `..` is resolved lexically, as Node's `path.resolve` does.
    pub fn resolve(&self, path: &str) -> PathBuf {
        normalize(&self.dir().join(path))
    }

    /// `migrations.seed`, a shell command. Read only when a seed runs, so that a setting only
    /// `node` can read costs nothing, and one it cannot read fails nothing, elsewhere.
    pub fn seed(&self, env: &dyn Fn(&str) -> Option<String>) -> Setting {
        let module = Module::parse(&self.text);
        let reader = Reader::new(&module, &self.text, &self.path, env, self.node);
        let root = module.export.as_ref()?;
        reader.setting(root, &["migrations", "seed"])
    }

    /// The file name says Prisma 7 (`prisma7.config.*`, `.config/prisma7.*`).
    pub fn is_prisma7_name(&self) -> bool {
        self.path
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with("prisma7"))
    }
}

/// The config file Prisma would load in `dir`, if any.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    CONFIG_BASES.iter().find_map(|base| {
        let files = CONFIG_EXTENSIONS
            .iter()
            .map(|ext| dir.join(format!("{base}.{ext}")));
        let folders = CONFIG_EXTENSIONS
            .iter()
            .map(|ext| dir.join(base).join(format!("index.{ext}")));
        files.chain(folders).find(|p| p.is_file())
    })
}

/// Read the config file at `path`, with `env` giving environment variables (the process
/// environment once `.env` is loaded, as `import "dotenv/config"` does).
pub fn read_config(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PrismaConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ConfigError::NotFound {
            path: path.display().to_string(),
        },
        _ => ConfigError::Unreadable {
            path: path.display().to_string(),
            message: e.to_string(),
        },
    })?;
    config_from_text(path, text, env, true)
}

/// The config `text` of the file at `path`, read statically only: a setting that needs `node`
/// is an [`ConfigError::Unresolved`] error, and no process is started.
pub fn read_config_static(
    path: &Path,
    text: String,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PrismaConfig, ConfigError> {
    config_from_text(path, text, env, false)
}

fn config_from_text(
    path: &Path,
    text: String,
    env: &dyn Fn(&str) -> Option<String>,
    node: bool,
) -> Result<PrismaConfig, ConfigError> {
    let module = Module::parse(&text);
    let reader = Reader::new(&module, &text, path, env, node);
    let Some(root) = &module.export else {
        return Err(ConfigError::NoExport {
            location: reader.location(text.len()),
        });
    };
    Ok(PrismaConfig {
        path: path.to_path_buf(),
        schema: reader.setting(root, &["schema"]),
        migrations_path: reader.setting(root, &["migrations", "path"]),
        url: reader.setting(root, &["datasource", "url"]),
        shadow_database_url: reader.setting(root, &["datasource", "shadowDatabaseUrl"]),
        text,
        node,
    })
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    /// A template literal with `${...}` in it: only `node` can read it.
    Template,
    Num,
    Punct(&'static str),
    /// Any other character.
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

const PUNCTS: [&str; 25] = [
    "...", "?.", "??", "||", "&&", "=>", "===", "!==", "==", "!=", "{", "}", "(", ")", "[", "]",
    ",", ":", ";", ".", "=", "<", ">", "?", "!",
];

fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            continue;
        }
        if text[i..].starts_with("/*") {
            i = text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            continue;
        }
        let tok = if c == b'"' || c == b'\'' {
            let (value, end) = string_literal(text, i);
            i = end;
            Tok::Str(value)
        } else if c == b'`' {
            let (value, end) = template_literal(text, i);
            i = end;
            value.map_or(Tok::Template, Tok::Str)
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            Tok::Num
        } else if c == b'_' || c == b'$' || c.is_ascii_alphabetic() {
            while i < bytes.len()
                && (bytes[i] == b'_' || bytes[i] == b'$' || bytes[i].is_ascii_alphanumeric())
            {
                i += 1;
            }
            Tok::Ident(text[start..i].to_owned())
        } else if let Some(p) = PUNCTS.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            Tok::Punct(p)
        } else {
            // One whole character, so slices stay on UTF-8 boundaries.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            Tok::Other
        };
        tokens.push(Token { tok, start, end: i });
    }
    tokens
}

/// A quoted string from `start` (the quote): its value and the offset after it.
fn string_literal(text: &str, start: usize) -> (String, usize) {
    let quote = text.as_bytes()[start] as char;
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            _ if c == quote => return (value, start + 1 + offset + 1),
            '\n' => return (value, start + 1 + offset),
            '\\' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, '\n')) => {}
                Some((_, other)) => value.push(other),
                None => break,
            },
            _ => value.push(c),
        }
    }
    (value, text.len())
}

/// A template literal from `start` (the backtick): its value when it has no `${...}`, and the
/// offset after it.
fn template_literal(text: &str, start: usize) -> (Option<String>, usize) {
    let mut value = String::new();
    let mut interpolated = false;
    let mut depth = 0usize;
    let mut chars = text[start + 1..].char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if depth > 0 {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            continue;
        }
        match c {
            '`' => {
                return (
                    Some(value).filter(|_| !interpolated),
                    start + 1 + offset + 1,
                );
            }
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
            }
            '$' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                chars.next();
                interpolated = true;
                depth = 1;
            }
            _ => value.push(c),
        }
    }
    (None, text.len())
}

// ---------------------------------------------------------------------------------------------
// Syntax

#[derive(Debug, Clone)]
struct Node {
    expr: Expr,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone)]
enum Expr {
    Str(String),
    /// A number, boolean, array, function...: a value drydock never needs.
    OtherValue,
    Undefined,
    Null,
    Object(Vec<(Key, Node)>),
    Ident(String),
    Member(Box<Node>, String),
    Call(Box<Node>, Vec<Node>),
    Or(Box<Node>, Box<Node>),
    Nullish(Box<Node>, Box<Node>),
    /// Something outside the subset: only `node` can evaluate it.
    Opaque,
}

#[derive(Debug, Clone)]
enum Key {
    Name(String),
    Spread,
}

/// What an imported name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Import {
    /// `env` from `prisma/config`.
    Env,
    /// `defineConfig` from `prisma/config`.
    DefineConfig,
    /// The `path` module.
    PathModule,
    /// A function of the `path` module, imported by name.
    PathFn,
    Other,
}

#[derive(Debug, Default)]
struct Module {
    imports: HashMap<String, (Import, String)>,
    /// Top-level `const`/`let`/`var` bindings: name, its initializer.
    bindings: Vec<(String, Node)>,
    export: Option<Node>,
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
}

const STATEMENT_STARTS: [&str; 6] = ["import", "export", "const", "let", "var", "module"];

impl Module {
    fn parse(text: &str) -> Module {
        let tokens = tokenize(text);
        let mut parser = Parser {
            tokens: &tokens,
            pos: 0,
            depth: 0,
        };
        let mut module = Module::default();
        while parser.pos < tokens.len() {
            let before = parser.pos;
            module.statement(&mut parser);
            if parser.pos == before {
                parser.skip_one();
            }
        }
        module
    }

    fn statement(&mut self, p: &mut Parser<'_>) {
        match p.ident() {
            Some("import") if !p.is_punct_at(p.pos + 1, ".") => {
                p.pos += 1;
                self.import(p);
            }
            Some("export") if p.is_ident_at(p.pos + 1, "default") => {
                p.pos += 2;
                self.export = Some(p.expression_or_opaque());
            }
            Some("export") => p.pos += 1,
            Some("module")
                if p.is_punct_at(p.pos + 1, ".")
                    && p.is_ident_at(p.pos + 2, "exports")
                    && p.is_punct_at(p.pos + 3, "=") =>
            {
                p.pos += 4;
                self.export = Some(p.expression_or_opaque());
            }
            Some("const" | "let" | "var") => {
                p.pos += 1;
                self.binding(p);
            }
            _ => p.skip_one(),
        }
    }

    /// `import x from "m"`, `import { a, b as c } from "m"`, `import * as x from "m"`,
    /// `import "m"`.
    fn import(&mut self, p: &mut Parser<'_>) {
        let mut names: Vec<(String, String)> = Vec::new();
        let mut default_or_namespace: Option<String> = None;
        let mut in_braces = false;
        while let Some(token) = p.tokens.get(p.pos) {
            p.pos += 1;
            match &token.tok {
                Tok::Str(module) => {
                    for (imported, local) in names {
                        self.imports
                            .insert(local, (import_kind(module, &imported), imported));
                    }
                    if let Some(local) = default_or_namespace {
                        self.imports
                            .insert(local, (import_kind(module, "*"), "*".to_owned()));
                    }
                    return;
                }
                Tok::Punct("{") => in_braces = true,
                Tok::Punct("}") => in_braces = false,
                Tok::Punct(";") => return,
                Tok::Ident(name) if name == "type" || name == "from" => {}
                Tok::Ident(name) if in_braces => {
                    if p.is_ident_at(p.pos, "as")
                        && let Some(Tok::Ident(local)) = p.tokens.get(p.pos + 1).map(|t| &t.tok)
                    {
                        names.push((name.clone(), local.clone()));
                        p.pos += 2;
                        continue;
                    }
                    names.push((name.clone(), name.clone()));
                }
                Tok::Ident(name) if name != "as" => default_or_namespace = Some(name.clone()),
                _ => {}
            }
        }
    }

    /// `const NAME (: Type)? = expression`; destructuring is skipped.
    fn binding(&mut self, p: &mut Parser<'_>) {
        let Some(name) = p.ident().map(str::to_owned) else {
            return;
        };
        p.pos += 1;
        if p.is_punct_at(p.pos, ":") {
            p.pos += 1;
            p.skip_type(&["="]);
        }
        if !p.is_punct_at(p.pos, "=") {
            return;
        }
        p.pos += 1;
        let init = p.expression_or_opaque();
        // A `require("path")` binds the path module.
        if let Expr::Call(callee, args) = &init.expr
            && let (Expr::Ident(f), Some(Expr::Str(module))) =
                (&callee.expr, args.first().map(|a| &a.expr))
            && f == "require"
        {
            self.imports
                .insert(name, (import_kind(module, "*"), "*".to_owned()));
            return;
        }
        self.bindings.push((name, init));
    }
}

fn import_kind(module: &str, imported: &str) -> Import {
    match (module, imported) {
        ("prisma/config" | "@prisma/config" | "@prisma/prisma7/config", "env") => Import::Env,
        ("prisma/config" | "@prisma/config" | "@prisma/prisma7/config", "defineConfig") => {
            Import::DefineConfig
        }
        ("path" | "node:path", "*" | "default") => Import::PathModule,
        ("path" | "node:path", _) => Import::PathFn,
        _ => Import::Other,
    }
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&'t Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn ident(&self) -> Option<&'t str> {
        match self.peek() {
            Some(Tok::Ident(name)) => Some(name),
            _ => None,
        }
    }

    fn is_ident_at(&self, pos: usize, name: &str) -> bool {
        matches!(self.tokens.get(pos).map(|t| &t.tok), Some(Tok::Ident(n)) if n == name)
    }

    fn is_punct_at(&self, pos: usize, punct: &str) -> bool {
        matches!(self.tokens.get(pos).map(|t| &t.tok), Some(Tok::Punct(p)) if *p == punct)
    }

    fn offset(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map_or_else(|| self.tokens.last().map_or(0, |t| t.end), |t| t.start)
    }

    fn end_of_previous(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(0, |t| t.end)
    }

    /// Skip one token, or a whole bracketed group when it opens one.
    fn skip_one(&mut self) {
        let mut depth = 0usize;
        while let Some(tok) = self.peek() {
            self.pos += 1;
            match tok {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// At the end of an expression: a closing bracket, `,`, `;`, the end, or (for files
    /// without semicolons) the start of the next statement.
    fn at_expression_end(&self) -> bool {
        match self.peek() {
            None => true,
            Some(Tok::Punct("," | ";" | ")" | "]" | "}")) => true,
            Some(Tok::Ident(name)) => STATEMENT_STARTS.contains(&name.as_str()),
            _ => false,
        }
    }

    /// Skip a type up to one of `stops` (or an expression end) outside brackets.
    fn skip_type(&mut self, stops: &[&str]) {
        let mut angle = 0usize;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Punct("<") => angle += 1,
                Tok::Punct(">") => angle = angle.saturating_sub(1),
                Tok::Punct("=>") => {}
                Tok::Punct(p) if angle == 0 && stops.contains(p) => return,
                _ if angle == 0 && self.at_expression_end() => return,
                _ => {}
            }
            self.skip_one();
        }
    }

    /// An expression; what the subset does not cover becomes [`Expr::Opaque`] over its whole
    /// source, up to the end of the expression.
    fn expression_or_opaque(&mut self) -> Node {
        let start_pos = self.pos;
        let start = self.offset();
        if let Some(node) = self.expression().filter(|_| self.at_expression_end()) {
            return node;
        }
        self.pos = start_pos;
        while !self.at_expression_end() {
            self.skip_one();
        }
        Node {
            expr: Expr::Opaque,
            start,
            end: self.end_of_previous().max(start),
        }
    }

    fn expression(&mut self) -> Option<Node> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let node = self.logical();
        self.depth -= 1;
        node
    }

    /// `a || b ?? c`, and trailing `satisfies T` / `as T`. (`||` and `??` cannot be mixed
    /// without parentheses in JS, so one left-to-right level is exact.)
    fn logical(&mut self) -> Option<Node> {
        let mut left = self.postfix()?;
        loop {
            match self.peek() {
                Some(Tok::Punct(op @ ("||" | "??"))) => {
                    let nullish = *op == "??";
                    self.pos += 1;
                    let right = self.postfix()?;
                    let (start, end) = (left.start, right.end);
                    let pair = (Box::new(left), Box::new(right));
                    let expr = if nullish {
                        Expr::Nullish(pair.0, pair.1)
                    } else {
                        Expr::Or(pair.0, pair.1)
                    };
                    left = Node { expr, start, end };
                }
                Some(Tok::Ident(word)) if word == "satisfies" || word == "as" => {
                    // The type's first token (`const`, `{...}`) is never an expression's end.
                    self.pos += 1;
                    self.skip_one();
                    self.skip_type(&["||", "??"]);
                }
                _ => return Some(left),
            }
        }
    }

    /// A primary expression with member accesses and calls.
    fn postfix(&mut self) -> Option<Node> {
        let mut node = self.primary()?;
        loop {
            let start = node.start;
            match self.peek() {
                Some(Tok::Punct("." | "?.")) => {
                    self.pos += 1;
                    let name = self.ident().map(str::to_owned)?;
                    self.pos += 1;
                    node = Node {
                        expr: Expr::Member(Box::new(node), name),
                        start,
                        end: self.end_of_previous(),
                    };
                }
                Some(Tok::Punct("[")) => {
                    self.pos += 1;
                    let Some(Tok::Str(name)) = self.peek().cloned() else {
                        return None;
                    };
                    self.pos += 1;
                    if !self.is_punct_at(self.pos, "]") {
                        return None;
                    }
                    self.pos += 1;
                    node = Node {
                        expr: Expr::Member(Box::new(node), name),
                        start,
                        end: self.end_of_previous(),
                    };
                }
                Some(Tok::Punct("(")) => {
                    self.pos += 1;
                    let args = self.list(")")?;
                    node = Node {
                        expr: Expr::Call(Box::new(node), args),
                        start,
                        end: self.end_of_previous(),
                    };
                }
                // TypeScript's non-null assertion.
                Some(Tok::Punct("!")) => self.pos += 1,
                _ => return Some(node),
            }
        }
    }

    /// Comma-separated expressions up to `close` (consumed).
    fn list(&mut self, close: &str) -> Option<Vec<Node>> {
        let mut items = Vec::new();
        loop {
            if self.is_punct_at(self.pos, close) {
                self.pos += 1;
                return Some(items);
            }
            if self.is_punct_at(self.pos, "...") {
                self.pos += 1;
            }
            items.push(self.expression()?);
            if self.is_punct_at(self.pos, ",") {
                self.pos += 1;
            } else if !self.is_punct_at(self.pos, close) {
                return None;
            }
        }
    }

    fn primary(&mut self) -> Option<Node> {
        let start = self.offset();
        let token = self.peek()?.clone();
        self.pos += 1;
        let expr = match token {
            Tok::Str(value) => Expr::Str(value),
            Tok::Num => Expr::OtherValue,
            Tok::Template => Expr::Opaque,
            Tok::Ident(name) => match name.as_str() {
                "undefined" => Expr::Undefined,
                "null" => Expr::Null,
                "true" | "false" => Expr::OtherValue,
                "async" | "function" | "new" | "await" | "typeof" | "class" => return None,
                _ if self.is_punct_at(self.pos, "=>") => return None,
                _ => Expr::Ident(name),
            },
            Tok::Punct("{") => self.object()?,
            Tok::Punct("[") => {
                self.list("]")?;
                Expr::OtherValue
            }
            Tok::Punct("(") => {
                let inner = self.expression()?;
                if !self.is_punct_at(self.pos, ")") || self.is_punct_at(self.pos + 1, "=>") {
                    return None;
                }
                self.pos += 1;
                inner.expr
            }
            _ => return None,
        };
        Some(Node {
            expr,
            start,
            end: self.end_of_previous(),
        })
    }

    /// After `{`: `key: value`, `"key": value`, `key` (shorthand), `...spread`; a method or a
    /// computed key makes the value opaque, not the whole object.
    fn object(&mut self) -> Option<Expr> {
        let mut entries = Vec::new();
        loop {
            match self.peek()?.clone() {
                Tok::Punct("}") => {
                    self.pos += 1;
                    return Some(Expr::Object(entries));
                }
                Tok::Punct("...") => {
                    self.pos += 1;
                    entries.push((Key::Spread, self.expression_or_opaque()));
                }
                Tok::Ident(name) | Tok::Str(name) => {
                    let start = self.offset();
                    self.pos += 1;
                    if self.is_punct_at(self.pos, ":") {
                        self.pos += 1;
                        entries.push((Key::Name(name), self.expression_or_opaque()));
                    } else if self.is_punct_at(self.pos, ",") || self.is_punct_at(self.pos, "}") {
                        let end = self.end_of_previous();
                        let expr = Expr::Ident(name.clone());
                        entries.push((Key::Name(name), Node { expr, start, end }));
                    } else {
                        // A method (`adapter() {...}`) or `async` / `get` forms.
                        while !self.at_expression_end() {
                            self.skip_one();
                        }
                    }
                }
                _ => {
                    // A computed key or anything else: skip the entry.
                    while !self.at_expression_end() {
                        self.skip_one();
                    }
                }
            }
            if self.is_punct_at(self.pos, ",") {
                self.pos += 1;
            } else if !self.is_punct_at(self.pos, "}") {
                return None;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// A value the static reader computed.
enum Value<'m> {
    Str(String),
    Undefined,
    Null,
    Object(&'m [(Key, Node)]),
    Other,
}

impl Value<'_> {
    fn truthy(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::Undefined | Value::Null => false,
            Value::Object(_) | Value::Other => true,
        }
    }
}

/// Why a static evaluation stopped.
enum Stop {
    /// This node is outside the subset.
    NeedsNode(usize),
    EnvNotSet(String, usize),
}

struct Reader<'m> {
    module: &'m Module,
    text: &'m str,
    file: String,
    dir: PathBuf,
    env: &'m dyn Fn(&str) -> Option<String>,
    node: bool,
}

impl<'m> Reader<'m> {
    fn new(
        module: &'m Module,
        text: &'m str,
        path: &Path,
        env: &'m dyn Fn(&str) -> Option<String>,
        node: bool,
    ) -> Reader<'m> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Reader {
            module,
            text,
            file: path.display().to_string(),
            dir: dir.to_path_buf(),
            env,
            node,
        }
    }

    fn setting(&self, root: &'m Node, keys: &[&str]) -> Setting {
        let key = keys.join(".");
        match self.lookup(root, keys, 0) {
            Ok(Some(node)) => match self.eval(node, 0) {
                Ok(Value::Str(s)) => Some(Ok(s)),
                Ok(Value::Undefined | Value::Null) => None,
                Ok(_) => Some(Err(ConfigError::NotAString {
                    key,
                    location: self.location(node.start),
                    snippet: self.snippet(node.start, node.end),
                })),
                Err(Stop::EnvNotSet(name, at)) => Some(Err(ConfigError::EnvNotSet {
                    name,
                    location: self.location(at),
                    snippet: self.snippet(at, at + 1),
                })),
                Err(Stop::NeedsNode(at)) => self.with_node(root, node, keys, at),
            },
            Ok(None) => None,
            Err(Stop::NeedsNode(at)) => self.with_node(root, root, keys, at),
            Err(Stop::EnvNotSet(name, at)) => Some(Err(ConfigError::EnvNotSet {
                name,
                location: self.location(at),
                snippet: self.snippet(at, at + 1),
            })),
        }
    }

    /// The node holding `keys` under `node`, looking through `defineConfig(...)`, bindings
    /// and spreads.
    fn lookup(
        &self,
        node: &'m Node,
        keys: &[&str],
        depth: usize,
    ) -> Result<Option<&'m Node>, Stop> {
        let Some((first, rest)) = keys.split_first() else {
            return Ok(Some(node));
        };
        if depth > MAX_DEPTH {
            return Err(Stop::NeedsNode(node.start));
        }
        let Value::Object(entries) = self.object_of(node, depth)? else {
            return Ok(None);
        };
        for (key, value) in entries.iter().rev() {
            match key {
                Key::Name(name) if name == first => return self.lookup(value, rest, depth + 1),
                Key::Name(_) => {}
                Key::Spread => {
                    if let Some(found) = self.lookup(value, &keys[..1], depth + 1)? {
                        return self.lookup(found, rest, depth + 1);
                    }
                }
            }
        }
        Ok(None)
    }

    /// `node` as an object value (through bindings and `defineConfig`), without evaluating
    /// its entries.
    fn object_of(&self, node: &'m Node, depth: usize) -> Result<Value<'m>, Stop> {
        match &node.expr {
            Expr::Object(entries) => Ok(Value::Object(entries)),
            Expr::Ident(name) => match self.binding(name) {
                Some(bound) if depth < MAX_DEPTH => self.object_of(bound, depth + 1),
                _ => Err(Stop::NeedsNode(node.start)),
            },
            Expr::Call(callee, args) if self.is_define_config(callee) => match args.first() {
                Some(arg) if depth < MAX_DEPTH => self.object_of(arg, depth + 1),
                _ => Ok(Value::Undefined),
            },
            _ => self.eval(node, depth),
        }
    }

    fn binding(&self, name: &str) -> Option<&'m Node> {
        self.module
            .bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, node)| node)
    }

    fn is_define_config(&self, callee: &Node) -> bool {
        matches!(&callee.expr, Expr::Ident(name)
            if name == "defineConfig"
                || self.module.imports.get(name).is_some_and(|(k, _)| *k == Import::DefineConfig))
    }

    fn eval(&self, node: &'m Node, depth: usize) -> Result<Value<'m>, Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::NeedsNode(node.start));
        }
        let depth = depth + 1;
        match &node.expr {
            Expr::Str(s) => Ok(Value::Str(s.clone())),
            Expr::OtherValue => Ok(Value::Other),
            Expr::Undefined => Ok(Value::Undefined),
            Expr::Null => Ok(Value::Null),
            Expr::Object(entries) => Ok(Value::Object(entries)),
            Expr::Opaque => Err(Stop::NeedsNode(node.start)),
            Expr::Or(left, right) => {
                let value = self.eval(left, depth)?;
                if value.truthy() {
                    Ok(value)
                } else {
                    self.eval(right, depth)
                }
            }
            Expr::Nullish(left, right) => match self.eval(left, depth)? {
                Value::Undefined | Value::Null => self.eval(right, depth),
                value => Ok(value),
            },
            Expr::Ident(name) => match name.as_str() {
                "__dirname" => Ok(Value::Str(self.dir_string())),
                _ => match self.binding(name) {
                    Some(bound) => self.eval(bound, depth),
                    None => Err(Stop::NeedsNode(node.start)),
                },
            },
            Expr::Member(object, name) => self.member(node, object, name, depth),
            Expr::Call(callee, args) => self.call(node, callee, args, depth),
        }
    }

    fn member(
        &self,
        node: &'m Node,
        object: &'m Node,
        name: &str,
        depth: usize,
    ) -> Result<Value<'m>, Stop> {
        match &object.expr {
            // `process.env.X`, `process.env["X"]`
            Expr::Member(inner, env) if env == "env" => {
                if matches!(&inner.expr, Expr::Ident(p) if p == "process") {
                    return Ok((self.env)(name).map_or(Value::Undefined, Value::Str));
                }
            }
            // `import.meta.dirname`
            Expr::Member(inner, meta) if meta == "meta" && name == "dirname" => {
                if matches!(&inner.expr, Expr::Ident(i) if i == "import") {
                    return Ok(Value::Str(self.dir_string()));
                }
            }
            _ => {}
        }
        match self.eval(object, depth)? {
            Value::Object(entries) => {
                for (key, value) in entries.iter().rev() {
                    if matches!(key, Key::Name(n) if n == name) {
                        return self.eval(value, depth);
                    }
                }
                Err(Stop::NeedsNode(node.start))
            }
            Value::Undefined | Value::Null => Ok(Value::Undefined),
            _ => Err(Stop::NeedsNode(node.start)),
        }
    }

    fn call(
        &self,
        node: &'m Node,
        callee: &'m Node,
        args: &'m [Node],
        depth: usize,
    ) -> Result<Value<'m>, Stop> {
        if self.is_define_config(callee) {
            return match args.first() {
                Some(arg) => self.eval(arg, depth),
                None => Ok(Value::Undefined),
            };
        }
        let function = match &callee.expr {
            Expr::Ident(name) => self.module.imports.get(name).map(|(kind, imported)| {
                (
                    *kind,
                    if *kind == Import::PathFn {
                        imported.as_str()
                    } else {
                        name.as_str()
                    },
                )
            }),
            Expr::Member(object, function) => match &object.expr {
                Expr::Ident(module)
                    if self
                        .module
                        .imports
                        .get(module)
                        .is_some_and(|(k, _)| *k == Import::PathModule) =>
                {
                    Some((Import::PathFn, function.as_str()))
                }
                _ => None,
            },
            _ => None,
        };
        match function {
            Some((Import::Env, _)) => {
                let Some(Value::Str(name)) =
                    args.first().map(|a| self.eval(a, depth)).transpose()?
                else {
                    return Err(Stop::NeedsNode(node.start));
                };
                match (self.env)(&name) {
                    Some(value) => Ok(Value::Str(value)),
                    None => Err(Stop::EnvNotSet(name, node.start)),
                }
            }
            Some((Import::PathFn, function)) => {
                let mut parts = Vec::new();
                for arg in args {
                    match self.eval(arg, depth)? {
                        Value::Str(s) => parts.push(s),
                        _ => return Err(Stop::NeedsNode(arg.start)),
                    }
                }
                path_function(function, &parts).ok_or(Stop::NeedsNode(node.start))
            }
            _ => Err(Stop::NeedsNode(node.start)),
        }
    }

    fn dir_string(&self) -> String {
        let dir = std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone());
        dir.display().to_string()
    }

    /// Evaluate `keys` of the config with `node`, for a construct at `at` the static reader
    /// does not cover.
    fn with_node(&self, root: &Node, node: &Node, keys: &[&str], at: usize) -> Setting {
        let key = keys.join(".");
        let construct = construct_at(self.text, at);
        // The caret covers what the construct shows of the source (not its `...`).
        let shown = construct.trim_end_matches("...").chars().count();
        let at = floor_boundary(self.text, at.min(self.text.len()));
        let construct_end = self.text[at..]
            .char_indices()
            .nth(shown)
            .map_or(self.text.len(), |(i, _)| at + i);
        let unresolved = |reason: String| {
            Some(Err(ConfigError::Unresolved {
                key: key.clone(),
                construct: construct.clone(),
                location: self.location(at),
                snippet: self.snippet(at, construct_end),
                reason,
            }))
        };
        // The value node when it was found, else the whole config with the keys to follow.
        let (source, path): (String, &[&str]) = if std::ptr::eq(root, node) {
            (strip_types(&self.text[root.start..root.end]), keys)
        } else {
            (strip_types(&self.text[node.start..node.end]), &[])
        };
        if !self.node {
            return unresolved(format!("this reading does not run `node`; {PLAIN_VALUES}"));
        }
        let timeout = match node_timeout(self.env) {
            Ok(timeout) => timeout,
            Err(reason) => return unresolved(reason),
        };
        match run_node(
            &self.node_prelude(),
            &source,
            path,
            &self.dir_string(),
            timeout,
        ) {
            Ok(Some(value)) => Some(Ok(value)),
            Ok(None) => None,
            Err(NodeFailure::NotInstalled) => unresolved(format!(
                "Node.js (`node`) is not installed to evaluate it; {PLAIN_VALUES}, or install \
                 Node.js"
            )),
            Err(NodeFailure::Failed(message)) => unresolved(format!(
                "evaluating it with `node` failed: {message}; fix that, or {PLAIN_VALUES}"
            )),
            Err(NodeFailure::TimedOut(limit)) => unresolved(format!(
                "`node` did not finish evaluating it within the limit of {} s and was stopped; \
                 make it finish sooner (does it wait for something that never comes?), raise \
                 the limit with `{NODE_TIMEOUT_VAR}=<seconds>`, or {PLAIN_VALUES}",
                limit.as_secs_f64()
            )),
        }
    }

    /// Definitions for the names the file imports or binds, so an expression runs in `node`
    /// as it would in the file.
    fn node_prelude(&self) -> String {
        let mut prelude = String::from(
            "const __drydock_path = require(\"node:path\");\n\
             const __drydock_env = (name) => { const v = process.env[name]; if (v === undefined) \
             throw new Error(`environment variable ${name} is not set`); return v; };\n",
        );
        for (local, (kind, imported)) in &self.module.imports {
            let value = match kind {
                Import::Env => "__drydock_env".to_owned(),
                Import::DefineConfig => "((config) => config)".to_owned(),
                Import::PathModule => "__drydock_path".to_owned(),
                Import::PathFn => format!("__drydock_path[{imported:?}]"),
                Import::Other => continue,
            };
            prelude.push_str(&format!("const {local} = {value};\n"));
        }
        if !self.module.imports.contains_key("defineConfig") {
            prelude.push_str("const defineConfig = (config) => config;\n");
        }
        for (name, init) in &self.module.bindings {
            prelude.push_str(&format!(
                "const {name} = ({});\n",
                strip_types(&self.text[init.start..init.end])
            ));
        }
        prelude
    }

    fn location(&self, offset: usize) -> String {
        let (line, col) = line_col(self.text, offset);
        format!("{}:{line}:{col}", self.file)
    }

    fn snippet(&self, start: usize, end: usize) -> String {
        let start = floor_boundary(self.text, start.min(self.text.len()));
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = &self.text[line_start..line_end];
        let (number, _) = line_col(self.text, start);
        let indent = self.text[line_start..start].chars().count();
        let end = floor_boundary(self.text, end.clamp(start, line_end));
        let width = self.text[start..end].chars().count().max(1);
        let gutter = " ".repeat(number.to_string().len());
        format!(
            "{gutter} |\n{number} | {line}\n{gutter} | {}{}",
            " ".repeat(indent),
            "^".repeat(width)
        )
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The construct at `offset`, as the user wrote it (its first line, shortened).
fn construct_at(text: &str, offset: usize) -> String {
    let offset = floor_boundary(text, offset.min(text.len()));
    let line = text[offset..].lines().next().unwrap_or_default().trim_end();
    let line = line.trim_end_matches(',');
    if line.chars().count() > 60 {
        format!("{}...", line.chars().take(60).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// A TypeScript expression as JavaScript, for `node`: `as T`, `satisfies T` and non-null `!`
/// removed (Node 20 runs no TypeScript).
fn strip_types(source: &str) -> String {
    let tokens = tokenize(source);
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
    };
    let mut out = String::new();
    let mut copied = 0;
    let ends_value = |token: Option<&Token>| {
        matches!(
            token.map(|t| &t.tok),
            Some(
                Tok::Ident(_)
                    | Tok::Str(_)
                    | Tok::Num
                    | Tok::Template
                    | Tok::Punct(")" | "]" | "}")
            )
        )
    };
    while let Some(token) = tokens.get(parser.pos) {
        let previous = parser.pos.checked_sub(1).and_then(|i| tokens.get(i));
        let is_type_operator = matches!(&token.tok, Tok::Ident(w) if w == "as" || w == "satisfies");
        let is_non_null = token.tok == Tok::Punct("!");
        if ends_value(previous) && (is_type_operator || is_non_null) {
            out.push_str(&source[copied..token.start]);
            parser.pos += 1;
            if is_type_operator {
                parser.skip_one();
                parser.skip_type(&["||", "??"]);
            }
            copied = parser
                .tokens
                .get(parser.pos)
                .map_or(source.len(), |t| t.start);
            continue;
        }
        parser.pos += 1;
    }
    out.push_str(&source[copied..]);
    out
}

/// `path.join`, `path.resolve`, `path.dirname`, `path.basename` on strings.
fn path_function<'m>(function: &str, parts: &[String]) -> Option<Value<'m>> {
    let joined = || {
        let mut path = PathBuf::new();
        for part in parts {
            path.push(part);
        }
        path
    };
    let path = match function {
        "join" | "normalize" => normalize(&joined()),
        "resolve" => {
            let path = joined();
            if path.is_absolute() {
                normalize(&path)
            } else {
                normalize(&std::env::current_dir().ok()?.join(path))
            }
        }
        "dirname" => Path::new(parts.first()?)
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        "basename" => PathBuf::from(Path::new(parts.first()?).file_name()?),
        _ => return None,
    };
    Some(Value::Str(path.display().to_string()))
}

/// Resolve `.` and `..` without touching the file system, as `path.join` does.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// How long `node` may take to evaluate a setting, unless [`NODE_TIMEOUT_VAR`] says otherwise.
const NODE_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment variable that sets [`NODE_TIMEOUT`], in seconds (`0.5`, `30`).
const NODE_TIMEOUT_VAR: &str = "DRYDOCK_CONFIG_NODE_TIMEOUT";

/// The time limit for `node`: [`NODE_TIMEOUT_VAR`] when set (it must hold a positive number of
/// seconds), else [`NODE_TIMEOUT`].
fn node_timeout(env: &dyn Fn(&str) -> Option<String>) -> Result<Duration, String> {
    let Some(value) = env(NODE_TIMEOUT_VAR) else {
        return Ok(NODE_TIMEOUT);
    };
    value
        .trim()
        .parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .filter(|limit| !limit.is_zero())
        .ok_or_else(|| {
            format!(
                "`{NODE_TIMEOUT_VAR}` is `{value}`, which is not a positive number of seconds; \
                 set it to one (e.g. `30`), or unset it for the default of {} s",
                NODE_TIMEOUT.as_secs()
            )
        })
}

enum NodeFailure {
    NotInstalled,
    Failed(String),
    /// It ran longer than the limit and was killed.
    TimedOut(Duration),
}

/// Evaluate `source` (then follow `path`) with `node`; `Ok(None)` when the value is
/// `undefined` or `null`.
fn run_node(
    prelude: &str,
    source: &str,
    path: &[&str],
    dir: &str,
    timeout: Duration,
) -> Result<Option<String>, NodeFailure> {
    let keys = serde_json::to_string(path).unwrap_or_else(|_| "[]".to_owned());
    let script = format!(
        "const __dirname = {dir:?};\n{prelude}\
         let __drydock_value = ({source});\n\
         for (const key of {keys}) __drydock_value = __drydock_value == null ? undefined : __drydock_value[key];\n\
         if (__drydock_value != null && typeof __drydock_value !== \"string\") throw new Error(\"the value is not a string\");\n\
         process.stdout.write(JSON.stringify(__drydock_value ?? null));\n"
    );
    let mut child = std::process::Command::new("node")
        .arg("-e")
        .arg(script)
        .current_dir(if dir.is_empty() { "." } else { dir })
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => NodeFailure::NotInstalled,
            _ => NodeFailure::Failed(e.to_string()),
        })?;
    // Readers on their own threads, so a full pipe never stalls the child.
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as _));
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                // Killed and reaped: no `node` is left running.
                let _ = child.kill();
                let _ = child.wait();
                return Err(NodeFailure::TimedOut(timeout));
            }
            Err(e) => return Err(NodeFailure::Failed(e.to_string())),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        // node echoes the failing source line first; the error itself reads `TypeError: ...`.
        let is_error_line = |line: &&str| {
            line.split_once(':').is_some_and(|(name, _)| {
                name.ends_with("Error") && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
        };
        let message = stderr
            .lines()
            .find(is_error_line)
            .or_else(|| stderr.lines().find(|l| l.contains("Error")))
            .unwrap_or("no output")
            .trim();
        return Err(NodeFailure::Failed(message.to_owned()));
    }
    serde_json::from_slice::<Option<String>>(&stdout)
        .map_err(|e| NodeFailure::Failed(format!("unexpected output: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "DATABASE_URL" => Some("postgresql://u@h/db".to_owned()),
            "SQLITE_URL" => Some("file:./b.db".to_owned()),
            _ => None,
        }
    }

    fn read(text: &str) -> PrismaConfig {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("prisma.config.ts");
        std::fs::write(&path, text).expect("write");
        read_config(&path, &env).expect("config")
    }

    fn value(setting: &Setting) -> Option<String> {
        setting.clone().map(|r| r.expect("a value"))
    }

    #[test]
    fn reads_what_prisma_init_writes() {
        let config = read(
            "import \"dotenv/config\";\nimport { defineConfig, env } from \"prisma/config\";\n\n\
             export default defineConfig({\n  schema: \"prisma/schema.prisma\",\n  migrations: {\n    \
             path: \"prisma/migrations\",\n  },\n  datasource: {\n    url: env(\"DATABASE_URL\"),\n  },\n});\n",
        );
        assert_eq!(
            value(&config.schema).as_deref(),
            Some("prisma/schema.prisma")
        );
        assert_eq!(
            value(&config.migrations_path).as_deref(),
            Some("prisma/migrations")
        );
        assert_eq!(value(&config.url).as_deref(), Some("postgresql://u@h/db"));
        assert_eq!(value(&config.seed(&env)), None);
    }

    #[test]
    fn reads_process_env_chains_paths_bindings_and_satisfies() {
        let config = read(
            "import path from 'node:path'\nimport type { PrismaConfig } from 'prisma'\n\
             const migrations = path.join('db', 'migrations')\n\
             export default {\n  schema: path.join(__dirname, 'db', 'schema'),\n  \
             migrations: { path: migrations, seed: `tsx db/seed.ts` },\n  \
             datasource: {\n    url: process.env.UNSET_URL || process.env[\"SQLITE_URL\"],\n    \
             shadowDatabaseUrl: process.env.UNSET_URL ?? undefined,\n  },\n  \
             adapter: async () => new PrismaPg({ connectionString: x }),\n} satisfies PrismaConfig\n",
        );
        let dir = std::path::absolute(config.dir()).expect("absolute");
        assert_eq!(
            value(&config.schema),
            Some(dir.join("db/schema").display().to_string())
        );
        assert_eq!(
            value(&config.migrations_path).as_deref(),
            Some("db/migrations")
        );
        assert_eq!(value(&config.seed(&env)).as_deref(), Some("tsx db/seed.ts"));
        assert_eq!(value(&config.url).as_deref(), Some("file:./b.db"));
        assert_eq!(value(&config.shadow_database_url), None);
    }

    #[test]
    fn reads_the_older_early_access_shape_and_commonjs() {
        let config = read(
            "import path from 'node:path'\nimport type { PrismaConfig } from 'prisma'\n\
             const schemaPath: string = path.join('prisma', 'schema.prisma')\n\
             export default {\n  earlyAccess: true,\n  schema: schemaPath,\n  migrate: {\n    \
             async adapter(env) {\n      return new PrismaPg({ connectionString: env.DATABASE_URL })\n    },\n  },\n\
             } satisfies PrismaConfig\n",
        );
        assert_eq!(
            value(&config.schema).as_deref(),
            Some("prisma/schema.prisma")
        );
        assert_eq!(value(&config.url), None);

        let config = read(
            "const { defineConfig } = require('prisma/config');\nconst path = require('path');\n\
             module.exports = defineConfig({ schema: path.resolve(__dirname, 'db', '..', 'db', 'schema') });\n",
        );
        let dir = std::path::absolute(config.dir()).expect("absolute");
        assert_eq!(
            value(&config.schema),
            Some(dir.join("db/schema").display().to_string())
        );
    }

    #[test]
    fn a_missing_env_variable_is_named_with_its_place() {
        let config = read(
            "import { defineConfig, env } from \"prisma/config\";\nexport default defineConfig({\n  \
             datasource: { url: env(\"NEVER_SET\") },\n});\n",
        );
        let error = config.url.expect("a url").expect_err("an error");
        let text = error.to_string();
        assert!(text.contains("prisma.config.ts:3:22"), "{text}");
        assert!(text.contains("NEVER_SET"), "{text}");
        assert!(text.contains("^"), "{text}");
    }

    #[test]
    fn an_opaque_setting_is_evaluated_with_node() {
        let config = read(
            "export default {\n  schema: ['prisma', 'schema.prisma'].join('/'),\n  migrations: { path: `${'x'}/migrations` },\n};\n",
        );
        assert_eq!(
            value(&config.schema).as_deref(),
            Some("prisma/schema.prisma")
        );
        assert_eq!(
            value(&config.migrations_path).as_deref(),
            Some("x/migrations")
        );
    }

    #[test]
    fn the_static_reading_names_what_only_node_could_read() {
        let config = read_config_static(
            Path::new("prisma.config.ts"),
            "export default {\n  schema: ['prisma', 'schema.prisma'].join('/'),\n  \
             datasource: { url: process.env.DATABASE_URL },\n};\n"
                .to_owned(),
            &env,
        )
        .expect("config");
        let text = config
            .schema
            .expect("a schema")
            .expect_err("an error")
            .to_string();
        assert!(text.contains("does not run `node`"), "{text}");
        assert!(text.contains("prisma.config.ts:2:11"), "{text}");
        assert_eq!(value(&config.url).as_deref(), Some("postgresql://u@h/db"));
    }

    #[test]
    fn typescript_is_read_or_stripped_before_node_evaluates_a_setting() {
        let config = read("export default { schema: process.env.SCHEMA! ?? 'db.prisma' };\n");
        assert_eq!(value(&config.schema).as_deref(), Some("db.prisma"));
        assert_eq!(
            strip_types("(process.env.A as string) + suffix!.x satisfies T"),
            "(process.env.A ) + suffix.x "
        );
        let config = read(
            "const base: string = ['prisma'].join('') as string;\n\
             export default {\n  schema: `${base}/schema.prisma` as const,\n  \
             migrations: { path: (base! + '/migrations') as string },\n};\n",
        );
        assert_eq!(
            value(&config.schema).as_deref(),
            Some("prisma/schema.prisma")
        );
        assert_eq!(
            value(&config.migrations_path).as_deref(),
            Some("prisma/migrations")
        );
    }

    #[test]
    fn a_long_multibyte_construct_is_shortened_without_breaking_characters() {
        let config = read(&format!(
            "export default {{ schema: missing('{}') }};\n",
            "é".repeat(80)
        ));
        let text = config
            .schema
            .expect("a schema")
            .expect_err("an error")
            .to_string();
        assert!(text.contains("...`"), "{text}");
    }

    #[test]
    fn a_setting_node_cannot_evaluate_names_the_construct_and_line() {
        let config = read("export default {\n  schema: missingFunction(),\n};\n");
        let text = config
            .schema
            .expect("a schema")
            .expect_err("an error")
            .to_string();
        assert!(text.contains("prisma.config.ts:2:11"), "{text}");
        assert!(text.contains("missingFunction()"), "{text}");
    }

    #[test]
    fn node_that_runs_past_the_limit_is_stopped_and_named() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("prisma.config.ts");
        // The setting writes node's pid, then never finishes.
        std::fs::write(
            &path,
            "export default {\n  schema: \"prisma/schema.prisma\",\n  datasource: { url: (() => { \
             require(\"node:fs\").writeFileSync(\"node.pid\", String(process.pid)); \
             while (true) {} })() },\n};\n",
        )
        .expect("write");
        // Long enough for node to start and write its pid on a loaded machine.
        let short_limit = |name: &str| (name == NODE_TIMEOUT_VAR).then(|| "3".to_owned());
        let config = read_config(&path, &short_limit).expect("config");
        assert_eq!(
            value(&config.schema).as_deref(),
            Some("prisma/schema.prisma")
        );
        let text = config
            .url
            .expect("a url")
            .expect_err("an error")
            .to_string();
        assert!(text.contains(&format!("{}:3:22", path.display())), "{text}");
        assert!(
            text.contains("did not finish evaluating it within the limit of 3 s"),
            "{text}"
        );
        assert!(
            text.contains("raise the limit with `DRYDOCK_CONFIG_NODE_TIMEOUT=<seconds>`"),
            "{text}"
        );
        let pid = std::fs::read_to_string(dir.path().join("node.pid")).expect("node ran");
        assert!(
            !Path::new(&format!("/proc/{}", pid.trim())).exists(),
            "node {pid} is still there"
        );
    }

    #[test]
    fn the_node_limit_is_read_from_the_environment() {
        let limit = |value: &'static str| {
            node_timeout(&move |name: &str| (name == NODE_TIMEOUT_VAR).then(|| value.to_owned()))
        };
        assert_eq!(limit("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(limit(" 30 "), Ok(Duration::from_secs(30)));
        assert_eq!(node_timeout(&|_: &str| None), Ok(NODE_TIMEOUT));
        for refused in ["0", "-1", "soon", "NaN", "1e400", ""] {
            let error = limit(refused).expect_err(refused);
            assert!(
                error.contains(&format!("`{NODE_TIMEOUT_VAR}` is `{refused}`"))
                    && error.contains("not a positive number of seconds"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_file_without_an_export_is_an_error() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("prisma.config.ts");
        std::fs::write(&path, "const x = 1;\n").expect("write");
        let error = read_config(&path, &env).expect_err("an error");
        assert!(matches!(error, ConfigError::NoExport { .. }));
    }

    #[test]
    fn paths_are_normalized_as_node_does() {
        for (path, normalized) in [
            (".config/../db/schema.prisma", "db/schema.prisma"),
            ("../../a/./b", "../../a/b"),
            ("a/..", "."),
            ("/../x", "/x"),
        ] {
            assert_eq!(
                normalize(Path::new(path)),
                PathBuf::from(normalized),
                "{path}"
            );
        }
    }

    #[test]
    fn config_files_are_found_in_prismas_order() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(find_config(dir.path()), None);
        std::fs::create_dir_all(dir.path().join(".config/prisma")).expect("dir");
        std::fs::write(dir.path().join(".config/prisma/index.mjs"), "").expect("write");
        assert_eq!(
            find_config(dir.path()),
            Some(dir.path().join(".config/prisma/index.mjs"))
        );
        std::fs::write(dir.path().join("prisma.config.ts"), "").expect("write");
        assert_eq!(
            find_config(dir.path()),
            Some(dir.path().join("prisma.config.ts"))
        );
        std::fs::create_dir_all(dir.path().join(".config")).expect("dir");
        std::fs::write(dir.path().join(".config/prisma7.cts"), "").expect("write");
        assert_eq!(
            find_config(dir.path()),
            Some(dir.path().join(".config/prisma7.cts"))
        );
        std::fs::write(dir.path().join("prisma7.config.ts"), "").expect("write");
        assert_eq!(
            find_config(dir.path()),
            Some(dir.path().join("prisma7.config.ts"))
        );
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = Module::parse(&text);
        }

        #[test]
        fn error_places_never_panic(text in "\\PC{0,60}(\n\\PC{0,60}){0,3}", a in 0usize..300, b in 0usize..300) {
            let module = Module::parse(&text);
            let reader = Reader {
                module: &module,
                text: &text,
                file: "f.ts".to_owned(),
                dir: PathBuf::from("."),
                env: &env,
                node: false,
            };
            let _ = (reader.location(a), reader.snippet(a, b), construct_at(&text, a), strip_types(&text));
        }

        #[test]
        fn parsing_config_shaped_text_never_panics(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "export", "default", "defineConfig", "(", ")", "{", "}", "[", "]", ",", ":", "schema",
                "\"x\"", "`a${b}`", "env", "process", ".", "env", "||", "??", "satisfies", "as",
                "const", "=", "import", "from", "'path'", "path", "join", "__dirname", "...", ";",
                "=>", "async", "migrations", "datasource", "url", "/*", "*/", "//", "\n", "`",
            ]), 0..80)
        ) {
            let text = parts.join(" ");
            let module = Module::parse(&text);
            let reader = Reader {
                module: &module,
                text: &text,
                file: "f.ts".to_owned(),
                dir: PathBuf::from("."),
                env: &env,
                node: false,
            };
            if let Some(root) = &module.export {
                // Static reading only: a lookup that needs node stops there.
                let _ = reader.lookup(root, &["datasource", "url"], 0).map(|n| n.map(|n| reader.eval(n, 0).is_ok()));
            }
        }
    }
}
