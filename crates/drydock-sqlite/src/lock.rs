//! The migration lock on SQLite: `PRAGMA main.locking_mode=EXCLUSIVE` (as Prisma does) plus a
//! `BEGIN EXCLUSIVE; COMMIT;` to take the file lock at once.
//!
//! In exclusive locking mode SQLite never releases a file lock it has taken, so after the empty
//! exclusive transaction this connection keeps the EXCLUSIVE lock across all the apply
//! transactions that follow. Another process (drydock or Prisma) cannot even read the file
//! meanwhile: its own lock attempt waits in the busy handler and fails after its timeout. The
//! second process therefore reads the history only after the first one released the lock, and
//! sees every migration the first applied: each migration is applied exactly once.
//! Unlocking switches back to normal mode and reads once, which releases the lock.
//!
//! In WAL mode the same pragma is stricter: the exclusive lock can only be taken while no other
//! connection has the file open, and it lasts until this connection closes. Mutual exclusion
//! still holds; Prisma behaves the same way.

use std::time::Duration;

use drydock_connector::ConnectorError;

use crate::connection::{BUSY_TIMEOUT, is_busy, query_error};

pub(crate) fn lock(conn: &rusqlite::Connection, timeout_secs: u64) -> Result<(), ConnectorError> {
    conn.busy_timeout(Duration::from_secs(timeout_secs))
        .map_err(query_error)?;
    let locked = conn.execute_batch("PRAGMA main.locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;");
    let restored = conn.busy_timeout(BUSY_TIMEOUT).map_err(query_error);
    match locked {
        Ok(()) => restored,
        Err(error) => {
            if !conn.is_autocommit() {
                // Nothing ran inside the transaction; a failed rollback changes nothing.
                let _ = conn.execute_batch("ROLLBACK");
            }
            // Back to normal mode so this connection does not keep a shared lock it may take.
            let _ = conn.execute_batch("PRAGMA main.locking_mode=NORMAL");
            restored?;
            if is_busy(&error) {
                Err(ConnectorError::LockTimeout {
                    seconds: timeout_secs,
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
