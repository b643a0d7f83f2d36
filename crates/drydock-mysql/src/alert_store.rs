//! The open alerts (`_drydock_alerts`) on MySQL and MariaDB, beside the run log in the managed
//! database, left out of introspection like every bookkeeping table.

use chrono::{DateTime, Utc};
use drydock_connector::{ALERT_TABLE, AlertStore, ConnectorError, StoredAlert};
use mysql::Conn;
use mysql::prelude::Queryable;

use crate::connection::{exec_text_rows, query_error, quote_ident};
use crate::history::parse_timestamp;
use crate::runs::{create_own_table, open_state, read_time, write_time};

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    `key`       VARCHAR(191) NOT NULL PRIMARY KEY,
    source      VARCHAR(191) NOT NULL,
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        LONGTEXT NOT NULL,
    opened_at   DATETIME(6) NOT NULL,
    notified_at DATETIME(6),
    resolved_at DATETIME(6)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

/// The open alerts of one MySQL or MariaDB database.
pub struct MysqlAlertStore {
    conn: Conn,
    /// Whether this session made sure the table exists: once is enough.
    has_table: bool,
}

impl MysqlAlertStore {
    /// The alerts kept in the database `url` names.
    pub fn open(url: &str) -> Result<Self, ConnectorError> {
        Ok(MysqlAlertStore {
            conn: open_state(url)?,
            has_table: false,
        })
    }

    fn ensure_table(&mut self) -> Result<(), ConnectorError> {
        if !self.has_table {
            create_own_table(&mut self.conn, CREATE_TABLE, ALERT_TABLE)?;
            self.has_table = true;
        }
        Ok(())
    }

    /// Run `sql` (with `{table}`) and return the number of rows it changed: an `UPDATE` that
    /// writes what is there counts none (`CLIENT_FOUND_ROWS` is off).
    fn change(&mut self, sql: &str, params: Vec<mysql::Value>) -> Result<u64, ConnectorError> {
        self.ensure_table()?;
        let sql = sql.replace("{table}", &quote_ident(ALERT_TABLE));
        self.conn
            .exec_drop(sql, params)
            .map_err(|e| query_error(&e))?;
        Ok(self.conn.affected_rows())
    }
}

impl AlertStore for MysqlAlertStore {
    fn alerts(&mut self, source: &str) -> Result<Vec<StoredAlert>, ConnectorError> {
        self.ensure_table()?;
        let rows = exec_text_rows(
            &mut self.conn,
            &format!(
                "SELECT `key`, source, code, severity, title, body, {}, {}, {} FROM {} \
                 WHERE source = ? ORDER BY opened_at, `key`",
                read_time("opened_at"),
                read_time("notified_at"),
                read_time("resolved_at"),
                quote_ident(ALERT_TABLE)
            ),
            (source,),
        )?;
        rows.iter()
            .map(|row| {
                let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
                let time = |i: usize| {
                    row.get(i)
                        .cloned()
                        .flatten()
                        .as_deref()
                        .map(parse_timestamp)
                        .transpose()
                };
                Ok(StoredAlert {
                    key: text(0),
                    source: text(1),
                    code: text(2),
                    severity: text(3),
                    title: text(4),
                    body: text(5),
                    opened_at: parse_timestamp(&text(6))?,
                    notified_at: time(7)?,
                    resolved_at: time(8)?,
                })
            })
            .collect()
    }

    fn open(&mut self, alert: &StoredAlert) -> Result<bool, ConnectorError> {
        let inserted = self.change(
            "INSERT IGNORE INTO {table} (`key`, source, code, severity, title, body, opened_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                alert.key.clone().into(),
                alert.source.clone().into(),
                alert.code.clone().into(),
                alert.severity.clone().into(),
                alert.title.clone().into(),
                alert.body.clone().into(),
                write_time(Some(alert.opened_at)).into(),
            ],
        )?;
        Ok(inserted == 1)
    }

    fn reopen(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.change(
            "UPDATE {table} SET resolved_at = NULL WHERE `key` = ?",
            vec![key.into()],
        )
        .map(drop)
    }

    fn notified(&mut self, key: &str, at: DateTime<Utc>) -> Result<(), ConnectorError> {
        self.change(
            "UPDATE {table} SET notified_at = ? WHERE `key` = ?",
            vec![write_time(Some(at)).into(), key.into()],
        )
        .map(drop)
    }

    fn resolve(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, ConnectorError> {
        let changed = self.change(
            "UPDATE {table} SET resolved_at = ? WHERE `key` = ? AND resolved_at IS NULL",
            vec![write_time(Some(at)).into(), key.into()],
        )?;
        Ok(changed == 1)
    }

    fn remove(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.change("DELETE FROM {table} WHERE `key` = ?", vec![key.into()])
            .map(drop)
    }
}
