//! The audit log (`_drydock_audit`) of an SQLite database, in the file beside it that holds its
//! run log, out of Prisma's sight. Times are RFC 3339 text in UTC with microseconds, as hashed.
//! Writers serialize with `BEGIN IMMEDIATE`: one at a time reads the head and inserts after it.
//! SQLite has no event triggers: only drydock's own changes are recorded.

use chrono::{DateTime, Utc};
use drydock_connector::{
    AUDIT_COLUMNS, AuditEntry, AuditLog, AuditOrigin, AuditRecord, ConnectorError, audit_time,
};
use rusqlite::{OptionalExtension, params};

use crate::connection::{SqliteConnection, query_error};
use crate::runs::open_state_file;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS \"_drydock_audit\" (
    seq         INTEGER NOT NULL PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    host        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    command     TEXT NOT NULL,
    target      TEXT NOT NULL,
    details     TEXT NOT NULL,
    result      TEXT NOT NULL,
    error_code  TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
)";

pub(crate) struct SqliteAuditLog {
    connection: SqliteConnection,
}

impl SqliteAuditLog {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        Ok(SqliteAuditLog {
            connection: open_state_file(url, Some(CREATE_TABLE))?,
        })
    }

    fn conn(&self) -> &rusqlite::Connection {
        &self.connection.conn
    }

    /// Read the head and insert `record` after it, inside the caller's `BEGIN IMMEDIATE`.
    fn insert_next(&self, record: AuditRecord) -> Result<AuditEntry, ConnectorError> {
        let head: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT seq, hash FROM \"_drydock_audit\" ORDER BY seq DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(query_error)?;
        let entry = AuditEntry::next(head.as_ref().map(|(s, h)| (*s, h.as_str())), record);
        let r = &entry.record;
        self.conn()
            .execute(
                &format!(
                    "INSERT INTO \"_drydock_audit\" ({AUDIT_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ),
                params![
                    entry.seq,
                    audit_time(&r.at),
                    r.actor,
                    r.host,
                    r.origin.as_str(),
                    r.command,
                    r.target,
                    r.details,
                    r.result,
                    r.error_code,
                    entry.prev_hash,
                    entry.hash,
                ],
            )
            .map_err(query_error)?;
        Ok(entry)
    }
}

type Columns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn entry(columns: Columns) -> Result<AuditEntry, ConnectorError> {
    let (seq, at, actor, host, origin, command, target, details, result, error_code, prev, hash) =
        columns;
    Ok(AuditEntry {
        seq,
        record: AuditRecord {
            at: DateTime::parse_from_rfc3339(&at)
                .map(|time| time.with_timezone(&Utc))
                .map_err(|e| ConnectorError::query(format!("a time in the audit log: {e}")))?,
            actor,
            host,
            origin: AuditOrigin::parse(&origin).ok_or_else(|| {
                ConnectorError::query(format!(
                    "the audit log holds an origin drydock does not write: `{origin}`"
                ))
            })?,
            command,
            target,
            details,
            result,
            error_code,
        },
        prev_hash: prev,
        hash,
    })
}

impl AuditLog for SqliteAuditLog {
    fn append(&mut self, record: AuditRecord) -> Result<AuditEntry, ConnectorError> {
        self.conn()
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(query_error)?;
        match self.insert_next(record) {
            Ok(entry) => {
                self.conn().execute_batch("COMMIT").map_err(query_error)?;
                Ok(entry)
            }
            Err(error) => {
                // The insert's error is the one to report; a failed rollback adds nothing.
                let _ = self.conn().execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }

    fn entries(&mut self) -> Result<Vec<AuditEntry>, ConnectorError> {
        let mut statement = self
            .conn()
            .prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM \"_drydock_audit\" ORDER BY seq"
            ))
            .map_err(query_error)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                    row.get(9)?,
                    row.get(10)?,
                    row.get(11)?,
                ))
            })
            .map_err(query_error)?
            .collect::<Result<Vec<Columns>, _>>()
            .map_err(query_error)?;
        rows.into_iter().map(entry).collect()
    }
}
