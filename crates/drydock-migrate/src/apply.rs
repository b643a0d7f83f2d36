//! `migrate deploy`: apply every migration of the folder that the history does not show as
//! applied, in order, under the migration lock.
//!
//! A migration that can run in a transaction runs in one together with its finished history
//! row, so the database holds both or neither. One that cannot (`CREATE INDEX CONCURRENTLY`, its
//! own `BEGIN`/`COMMIT`, a dialect without transactional DDL) gets a started row first, then runs,
//! then the row is finished. A failure leaves a failed row that says what went wrong and blocks
//! later deploys until `migrate resolve`.
//!
//! Each migration runs under [`DeployOptions::limits`] (a short `lock_timeout`, so a migration
//! waiting for a busy table never queues the application's queries behind it for long). A
//! statement that gives up waiting for a lock changed nothing: it is retried after a growing
//! pause (the whole migration when it runs in a transaction). A failed concurrent index build
//! leaves no invalid index behind.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_connector::sql_scan::{self, LexicalRules};
use drydock_connector::{
    Connection, Dialect, HISTORY_TABLE, HistoryRow, Interrupt, ScriptError, SessionInfo,
    SessionLimits,
};
use serde::Serialize;

use crate::MigrateError;
use crate::backfill::{
    Backfill, BackfillError, BackfillProgress, find_backfills, run_backfill, script_has_backfill,
    unfinished_backfill,
};
use crate::conflicts::out_of_order;
use crate::directory::{LocalMigration, list_migrations};
use crate::error::FailedMigration;
use crate::integrity::verify_integrity;
use crate::lock::with_migration_lock;
use crate::lockfile::check_provider;
use crate::statement_log::statement_states;
use crate::watch::{WatchOptions, Watcher};

/// How long a statement waits for a lock by default before it gives up and is retried.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(1);

/// How many times a statement that gave up waiting for a lock is retried by default.
pub const DEFAULT_LOCK_RETRIES: u32 = 10;

/// The pause before the first retry; it doubles with each further one, up to
/// [`MAX_RETRY_DELAY`], with jitter so that competing deployers do not retry in step.
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_millis(250);

/// The longest pause between two retries.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(10);

/// The first line of a migration that removes what old application versions still use (the
/// last phase of an expand/contract change). A deploy that holds contract migrations back stops
/// before the first one.
pub const CONTRACT_MARKER: &str = "-- drydock:contract";

/// How a deploy runs migrations.
#[derive(Clone)]
pub struct DeployOptions {
    /// Applied to the session before each migration (a migration's own `SET` wins for itself).
    pub limits: SessionLimits,
    /// Retries of a statement (or, in a transaction, of the migration) after a lock timeout.
    pub lock_retries: u32,
    /// The pause before the first retry.
    pub retry_delay: Duration,
    /// Stop before the first contract migration (see [`CONTRACT_MARKER`]).
    pub hold_contract: bool,
    /// Sample long migrations from a second session.
    pub watch: Option<WatchOptions>,
    /// A stop request (Ctrl-C, `SIGTERM`): the running statement is cancelled, what ran is
    /// recorded, and the deploy ends with [`MigrateError::Interrupted`].
    pub interrupt: Interrupt,
    /// Asked, once the migration lock is held, whether the migrations about to be applied
    /// (name and checksum of the very files that will run, in order) may be: `Err(reason)`
    /// stops the deploy with [`MigrateError::PendingRefused`] before anything runs. A deploy
    /// that requires an approval, or applies a plan, checks it here, so that no file edited
    /// after an earlier check slips through.
    pub confirm_pending: Option<ConfirmPending>,
    /// Apply pending migrations that sort before the newest applied one (as Prisma does), with
    /// a [`DeployEvent::OutOfOrder`] warning each; otherwise the deploy stops with
    /// [`MigrateError::OutOfOrder`] before anything runs. Checked under the migration lock.
    pub allow_out_of_order: bool,
}

/// See [`DeployOptions::confirm_pending`].
pub type ConfirmPending = Arc<dyn Fn(&[(&str, &str)]) -> Result<(), PendingRefusal> + Send + Sync>;

/// Why a [`ConfirmPending`] check refused the migrations about to run: the code of the check
/// (an approval, a deploy plan) and what differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRefusal {
    pub code: &'static str,
    pub reason: String,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            limits: SessionLimits {
                lock_timeout: Some(DEFAULT_LOCK_TIMEOUT),
                statement_timeout: None,
            },
            lock_retries: DEFAULT_LOCK_RETRIES,
            retry_delay: DEFAULT_RETRY_DELAY,
            hold_contract: false,
            watch: None,
            interrupt: Interrupt::default(),
            confirm_pending: None,
            // Prisma's behaviour for the library; `migrate deploy` refuses unless told.
            allow_out_of_order: true,
        }
    }
}

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
    /// Pending migrations not applied because they start with a contract migration and the
    /// deploy holds those back; in order.
    pub held_back: Vec<String>,
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
    /// Retries after lock timeouts before it went through.
    pub lock_retries: u32,
    /// Rows its batched backfills changed, an interrupted earlier run's included.
    pub backfilled_rows: u64,
    /// It had failed part-way (an interrupted backfill) and this deploy finished it.
    pub resumed: bool,
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
    /// A statement gave up waiting for a lock; it (or, in a transaction, the whole migration)
    /// runs again after `delay`.
    LockRetry {
        name: &'a str,
        /// 1 for the first retry.
        attempt: u32,
        retries: u32,
        delay: Duration,
        /// The sessions that held locks on the managed tables when it gave up.
        lock_holders: &'a [SessionInfo],
    },
    /// An index a failed concurrent build left invalid was dropped.
    DroppedInvalidIndex { name: &'a str, index: &'a str },
    /// A migration left unfinished by a deploy whose process or session died is taken up
    /// again; `what` says what was found and done, in a sentence.
    Recovered { name: &'a str, what: &'a str },
    /// A batched backfill committed a batch.
    Backfill {
        name: &'a str,
        progress: &'a BackfillProgress,
    },
    /// A migration was applied and recorded.
    Applied(&'a AppliedMigration),
    /// A pending migration sorts before `newest_applied` and is applied anyway
    /// ([`DeployOptions::allow_out_of_order`]).
    OutOfOrder {
        name: &'a str,
        newest_applied: &'a str,
    },
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
    deploy_with(
        dialect,
        conn,
        migrations_dir,
        &DeployOptions::default(),
        progress,
    )
}

/// [`deploy`] with explicit options.
pub fn deploy_with(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    migrations_dir: &Path,
    options: &DeployOptions,
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<DeployReport, MigrateError> {
    let started = Instant::now();
    check_provider(migrations_dir, dialect.provider())?;
    let local = list_migrations(migrations_dir)?;
    verify_integrity(migrations_dir, &local)?;
    let mut report = with_deploy_session(
        dialect,
        conn,
        options,
        progress,
        |policy, conn, progress| deploy_locked(policy, options, conn, &local, progress),
    )?;
    report.duration = started.elapsed();
    Ok(report)
}

/// Run `work` as a deploy runs its migrations: under the migration lock (what taking it took
/// reported as [`DeployEvent::Recovered`]), with the dialect's [`ScriptPolicy`], and a stop
/// request cancelling the running statement. A stop before `work` ran a statement ends in
/// [`MigrateError::Interrupted`] too.
pub(crate) fn with_deploy_session<T>(
    dialect: &dyn Dialect,
    conn: &mut dyn Connection,
    options: &DeployOptions,
    progress: &mut dyn FnMut(DeployEvent<'_>),
    work: impl FnOnce(
        &ScriptPolicy<'_>,
        &mut dyn Connection,
        &mut dyn FnMut(DeployEvent<'_>),
    ) -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let policy = ScriptPolicy {
        blocker: &|script| transaction_blocker(dialect, script),
        split: &|script| dialect.split_statements(script),
        is_lock_timeout: &|error| dialect.is_lock_timeout(error),
        is_already_exists: &|error| dialect.is_already_exists(error),
        rules: dialect.lexical_rules(),
    };
    // Without a canceller the stop request still ends the deploy between statements.
    let _cancels = conn
        .canceller()
        .ok()
        .map(|canceller| options.interrupt.register(canceller));
    let result = with_migration_lock(conn, |conn, notes| {
        for note in notes {
            progress(DeployEvent::Recovered {
                name: crate::LOCK_NOTE_NAME,
                what: note,
            });
        }
        work(&policy, conn, progress)
    });
    match result {
        // Cancelled while waiting for the lock, or in a step between migrations.
        Err(error)
            if options.interrupt.is_triggered()
                && !matches!(error, MigrateError::Interrupted { .. }) =>
        {
            Err(MigrateError::Interrupted {
                applied: Vec::new(),
                state: format!("It stopped before applying anything ({error})."),
            })
        }
        result => result,
    }
}

/// What deploy needs to know from the dialect about running scripts.
pub(crate) struct ScriptPolicy<'a> {
    /// Why a script must run outside a transaction, if it must.
    pub(crate) blocker: &'a dyn Fn(&str) -> Option<String>,
    /// The byte ranges of a script's statements, in order: a script that runs outside a
    /// transaction runs one range at a time, and its history row records the progress.
    pub(crate) split: &'a dyn Fn(&str) -> Vec<Range<usize>>,
    /// Whether a statement gave up waiting for a lock (and may be retried).
    pub(crate) is_lock_timeout: &'a dyn Fn(&ScriptError) -> bool,
    /// Whether a statement failed because what it creates exists already.
    pub(crate) is_already_exists: &'a dyn Fn(&ScriptError) -> bool,
    /// How the dialect writes SQL, to find backfill directives.
    pub(crate) rules: &'a LexicalRules,
}

/// Why `script` must run outside a transaction on this dialect, if it must.
pub fn transaction_blocker(dialect: &dyn Dialect, script: &str) -> Option<String> {
    if !dialect.capabilities().transactional_ddl {
        Some("the database does not run DDL in transactions".to_owned())
    } else if script_has_backfill(script, dialect.lexical_rules()) {
        Some("it runs a batched backfill, whose batches commit one by one".to_owned())
    } else {
        dialect.needs_no_transaction(script)
    }
}

/// The byte-wise greatest name the history has applied (not rolled back).
pub fn newest_applied(history: &[HistoryRow]) -> Option<&str> {
    history
        .iter()
        .filter(|row| row.is_applied())
        .map(|row| row.migration_name.as_str())
        .max_by(|a, b| a.as_bytes().cmp(b.as_bytes()))
}

/// The deploy itself, once the lock is held. The session's limits are set for the migrations
/// and back to the server's defaults afterwards, whatever happened.
pub(crate) fn deploy_locked(
    policy: &ScriptPolicy<'_>,
    options: &DeployOptions,
    conn: &mut dyn Connection,
    local: &[LocalMigration],
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<DeployReport, MigrateError> {
    let report = deploy_pending(policy, options, conn, local, progress);
    let restored = conn.set_session_limits(&SessionLimits::default());
    let report = report?;
    restored?;
    Ok(report)
}

fn deploy_pending(
    policy: &ScriptPolicy<'_>,
    options: &DeployOptions,
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
    if let Some((row, (done, total))) = history
        .iter()
        .filter(|row| row.is_applied())
        .find_map(|row| Some((row, crate::down::down_progress(row)?)))
    {
        return Err(MigrateError::DownUnfinished {
            name: row.migration_name.clone(),
            done,
            total,
        });
    }
    let resumable = resumable_rows(policy, conn, local, &history)?;
    let failed: Vec<FailedMigration> = failed_migrations(&history)
        .into_iter()
        .filter(|failed| {
            !resumable
                .iter()
                .any(|row| row.migration_name == failed.name)
        })
        .collect();
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
    let newest_applied = newest_applied(&history);
    let names: Vec<String> = pending.iter().map(|m| m.name.clone()).collect();
    let late = out_of_order(&names, newest_applied);
    if let (Some(first), Some(newest)) = (late.first(), newest_applied) {
        if !options.allow_out_of_order {
            return Err(MigrateError::OutOfOrder {
                name: (*first).clone(),
                newest_applied: newest.to_owned(),
                others: late[1..].iter().map(|n| (*n).clone()).collect(),
            });
        }
        for name in &late {
            progress(DeployEvent::OutOfOrder {
                name,
                newest_applied: newest,
            });
        }
    }
    if let Some(confirm) = &options.confirm_pending {
        let about_to_run: Vec<(&str, &str)> = pending
            .iter()
            .map(|m| (m.name.as_str(), m.checksum.as_str()))
            .collect();
        confirm(&about_to_run).map_err(|refusal| MigrateError::PendingRefused {
            code: refusal.code,
            reason: refusal.reason,
        })?;
    }
    let held_from = options
        .hold_contract
        .then(|| {
            pending
                .iter()
                .position(|m| is_contract(m.executable_script()))
        })
        .flatten()
        .unwrap_or(pending.len());
    let held_back: Vec<String> = pending[held_from..]
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let pending = &pending[..held_from];
    // Bytes no database accepts stop the deploy before anything runs.
    for migration in pending {
        migration.check_sendable()?;
    }
    // A bad backfill directive stops the deploy before anything runs.
    let mut backfills = Vec::with_capacity(pending.len());
    for migration in pending {
        let script_path = migration.path.join(crate::MIGRATION_FILE_NAME);
        backfills.push(
            find_backfills(migration.executable_script(), policy.rules)
                .map_err(|e| e.in_file(&script_path))?,
        );
    }
    let watcher = match &options.watch {
        Some(watch) if !pending.is_empty() => conn
            .sessions()
            .map(|sessions| sessions.session_id())
            .transpose()?
            .map(|session| Watcher::spawn(watch.clone(), session)),
        _ => None,
    };
    let mut runner = Runner {
        policy,
        options,
        progress,
    };
    let mut applied: Vec<AppliedMigration> = Vec::with_capacity(pending.len());
    for ((index, migration), backfills) in pending.iter().enumerate().zip(&backfills) {
        if options.interrupt.is_triggered() {
            return Err(MigrateError::Interrupted {
                applied: applied.iter().map(|m| m.name.clone()).collect(),
                state: format!(
                    "`{}` and the later migrations were not started; `drydock migrate deploy` \
                     applies them.",
                    migration.name
                ),
            });
        }
        let script = migration.executable_script();
        let non_transactional_reason = (policy.blocker)(script);
        let resume = resumable
            .iter()
            .find(|row| row.migration_name == migration.name)
            .cloned();
        (runner.progress)(DeployEvent::Applying {
            name: &migration.name,
            index,
            total: pending.len(),
            non_transactional_reason: non_transactional_reason.as_deref(),
        });
        let started = Instant::now();
        conn.set_session_limits(&options.limits)?;
        let _watching = watcher.as_ref().map(|w| w.watching(&migration.name));
        let resumed = resume.is_some();
        let stopped = |error: MigrateError| match error {
            MigrateError::Interrupted { state, .. } => MigrateError::Interrupted {
                applied: applied.iter().map(|m| m.name.clone()).collect(),
                state,
            },
            other => other,
        };
        let (lock_retries, backfilled_rows) = match (&non_transactional_reason, resume) {
            (None, None) => (
                runner
                    .apply_in_transaction(conn, migration)
                    .map_err(stopped)?,
                0,
            ),
            (Some(reason), resume) => {
                let statements = (policy.split)(script);
                let outside = Outside {
                    statements: &statements,
                    reason,
                    backfills,
                    resume,
                };
                runner
                    .apply_outside_transaction(conn, migration, outside)
                    .map_err(stopped)?
            }
            // Only a migration that runs outside a transaction resumes: the transaction of a
            // dead deploy was rolled back, so its row only needs closing.
            (None, Some(mut row)) => (
                {
                    row.rolled_back_at = Some(Utc::now());
                    conn.update_history_row(&row)?;
                    (runner.progress)(DeployEvent::Recovered {
                        name: &migration.name,
                        what: "its earlier deploy died in its transaction, which the database \
                               rolled back; the unfinished history row is marked rolled back \
                               and the migration runs again",
                    });
                    runner
                        .apply_in_transaction(conn, migration)
                        .map_err(stopped)?
                },
                0,
            ),
        };
        applied.push(AppliedMigration {
            name: migration.name.clone(),
            non_transactional_reason,
            lock_retries,
            backfilled_rows,
            resumed,
            duration: started.elapsed(),
        });
        if let Some(last) = applied.last() {
            (runner.progress)(DeployEvent::Applied(last));
        }
    }
    Ok(DeployReport {
        history_table_created,
        already_applied: local.len() - pending.len() - held_back.len(),
        edited_after_applied,
        held_back,
        applied,
        duration: Duration::ZERO,
    })
}

/// Continue `migration`, which runs outside a transaction, at the first statement its failed
/// history `row` does not count as done, exactly as deploy continues an interrupted one: the
/// statements counted, under the session limits, retried after lock timeouts, the row finished
/// at the end or failed again with new logs. The caller checked that the statements counted
/// as done are the file's (`migrate resolve --finish`); the row takes the file's checksum.
pub(crate) fn finish_locked(
    policy: &ScriptPolicy<'_>,
    options: &DeployOptions,
    conn: &mut dyn Connection,
    migration: &LocalMigration,
    mut row: HistoryRow,
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<AppliedMigration, MigrateError> {
    let script = migration.executable_script();
    let reason = (policy.blocker)(script).unwrap_or_default();
    let statements = (policy.split)(script);
    let script_path = migration.path.join(crate::MIGRATION_FILE_NAME);
    let backfills = find_backfills(script, policy.rules).map_err(|e| e.in_file(&script_path))?;
    row.checksum = migration.checksum.clone();
    progress(DeployEvent::Applying {
        name: &migration.name,
        index: 0,
        total: 1,
        non_transactional_reason: Some(&reason),
    });
    let started = Instant::now();
    conn.set_session_limits(&options.limits)?;
    let mut runner = Runner {
        policy,
        options,
        progress,
    };
    let outside = Outside {
        statements: &statements,
        reason: &reason,
        backfills: &backfills,
        resume: Some(row),
    };
    let result = runner.apply_outside_transaction(conn, migration, outside);
    let restored = conn.set_session_limits(&SessionLimits::default());
    let (lock_retries, backfilled_rows) = result?;
    restored?;
    let applied = AppliedMigration {
        name: migration.name.clone(),
        non_transactional_reason: Some(reason),
        lock_retries,
        backfilled_rows,
        resumed: true,
        duration: started.elapsed(),
    };
    (runner.progress)(DeployEvent::Applied(&applied));
    Ok(applied)
}

/// The failed rows deploy resumes instead of refusing to run: migrations that stopped in a
/// batched backfill (interrupted, or a batch failed), and migrations outside a transaction that
/// a stop request cut short between two statements (see [`INTERRUPTED_LOGS`]).
fn resumable_rows(
    policy: &ScriptPolicy<'_>,
    conn: &mut dyn Connection,
    local: &[LocalMigration],
    history: &[HistoryRow],
) -> Result<Vec<HistoryRow>, MigrateError> {
    let mut resumable = Vec::new();
    for row in history.iter().filter(|row| row.is_failed()) {
        let Some(migration) = local.iter().find(|m| m.name == row.migration_name) else {
            continue;
        };
        let script = migration.executable_script();
        // Under the lock, a started row without logs belongs to a deploy that died (every
        // failure a deploy survives is recorded with logs).
        if is_orphaned(row) && migration.matches_checksum(&row.checksum) {
            resumable.push(row.clone());
            continue;
        }
        if row
            .logs
            .as_deref()
            .is_some_and(|logs| logs.starts_with(INTERRUPTED_LOGS))
            && migration.matches_checksum(&row.checksum)
            && (policy.blocker)(script).is_some()
        {
            resumable.push(row.clone());
            continue;
        }
        if !script_has_backfill(migration.executable_script(), policy.rules) {
            continue;
        }
        let unfinished = unfinished_backfill(conn, &migration.name)?;
        // Statements before the backfill completed; the backfill itself is the one to resume.
        if unfinished.is_some_and(|u| u.statement_index == row.applied_steps_count as usize) {
            resumable.push(row.clone());
        }
    }
    Ok(resumable)
}

/// Whether `row` was started and never finished nor recorded as failed: its deploy's process
/// was killed, or its session terminated, while the migration ran.
fn is_orphaned(row: &HistoryRow) -> bool {
    row.is_failed() && row.logs.is_none()
}

/// Whether `statement` names the object `qualified` (`"schema"."name"`), by its last part: quoted
/// exactly, or unquoted as a whole word in any case.
fn statement_names(statement: &str, qualified: &str) -> bool {
    let last = qualified.rsplit('.').next().unwrap_or(qualified);
    let bare = last.trim_matches('"');
    if statement.contains(&format!("\"{bare}\"")) {
        return true;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    statement
        .split(|c: char| !is_word(c))
        .any(|word| word.eq_ignore_ascii_case(bare))
}

/// How the logs of a migration outside a transaction begin when a stop request cut it short
/// between two statements: its completed statements stay applied, the cut one changed nothing,
/// and the next deploy continues at the statement after the recorded `applied_steps_count`.
pub const INTERRUPTED_LOGS: &str = "Interrupted (Ctrl-C or SIGTERM)";

/// How a line of an interrupted migration's logs begins that names an index its cancelled build
/// left invalid and that could not be dropped at once; the deploy that resumes it drops it.
const LEFT_INVALID: &str = "Left invalid, dropped when the deploy resumes:";

/// How long cleaning up after a stop request waits for locks (an application transaction that
/// held a concurrent build up may still be open).
const INTERRUPTED_CLEANUP_LOCK_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether the script is a contract migration: its first line is [`CONTRACT_MARKER`].
pub fn is_contract(script: &str) -> bool {
    script
        .lines()
        .next()
        .is_some_and(|line| line.trim_end() == CONTRACT_MARKER)
}

/// The pause before retry `attempt` (1-based): `first`, doubled per attempt, capped at
/// [`MAX_RETRY_DELAY`], minus up to a quarter of jitter.
fn retry_delay(first: Duration, attempt: u32) -> Duration {
    use std::hash::BuildHasher;
    let doubled = first.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let delay = doubled.min(MAX_RETRY_DELAY);
    let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
    let jitter_permille = u32::try_from(random % 250).unwrap_or(0);
    delay - delay * jitter_permille / 1000
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
            statements_completed: row.applied_steps_count,
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

/// Runs migrations for one deploy: retries after lock timeouts, reports progress.
struct Runner<'a, 'p> {
    policy: &'a ScriptPolicy<'a>,
    options: &'a DeployOptions,
    progress: &'a mut (dyn FnMut(DeployEvent<'_>) + 'p),
}

impl Runner<'_, '_> {
    /// Whether `error` is a lock timeout and `attempt` retries leave room for one more.
    fn may_retry(&self, error: &ScriptError, attempt: u32) -> bool {
        (self.policy.is_lock_timeout)(error)
            && attempt < self.options.lock_retries
            && !self.options.interrupt.is_triggered()
    }

    /// Whether to retry after `error` (see [`Runner::may_retry`]). Waits before returning
    /// `true`, after telling who held locks.
    fn retry_after(
        &mut self,
        conn: &mut dyn Connection,
        name: &str,
        error: &ScriptError,
        attempt: u32,
    ) -> bool {
        if !self.may_retry(error, attempt) {
            return false;
        }
        let holders = lock_holders(conn);
        let delay = retry_delay(self.options.retry_delay, attempt + 1);
        (self.progress)(DeployEvent::LockRetry {
            name,
            attempt: attempt + 1,
            retries: self.options.lock_retries,
            delay,
            lock_holders: &holders,
        });
        std::thread::sleep(delay);
        // A `SET` of the failed statement's own script may have changed the limits.
        conn.set_session_limits(&self.options.limits).is_ok()
    }

    /// Apply `migration` in one transaction with its history row, retrying the whole
    /// transaction after lock timeouts. Returns the retries it took.
    fn apply_in_transaction(
        &mut self,
        conn: &mut dyn Connection,
        migration: &LocalMigration,
    ) -> Result<u32, MigrateError> {
        let mut attempt = 0;
        let error = loop {
            let mut row = new_row(migration);
            row.applied_steps_count = 1;
            row.finished_at = Some(Utc::now());
            match conn.apply_in_transaction(migration.executable_script(), &row) {
                Ok(()) => return Ok(attempt),
                Err(error) if self.retry_after(conn, &migration.name, &error, attempt) => {
                    attempt += 1;
                }
                Err(error) => break error,
            }
        };
        if self.options.interrupt.is_triggered() {
            return Err(MigrateError::Interrupted {
                applied: Vec::new(),
                state: format!(
                    "`{name}` ran in a transaction that was rolled back, so the database holds \
                     none of its changes and it is still pending; `drydock migrate deploy` \
                     applies it.",
                    name = migration.name
                ),
            });
        }
        if conn.is_lost(&error) {
            return Err(MigrateError::ConnectionLost {
                name: migration.name.clone(),
                message: error.message,
                state: "It ran in one transaction together with its history row, so the server \
                        kept both or neither: the migration is either applied and recorded, or \
                        not applied at all and still pending."
                    .to_owned(),
            });
        }
        let mut logs = failure_logs(migration, &error, None, false);
        logs.push_str(&self.lock_timeout_logs(conn, &error, attempt));
        let mut row = new_row(migration);
        row.logs = Some(logs.clone());
        let next_steps = match conn.insert_history_row(&row) {
            Ok(()) => format!(
                "The migration ran in a transaction that was rolled back, so the database holds \
                 none of its changes; it is recorded as failed in `{HISTORY_TABLE}`. Fix the \
                 migration (or the data it trips over), then run `drydock migrate resolve \
                 --rolled-back {name}` and deploy again.",
                name = migration.name
            ),
            Err(record_error) => format!(
                "The migration ran in a transaction that was rolled back, so the database holds \
                 none of its changes. Recording the failure in `{HISTORY_TABLE}` failed as well \
                 ({record_error}), so the migration still counts as not applied: fix it and \
                 deploy again."
            ),
        };
        Err(MigrateError::MigrationFailed {
            name: migration.name.clone(),
            db_code: error.db_code,
            logs,
            next_steps,
        })
    }

    /// What the logs of a migration that gave up on locks add: how often it tried, and who
    /// held locks on the managed tables at the end.
    fn lock_timeout_logs(
        &self,
        conn: &mut dyn Connection,
        error: &ScriptError,
        retries: u32,
    ) -> String {
        if !(self.policy.is_lock_timeout)(error) {
            return String::new();
        }
        let mut out = format!(
            "\nGave up waiting for a lock after {} attempt(s); each waited up to the lock \
             timeout.\n",
            retries + 1
        );
        let holders = lock_holders(conn);
        if !holders.is_empty() {
            out.push_str("Sessions holding locks on the managed tables:\n");
            for holder in &holders {
                out.push_str(&format!("  {}\n", describe_session(holder)));
            }
        }
        out
    }

    /// Apply `migration` statement by statement, outside a transaction, under a started history
    /// row that counts the completed statements. Returns the retries it took.
    fn apply_outside_transaction(
        &mut self,
        conn: &mut dyn Connection,
        migration: &LocalMigration,
        outside: Outside<'_>,
    ) -> Result<(u32, u64), MigrateError> {
        let Outside {
            statements,
            reason,
            backfills,
            resume,
        } = outside;
        let orphaned = resume.as_ref().is_some_and(is_orphaned);
        let (mut row, first) = match resume {
            Some(mut row) => {
                let first = row.applied_steps_count as usize;
                if orphaned {
                    let running = statements
                        .get(first)
                        .and_then(|range| migration.executable_script().get(range.clone()));
                    self.recover_orphan(conn, &migration.name, first, statements.len(), running)?;
                }
                self.drop_left_invalid(conn, &migration.name, row.logs.as_deref())?;
                row.logs = None;
                conn.update_history_row(&row)?;
                let first = row.applied_steps_count as usize;
                (row, first)
            }
            None => {
                let row = new_row(migration);
                conn.insert_history_row(&row)?;
                (row, 0)
            }
        };
        // Invalid indexes from before are not this migration's to drop.
        let invalid_before = invalid_indexes(conn)?;
        // A statement that may run in a transaction commits together with its count, so a
        // deploy that dies leaves it either done and counted or undone: never run twice. Not
        // inside a transaction the script opens itself.
        let own_transaction =
            manages_own_transaction(migration.executable_script(), self.policy.rules);
        let counted_row = row.clone();
        let mut retries = 0;
        let mut backfilled = 0;
        let result = run_statements(
            conn,
            &mut row,
            migration.executable_script(),
            statements,
            first,
            &mut |conn, index, statement| {
                if self.options.interrupt.is_triggered() {
                    return Err(ScriptError {
                        message: "not started: the deploy was interrupted".to_owned(),
                        db_code: None,
                        position: None,
                        statements_done: None,
                    });
                }
                let backfill = backfills.iter().find(|(at, _)| *at == index);
                loop {
                    let outcome = match backfill {
                        Some((_, backfill)) => self
                            .backfill(conn, &migration.name, index, backfill)
                            .map(|rows| backfilled += rows),
                        None if own_transaction || (self.policy.blocker)(statement).is_some() => {
                            conn.execute_script(statement)
                        }
                        None => {
                            let mut counted = counted_row.clone();
                            counted.applied_steps_count =
                                u32::try_from(index + 1).unwrap_or(u32::MAX);
                            conn.execute_and_record(statement, &counted)
                        }
                    };
                    let Err(error) = outcome else {
                        return Ok(());
                    };
                    if orphaned && index == first && (self.policy.is_already_exists)(&error) {
                        (self.progress)(DeployEvent::Recovered {
                            name: &migration.name,
                            what: &format!(
                                "statement {} had completed before the earlier deploy died \
                                 (what it creates exists and is valid); counted as done",
                                index + 1
                            ),
                        });
                        return Ok(());
                    }
                    if !self.may_retry(&error, retries) {
                        return Err(error);
                    }
                    // A statement inside the script's own transaction cannot run again alone.
                    let rolled_back = conn.abort_open_transaction().unwrap_or(true);
                    let retry = !rolled_back
                        && self
                            .drop_new_invalid_indexes(conn, &migration.name, &invalid_before)
                            .is_ok()
                        && self.retry_after(conn, &migration.name, &error, retries);
                    if !retry {
                        return Err(error);
                    }
                    retries += 1;
                }
            },
        );
        let error = match result {
            Ok(()) => {
                row.applied_steps_count = row.applied_steps_count.max(1);
                row.finished_at = Some(Utc::now());
                let Err(source) = conn.update_history_row(&row) else {
                    return Ok((retries, backfilled));
                };
                let lost = ScriptError::describing(&source);
                if conn.is_lost(&lost) {
                    return Err(MigrateError::ConnectionLost {
                        name: migration.name.clone(),
                        message: lost.message,
                        state: format!(
                            "All {total} statement(s) of it had completed; marking it \
                             finished in the history did not reach the server. The next \
                             deploy finds nothing left to run and marks it finished.",
                            total = statements.len()
                        ),
                    });
                }
                return Err(MigrateError::FinishNotRecorded {
                    name: migration.name.clone(),
                    source,
                });
            }
            Err(error) => error,
        };
        if conn.is_lost(&error) {
            return Err(MigrateError::ConnectionLost {
                name: migration.name.clone(),
                message: error.message,
                state: format!(
                    "It ran outside a transaction ({reason}), one statement at a time: \
                     {done} of its {total} statement(s) had completed, each counted in the \
                     history as it did. The next deploy continues after the last one counted \
                     (a statement the server finished after the connection went counts as \
                     done; an index the cut-off build left invalid is dropped and built again).",
                    done = row.applied_steps_count,
                    total = statements.len()
                ),
            });
        }
        // A script with its own BEGIN that failed inside it leaves the session in that
        // (aborted) transaction: end it before writing to the history, or the write is
        // refused (PostgreSQL) or undone with it (SQLite).
        let rolled_back = conn.abort_open_transaction().unwrap_or(false);
        let interrupted = self.options.interrupt.is_triggered();
        if interrupted {
            // The transaction that held the build up may still be open: wait for it briefly,
            // the next deploy drops what is left.
            let _ = conn.set_session_limits(&SessionLimits {
                lock_timeout: Some(INTERRUPTED_CLEANUP_LOCK_TIMEOUT),
                statement_timeout: Some(INTERRUPTED_CLEANUP_LOCK_TIMEOUT),
            });
        }
        let mut dropped = self.drop_new_invalid_indexes(conn, &migration.name, &invalid_before);
        if interrupted && dropped.is_err() {
            // The server may apply the cancel request to the next statement that waits as well.
            dropped = self.drop_new_invalid_indexes(conn, &migration.name, &invalid_before);
        }
        let mut logs = if interrupted {
            interrupted_logs(&row, statements.len(), rolled_back)
        } else {
            String::new()
        };
        logs.push_str(&failure_logs(migration, &error, Some(reason), rolled_back));
        // Statements inside a transaction the script opened were undone whatever their place.
        let stopped = error
            .statements_done
            .filter(|done| !rolled_back && statements.len() > 1 && *done < statements.len());
        if let Some(stopped) = stopped {
            let stopped_as = if interrupted { "cancelled" } else { "failed" };
            logs.push_str(&statement_states(
                migration.executable_script(),
                statements,
                stopped,
                stopped_as,
                self.policy.rules,
            ));
        }
        logs.push_str(&self.lock_timeout_logs(conn, &error, retries));
        match &dropped {
            Ok(indexes) => {
                for index in indexes {
                    logs.push_str(&format!(
                        "Dropped the index {index}, left invalid by the failed concurrent build.\n"
                    ));
                }
            }
            Err(drop_error) if interrupted && !rolled_back => {
                let left: Vec<String> = invalid_indexes(conn)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|index| !invalid_before.contains(index))
                    .collect();
                logs.push_str(&format!(
                    "Dropping what the cancelled build left invalid had to wait ({drop_error}).\n"
                ));
                for index in left {
                    logs.push_str(&format!("{LEFT_INVALID} {index}\n"));
                }
            }
            Err(drop_error) => logs.push_str(&format!(
                "An index left invalid by the failed concurrent build could not be dropped \
                 ({drop_error}); drop it by hand: `drydock db execute` with `DROP INDEX \
                 CONCURRENTLY <name>`.\n"
            )),
        }
        row.logs = Some(logs.clone());
        let recorded = conn.update_history_row(&row);
        if interrupted {
            return Err(MigrateError::Interrupted {
                applied: Vec::new(),
                state: interrupted_state(&migration.name, &row, rolled_back, recorded.err()),
            });
        }
        // With the statements listed, the advice names them by number.
        let mut next_steps = match stopped {
            Some(done) => recovery_advice(&migration.name, u32::try_from(done).unwrap_or(0)),
            None => {
                let mut what_ran = match error.statements_done {
                    Some(0) => "no statement of it completed".to_owned(),
                    Some(1) => "1 statement completed before the failure".to_owned(),
                    Some(n) => format!("{n} statements completed before the failure"),
                    None => "some statements may have completed before the failure".to_owned(),
                };
                what_ran.push_str(if rolled_back {
                    "; the transaction the script opened was rolled back, so only statements \
                     before its BEGIN stay applied"
                } else {
                    " and stay applied"
                });
                format!(
                    "The migration ran outside a transaction ({reason}): {what_ran}. Bring the \
                     database back to its state before this migration, fix the migration, run \
                     `drydock migrate resolve --rolled-back {name}` and deploy again; or \
                     complete its changes by hand and run `drydock migrate resolve --applied \
                     {name}`.",
                    name = migration.name
                )
            }
        };
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

    /// Run one batched backfill (resuming an earlier run's), reporting each batch. Returns the
    /// rows it changed. A failed batch is the failure of the statement: its lock timeout is
    /// retried like any statement's, and running the backfill again resumes it.
    fn backfill(
        &mut self,
        conn: &mut dyn Connection,
        name: &str,
        index: usize,
        backfill: &Backfill,
    ) -> Result<u64, ScriptError> {
        let progress = &mut *self.progress;
        let interrupt = &self.options.interrupt;
        let report = run_backfill(conn, name, index, backfill, &mut |batch| {
            progress(DeployEvent::Backfill {
                name,
                progress: batch,
            });
            if interrupt.is_triggered() {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        });
        report
            .map(|report| report.rows)
            .map_err(|error| ScriptError {
                message: format!("[{}] {error}", error.code()),
                // The database's own error of a batch or of a query between batches, so a lock
                // timeout reads as one and a session ended by the server as lost.
                db_code: match &error {
                    BackfillError::Batch { source, .. } => source.db_code.clone(),
                    BackfillError::Query {
                        source:
                            drydock_connector::ConnectorError::Query {
                                db_code: Some(code),
                                ..
                            },
                        ..
                    } => Some(code.clone()),
                    other => Some(other.code().to_owned()),
                },
                position: None,
                statements_done: None,
            })
    }

    /// Take up a migration whose deploy died at statement `first` (0-based) of `total`, whose
    /// text is `running`: an index its concurrent build left invalid is dropped so that the
    /// statement builds it again. Says what it found.
    fn recover_orphan(
        &mut self,
        conn: &mut dyn Connection,
        name: &str,
        first: usize,
        total: usize,
        running: Option<&str>,
    ) -> Result<(), MigrateError> {
        (self.progress)(DeployEvent::Recovered {
            name,
            what: &format!(
                "an earlier deploy died while running it ({first} of {total} statement(s) \
                 recorded as completed, the migration lock is free): continuing with statement \
                 {}",
                first + 1
            ),
        });
        let (Some(running), Some(builds)) = (running, conn.failed_index_builds()) else {
            return Ok(());
        };
        for index in builds.invalid_indexes()? {
            if !statement_names(running, &index) {
                continue;
            }
            builds.drop_invalid_index(&index)?;
            (self.progress)(DeployEvent::Recovered {
                name,
                what: &format!(
                    "dropped the index {index}, left invalid by the build the earlier deploy \
                     did not finish; statement {} builds it again",
                    first + 1
                ),
            });
        }
        Ok(())
    }

    /// Drop the indexes an interrupted run of this migration recorded as left invalid (see
    /// [`LEFT_INVALID`]) and that still are, so that the statement that builds them can run
    /// again.
    fn drop_left_invalid(
        &mut self,
        conn: &mut dyn Connection,
        name: &str,
        logs: Option<&str>,
    ) -> Result<(), MigrateError> {
        let recorded: Vec<&str> = logs
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.strip_prefix(LEFT_INVALID))
            .map(str::trim)
            .collect();
        let Some(builds) = conn.failed_index_builds().filter(|_| !recorded.is_empty()) else {
            return Ok(());
        };
        for index in builds.invalid_indexes()? {
            if recorded.contains(&index.as_str()) {
                builds.drop_invalid_index(&index)?;
                (self.progress)(DeployEvent::DroppedInvalidIndex {
                    name,
                    index: &index,
                });
            }
        }
        Ok(())
    }

    /// Drop the indexes that became invalid since `before` (a failed `CREATE INDEX
    /// CONCURRENTLY` leaves its index behind, invalid but maintained by every write).
    fn drop_new_invalid_indexes(
        &mut self,
        conn: &mut dyn Connection,
        name: &str,
        before: &[String],
    ) -> Result<Vec<String>, drydock_connector::ConnectorError> {
        let mut dropped = Vec::new();
        let Some(builds) = conn.failed_index_builds() else {
            return Ok(dropped);
        };
        for index in builds.invalid_indexes()? {
            if before.contains(&index) {
                continue;
            }
            builds.drop_invalid_index(&index)?;
            (self.progress)(DeployEvent::DroppedInvalidIndex {
                name,
                index: &index,
            });
            dropped.push(index);
        }
        Ok(dropped)
    }
}

/// What runs outside a transaction, and how.
struct Outside<'a> {
    statements: &'a [Range<usize>],
    reason: &'a str,
    /// The batched backfills among the statements, by statement index.
    backfills: &'a [(usize, Backfill)],
    /// The failed row of an interrupted run to continue, at its first incomplete statement.
    resume: Option<HistoryRow>,
}

/// The first lines of the logs of a migration that a stop request cut short. Only a cut
/// between statements (no transaction of the script's own was rolled back) starts with
/// [`INTERRUPTED_LOGS`], the mark of a row the next deploy resumes.
fn interrupted_logs(row: &HistoryRow, total: usize, rolled_back: bool) -> String {
    let done = row.applied_steps_count;
    if rolled_back {
        format!(
            "Stopped by Ctrl-C or SIGTERM inside the transaction the script opens, which was \
             rolled back; {done} of {total} statement(s) had completed before it.\n\n"
        )
    } else {
        format!(
            "{INTERRUPTED_LOGS} after {done} of {total} statement(s); the statement that was \
             running was cancelled and changed nothing. The next deploy continues with \
             statement {next}.\n\n",
            next = done + 1
        )
    }
}

/// What [`MigrateError::Interrupted`] says of a migration outside a transaction that a stop
/// request cut short.
fn interrupted_state(
    name: &str,
    row: &HistoryRow,
    rolled_back: bool,
    record_error: Option<drydock_connector::ConnectorError>,
) -> String {
    let done = row.applied_steps_count;
    if let Some(record_error) = record_error {
        return format!(
            "`{name}` ran outside a transaction: {done} statement(s) of it completed and stay \
             applied, but recording that in `{HISTORY_TABLE}` failed ({record_error}). Check \
             which of its changes exist, then run `drydock migrate resolve --applied {name}` \
             once it is complete, or `--rolled-back {name}` once they are undone."
        );
    }
    if rolled_back {
        return format!(
            "`{name}` opens a transaction of its own, which was rolled back; only its \
             statements before that `BEGIN` stay applied. It is recorded as failed: undo those \
             and run `drydock migrate resolve --rolled-back {name}`, then deploy again."
        );
    }
    format!(
        "`{name}` ran outside a transaction: {done} statement(s) of it completed and stay \
         applied, the running one was cancelled and left nothing behind (an index its \
         concurrent build left invalid was dropped). `drydock migrate deploy` continues it \
         with statement {next}.",
        next = done + 1
    )
}

/// Whether `script` opens, ends or aborts a transaction itself (`BEGIN`, `START TRANSACTION`,
/// `COMMIT`, `END`, `ROLLBACK` but `ROLLBACK TO`, `ABORT`).
pub(crate) fn manages_own_transaction(script: &str, rules: &LexicalRules) -> bool {
    sql_scan::statements(script, rules).iter().any(|statement| {
        let words = &statement.words;
        match words.first().map(String::as_str) {
            Some("BEGIN" | "COMMIT" | "END" | "ABORT") => true,
            Some("ROLLBACK") => words.get(1).map(String::as_str) != Some("TO"),
            Some("START") => words.get(1).map(String::as_str) == Some("TRANSACTION"),
            _ => false,
        }
    })
}

/// Indexes left invalid by failed concurrent builds; none where builds never leave any.
pub(crate) fn invalid_indexes(
    conn: &mut dyn Connection,
) -> Result<Vec<String>, drydock_connector::ConnectorError> {
    conn.failed_index_builds()
        .map_or(Ok(Vec::new()), |builds| builds.invalid_indexes())
}

/// Sessions holding granted locks on the managed tables, as far as the database tells.
fn lock_holders(conn: &mut dyn Connection) -> Vec<SessionInfo> {
    conn.sessions()
        .and_then(|sessions| sessions.other_sessions().ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|session| session.locks.iter().any(|lock| lock.granted))
        .collect()
}

/// `pid 4242 (psql, alice, idle in transaction for 12 s): UPDATE ... — holds
/// RowExclusiveLock on "public"."User"`.
pub fn describe_session(session: &SessionInfo) -> String {
    let mut who: Vec<String> = [&session.application, &session.user, &session.state]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if let Some(age) = session.transaction_age {
        who.push(format!("transaction open for {} s", age.as_secs()));
    }
    let mut out = format!("pid {}", session.id);
    if !who.is_empty() {
        out.push_str(&format!(" ({})", who.join(", ")));
    }
    if let Some(query) = &session.query {
        out.push_str(&format!(": {query}"));
    }
    let held: Vec<String> = session
        .locks
        .iter()
        .map(|lock| {
            let verb = if lock.granted { "holds" } else { "waits for" };
            format!("{verb} {} on {}", lock.mode, lock.table)
        })
        .collect();
    if !held.is_empty() {
        out.push_str(&format!(" [{}]", held.join("; ")));
    }
    out
}

/// Runs statement `index` (the `&str`) of a script on the connection.
pub(crate) type ExecuteStatement<'a> =
    dyn FnMut(&mut dyn Connection, usize, &str) -> Result<(), ScriptError> + 'a;

/// Run `script` one range of `statements` at a time through `execute` (given the statement's
/// index), from statement `first` on, counting the completed ones in `row.applied_steps_count`
/// (written to the history after each when there are several). When a range is not a valid
/// byte range of `script`, the script runs in one call instead.
pub(crate) fn run_statements(
    conn: &mut dyn Connection,
    row: &mut HistoryRow,
    script: &str,
    statements: &[Range<usize>],
    first: usize,
    execute: &mut ExecuteStatement<'_>,
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
    for (done, range) in statements.iter().enumerate().skip(first) {
        let statement = &script[range.clone()];
        if let Err(mut error) = execute(&mut *conn, done, statement) {
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

/// What to do about failed migration `name` when its history row counts `done` statements that
/// completed outside a transaction and stay applied.
pub(crate) fn recovery_advice(name: &str, done: u32) -> String {
    let ran = match done {
        0 => {
            return format!(
                "If its changes were not applied (or you undid them), fix the migration, run \
                 `drydock migrate resolve --rolled-back {name}` and deploy again; if you \
                 completed its changes by hand, run `drydock migrate resolve --applied {name}`."
            );
        }
        1 => "Statement 1 of it".to_owned(),
        n => format!("Statements 1 to {n} of it"),
    };
    format!(
        "{ran} ran outside a transaction and stay applied (its logs list them). Either fix the \
         statement that failed in the migration file and run `drydock migrate resolve --finish \
         {name}`, which runs the statements from {next} on and marks it applied; or run \
         `drydock migrate resolve --undo {name}`, which undoes the statements that ran (checked \
         on a shadow database first), then fix the migration and deploy again (deploy runs the \
         whole migration again). By hand instead: run the statements from {next} on \
         (`drydock db execute`), correct the file and run `drydock migrate resolve --applied \
         {name}`; or undo them and run `drydock migrate resolve --rolled-back {name}`.",
        next = done + 1
    )
}

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
