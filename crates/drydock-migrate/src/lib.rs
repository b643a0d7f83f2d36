//! Prisma-compatible migrations: the migrations folder (`directory`, `checksum`, `lockfile`,
//! `naming`) and the history protocol on `_prisma_migrations` (`apply` for deploy, `status`,
//! `resolve`), and conflicts between branches (`conflicts`, the integrity file `integrity`).
//!
//! Everything here is generic over [`drydock_connector::Dialect`] and
//! [`drydock_connector::Connection`]: it asks the dialect for capabilities and never names a
//! database. A project can move between Prisma Migrate and drydock in either direction: the
//! folder layout, the lock file, the checksums and the history rows are Prisma's.

mod apply;
mod backfill;
mod checksum;
mod conflicts;
mod directory;
mod down;
mod error;
#[cfg(test)]
mod fake;
mod integrity;
mod lock;
mod lockfile;
mod naming;
#[cfg(test)]
mod protocol_tests;
mod recover;
mod resolve;
mod squash;
mod statement_log;
mod status;
mod watch;

pub use apply::{
    AppliedMigration, CONTRACT_MARKER, ConfirmPending, DEFAULT_LOCK_RETRIES, DEFAULT_LOCK_TIMEOUT,
    DEFAULT_RETRY_DELAY, DeployEvent, DeployOptions, DeployReport, INTERRUPTED_LOGS,
    MAX_RETRY_DELAY, PendingRefusal, deploy, deploy_with, describe_session, is_contract,
    newest_applied, transaction_blocker,
};
pub use backfill::{
    BACKFILL_DIRECTIVE, BACKFILL_TABLE, Backfill, BackfillDirective, BackfillError,
    BackfillProgress, BackfillReport, BackfillUpdate, DEFAULT_BATCH_SIZE, DirectiveError,
    UnfinishedBackfill, find_backfills, find_directive, run_backfill, script_has_backfill,
    unfinished_backfill,
};
pub use checksum::{checksum, checksum_matches};
pub use conflicts::{
    Conflict, ConflictKind, folder_conflicts, object_conflicts, out_of_order,
    out_of_order_conflict, split_folder_name, touched_objects,
};
pub use directory::{
    DOWN_FILE_NAME, LocalMigration, MIGRATION_FILE_NAME, STAGING_PREFIX, list_migrations,
};
pub use down::{DownReport, DownTarget, RolledBackMigration, data_loss_warnings, down};
pub use error::{FailedMigration, MigrateError};
pub use integrity::{
    INTEGRITY_FILE_NAME, IntegrityFile, SumLine, has_integrity_file, integrity_file_contents,
    read_integrity_file, verify_integrity, write_integrity_file,
};
pub use lock::{LOCK_NOTE_NAME, with_lock};
pub use lockfile::{
    LOCK_FILE_NAME, check_provider, lock_file_contents, parse_lock_file, read_lock_file,
    write_lock_file,
};
pub use naming::{new_migration_folder_name, slugify};
pub use recover::{
    FailedRun, FinishReport, UndoReport, failed_run, read_history, resolve_finish, run_undo,
};
pub use resolve::{ResolveReport, resolve_applied, resolve_rolled_back};
pub use squash::record_squash;
pub use statement_log::{fingerprint, first_line};
pub use status::{AppliedStatus, StatusReport, status};
pub use watch::{OpenWatchConnection, WatchEvent, WatchOptions, WatchReporter};

/// Durations appear in JSON as whole milliseconds.
fn serialize_millis<S: serde::Serializer>(
    duration: &std::time::Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}
