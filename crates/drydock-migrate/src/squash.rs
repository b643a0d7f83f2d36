//! Recording a squash in the history: migrations `replaced` (applied, now gone from the folder)
//! are marked rolled back, and the squashed migration, which has their combined effect and is
//! already in the database, gets an applied row with its new checksum. Prisma and drydock then
//! both read the history as "the squashed migration is applied".

use std::path::Path;

use chrono::Utc;
use drydock_connector::Connection;

use crate::MigrateError;
use crate::apply::new_row;
use crate::directory::list_migrations;
use crate::lock::with_migration_lock;

/// Record that `squashed` (a folder in `migrations_dir`) replaces `replaced`, under the lock.
/// Every replaced migration must be applied; `squashed` may be one of them (it keeps its name).
/// Returns what taking the migration lock took, one line each.
pub fn record_squash(
    conn: &mut dyn Connection,
    migrations_dir: &Path,
    replaced: &[String],
    squashed: &str,
) -> Result<Vec<String>, MigrateError> {
    let local = list_migrations(migrations_dir)?;
    let migration = local.iter().find(|m| m.name == squashed).ok_or_else(|| {
        MigrateError::MigrationNotFound {
            name: squashed.to_owned(),
            dir: migrations_dir.to_path_buf(),
        }
    })?;
    with_migration_lock(conn, |conn, notes| {
        let history = conn.read_history()?;
        let mut rows = Vec::new();
        for name in replaced {
            let row = history
                .iter()
                .rfind(|row| &row.migration_name == name && row.is_applied())
                .ok_or_else(|| MigrateError::SquashNotApplied { name: name.clone() })?;
            rows.push(row.clone());
        }
        // The new row first: should anything fail after it, the squashed migration still
        // reads as applied and nothing would run twice.
        let mut row = new_row(migration);
        row.finished_at = Some(row.started_at);
        row.logs = Some(format!("squashed from: {}", replaced.join(", ")));
        row.applied_steps_count = 1;
        conn.insert_history_row(&row)?;
        let now = Utc::now();
        for mut old in rows {
            old.rolled_back_at = Some(now);
            conn.update_history_row(&old)?;
        }
        Ok(notes.to_vec())
    })
}
