//! The `_prisma_migrations` table on SQLite, with Prisma's exact DDL. Timestamps are stored the
//! way Prisma stores them (integer milliseconds since the Unix epoch); reading also accepts
//! SQLite's text forms (`CURRENT_TIMESTAMP`'s `YYYY-MM-DD HH:MM:SS`, RFC 3339), so rows written
//! by either tool read back the same.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use drydock_connector::{ConnectorError, HISTORY_TABLE, HistoryRow};
use rusqlite::types::ValueRef;
use rusqlite::{Row, params};

use crate::connection::query_error;

/// Prisma's DDL, byte for byte.
const CREATE_TABLE: &str = r#"CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);
"#;

pub(crate) fn table_exists(conn: &rusqlite::Connection) -> Result<bool, ConnectorError> {
    conn.query_row(
        include_str!("queries/history_table_exists.sql"),
        [HISTORY_TABLE],
        |row| row.get(0),
    )
    .map_err(query_error)
}

pub(crate) fn has_user_tables(conn: &rusqlite::Connection) -> Result<bool, ConnectorError> {
    conn.query_row(
        include_str!("queries/has_user_tables.sql"),
        [HISTORY_TABLE],
        |row| row.get(0),
    )
    .map_err(query_error)
}

pub(crate) fn create_table(conn: &rusqlite::Connection) -> Result<(), ConnectorError> {
    if table_exists(conn)? {
        return Ok(());
    }
    conn.execute_batch(CREATE_TABLE).map_err(query_error)
}

pub(crate) fn read(conn: &rusqlite::Connection) -> Result<Vec<HistoryRow>, ConnectorError> {
    let mut statement = conn
        .prepare(
            "SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, \
             applied_steps_count FROM \"_prisma_migrations\"",
        )
        .map_err(|e| {
            // A table that exists but lacks a column: it is not Prisma's.
            let missing_column = e.to_string().starts_with("no such column");
            let error = query_error(e);
            if missing_column {
                ConnectorError::history_of_another_shape(HISTORY_TABLE, error)
            } else {
                error
            }
        })?;
    let mut rows = statement.query([]).map_err(query_error)?;
    let mut history = Vec::new();
    while let Some(row) = rows.next().map_err(query_error)? {
        history.push(
            history_row(row)
                .map_err(|e| ConnectorError::history_of_another_shape(HISTORY_TABLE, e))?,
        );
    }
    // Sorted here: the stored forms of timestamps (integers, text) do not sort together.
    history
        .sort_by(|a, b| (a.started_at, &a.migration_name).cmp(&(b.started_at, &b.migration_name)));
    Ok(history)
}

fn history_row(row: &Row<'_>) -> Result<HistoryRow, ConnectorError> {
    let get_ref = |i: usize| row.get_ref(i).map_err(query_error);
    let migration_name: String = row.get(3).map_err(query_error)?;
    let steps: i64 = row.get(7).map_err(query_error)?;
    let started_at = timestamp(get_ref(6)?)?.ok_or_else(|| {
        ConnectorError::query(format!(
            "`started_at` is empty in the `{HISTORY_TABLE}` row of `{migration_name}`"
        ))
    })?;
    Ok(HistoryRow {
        id: row.get(0).map_err(query_error)?,
        checksum: row.get(1).map_err(query_error)?,
        finished_at: timestamp(get_ref(2)?)?,
        migration_name,
        logs: row.get(4).map_err(query_error)?,
        rolled_back_at: timestamp(get_ref(5)?)?,
        started_at,
        applied_steps_count: u32::try_from(steps).unwrap_or(0),
    })
}

/// A timestamp in any form Prisma or SQLite stores: integer or real milliseconds since the
/// epoch, `YYYY-MM-DD HH:MM:SS[.fff]`, or RFC 3339.
fn timestamp(value: ValueRef<'_>) -> Result<Option<DateTime<Utc>>, ConnectorError> {
    let invalid = |shown: String| {
        ConnectorError::query(format!(
            "unexpected timestamp `{shown}` in `{HISTORY_TABLE}`"
        ))
    };
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(ms) => Utc
            .timestamp_millis_opt(ms)
            .single()
            .map(Some)
            .ok_or_else(|| invalid(ms.to_string())),
        ValueRef::Real(ms) => {
            // Whole milliseconds; the fraction below a millisecond is not kept by either tool.
            let whole = ms.round();
            if !whole.is_finite() || whole.abs() > 9.0e15 {
                return Err(invalid(ms.to_string()));
            }
            let millis = format!("{whole:.0}")
                .parse::<i64>()
                .map_err(|_| invalid(ms.to_string()))?;
            Utc.timestamp_millis_opt(millis)
                .single()
                .map(Some)
                .ok_or_else(|| invalid(ms.to_string()))
        }
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            parse_text_timestamp(&text)
                .map(Some)
                .ok_or_else(|| invalid(text.into_owned()))
        }
        ValueRef::Blob(_) => Err(invalid("<blob>".to_owned())),
    }
}

fn parse_text_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn millis(time: &Option<DateTime<Utc>>) -> Option<i64> {
    time.map(|t| t.timestamp_millis())
}

pub(crate) fn insert(conn: &rusqlite::Connection, row: &HistoryRow) -> Result<(), ConnectorError> {
    conn.execute(
        "INSERT INTO \"_prisma_migrations\" (id, checksum, finished_at, migration_name, logs, \
         rolled_back_at, started_at, applied_steps_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.id,
            row.checksum,
            millis(&row.finished_at),
            row.migration_name,
            row.logs,
            millis(&row.rolled_back_at),
            row.started_at.timestamp_millis(),
            row.applied_steps_count,
        ],
    )
    .map_err(query_error)?;
    Ok(())
}

pub(crate) fn update(conn: &rusqlite::Connection, row: &HistoryRow) -> Result<(), ConnectorError> {
    let updated = conn
        .execute(
            "UPDATE \"_prisma_migrations\" SET finished_at = ?2, logs = ?3, rolled_back_at = ?4, \
             applied_steps_count = ?5, checksum = ?6 WHERE id = ?1",
            params![
                row.id,
                millis(&row.finished_at),
                row.logs,
                millis(&row.rolled_back_at),
                row.applied_steps_count,
                row.checksum,
            ],
        )
        .map_err(query_error)?;
    if updated == 0 {
        return Err(ConnectorError::query(format!(
            "no row with id `{}` in `{HISTORY_TABLE}`",
            row.id
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_stored_timestamp_form() {
        let expected = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
        let ms = expected.timestamp_millis();
        assert_eq!(timestamp(ValueRef::Integer(ms)).unwrap(), Some(expected));
        assert_eq!(
            timestamp(ValueRef::Real(ms as f64)).unwrap(),
            Some(expected)
        );
        for text in [
            "2024-05-06 07:08:09",
            "2024-05-06T07:08:09",
            "2024-05-06T07:08:09Z",
            "2024-05-06T09:08:09+02:00",
        ] {
            assert_eq!(
                timestamp(ValueRef::Text(text.as_bytes())).unwrap(),
                Some(expected),
                "{text}"
            );
        }
        assert_eq!(timestamp(ValueRef::Null).unwrap(), None);
        assert!(timestamp(ValueRef::Text(b"yesterday")).is_err());
    }
}
