//! Index facts for `drydock indexes`: indexes with their use, size and bloat estimate, foreign
//! keys, and indexes suggested from `pg_stat_statements`, tried as hypothetical indexes with
//! `hypopg` when the database has it. Reads only (a hypothetical index lives in this session's
//! memory and is reset before returning).

use std::collections::HashMap;

use drydock_connector::sql_scan::{TokenKind, tokens};
use drydock_connector::table_uses::{Test, table_uses};
use drydock_connector::{
    ConnectorError, ForeignKeyFact, IndexFact, IndexFacts, IndexFactsRequest, QueryStats,
    SuggestedIndex, is_bookkeeping_table, leading_index_exists,
};
use postgres::types::Type;
use postgres::{Client, SimpleQueryMessage};

use crate::connection::{query_error, quote_ident};
use crate::render::LEXICAL_RULES;

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
    let mut tables: HashMap<(String, String), Option<ColumnStats>> = HashMap::new();
    let mut found: Vec<SuggestedIndex> = Vec::new();
    for row in &statements {
        let query: String = row.get(0);
        for table_use in table_uses(&query, &LEXICAL_RULES) {
            let schema = table_use
                .schema
                .clone()
                .unwrap_or_else(|| default_schema.to_owned());
            if !schemas.contains(&schema) || is_bookkeeping_table(&table_use.table) {
                continue;
            }
            let key = (schema.clone(), table_use.table.clone());
            if !tables.contains_key(&key) {
                let stats = column_stats(client, &schema, &table_use.table)?;
                tables.insert(key.clone(), stats);
            }
            let Some(stats) = &tables[&key] else {
                continue;
            };
            let namespace = (schema != default_schema).then(|| schema.clone());
            for columns in table_use
                .index_candidates(stats.rows, |column, test| stats.selectivity(column, test))
            {
                if !columns.iter().all(|c| stats.has(c))
                    || leading_index_exists(
                        indexes,
                        namespace.as_deref(),
                        &table_use.table,
                        &columns,
                    )
                    || found.iter().any(|s| {
                        s.namespace == namespace
                            && s.table == table_use.table
                            && s.columns == columns
                    })
                {
                    continue;
                }
                let (cost_before, cost_after) = match &hypopg {
                    Some(hypopg_schema) => {
                        match try_hypothetical(
                            client,
                            hypopg_schema,
                            &schema,
                            &table_use.table,
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
                    namespace: namespace.clone(),
                    table: table_use.table.clone(),
                    columns,
                    query: query.clone(),
                    calls: u64::try_from(row.get::<_, i64>(1)).unwrap_or(0),
                    mean_ms: row.get(2),
                    cost_before,
                    cost_after,
                    evidence: None,
                });
            }
        }
    }
    Ok((
        QueryStats::Available {
            hypothetical_indexes: hypopg.is_some(),
        },
        found,
    ))
}

/// A table's rows and its columns with their statistics (`pg_stats`): the distinct values
/// (negative: a share of the rows) and the share of NULLs, when analyzed.
struct ColumnStats {
    rows: f64,
    columns: Vec<(String, Option<(f64, f64)>)>,
}

impl ColumnStats {
    fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|(name, _)| name == column)
    }

    /// The share of the rows one `test` of `column` selects; 1.0 when unknown.
    fn selectivity(&self, column: &str, test: Test) -> f64 {
        let Some((distinct, null_share)) = self
            .columns
            .iter()
            .find(|(name, _)| name == column)
            .and_then(|(_, stats)| *stats)
        else {
            return 1.0;
        };
        let distinct = if distinct < 0.0 {
            -distinct * self.rows
        } else {
            distinct
        };
        match test {
            Test::IsNull => null_share,
            Test::NotNull => 1.0 - null_share,
            Test::Equal if distinct > 0.0 => (1.0 - null_share) / distinct,
            Test::Equal | Test::Range => 1.0,
        }
    }
}

/// The statistics of a table or partitioned table; `None` when there is no such table.
fn column_stats(
    client: &mut Client,
    schema: &str,
    table: &str,
) -> Result<Option<ColumnStats>, ConnectorError> {
    let rows = client
        .query_typed(
            include_str!("queries/column_stats.sql"),
            &[(&schema, Type::TEXT), (&table, Type::TEXT)],
        )
        .map_err(|e| query_error(&e))?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(ColumnStats {
        rows: first.get::<_, f64>(0).max(0.0),
        columns: rows
            .iter()
            .map(|row| {
                let stats = row
                    .get::<_, Option<f64>>(2)
                    .zip(row.get::<_, Option<f64>>(3));
                (row.get(1), stats)
            })
            .collect(),
    }))
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
    let tokens = tokens(query, &LEXICAL_RULES);
    tokens
        .windows(2)
        .filter(|pair| {
            pair[0].kind == TokenKind::Punct
                && pair[0].text == "$"
                && pair[1].kind == TokenKind::Number
                && pair[0].range.end == pair[1].range.start
        })
        .filter_map(|pair| pair[1].text.parse().ok())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_plan_cost_is_read() {
        let plan = r#"[{"Plan": {"Node Type": "Seq Scan", "Startup Cost": 0.00, "Total Cost": 2890.00, "Plans": [{"Total Cost": 1.5}]}}]"#;
        assert_eq!(total_cost(plan), Some(2890.0));
    }

    #[test]
    fn parameters_are_counted_by_their_highest_number() {
        assert_eq!(parameter_count("SELECT $1, $12, '$40', $3"), 12);
        assert_eq!(parameter_count("SELECT 1"), 0);
    }
}
