//! `drydock preflight`: checks to run before deploying migrations, each with a stable id and a
//! status. Read-only: nothing here takes the migration lock or writes to the database.
//!
//! The checks, in order: `connection`, `privileges`, `pending`, `lint`, `backup`, `disk`,
//! `activity`, `pooler`. Without a connection the ones that need it are skipped.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use drydock_connector::{
    Connection, ConnectorError, Dialect, Privilege, SessionInfo, Storage, redact_url,
};
use drydock_diagnostics::line_col;
use drydock_lint::{ConnectionFacts, Facts, Report};
use drydock_migrate::{MigrateError, StatusReport, describe_session};
use serde::Serialize;

use crate::deploy_review::{LiveTables, PendingTables, TableRef, pending_tables, review_with};
use crate::{EngineError, Project};

/// How long another session's transaction may be open before the `activity` check warns.
pub const DEFAULT_MAX_TRANSACTION_AGE: Duration = Duration::from_secs(60);

/// Stable check ids, in report order.
pub mod check_ids {
    pub const CONNECTION: &str = "connection";
    pub const PRIVILEGES: &str = "privileges";
    pub const PENDING: &str = "pending";
    pub const LINT: &str = "lint";
    pub const BACKUP: &str = "backup";
    pub const DISK: &str = "disk";
    pub const ACTIVITY: &str = "activity";
    pub const POOLER: &str = "pooler";
}

use check_ids::{ACTIVITY, BACKUP, CONNECTION, DISK, LINT, PENDING, POOLER, PRIVILEGES};

/// How the checks judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightOptions {
    /// Tables with fewer rows are small for the lint rules (`--max-rows`).
    pub max_rows: u64,
    /// Another session's transaction open longer than this is a warning.
    pub max_transaction_age: Duration,
    /// What is known of the database's backups.
    pub backup: BackupState,
}

/// The backups of the database, as the backup folder shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BackupState {
    /// Backups are not set up for this project: the check is skipped.
    #[default]
    NotConfigured,
    /// Backups are set up (a `[backup]` setting, or backups in the folder before) but the folder
    /// holds none of this database.
    Missing { dir: String },
    /// The newest backup.
    Latest(BackupFacts),
}

impl Default for PreflightOptions {
    fn default() -> Self {
        PreflightOptions {
            max_rows: drydock_lint::DEFAULT_MAX_ROWS,
            max_transaction_age: DEFAULT_MAX_TRANSACTION_AGE,
            backup: BackupState::NotConfigured,
        }
    }
}

/// A backup of the database, as the module that took it describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFacts {
    /// Where it is (a file, a bucket, a snapshot id).
    pub location: String,
    pub taken_at: DateTime<Utc>,
    /// Its stored bytes were checked against the manifest's checksum.
    pub checksummed: bool,
    /// It was restored into a scratch database and matched the manifest.
    pub restore_tested: bool,
}

/// A backup older than this is not recent: the deploy would lose more than a day's data if it
/// had to be rolled back by restoring it.
pub const MAX_BACKUP_AGE: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    /// Not checked: nothing to check, or a check it depends on failed.
    Skip,
    /// Deploying may go wrong or hurt; fails only with `--warnings-as-errors`.
    Warn,
    /// Deploying would fail or do harm.
    Fail,
}

impl CheckStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Skip => "skip",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id (see [`check_ids`]).
    pub id: &'static str,
    pub status: CheckStatus,
    /// One line.
    pub summary: String,
    /// Further lines: what was found, what to do.
    pub details: Vec<String>,
}

impl Check {
    fn new(id: &'static str, status: CheckStatus, summary: impl Into<String>) -> Check {
        Check {
            id,
            status,
            summary: summary.into(),
            details: Vec::new(),
        }
    }

    fn with_details(mut self, details: Vec<String>) -> Check {
        self.details = details;
        self
    }

    /// A check that could not look: a warning, since nothing is known either way.
    fn unknown(id: &'static str, what: &str, error: &dyn std::fmt::Display) -> Check {
        Check::new(id, CheckStatus::Warn, format!("could not {what}: {error}"))
    }
}

/// Every check, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightReport {
    pub checks: Vec<Check>,
}

impl PreflightReport {
    /// Whether a deploy should not go ahead: a failed check, or a warning when warnings count.
    pub fn fails(&self, warnings_as_errors: bool) -> bool {
        self.checks.iter().any(|check| {
            check.status == CheckStatus::Fail
                || (warnings_as_errors && check.status == CheckStatus::Warn)
        })
    }

    pub fn count(&self, status: CheckStatus) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|check| check.id == id)
    }

    /// `✔ pass  connection  PostgreSQL 15.4, 0.4 ms round trip`, details indented below, then
    /// the counts and what to do next.
    pub fn render_text(&self, warnings_as_errors: bool) -> String {
        let indent = " ".repeat(2 + 4 + 2 + ID_WIDTH + 2);
        let mut out = String::new();
        for check in &self.checks {
            let mark = match check.status {
                CheckStatus::Pass => '✔',
                CheckStatus::Warn => '!',
                CheckStatus::Fail => '✘',
                CheckStatus::Skip => '-',
            };
            out.push_str(&format!(
                "{mark} {:<4}  {:<ID_WIDTH$}  {}\n",
                check.status.label(),
                check.id,
                check.summary
            ));
            for detail in &check.details {
                out.push_str(&format!("{indent}{detail}\n"));
            }
        }
        let failed = self.count(CheckStatus::Fail);
        let warned = self.count(CheckStatus::Warn);
        out.push_str(&format!(
            "\n{} passed, {warned} warned, {failed} failed, {} skipped\n",
            self.count(CheckStatus::Pass),
            self.count(CheckStatus::Skip)
        ));
        let next = if failed > 0 {
            "Not ready to deploy: fix what failed, then run `drydock preflight` again."
        } else if warned > 0 && warnings_as_errors {
            "Not ready to deploy: warnings count as failures (`--warnings-as-errors`)."
        } else if warned > 0 {
            "Ready to deploy, with warnings: read them before `drydock migrate deploy`."
        } else {
            "Ready to deploy: run `drydock migrate deploy`."
        };
        out.push_str(next);
        out.push('\n');
        out
    }
}

/// Room for the longest check id in [`PreflightReport::render_text`], so summaries line up.
const ID_WIDTH: usize = 10;

/// Run every check against the project's database (`url` overrides the schema's).
///
/// Errors are for what stops all checks (the schema names no usable URL); anything the checks
/// meet, an unreachable server included, is a check's status.
pub fn preflight(
    project: &Project,
    url: Option<&str>,
    options: &PreflightOptions,
) -> Result<PreflightReport, EngineError> {
    let url = project.migration_url(url)?;
    let dialect = project.dialect;
    let mut checks = Vec::new();
    let (connection_check, connection) = connect(dialect, &url);
    checks.push(connection_check);
    match connection {
        Some(mut connection) => {
            let conn = connection.as_mut();
            checks.push(privileges_check(conn.privileges()));
            let status = drydock_migrate::status(conn, &project.migrations_dir);
            checks.push(pending_check(conn, &status));
            let pending = status.map(|status| status.pending).ok();
            let live = LiveTables::read(project, conn);
            checks.push(lint_check(
                project,
                conn,
                pending.as_deref(),
                &live,
                options,
            ));
            checks.push(backup_check(&options.backup, Utc::now()));
            let tables = pending.as_deref().map(|p| pending_tables(project, p));
            checks.push(disk_check(project, conn, tables.as_ref(), &live, options));
            checks.push(activity_check(
                dialect,
                conn.sessions()
                    .map_or(Ok(Vec::new()), |sessions| sessions.other_sessions()),
                tables.as_ref(),
                options.max_transaction_age,
            ));
        }
        None => {
            let skip = |id| Check::new(id, CheckStatus::Skip, "needs a connection");
            checks.extend([skip(PRIVILEGES), skip(PENDING), skip(LINT)]);
            checks.push(backup_check(&options.backup, Utc::now()));
            checks.extend([skip(DISK), skip(ACTIVITY)]);
        }
    }
    checks.push(pooler_check(dialect, &url));
    Ok(PreflightReport { checks })
}

fn connect(dialect: &dyn Dialect, url: &str) -> (Check, Option<Box<dyn Connection>>) {
    let failed = |what: &str, error: &ConnectorError| {
        let summary = format!("{what}: [{}] {error}", error.code());
        (Check::new(CONNECTION, CheckStatus::Fail, summary), None)
    };
    let started = Instant::now();
    let mut connection = match dialect.connect(url) {
        Ok(connection) => connection,
        Err(error) => return failed("cannot connect", &error),
    };
    let connected_in = started.elapsed();
    let answered = connection.server_version().and_then(|version| {
        let asked = Instant::now();
        connection.query_texts("SELECT 1")?;
        Ok((version, asked.elapsed()))
    });
    let (version, round_trip) = match answered {
        Ok(answer) => answer,
        Err(error) => return failed("connected, but queries fail", &error),
    };
    let check = Check::new(
        CONNECTION,
        CheckStatus::Pass,
        format!("{version}, {} round trip", millis(round_trip)),
    )
    .with_details(vec![format!(
        "connected to {} in {}",
        redact_url(url),
        millis(connected_in)
    )]);
    (check, Some(connection))
}

fn privileges_check(privileges: Result<Vec<Privilege>, ConnectorError>) -> Check {
    let privileges = match privileges {
        Ok(privileges) => privileges,
        Err(error) => return Check::unknown(PRIVILEGES, "read the privileges", &error),
    };
    let missing: Vec<&Privilege> = privileges.iter().filter(|p| !p.granted).collect();
    if missing.is_empty() {
        return Check::new(
            PRIVILEGES,
            CheckStatus::Pass,
            format!(
                "all {} privileges migrations need are granted",
                privileges.len()
            ),
        )
        .with_details(
            privileges
                .iter()
                .map(|p| format!("granted: {}", p.what))
                .collect(),
        );
    }
    let mut details: Vec<String> = missing
        .iter()
        .map(|p| format!("missing: {}", p.what))
        .collect();
    details.push("grant them to the migration role, or migrate as a role that has them".to_owned());
    Check::new(
        PRIVILEGES,
        CheckStatus::Fail,
        format!(
            "{} of {} privileges migrations need {} missing",
            missing.len(),
            privileges.len(),
            if missing.len() == 1 { "is" } else { "are" }
        ),
    )
    .with_details(details)
}

fn pending_check(conn: &mut dyn Connection, status: &Result<StatusReport, MigrateError>) -> Check {
    let status = match status {
        Ok(status) => status,
        Err(error) => {
            return Check::new(
                PENDING,
                CheckStatus::Fail,
                format!("cannot compare the migrations folder with the history: {error}"),
            );
        }
    };
    if !status.failed.is_empty() {
        let mut details: Vec<String> = status
            .failed
            .iter()
            .map(|failed| format!("{} failed (started {})", failed.name, failed.started_at))
            .collect();
        details.push(
            "fix the cause, then run `drydock migrate resolve --rolled-back <migration>` (or \
             `--applied` if it was completed by hand)"
                .to_owned(),
        );
        return Check::new(
            PENDING,
            CheckStatus::Fail,
            format!(
                "{} failed migration(s) in the history block deploys",
                status.failed.len()
            ),
        )
        .with_details(details);
    }
    if !status.history_table_exists && !status.pending.is_empty() {
        match conn.has_user_tables() {
            Ok(true) => {
                return Check::new(
                    PENDING,
                    CheckStatus::Fail,
                    "the database has tables but no migration history, so deploy refuses it",
                )
                .with_details(vec![
                    "baseline it first: `drydock migrate baseline`, or `drydock migrate resolve \
                     --applied <migration>` for the migrations it already contains"
                        .to_owned(),
                ]);
            }
            Ok(false) => {}
            Err(error) => return Check::unknown(PENDING, "look for existing tables", &error),
        }
    }
    let mut details: Vec<String> = status
        .pending
        .iter()
        .map(|name| format!("pending: {name}"))
        .collect();
    details.extend(
        status
            .missing_locally
            .iter()
            .map(|name| format!("applied but missing from the migrations folder: {name}")),
    );
    details.extend(
        status
            .edited_after_applied
            .iter()
            .map(|name| format!("modified after it was applied: {name}")),
    );
    let summary = match status.pending.len() {
        0 => "no pending migrations; the database is up to date".to_owned(),
        1 => "1 pending migration".to_owned(),
        n => format!("{n} pending migrations"),
    };
    let out_of_step = !status.missing_locally.is_empty() || !status.edited_after_applied.is_empty();
    let status = if out_of_step {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    Check::new(PENDING, status, summary).with_details(details)
}

fn lint_check(
    project: &Project,
    conn: &mut dyn Connection,
    pending: Option<&[String]>,
    live: &Result<LiveTables, EngineError>,
    options: &PreflightOptions,
) -> Check {
    let Some(pending) = pending else {
        return Check::new(
            LINT,
            CheckStatus::Skip,
            "the pending migrations are not known",
        );
    };
    if pending.is_empty() {
        return Check::new(LINT, CheckStatus::Pass, "no pending migrations to lint");
    }
    let live = match live {
        Ok(live) => live,
        Err(error) => return Check::unknown(LINT, "read the database's tables", error),
    };
    let report = match review_with(project, conn, pending, options.max_rows, live) {
        Ok(report) => report,
        Err(error) => return Check::unknown(LINT, "lint the pending migrations", &error),
    };
    let status = if report.fails(false) {
        CheckStatus::Fail
    } else if report.fails(true) {
        CheckStatus::Warn
    } else {
        CheckStatus::Pass
    };
    let mut details = finding_lines(&report);
    details.extend(
        report
            .notices
            .iter()
            .map(|notice| format!("note: {notice}")),
    );
    if status != CheckStatus::Pass {
        details.push("see them in full with `drydock lint --url <database>`".to_owned());
    }
    Check::new(LINT, status, drydock_lint::report::summary(&report)).with_details(details)
}

/// `error D4201 require-concurrent-index: message (file:line:column)` per finding.
fn finding_lines(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|finding| {
            let place = report.files.get(finding.span.file).map(|file| {
                let (line, column) = line_col(&file.text, finding.span.start);
                format!(" ({}:{line}:{column})", file.name)
            });
            format!(
                "{} {} {}: {}{}",
                finding.level.label(),
                finding.rule.code,
                finding.rule.name,
                finding.message,
                place.unwrap_or_default()
            )
        })
        .collect()
}

fn backup_check(backup: &BackupState, now: DateTime<Utc>) -> Check {
    let latest = match backup {
        BackupState::NotConfigured => {
            return Check::new(BACKUP, CheckStatus::Skip, "no backup configured");
        }
        BackupState::Missing { dir } => {
            return Check::new(
                BACKUP,
                CheckStatus::Warn,
                format!("no backup of this database in {dir}: run `drydock backup create`"),
            );
        }
        BackupState::Latest(latest) => latest,
    };
    let age = (now - latest.taken_at).to_std().unwrap_or_default();
    let hours = age.as_secs() / 3600;
    let state = if latest.restore_tested {
        "restore-tested"
    } else if latest.checksummed {
        "checksummed, never restore-tested"
    } else {
        "not verified"
    };
    let summary = format!("latest backup {}: {hours} h old, {state}", latest.location);
    let mut check = if !latest.restore_tested || age > MAX_BACKUP_AGE {
        Check::new(BACKUP, CheckStatus::Warn, summary)
    } else {
        Check::new(BACKUP, CheckStatus::Pass, summary)
    };
    if age > MAX_BACKUP_AGE {
        check.details.push(format!(
            "older than {} h: take a fresh one (`drydock migrate deploy --backup`)",
            MAX_BACKUP_AGE.as_secs() / 3600
        ));
    }
    if !latest.restore_tested {
        check
            .details
            .push("prove it restores: `drydock backup verify`".to_owned());
    }
    check
}

/// Room on disk: free space where the data lives against what the pending migrations may
/// need (the size of every table they copy or index), and room here for a local backup.
fn disk_check(
    project: &Project,
    conn: &mut dyn Connection,
    tables: Option<&Result<PendingTables, EngineError>>,
    live: &Result<LiveTables, EngineError>,
    options: &PreflightOptions,
) -> Check {
    let storage = match conn.storage() {
        Ok(storage) => storage,
        Err(error) => return Check::unknown(DISK, "read the database's storage", &error),
    };
    let mut details = Vec::new();
    if let Some(bytes) = storage.database_bytes {
        details.push(format!("database size: {}", human_bytes(bytes)));
    }
    let needed = match (tables, live) {
        (Some(Ok(tables)), Ok(live)) => {
            estimate_needed(project, conn, tables, live, &storage, options, &mut details)
        }
        (Some(Err(error)), _) | (_, Err(error)) => {
            details.push(format!(
                "cannot tell what the pending migrations need: {error}"
            ));
            None
        }
        (None, _) => None,
    };
    let (mut status, summary) = match (storage.free_bytes, needed) {
        (None, _) => (
            CheckStatus::Warn,
            "free space unknown: the server is not on this machine or does not say where its \
             data lives"
                .to_owned(),
        ),
        (Some(free), None) => (
            CheckStatus::Warn,
            format!(
                "{} free, but what the pending migrations need is unknown",
                human_bytes(free)
            ),
        ),
        (Some(free), Some(needed)) => {
            let status = if free < needed {
                CheckStatus::Fail
            } else if free < needed.saturating_mul(2) {
                CheckStatus::Warn
            } else {
                CheckStatus::Pass
            };
            (
                status,
                format!(
                    "{} free, pending migrations need at most {}",
                    human_bytes(free),
                    human_bytes(needed)
                ),
            )
        }
    };
    if let (Some(directory), Some(free)) = (&storage.data_directory, storage.free_bytes) {
        details.push(format!(
            "free in {}: {}",
            directory.display(),
            human_bytes(free)
        ));
    }
    if let Some(database) = storage.database_bytes
        && let Some((here, free)) = free_here()
    {
        if free < database {
            status = status.max(CheckStatus::Warn);
            details.push(format!(
                "no room for a local backup: {} free in {}, the database is {}",
                human_bytes(free),
                here.display(),
                human_bytes(database)
            ));
        } else {
            details.push(format!(
                "room for a local backup: {} free in {}",
                human_bytes(free),
                here.display()
            ));
        }
    }
    Check::new(DISK, status, summary).with_details(details)
}

/// The bytes the pending migrations may need: the live size of each table they copy or index;
/// a table they create first needs nothing yet. When a size cannot be read, the whole database
/// is the bound.
fn estimate_needed(
    project: &Project,
    conn: &mut dyn Connection,
    tables: &PendingTables,
    live: &LiveTables,
    storage: &Storage,
    options: &PreflightOptions,
    details: &mut Vec<String>,
) -> Option<u64> {
    let existing: Vec<&TableRef> = tables
        .rewritten
        .iter()
        .filter(|table| live.may_contain(table))
        .collect();
    let sizes_readable = drydock_lint::knows_locks(project.dialect);
    let mut facts = ConnectionFacts::new(
        conn,
        project.dialect.capabilities().sql_grammar,
        options.max_rows,
    );
    let mut needed = 0u64;
    let mut unknown = Vec::new();
    for table in existing {
        match sizes_readable
            .then(|| facts.table_size(&table.lint_name()))
            .flatten()
        {
            Some(size) => {
                details.push(format!(
                    "copies or indexes {table}: {}",
                    human_bytes(size.bytes)
                ));
                needed = needed.saturating_add(size.bytes);
            }
            None => unknown.push(table.to_string()),
        }
    }
    if unknown.is_empty() {
        return Some(needed);
    }
    details.push(format!(
        "sizes unknown for {}: counting the whole database",
        unknown.join(", ")
    ));
    storage.database_bytes
}

/// The current directory and the free space there.
fn free_here() -> Option<(std::path::PathBuf, u64)> {
    let here = std::env::current_dir().ok()?;
    let free = fs4::available_space(&here).ok()?;
    Some((here, free))
}

/// Sessions holding or awaiting locks on tables the pending migrations touch fail the check;
/// transactions open longer than `max_age` warn.
fn activity_check(
    dialect: &dyn Dialect,
    sessions: Result<Vec<SessionInfo>, ConnectorError>,
    tables: Option<&Result<PendingTables, EngineError>>,
    max_age: Duration,
) -> Check {
    let sessions = match sessions {
        Ok(sessions) => sessions,
        Err(error) => return Check::unknown(ACTIVITY, "list other sessions", &error),
    };
    let touched = match tables {
        Some(Ok(tables)) => Some(&tables.touched),
        Some(Err(_)) | None => None,
    };
    let conflicts = |session: &SessionInfo| {
        session.locks.iter().any(|lock| {
            let table = TableRef::parse(&lock.table, dialect);
            touched.is_some_and(|touched| {
                table.is_some_and(|table| touched.iter().any(|t| t.same_table(&table)))
            })
        })
    };
    let mut blocking = Vec::new();
    let mut old = Vec::new();
    for session in &sessions {
        if conflicts(session) {
            blocking.push(describe_session(session));
        } else if session.transaction_age.is_some_and(|age| age > max_age) {
            old.push(describe_session(session));
        }
    }
    let (blocking_count, old_count) = (blocking.len(), old.len());
    let mut details = blocking;
    details.extend(old);
    if blocking_count > 0 {
        details.push(
            "the migrations would wait for these locks, and every query on those tables would \
             queue behind them: end these transactions or wait for them"
                .to_owned(),
        );
        return Check::new(
            ACTIVITY,
            CheckStatus::Fail,
            format!(
                "{blocking_count} session(s) hold locks on tables the pending migrations touch"
            ),
        )
        .with_details(details);
    }
    if old_count > 0 {
        return Check::new(
            ACTIVITY,
            CheckStatus::Warn,
            format!(
                "{old_count} transaction(s) open longer than {} s",
                max_age.as_secs()
            ),
        )
        .with_details(details);
    }
    let summary = match touched {
        Some(touched) => format!(
            "no other session holds locks on the {} table(s) the pending migrations touch",
            touched.len()
        ),
        None => {
            "no long transactions (the tables the pending migrations touch are unknown)".to_owned()
        }
    };
    Check::new(ACTIVITY, CheckStatus::Pass, summary)
}

fn pooler_check(dialect: &dyn Dialect, url: &str) -> Check {
    match dialect.pooler_warning(url) {
        Some(warning) => Check::new(
            POOLER,
            CheckStatus::Warn,
            "the URL looks like a connection pooler in transaction mode",
        )
        .with_details(vec![warning]),
        None => Check::new(POOLER, CheckStatus::Pass, "no connection pooler in the URL"),
    }
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// `512 bytes`, `3.4 MiB`.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn postgres() -> &'static dyn Dialect {
        crate::dialects::for_provider("postgresql").expect("postgresql")
    }

    #[test]
    fn a_pgbouncer_url_warns_in_the_pooler_check() {
        let check = pooler_check(postgres(), "postgresql://u@db.example/app?pgbouncer=true");
        assert_eq!(check.status, CheckStatus::Warn);
        assert!(check.details[0].contains("pgbouncer=true"), "{check:?}");
        let direct = pooler_check(postgres(), "postgresql://u@db.example:5432/app");
        assert_eq!(direct.status, CheckStatus::Pass);
    }

    #[test]
    fn backups_are_judged_by_age_and_restore_test() {
        let now = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(10);
        assert_eq!(
            backup_check(&BackupState::NotConfigured, now).status,
            CheckStatus::Skip
        );
        let missing = BackupState::Missing {
            dir: "backups".to_owned(),
        };
        assert_eq!(backup_check(&missing, now).status, CheckStatus::Warn);
        let taken = |hours_ago: i64, restore_tested: bool| {
            BackupState::Latest(BackupFacts {
                location: "backups/app.dump.zst".to_owned(),
                taken_at: now - chrono::Duration::hours(hours_ago),
                checksummed: true,
                restore_tested,
            })
        };
        let fresh = backup_check(&taken(2, true), now);
        assert_eq!(fresh.status, CheckStatus::Pass);
        assert!(
            fresh.summary.contains("2 h old, restore-tested"),
            "{}",
            fresh.summary
        );
        assert_eq!(
            backup_check(&taken(30, true), now).status,
            CheckStatus::Warn
        );
        let untested = backup_check(&taken(2, false), now);
        assert_eq!(untested.status, CheckStatus::Warn);
        assert!(untested.details[0].contains("backup verify"));
    }

    #[test]
    fn missing_privileges_fail() {
        let check = privileges_check(Ok(vec![
            Privilege {
                what: "USAGE on schema public".to_owned(),
                granted: true,
            },
            Privilege {
                what: "CREATE on schema public".to_owned(),
                granted: false,
            },
        ]));
        assert_eq!(check.status, CheckStatus::Fail);
        assert_eq!(check.details[0], "missing: CREATE on schema public");
    }

    #[test]
    fn warnings_fail_only_when_they_count() {
        let report = PreflightReport {
            checks: vec![
                Check::new(CONNECTION, CheckStatus::Pass, "ok"),
                Check::new(POOLER, CheckStatus::Warn, "pooler"),
            ],
        };
        assert!(!report.fails(false));
        assert!(report.fails(true));
        assert_eq!(report.count(CheckStatus::Warn), 1);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(7_708_007), "7.4 MiB");
    }
}
