//! The migration lock on SQLite: an exclusive file lock kept with
//! `PRAGMA main.locking_mode=EXCLUSIVE`, the pragma Prisma uses, so each excludes the other.
//!
//! `BEGIN EXCLUSIVE` takes the file lock in normal locking mode, waiting in the busy handler
//! up to the timeout; only once it is held does the connection switch to exclusive locking mode
//! and commit the empty transaction. In exclusive mode SQLite never releases a file lock it
//! holds, so the EXCLUSIVE lock stays across all the apply transactions that follow. (Switching
//! first would be wrong: in exclusive mode a failed attempt keeps the SHARED lock it got on the
//! way, and two waiting processes then block each other until both time out.)
//!
//! Another process (drydock or Prisma) cannot even read the file meanwhile, so it reads the
//! history only after the first released the lock, and sees every migration the first applied:
//! each migration is applied exactly once. Unlocking switches back to normal mode and reads
//! once, which releases the lock.
//!
//! In WAL mode the pragma is stricter: the lock can only be taken while no other connection
//! has the file open, and it lasts until this connection closes. Mutual exclusion still holds;
//! Prisma behaves the same way.

use std::time::Duration;

use drydock_connector::ConnectorError;

use crate::connection::{BUSY_TIMEOUT, is_busy, query_error};

pub(crate) fn lock(conn: &rusqlite::Connection, timeout_secs: u64) -> Result<(), ConnectorError> {
    conn.busy_timeout(Duration::from_secs(timeout_secs))
        .map_err(query_error)?;
    let locked = conn.execute_batch("BEGIN EXCLUSIVE; PRAGMA main.locking_mode=EXCLUSIVE; COMMIT;");
    let restored = conn.busy_timeout(BUSY_TIMEOUT).map_err(query_error);
    match locked {
        Ok(()) => restored,
        Err(error) => {
            // Back to normal mode and out of the transaction, so no lock stays behind; the
            // original error is the one to report.
            let _ = conn.execute_batch("PRAGMA main.locking_mode=NORMAL");
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            restored?;
            if is_busy(&error) {
                Err(ConnectorError::LockTimeout {
                    seconds: timeout_secs,
                    holder: None,
                })
            } else {
                Err(query_error(error))
            }
        }
    }
}

pub(crate) fn unlock(conn: &rusqlite::Connection) -> Result<(), ConnectorError> {
    conn.execute_batch("PRAGMA main.locking_mode=NORMAL; SELECT count(*) FROM sqlite_master;")
        .map_err(query_error)
}
