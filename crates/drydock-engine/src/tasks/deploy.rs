//! `migrate deploy` as a task: the pooler warning, the pending migrations reviewed (linted
//! against the live database under the lint gate, or the pre-flight checks), the backup taken
//! before, the deploy itself with its progress and the samples of a long migration's watch,
//! and the warnings about migrations edited after they were applied.
//!
//! With approval required (`require_approval`, or `[deploy] require_approval`), the pending
//! set must be the one approved last ([`approval`]) before anything else happens.
//!
//! Counts: examined = the pending migrations the deploy considered (those held back
//! included), affected = the migrations it applied.

use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drydock_backup::Manifest;
use drydock_connector::{Interrupt, SessionActivity, SessionLimits};
use drydock_maintenance::{Finding, ObjectRef, Severity};
use drydock_migrate::{self as history, DeployEvent, DeployReport, WatchEvent};
use drydock_tasks::{Event, Events};

use crate::{CheckStatus, EngineError, LintGate, PreflightOptions, Project, Settings};

pub mod approval;
mod notify;
pub mod plan;

/// The step of the [`Event::Progress`] events of a deploy: `done` of `total` migrations.
pub const APPLY_STEP: &str = "applying migrations";

/// How the pending migrations are reviewed before anything runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// Linted against the live database; the gate decides which findings stop the deploy.
    Lint(LintGate),
    /// The pre-flight checks (`drydock preflight`); a failed one stops the deploy.
    Preflight,
}

/// What `migrate deploy` is asked to do.
#[derive(Clone)]
pub struct DeployTaskOptions {
    /// The database, instead of the project's.
    pub url: Option<String>,
    pub review: Review,
    /// Tables above this many rows count as large for the review.
    pub max_rows: u64,
    /// Back up the database first, whatever the settings say (`[backup] before_deploy` asks
    /// for it too); only when a migration is pending.
    pub backup: bool,
    /// Where that backup goes, instead of the settings' folder.
    pub backup_dir: Option<PathBuf>,
    pub limits: SessionLimits,
    pub lock_retries: u32,
    pub retry_delay: Duration,
    /// Apply contract migrations too, instead of stopping before the first.
    pub contract: bool,
    /// Sample a long migration from a second session and report what it waits for.
    pub watch: bool,
    pub interrupt: Interrupt,
    /// Apply only a pending set approved as it is (names and checksums) on the migrations
    /// page of `drydock serve`; `[deploy] require_approval = true` asks for it too.
    pub require_approval: bool,
    /// Apply exactly this plan (`--plan`): refused on another database, or when the pending
    /// migrations differ from its set; its `contract` decides what is held back.
    pub plan: Option<plan::DeployPlan>,
    /// Apply pending migrations that sort before the newest applied one (as Prisma does),
    /// with a warning each; otherwise the deploy refuses them (D3130).
    pub allow_out_of_order: bool,
}

impl Default for DeployTaskOptions {
    fn default() -> Self {
        let deploy = history::DeployOptions::default();
        DeployTaskOptions {
            url: None,
            review: Review::Lint(LintGate::Auto),
            max_rows: drydock_lint::DEFAULT_MAX_ROWS,
            backup: false,
            backup_dir: None,
            limits: deploy.limits,
            lock_retries: deploy.lock_retries,
            retry_delay: deploy.retry_delay,
            contract: false,
            watch: true,
            interrupt: Interrupt::default(),
            require_approval: false,
            plan: None,
            allow_out_of_order: false,
        }
    }
}

/// What a deploy did.
#[derive(Debug, Clone)]
pub struct DeployOutcome {
    pub report: DeployReport,
    /// The pending migrations before the deploy.
    pub pending: Vec<String>,
    /// The backup taken before, checksummed.
    pub backup: Option<Manifest>,
}

impl DeployOutcome {
    /// `applied 3 migrations`, `applied 1 migration, held back 2`, `no pending migrations`.
    pub fn summary(&self) -> String {
        let applied = self.report.applied.len();
        let mut summary = if applied == 0 && self.report.held_back.is_empty() {
            "no pending migrations".to_owned()
        } else {
            format!("applied {}", super::plural(applied, "migration"))
        };
        if !self.report.held_back.is_empty() {
            summary.push_str(&format!(
                ", held back {} from the contract migration {}",
                self.report.held_back.len(),
                self.report.held_back[0]
            ));
        }
        if let Some(backup) = &self.backup {
            summary.push_str(&format!(", backup {} taken before", backup.id));
        }
        summary
    }
}

/// Apply the pending migrations of `project` to its database (or `options.url`). With
/// `[alerts]` webhooks, a failed deploy or a migration slower than `[alerts] slow_migration`
/// alerts, and a later deploy without either clears it (docs/alerts.md).
pub fn deploy(
    project: &Project,
    options: &DeployTaskOptions,
    events: &dyn Events,
) -> Result<DeployOutcome, EngineError> {
    let started = Instant::now();
    // Notifications never change how the deploy ends: a problem with them is a warning.
    let notices = notify::DeployNotices::new(project, options.url.as_deref(), events)
        .unwrap_or_else(|e| {
            events.warning(&format!("the deploy's notifications are not sent: {e}"));
            None
        });
    let result = deploy_migrations(project, options, notices.as_ref(), events);
    if let Some(notices) = notices {
        notices.finished(&result, started.elapsed());
        notices.wait(events);
    }
    // Alerts never change how the deploy ended: a problem sending them is a warning.
    if let Err(error) = send_deploy_alerts(project, options.url.as_deref(), &result, events) {
        events.warning(&format!("the deploy's alerts were not sent: {error}"));
    }
    audit_deploy(project, options.url.as_deref(), started, &result, events);
    result
}

/// The deploy's audit entry: the migrations it applied, or on a failure those it applied
/// before it failed and the one that failed (or, when it failed before running any, those
/// pending). A deploy that found nothing to apply changed nothing and has none.
fn audit_deploy(
    project: &Project,
    url: Option<&str>,
    started: Instant,
    result: &Result<DeployOutcome, EngineError>,
    events: &dyn Events,
) {
    let began =
        chrono::Utc::now() - chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    let names: Vec<String> = match result {
        Ok(outcome) if outcome.report.applied.is_empty() => return,
        Ok(outcome) => outcome
            .report
            .applied
            .iter()
            .map(|m| m.name.clone())
            .collect(),
        Err(_) => project
            .migration_url(url)
            .ok()
            .and_then(|url| project.dialect.connect(&url).ok())
            .and_then(|mut connection| {
                history::status(connection.as_mut(), &project.migrations_dir).ok()
            })
            .map(|status| {
                if status.failed.is_empty() {
                    return status.pending;
                }
                status
                    .applied
                    .into_iter()
                    .filter(|applied| applied.finished_at >= began)
                    .map(|applied| applied.name)
                    .chain(status.failed.into_iter().map(|f| f.name))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut change =
        crate::audit::AuditedChange::new("migrate deploy").with_migrations(project, &names);
    change.started = started;
    crate::audit::record_for(project, url, change, result, events);
}

/// What a deploy's alerts say: a failure (`D6402`), and each migration slower than
/// `[alerts] slow_migration` (`D6401`); none after a deploy that went well.
fn send_deploy_alerts(
    project: &Project,
    url: Option<&str>,
    result: &Result<DeployOutcome, EngineError>,
    events: &dyn Events,
) -> Result<(), EngineError> {
    let settings = Settings::load(project)?;
    if settings.alerts.webhooks.is_empty() {
        return Ok(());
    }
    let database = drydock_connector::redact_url(&project.migration_url(url)?);
    let findings = deploy_findings(result, &database, settings.alerts.slow_migration);
    crate::send_alerts_with(
        project,
        url,
        "migrate deploy",
        &findings,
        None,
        &settings.alert_settings()?,
        events,
    )?;
    Ok(())
}

/// The findings a deploy's `result` gives on `database`.
fn deploy_findings(
    result: &Result<DeployOutcome, EngineError>,
    database: &str,
    slow: Duration,
) -> Vec<Finding> {
    match result {
        Err(error) => {
            let message = drydock_connector::redact_text(&error.to_string());
            vec![Finding {
                code: "D6402".to_owned(),
                severity: Severity::Error,
                title: format!(
                    "migrate deploy failed: {}",
                    message.lines().next().unwrap_or_default()
                ),
                objects: vec![ObjectRef {
                    kind: "database".to_owned(),
                    name: database.to_owned(),
                }],
                detail: Some(message),
                fix: Some(
                    "read the deploy's log (`drydock runs --task \"migrate deploy\"`), fix the \
                     cause, and run `drydock migrate deploy` again"
                        .to_owned(),
                ),
            }]
        }
        Ok(outcome) => outcome
            .report
            .applied
            .iter()
            .filter(|migration| migration.duration > slow)
            .map(|migration| Finding {
                code: "D6401".to_owned(),
                severity: Severity::Warning,
                title: format!(
                    "migration {} ran {} s, longer than {} s",
                    migration.name,
                    migration.duration.as_secs(),
                    slow.as_secs()
                ),
                objects: vec![ObjectRef {
                    kind: "migration".to_owned(),
                    name: migration.name.clone(),
                }],
                detail: None,
                fix: Some(
                    "see what it waited for in its run's log; split long work into batched \
                     backfills (docs/backfill.md) or a zero-downtime plan"
                        .to_owned(),
                ),
            })
            .collect(),
    }
}

fn deploy_migrations(
    project: &Project,
    options: &DeployTaskOptions,
    notices: Option<&notify::DeployNotices>,
    events: &dyn Events,
) -> Result<DeployOutcome, EngineError> {
    let url_flag = options.url.as_deref();
    let (url, mut connection) = super::connect(project, url_flag, super::Missing::Create, events)?;
    super::describe_datasource(project, &url, events);
    if let Some(warning) = project.dialect.pooler_warning(&url) {
        events.warning(&format!("{warning}."));
    }
    let pending = history::status(connection.as_mut(), &project.migrations_dir)?.pending;
    let examined = pending.len() as u64;
    events.event(Event::Counts {
        examined,
        affected: 0,
    });
    let planned = match &options.plan {
        Some(plan) => Some(plan::check_plan(
            project,
            plan,
            &url,
            connection.as_mut(),
            &pending,
            events,
        )?),
        None => None,
    };
    let settings = Settings::load(project)?;
    let approved = if options.require_approval || settings.deploy.require_approval {
        Some(approval::require_approval(
            project, url_flag, &pending, events,
        )?)
    } else {
        None
    };
    match options.review {
        Review::Preflight => run_preflight(project, url_flag, options.max_rows, events)?,
        Review::Lint(gate) => {
            review_pending(
                project,
                connection.as_mut(),
                &pending,
                gate,
                options,
                events,
            )?;
        }
    }
    let backup = if (options.backup || settings.backup.before_deploy) && !pending.is_empty() {
        let dir = settings.backup_dir(options.backup_dir.as_deref());
        Some(super::backup::create_checked(&url, &dir, events)?)
    } else {
        None
    };
    // The backup's counts were its own; the deploy's start again.
    events.event(Event::Counts {
        examined,
        affected: 0,
    });
    let running = match notices {
        Some(notices) if !pending.is_empty() => notices.started(&pending),
        _ => None,
    };
    let report = std::thread::scope(|scope| {
        // Watch samples come from the watching thread; they reach `events` from here.
        let (sender, receiver) = channel::<Event>();
        scope.spawn(move || {
            for event in receiver {
                events.event(event);
            }
        });
        let deploy_options = history::DeployOptions {
            limits: options.limits,
            lock_retries: options.lock_retries,
            retry_delay: options.retry_delay,
            hold_contract: !options
                .plan
                .as_ref()
                .map_or(options.contract, |p| p.contract),
            watch: options.watch.then(|| {
                let dialect = project.dialect;
                let url = url.clone();
                history::WatchOptions {
                    open: Arc::new(move || dialect.connect(&url)),
                    report: Arc::new(report_watch(sender)),
                    interval: WATCH_INTERVAL,
                }
            }),
            interrupt: options.interrupt.clone(),
            confirm_pending: both(approved.map(approval::confirm_approved), planned),
            allow_out_of_order: options.allow_out_of_order,
        };
        run_deploy(
            project,
            connection.as_mut(),
            &deploy_options,
            examined,
            running,
            events,
        )
        // `deploy_options` goes here, and the watch's sender with it: the forwarding ends.
    })?;
    if !report.edited_after_applied.is_empty() {
        let mut warning = "these migrations were modified after they were applied:".to_owned();
        for name in &report.edited_after_applied {
            warning.push_str(&format!("\n  {name}"));
        }
        events.warning(&warning);
    }
    Ok(DeployOutcome {
        report,
        pending,
        backup,
    })
}

/// One check of the migrations about to run from two: the first refusal counts.
fn both(
    first: Option<history::ConfirmPending>,
    second: Option<history::ConfirmPending>,
) -> Option<history::ConfirmPending> {
    match (first, second) {
        (Some(first), Some(second)) => Some(Arc::new(move |about_to_run: &[(&str, &str)]| {
            first(about_to_run)?;
            second(about_to_run)
        })),
        (first, second) => first.or(second),
    }
}

/// Apply the pending migrations on `connection`, reporting each step; also what `migrate reset`
/// runs after its reset.
pub(crate) fn run_deploy(
    project: &Project,
    connection: &mut dyn drydock_connector::Connection,
    options: &history::DeployOptions,
    examined: u64,
    running: Option<Sender<notify::Running>>,
    events: &dyn Events,
) -> Result<DeployReport, EngineError> {
    let mut reporter = DeployReporter::new(events, examined);
    reporter.running = running;
    let report = history::deploy_with(
        project.dialect,
        connection,
        &project.migrations_dir,
        options,
        &mut |event| reporter.report(event),
    )?;
    Ok(report)
}

/// A deploy's [`DeployEvent`]s as log lines, progress and counts, for every command that
/// applies migrations (`migrate deploy`, `reset`, `dev`).
pub struct DeployReporter<'a> {
    events: &'a dyn Events,
    /// Where each migration's start and end go for `[deploy] notify_after`.
    running: Option<Sender<notify::Running>>,
    /// The migration running: index and total.
    current: (u64, u64),
    applied: u64,
    examined: u64,
}

impl<'a> DeployReporter<'a> {
    /// `examined`: the migrations the deploy considers, for the counts.
    pub fn new(events: &'a dyn Events, examined: u64) -> Self {
        DeployReporter {
            events,
            running: None,
            current: (0, 0),
            applied: 0,
            examined,
        }
    }

    /// Tell the watch of `notify_after`; one that ended needs telling nothing.
    fn tell(&self, running: notify::Running) {
        if let Some(sender) = &self.running {
            let _ = sender.send(running);
        }
    }

    pub fn report(&mut self, event: DeployEvent<'_>) {
        let events = self.events;
        match event {
            DeployEvent::Applying {
                name, index, total, ..
            } => {
                self.current = (index as u64, total as u64);
                self.tell(notify::Running::Started(name.to_owned()));
                events.event(Event::Progress {
                    step: format!("{APPLY_STEP}: {name}"),
                    done: index as u64,
                    total: Some(total as u64),
                });
            }
            DeployEvent::LockRetry {
                name,
                attempt,
                retries,
                delay,
                lock_holders,
            } => {
                events.info(&format!(
                    "  {name}: gave up waiting for a lock; retry {attempt}/{retries} in {} ms",
                    delay.as_millis()
                ));
                for holder in lock_holders {
                    events.info(&format!(
                        "    lock held by {}",
                        history::describe_session(holder)
                    ));
                }
            }
            DeployEvent::DroppedInvalidIndex { name, index } => events.info(&format!(
                "  {name}: dropped the invalid index {index} left by a failed concurrent build"
            )),
            DeployEvent::Recovered { name, what } => events.info(&format!("  {name}: {what}")),
            DeployEvent::OutOfOrder {
                name,
                newest_applied,
            } => events.warning(&format!(
                "`{name}` is applied out of order: it sorts before `{newest_applied}`, which \
                 this database has, and was written without it [D3130]"
            )),
            DeployEvent::Backfill { name, progress } => {
                let line = describe_backfill(name, progress);
                if progress.batches % BACKFILL_LOG_EVERY == 1 || progress.eta.is_none() {
                    events.info(&format!("  {line}"));
                }
                events.event(Event::Progress {
                    step: format!("{APPLY_STEP}: {line}"),
                    done: self.current.0,
                    total: Some(self.current.1),
                });
            }
            DeployEvent::Applied(_) => {
                self.tell(notify::Running::Ended);
                self.applied += 1;
                events.event(Event::Progress {
                    step: APPLY_STEP.to_owned(),
                    done: self.current.0 + 1,
                    total: Some(self.current.1),
                });
                events.event(Event::Counts {
                    examined: self.examined.max(self.applied),
                    affected: self.applied,
                });
            }
        }
    }
}

/// The pre-flight checks, as log lines; an error when one fails.
fn run_preflight(
    project: &Project,
    url: Option<&str>,
    max_rows: u64,
    events: &dyn Events,
) -> Result<(), EngineError> {
    let options = PreflightOptions {
        max_rows,
        backup: super::backup::backups_of(project, url)?,
        ..PreflightOptions::default()
    };
    let report = crate::preflight(project, url, &options)?;
    super::info_lines(events, &report.render_text(false));
    let failed = report.count(CheckStatus::Fail);
    if failed > 0 {
        return Err(EngineError::PreflightFailed { count: failed });
    }
    Ok(())
}

/// The review `migrate deploy` gives the pending migrations, on its own: every migration
/// linted in order, the findings of the pending ones kept, read against the live database's
/// table sizes (tables above `max_rows` rows count as large). Changes nothing. Counts: the
/// pending migrations examined.
pub fn lint_pending(
    project: &Project,
    url: Option<&str>,
    max_rows: u64,
    events: &dyn Events,
) -> Result<drydock_lint::Report, EngineError> {
    let (url, mut connection) = super::connect(project, url, super::Missing::Fail, events)?;
    super::describe_datasource(project, &url, events);
    let pending = history::status(connection.as_mut(), &project.migrations_dir)?.pending;
    events.event(Event::Counts {
        examined: pending.len() as u64,
        affected: 0,
    });
    let report = crate::review_pending(project, connection.as_mut(), &pending, max_rows)?;
    match (pending.len(), report.findings.len()) {
        (0, _) => events.info("No pending migrations."),
        (count, 0) => events.info(&format!(
            "No lint findings in the {}.",
            super::plural(count, "pending migration")
        )),
        _ => {
            events.info("Review of the pending migrations:");
            super::info_lines(events, &drydock_lint::report::render_text(&report));
        }
    }
    Ok(report)
}

/// Lint the pending migrations against the live database; stop when the gate says so.
fn review_pending(
    project: &Project,
    connection: &mut dyn drydock_connector::Connection,
    pending: &[String],
    gate: LintGate,
    options: &DeployTaskOptions,
    events: &dyn Events,
) -> Result<(), EngineError> {
    if gate == LintGate::Off || pending.is_empty() {
        return Ok(());
    }
    let report = crate::review_pending(project, connection, pending, options.max_rows)?;
    if !report.findings.is_empty() {
        events.info("Review of the pending migrations:");
        super::info_lines(events, &drydock_lint::report::render_text(&report));
    }
    let blocking = gate.blocking(&report);
    if !blocking.is_empty() {
        return Err(EngineError::DeployBlockedByLint {
            count: blocking.len(),
        });
    }
    Ok(())
}

/// How often a running migration is sampled, and how long it runs before the first sample.
const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// A sample that says the same as the last one is repeated in logs this often at most.
const WATCH_REPEAT: Duration = Duration::from_secs(10);

/// In logs, one backfill line per this many batches.
const BACKFILL_LOG_EVERY: u64 = 10;

/// Watch samples as log lines, sent to the task's thread: each new situation at once, an
/// unchanged one every [`WATCH_REPEAT`].
fn report_watch(sender: Sender<Event>) -> impl Fn(&WatchEvent) + Send + Sync {
    let last: Mutex<Option<(String, Instant)>> = Mutex::new(None);
    move |event| {
        let (line, situation) = match event {
            WatchEvent::Unavailable { reason } => (
                format!("  (cannot watch the migration from a second session: {reason})"),
                String::new(),
            ),
            WatchEvent::Sample {
                migration,
                elapsed,
                activity,
            } => describe_activity(migration, *elapsed, activity),
        };
        let Ok(mut last) = last.lock() else {
            return;
        };
        let repeated = last
            .as_ref()
            .is_some_and(|(seen, at)| *seen == situation && at.elapsed() < WATCH_REPEAT);
        if !repeated {
            // The deploy may have ended meanwhile; the sample is then of no use.
            let _ = sender.send(Event::Log {
                level: drydock_tasks::Level::Info,
                line,
            });
            *last = Some((situation, Instant::now()));
        }
    }
}

/// A sample in words, and the part of it that changes only when the situation does.
fn describe_activity(
    migration: &str,
    elapsed: Duration,
    activity: &SessionActivity,
) -> (String, String) {
    let mut parts = Vec::new();
    if let Some(progress) = &activity.progress {
        let amount = match (progress.done, progress.total) {
            (Some(done), Some(total)) if total > 0 => format!(
                ", {:.0}% ({done}/{total} {})",
                done as f64 * 100.0 / total as f64,
                progress.unit
            ),
            _ => String::new(),
        };
        parts.push(format!("{}: {}{amount}", progress.command, progress.phase));
    }
    if let Some(waiting) = &activity.waiting_for {
        parts.push(format!("waiting for {waiting}"));
    }
    for blocker in &activity.blockers {
        parts.push(format!("blocked by {}", history::describe_session(blocker)));
    }
    if parts.is_empty() {
        parts.push("running".to_owned());
    }
    let situation = format!(
        "{migration} {:?} {:?} {:?}",
        activity.progress.as_ref().map(|p| &p.phase),
        activity.waiting_for,
        activity.blockers.iter().map(|b| &b.id).collect::<Vec<_>>()
    );
    (
        format!(
            "  {migration} ({} s): {}",
            elapsed.as_secs(),
            parts.join("; ")
        ),
        situation,
    )
}

/// `20240101_fill: backfill 450000/1000000 rows (45%), 52000 rows/s, about 11 s left`.
fn describe_backfill(name: &str, progress: &history::BackfillProgress) -> String {
    let percent = if progress.rows_total > 0 {
        format!(
            " ({:.0}%)",
            progress.rows_done as f64 * 100.0 / progress.rows_total as f64
        )
    } else {
        String::new()
    };
    let left = progress
        .eta
        .map(|eta| format!(", about {} s left", eta.as_secs()))
        .unwrap_or_default();
    format!(
        "{name}: backfill {}/{} rows{percent}, {:.0} rows/s{left}",
        progress.rows_done, progress.rows_total, progress.rate_per_sec
    )
}
