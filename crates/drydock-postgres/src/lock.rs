//! The migration lock on PostgreSQL: the session-level advisory lock 72707369, Prisma's key, so
//! drydock and Prisma exclude each other. Taken by polling `pg_try_advisory_lock` until the
//! timeout, which never leaves a waiting lock request behind on the server.
//!
//! A session-level lock belongs to one server session. Behind a transaction-mode pooler each
//! statement may run on another one, so the lock is only taken on the server session that
//! answered the connection's first statement; another one answering is the pooler showing.
//!
//! A drydock that takes the lock names its session after its process and host. A `kill -9`
//! leaves the server session running its statement (a `CREATE INDEX CONCURRENTLY` goes on
//! building) and holding the lock; the next drydock on the same host sees that the process
//! that owned the session is gone. It waits for the statement for the usual timeout, then ends
//! the session, which undoes the statement: the history row still says it did not complete, so
//! deploy runs it again.

use std::thread;
use std::time::{Duration, Instant};

use drydock_connector::ConnectorError;
use postgres::Client;
use postgres::types::Type;

use crate::connection::query_error;
use drydock_connector::process_gone;

use crate::owner::session_name;
use crate::pooler::different_sessions;

/// Prisma Migrate's advisory lock key.
pub(crate) const MIGRATION_LOCK_KEY: i64 = 72_707_369;

const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How long releasing waits for the lock's server session behind an unrecognised pooler.
pub(crate) const UNLOCK_TIMEOUT_SECS: u64 = 10;

/// The answering server session's pid, whether it holds the lock already, and, when it is
/// `$2` and does not, whether it got the lock `$1`. The connection asks only while it holds no
/// lock, so a server session that holds one holds it for another client: the lock is re-entrant
/// per server session, and would be granted to both. A bigint key is `classid` (high half),
/// `objid` (low half) and `objsubid` 1 in `pg_locks`.
const LOCK_ON_OWN_SESSION: &str = "\
WITH held AS (
  SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
      AND classid = ($1 >> 32)::oid AND objid = ($1 & 4294967295)::oid AND objsubid = 1
  ) AS here
)
SELECT pg_backend_pid(), held.here,
       CASE WHEN pg_backend_pid() = $2 AND NOT held.here THEN pg_try_advisory_lock($1) END
FROM held";

/// Take the lock on the server session `backend_pid`, the session's own, waiting up to
/// `timeout_secs`; returns what it did to get it.
pub(crate) fn lock(
    client: &mut Client,
    timeout_secs: u64,
    backend_pid: i32,
) -> Result<Vec<String>, ConnectorError> {
    let host = drydock_connector::host_name();
    name_session(client, host.as_deref())?;
    let timeout = Duration::from_secs(timeout_secs);
    let mut deadline = Instant::now() + timeout;
    let mut holder: Option<Holder> = None;
    let mut notes = Vec::new();
    loop {
        // One statement, so the checks and the lock run on the same server session.
        let row = client
            .query_typed_one(
                LOCK_ON_OWN_SESSION,
                &[
                    (&MIGRATION_LOCK_KEY, Type::INT8),
                    (&backend_pid, Type::INT4),
                ],
            )
            .map_err(|e| query_error(&e))?;
        let answered_by: i32 = row.get(0);
        if answered_by != backend_pid {
            return Err(ConnectorError::TransactionPooler {
                why: different_sessions(backend_pid, answered_by),
            });
        }
        if row.get::<_, bool>(1) {
            return Err(ConnectorError::TransactionPooler {
                why: format!(
                    "the server session answering (backend {backend_pid}) already holds the \
                     migration lock for another client"
                ),
            });
        }
        if row.get::<_, Option<bool>>(2) == Some(true) {
            return Ok(notes);
        }
        if holder.is_none() {
            holder = find_holder(client, host.as_deref())?;
        }
        let now = Instant::now();
        if now < deadline {
            thread::sleep(POLL_INTERVAL.min(deadline - now));
            continue;
        }
        match holder.take() {
            Some(orphan) if orphan.orphaned && notes.is_empty() => {
                client
                    .query_typed_one(
                        "SELECT pg_terminate_backend($1)",
                        &[(&orphan.pid, Type::INT4)],
                    )
                    .map_err(|e| query_error(&e))?;
                notes.push(format!(
                    "{}; it held the lock for {timeout_secs} s more, so drydock ended it (what \
                     its statement did is undone and runs again)",
                    orphan.description
                ));
                deadline = Instant::now() + timeout;
            }
            holder => {
                // The holder may have changed: say who holds it now.
                let current = find_holder(client, host.as_deref())?.or(holder);
                return Err(ConnectorError::LockTimeout {
                    seconds: timeout_secs,
                    holder: current.map(|h| h.description),
                });
            }
        }
    }
}

/// Release the lock on the server session that took it, `backend_pid`. Behind a pooler that
/// was not recognised, another server session may answer: asked again until the lock's own
/// answers (within `timeout_secs`), since only it can release the lock.
pub(crate) fn unlock(
    client: &mut Client,
    timeout_secs: u64,
    backend_pid: i32,
) -> Result<(), ConnectorError> {
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    loop {
        let row = client
            .query_typed_one(
                "SELECT pg_backend_pid(), \
                 CASE WHEN pg_backend_pid() = $2 THEN pg_advisory_unlock($1) END",
                &[
                    (&MIGRATION_LOCK_KEY, Type::INT8),
                    (&backend_pid, Type::INT4),
                ],
            )
            .map_err(|e| query_error(&e))?;
        let answered_by: i32 = row.get(0);
        match row.get::<_, Option<bool>>(1) {
            Some(true) => return Ok(()),
            Some(false) => {
                return Err(ConnectorError::TransactionPooler {
                    why: format!(
                        "the server session that took the migration lock (backend \
                         {backend_pid}) no longer held it"
                    ),
                });
            }
            None => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(ConnectorError::TransactionPooler {
                why: format!(
                    "{}, and the one holding the migration lock did not answer again to release \
                     it within {timeout_secs} s",
                    different_sessions(backend_pid, answered_by)
                ),
            });
        }
        thread::sleep(POLL_INTERVAL.min(deadline - now));
    }
}

/// The session that holds the lock.
struct Holder {
    pid: i32,
    description: String,
    /// A session of a drydock process of this host that is gone.
    orphaned: bool,
}

/// Name the session after this process, unless the URL named it (`application_name`).
fn name_session(client: &mut Client, host: Option<&str>) -> Result<(), ConnectorError> {
    let named: String = client
        .query_typed_one("SELECT current_setting('application_name')", &[])
        .map_err(|e| query_error(&e))?
        .get(0);
    if named.is_empty() {
        client
            .query_typed_one(
                "SELECT set_config('application_name', $1, false)",
                &[(&session_name(std::process::id(), host), Type::TEXT)],
            )
            .map_err(|e| query_error(&e))?;
    }
    Ok(())
}

/// The drydock process of this host that `application_name` names, when it is gone.
fn gone_process(application_name: &str, host: Option<&str>) -> Option<u32> {
    let host = host?;
    let pid: u32 = application_name
        .strip_prefix("drydock pid ")?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    let ours = session_name(pid, Some(host)) == application_name;
    (ours && process_gone(pid)).then_some(pid)
}

/// Statement texts longer than this are cut in messages.
const STATEMENT_LIMIT: usize = 200;

fn find_holder(client: &mut Client, host: Option<&str>) -> Result<Option<Holder>, ConnectorError> {
    // A bigint advisory key is stored as two 32-bit halves, `objsubid` 1.
    let sql = format!(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), \
                coalesce(a.query, ''), \
                to_char(coalesce(a.query_start, a.backend_start) AT TIME ZONE 'UTC', \
                        'YYYY-MM-DD HH24:MI:SS'), \
                extract(epoch FROM now() - coalesce(a.query_start, a.backend_start))::bigint, \
                coalesce(host(a.client_addr), 'a local socket') \
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
            AND l.classid = {} AND l.objid = {} \
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
            AND a.pid <> pg_backend_pid() \
          LIMIT 1",
        MIGRATION_LOCK_KEY >> 32,
        MIGRATION_LOCK_KEY & 0xffff_ffff
    );
    let Some(row) = client
        .query_typed_opt(&sql, &[])
        .map_err(|e| query_error(&e))?
    else {
        return Ok(None);
    };
    let pid: i32 = row.get(0);
    let application: String = row.get(1);
    let state: String = row.get(2);
    let query: String = row.get(3);
    let since: Option<String> = row.get(4);
    let seconds: Option<i64> = row.get(5);
    let client_address: String = row.get(6);
    let mut statement: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
    if statement.len() > STATEMENT_LIMIT {
        let mut end = STATEMENT_LIMIT;
        while !statement.is_char_boundary(end) {
            end -= 1;
        }
        statement.truncate(end);
        statement.push_str("...");
    }
    let gone = gone_process(&application, host);
    let who = match gone {
        Some(process) => format!(
            "drydock's own session, orphaned: its process {process} on this host is gone \
             (killed?)"
        ),
        None if application.is_empty() => format!("a session from {client_address}"),
        None => format!("`{application}` from {client_address}"),
    };
    let mut description = format!("the migration lock is held by pid {pid}, {who}");
    if !state.is_empty() {
        description.push_str(&format!(", {state}"));
    }
    if let (Some(since), Some(seconds)) = (since, seconds) {
        description.push_str(&format!(" since {since} UTC ({seconds} s)"));
    }
    if !statement.is_empty() {
        let verb = if state == "active" {
            "running"
        } else {
            "last ran"
        };
        description.push_str(&format!(", {verb} `{statement}`"));
    }
    Ok(Some(Holder {
        pid,
        description,
        orphaned: gone.is_some(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_drydock_session_of_this_host_whose_process_is_gone_is_orphaned() {
        let gone = u32::MAX - 1;
        assert_eq!(
            gone_process(&session_name(gone, Some("db-1")), Some("db-1")),
            Some(gone)
        );
        assert_eq!(
            gone_process(&session_name(gone, Some("db-2")), Some("db-1")),
            None
        );
        let alive = std::process::id();
        assert_eq!(
            gone_process(&session_name(alive, Some("db-1")), Some("db-1")),
            None
        );
        assert_eq!(gone_process("psql", Some("db-1")), None);
        assert_eq!(gone_process(&session_name(gone, None), None), None);
    }
}
