//! The open alerts (`_drydock_alerts`) on PostgreSQL, beside the run log in drydock's own
//! schema `_drydock`, out of Prisma's sight.

use chrono::{DateTime, Utc};
use drydock_connector::{ALERT_TABLE, AlertStore, ConnectorError, StoredAlert};
use postgres::Client;
use postgres::types::{ToSql, Type};

use crate::connection::{query_error, quote_ident};
use crate::runs::{RUN_SCHEMA, create_own_table};
use crate::url::PgUrl;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    key         TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    opened_at   TIMESTAMPTZ NOT NULL,
    notified_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ
)";

pub(crate) struct PostgresAlertStore {
    client: Client,
    table: String,
    /// Whether this session made sure the table exists: once is enough.
    has_table: bool,
}

impl PostgresAlertStore {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let client = PgUrl::parse(url)?.connect()?;
        Ok(PostgresAlertStore {
            client,
            table: format!("{}.{}", quote_ident(RUN_SCHEMA), quote_ident(ALERT_TABLE)),
            has_table: false,
        })
    }

    fn ensure_table(&mut self) -> Result<(), ConnectorError> {
        if self.has_table {
            return Ok(());
        }
        create_own_table(
            &mut self.client,
            &CREATE_TABLE.replace("{table}", &self.table),
        )?;
        self.has_table = true;
        Ok(())
    }

    /// Run `sql` (with `{table}`) and return the number of rows it changed.
    fn change(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<u64, ConnectorError> {
        self.ensure_table()?;
        let sql = sql.replace("{table}", &self.table);
        let rows = self
            .client
            .query_typed(
                &format!("WITH changed AS ({sql} RETURNING 1) SELECT count(*) FROM changed"),
                params,
            )
            .map_err(|e| query_error(&e))?;
        Ok(rows
            .first()
            .map_or(0, |row| u64::try_from(row.get::<_, i64>(0)).unwrap_or(0)))
    }
}

impl AlertStore for PostgresAlertStore {
    fn alerts(&mut self, source: &str) -> Result<Vec<StoredAlert>, ConnectorError> {
        self.ensure_table()?;
        let rows = self
            .client
            .query_typed(
                &format!(
                    "SELECT key, source, code, severity, title, body, opened_at, notified_at, \
                     resolved_at FROM {} WHERE source = $1 ORDER BY opened_at, key",
                    self.table
                ),
                &[(&source, Type::TEXT)],
            )
            .map_err(|e| query_error(&e))?;
        Ok(rows
            .iter()
            .map(|row| StoredAlert {
                key: row.get(0),
                source: row.get(1),
                code: row.get(2),
                severity: row.get(3),
                title: row.get(4),
                body: row.get(5),
                opened_at: row.get(6),
                notified_at: row.get(7),
                resolved_at: row.get(8),
            })
            .collect())
    }

    fn open(&mut self, alert: &StoredAlert) -> Result<bool, ConnectorError> {
        let inserted = self.change(
            "INSERT INTO {table} (key, source, code, severity, title, body, opened_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING",
            &[
                (&alert.key, Type::TEXT),
                (&alert.source, Type::TEXT),
                (&alert.code, Type::TEXT),
                (&alert.severity, Type::TEXT),
                (&alert.title, Type::TEXT),
                (&alert.body, Type::TEXT),
                (&alert.opened_at, Type::TIMESTAMPTZ),
            ],
        )?;
        Ok(inserted == 1)
    }

    fn reopen(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.change(
            "UPDATE {table} SET resolved_at = NULL WHERE key = $1",
            &[(&key, Type::TEXT)],
        )
        .map(drop)
    }

    fn notified(&mut self, key: &str, at: DateTime<Utc>) -> Result<(), ConnectorError> {
        self.change(
            "UPDATE {table} SET notified_at = $2 WHERE key = $1",
            &[(&key, Type::TEXT), (&at, Type::TIMESTAMPTZ)],
        )
        .map(drop)
    }

    fn resolve(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, ConnectorError> {
        let changed = self.change(
            "UPDATE {table} SET resolved_at = $2 WHERE key = $1 AND resolved_at IS NULL",
            &[(&key, Type::TEXT), (&at, Type::TIMESTAMPTZ)],
        )?;
        Ok(changed == 1)
    }

    fn remove(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.change("DELETE FROM {table} WHERE key = $1", &[(&key, Type::TEXT)])
            .map(drop)
    }
}
