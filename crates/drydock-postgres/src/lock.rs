//! The migration lock on PostgreSQL: the session-level advisory lock 72707369, Prisma's key, so
//! drydock and Prisma exclude each other. Taken by polling `pg_try_advisory_lock` until the
//! timeout, which never leaves a waiting lock request behind on the server.
//!
//! A session-level lock belongs to one server session. Behind a transaction-mode pooler each
//! statement may run on another one, so the lock is only taken on the server session that
//! answered the connection's first statement; another one answering is the pooler showing.

use std::thread;
use std::time::{Duration, Instant};

use drydock_connector::ConnectorError;
use postgres::Client;
use postgres::types::Type;

use crate::connection::query_error;

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

/// Take the lock on the server session `backend_pid`, the session's own.
pub(crate) fn lock(
    client: &mut Client,
    timeout_secs: u64,
    backend_pid: i32,
) -> Result<(), ConnectorError> {
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
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
                why: format!(
                    "consecutive statements were answered by different server sessions \
                     (backend {backend_pid}, then {answered_by})"
                ),
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
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(ConnectorError::LockTimeout {
                seconds: timeout_secs,
            });
        }
        thread::sleep(POLL_INTERVAL.min(deadline - now));
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
                    "consecutive statements were answered by different server sessions \
                     (backend {backend_pid}, then {answered_by}), and the one holding the \
                     migration lock did not answer again to release it within {timeout_secs} s"
                ),
            });
        }
        thread::sleep(POLL_INTERVAL.min(deadline - now));
    }
}
