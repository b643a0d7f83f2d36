//! `migrate deploy`: apply every migration of the folder that the history does not show as
//! applied, in order, under the migration lock.
//!
//! A migration that can run in a transaction runs in one together with its finished history
//! row, so the database holds both or neither. One that cannot (`CREATE INDEX CONCURRENTLY`, its
//! own `BEGIN`/`COMMIT`, a dialect without transactional DDL) gets a started row first, then runs,
//! then the row is finished. A failure leaves a failed row that says what went wrong and blocks
//! later deploys until `migrate resolve`.

use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_connector::{Connection, Dialect, HISTORY_TABLE, HistoryRow, ScriptError};
use serde::Serialize;

use crate::MigrateError;
use crate::directory::{LocalMigration, list_migrations};
use crate::error::FailedMigration;
use crate::lock::with_migration_lock;
use crate::lockfile::check_provider;

/// What a deploy did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployReport {
    /// `_prisma_migrations` did not exist and was created.
    pub history_table_created: bool,
    /// Migrations applied by this deploy, in order.
    pub applied: Vec<AppliedMigration>,
    /// Migrations of the folder that were applied before.
    pub already_applied: usize,
    /// Applied migrations whose `migration.sql` changed since (checksum mismatch). Deploy does
    /// not act on them, like Prisma; they are reported so that they can be shown as a warning.
    pub edited_after_applied: Vec<String>,
    /// The whole deploy, lock wait included.
    #[serde(rename = "duration_ms", serialize_with = "crate::serialize_millis")]
    pub duration: Duration,
}

/// One migration applied by a deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedMigration {
    pub name: String,
    /// Why it ran outside a transaction, when it did.
    pub non_transactional_reason: Option<String>,
    #[serde(rename = "duration_ms", serialize_with = "crate::serialize_millis")]
    pub duration: Duration,
}

/// Progress of a deploy, for the binary to show.
#[derive(Debug, Clone, Copy)]
pub enum DeployEvent<'a> {
    /// About to run migration `index` (0-based) of the `total` this deploy applies.
    Applying {
        name: &'a str,
        index: usize,
        total: usize,
        /// Why it will run outside a transaction, when it will.
        non_transactional_reason: Option<&'a str>,
    },
    /// A migration was applied and recorded.
    Applied(&'a AppliedMigration),
}

/// Apply the pending migrations of `migrations_dir` to the database behind `conn`.
///
/// Errors: P3019 (lock file for another provider), P3015 (a folder without `migration.sql`),
/// P3005 (tables but no history: baseline first), P3009 (failed migrations in the history),
/// P3018 (a migration failed; recorded as failed), P1002 (lock timeout), connection errors.
pub fn deploy(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    migrations_dir: &Path,
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<DeployReport, MigrateError> {
    let started = Instant::now();
    check_provider(migrations_dir, dialect.provider())?;
    let local = list_migrations(migrations_dir)?;
    let policy = ScriptPolicy {
        blocker: &|script| transaction_blocker(dialect, script),
        split: &|script| dialect.split_statements(script),
    };
    let mut report =
        with_migration_lock(conn, |conn| deploy_locked(&policy, conn, &local, progress))?;
    report.duration = started.elapsed();
    Ok(report)
}

/// What deploy needs to know from the dialect about running scripts.
pub(crate) struct ScriptPolicy<'a> {
    /// Why a script must run outside a transaction, if it must.
    pub(crate) blocker: &'a dyn Fn(&str) -> Option<String>,
    /// The byte ranges of a script's statements, in order: a script that runs outside a
    /// transaction runs one range at a time, and its history row records the progress.
    pub(crate) split: &'a dyn Fn(&str) -> Vec<Range<usize>>,
}

/// Why `script` must run outside a transaction on this dialect, if it must.
pub(crate) fn transaction_blocker(dialect: &dyn Dialect, script: &str) -> Option<String> {
    if dialect.capabilities().transactional_ddl {
        dialect.needs_no_transaction(script)
    } else {
        Some("the database does not run DDL in transactions".to_owned())
    }
}

/// The deploy itself, once the lock is held.
pub(crate) fn deploy_locked(
    policy: &ScriptPolicy<'_>,
    conn: &mut dyn Connection,
    local: &[LocalMigration],
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<DeployReport, MigrateError> {
    let history_table_created = !conn.history_table_exists()?;
    if history_table_created {
        if conn.has_user_tables()? {
            return Err(MigrateError::NonEmptySchema {
                first_migration: local.first().map(|m| m.name.clone()),
            });
        }
        conn.create_history_table()?;
    }
    let history = conn.read_history()?;
    let failed = failed_migrations(&history);
    if !failed.is_empty() {
        return Err(MigrateError::FailedMigrations { failed });
    }
    let mut pending = Vec::new();
    let mut edited_after_applied = Vec::new();
    for migration in local {
        let applied_row = history
            .iter()
            .rfind(|row| row.migration_name == migration.name && row.is_applied());
        match applied_row {
            Some(row) if !migration.matches_checksum(&row.checksum) => {
                edited_after_applied.push(migration.name.clone());
            }
            Some(_) => {}
            None => pending.push(migration),
        }
    }
    let mut applied = Vec::with_capacity(pending.len());
    for (index, migration) in pending.iter().enumerate() {
        let script = migration.executable_script();
        let non_transactional_reason = (policy.blocker)(script);
        progress(DeployEvent::Applying {
            name: &migration.name,
            index,
            total: pending.len(),
            non_transactional_reason: non_transactional_reason.as_deref(),
        });
        let started = Instant::now();
        match &non_transactional_reason {
            None => apply_in_transaction(conn, migration)?,
            Some(reason) => {
                let statements = (policy.split)(script);
                apply_outside_transaction(conn, migration, &statements, reason)?;
            }
        }
        applied.push(AppliedMigration {
            name: migration.name.clone(),
            non_transactional_reason,
            duration: started.elapsed(),
        });
        if let Some(last) = applied.last() {
            progress(DeployEvent::Applied(last));
        }
    }
    Ok(DeployReport {
        history_table_created,
        already_applied: local.len() - pending.len(),
        edited_after_applied,
        applied,
        duration: Duration::ZERO,
    })
}

/// The history rows that block deploys, oldest first.
pub(crate) fn failed_migrations(history: &[HistoryRow]) -> Vec<FailedMigration> {
    history
        .iter()
        .filter(|row| row.is_failed())
        .map(|row| FailedMigration {
            name: row.migration_name.clone(),
            started_at: row.started_at,
            logs: row.logs.clone(),
        })
        .collect()
}

pub(crate) fn new_row(migration: &LocalMigration) -> HistoryRow {
    let now = Utc::now();
    HistoryRow {
        id: uuid::Uuid::new_v4().to_string(),
        checksum: migration.checksum.clone(),
        finished_at: None,
        migration_name: migration.name.clone(),
        logs: None,
        rolled_back_at: None,
        started_at: now,
        applied_steps_count: 0,
    }
}

fn apply_in_transaction(
    conn: &mut dyn Connection,
    migration: &LocalMigration,
) -> Result<(), MigrateError> {
    let mut row = new_row(migration);
    row.applied_steps_count = 1;
    row.finished_at = Some(Utc::now());
    let Err(error) = conn.apply_in_transaction(migration.executable_script(), &row) else {
        return Ok(());
    };
    let logs = failure_logs(migration, &error, None, false);
    row.id = uuid::Uuid::new_v4().to_string();
    row.applied_steps_count = 0;
    row.finished_at = None;
    row.logs = Some(logs.clone());
    let next_steps = match conn.insert_history_row(&row) {
        Ok(()) => format!(
            "The migration ran in a transaction that was rolled back, so the database holds none \
             of its changes; it is recorded as failed in `{HISTORY_TABLE}`. Fix the migration (or \
             the data it trips over), then run `drydock migrate resolve --rolled-back {name}` and \
             deploy again.",
            name = migration.name
        ),
        Err(record_error) => format!(
            "The migration ran in a transaction that was rolled back, so the database holds none \
             of its changes. Recording the failure in `{HISTORY_TABLE}` failed as well \
             ({record_error}), so the migration still counts as not applied: fix it and deploy \
             again."
        ),
    };
    Err(MigrateError::MigrationFailed {
        name: migration.name.clone(),
        db_code: error.db_code,
        logs,
        next_steps,
    })
}

fn apply_outside_transaction(
    conn: &mut dyn Connection,
    migration: &LocalMigration,
    statements: &[Range<usize>],
    reason: &str,
) -> Result<(), MigrateError> {
    let mut row = new_row(migration);
    conn.insert_history_row(&row)?;
    match run_statements(conn, &mut row, migration.executable_script(), statements) {
        Ok(()) => {
            row.applied_steps_count = row.applied_steps_count.max(1);
            row.finished_at = Some(Utc::now());
            conn.update_history_row(&row)
                .map_err(|source| MigrateError::FinishNotRecorded {
                    name: migration.name.clone(),
                    source,
                })
        }
        Err(error) => {
            // A script with its own BEGIN that failed inside it leaves the session in that
            // (aborted) transaction: end it before writing to the history, or the write is
            // refused (PostgreSQL) or undone with it (SQLite).
            let rolled_back = conn.abort_open_transaction().unwrap_or(false);
            let logs = failure_logs(migration, &error, Some(reason), rolled_back);
            row.logs = Some(logs.clone());
            let recorded = conn.update_history_row(&row);
            let mut what_ran = match error.statements_done {
                Some(0) => "no statement of it completed".to_owned(),
                Some(1) => "1 statement completed before the failure".to_owned(),
                Some(n) => format!("{n} statements completed before the failure"),
                None => "some statements may have completed before the failure".to_owned(),
            };
            what_ran.push_str(if rolled_back {
                "; the transaction the script opened was rolled back, so only statements before \
                 its BEGIN stay applied"
            } else {
                " and stay applied"
            });
            let mut next_steps = format!(
                "The migration ran outside a transaction ({reason}): {what_ran}. Bring the \
                 database back to its state before this migration, fix the migration, run \
                 `drydock migrate resolve --rolled-back {name}` and deploy again; or complete its \
                 changes by hand and run `drydock migrate resolve --applied {name}`.",
                name = migration.name
            );
            if let Err(record_error) = recorded {
                next_steps.push_str(&format!(
                    " Writing these logs to `{HISTORY_TABLE}` failed ({record_error}); the \
                     migration is recorded as failed without them."
                ));
            }
            Err(MigrateError::MigrationFailed {
                name: migration.name.clone(),
                db_code: error.db_code,
                logs,
                next_steps,
            })
        }
    }
}

/// Run `script` one range of `statements` at a time, counting the completed ones in
/// `row.applied_steps_count` (written to the history after each when there are several). When
/// a range is not a valid byte range of `script`, the script runs in one call instead.
pub(crate) fn run_statements(
    conn: &mut dyn Connection,
    row: &mut HistoryRow,
    script: &str,
    statements: &[Range<usize>],
) -> Result<(), ScriptError> {
    let whole = 0..script.len();
    let statements = if !statements.is_empty()
        && statements
            .iter()
            .all(|range| script.get(range.clone()).is_some())
    {
        statements
    } else {
        std::slice::from_ref(&whole)
    };
    for (done, range) in statements.iter().enumerate() {
        let statement = &script[range.clone()];
        if let Err(mut error) = conn.execute_script(statement) {
            error.position = error.position.map(|p| p + range.start);
            if statements.len() > 1 {
                error.statements_done = Some(done + error.statements_done.unwrap_or(0));
                // Without a position from the database, point at the failing statement.
                let leading = statement.len() - statement.trim_start().len();
                error.position = error.position.or(Some(range.start + leading));
            }
            return Err(error);
        }
        if statements.len() > 1 {
            row.applied_steps_count = u32::try_from(done + 1).unwrap_or(u32::MAX);
            conn.update_history_row(row)
                .map_err(ScriptError::from_connector)?;
        }
    }
    Ok(())
}

/// Lines of the script shown before and after the failing one.
const CONTEXT_LINES: usize = 2;

/// What a failed row's `logs` say: the migration, the database's error, where in the script it
/// happened with the lines around it, and what ran outside a transaction.
fn failure_logs(
    migration: &LocalMigration,
    error: &ScriptError,
    non_transactional_reason: Option<&str>,
    transaction_rolled_back: bool,
) -> String {
    let mut out = format!("Migration `{}` failed to apply.\n", migration.name);
    if let Some(code) = &error.db_code {
        out.push_str(&format!("\nDatabase error code: {code}\n"));
    }
    out.push_str(&format!(
        "\nDatabase error:\n{}\n",
        error.message.trim_end()
    ));
    if let Some(position) = error.position {
        out.push_str(&render_position(migration.executable_script(), position));
    }
    if let Some(reason) = non_transactional_reason {
        out.push_str(&format!("\nRan outside a transaction: {reason}.\n"));
        if transaction_rolled_back {
            out.push_str(
                "The transaction the script opened was rolled back: statements inside it were \
                 undone.\n",
            );
        }
        match error.statements_done {
            Some(done) => out.push_str(&format!(
                "{done} statement(s) completed before the failure; those outside a rolled-back \
                 transaction were not undone.\n"
            )),
            None => out.push_str(
                "Statements that completed before the failure were not undone; the database \
                 did not say how many.\n",
            ),
        }
    }
    out
}

/// `Position: <line>:<column>` and the lines around `offset` (a byte offset in `script`).
fn render_position(script: &str, offset: usize) -> String {
    let mut offset = offset.min(script.len());
    while !script.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = script[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_index = script[..line_start].matches('\n').count();
    let column = script[line_start..offset].chars().count() + 1;
    let mut lines: Vec<&str> = script
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    // The empty "line" after a final newline is not part of the file.
    if lines.len() > line_index + 1 && lines.last() == Some(&"") {
        lines.pop();
    }
    let first = line_index.saturating_sub(CONTEXT_LINES);
    let last = (line_index + CONTEXT_LINES).min(lines.len().saturating_sub(1));
    let width = (last + 1).to_string().len();
    let mut out = format!("\nPosition: {}:{column} (line:column)\n", line_index + 1);
    for (index, line) in lines.iter().enumerate().take(last + 1).skip(first) {
        let marker = if index == line_index { '>' } else { ' ' };
        out.push_str(&format!("{marker} {:>width$} | {line}\n", index + 1));
        if index == line_index {
            let pad: String = script[line_start..offset]
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!("  {:>width$} | {pad}^\n", ""));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(script: &str) -> LocalMigration {
        LocalMigration {
            name: "20240101000000_add".into(),
            path: "prisma/migrations/20240101000000_add".into(),
            script: script.into(),
            checksum: crate::checksum::checksum(script.as_bytes()),
            down_path: None,
        }
    }

    #[test]
    fn logs_show_the_failing_line_with_context() {
        let script = "-- one\nCREATE TABLE a (id INT);\nINSERT INTO missing VALUES (1);\nSELECT 2;\n\
                      SELECT 3;\nSELECT 4;\n";
        let offset = script.find("missing").unwrap_or_default();
        let error = ScriptError {
            message: "relation \"missing\" does not exist".into(),
            db_code: Some("42P01".into()),
            position: Some(offset),
            statements_done: None,
        };
        insta::assert_snapshot!(failure_logs(&migration(script), &error, None, false), @r#"
        Migration `20240101000000_add` failed to apply.

        Database error code: 42P01

        Database error:
        relation "missing" does not exist

        Position: 3:13 (line:column)
          1 | -- one
          2 | CREATE TABLE a (id INT);
        > 3 | INSERT INTO missing VALUES (1);
            |             ^
          4 | SELECT 2;
          5 | SELECT 3;
        "#);
    }

    #[test]
    fn logs_of_a_non_transactional_failure_say_what_ran() {
        let script = "CREATE INDEX CONCURRENTLY i ON t (a);\r\nCREATE INDEX j ON nope (a);";
        let error = ScriptError {
            message: "relation \"nope\" does not exist".into(),
            db_code: None,
            position: Some(script.len() + 40),
            statements_done: Some(1),
        };
        let logs = failure_logs(
            &migration(script),
            &error,
            Some("it uses CONCURRENTLY"),
            false,
        );
        insta::assert_snapshot!(logs, @r#"
        Migration `20240101000000_add` failed to apply.

        Database error:
        relation "nope" does not exist

        Position: 2:28 (line:column)
          1 | CREATE INDEX CONCURRENTLY i ON t (a);
        > 2 | CREATE INDEX j ON nope (a);
            |                            ^

        Ran outside a transaction: it uses CONCURRENTLY.
        1 statement(s) completed before the failure; those outside a rolled-back transaction were not undone.
        "#);
    }

    #[test]
    fn positions_inside_multibyte_characters_do_not_panic() {
        let text = render_position("SELECT 'é';", 9);
        assert!(text.contains("Position: 1:9"), "{text}");
        assert!(render_position("", 3).contains("Position: 1:1"));
    }
}
