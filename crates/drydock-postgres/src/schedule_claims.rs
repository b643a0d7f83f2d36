//! The claims of scheduled runs (`_drydock_schedule_claims`) on PostgreSQL, beside the run log
//! in drydock's own schema `_drydock`, out of Prisma's sight.

use chrono::{DateTime, Utc};
use drydock_connector::{
    ClaimStatus, ConnectorError, SCHEDULE_CLAIM_TABLE, ScheduleClaim, ScheduleClaims,
};
use postgres::types::{ToSql, Type};
use postgres::{Client, Row};

use crate::connection::{query_error, quote_ident};
use crate::runs::{RUN_SCHEMA, create_own_table};
use crate::url::PgUrl;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    job         TEXT NOT NULL,
    due_at      TIMESTAMPTZ NOT NULL,
    instance    TEXT NOT NULL,
    claimed_at  TIMESTAMPTZ NOT NULL,
    status      TEXT NOT NULL,
    finished_at TIMESTAMPTZ,
    exit_code   INTEGER,
    missed      BIGINT NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, due_at)
)";

const COLUMNS: &str =
    "job, due_at, instance, claimed_at, status, finished_at, exit_code, missed, detail";

pub(crate) struct PostgresScheduleClaims {
    client: Client,
    table: String,
}

impl PostgresScheduleClaims {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let mut client = PgUrl::parse(url)?.connect()?;
        let table = format!(
            "{}.{}",
            quote_ident(RUN_SCHEMA),
            quote_ident(SCHEDULE_CLAIM_TABLE)
        );
        create_own_table(&mut client, &CREATE_TABLE.replace("{table}", &table))?;
        Ok(PostgresScheduleClaims { client, table })
    }

    fn rows(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, ConnectorError> {
        self.client
            .query_typed(&sql.replace("{table}", &self.table), params)
            .map_err(|e| query_error(&e))
    }
}

fn claim(row: &Row) -> Result<ScheduleClaim, ConnectorError> {
    let status: String = row.get(4);
    Ok(ScheduleClaim {
        job: row.get(0),
        due_at: row.get(1),
        instance: row.get(2),
        claimed_at: row.get(3),
        status: ClaimStatus::parse(&status).ok_or_else(|| {
            ConnectorError::query(format!(
                "`{SCHEDULE_CLAIM_TABLE}` holds a status drydock does not write: `{status}`"
            ))
        })?,
        finished_at: row.get(5),
        exit_code: row.get(6),
        missed: u32::try_from(row.get::<_, i64>(7)).unwrap_or(u32::MAX),
        detail: row.get(8),
    })
}

impl ScheduleClaims for PostgresScheduleClaims {
    fn claim(&mut self, claim: &ScheduleClaim) -> Result<bool, ConnectorError> {
        let rows = self.rows(
            &format!(
                "WITH added AS (INSERT INTO {{table}} ({COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (job, due_at) DO NOTHING RETURNING 1) SELECT count(*) FROM added"
            ),
            &[
                (&claim.job, Type::TEXT),
                (&claim.due_at, Type::TIMESTAMPTZ),
                (&claim.instance, Type::TEXT),
                (&claim.claimed_at, Type::TIMESTAMPTZ),
                (&claim.status.as_str(), Type::TEXT),
                (&claim.finished_at, Type::TIMESTAMPTZ),
                (&claim.exit_code, Type::INT4),
                (&i64::from(claim.missed), Type::INT8),
                (&claim.detail, Type::TEXT),
            ],
        )?;
        Ok(rows.first().is_some_and(|row| row.get::<_, i64>(0) == 1))
    }

    fn finish(&mut self, claim: &ScheduleClaim) -> Result<(), ConnectorError> {
        self.rows(
            "UPDATE {table} SET status = $3, finished_at = $4, exit_code = $5, missed = $6, \
             detail = $7 WHERE job = $1 AND due_at = $2",
            &[
                (&claim.job, Type::TEXT),
                (&claim.due_at, Type::TIMESTAMPTZ),
                (&claim.status.as_str(), Type::TEXT),
                (&claim.finished_at, Type::TIMESTAMPTZ),
                (&claim.exit_code, Type::INT4),
                (&i64::from(claim.missed), Type::INT8),
                (&claim.detail, Type::TEXT),
            ],
        )
        .map(drop)
    }

    fn latest(
        &mut self,
        job: &str,
        before: Option<DateTime<Utc>>,
    ) -> Result<Option<ScheduleClaim>, ConnectorError> {
        let rows = self.rows(
            &format!(
                "SELECT {COLUMNS} FROM {{table}} WHERE job = $1 \
                 AND ($2::timestamptz IS NULL OR due_at < $2) ORDER BY due_at DESC LIMIT 1"
            ),
            &[(&job, Type::TEXT), (&before, Type::TIMESTAMPTZ)],
        )?;
        rows.first().map(claim).transpose()
    }

    fn list(
        &mut self,
        job: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ScheduleClaim>, ConnectorError> {
        let rows = self.rows(
            &format!(
                "SELECT {COLUMNS} FROM {{table}} WHERE job = $1 AND due_at >= $2 ORDER BY due_at"
            ),
            &[(&job, Type::TEXT), (&since, Type::TIMESTAMPTZ)],
        )?;
        rows.iter().map(claim).collect()
    }

    fn missed_since(&mut self, job: &str, since: DateTime<Utc>) -> Result<u64, ConnectorError> {
        let rows = self.rows(
            "SELECT (coalesce(sum(missed), 0) + count(*) FILTER (WHERE status IN \
             ('skipped', 'missed')))::bigint FROM {table} WHERE job = $1 AND due_at >= $2",
            &[(&job, Type::TEXT), (&since, Type::TIMESTAMPTZ)],
        )?;
        Ok(rows
            .first()
            .map_or(0, |row| u64::try_from(row.get::<_, i64>(0)).unwrap_or(0)))
    }

    fn prune(&mut self, before: DateTime<Utc>) -> Result<u64, ConnectorError> {
        let rows = self.rows(
            "WITH gone AS (DELETE FROM {table} AS c WHERE c.due_at < $1 AND c.due_at < \
             (SELECT max(l.due_at) FROM {table} AS l WHERE l.job = c.job) RETURNING 1) \
             SELECT count(*) FROM gone",
            &[(&before, Type::TIMESTAMPTZ)],
        )?;
        Ok(rows
            .first()
            .map_or(0, |row| u64::try_from(row.get::<_, i64>(0)).unwrap_or(0)))
    }
}
