//! The claims of scheduled runs (`_drydock_schedule_claims`) of an SQLite database, in the file
//! beside it that holds its run log, out of Prisma's sight. Times are RFC 3339 text in UTC with
//! microseconds, all of one width, so they sort and compare as text.

use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{ClaimStatus, ConnectorError, ScheduleClaim, ScheduleClaims};
use rusqlite::{Row, params};

use crate::connection::{SqliteConnection, query_error};
use crate::runs::open_state_file;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS \"_drydock_schedule_claims\" (
    job         TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    instance    TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    status      TEXT NOT NULL,
    finished_at TEXT,
    exit_code   INTEGER,
    missed      INTEGER NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, due_at)
)";

const COLUMNS: &str =
    "job, due_at, instance, claimed_at, status, finished_at, exit_code, missed, detail";

pub(crate) struct SqliteScheduleClaims {
    connection: SqliteConnection,
}

impl SqliteScheduleClaims {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        Ok(SqliteScheduleClaims {
            connection: open_state_file(url, Some(CREATE_TABLE))?,
        })
    }

    fn conn(&self) -> &rusqlite::Connection {
        &self.connection.conn
    }

    fn select(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<ScheduleClaim>, ConnectorError> {
        let mut statement = self
            .conn()
            .prepare(&format!(
                "SELECT {COLUMNS} FROM \"_drydock_schedule_claims\" {condition}"
            ))
            .map_err(query_error)?;
        let rows = statement
            .query_map(params, columns)
            .map_err(query_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(query_error)?;
        rows.into_iter().map(claim).collect()
    }
}

fn text_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn read_time(text: &str) -> Result<DateTime<Utc>, ConnectorError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|e| ConnectorError::query(format!("a time in the schedule claims: {e}")))
}

type Columns = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i32>,
    i64,
    String,
);

fn columns(row: &Row) -> rusqlite::Result<Columns> {
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
    ))
}

fn claim(columns: Columns) -> Result<ScheduleClaim, ConnectorError> {
    let (job, due_at, instance, claimed_at, status, finished_at, exit_code, missed, detail) =
        columns;
    Ok(ScheduleClaim {
        job,
        due_at: read_time(&due_at)?,
        instance,
        claimed_at: read_time(&claimed_at)?,
        status: ClaimStatus::parse(&status).ok_or_else(|| {
            ConnectorError::query(format!(
                "the schedule claims hold a status drydock does not write: `{status}`"
            ))
        })?,
        finished_at: finished_at.as_deref().map(read_time).transpose()?,
        exit_code,
        missed: u32::try_from(missed).unwrap_or(u32::MAX),
        detail,
    })
}

impl ScheduleClaims for SqliteScheduleClaims {
    fn claim(&mut self, claim: &ScheduleClaim) -> Result<bool, ConnectorError> {
        let inserted = self
            .conn()
            .execute(
                &format!(
                    "INSERT OR IGNORE INTO \"_drydock_schedule_claims\" ({COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    claim.job,
                    text_time(&claim.due_at),
                    claim.instance,
                    text_time(&claim.claimed_at),
                    claim.status.as_str(),
                    claim.finished_at.as_ref().map(text_time),
                    claim.exit_code,
                    i64::from(claim.missed),
                    claim.detail,
                ],
            )
            .map_err(query_error)?;
        Ok(inserted == 1)
    }

    fn finish(&mut self, claim: &ScheduleClaim) -> Result<(), ConnectorError> {
        self.conn()
            .execute(
                "UPDATE \"_drydock_schedule_claims\" SET status = ?3, finished_at = ?4, \
                 exit_code = ?5, missed = ?6, detail = ?7 WHERE job = ?1 AND due_at = ?2",
                params![
                    claim.job,
                    text_time(&claim.due_at),
                    claim.status.as_str(),
                    claim.finished_at.as_ref().map(text_time),
                    claim.exit_code,
                    i64::from(claim.missed),
                    claim.detail,
                ],
            )
            .map(drop)
            .map_err(query_error)
    }

    fn latest(
        &mut self,
        job: &str,
        before: Option<DateTime<Utc>>,
    ) -> Result<Option<ScheduleClaim>, ConnectorError> {
        Ok(self
            .select(
                "WHERE job = ?1 AND (?2 IS NULL OR due_at < ?2) ORDER BY due_at DESC LIMIT 1",
                params![job, before.as_ref().map(text_time)],
            )?
            .pop())
    }

    fn list(
        &mut self,
        job: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ScheduleClaim>, ConnectorError> {
        self.select(
            "WHERE job = ?1 AND due_at >= ?2 ORDER BY due_at",
            params![job, text_time(&since)],
        )
    }

    fn missed_since(&mut self, job: &str, since: DateTime<Utc>) -> Result<u64, ConnectorError> {
        let total: i64 = self
            .conn()
            .query_row(
                "SELECT coalesce(sum(missed), 0) + coalesce(sum(status IN ('skipped', 'missed')), 0) \
                 FROM \"_drydock_schedule_claims\" WHERE job = ?1 AND due_at >= ?2",
                params![job, text_time(&since)],
                |row| row.get(0),
            )
            .map_err(query_error)?;
        Ok(u64::try_from(total).unwrap_or(0))
    }

    fn prune(&mut self, before: DateTime<Utc>) -> Result<u64, ConnectorError> {
        let gone = self
            .conn()
            .execute(
                "DELETE FROM \"_drydock_schedule_claims\" AS c WHERE c.due_at < ?1 AND c.due_at < \
                 (SELECT max(l.due_at) FROM \"_drydock_schedule_claims\" AS l WHERE l.job = c.job)",
                [text_time(&before)],
            )
            .map_err(query_error)?;
        Ok(u64::try_from(gone).unwrap_or(0))
    }
}
