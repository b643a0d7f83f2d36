//! `migrate resolve`: record by hand that a migration is applied (also how an existing database
//! is baselined) or that a failed migration was rolled back. Both run under the migration lock.

use std::path::Path;

use chrono::Utc;
use drydock_connector::{Connection, HistoryRow};
use serde::Serialize;

use crate::MigrateError;
use crate::apply::new_row;
use crate::directory::list_migrations;
use crate::lock::with_migration_lock;

/// What a resolve changed in the history table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolveReport {
    pub name: String,
    /// `_prisma_migrations` did not exist and was created (baselining).
    pub history_table_created: bool,
    /// Failed rows of this migration now marked as rolled back.
    pub rolled_back_rows: usize,
    /// Statements of the migration that a failed or interrupted run outside a transaction had
    /// completed (the most any rolled-back row recorded). A deploy after `--rolled-back` runs
    /// them again, so they must have been undone.
    pub statements_completed: u32,
    /// What taking the migration lock took, one line each.
    pub lock_notes: Vec<String>,
}

/// Mark migration `name` of `migrations_dir` as applied without running it: failed rows of it
/// are marked as rolled back, and a finished row with the current checksum is inserted.
///
/// Errors: P3017 (no such folder), P3008 (already applied), P3015, lock and connection errors.
pub fn resolve_applied(
    conn: &mut dyn Connection,
    migrations_dir: &Path,
    name: &str,
) -> Result<ResolveReport, MigrateError> {
    let local = list_migrations(migrations_dir)?;
    let Some(migration) = local.into_iter().find(|m| m.name == name) else {
        return Err(MigrateError::MigrationNotFound {
            name: name.to_owned(),
            dir: migrations_dir.to_owned(),
        });
    };
    with_migration_lock(conn, |conn, notes| {
        let history_table_created = !conn.history_table_exists()?;
        if history_table_created {
            conn.create_history_table()?;
        }
        let history = conn.read_history()?;
        let rows = history.iter().filter(|row| row.migration_name == name);
        if rows
            .clone()
            .any(|row| row.finished_at.is_some() && row.rolled_back_at.is_none())
        {
            return Err(MigrateError::AlreadyApplied {
                name: name.to_owned(),
            });
        }
        let now = Utc::now();
        let mut rolled_back_rows = 0;
        let statements_completed = completed_statements(rows.clone());
        for row in rows.filter(|row| row.is_failed()) {
            let mut row = row.clone();
            row.rolled_back_at = Some(now);
            conn.update_history_row(&row)?;
            rolled_back_rows += 1;
        }
        let mut row = new_row(&migration);
        row.started_at = now;
        row.finished_at = Some(now);
        row.logs = Some(String::new());
        conn.insert_history_row(&row)?;
        Ok(ResolveReport {
            name: name.to_owned(),
            history_table_created,
            rolled_back_rows,
            statements_completed,
            lock_notes: notes.to_vec(),
        })
    })
}

/// Mark the failed rows of migration `name` as rolled back, so deploy runs it again.
///
/// Errors: P3011 (never applied), P3012 (not failed), lock and connection errors.
pub fn resolve_rolled_back(
    conn: &mut dyn Connection,
    name: &str,
) -> Result<ResolveReport, MigrateError> {
    with_migration_lock(conn, |conn, notes| {
        let history = if conn.history_table_exists()? {
            conn.read_history()?
        } else {
            Vec::new()
        };
        let rows: Vec<_> = history
            .iter()
            .filter(|row| row.migration_name == name)
            .collect();
        if rows.is_empty() {
            return Err(MigrateError::RollBackNeverApplied {
                name: name.to_owned(),
            });
        }
        let now = Utc::now();
        let mut rolled_back_rows = 0;
        let statements_completed = completed_statements(rows.iter().copied());
        for row in rows.into_iter().filter(|row| row.is_failed()) {
            let mut row = row.clone();
            row.rolled_back_at = Some(now);
            conn.update_history_row(&row)?;
            rolled_back_rows += 1;
        }
        if rolled_back_rows == 0 {
            return Err(MigrateError::RollBackNotFailed {
                name: name.to_owned(),
            });
        }
        Ok(ResolveReport {
            name: name.to_owned(),
            history_table_created: false,
            rolled_back_rows,
            statements_completed,
            lock_notes: notes.to_vec(),
        })
    })
}

/// The most statements any failed row of `rows` recorded as completed.
fn completed_statements<'a>(rows: impl Iterator<Item = &'a HistoryRow>) -> u32 {
    rows.filter(|row| row.is_failed())
        .map(|row| row.applied_steps_count)
        .max()
        .unwrap_or(0)
}
