//! The open alerts (`_drydock_alerts`) of an SQLite database, in the file beside it that holds
//! its run log, out of Prisma's sight. Times are RFC 3339 text in UTC.

use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{AlertStore, ConnectorError, StoredAlert};
use rusqlite::{Row, params};

use crate::connection::{SqliteConnection, query_error};
use crate::runs::open_state_file;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS \"_drydock_alerts\" (
    key         TEXT NOT NULL PRIMARY KEY,
    source      TEXT NOT NULL,
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    notified_at TEXT,
    resolved_at TEXT
)";

pub(crate) struct SqliteAlertStore {
    connection: SqliteConnection,
}

impl SqliteAlertStore {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        Ok(SqliteAlertStore {
            connection: open_state_file(url, Some(CREATE_TABLE))?,
        })
    }

    fn conn(&self) -> &rusqlite::Connection {
        &self.connection.conn
    }
}

fn text_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn read_time(text: Option<String>) -> Result<Option<DateTime<Utc>>, ConnectorError> {
    text.map(|text| {
        DateTime::parse_from_rfc3339(&text)
            .map(|time| time.with_timezone(&Utc))
            .map_err(|e| ConnectorError::query(format!("a time in the alert store: {e}")))
    })
    .transpose()
}

fn alert(row: &Row) -> rusqlite::Result<(StoredAlert, String, Option<String>, Option<String>)> {
    Ok((
        StoredAlert {
            key: row.get(0)?,
            source: row.get(1)?,
            code: row.get(2)?,
            severity: row.get(3)?,
            title: row.get(4)?,
            body: row.get(5)?,
            opened_at: DateTime::<Utc>::MIN_UTC,
            notified_at: None,
            resolved_at: None,
        },
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
    ))
}

impl AlertStore for SqliteAlertStore {
    fn alerts(&mut self, source: &str) -> Result<Vec<StoredAlert>, ConnectorError> {
        let mut statement = self
            .conn()
            .prepare(
                "SELECT key, source, code, severity, title, body, opened_at, notified_at, \
                 resolved_at FROM \"_drydock_alerts\" WHERE source = ?1 ORDER BY opened_at, key",
            )
            .map_err(query_error)?;
        let rows = statement
            .query_map([source], alert)
            .map_err(query_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(query_error)?;
        rows.into_iter()
            .map(|(mut alert, opened, notified, resolved)| {
                alert.opened_at = read_time(Some(opened))?.unwrap_or(alert.opened_at);
                alert.notified_at = read_time(notified)?;
                alert.resolved_at = read_time(resolved)?;
                Ok(alert)
            })
            .collect()
    }

    fn open(&mut self, alert: &StoredAlert) -> Result<bool, ConnectorError> {
        let inserted = self
            .conn()
            .execute(
                "INSERT INTO \"_drydock_alerts\" (key, source, code, severity, title, body, \
                 opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING",
                params![
                    alert.key,
                    alert.source,
                    alert.code,
                    alert.severity,
                    alert.title,
                    alert.body,
                    text_time(&alert.opened_at),
                ],
            )
            .map_err(query_error)?;
        Ok(inserted == 1)
    }

    fn reopen(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.conn()
            .execute(
                "UPDATE \"_drydock_alerts\" SET resolved_at = NULL WHERE key = ?1",
                [key],
            )
            .map(drop)
            .map_err(query_error)
    }

    fn notified(&mut self, key: &str, at: DateTime<Utc>) -> Result<(), ConnectorError> {
        self.conn()
            .execute(
                "UPDATE \"_drydock_alerts\" SET notified_at = ?2 WHERE key = ?1",
                params![key, text_time(&at)],
            )
            .map(drop)
            .map_err(query_error)
    }

    fn resolve(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, ConnectorError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE \"_drydock_alerts\" SET resolved_at = ?2 \
                 WHERE key = ?1 AND resolved_at IS NULL",
                params![key, text_time(&at)],
            )
            .map_err(query_error)?;
        Ok(changed == 1)
    }

    fn remove(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.conn()
            .execute("DELETE FROM \"_drydock_alerts\" WHERE key = ?1", [key])
            .map(drop)
            .map_err(query_error)
    }
}
