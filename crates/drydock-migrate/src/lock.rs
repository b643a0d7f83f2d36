//! Running a piece of work under the migration lock, releasing it on every path.

use drydock_connector::Connection;

use crate::MigrateError;

/// What a note of taking the lock is about, as commands show it.
pub const LOCK_NOTE_NAME: &str = "the migration lock";

/// How long to wait for another process's lock, like Prisma.
pub(crate) const LOCK_TIMEOUT_SECS: u64 = 10;

/// Take the lock, run `work` (given what taking the lock took, one line each), release the
/// lock. The work's error wins over an unlock error.
pub(crate) fn with_migration_lock<T>(
    conn: &mut dyn Connection,
    work: impl FnOnce(&mut dyn Connection, &[String]) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    with_lock(conn, work)
}

/// [`with_migration_lock`] for work with errors of its own (a caller's that replays migrations
/// on a shadow database under the lock).
pub fn with_lock<T, E: From<MigrateError>>(
    conn: &mut dyn Connection,
    work: impl FnOnce(&mut dyn Connection, &[String]) -> Result<T, E>,
) -> Result<T, E> {
    let notes = conn
        .lock_migrations(LOCK_TIMEOUT_SECS)
        .map_err(|e| E::from(MigrateError::from(e)))?;
    let result = work(&mut *conn, &notes);
    let unlocked = conn.unlock_migrations();
    let value = result?;
    unlocked.map_err(|e| E::from(MigrateError::from(e)))?;
    Ok(value)
}
