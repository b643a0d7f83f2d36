//! Reading a SQLite schema (`sqlite_master` and the `pragma_*` table functions, see
//! `queries/*.sql`) into the canonical [`SqlSchema`]: the same spelling lowering produces for
//! the same Prisma schema. Primary keys carry no name; foreign key names are read from the
//! `CONSTRAINT "name" FOREIGN KEY` clauses of the table's SQL.
//!
//! Tables and foreign keys come out sorted by name; columns in declaration order
//! (`pragma_table_info`) and indexes in creation order (`pragma_index_list` backwards), so
//! `db pull` writes them as the database has them. Views and triggers are read with their
//! `CREATE` statements (a view's definition is the whole statement: SQLite keeps no separate
//! query text); a partial index's `WHERE` and expression keys come from the index's
//! `CREATE INDEX`. Check constraints exist only inside the table's SQL: each `CHECK (...)` is
//! read from it as written, under its `CONSTRAINT` name or the name PostgreSQL would give it
//! (`{table}_{column}_check`, `{table}_check`, numbered when repeated).

use drydock_connector::{ConnectorError, HISTORY_TABLE};
use drydock_schema::{
    CheckConstraint, Column, ColumnArity, DefaultValue, ForeignKey, Index, IndexColumn, IndexKind,
    ObjectName, OpaqueKind, OpaqueObject, PrimaryKey, ReferentialAction, SortOrder, SqlSchema,
    Table, TypeFamily, View,
};

use crate::connection::query_error;
use crate::types::canonical_type;

pub(crate) fn introspect(conn: &rusqlite::Connection) -> Result<SqlSchema, ConnectorError> {
    let tables: Vec<(String, Option<String>)> = query(
        conn,
        include_str!("queries/tables.sql"),
        HISTORY_TABLE,
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut schema = SqlSchema::default();
    for (name, sql) in tables {
        schema.tables.push(describe_table(
            conn,
            &name,
            sql.as_deref().unwrap_or_default(),
        )?);
    }
    let others: Vec<(String, String, String, Option<String>)> = conn
        .prepare_cached(include_str!("queries/views_and_triggers.sql"))
        .map_err(query_error)?
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .map_err(query_error)?
        .collect::<Result<_, _>>()
        .map_err(query_error)?;
    for (kind, name, table, sql) in others {
        let definition = sql.unwrap_or_default();
        if kind == "view" {
            schema.views.push(View {
                namespace: None,
                name,
                definition,
            });
        } else {
            schema.opaque.push(OpaqueObject {
                kind: OpaqueKind::Trigger,
                namespace: None,
                name,
                table: Some(table),
                definition,
            });
        }
    }
    // Implicit references (`REFERENCES "User"` without columns) point at the primary key.
    let primary_keys: Vec<(String, Vec<String>)> = schema
        .tables
        .iter()
        .map(|t| {
            let columns = t
                .primary_key
                .iter()
                .flat_map(|pk| pk.columns.iter().map(|c| c.name.clone()))
                .collect();
            (t.name.clone(), columns)
        })
        .collect();
    for table in &mut schema.tables {
        for fk in &mut table.foreign_keys {
            if fk.referenced_columns.iter().any(String::is_empty)
                && let Some((_, pk)) = primary_keys
                    .iter()
                    .find(|(name, _)| *name == fk.referenced_table.name)
            {
                fk.referenced_columns = pk.clone();
            }
        }
    }
    Ok(schema)
}

fn query<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    argument: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, ConnectorError> {
    let mut statement = conn.prepare_cached(sql).map_err(query_error)?;
    statement
        .query_map([argument], map)
        .map_err(query_error)?
        .collect::<Result<Vec<T>, _>>()
        .map_err(query_error)
}

fn describe_table(
    conn: &rusqlite::Connection,
    name: &str,
    sql: &str,
) -> Result<Table, ConnectorError> {
    let mut table = Table::new(None, name);
    let raw_columns: Vec<(String, String, bool, Option<String>, u32)> =
        query(conn, include_str!("queries/columns.sql"), name, |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?;

    let mut pk_columns: Vec<(u32, String)> = raw_columns
        .iter()
        .filter(|c| c.4 > 0)
        .map(|c| (c.4, c.0.clone()))
        .collect();
    pk_columns.sort();
    let autoincrement = pk_columns.len() == 1 && has_keyword(sql, "AUTOINCREMENT");

    for (column_name, declared, not_null, default, pk) in raw_columns {
        let column_type = canonical_type(&declared);
        let auto_increment = autoincrement && pk > 0 && column_type.native == "INTEGER";
        let default = default
            .as_deref()
            .and_then(|d| parse_default(d, &column_type.family));
        // SQLite lets a primary key column hold NULL unless it is the rowid or declared NOT
        // NULL; Prisma always declares NOT NULL, and a rowid alias is never NULL.
        let required = not_null || auto_increment;
        table.columns.push(Column {
            name: column_name,
            column_type,
            arity: if required {
                ColumnArity::Required
            } else {
                ColumnArity::Nullable
            },
            default,
            auto_increment,
            comment: None,
            renamed_from: None,
            identity: None,
            generated: None,
            collation: None,
            generated_virtual: false,
            on_update: None,
        });
    }
    if !pk_columns.is_empty() {
        table.primary_key = Some(PrimaryKey {
            name: None,
            columns: pk_columns
                .into_iter()
                .map(|(_, c)| IndexColumn::named(c))
                .collect(),
        });
    }

    let indexes: Vec<(String, bool, Option<String>, bool)> =
        query(conn, include_str!("queries/indexes.sql"), name, |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
    for (index_name, unique, index_sql, partial) in indexes {
        let columns: Vec<(i64, Option<String>, bool)> = query(
            conn,
            include_str!("queries/index_columns.sql"),
            &index_name,
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let parts = index_sql.as_deref().map(index_parts).unwrap_or_default();
        let predicate = if partial { parts.predicate } else { None };
        let mut index_columns = Vec::new();
        for (position, (cid, column, desc)) in columns.into_iter().enumerate() {
            let mut index_column = match column {
                Some(column) if cid >= 0 => IndexColumn::named(column),
                // An expression key (cid -2): its text is only in the CREATE INDEX.
                _ => match parts.keys.get(position) {
                    Some(expression) => IndexColumn::expression(expression.clone()),
                    None => continue,
                },
            };
            index_column.sort = desc.then_some(SortOrder::Desc);
            index_columns.push(index_column);
        }
        table.indexes.push(Index {
            name: index_name,
            kind: if unique {
                IndexKind::Unique
            } else {
                IndexKind::Normal
            },
            columns: index_columns,
            algorithm: None,
            predicate,
            include: Vec::new(),
            constraint_backed: false,
        });
    }

    let fk_rows: Vec<(i64, String, String, Option<String>, String, String)> = query(
        conn,
        include_str!("queries/foreign_keys.sql"),
        name,
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        },
    )?;
    let names = foreign_key_names(sql);
    let mut foreign_keys: Vec<(i64, ForeignKey)> = Vec::new();
    for (id, referenced, from, to, on_update, on_delete) in fk_rows {
        match foreign_keys.last_mut() {
            Some((last_id, fk)) if *last_id == id => {
                fk.columns.push(from);
                fk.referenced_columns.push(to.unwrap_or_default());
            }
            _ => foreign_keys.push((
                id,
                ForeignKey {
                    name: None,
                    columns: vec![from],
                    referenced_table: ObjectName::new(None, referenced),
                    referenced_columns: vec![to.unwrap_or_default()],
                    on_delete: action(&on_delete),
                    on_update: action(&on_update),
                },
            )),
        }
    }
    let mut foreign_keys: Vec<ForeignKey> = foreign_keys.into_iter().map(|(_, fk)| fk).collect();
    for fk in &mut foreign_keys {
        fk.name = names
            .iter()
            .find(|(_, columns)| *columns == fk.columns)
            .map(|(name, _)| name.clone());
    }
    foreign_keys.sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
    table.foreign_keys = foreign_keys;
    table.checks = check_constraints(name, sql);
    Ok(table)
}

fn action(text: &str) -> ReferentialAction {
    match text.to_ascii_uppercase().as_str() {
        "CASCADE" => ReferentialAction::Cascade,
        "RESTRICT" => ReferentialAction::Restrict,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// A default as SQLite stores its text, normalised. `NULL` is no default.
pub(crate) fn parse_default(text: &str, family: &TypeFamily) -> Option<DefaultValue> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("NULL") {
        return None;
    }
    if let Some(literal) = string_literal(text) {
        return Some(match family {
            TypeFamily::Int | TypeFamily::BigInt | TypeFamily::Float | TypeFamily::Decimal
                if is_number(&literal) =>
            {
                DefaultValue::Number(literal)
            }
            TypeFamily::Boolean if literal == "true" || literal == "false" => {
                DefaultValue::Boolean(literal == "true")
            }
            TypeFamily::Bytes => DefaultValue::Bytes(literal.to_ascii_lowercase()),
            _ => DefaultValue::String(literal),
        });
    }
    if let Some(hex) = text
        .strip_prefix("x'")
        .or_else(|| text.strip_prefix("X'"))
        .and_then(|rest| rest.strip_suffix('\''))
    {
        return Some(DefaultValue::Bytes(hex.to_ascii_lowercase()));
    }
    if text.eq_ignore_ascii_case("true") {
        return Some(DefaultValue::Boolean(true));
    }
    if text.eq_ignore_ascii_case("false") {
        return Some(DefaultValue::Boolean(false));
    }
    if text.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
        return Some(DefaultValue::Now);
    }
    if is_number(text) {
        return Some(DefaultValue::Number(text.to_owned()));
    }
    Some(DefaultValue::Expression(text.to_owned()))
}

fn is_number(text: &str) -> bool {
    let digits = text
        .strip_prefix('-')
        .or_else(|| text.strip_prefix('+'))
        .unwrap_or(text);
    digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && digits.parse::<f64>().is_ok()
}

/// The content of a text that is exactly one `'...'` literal (quotes doubled inside).
fn string_literal(text: &str) -> Option<String> {
    let body = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // Inside the literal a quote must be doubled; otherwise this is not one literal.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

/// Whether `sql` contains `keyword` as a word outside quotes (case-insensitive).
fn has_keyword(sql: &str, keyword: &str) -> bool {
    tokens(sql)
        .iter()
        .any(|t| matches!(t, Token::Word(w) if w.eq_ignore_ascii_case(keyword)))
}

/// `(name, columns)` of every `CONSTRAINT name FOREIGN KEY (columns)` clause in `sql`.
fn foreign_key_names(sql: &str) -> Vec<(String, Vec<String>)> {
    let tokens = tokens(sql);
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Token::Word(word) = token else { continue };
        if !word.eq_ignore_ascii_case("CONSTRAINT") {
            continue;
        }
        let (Some(name), Some(Token::Word(foreign)), Some(Token::Word(key)), Some(Token::Open)) = (
            tokens.get(i + 1).and_then(Token::name),
            tokens.get(i + 2),
            tokens.get(i + 3),
            tokens.get(i + 4),
        ) else {
            continue;
        };
        if !foreign.eq_ignore_ascii_case("FOREIGN") || !key.eq_ignore_ascii_case("KEY") {
            continue;
        }
        let mut columns = Vec::new();
        for token in &tokens[i + 5..] {
            match token {
                Token::Close => break,
                Token::Comma => {}
                other => columns.extend(other.name()),
            }
        }
        found.push((name, columns));
    }
    found
}

/// The key list and `WHERE` predicate of a `CREATE INDEX` statement, as written.
#[derive(Debug, Default, PartialEq)]
struct IndexParts {
    /// Each key as written, without `ASC`/`DESC` and without parentheses around it all.
    keys: Vec<String>,
    predicate: Option<String>,
}

/// Splits `CREATE INDEX name ON table (keys) WHERE predicate` at its first parenthesis outside
/// quotes; quoted names and literals may hold any character.
fn index_parts(sql: &str) -> IndexParts {
    let mut parts = IndexParts::default();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for (i, c) in sql.char_indices() {
        if let Some(q) = quote {
            if depth > 0 {
                current.push(c);
            }
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => {
                quote = Some(c);
                if depth > 0 {
                    current.push(c);
                }
            }
            '[' => {
                quote = Some(']');
                if depth > 0 {
                    current.push(c);
                }
            }
            '(' => {
                if depth > 0 {
                    current.push(c);
                }
                depth += 1;
            }
            ')' if depth == 1 => {
                parts.keys.push(key_text(&current));
                let rest = sql[i + 1..].trim_start();
                let starts_with_where = rest
                    .get(..5)
                    .is_some_and(|w| w.eq_ignore_ascii_case("WHERE"))
                    && rest[5..].starts_with(|c: char| c.is_whitespace() || c == '(');
                if starts_with_where {
                    let predicate = rest[5..].trim().trim_end_matches(';').trim_end();
                    parts.predicate = Some(predicate.to_owned());
                }
                return parts;
            }
            ')' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 1 => parts.keys.push(key_text(&std::mem::take(&mut current))),
            _ if depth > 0 => current.push(c),
            _ => {}
        }
    }
    parts
}

/// One key of an index: trimmed, without a trailing `ASC`/`DESC` (the sort is read apart), and
/// without parentheses around the whole, so `(lower(x))` and `lower(x)` read the same.
fn key_text(key: &str) -> String {
    let mut key = key.trim();
    for suffix in [" ASC", " DESC"] {
        if key.len() > suffix.len()
            && key
                .get(key.len() - suffix.len()..)
                .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
        {
            key = key[..key.len() - suffix.len()].trim_end();
        }
    }
    while let Some(inner) = key.strip_prefix('(').and_then(|k| k.strip_suffix(')')) {
        if !balanced(inner) {
            break;
        }
        key = inner.trim();
    }
    key.to_owned()
}

/// Whether the parentheses of `text` (outside quotes) never close more than they open.
fn balanced(text: &str) -> bool {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' | '`' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

#[derive(Debug, PartialEq)]
enum Token {
    /// A bare word.
    Word(String),
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`) with quoting removed.
    Quoted(String),
    /// A string literal.
    Literal,
    Open,
    Close,
    Comma,
    Other,
}

impl Token {
    fn name(&self) -> Option<String> {
        match self {
            Token::Word(w) | Token::Quoted(w) => Some(w.clone()),
            _ => None,
        }
    }
}

/// A small SQL tokenizer: enough to find clauses in a `CREATE TABLE` statement.
fn tokens(sql: &str) -> Vec<Token> {
    spanned_tokens(sql).into_iter().map(|(t, _)| t).collect()
}

/// The tokens of `sql` with the byte range each covers (comments and whitespace skipped).
fn spanned_tokens(sql: &str) -> Vec<(Token, std::ops::Range<usize>)> {
    let chars: Vec<(usize, char)> = sql.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let offset = |i: usize| chars.get(i).map_or(sql.len(), |(o, _)| *o);
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        let start = i;
        let token = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '-' if at(i + 1) == Some('-') => {
                while at(i).is_some_and(|c| c != '\n') {
                    i += 1;
                }
                continue;
            }
            '/' if at(i + 1) == Some('*') => {
                i += 2;
                while at(i).is_some() && !(at(i) == Some('*') && at(i + 1) == Some('/')) {
                    i += 1;
                }
                i += 2;
                continue;
            }
            '"' | '`' | '[' | '\'' => {
                let close = if c == '[' { ']' } else { c };
                let mut text = String::new();
                i += 1;
                while let Some(inner) = at(i) {
                    if inner == close {
                        if close != ']' && at(i + 1) == Some(close) {
                            text.push(close);
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    text.push(inner);
                    i += 1;
                }
                i += 1;
                if c == '\'' {
                    Token::Literal
                } else {
                    Token::Quoted(text)
                }
            }
            '(' => {
                i += 1;
                Token::Open
            }
            ')' => {
                i += 1;
                Token::Close
            }
            ',' => {
                i += 1;
                Token::Comma
            }
            _ if c.is_alphanumeric() || c == '_' => {
                let mut word = String::new();
                while let Some(c) = at(i).filter(|c| c.is_alphanumeric() || *c == '_') {
                    word.push(c);
                    i += 1;
                }
                Token::Word(word)
            }
            _ => {
                i += 1;
                Token::Other
            }
        };
        tokens.push((token, offset(start)..offset(i)));
    }
    tokens
}

/// The `CHECK (...)` constraints of a `CREATE TABLE` statement, each as `CHECK (<expression as
/// written>)`, named by its `CONSTRAINT` clause or as PostgreSQL names unnamed ones.
fn check_constraints(table: &str, sql: &str) -> Vec<CheckConstraint> {
    let tokens = spanned_tokens(sql);
    let mut checks: Vec<CheckConstraint> = Vec::new();
    let mut depth = 0usize;
    // The first token of the current column or table constraint definition.
    let mut item_start = 0usize;
    for (i, (token, _)) in tokens.iter().enumerate() {
        match token {
            Token::Open => {
                depth += 1;
                if depth == 1 {
                    item_start = i + 1;
                }
                continue;
            }
            Token::Close => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Token::Comma if depth == 1 => {
                item_start = i + 1;
                continue;
            }
            Token::Word(word) if depth == 1 && word.eq_ignore_ascii_case("CHECK") => {}
            _ => continue,
        }
        let Some(expression) = parenthesized(sql, &tokens, i + 1) else {
            continue;
        };
        let named = i
            .checked_sub(2)
            .and_then(|c| tokens.get(c))
            .filter(|(t, _)| matches!(t, Token::Word(w) if w.eq_ignore_ascii_case("CONSTRAINT")))
            .and_then(|_| tokens.get(i - 1))
            .and_then(|(t, _)| t.name());
        let name = named.unwrap_or_else(|| {
            let column = tokens
                .get(item_start)
                .and_then(|(t, _)| t.name())
                .filter(|first| {
                    !["CONSTRAINT", "CHECK", "PRIMARY", "UNIQUE", "FOREIGN"]
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(first))
                });
            let base = match column {
                Some(column) => format!("{table}_{column}_check"),
                None => format!("{table}_check"),
            };
            let mut candidate = base.clone();
            let mut counter = 1;
            while checks.iter().any(|c| c.name == candidate) {
                candidate = format!("{base}{counter}");
                counter += 1;
            }
            candidate
        });
        checks.push(CheckConstraint {
            name,
            expression: format!("CHECK {expression}"),
        });
    }
    checks
}

/// The text from the `(` token at `open` to its matching `)`, both included.
fn parenthesized<'a>(
    sql: &'a str,
    tokens: &[(Token, std::ops::Range<usize>)],
    open: usize,
) -> Option<&'a str> {
    let (Token::Open, first) = tokens.get(open)? else {
        return None;
    };
    let mut depth = 0usize;
    for (token, range) in tokens.get(open..)? {
        match token {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    return sql.get(first.start..range.end);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_defaults() {
        let s = TypeFamily::String;
        let cases = [
            ("'abc'", &s, DefaultValue::String("abc".into())),
            ("'it''s'", &s, DefaultValue::String("it's".into())),
            ("42", &TypeFamily::Int, DefaultValue::Number("42".into())),
            (
                "-1.5",
                &TypeFamily::Float,
                DefaultValue::Number("-1.5".into()),
            ),
            ("true", &TypeFamily::Boolean, DefaultValue::Boolean(true)),
            (
                "CURRENT_TIMESTAMP",
                &TypeFamily::DateTime,
                DefaultValue::Now,
            ),
            ("'0A'", &TypeFamily::Bytes, DefaultValue::Bytes("0a".into())),
            (
                "X'0A'",
                &TypeFamily::Bytes,
                DefaultValue::Bytes("0a".into()),
            ),
            (
                "(datetime('now'))",
                &TypeFamily::DateTime,
                DefaultValue::Expression("(datetime('now'))".into()),
            ),
            (
                "'a' || 'b'",
                &s,
                DefaultValue::Expression("'a' || 'b'".into()),
            ),
        ];
        for (text, family, expected) in cases {
            assert_eq!(parse_default(text, family), Some(expected), "{text}");
        }
        assert_eq!(parse_default("NULL", &s), None);
    }

    #[test]
    fn reads_keys_and_predicates_of_index_sql() {
        assert_eq!(
            index_parts(
                r#"CREATE INDEX "a(b" ON "T" (lower("email") DESC, (x + 1), "id") WHERE "deletedAt" IS NULL"#
            ),
            IndexParts {
                keys: vec![
                    r#"lower("email")"#.to_owned(),
                    "x + 1".to_owned(),
                    r#""id""#.to_owned()
                ],
                predicate: Some(r#""deletedAt" IS NULL"#.to_owned()),
            }
        );
        assert_eq!(
            index_parts("CREATE INDEX i ON t(a, ',(')").keys,
            vec!["a".to_owned(), "',('".to_owned()]
        );
        assert_eq!(
            index_parts("CREATE INDEX i ON t(a) where(a>1)")
                .predicate
                .as_deref(),
            Some("(a>1)")
        );
        assert_eq!(key_text("(a) + (b)"), "(a) + (b)");
    }

    #[test]
    fn finds_foreign_key_names_in_table_sql() {
        let sql = r#"CREATE TABLE "Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "note" TEXT DEFAULT 'CONSTRAINT "x" FOREIGN KEY',
    "authorId" INTEGER NOT NULL,
    "a" TEXT, "b" TEXT,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id"),
    constraint pair_fk foreign key (a, "b") references "Pair" ("a", "b")
)"#;
        assert_eq!(
            foreign_key_names(sql),
            vec![
                ("Post_authorId_fkey".to_owned(), vec!["authorId".to_owned()]),
                ("pair_fk".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
            ]
        );
        assert!(has_keyword(sql, "autoincrement"));
        assert!(!has_keyword(
            "CREATE TABLE t (x TEXT DEFAULT 'AUTOINCREMENT')",
            "AUTOINCREMENT"
        ));
    }

    #[test]
    fn reads_check_constraints_from_table_sql() {
        let sql = r#"CREATE TABLE "Item" (
    "price" REAL NOT NULL CHECK ("price" > 0) CHECK (price < 1e6),
    "note" TEXT DEFAULT 'CHECK (x)', -- CHECK (comment)
    [size] TEXT CONSTRAINT size_known CHECK ([size] IN ('S', 'M', ')')),
    CHECK (length("note") < 100),
    CONSTRAINT "both" CHECK ((price > 1) AND (note IS NOT NULL))
)"#;
        let found: Vec<(String, String)> = check_constraints("Item", sql)
            .into_iter()
            .map(|c| (c.name, c.expression))
            .collect();
        let expected = [
            ("Item_price_check", r#"CHECK ("price" > 0)"#),
            ("Item_price_check1", "CHECK (price < 1e6)"),
            ("size_known", "CHECK ([size] IN ('S', 'M', ')'))"),
            ("Item_check", r#"CHECK (length("note") < 100)"#),
            ("both", "CHECK ((price > 1) AND (note IS NOT NULL))"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, e)| ((*n).to_owned(), (*e).to_owned()))
            .collect();
        assert_eq!(found, expected);
    }
}
