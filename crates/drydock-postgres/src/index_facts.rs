//! Index facts for `drydock indexes`: indexes with their use, size and bloat estimate, foreign
//! keys, and indexes suggested from `pg_stat_statements`, tried as hypothetical indexes with
//! `hypopg` when the database has it. Reads only (a hypothetical index lives in this session's
//! memory and is reset before returning).

use drydock_connector::{
    ConnectorError, ForeignKeyFact, IndexFact, IndexFacts, IndexFactsRequest, QueryStats,
    SuggestedIndex,
};
use postgres::types::Type;
use postgres::{Client, SimpleQueryMessage};

use crate::connection::{query_error, quote_ident};

/// A suggestion stops adding columns once the rows it selects fall to about this many
/// (PgHero's suggested indexes).
const TARGET_ROWS: f64 = 50.0;

/// The name the statement being explained is prepared under, inside one transaction.
const PREPARED: &str = "drydock_index_advice";

pub(crate) fn index_facts(
    client: &mut Client,
    default_schema: &str,
    request: &IndexFactsRequest,
) -> Result<IndexFacts, ConnectorError> {
    let schemas: Vec<String> = if request.namespaces.is_empty() {
        vec![default_schema.to_owned()]
    } else {
        request.namespaces.clone()
    };
    let qualify = |schema: &str| (schema != default_schema).then(|| schema.to_owned());
    let bloat: Vec<(String, String, i64)> = client
        .query_typed(
            include_str!("queries/index_bloat.sql"),
            &[(&schemas, Type::TEXT_ARRAY)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    let indexes: Vec<IndexFact> = client
        .query_typed(
            include_str!("queries/index_facts.sql"),
            &[(&schemas, Type::TEXT_ARRAY)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| {
            let namespace: String = row.get(0);
            let name: String = row.get(2);
            let bloat_bytes = bloat
                .iter()
                .find(|(schema, index, _)| *schema == namespace && *index == name)
                .and_then(|(_, _, bytes)| u64::try_from(*bytes).ok());
            IndexFact {
                namespace: qualify(&namespace),
                table: row.get(1),
                name,
                method: row.get(3),
                columns: row.get(4),
                keys: row.get(5),
                has_expressions: row.get(6),
                predicate: row.get(7),
                primary: row.get(8),
                unique: row.get(9),
                constraint: row.get(10),
                valid: row.get(11),
                scans: row
                    .get::<_, Option<i64>>(12)
                    .and_then(|n| u64::try_from(n).ok()),
                size_bytes: u64::try_from(row.get::<_, i64>(13)).ok(),
                bloat_bytes,
                definition: row.get(14),
            }
        })
        .collect();
    let foreign_keys = client
        .query_typed(
            include_str!("queries/index_foreign_keys.sql"),
            &[(&schemas, Type::TEXT_ARRAY)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| ForeignKeyFact {
            namespace: qualify(&row.get::<_, String>(0)),
            table: row.get(1),
            name: row.get(2),
            columns: row.get(3),
            referenced_table: row.get(4),
        })
        .collect();
    let stats_since: Option<String> = client
        .query_typed_one(
            "SELECT pg_stat_get_db_stat_reset_time(oid)::text FROM pg_database \
             WHERE datname = current_database()",
            &[],
        )
        .map_err(|e| query_error(&e))?
        .get(0);
    let (query_stats, suggestions) =
        suggestions(client, default_schema, &schemas, &indexes, request)?;
    Ok(IndexFacts {
        indexes,
        foreign_keys,
        stats_since,
        query_stats,
        suggestions,
    })
}

/// The schema an extension is installed in, or `None` when this database lacks it.
fn extension_schema(client: &mut Client, name: &str) -> Result<Option<String>, ConnectorError> {
    Ok(client
        .query_typed_opt(
            "SELECT n.nspname::text FROM pg_extension e \
             JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1",
            &[(&name, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?
        .map(|row| row.get(0)))
}

fn suggestions(
    client: &mut Client,
    default_schema: &str,
    schemas: &[String],
    indexes: &[IndexFact],
    request: &IndexFactsRequest,
) -> Result<(QueryStats, Vec<SuggestedIndex>), ConnectorError> {
    let Some(statements_schema) = extension_schema(client, "pg_stat_statements")? else {
        return Ok((
            QueryStats::Unavailable {
                reason: "the pg_stat_statements extension is not installed in this database \
                         (`CREATE EXTENSION pg_stat_statements`, with the library in \
                         `shared_preload_libraries`)"
                    .to_owned(),
            },
            Vec::new(),
        ));
    };
    let sql = include_str!("queries/slow_statements.sql").replace(
        "FROM pg_stat_statements s",
        &format!(
            "FROM {}.pg_stat_statements s",
            quote_ident(&statements_schema)
        ),
    );
    let calls = i64::try_from(request.slow_query_calls).unwrap_or(i64::MAX);
    let statements = match client.query_typed(
        &sql,
        &[(&calls, Type::INT8), (&request.slow_query_ms, Type::FLOAT8)],
    ) {
        Ok(rows) => rows,
        // Installed but not preloaded, or not readable by this role.
        Err(e) => {
            return Ok((
                QueryStats::Unavailable {
                    reason: query_error(&e).to_string(),
                },
                Vec::new(),
            ));
        }
    };
    let hypopg = extension_schema(client, "hypopg")?;
    let mut found: Vec<SuggestedIndex> = Vec::new();
    for row in &statements {
        let query: String = row.get(0);
        let Some(shape) = parse_statement(&query) else {
            continue;
        };
        let schema = shape
            .schema
            .clone()
            .unwrap_or_else(|| default_schema.to_owned());
        if !schemas.contains(&schema) {
            continue;
        }
        let Some(columns) = pick_columns(client, &schema, &shape)? else {
            continue;
        };
        let namespace = (schema != default_schema).then(|| schema.clone());
        if covered(indexes, namespace.as_deref(), &shape.table, &columns)
            || found
                .iter()
                .any(|s| s.namespace == namespace && s.table == shape.table && s.columns == columns)
        {
            continue;
        }
        let (cost_before, cost_after) = match &hypopg {
            Some(hypopg_schema) => {
                match try_hypothetical(
                    client,
                    hypopg_schema,
                    &schema,
                    &shape.table,
                    &columns,
                    &query,
                ) {
                    Some((before, after)) if after < before => (Some(before), Some(after)),
                    // The planner would not use the index: no suggestion.
                    Some(_) => continue,
                    None => (None, None),
                }
            }
            None => (None, None),
        };
        found.push(SuggestedIndex {
            namespace,
            table: shape.table.clone(),
            columns,
            query,
            calls: u64::try_from(row.get::<_, i64>(1)).unwrap_or(0),
            mean_ms: row.get(2),
            cost_before,
            cost_after,
            evidence: None,
        });
    }
    Ok((
        QueryStats::Available {
            hypothetical_indexes: hypopg.is_some(),
        },
        found,
    ))
}

/// Whether a valid B-tree index of the table starts with `columns` (in any order).
fn covered(
    indexes: &[IndexFact],
    namespace: Option<&str>,
    table: &str,
    columns: &[String],
) -> bool {
    indexes.iter().any(|index| {
        index.valid
            && index.method == "btree"
            && index.predicate.is_none()
            && index.namespace.as_deref() == namespace
            && index.table == table
            && index.columns.len() >= columns.len()
            && columns
                .iter()
                .all(|c| index.columns[..columns.len()].contains(c))
    })
}

/// The equality columns ordered from the most selective, cut once about [`TARGET_ROWS`] rows
/// remain, then the `ORDER BY` columns when every equality column was kept.
fn pick_columns(
    client: &mut Client,
    schema: &str,
    shape: &StatementShape,
) -> Result<Option<Vec<String>>, ConnectorError> {
    let rows = client
        .query_typed(
            include_str!("queries/column_stats.sql"),
            &[(&schema, Type::TEXT), (&shape.table, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let table_rows: f64 = first.get::<_, f64>(0).max(0.0);
    let stats: Vec<(String, f64, f64)> = rows
        .iter()
        .filter_map(|row| {
            Some((
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<f64>>(2)?,
                row.get::<_, Option<f64>>(3)?,
            ))
        })
        .collect();
    // Rows one value of the column selects.
    let rows_per_value = |column: &str, is_null: bool| -> f64 {
        let Some((_, distinct, null_frac)) = stats.iter().find(|(name, _, _)| name == column)
        else {
            return table_rows;
        };
        if is_null {
            return table_rows * null_frac;
        }
        let distinct = if *distinct < 0.0 {
            -distinct * table_rows
        } else {
            *distinct
        };
        if distinct <= 0.0 {
            table_rows
        } else {
            table_rows * (1.0 - null_frac) / distinct
        }
    };
    let mut filters: Vec<(String, f64)> = Vec::new();
    for (column, is_null) in &shape.filters {
        if !filters.iter().any(|(c, _)| c == column) {
            let selectivity = if table_rows > 0.0 {
                rows_per_value(column, *is_null) / table_rows
            } else {
                1.0
            };
            filters.push((column.clone(), selectivity));
        }
    }
    filters.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut columns = Vec::new();
    let mut estimate = table_rows;
    for (column, selectivity) in &filters {
        if estimate <= TARGET_ROWS && !columns.is_empty() {
            break;
        }
        columns.push(column.clone());
        estimate *= selectivity;
    }
    if columns.len() == filters.len() {
        for column in &shape.order_by {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
    }
    Ok((!columns.is_empty()).then_some(columns))
}

/// The planner's total cost of `query` without and with a hypothetical index on `columns`,
/// from a generic plan (parameters unknown, as the normalized statement has them), or `None`
/// when the statement cannot be explained. It runs in a read-only transaction rolled back
/// afterwards, and is only explained, never executed. The statement is prepared again after the
/// hypothetical index exists: a prepared statement keeps the generic plan it made first.
fn try_hypothetical(
    client: &mut Client,
    hypopg_schema: &str,
    schema: &str,
    table: &str,
    columns: &[String],
    query: &str,
) -> Option<(f64, f64)> {
    let parameters = parameter_count(query);
    let execute = if parameters == 0 {
        format!("EXPLAIN (FORMAT JSON) EXECUTE {PREPARED}")
    } else {
        format!(
            "EXPLAIN (FORMAT JSON) EXECUTE {PREPARED}({})",
            vec!["NULL"; parameters].join(", ")
        )
    };
    let create = format!(
        "CREATE INDEX ON {}.{} ({})",
        quote_ident(schema),
        quote_ident(table),
        columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let hypopg = quote_ident(hypopg_schema);
    let script = format!(
        "BEGIN READ ONLY;\n\
         SET LOCAL search_path TO {search_path};\n\
         SET LOCAL plan_cache_mode = force_generic_plan;\n\
         PREPARE {PREPARED} AS {query};\n\
         {execute};\n\
         DEALLOCATE {PREPARED};\n\
         SELECT {hypopg}.hypopg_create_index({create_literal});\n\
         PREPARE {PREPARED} AS {query};\n\
         {execute};\n\
         DEALLOCATE {PREPARED};\n\
         SELECT {hypopg}.hypopg_reset();\n\
         ROLLBACK",
        search_path = quote_ident(schema),
        query = query.trim().trim_end_matches(';'),
        create_literal = quote_literal(&create),
    );
    let result = client.simple_query(&script);
    let Ok(messages) = result else {
        // Leave the session as it was: no transaction, no prepared statement, no hypothetical
        // index.
        let _ = client.batch_execute("ROLLBACK");
        let _ = client.batch_execute(&format!("DEALLOCATE {PREPARED}"));
        let _ = client.simple_query(&format!("SELECT {hypopg}.hypopg_reset()"));
        return None;
    };
    let plans: Vec<f64> = messages
        .iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) if row.columns().first()?.name() == "QUERY PLAN" => {
                total_cost(row.get(0)?)
            }
            _ => None,
        })
        .collect();
    match plans.as_slice() {
        [before, after] => Some((*before, *after)),
        _ => None,
    }
}

/// The top plan node's `"Total Cost"` in `EXPLAIN (FORMAT JSON)` output.
fn total_cost(plan: &str) -> Option<f64> {
    let key = "\"Total Cost\":";
    let start = plan.find(key)? + key.len();
    let rest = plan[start..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-' || c == '+'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The highest `$n` of a normalized statement.
fn parameter_count(query: &str) -> usize {
    tokens(query)
        .iter()
        .filter_map(|token| match token {
            Token::Parameter(n) => Some(*n),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// What an index could serve in a statement on one table.
#[derive(Debug, Clone, PartialEq)]
struct StatementShape {
    schema: Option<String>,
    table: String,
    /// Columns compared with `=`/`IN` (`false`) or tested `IS NULL` (`true`).
    filters: Vec<(String, bool)>,
    order_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A bare word, lowercased, or a quoted identifier as written inside the quotes.
    Word {
        text: String,
        quoted: bool,
    },
    Parameter(usize),
    /// A literal (number or string).
    Literal,
    Symbol(String),
}

fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' {
            let mut text = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        text.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push(Token::Word { text, quoted: true });
        } else if c == '\'' {
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
            out.push(Token::Literal);
        } else if c == '$' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            out.push(Token::Parameter(number.parse().unwrap_or(0)));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Token::Literal);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Token::Word {
                text: text.to_lowercase(),
                quoted: false,
            });
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["<>", "!=", "<=", ">=", "::"].contains(&two.as_str()) {
                out.push(Token::Symbol(two));
                i += 2;
            } else {
                out.push(Token::Symbol(c.to_string()));
                i += 1;
            }
        }
    }
    out
}

fn is_word(token: Option<&Token>, word: &str) -> bool {
    matches!(token, Some(Token::Word { text, quoted: false }) if text == word)
}

fn is_symbol(token: Option<&Token>, symbol: &str) -> bool {
    matches!(token, Some(Token::Symbol(s)) if s == symbol)
}

/// Words that end a table reference or a `WHERE` clause.
const CLAUSE_WORDS: [&str; 12] = [
    "where",
    "order",
    "group",
    "limit",
    "offset",
    "for",
    "returning",
    "having",
    "window",
    "set",
    "union",
    "fetch",
];

/// The table, filter columns and sort columns of a single-table `SELECT`, `UPDATE` or
/// `DELETE` whose `WHERE` only ANDs `=`, `IN`, `IS NULL` and `IS NOT NULL` tests of columns
/// (PgHero's suggested indexes); `None` for any other statement.
fn parse_statement(sql: &str) -> Option<StatementShape> {
    let mut tokens = tokens(sql);
    if is_symbol(tokens.last(), ";") {
        tokens.pop();
    }
    // One statement only: it is prepared and explained as it is written.
    if tokens.iter().any(|t| is_symbol(Some(t), ";")) {
        return None;
    }
    let mut i = match &tokens.first()? {
        Token::Word {
            text,
            quoted: false,
        } if text == "select" => {
            let from = tokens.iter().position(|t| is_word(Some(t), "from"))?;
            // A sub-select in the column list is not a single-table statement.
            if tokens[1..from].iter().any(|t| is_word(Some(t), "select")) {
                return None;
            }
            from + 1
        }
        Token::Word {
            text,
            quoted: false,
        } if text == "update" => 1,
        Token::Word {
            text,
            quoted: false,
        } if text == "delete" => is_word(tokens.get(1), "from").then_some(2)?,
        _ => return None,
    };
    if is_word(tokens.get(i), "only") {
        i += 1;
    }
    let Some(Token::Word { text: first, .. }) = tokens.get(i) else {
        return None;
    };
    let (schema, table) = if is_symbol(tokens.get(i + 1), ".") {
        let Some(Token::Word { text: second, .. }) = tokens.get(i + 2) else {
            return None;
        };
        i += 3;
        (Some(first.clone()), second.clone())
    } else {
        i += 1;
        (None, first.clone())
    };
    let mut names = vec![table.clone()];
    if is_word(tokens.get(i), "as") {
        i += 1;
    }
    if let Some(Token::Word { text, quoted }) = tokens.get(i)
        && (*quoted || !CLAUSE_WORDS.contains(&text.as_str()))
    {
        names.push(text.clone());
        i += 1;
    }
    let mut shape = StatementShape {
        schema,
        table,
        filters: Vec::new(),
        order_by: Vec::new(),
    };
    // UPDATE ... SET ...: skip to WHERE at depth 0.
    if is_word(tokens.get(i), "set") {
        let mut depth = 0i32;
        while i < tokens.len() && !(depth == 0 && is_word(tokens.get(i), "where")) {
            match &tokens[i] {
                Token::Symbol(s) if s == "(" => depth += 1,
                Token::Symbol(s) if s == ")" => depth -= 1,
                Token::Word {
                    text,
                    quoted: false,
                } if text == "select" || text == "from" => {
                    return None;
                }
                _ => {}
            }
            i += 1;
        }
    }
    if is_word(tokens.get(i), "where") {
        i += 1;
        loop {
            let (column, next) = column_at(&tokens, i, &names)?;
            i = next;
            if is_symbol(tokens.get(i), "=") {
                i = value_end(&tokens, i + 1)?;
                shape.filters.push((column, false));
            } else if is_word(tokens.get(i), "in") && is_symbol(tokens.get(i + 1), "(") {
                let mut depth = 0i32;
                i += 1;
                loop {
                    match tokens.get(i)? {
                        Token::Symbol(s) if s == "(" => depth += 1,
                        Token::Symbol(s) if s == ")" => depth -= 1,
                        Token::Word {
                            text,
                            quoted: false,
                        } if text == "select" => return None,
                        _ => {}
                    }
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                }
                shape.filters.push((column, false));
            } else if is_word(tokens.get(i), "is") {
                i += 1;
                let not = is_word(tokens.get(i), "not");
                if not {
                    i += 1;
                }
                if !is_word(tokens.get(i), "null") {
                    return None;
                }
                i += 1;
                shape.filters.push((column, !not));
            } else {
                return None;
            }
            if is_word(tokens.get(i), "and") {
                i += 1;
                continue;
            }
            break;
        }
    }
    if is_word(tokens.get(i), "order") && is_word(tokens.get(i + 1), "by") {
        i += 2;
        loop {
            let (column, next) = column_at(&tokens, i, &names)?;
            i = next;
            if is_word(tokens.get(i), "asc") || is_word(tokens.get(i), "desc") {
                i += 1;
            }
            shape.order_by.push(column);
            if is_symbol(tokens.get(i), ",") {
                i += 1;
                continue;
            }
            break;
        }
    }
    match tokens.get(i) {
        None => {}
        Some(Token::Symbol(s)) if s == ";" => {}
        Some(Token::Word {
            text,
            quoted: false,
        }) if ["limit", "offset", "returning", "for", "fetch"].contains(&text.as_str()) => {}
        Some(_) => return None,
    }
    (!shape.filters.is_empty() || !shape.order_by.is_empty()).then_some(shape)
}

/// A column reference (`column`, `table.column`, `alias.column`) at `i`, and the position after
/// it.
fn column_at(tokens: &[Token], i: usize, names: &[String]) -> Option<(String, usize)> {
    let Some(Token::Word { text, quoted }) = tokens.get(i) else {
        return None;
    };
    if !quoted
        && ["not", "exists", "select", "case", "null", "true", "false"].contains(&text.as_str())
    {
        return None;
    }
    if is_symbol(tokens.get(i + 1), ".") {
        if !names.contains(text) {
            return None;
        }
        let Some(Token::Word { text: column, .. }) = tokens.get(i + 2) else {
            return None;
        };
        if is_symbol(tokens.get(i + 3), "(") {
            return None;
        }
        return Some((column.clone(), i + 3));
    }
    if is_symbol(tokens.get(i + 1), "(") {
        return None;
    }
    Some((text.clone(), i + 1))
}

/// The position after a value compared with a column: a parameter or literal, with an optional
/// `::type` cast.
fn value_end(tokens: &[Token], mut i: usize) -> Option<usize> {
    match tokens.get(i)? {
        Token::Parameter(_) | Token::Literal => i += 1,
        Token::Word {
            text,
            quoted: false,
        } if text == "true" || text == "false" => i += 1,
        _ => return None,
    }
    while is_symbol(tokens.get(i), "::") {
        let Some(Token::Word { .. }) = tokens.get(i + 1) else {
            return None;
        };
        i += 2;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_table_equality_statements_are_read() {
        let shape = parse_statement(
            "SELECT abalance FROM pgbench_accounts a WHERE a.bid = $1 AND filler IS NULL \
             ORDER BY aid DESC LIMIT $2",
        )
        .expect("a shape");
        assert_eq!(shape.table, "pgbench_accounts");
        assert_eq!(
            shape.filters,
            vec![("bid".to_owned(), false), ("filler".to_owned(), true)]
        );
        assert_eq!(shape.order_by, vec!["aid".to_owned()]);
        let shape = parse_statement(
            "UPDATE \"Post\" SET views = views + $1 WHERE \"authorId\" IN ($2, $3)",
        )
        .expect("a shape");
        assert_eq!(shape.table, "Post");
        assert_eq!(shape.filters, vec![("authorId".to_owned(), false)]);
        assert_eq!(parameter_count("SELECT $1, $12"), 12);
    }

    #[test]
    fn other_statements_are_left_alone() {
        for sql in [
            "SELECT * FROM a JOIN b ON a.id = b.a_id WHERE a.x = $1",
            "SELECT * FROM a, b WHERE a.x = $1",
            "SELECT * FROM a WHERE x = $1 OR y = $2",
            "SELECT * FROM a WHERE x > $1",
            "SELECT * FROM a WHERE lower(x) = $1",
            "SELECT * FROM a WHERE x IN (SELECT y FROM b)",
            "SELECT * FROM a WHERE x = $1; DROP TABLE a",
            "SELECT * FROM a WHERE x = $1 LIMIT $2; COMMIT",
            "INSERT INTO a VALUES ($1)",
            "SELECT 1",
        ] {
            assert_eq!(parse_statement(sql), None, "{sql}");
        }
    }

    #[test]
    fn the_top_plan_cost_is_read() {
        let plan = r#"[{"Plan": {"Node Type": "Seq Scan", "Startup Cost": 0.00, "Total Cost": 2890.00, "Plans": [{"Total Cost": 1.5}]}}]"#;
        assert_eq!(total_cost(plan), Some(2890.0));
    }
}
