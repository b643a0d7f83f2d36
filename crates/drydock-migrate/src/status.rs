//! `migrate status`: how the migrations folder and the history table compare. Read-only: takes
//! no lock and writes nothing.

use std::path::Path;

use chrono::{DateTime, Utc};
use drydock_connector::Connection;
use serde::Serialize;

use crate::MigrateError;
use crate::apply::failed_migrations;
use crate::conflicts::out_of_order;
use crate::directory::list_migrations;
use crate::error::FailedMigration;
use crate::integrity::verify_integrity;

/// The comparison of the migrations folder with the history table. Every migration of the
/// folder is in exactly one of `applied`, `failed` (by name) and `pending`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// `_prisma_migrations` exists. Without it the database is not managed by migrations: a new
    /// database needs a deploy, one with tables needs baselining.
    pub history_table_exists: bool,
    /// Number of migration folders.
    pub local_migrations: usize,
    /// Migrations of the folder that the history shows as applied, in folder order.
    pub applied: Vec<AppliedStatus>,
    /// Migrations of the folder not yet applied, in the order deploy would apply them.
    pub pending: Vec<String>,
    /// The pending migrations that sort before the newest applied one, which `migrate deploy`
    /// refuses without `--allow-out-of-order`.
    pub out_of_order: Vec<String>,
    /// The byte-wise greatest name the history has applied.
    pub newest_applied: Option<String>,
    /// Failed rows (started, neither finished nor rolled back): they block deploys.
    pub failed: Vec<FailedMigration>,
    /// Applied migrations whose `migration.sql` changed since (checksum mismatch).
    pub edited_after_applied: Vec<String>,
    /// Migrations the history shows as applied that have no folder here.
    pub missing_locally: Vec<String>,
    /// Indexes a concurrent build that did not finish left invalid (maintained by every write,
    /// never used by queries), as qualified names. `migrate deploy` rebuilds those of the
    /// migration it takes up again.
    pub invalid_indexes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedStatus {
    pub name: String,
    pub finished_at: DateTime<Utc>,
}

impl StatusReport {
    /// Nothing to apply, nothing failed, and history and folder agree. Edited migrations do not
    /// count (they are reported, as a warning).
    pub fn is_up_to_date(&self) -> bool {
        (self.history_table_exists || self.local_migrations == 0)
            && self.pending.is_empty()
            && self.failed.is_empty()
            && self.missing_locally.is_empty()
    }
}

/// Compare `migrations_dir` with the history of the database behind `conn`.
pub fn status(
    conn: &mut dyn Connection,
    migrations_dir: &Path,
) -> Result<StatusReport, MigrateError> {
    let local = list_migrations(migrations_dir)?;
    verify_integrity(migrations_dir, &local)?;
    if !conn.history_table_exists()? {
        return Ok(StatusReport {
            history_table_exists: false,
            local_migrations: local.len(),
            applied: Vec::new(),
            pending: local.into_iter().map(|m| m.name).collect(),
            out_of_order: Vec::new(),
            newest_applied: None,
            failed: Vec::new(),
            edited_after_applied: Vec::new(),
            missing_locally: Vec::new(),
            invalid_indexes: Vec::new(),
        });
    }
    let history = conn.read_history()?;
    let failed = failed_migrations(&history);
    let mut report = StatusReport {
        history_table_exists: true,
        local_migrations: local.len(),
        applied: Vec::new(),
        pending: Vec::new(),
        out_of_order: Vec::new(),
        newest_applied: crate::apply::newest_applied(&history).map(str::to_owned),
        failed,
        edited_after_applied: Vec::new(),
        missing_locally: Vec::new(),
        invalid_indexes: crate::apply::invalid_indexes(conn)?,
    };
    for migration in &local {
        let applied_row = history
            .iter()
            .rfind(|row| row.migration_name == migration.name && row.is_applied());
        match applied_row {
            Some(row) => {
                report.applied.push(AppliedStatus {
                    name: migration.name.clone(),
                    finished_at: row.finished_at.unwrap_or(row.started_at),
                });
                if !migration.matches_checksum(&row.checksum) {
                    report.edited_after_applied.push(migration.name.clone());
                }
            }
            None if report.failed.iter().any(|f| f.name == migration.name) => {}
            None => report.pending.push(migration.name.clone()),
        }
    }
    report.out_of_order = out_of_order(&report.pending, report.newest_applied.as_deref())
        .into_iter()
        .cloned()
        .collect();
    for row in history.iter().filter(|row| row.is_applied()) {
        let known = local.iter().any(|m| m.name == row.migration_name)
            || report.missing_locally.contains(&row.migration_name);
        if !known {
            report.missing_locally.push(row.migration_name.clone());
        }
    }
    Ok(report)
}
