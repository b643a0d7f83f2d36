//! The `_prisma_migrations` table on PostgreSQL, with Prisma's exact DDL so that Prisma and
//! drydock can read each other's history. It lives in the managed schema (`?schema=`).

use chrono::{DateTime, Utc};
use drydock_connector::{ConnectorError, HISTORY_TABLE, HistoryRow};
use postgres::types::Type;
use postgres::{Client, GenericClient, Row};

use crate::connection::{query_error, quote_ident};

/// Prisma's DDL, column for column; `{table}` is the schema-qualified table name.
const CREATE_TABLE: &str = "CREATE TABLE {table} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
";

fn table(schema: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(HISTORY_TABLE))
}

pub(crate) fn table_exists(client: &mut Client, schema: &str) -> Result<bool, ConnectorError> {
    let row = client
        .query_typed_opt(
            include_str!("queries/history_table_exists.sql"),
            &[(&schema, Type::NAME), (&HISTORY_TABLE, Type::NAME)],
        )
        .map_err(|e| query_error(&e))?;
    Ok(row.is_some())
}

pub(crate) fn has_user_tables(client: &mut Client, schema: &str) -> Result<bool, ConnectorError> {
    let row = client
        .query_typed_opt(
            include_str!("queries/has_user_tables.sql"),
            &[(&schema, Type::NAME), (&HISTORY_TABLE, Type::NAME)],
        )
        .map_err(|e| query_error(&e))?;
    Ok(row.is_some())
}

pub(crate) fn create_table(client: &mut Client, schema: &str) -> Result<(), ConnectorError> {
    if table_exists(client, schema)? {
        return Ok(());
    }
    client
        .batch_execute(&CREATE_TABLE.replace("{table}", &table(schema)))
        .map_err(|e| query_error(&e))
}

pub(crate) fn read(client: &mut Client, schema: &str) -> Result<Vec<HistoryRow>, ConnectorError> {
    let sql = format!(
        "SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, \
         applied_steps_count FROM {} ORDER BY started_at, migration_name",
        table(schema)
    );
    let shown = format!("{schema}.{HISTORY_TABLE}");
    let rows = client.query_typed(&sql, &[]).map_err(|e| {
        let error = query_error(&e);
        // An undefined column or a column of another type: the table is not Prisma's.
        match e.code().map(|c| c.code()) {
            Some("42703" | "42804" | "42883") => {
                ConnectorError::history_of_another_shape(&shown, error)
            }
            _ => error,
        }
    })?;
    rows.iter()
        .map(history_row)
        .collect::<Result<_, _>>()
        .map_err(|e| ConnectorError::history_of_another_shape(&shown, e))
}

fn history_row(row: &Row) -> Result<HistoryRow, ConnectorError> {
    let column_error = |e: postgres::Error| ConnectorError::query(e.to_string());
    let applied_steps_count: i32 = row.try_get("applied_steps_count").map_err(column_error)?;
    Ok(HistoryRow {
        id: row.try_get("id").map_err(column_error)?,
        checksum: row.try_get("checksum").map_err(column_error)?,
        finished_at: row
            .try_get::<_, Option<DateTime<Utc>>>("finished_at")
            .map_err(column_error)?,
        migration_name: row.try_get("migration_name").map_err(column_error)?,
        logs: row.try_get("logs").map_err(column_error)?,
        rolled_back_at: row
            .try_get::<_, Option<DateTime<Utc>>>("rolled_back_at")
            .map_err(column_error)?,
        started_at: row.try_get("started_at").map_err(column_error)?,
        applied_steps_count: u32::try_from(applied_steps_count).unwrap_or(0),
    })
}

fn steps(row: &HistoryRow) -> i32 {
    i32::try_from(row.applied_steps_count).unwrap_or(i32::MAX)
}

/// Insert `row` as given; works on a client or inside a transaction. An unnamed statement
/// (parse, bind and execute in one message): a named one would outlive the transaction on a
/// server session a pooler shares with other clients.
pub(crate) fn insert(
    client: &mut impl GenericClient,
    schema: &str,
    row: &HistoryRow,
) -> Result<(), ConnectorError> {
    let steps = steps(row);
    client
        .query_typed(
            &insert_sql(schema),
            &[
                (&row.id, Type::TEXT),
                (&row.checksum, Type::TEXT),
                (&row.finished_at, Type::TIMESTAMPTZ),
                (&row.migration_name, Type::TEXT),
                (&row.logs, Type::TEXT),
                (&row.rolled_back_at, Type::TIMESTAMPTZ),
                (&row.started_at, Type::TIMESTAMPTZ),
                (&steps, Type::INT4),
            ],
        )
        .map_err(|e| query_error(&e))?;
    Ok(())
}

fn insert_sql(schema: &str) -> String {
    format!(
        "INSERT INTO {} (id, checksum, finished_at, migration_name, logs, rolled_back_at, \
         started_at, applied_steps_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        table(schema)
    )
}

pub(crate) fn update(
    client: &mut impl GenericClient,
    schema: &str,
    row: &HistoryRow,
) -> Result<(), ConnectorError> {
    let sql = format!(
        "UPDATE {} SET finished_at = $2, logs = $3, rolled_back_at = $4, \
         applied_steps_count = $5, checksum = $6 WHERE id = $1 RETURNING id",
        table(schema)
    );
    let steps = steps(row);
    let updated = client
        .query_typed(
            &sql,
            &[
                (&row.id, Type::TEXT),
                (&row.finished_at, Type::TIMESTAMPTZ),
                (&row.logs, Type::TEXT),
                (&row.rolled_back_at, Type::TIMESTAMPTZ),
                (&steps, Type::INT4),
                (&row.checksum, Type::TEXT),
            ],
        )
        .map_err(|e| query_error(&e))?;
    if updated.is_empty() {
        return Err(ConnectorError::query(format!(
            "no row with id `{}` in `{HISTORY_TABLE}`",
            row.id
        )));
    }
    Ok(())
}
