//! The claims of scheduled runs (`_drydock_schedule_claims`) on MySQL and MariaDB, beside the
//! run log in `<database>_drydock`, out of Prisma's sight. Times are `DATETIME(6)` in UTC.

use chrono::{DateTime, Utc};
use drydock_connector::{
    ClaimStatus, ConnectorError, SCHEDULE_CLAIM_TABLE, ScheduleClaim, ScheduleClaims,
};
use mysql::Conn;
use mysql::prelude::Queryable;

use crate::connection::{exec_text_rows, query_error, quote_ident};
use crate::history::parse_timestamp;
use crate::runs::{create_own_table, open_state, read_time, write_time};

/// `job` is at most 191 characters: the longest a `utf8mb4` key takes on older InnoDB row
/// formats.
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    job         VARCHAR(191) NOT NULL,
    due_at      DATETIME(6) NOT NULL,
    instance    TEXT NOT NULL,
    claimed_at  DATETIME(6) NOT NULL,
    status      VARCHAR(20) NOT NULL,
    finished_at DATETIME(6),
    exit_code   INT,
    missed      BIGINT NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL,
    PRIMARY KEY (job, due_at)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

/// The claims of scheduled runs of one MySQL or MariaDB database.
pub(crate) struct MysqlScheduleClaims {
    conn: Conn,
}

impl MysqlScheduleClaims {
    /// The claims kept for the database `url` names.
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let mut conn = open_state(url)?;
        create_own_table(&mut conn, CREATE_TABLE, SCHEDULE_CLAIM_TABLE)?;
        Ok(MysqlScheduleClaims { conn })
    }

    /// Run `sql` (with `{table}`) and return the number of rows it changed.
    fn change(&mut self, sql: &str, params: Vec<mysql::Value>) -> Result<u64, ConnectorError> {
        let sql = sql.replace("{table}", &quote_ident(SCHEDULE_CLAIM_TABLE));
        self.conn
            .exec_drop(sql, params)
            .map_err(|e| query_error(&e))?;
        Ok(self.conn.affected_rows())
    }

    fn select(
        &mut self,
        condition: &str,
        params: Vec<mysql::Value>,
    ) -> Result<Vec<ScheduleClaim>, ConnectorError> {
        let sql = format!(
            "SELECT job, {}, instance, {}, status, {}, exit_code, missed, detail FROM {} {condition}",
            read_time("due_at"),
            read_time("claimed_at"),
            read_time("finished_at"),
            quote_ident(SCHEDULE_CLAIM_TABLE)
        );
        let rows = exec_text_rows(&mut self.conn, &sql, params)?;
        rows.iter()
            .map(|row| {
                let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
                let optional = |i: usize| row.get(i).cloned().flatten();
                let status = text(4);
                Ok(ScheduleClaim {
                    job: text(0),
                    due_at: parse_timestamp(&text(1))?,
                    instance: text(2),
                    claimed_at: parse_timestamp(&text(3))?,
                    status: ClaimStatus::parse(&status).ok_or_else(|| {
                        ConnectorError::query(format!(
                            "`{SCHEDULE_CLAIM_TABLE}` holds a status drydock does not write: \
                             `{status}`"
                        ))
                    })?,
                    finished_at: optional(5).as_deref().map(parse_timestamp).transpose()?,
                    exit_code: optional(6).and_then(|code| code.parse().ok()),
                    missed: text(7).parse().unwrap_or(u32::MAX),
                    detail: text(8),
                })
            })
            .collect()
    }
}

impl ScheduleClaims for MysqlScheduleClaims {
    fn claim(&mut self, claim: &ScheduleClaim) -> Result<bool, ConnectorError> {
        let inserted = self.change(
            "INSERT IGNORE INTO {table} (job, due_at, instance, claimed_at, status, finished_at, \
             exit_code, missed, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                claim.job.clone().into(),
                write_time(Some(claim.due_at)).into(),
                claim.instance.clone().into(),
                write_time(Some(claim.claimed_at)).into(),
                claim.status.as_str().into(),
                write_time(claim.finished_at).into(),
                claim.exit_code.into(),
                i64::from(claim.missed).into(),
                claim.detail.clone().into(),
            ],
        )?;
        Ok(inserted == 1)
    }

    fn finish(&mut self, claim: &ScheduleClaim) -> Result<(), ConnectorError> {
        self.change(
            "UPDATE {table} SET status = ?, finished_at = ?, exit_code = ?, missed = ?, \
             detail = ? WHERE job = ? AND due_at = ?",
            vec![
                claim.status.as_str().into(),
                write_time(claim.finished_at).into(),
                claim.exit_code.into(),
                i64::from(claim.missed).into(),
                claim.detail.clone().into(),
                claim.job.clone().into(),
                write_time(Some(claim.due_at)).into(),
            ],
        )
        .map(drop)
    }

    fn latest(
        &mut self,
        job: &str,
        before: Option<DateTime<Utc>>,
    ) -> Result<Option<ScheduleClaim>, ConnectorError> {
        let before = write_time(before);
        Ok(self
            .select(
                "WHERE job = ? AND (? IS NULL OR due_at < ?) ORDER BY due_at DESC LIMIT 1",
                vec![job.into(), before.clone().into(), before.into()],
            )?
            .pop())
    }

    fn list(
        &mut self,
        job: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ScheduleClaim>, ConnectorError> {
        self.select(
            "WHERE job = ? AND due_at >= ? ORDER BY due_at",
            vec![job.into(), write_time(Some(since)).into()],
        )
    }

    fn missed_since(&mut self, job: &str, since: DateTime<Utc>) -> Result<u64, ConnectorError> {
        let rows = exec_text_rows(
            &mut self.conn,
            &format!(
                "SELECT coalesce(sum(missed), 0) + coalesce(sum(status IN ('skipped', 'missed')), 0) \
                 FROM {} WHERE job = ? AND due_at >= ?",
                quote_ident(SCHEDULE_CLAIM_TABLE)
            ),
            (job, write_time(Some(since))),
        )?;
        Ok(rows
            .first()
            .and_then(|row| row.first().cloned().flatten())
            .and_then(|total| total.parse().ok())
            .unwrap_or(0))
    }

    fn prune(&mut self, before: DateTime<Utc>) -> Result<u64, ConnectorError> {
        // MySQL reads the table it deletes from only through a derived table.
        self.change(
            "DELETE c FROM {table} AS c JOIN (SELECT job, max(due_at) AS latest FROM {table} \
             GROUP BY job) AS l ON l.job = c.job WHERE c.due_at < ? AND c.due_at < l.latest",
            vec![write_time(Some(before)).into()],
        )
    }
}
