//! What a session is doing, seen from another: what it waits for and who blocks it
//! (`pg_stat_activity`, `pg_blocking_pids`, `pg_locks`), how far its statement has come
//! (`pg_stat_progress_*`), and the invalid indexes a failed concurrent build leaves.

use std::time::Duration;

use drydock_connector::{
    ConnectorError, SessionActivity, SessionInfo, StatementProgress, TableLock,
};
use postgres::Client;
use postgres::types::Type;

use crate::connection::query_error;

/// SQLSTATE of a statement that gave up waiting for a lock (`lock_timeout`).
pub(crate) const LOCK_NOT_AVAILABLE: &str = "55P03";

/// The progress views exist from PostgreSQL 12 on (`pg_stat_progress_create_index`).
const PROGRESS_VIEWS_SINCE: i32 = 120_000;

pub(crate) fn observe(client: &mut Client, pid: i32) -> Result<SessionActivity, ConnectorError> {
    let mut activity = SessionActivity::default();
    if let Some(row) = client
        .query_typed_opt(include_str!("queries/waiting.sql"), &[(&pid, Type::INT4)])
        .map_err(|e| query_error(&e))?
    {
        activity.waiting_for = row.get(0);
        let blockers: Vec<i32> = row.get(1);
        activity.blockers = sessions(client, &blockers)?;
    }
    let version: i32 = client
        .query_typed_one("SELECT current_setting('server_version_num')::int", &[])
        .map_err(|e| query_error(&e))?
        .get(0);
    if version >= PROGRESS_VIEWS_SINCE {
        activity.progress = client
            .query_typed_opt(
                include_str!("queries/statement_progress.sql"),
                &[(&pid, Type::INT4)],
            )
            .map_err(|e| query_error(&e))?
            .map(|row| StatementProgress {
                command: row.get(0),
                phase: row.get(1),
                done: row
                    .get::<_, Option<i64>>(2)
                    .and_then(|n| u64::try_from(n).ok()),
                total: row
                    .get::<_, Option<i64>>(3)
                    .and_then(|n| u64::try_from(n).ok())
                    .filter(|n| *n > 0),
                unit: row.get(4),
            });
    }
    Ok(activity)
}

/// The sessions with these backend pids, with the table locks each holds or waits for.
pub(crate) fn sessions(
    client: &mut Client,
    pids: &[i32],
) -> Result<Vec<SessionInfo>, ConnectorError> {
    if pids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sessions: Vec<SessionInfo> = client
        .query_typed(
            include_str!("queries/sessions.sql"),
            &[(&pids, Type::INT4_ARRAY)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| SessionInfo {
            id: row.get::<_, i32>(0).to_string(),
            user: row.get(1),
            application: row.get(2),
            client: row.get(3),
            state: row.get(4),
            transaction_age: row
                .get::<_, Option<i64>>(5)
                .and_then(|ms| u64::try_from(ms).ok())
                .map(Duration::from_millis),
            query: row.get(6),
            locks: Vec::new(),
        })
        .collect();
    for row in client
        .query_typed(
            include_str!("queries/session_locks.sql"),
            &[(&pids, Type::INT4_ARRAY)],
        )
        .map_err(|e| query_error(&e))?
    {
        let pid = row.get::<_, i32>(0).to_string();
        if let Some(session) = sessions.iter_mut().find(|s| s.id == pid) {
            session.locks.push(TableLock {
                table: row.get(1),
                mode: row.get(2),
                granted: row.get(3),
            });
        }
    }
    Ok(sessions)
}

pub(crate) fn invalid_indexes(
    client: &mut Client,
    schema: &str,
) -> Result<Vec<String>, ConnectorError> {
    Ok(client
        .query_typed(
            include_str!("queries/invalid_indexes.sql"),
            &[(&schema, Type::NAME)],
        )
        .map_err(|e| query_error(&e))?
        .iter()
        .map(|row| row.get(0))
        .collect())
}
