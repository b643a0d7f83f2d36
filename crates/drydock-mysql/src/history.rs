//! The `_prisma_migrations` table on MySQL and MariaDB, with the DDL of Prisma's MySQL
//! connector. Timestamps are `DATETIME(3)`, which holds no time zone: they are written and
//! read as UTC, as Prisma writes them.

use chrono::{DateTime, NaiveDateTime, Utc};
use drydock_connector::{ConnectorError, HISTORY_TABLE, HistoryRow};
use mysql::Conn;
use mysql::prelude::Queryable;

use crate::connection::{query_error, text_rows};

/// Prisma's DDL, byte for byte.
const CREATE_TABLE: &str = "CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
";

/// How `DATETIME(3)` values are written and read.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f";

pub(crate) fn table_exists(conn: &mut Conn) -> Result<bool, ConnectorError> {
    let found: Option<i64> = conn
        .exec_first(
            "SELECT 1 FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            (HISTORY_TABLE,),
        )
        .map_err(|e| query_error(&e))?;
    Ok(found.is_some())
}

pub(crate) fn has_user_tables(conn: &mut Conn) -> Result<bool, ConnectorError> {
    let found: Option<i64> = conn
        .exec_first(
            "SELECT 1 FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> ? AND TABLE_TYPE = 'BASE TABLE' \
             LIMIT 1",
            (HISTORY_TABLE,),
        )
        .map_err(|e| query_error(&e))?;
    Ok(found.is_some())
}

pub(crate) fn create_table(conn: &mut Conn) -> Result<(), ConnectorError> {
    if table_exists(conn)? {
        return Ok(());
    }
    conn.query_drop(CREATE_TABLE).map_err(|e| query_error(&e))
}

pub(crate) fn read(conn: &mut Conn) -> Result<Vec<HistoryRow>, ConnectorError> {
    let rows = text_rows(
        conn,
        "SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, \
         applied_steps_count FROM _prisma_migrations ORDER BY started_at, migration_name",
    )
    .map_err(|e| ConnectorError::history_of_another_shape(HISTORY_TABLE, e))?;
    rows.iter()
        .map(|row| history_row(row))
        .collect::<Result<_, _>>()
        .map_err(|e| ConnectorError::history_of_another_shape(HISTORY_TABLE, e))
}

fn history_row(row: &[Option<String>]) -> Result<HistoryRow, ConnectorError> {
    let text = |i: usize| row.get(i).cloned().flatten();
    let required = |i: usize, what: &str| {
        text(i).ok_or_else(|| ConnectorError::query(format!("`{what}` is NULL")))
    };
    let time = |i: usize| text(i).as_deref().map(parse_timestamp).transpose();
    Ok(HistoryRow {
        id: required(0, "id")?,
        checksum: required(1, "checksum")?,
        finished_at: time(2)?,
        migration_name: required(3, "migration_name")?,
        logs: text(4),
        rolled_back_at: time(5)?,
        started_at: parse_timestamp(&required(6, "started_at")?)?,
        applied_steps_count: required(7, "applied_steps_count")?.parse().map_err(|_| {
            ConnectorError::query("`applied_steps_count` is not an unsigned integer")
        })?,
    })
}

pub(crate) fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, ConnectorError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .map(|naive| naive.and_utc())
        .map_err(|_| ConnectorError::query(format!("`{text}` is not a DATETIME")))
}

fn timestamp(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.format(TIMESTAMP_FORMAT).to_string())
}

pub(crate) fn insert(conn: &mut Conn, row: &HistoryRow) -> Result<(), ConnectorError> {
    conn.exec_drop(
        "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, \
         rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            &row.id,
            &row.checksum,
            timestamp(row.finished_at),
            &row.migration_name,
            &row.logs,
            timestamp(row.rolled_back_at),
            timestamp(Some(row.started_at)),
            row.applied_steps_count,
        ),
    )
    .map_err(|e| query_error(&e))
}

pub(crate) fn update(conn: &mut Conn, row: &HistoryRow) -> Result<(), ConnectorError> {
    conn.exec_drop(
        "UPDATE _prisma_migrations SET checksum = ?, finished_at = ?, logs = ?, \
         rolled_back_at = ?, applied_steps_count = ? WHERE id = ?",
        (
            &row.checksum,
            timestamp(row.finished_at),
            &row.logs,
            timestamp(row.rolled_back_at),
            row.applied_steps_count,
            &row.id,
        ),
    )
    .map_err(|e| query_error(&e))?;
    // Changed rows, not matched ones: `CLIENT_FOUND_ROWS` is off, so an update that writes
    // the values already there counts 0. Only then is the row looked for, sparing the round
    // trip on every count a deploy writes.
    if conn.affected_rows() > 0 {
        return Ok(());
    }
    let exists: Option<i64> = conn
        .exec_first("SELECT 1 FROM _prisma_migrations WHERE id = ?", (&row.id,))
        .map_err(|e| query_error(&e))?;
    if exists.is_none() {
        return Err(ConnectorError::query(format!(
            "no row with id `{}` in `{HISTORY_TABLE}`",
            row.id
        )));
    }
    Ok(())
}
