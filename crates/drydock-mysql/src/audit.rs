//! The audit log (`_drydock_audit`) on MySQL and MariaDB, beside the run log in
//! `<database>_drydock`, out of Prisma's sight. Times are `DATETIME(6)` in UTC. Writers
//! serialize on a named lock (`GET_LOCK`) of the log: one at a time reads the head and inserts
//! after it, and the key on `seq` refuses a second entry at the same place whatever happens.
//! MySQL has no event triggers for DDL: only drydock's own changes are recorded.

use drydock_connector::{
    AUDIT_COLUMNS, AUDIT_TABLE, AuditEntry, AuditLog, AuditOrigin, AuditRecord, ConnectorError,
};
use mysql::Conn;
use mysql::prelude::Queryable;

use crate::connection::{exec_text_rows, query_error, quote_ident};
use crate::history::parse_timestamp;
use crate::runs::{create_own_table, open_state, read_time, state_database, write_time};
use crate::url::MysqlUrl;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    seq         BIGINT NOT NULL PRIMARY KEY,
    at          DATETIME(6) NOT NULL,
    actor       TEXT NOT NULL,
    host        TEXT NOT NULL,
    origin      VARCHAR(20) NOT NULL,
    command     TEXT NOT NULL,
    target      LONGTEXT NOT NULL,
    details     LONGTEXT NOT NULL,
    result      VARCHAR(20) NOT NULL,
    error_code  VARCHAR(20) NOT NULL,
    prev_hash   CHAR(64) NOT NULL,
    hash        CHAR(64) NOT NULL
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

/// How long an append waits for another writer.
const LOCK_WAIT_SECS: u64 = 30;

pub(crate) struct MysqlAuditLog {
    conn: Conn,
    /// The named lock appends take: one per log (MySQL's names are at most 64 characters).
    lock: String,
}

impl MysqlAuditLog {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let state = state_database(&MysqlUrl::parse(url)?.database);
        let mut conn = open_state(url)?;
        create_own_table(&mut conn, CREATE_TABLE, AUDIT_TABLE)?;
        let lock = format!("drydock_audit:{state}").chars().take(64).collect();
        Ok(MysqlAuditLog { conn, lock })
    }

    fn insert_next(&mut self, record: AuditRecord) -> Result<AuditEntry, ConnectorError> {
        let table = quote_ident(AUDIT_TABLE);
        let head = exec_text_rows(
            &mut self.conn,
            &format!("SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1"),
            (),
        )?;
        let head = head.first().map(|row| {
            let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
            (text(0).parse::<i64>().unwrap_or(0), text(1))
        });
        let entry = AuditEntry::next(head.as_ref().map(|(s, h)| (*s, h.as_str())), record);
        let r = &entry.record;
        self.conn
            .exec_drop(
                format!(
                    "INSERT INTO {table} ({AUDIT_COLUMNS}) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                vec![
                    entry.seq.into(),
                    write_time(Some(r.at)).into(),
                    r.actor.clone().into(),
                    r.host.clone().into(),
                    r.origin.as_str().into(),
                    r.command.clone().into(),
                    r.target.clone().into(),
                    r.details.clone().into(),
                    r.result.clone().into(),
                    r.error_code.clone().into(),
                    entry.prev_hash.clone().into(),
                    entry.hash.clone().into(),
                ] as Vec<mysql::Value>,
            )
            .map_err(|e| query_error(&e))?;
        Ok(entry)
    }
}

impl AuditLog for MysqlAuditLog {
    fn append(&mut self, record: AuditRecord) -> Result<AuditEntry, ConnectorError> {
        let got: Option<i64> = self
            .conn
            .exec_first("SELECT GET_LOCK(?, ?)", (&self.lock, LOCK_WAIT_SECS))
            .map_err(|e| query_error(&e))?
            .flatten();
        if got != Some(1) {
            return Err(ConnectorError::query(format!(
                "the audit log stayed locked by another writer for {LOCK_WAIT_SECS} s"
            )));
        }
        let result = self.insert_next(record);
        // The session's end releases it too; an error here changes nothing written.
        let _ = self.conn.exec_drop("SELECT RELEASE_LOCK(?)", (&self.lock,));
        result
    }

    fn entries(&mut self) -> Result<Vec<AuditEntry>, ConnectorError> {
        let rows = exec_text_rows(
            &mut self.conn,
            &format!(
                "SELECT seq, {}, actor, host, origin, command, target, details, result, \
                 error_code, prev_hash, hash FROM {} ORDER BY seq",
                read_time("at"),
                quote_ident(AUDIT_TABLE)
            ),
            (),
        )?;
        rows.iter()
            .map(|row| {
                let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
                let origin = text(4);
                Ok(AuditEntry {
                    seq: text(0).parse().unwrap_or(0),
                    record: AuditRecord {
                        at: parse_timestamp(&text(1))?,
                        actor: text(2),
                        host: text(3),
                        origin: AuditOrigin::parse(&origin).ok_or_else(|| {
                            ConnectorError::query(format!(
                                "`{AUDIT_TABLE}` holds an origin drydock does not write: \
                                 `{origin}`"
                            ))
                        })?,
                        command: text(5),
                        target: text(6),
                        details: text(7),
                        result: text(8),
                        error_code: text(9),
                    },
                    prev_hash: text(10),
                    hash: text(11),
                })
            })
            .collect()
    }
}
