//! Index facts for `drydock indexes` on MySQL and MariaDB: each index's keys from
//! `information_schema.STATISTICS`, its size from InnoDB's persistent statistics
//! (`mysql.innodb_index_stats`, when this user may read them), its reads from
//! `performance_schema` when the server runs it, and the foreign keys (each has an index: the
//! server creates one when none leads with its columns). With `performance_schema`, indexes are
//! suggested from its statement digests: single-table statements that examine many rows per
//! call without a usable index, keyed on the columns their `WHERE` compares (then `ORDER BY`).

use std::collections::HashMap;

use drydock_connector::sql_scan::{Token, TokenKind, tokens};
use drydock_connector::{
    ConnectorError, ForeignKeyFact, IndexFact, IndexFacts, IndexFactsRequest, QueryStats,
    SuggestedIndex, is_bookkeeping_table,
};
use mysql::Conn;

use crate::connection::{LEXICAL_RULES, quote_ident, text_rows};

/// Rows a statement examines per call, at least, for an index to be suggested for it.
const MANY_ROWS: u64 = 1000;

type Counts = HashMap<(String, String), u64>;

/// `(table, index) → number` from rows of `table, index, number`.
fn counts(rows: Vec<Vec<Option<String>>>) -> Counts {
    rows.into_iter()
        .filter_map(|row| match row.as_slice() {
            [Some(table), Some(index), Some(n)] => Some((
                (table.clone(), index.clone()),
                n.parse::<f64>().ok()? as u64,
            )),
            _ => None,
        })
        .collect()
}

pub(crate) fn index_facts(
    conn: &mut Conn,
    request: &IndexFactsRequest,
) -> Result<IndexFacts, ConnectorError> {
    // Not readable without privileges on the `mysql` database: sizes stay unknown.
    let sizes = text_rows(conn, include_str!("queries/index_sizes.sql"))
        .map(counts)
        .unwrap_or_default();
    let performance_schema = text_rows(conn, "SELECT @@performance_schema")?
        .first()
        .and_then(|row| row.first().cloned().flatten())
        .is_some_and(|on| on == "1");
    let (usage, stats_since) = if performance_schema {
        let usage = counts(text_rows(conn, include_str!("queries/index_usage.sql"))?);
        let since = text_rows(
            conn,
            "SELECT DATE_FORMAT(NOW() - INTERVAL VARIABLE_VALUE SECOND, '%Y-%m-%d %H:%i:%s') \
             FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Uptime'",
        )?
        .first()
        .and_then(|row| row.first().cloned().flatten());
        (Some(usage), since)
    } else {
        (None, None)
    };
    let mut indexes: Vec<IndexFact> = Vec::new();
    for row in text_rows(conn, include_str!("queries/index_columns.sql"))? {
        let field = |i: usize| row.get(i).cloned().flatten();
        let (Some(table), Some(name)) = (field(0), field(1)) else {
            continue;
        };
        if is_bookkeeping_table(&table) {
            continue;
        }
        let column = field(2);
        // Full-text and spatial keys have no order.
        let order = match field(4).as_deref() {
            Some("A") => " ASC",
            Some("D") => " DESC",
            _ => "",
        };
        let key = format!(
            "{}{}{order}",
            column.as_deref().unwrap_or("(expression)"),
            field(3).map(|n| format!("({n})")).unwrap_or_default(),
        );
        let column = column.unwrap_or_else(|| "(expression)".to_owned());
        match indexes.last_mut() {
            Some(index) if index.table == table && index.name == name => {
                index.has_expressions |= column == "(expression)";
                index.columns.push(column);
                index.keys.push(key);
            }
            _ => {
                let primary = name == "PRIMARY";
                let unique = field(5).as_deref() == Some("1");
                let id = (table.clone(), name.clone());
                indexes.push(IndexFact {
                    namespace: None,
                    method: field(6).unwrap_or_default().to_ascii_lowercase(),
                    has_expressions: column == "(expression)",
                    columns: vec![column],
                    keys: vec![key],
                    predicate: None,
                    primary,
                    unique,
                    constraint: unique.then(|| name.clone()),
                    valid: true,
                    scans: usage
                        .as_ref()
                        .map(|usage| usage.get(&id).copied().unwrap_or(0)),
                    size_bytes: sizes.get(&id).copied(),
                    bloat_bytes: None,
                    definition: String::new(),
                    table,
                    name,
                });
            }
        }
    }
    for index in &mut indexes {
        index.definition = definition(index);
    }
    let mut foreign_keys: Vec<ForeignKeyFact> = Vec::new();
    for row in text_rows(conn, include_str!("queries/health_foreign_keys.sql"))? {
        let field = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let (name, table) = (field(0), field(1));
        if is_bookkeeping_table(&table) {
            continue;
        }
        match foreign_keys.last_mut() {
            Some(key) if key.table == table && key.name == name => key.columns.push(field(2)),
            _ => foreign_keys.push(ForeignKeyFact {
                namespace: None,
                table,
                name,
                columns: vec![field(2)],
                referenced_table: field(3),
            }),
        }
    }
    let (query_stats, suggestions) = if performance_schema {
        (
            QueryStats::Available {
                hypothetical_indexes: false,
            },
            suggestions(conn, &indexes, request)?,
        )
    } else {
        (
            QueryStats::Unavailable {
                reason: "performance_schema is off on this server: index reads and statements \
                         are not counted (start the server with performance_schema=ON)"
                    .to_owned(),
            },
            Vec::new(),
        )
    };
    Ok(IndexFacts {
        indexes,
        foreign_keys,
        stats_since,
        query_stats,
        suggestions,
    })
}

/// Indexes for the statements of the digests that examined at least [`MANY_ROWS`] rows per
/// call without a usable index and pass the request's thresholds.
fn suggestions(
    conn: &mut Conn,
    indexes: &[IndexFact],
    request: &IndexFactsRequest,
) -> Result<Vec<SuggestedIndex>, ConnectorError> {
    let sql = include_str!("queries/index_digests.sql")
        .replace("{calls}", &request.slow_query_calls.to_string())
        .replace("{ms}", &format!("{:.6}", request.slow_query_ms.max(0.0)))
        .replace("{rows}", &MANY_ROWS.to_string());
    let columns_of = |conn: &mut Conn, table: &str| -> Result<Vec<String>, ConnectorError> {
        Ok(text_rows(
            conn,
            &format!(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = \
                 DATABASE() AND TABLE_NAME = '{}'",
                table.replace('\\', "\\\\").replace('\'', "''")
            ),
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect())
    };
    let mut found: Vec<SuggestedIndex> = Vec::new();
    for row in text_rows(conn, &sql)? {
        let field = |i: usize| row.get(i).cloned().flatten();
        let Some(query) = field(0) else {
            continue;
        };
        let Some(shape) = parse_statement(&query) else {
            continue;
        };
        if is_bookkeeping_table(&shape.table) {
            continue;
        }
        // Only a table of the database, and columns it has: a digest's names are as written.
        let known = columns_of(conn, &shape.table)?;
        let mut columns: Vec<String> = Vec::new();
        for column in shape.filters.iter().chain(&shape.order_by) {
            let Some(known) = known.iter().find(|k| k.eq_ignore_ascii_case(column)) else {
                columns.clear();
                break;
            };
            if !columns.contains(known) {
                columns.push(known.clone());
            }
        }
        if columns.is_empty()
            || covered(indexes, &shape.table, &columns)
            || found
                .iter()
                .any(|s| s.table == shape.table && s.columns == columns)
        {
            continue;
        }
        let number = |i: usize| field(i).and_then(|n| n.parse::<f64>().ok()).unwrap_or(0.0);
        found.push(SuggestedIndex {
            namespace: None,
            table: shape.table,
            columns,
            query,
            calls: number(1) as u64,
            mean_ms: number(2),
            cost_before: None,
            cost_after: None,
            evidence: Some(format!(
                "{:.0} rows examined per call without an index",
                number(3)
            )),
        });
    }
    Ok(found)
}

/// Whether a B-tree index of `table` starts with `columns` (in any order).
fn covered(indexes: &[IndexFact], table: &str, columns: &[String]) -> bool {
    indexes.iter().any(|index| {
        index.method == "btree"
            && index.table == table
            && index.columns.len() >= columns.len()
            && columns
                .iter()
                .all(|c| index.columns[..columns.len()].contains(c))
    })
}

/// A single-table statement: its table, the columns its `WHERE` compares, its sort columns.
#[derive(Debug, PartialEq)]
struct StatementShape {
    table: String,
    filters: Vec<String>,
    order_by: Vec<String>,
}

fn is_punct(token: Option<&Token>, text: &str) -> bool {
    token.is_some_and(|t| t.kind == TokenKind::Punct && t.text == text)
}

fn is_keyword(token: Option<&Token>, word: &str) -> bool {
    token.is_some_and(|t| t.is_keyword(word))
}

/// A name at `i` (quoted, or a word that is no keyword of the clauses), and the position after.
fn name_at(tokens: &[Token], i: usize) -> Option<(String, usize)> {
    let token = tokens.get(i)?;
    match token.kind {
        TokenKind::QuotedIdentifier => Some((token.text.clone(), i + 1)),
        TokenKind::Word
            if ![
                "WHERE", "ORDER", "GROUP", "LIMIT", "SET", "AND", "OR", "NOT", "SELECT", "FOR",
                "HAVING", "UNION", "JOIN", "ON", "NULL",
            ]
            .iter()
            .any(|k| token.is_keyword(k)) =>
        {
            Some((token.text.clone(), i + 1))
        }
        _ => None,
    }
}

/// A column (`column`, `table.column`, `alias.column`) at `i`, and the position after it.
fn column_at(tokens: &[Token], i: usize, names: &[String]) -> Option<(String, usize)> {
    let (first, next) = name_at(tokens, i)?;
    if is_punct(tokens.get(next), ".") {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&first)) {
            return None;
        }
        let (column, next) = name_at(tokens, next + 1)?;
        return (!is_punct(tokens.get(next), "(")).then_some((column, next));
    }
    (!is_punct(tokens.get(next), "(")).then_some((first, next))
}

/// The position after the parenthesized group opening at `i`; `None` when it holds a `SELECT`.
fn group_end(tokens: &[Token], mut i: usize) -> Option<usize> {
    let mut depth = 0i32;
    loop {
        let token = tokens.get(i)?;
        if is_punct(Some(token), "(") {
            depth += 1;
        } else if is_punct(Some(token), ")") {
            depth -= 1;
        } else if token.is_keyword("SELECT") {
            return None;
        }
        i += 1;
        if depth == 0 {
            return Some(i);
        }
    }
}

/// The shape of a digest's single-table `SELECT`, `UPDATE` or `DELETE` whose `WHERE` only ANDs
/// `=`, `IN (...)` and `IS [NOT] NULL` tests of columns against values (`?`, literals); `None`
/// for any other statement.
fn parse_statement(sql: &str) -> Option<StatementShape> {
    let tokens = tokens(sql, &LEXICAL_RULES);
    let first = tokens.first()?;
    let mut i = if first.is_keyword("SELECT") {
        let from = tokens.iter().position(|t| t.is_keyword("FROM"))?;
        if tokens[1..from].iter().any(|t| t.is_keyword("SELECT")) {
            return None;
        }
        from + 1
    } else if first.is_keyword("UPDATE") {
        1
    } else if first.is_keyword("DELETE") && is_keyword(tokens.get(1), "FROM") {
        2
    } else {
        return None;
    };
    let (mut table, mut next) = name_at(&tokens, i)?;
    if is_punct(tokens.get(next), ".") {
        // `database`.`table`: the digests read are this database's already.
        (table, next) = name_at(&tokens, next + 1)?;
    }
    i = next;
    let mut names = vec![table.clone()];
    if is_keyword(tokens.get(i), "AS") {
        i += 1;
    }
    if let Some((alias, next)) = name_at(&tokens, i) {
        names.push(alias);
        i = next;
    }
    let mut shape = StatementShape {
        table,
        filters: Vec::new(),
        order_by: Vec::new(),
    };
    if is_keyword(tokens.get(i), "SET") {
        while i < tokens.len() && !is_keyword(tokens.get(i), "WHERE") {
            if tokens[i].is_keyword("SELECT") {
                return None;
            }
            i += 1;
        }
    }
    if is_keyword(tokens.get(i), "WHERE") {
        i += 1;
        loop {
            let (column, next) = column_at(&tokens, i, &names)?;
            i = next;
            if is_punct(tokens.get(i), "=") {
                let value = tokens.get(i + 1)?;
                let is_value = matches!(value.kind, TokenKind::Literal | TokenKind::Number)
                    || is_punct(Some(value), "?");
                if !is_value {
                    return None;
                }
                i += 2;
            } else if is_keyword(tokens.get(i), "IN") && is_punct(tokens.get(i + 1), "(") {
                i = group_end(&tokens, i + 1)?;
            } else if is_keyword(tokens.get(i), "IS") {
                i += 1;
                if is_keyword(tokens.get(i), "NOT") {
                    i += 1;
                }
                if !is_keyword(tokens.get(i), "NULL") {
                    return None;
                }
                i += 1;
            } else {
                return None;
            }
            shape.filters.push(column);
            if is_keyword(tokens.get(i), "AND") {
                i += 1;
                continue;
            }
            break;
        }
    }
    if is_keyword(tokens.get(i), "ORDER") && is_keyword(tokens.get(i + 1), "BY") {
        i += 2;
        loop {
            let (column, next) = column_at(&tokens, i, &names)?;
            i = next;
            if is_keyword(tokens.get(i), "ASC") || is_keyword(tokens.get(i), "DESC") {
                i += 1;
            }
            shape.order_by.push(column);
            if is_punct(tokens.get(i), ",") {
                i += 1;
                continue;
            }
            break;
        }
    }
    match tokens.get(i) {
        None => {}
        Some(t) if t.is_keyword("LIMIT") || t.is_keyword("FOR") => {}
        Some(_) => return None,
    }
    (!shape.filters.is_empty() || !shape.order_by.is_empty()).then_some(shape)
}

/// The statement that creates `index`.
fn definition(index: &IndexFact) -> String {
    let keys: Vec<String> = index
        .keys
        .iter()
        .zip(&index.columns)
        .map(|(key, column)| {
            let rest = key.strip_prefix(column.as_str()).unwrap_or(key);
            format!("{}{rest}", quote_ident(column))
        })
        .collect();
    let table = quote_ident(&index.table);
    if index.primary {
        return format!("ALTER TABLE {table} ADD PRIMARY KEY ({})", keys.join(", "));
    }
    let kind = match index.method.as_str() {
        "fulltext" => "FULLTEXT ",
        "spatial" => "SPATIAL ",
        _ if index.unique => "UNIQUE ",
        _ => "",
    };
    format!(
        "CREATE {kind}INDEX {} ON {table} ({})",
        quote_ident(&index.name),
        keys.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(table: &str, filters: &[&str], order_by: &[&str]) -> Option<StatementShape> {
        Some(StatementShape {
            table: table.to_owned(),
            filters: filters.iter().map(|c| (*c).to_owned()).collect(),
            order_by: order_by.iter().map(|c| (*c).to_owned()).collect(),
        })
    }

    #[test]
    fn digests_of_single_table_statements_are_read() {
        assert_eq!(
            parse_statement("SELECT COUNT ( * ) FROM `a` WHERE `city` = ? "),
            shape("a", &["city"], &[])
        );
        assert_eq!(
            parse_statement(
                "SELECT * FROM `db` . `Member` `m` WHERE `m` . `city` = ? AND `score` IN (...) \
                 AND `email` IS NOT NULL ORDER BY `m` . `id` DESC LIMIT ?"
            ),
            shape("Member", &["city", "score", "email"], &["id"])
        );
        assert_eq!(
            parse_statement("UPDATE `a` SET `n` = `n` + ? WHERE `city` = ?"),
            shape("a", &["city"], &[])
        );
        assert_eq!(
            parse_statement("DELETE FROM `a` WHERE `city` = ?"),
            shape("a", &["city"], &[])
        );
    }

    #[test]
    fn other_statements_are_left_alone() {
        for sql in [
            "SELECT * FROM `a` JOIN `b` ON `a` . `id` = `b` . `aId` WHERE `a` . `n` = ?",
            "SELECT * FROM `a` WHERE `n` > ?",
            "SELECT * FROM `a` WHERE `n` = ? OR `m` = ?",
            "SELECT * FROM `a` WHERE `n` IN ( SELECT `id` FROM `b` )",
            "SELECT ( SELECT ? ) FROM `a` WHERE `n` = ?",
            "SELECT * FROM `a`",
            "INSERT INTO `a` VALUES (?)",
            "SELECT * FROM `a` WHERE LOWER ( `n` ) = ?",
        ] {
            assert_eq!(parse_statement(sql), None, "{sql}");
        }
    }
}
