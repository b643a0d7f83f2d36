//! `migrate down`: roll back applied migrations, newest first, by running their `down.sql`.
//!
//! Every migration to roll back is checked before anything runs: each needs a `down.sql`, and a
//! `down.sql` whose warnings block says it loses data needs explicit consent. Each down script
//! runs in one transaction with the update that sets `rolled_back_at` on its history row, so
//! Prisma and drydock both read the migration as not applied afterwards and `migrate deploy`
//! applies it again.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_connector::{Connection, Dialect, HistoryRow};
use serde::Serialize;

use crate::MigrateError;
use crate::apply::{failed_migrations, transaction_blocker};
use crate::directory::{LocalMigration, list_migrations};
use crate::lock::with_migration_lock;
use crate::lockfile::check_provider;

/// Which migrations to roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownTarget {
    /// The last `n` applied migrations.
    Steps(usize),
    /// Every migration applied after this one; it stays applied.
    To(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownReport {
    /// Rolled back, newest first.
    pub rolled_back: Vec<RolledBackMigration>,
    /// What taking the migration lock took, one line each (ending an orphaned session).
    pub lock_notes: Vec<String>,
    #[serde(rename = "duration_ms", serialize_with = "crate::serialize_millis")]
    pub duration: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolledBackMigration {
    pub name: String,
    /// Why its down script ran outside a transaction, when it did.
    pub non_transactional_reason: Option<String>,
    #[serde(rename = "duration_ms", serialize_with = "crate::serialize_millis")]
    pub duration: Duration,
}

/// A down script ready to run.
struct Planned<'a> {
    row: HistoryRow,
    migration: &'a LocalMigration,
    script: String,
}

/// Roll back the migrations `target` selects, under the migration lock.
pub fn down(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    migrations_dir: &Path,
    target: &DownTarget,
    accept_data_loss: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<DownReport, MigrateError> {
    let started = Instant::now();
    check_provider(migrations_dir, dialect.provider())?;
    let local = list_migrations(migrations_dir)?;
    let (rolled_back, lock_notes) = with_migration_lock(conn, |conn, notes| {
        let notes = notes.to_vec();
        if !conn.history_table_exists()? {
            return Ok((Vec::new(), notes));
        }
        let history = conn.read_history()?;
        let failed = failed_migrations(&history);
        if !failed.is_empty() {
            return Err(MigrateError::FailedMigrations { failed });
        }
        let plan = plan(&history, &local, target, accept_data_loss)?;
        Ok((run(dialect, conn, plan, progress)?, notes))
    })?;
    Ok(DownReport {
        rolled_back,
        lock_notes,
        duration: started.elapsed(),
    })
}

/// The rows to roll back, newest first, each with its down script; refuses before anything
/// runs when one cannot be rolled back.
fn plan<'a>(
    history: &[HistoryRow],
    local: &'a [LocalMigration],
    target: &DownTarget,
    accept_data_loss: bool,
) -> Result<Vec<Planned<'a>>, MigrateError> {
    // The applied rows in the order they were applied, the last row of a name winning.
    let mut applied: Vec<&HistoryRow> = Vec::new();
    for row in history.iter().filter(|row| row.is_applied()) {
        applied.retain(|earlier| earlier.migration_name != row.migration_name);
        applied.push(row);
    }
    let count = match target {
        DownTarget::Steps(n) => (*n).min(applied.len()),
        DownTarget::To(name) => {
            let position = applied
                .iter()
                .position(|row| &row.migration_name == name)
                .ok_or_else(|| MigrateError::DownTargetNotApplied { name: name.clone() })?;
            applied.len() - position - 1
        }
    };
    let mut planned = Vec::with_capacity(count);
    for row in applied.iter().rev().take(count) {
        let name = &row.migration_name;
        let migration = local
            .iter()
            .find(|m| &m.name == name)
            .ok_or_else(|| MigrateError::AppliedMigrationMissing { name: name.clone() })?;
        let down_path = migration
            .down_path()
            .ok_or_else(|| MigrateError::NoDownScript { name: name.clone() })?;
        let script = read_down_script(&down_path)?;
        let warnings = data_loss_warnings(&script);
        if !warnings.is_empty() && !accept_data_loss {
            return Err(MigrateError::DownLosesData {
                name: name.clone(),
                warnings,
            });
        }
        planned.push(Planned {
            row: (*row).clone(),
            migration,
            script,
        });
    }
    Ok(planned)
}

fn run(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    plan: Vec<Planned<'_>>,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<RolledBackMigration>, MigrateError> {
    let mut done: Vec<RolledBackMigration> = Vec::with_capacity(plan.len());
    for Planned {
        mut row,
        migration,
        script,
    } in plan
    {
        progress(&migration.name);
        let started = Instant::now();
        row.rolled_back_at = Some(Utc::now());
        let reason = transaction_blocker(dialect, &script);
        let result = match &reason {
            None => conn.execute_and_record(&script, &row),
            Some(_) => run_outside_transaction(dialect, conn, &row, &script),
        };
        if let Err(error) = result {
            if reason.is_some() {
                // A failure inside the script's own transaction leaves it open.
                let _ = conn.abort_open_transaction();
            }
            return Err(MigrateError::DownFailed {
                name: migration.name.clone(),
                message: error.message,
                rolled_back: done.into_iter().map(|m| m.name).collect(),
            });
        }
        done.push(RolledBackMigration {
            name: migration.name.clone(),
            non_transactional_reason: reason,
            duration: started.elapsed(),
        });
    }
    Ok(done)
}

/// The start of the logs of an applied row whose `down.sql` (outside a transaction) stopped
/// part-way; the rest of the line says how far it got.
const DOWN_UNFINISHED: &str = "down.sql cut short:";

/// How many statements of the row's `down.sql` completed before a run that was cut short.
pub(crate) fn down_progress(row: &HistoryRow) -> Option<(usize, usize)> {
    let rest = row.logs.as_deref()?.strip_prefix(DOWN_UNFINISHED)?;
    let mut numbers = rest
        .split_whitespace()
        .filter_map(|word| word.parse::<usize>().ok());
    Some((numbers.next()?, numbers.next()?))
}

/// Run a down script statement by statement, recording after each how many completed (in the
/// row's logs; the row stays applied), and mark the row rolled back at the end. A run cut short
/// (`kill -9`, a lost session) is continued by the next `migrate down`: it starts at the first
/// statement not recorded, which counts as done when what it drops is gone already (the
/// server finished it after the process died, or the kill came before the count was written).
fn run_outside_transaction(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    row: &HistoryRow,
    script: &str,
) -> Result<(), drydock_connector::ScriptError> {
    let whole = 0..script.len();
    let split = dialect.split_statements(script);
    let statements = if !split.is_empty() && split.iter().all(|r| script.get(r.clone()).is_some()) {
        split
    } else {
        vec![whole]
    };
    let total = statements.len();
    let first = down_progress(row).map_or(0, |(done, _)| done.min(total));
    let mut progress_row = row.clone();
    progress_row.rolled_back_at = None;
    for (index, range) in statements.iter().enumerate().skip(first) {
        match conn.execute_script(&script[range.clone()]) {
            Ok(()) => {}
            // The server may have finished it after the process died, before it was counted.
            Err(error) if index == first && dialect.is_already_gone(&error) => {}
            Err(error) => return Err(error),
        }
        progress_row.logs = Some(format!(
            "{DOWN_UNFINISHED} {} of {total} statement(s) completed; `drydock migrate down` \
             continues it",
            index + 1
        ));
        conn.update_history_row(&progress_row)
            .map_err(drydock_connector::ScriptError::from_connector)?;
    }
    let mut done = row.clone();
    done.logs = None;
    conn.update_history_row(&done)
        .map_err(drydock_connector::ScriptError::from_connector)
}

fn read_down_script(path: &Path) -> Result<String, MigrateError> {
    let bytes = std::fs::read(path)
        .map_err(|e| MigrateError::io("can't read the down migration", path, e))?;
    let text = String::from_utf8(bytes).map_err(|_| MigrateError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}

/// The warnings of a leading `/* Warnings: - … */` block, the way migration files flag
/// destructive steps.
pub fn data_loss_warnings(script: &str) -> Vec<String> {
    let Some(rest) = script.trim_start().strip_prefix("/*") else {
        return Vec::new();
    };
    let Some(end) = rest.find("*/") else {
        return Vec::new();
    };
    let block = &rest[..end];
    if !block.trim_start().starts_with("Warnings:") {
        return Vec::new();
    }
    block
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("- "))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::data_loss_warnings;

    #[test]
    fn reads_the_warnings_block_of_a_migration_file() {
        let script = "/*\n  Warnings:\n\n  - You are about to drop the `Post` table.\n  - Second.\n\n*/\n-- DropTable\nDROP TABLE \"Post\";\n";
        assert_eq!(
            data_loss_warnings(script),
            ["You are about to drop the `Post` table.", "Second."]
        );
        assert!(data_loss_warnings("-- CreateTable\nCREATE TABLE t (id int);\n").is_empty());
        assert!(data_loss_warnings("/* a note */\nSELECT 1;").is_empty());
        assert!(data_loss_warnings("/* Warnings: unterminated").is_empty());
    }
}
