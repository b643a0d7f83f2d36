//! The migration lock on PostgreSQL: the session-level advisory lock 72707369, Prisma's key, so
//! drydock and Prisma exclude each other. Taken by polling `pg_try_advisory_lock` until the
//! timeout, which never leaves a waiting lock request behind on the server.

use std::thread;
use std::time::{Duration, Instant};

use drydock_connector::ConnectorError;
use postgres::Client;

use crate::connection::query_error;

/// Prisma Migrate's advisory lock key.
pub(crate) const MIGRATION_LOCK_KEY: i64 = 72_707_369;

const POLL_INTERVAL: Duration = Duration::from_millis(100);

pub(crate) fn lock(client: &mut Client, timeout_secs: u64) -> Result<(), ConnectorError> {
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    loop {
        let acquired: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
            .map_err(|e| query_error(&e))?
            .get(0);
        if acquired {
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

pub(crate) fn unlock(client: &mut Client) -> Result<(), ConnectorError> {
    client
        .query_one("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
        .map_err(|e| query_error(&e))?;
    Ok(())
}
