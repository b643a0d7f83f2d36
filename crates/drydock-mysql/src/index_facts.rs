//! Index facts for `drydock indexes` on MySQL and MariaDB: each index's keys from
//! `information_schema.STATISTICS`, its size from InnoDB's persistent statistics
//! (`mysql.innodb_index_stats`, when this user may read them), its reads from
//! `performance_schema` when the server runs it, and the foreign keys (each has an index: the
//! server creates one when none leads with its columns). With `performance_schema`, indexes are
//! suggested from its statement digests: statements that examine many rows per call without a
//! usable index, keyed on the columns they compare (`drydock_connector::table_uses`).

use std::collections::HashMap;

use drydock_connector::table_uses::table_uses;
use drydock_connector::{
    ConnectorError, ForeignKeyFact, IndexFact, IndexFacts, IndexFactsRequest, QueryStats,
    SuggestedIndex, is_bookkeeping_table, leading_index_exists,
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
/// call without a usable index and pass the request's thresholds: for each table a statement
/// reads, the columns it compares with values (then a range or its sort columns), and those it
/// joins on. The server keeps no column statistics to order them by, so they stay as written.
fn suggestions(
    conn: &mut Conn,
    indexes: &[IndexFact],
    request: &IndexFactsRequest,
) -> Result<Vec<SuggestedIndex>, ConnectorError> {
    let sql = include_str!("queries/index_digests.sql")
        .replace("{calls}", &request.slow_query_calls.to_string())
        .replace("{ms}", &format!("{:.6}", request.slow_query_ms.max(0.0)))
        .replace("{rows}", &MANY_ROWS.to_string());
    let mut columns_of: HashMap<String, Vec<String>> = HashMap::new();
    let mut found: Vec<SuggestedIndex> = Vec::new();
    for row in text_rows(conn, &sql)? {
        let field = |i: usize| row.get(i).cloned().flatten();
        let Some(query) = field(0) else {
            continue;
        };
        let number = |i: usize| field(i).and_then(|n| n.parse::<f64>().ok()).unwrap_or(0.0);
        for table_use in table_uses(&query, &LEXICAL_RULES) {
            if is_bookkeeping_table(&table_use.table) {
                continue;
            }
            if !columns_of.contains_key(&table_use.table) {
                let known = table_columns(conn, &table_use.table)?;
                columns_of.insert(table_use.table.clone(), known);
            }
            let known = &columns_of[&table_use.table];
            for candidate in table_use.index_candidates(f64::INFINITY, |_, _| 1.0) {
                // Only columns the table has, as the catalog spells them: a digest's names are
                // as written.
                let Some(columns) = candidate
                    .iter()
                    .map(|column| {
                        known
                            .iter()
                            .find(|k| k.eq_ignore_ascii_case(column))
                            .cloned()
                    })
                    .collect::<Option<Vec<String>>>()
                else {
                    continue;
                };
                if leading_index_exists(indexes, None, &table_use.table, &columns)
                    || found
                        .iter()
                        .any(|s| s.table == table_use.table && s.columns == columns)
                {
                    continue;
                }
                found.push(SuggestedIndex {
                    namespace: None,
                    table: table_use.table.clone(),
                    columns,
                    query: query.clone(),
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
        }
    }
    Ok(found)
}

/// The columns of `table` in this database; none when it has no such table.
fn table_columns(conn: &mut Conn, table: &str) -> Result<Vec<String>, ConnectorError> {
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
