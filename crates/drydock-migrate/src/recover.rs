//! The two ways out of a migration that failed halfway outside a transaction (its completed
//! statements applied, the rest not): `migrate resolve --finish` runs the rest of the current
//! file, as deploy continues an interrupted migration, and `--undo` runs a script that undoes
//! the completed statements (computed by the caller) and marks the row rolled back.
//!
//! Both start from [`failed_run`]: the failed row, and the statements the row counts as done
//! checked against the file (its checksum, else the fingerprints its logs list).

use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_connector::{Connection, Dialect, HistoryRow, ScriptError};
use serde::Serialize;

use crate::MigrateError;
use crate::apply::{
    AppliedMigration, DeployEvent, DeployOptions, finish_locked, manages_own_transaction,
    transaction_blocker, with_deploy_session,
};
use crate::directory::{LocalMigration, list_migrations};
use crate::lockfile::check_provider;
use crate::statement_log::done_statements_changed;

/// A migration that failed halfway outside a transaction, as its failed history row and its
/// current file say.
#[derive(Debug, Clone)]
pub struct FailedRun {
    /// The failed row (started, neither finished nor rolled back).
    pub row: HistoryRow,
    pub migration: LocalMigration,
    /// The byte ranges of the statements of the file's executable script.
    pub statements: Vec<Range<usize>>,
    /// Why it runs outside a transaction.
    pub non_transactional_reason: String,
}

impl FailedRun {
    /// How many statements completed and stay applied.
    pub fn done(&self) -> usize {
        (self.row.applied_steps_count as usize).min(self.statements.len())
    }

    /// The statements that completed, as the file has them (checked to be those that ran).
    pub fn done_statements(&self) -> Vec<&str> {
        let script = self.migration.executable_script();
        self.statements[..self.done()]
            .iter()
            .filter_map(|range| script.get(range.clone()))
            .collect()
    }
}

/// The failed run of migration `name`, read from `history` (read under the migration lock) and
/// the folder's migrations `local`.
///
/// Errors: P3017 (no such folder), D3140 (no failed row), D3141 (it ran in a transaction),
/// D3142 (statements counted as done differ from the file's).
pub fn failed_run(
    dialect: &dyn Dialect,
    history: &[HistoryRow],
    local: &[LocalMigration],
    migrations_dir: &Path,
    name: &str,
) -> Result<FailedRun, MigrateError> {
    let Some(migration) = local.iter().find(|m| m.name == name) else {
        return Err(MigrateError::MigrationNotFound {
            name: name.to_owned(),
            dir: migrations_dir.to_owned(),
        });
    };
    let rows: Vec<&HistoryRow> = history
        .iter()
        .filter(|row| row.migration_name == name)
        .collect();
    let Some(row) = rows.iter().rfind(|row| row.is_failed()) else {
        let state = if rows.iter().any(|row| row.is_applied()) {
            "it is applied"
        } else if rows.is_empty() {
            "it was never applied to this database"
        } else {
            "its failed run was marked rolled back already, so the next deploy runs it again"
        };
        return Err(MigrateError::NotFailedHalfway {
            name: name.to_owned(),
            state: state.to_owned(),
        });
    };
    let script = migration.executable_script();
    let rules = dialect.lexical_rules();
    let Some(reason) = transaction_blocker(dialect, script) else {
        return Err(MigrateError::FailedInTransaction {
            name: name.to_owned(),
            why: "runs in a transaction".to_owned(),
        });
    };
    // Statements inside its own transaction were counted, then rolled back with it.
    if manages_own_transaction(script, rules) {
        return Err(MigrateError::FailedInTransaction {
            name: name.to_owned(),
            why: "opens a transaction of its own, which its failure rolled back".to_owned(),
        });
    }
    let run = FailedRun {
        row: (*row).clone(),
        migration: migration.clone(),
        statements: dialect.split_statements(script),
        non_transactional_reason: reason,
    };
    let done = run.row.applied_steps_count as usize;
    if !migration.matches_checksum(&run.row.checksum) {
        let changed = done_statements_changed(
            run.row.logs.as_deref(),
            script,
            &run.statements,
            done,
            rules,
        );
        if !changed.is_empty() {
            return Err(MigrateError::DoneStatementsChanged {
                name: name.to_owned(),
                done,
                changed,
            });
        }
    }
    Ok(run)
}

/// What `migrate resolve --finish` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FinishReport {
    pub name: String,
    /// The statement it continued with (1-based).
    pub first_statement: usize,
    /// The statements of the migration.
    pub statements: usize,
    pub applied: AppliedMigration,
    #[serde(rename = "duration_ms", serialize_with = "crate::serialize_millis")]
    pub duration: Duration,
}

/// Finish migration `name`, which failed halfway outside a transaction: under the migration
/// lock, check its failed run ([`failed_run`]), then run its current file from the first
/// statement the row does not count as done, as deploy runs statements outside a transaction.
/// On success the row is finished with the file's checksum; on failure it stays failed with
/// new logs (P3018).
pub fn resolve_finish(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    migrations_dir: &Path,
    name: &str,
    options: &DeployOptions,
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<FinishReport, MigrateError> {
    let started = Instant::now();
    check_provider(migrations_dir, dialect.provider())?;
    let local = list_migrations(migrations_dir)?;
    with_deploy_session(
        dialect,
        conn,
        options,
        progress,
        |policy, conn, progress| {
            let history = read_history(conn)?;
            let run = failed_run(dialect, &history, &local, migrations_dir, name)?;
            run.migration.check_sendable()?;
            let first_statement = run.done() + 1;
            let statements = run.statements.len();
            let applied = finish_locked(policy, options, conn, &run.migration, run.row, progress)?;
            Ok(FinishReport {
                name: name.to_owned(),
                first_statement,
                statements,
                applied,
                duration: started.elapsed(),
            })
        },
    )
}

/// The history, empty without a history table.
pub fn read_history(conn: &mut dyn Connection) -> Result<Vec<HistoryRow>, MigrateError> {
    Ok(if conn.history_table_exists()? {
        conn.read_history()?
    } else {
        Vec::new()
    })
}

/// What running an undo script did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndoReport {
    pub name: String,
    /// The migration's statements undone (those its failed run completed).
    pub statements_undone: usize,
    /// The statements of the undo script.
    pub undo_statements: usize,
    /// The undo statements (1-based) whose object was gone already: an earlier undo had run
    /// them.
    pub already_done: Vec<usize>,
}

/// Run `undo` (a script that undoes the completed statements of `run`) on the database one
/// statement at a time, then mark the failed row rolled back, so that the next deploy runs the
/// migration from its first statement. A statement whose object is gone already
/// (`Dialect::is_already_gone`) counts as done: an earlier undo that failed part-way ran it.
/// Call under the migration lock, with `run` read under it.
///
/// Errors: D3145 (a statement failed; the row stays failed), connection errors.
pub fn run_undo(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    run: &FailedRun,
    undo: &str,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<UndoReport, MigrateError> {
    let name = &run.migration.name;
    let statements: Vec<&str> = dialect
        .split_statements(undo)
        .into_iter()
        .filter_map(|range| undo.get(range))
        .filter(|statement| !statement.trim().is_empty())
        .collect();
    let total = statements.len();
    let mut already_done = Vec::new();
    for (index, statement) in statements.iter().enumerate() {
        progress(index + 1, total, statement);
        match conn.execute_script(statement) {
            Ok(()) => {}
            Err(error) if dialect.is_already_gone(&error) => already_done.push(index + 1),
            Err(ScriptError { message, .. }) => {
                return Err(MigrateError::UndoFailed {
                    name: name.clone(),
                    number: index + 1,
                    total,
                    done: index,
                    message,
                });
            }
        }
    }
    let mut row = run.row.clone();
    row.rolled_back_at = Some(Utc::now());
    let mut logs = row.logs.unwrap_or_default();
    logs.push_str(&format!(
        "\nUndone by `drydock migrate resolve --undo`: the {} completed statement(s) were undone \
         with {total} statement(s); the next deploy runs the migration from its first \
         statement.\n",
        run.done()
    ));
    row.logs = Some(logs);
    conn.update_history_row(&row)?;
    Ok(UndoReport {
        name: name.clone(),
        statements_undone: run.done(),
        undo_statements: total,
        already_done,
    })
}
