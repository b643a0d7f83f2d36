//! Health facts for `drydock check`, read from PostgreSQL's catalogs and statistics views
//! (`queries/health_*.sql`), and the row checks answered in PostgreSQL's SQL.

use drydock_connector::{
    ConnectorError, HealthFacts, InvalidIndex, ReplicationSlot, RowCheck, RowCheckResult,
    RowCheckSql, SequenceUse, TableStatistics, TableWithoutKey, TextQuery, TransactionAge,
    UnvalidatedConstraint, is_bookkeeping_table,
};
use postgres::Client;
use postgres::types::Type;

use crate::connection::{query_error, quote_ident};

/// The catalog facts of the schemas `namespaces`.
pub(crate) fn facts(
    client: &mut Client,
    namespaces: &[String],
) -> Result<HealthFacts, ConnectorError> {
    let mut query = |sql: &str| {
        client
            .query_typed(sql, &[(&namespaces, Type::TEXT_ARRAY)])
            .map_err(|e| query_error(&e))
    };
    let unvalidated = query(include_str!("queries/health_unvalidated_constraints.sql"))?
        .iter()
        .map(|row| {
            let quoted: String = row.get(1);
            let name: String = row.get(2);
            UnvalidatedConstraint {
                table: row.get(0),
                fix: format!(
                    "ALTER TABLE {quoted} VALIDATE CONSTRAINT {};",
                    quote_ident(&name)
                ),
                name,
                kind: row.get(3),
            }
        })
        .collect();
    let invalid_indexes = query(include_str!("queries/health_invalid_indexes.sql"))?
        .iter()
        .map(|row| {
            let quoted: String = row.get(1);
            let definition: String = row.get(4);
            let unique: bool = row.get(3);
            let concurrent = definition
                .replacen(
                    "CREATE UNIQUE INDEX ",
                    "CREATE UNIQUE INDEX CONCURRENTLY ",
                    1,
                )
                .replacen("CREATE INDEX ", "CREATE INDEX CONCURRENTLY ", 1);
            InvalidIndex {
                table: row.get(0),
                name: row.get(2),
                unique,
                fix: format!("DROP INDEX CONCURRENTLY {quoted};\n{concurrent};"),
                definition,
            }
        })
        .collect();
    let sequences = query(include_str!("queries/health_sequences.sql"))?
        .iter()
        .map(|row| {
            let quoted: String = row.get(1);
            let table: Option<String> = row.get(3);
            let column: Option<String> = row.get(4);
            let fix = match (table, column) {
                (Some(table), Some(column)) => format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE bigint;\nALTER SEQUENCE \
                     {quoted} AS bigint;"
                ),
                _ => format!("ALTER SEQUENCE {quoted} AS bigint MAXVALUE 9223372036854775807;"),
            };
            SequenceUse {
                sequence: row.get(0),
                column: row.get(2),
                type_name: row.get(5),
                last_value: row.get(7),
                max_value: row.get(8),
                fix,
            }
        })
        .collect();
    let without_key = query(include_str!(
        "queries/health_tables_without_primary_key.sql"
    ))?
    .iter()
    .filter(|row| !is_bookkeeping_table(row.get(1)))
    .map(|row| TableWithoutKey {
        table: row.get(0),
        has_unique_index: row.get(2),
    })
    .collect();
    let ages = query(include_str!("queries/health_transaction_ages.sql"))?
        .iter()
        .filter(|row| !is_bookkeeping_table(row.get(2)))
        .map(|row| {
            let kind: String = row.get(0);
            let quoted: String = row.get(4);
            TransactionAge {
                fix: if kind == "database" {
                    "vacuumdb --freeze --jobs 2 (or VACUUM (FREEZE) in the database)".to_owned()
                } else {
                    format!("VACUUM (FREEZE, VERBOSE) {quoted};")
                },
                kind,
                name: row.get(1),
                age: row.get(3),
            }
        })
        .collect();
    let statistics = query(include_str!("queries/health_statistics.sql"))?
        .iter()
        .filter(|row| !is_bookkeeping_table(row.get(1)))
        .map(|row| {
            let quoted: String = row.get(2);
            TableStatistics {
                table: row.get(0),
                analyzed: row.get(3),
                has_rows: row.get(4),
                modified_since_analyze: row.get(5),
                estimated_rows: row.get(6),
                fix: format!("ANALYZE {quoted};"),
            }
        })
        .collect();
    let slots = client
        .query_typed(include_str!("queries/health_replication_slots.sql"), &[])
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| {
            let name: String = row.get(0);
            ReplicationSlot {
                fix: format!(
                    "SELECT pg_drop_replication_slot('{}');",
                    name.replace('\'', "''")
                ),
                name,
                active: row.get(1),
                kind: row.get(2),
                retained_bytes: row.get(3),
            }
        })
        .collect();
    Ok(HealthFacts {
        unvalidated_constraints: Some(unvalidated),
        invalid_indexes: Some(invalid_indexes),
        sequences: Some(sequences),
        tables_without_primary_key: Some(without_key),
        transaction_ages: Some(ages),
        statistics: Some(statistics),
        replication_slots: Some(slots),
        integrity_problems: None,
        foreign_key_violations: None,
        unenforced_columns: None,
        // PostgreSQL schedules nothing of its own (pg_cron is an extension with its own jobs).
        stopped_scheduled_jobs: None,
    })
}

/// The rows `check` asks about, counted with `query` (first column of each row as text).
/// PostgreSQL's columns hold their declared type only: no storage class to break.
pub(crate) fn check_rows(
    check: &RowCheck<'_>,
    query: &mut TextQuery<'_>,
) -> Result<RowCheckResult, ConnectorError> {
    check.answer_in(&RowCheckSql::standard(&quote_ident), query)
}
