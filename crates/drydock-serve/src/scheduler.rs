//! The `[[schedule]]` jobs of drydock.toml, run by `drydock serve` (docs/schedule.md).
//!
//! Every instance serving a project runs a loop per job: sleep to the job's next due time,
//! claim (job, due time) in the claims kept with the run log, and run the job only when the
//! claim is this instance's. A claim is one insert-if-absent, so each due time runs once
//! however many instances are up. The job runs as a child process of the drydock binary
//! (drydock-engine's `JobRunner`, as `drydock schedule` runs it), which records its own run in
//! the run log as `schedule job NAME`; its lines go to the server's log with its name in front.
//!
//! Due times nobody claimed (no instance was up, or they passed while the job still ran) are
//! reported and caught up once with `catch_up = true`; failures, overruns and missed times
//! alert through `[alerts]` (codes D7201-D7203, docs/errors.md).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use drydock_connector::{ClaimStatus, ScheduleClaim, ScheduleClaims, redact_text};
use drydock_engine::job_runner::{JobEnd, JobExit, JobRunner, Relay};
use drydock_engine::{EngineError, ScheduleJob};
use drydock_maintenance::{Finding, ObjectRef, Severity};
use serde_json::json;
use tokio::sync::watch;

use crate::Shared;
use crate::api::ApiError;
use crate::auth::Viewer;

/// A job failed: non-zero exit, killed, or could not start.
pub(crate) const FAILED: &str = "D7201";
/// A run lasted longer than its `timeout`.
pub(crate) const OVERRAN: &str = "D7202";
/// Due times went unrun: no instance was up, or the previous run was still running.
pub(crate) const MISSED: &str = "D7203";
/// The claims could not be read or written: the due time was not run.
const NO_CLAIMS: &str = "D7204";
/// A run was stopped because the server stopped.
const STOPPED: &str = "D7205";

/// An instance up claims a due time within this: at start, the due times before it that are
/// still unclaimed this long after are counted missed.
const GRACE: chrono::TimeDelta = chrono::TimeDelta::seconds(2);

/// How often a running job is looked at (its end, its timeout, a stop).
const POLL: Duration = Duration::from_millis(50);

/// Claims are kept this long (each job's latest always), so `/api/schedule` counts missed
/// times over a week.
pub(crate) const KEEP: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A running claim of another host is believed for this long when its job has no `timeout`:
/// an instance that died with its job leaves the claim running.
const TRUST_RUNNING: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// The scheduler of one server: its job loops and how to stop them.
pub(crate) struct Scheduler {
    loops: Vec<tokio::task::JoinHandle<()>>,
    context: Arc<Context>,
}

struct Context {
    app: Arc<Shared>,
    runner: JobRunner,
    /// Who claims: host, process and start time.
    instance: String,
    stop: watch::Receiver<bool>,
    /// Set when the server stops: a job still running then is stopped at this instant.
    deadline: Mutex<Option<Instant>>,
    /// When this instance last pruned old claims.
    pruned: Mutex<Option<Instant>>,
}

/// The identity of this process among the instances that claim: host, pid and start time.
fn instance_name() -> String {
    format!(
        "{}:{}:{}",
        drydock_connector::host_name().unwrap_or_else(|| "unknown".to_owned()),
        std::process::id(),
        Utc::now().timestamp_millis()
    )
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Scheduler {
    /// Start a loop for each job of `app`'s settings; they end when `stop` turns true.
    pub(crate) fn start(
        app: Arc<Shared>,
        runner: JobRunner,
        stop: watch::Receiver<bool>,
    ) -> Scheduler {
        let context = Arc::new(Context {
            instance: instance_name(),
            app,
            runner,
            stop,
            deadline: Mutex::new(None),
            pruned: Mutex::new(None),
        });
        let jobs = context.app.settings.schedule.len();
        if jobs > 0 {
            context.app.events.info(&format!(
                "scheduler: {jobs} job(s) of [[schedule]], claimed as {}",
                context.instance
            ));
        }
        let loops = (0..jobs)
            .map(|index| tokio::spawn(job_loop(context.clone(), index)))
            .collect();
        Scheduler { loops, context }
    }

    /// Wait for the loops to end after a stop: a running job may finish until `bound` from
    /// now, then it is stopped.
    pub(crate) async fn stopped(self, bound: Duration) {
        if let Ok(mut deadline) = self.context.deadline.lock() {
            *deadline = Some(Instant::now() + bound);
        }
        for job in self.loops {
            // A loop that panicked has nothing left to stop.
            let _ = job.await;
        }
    }
}

impl Context {
    fn job(&self, index: usize) -> &ScheduleJob {
        &self.app.settings.schedule[index]
    }

    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    fn claims(&self) -> Result<Box<dyn ScheduleClaims>, EngineError> {
        drydock_engine::open_schedule_claims(&self.app.project, self.app.url.as_deref())
    }

    fn warn(&self, job: &str, code: &str, line: &str) {
        self.app
            .events
            .warning(&format!("[{job}] [{code}] {}", redact_text(line)));
    }
}

/// Sleep to each due time of job `index` and try to claim it, until the server stops.
async fn job_loop(context: Arc<Context>, index: usize) {
    let mut stop = context.stop.clone();
    let started = Utc::now();
    // Due times before the start are looked at once GRACE has passed: by then an instance that
    // was up has claimed them, so those still unclaimed were missed.
    let look_back = started + GRACE;
    let mut looked_back = false;
    let mut from = started;
    loop {
        let Some(due) = context.job(index).next_after(from) else {
            context
                .app
                .events
                .info(&format!("[{}] never due again", context.job(index).name));
            return;
        };
        let wake = if looked_back { due } else { due.min(look_back) };
        let wait = (wake - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
        if context.stopping() {
            return;
        }
        let context = context.clone();
        if !looked_back && Utc::now() >= look_back {
            looked_back = true;
            let end = blocking(move || catch_up_gap(&context, index, started, false))
                .await
                .unwrap_or(started);
            from = from.max(end);
            continue;
        }
        from = blocking(move || tick(&context, index, due))
            .await
            .unwrap_or(due);
    }
}

/// Run `work` on a blocking thread (claims and jobs are synchronous); `None` if it panicked.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok()
}

/// Claim `due` for job `index` and run it if the claim is ours. Returns the time the loop goes
/// on from: `due`, or the end of the run (times that passed during it are accounted for).
fn tick(context: &Context, index: usize, due: DateTime<Utc>) -> DateTime<Utc> {
    let job = context.job(index);
    let mut claims = match context.claims() {
        Ok(claims) => claims,
        Err(error) => {
            context.warn(
                &job.name,
                NO_CLAIMS,
                &format!(
                    "the run due at {} was not run: the claims cannot be opened: {error}",
                    time(due)
                ),
            );
            return due;
        }
    };
    let claim = ScheduleClaim::new(&job.name, due, &context.instance);
    match claims.claim(&claim) {
        Ok(true) => {}
        Ok(false) => return due,
        Err(error) => {
            context.warn(
                &job.name,
                NO_CLAIMS,
                &format!(
                    "the run due at {} was not run: it cannot be claimed: {error}",
                    time(due)
                ),
            );
            return due;
        }
    }
    prune(context, claims.as_mut());
    let end = run_claimed(context, index, claims.as_mut(), claim);
    catch_up_gap(context, index, end, true)
}

/// Report the due times of job `index` up to `until` that nobody claimed, and run the job once
/// for them when it catches up. `after_run`: they passed while this instance ran the job.
/// Returns the time the loop goes on from.
fn catch_up_gap(
    context: &Context,
    index: usize,
    until: DateTime<Utc>,
    after_run: bool,
) -> DateTime<Utc> {
    let job = context.job(index);
    let mut until = until;
    let mut after_run = after_run;
    // A catch-up run may itself outlast due times: each gap is caught up once, and the loop
    // ends when a gap is empty or the server stops.
    while !context.stopping() {
        let cannot = |error: &dyn std::fmt::Display| {
            context.warn(
                &job.name,
                NO_CLAIMS,
                &format!("missed due times cannot be looked for: {error}"),
            );
        };
        let mut claims = match context.claims() {
            Ok(claims) => claims,
            Err(error) => {
                cannot(&error);
                return until;
            }
        };
        // The due times between the latest claim before `until` and `until` are unclaimed.
        let latest = match claims.latest(&job.name, Some(until)) {
            Ok(Some(latest)) => latest,
            // No history: nothing can have been missed.
            Ok(None) => return until,
            Err(error) => {
                cannot(&error);
                return until;
            }
        };
        let missed: Vec<DateTime<Utc>> =
            std::iter::successors(job.next_after(latest.due_at), |at| job.next_after(*at))
                .take_while(|at| *at < until)
                .collect();
        let Some(&last) = missed.last() else {
            return until;
        };
        let count = u32::try_from(missed.len()).unwrap_or(u32::MAX);
        let mut claim = ScheduleClaim::new(&job.name, last, &context.instance);
        claim.missed = count - 1;
        let running_then = after_run || latest.status == ClaimStatus::Running;
        let why = if running_then {
            "passed while its run was still running"
        } else {
            "passed while no instance of drydock serve ran it"
        };
        if !job.catch_up {
            claim.status = if running_then {
                ClaimStatus::Skipped
            } else {
                ClaimStatus::Missed
            };
            claim.finished_at = Some(Utc::now());
            claim.detail = format!("{count} due time(s) {why}");
        }
        match claims.claim(&claim) {
            Ok(true) => {}
            // Another instance reported this gap.
            Ok(false) => return until,
            Err(error) => {
                cannot(&error);
                return until;
            }
        }
        let line = format!(
            "{count} due time(s) from {} to {} {why}: {}",
            time(missed[0]),
            time(last),
            if job.catch_up {
                "running it once now (catch_up)"
            } else {
                "skipped (set `catch_up = true` to run once after a gap)"
            }
        );
        context.warn(&job.name, MISSED, &line);
        let finding = Finding {
            code: MISSED.to_owned(),
            severity: Severity::Warning,
            title: format!("scheduled job `{}` missed {count} due time(s)", job.name),
            objects: vec![job_object(&job.name)],
            detail: Some(line),
            fix: Some(
                "keep an instance of `drydock serve` running, or give the job a `timeout` \
                 shorter than its interval"
                    .to_owned(),
            ),
        };
        if !job.catch_up {
            alert(context, &job.name, &[finding], &[MISSED]);
            return until;
        }
        until = run_claimed_with(context, index, claims.as_mut(), claim, Some(finding));
        after_run = true;
    }
    until
}

fn job_object(name: &str) -> ObjectRef {
    ObjectRef {
        kind: "schedule job".to_owned(),
        name: name.to_owned(),
    }
}

fn prune(context: &Context, claims: &mut dyn ScheduleClaims) {
    let Ok(mut pruned) = context.pruned.lock() else {
        return;
    };
    if pruned.is_some_and(|at| at.elapsed() < Duration::from_secs(3600)) {
        return;
    }
    *pruned = Some(Instant::now());
    if let Err(error) = claims.prune(Utc::now() - KEEP) {
        context.app.events.warning(&format!(
            "[{NO_CLAIMS}] old schedule claims could not be removed: {}",
            redact_text(&error.to_string())
        ));
    }
}

fn run_claimed(
    context: &Context,
    index: usize,
    claims: &mut dyn ScheduleClaims,
    claim: ScheduleClaim,
) -> DateTime<Utc> {
    run_claimed_with(context, index, claims, claim, None)
}

/// Whether `claim` (another than ours) is a run still going on: its instance is believed up.
fn still_running(context: &Context, job: &ScheduleJob, claim: &ScheduleClaim) -> bool {
    if claim.status != ClaimStatus::Running || claim.instance == context.instance {
        return false;
    }
    let mut parts = claim.instance.rsplitn(3, ':');
    let (_, pid, host) = (parts.next(), parts.next(), parts.next());
    let this_host = drydock_connector::host_name();
    if let (Some(host), Some(pid)) = (host, pid.and_then(|p| p.parse::<u32>().ok()))
        && this_host.as_deref() == Some(host)
    {
        return !drydock_connector::process_gone(pid);
    }
    let trusted = job
        .timeout
        .and_then(|t| chrono::TimeDelta::from_std(t).ok())
        .map_or(TRUST_RUNNING, |t| t + GRACE);
    Utc::now() - claim.claimed_at < trusted
}

/// Run the job of `claim` (ours) to its end, record how it ended, alert. `gap`: the missed
/// times this run catches up. Returns when the job's process ended.
fn run_claimed_with(
    context: &Context,
    index: usize,
    claims: &mut dyn ScheduleClaims,
    mut claim: ScheduleClaim,
    gap: Option<Finding>,
) -> DateTime<Utc> {
    let job = context.job(index);
    // One run of a job at a time, across instances: a due time while another instance still
    // runs the previous one is skipped.
    if let Ok(Some(previous)) = claims.latest(&job.name, Some(claim.due_at))
        && still_running(context, job, &previous)
    {
        claim.status = ClaimStatus::Skipped;
        claim.finished_at = Some(Utc::now());
        claim.detail = format!(
            "the run due at {} ({}) was still running",
            time(previous.due_at),
            previous.instance
        );
        context.warn(
            &job.name,
            MISSED,
            &format!(
                "the run due at {} skipped: {}",
                time(claim.due_at),
                claim.detail
            ),
        );
        finish(context, claims, &claim);
        return claim.due_at;
    }
    let events = context.app.events;
    let name = job.name.clone();
    events.info(&format!(
        "[{name}] due at {}: drydock {}",
        time(claim.due_at),
        redact_text(&job.run)
    ));
    let prefix = name.clone();
    let relay: Relay = Arc::new(move |_, line| {
        events.info(&format!("[{prefix}] {}", redact_text(line)));
    });
    let (end, overran, stopped) = match context.runner.start(&name, &job.args, relay) {
        Ok(running) => watch_run(context, job, running),
        Err(exit) => (
            JobEnd {
                exit,
                started_at: Utc::now(),
                duration: Duration::ZERO,
            },
            false,
            false,
        ),
    };
    let ended = Utc::now();
    claim.finished_at = Some(ended);
    claim.exit_code = end.exit.code();
    let mut findings: Vec<Finding> = gap.into_iter().collect();
    let limit = job.timeout.map(humantime_short).unwrap_or_default();
    claim.status = if stopped {
        ClaimStatus::Cancelled
    } else if end.exit.succeeded() {
        ClaimStatus::Succeeded
    } else {
        ClaimStatus::Failed
    };
    claim.detail = match (&end.exit, stopped, overran) {
        (_, true, _) => "stopped with the server".to_owned(),
        (JobExit::NotStarted(why), ..) => why.clone(),
        (JobExit::Signal, false, true) if job.kill_on_timeout => {
            format!("killed after its timeout of {limit}")
        }
        (_, false, true) => format!("ran longer than its timeout of {limit}"),
        _ => String::new(),
    };
    context.app.metrics.task_ended(
        &format!("schedule job {name}"),
        "schedule",
        claim.status.as_str(),
        end.duration.as_secs_f64(),
    );
    events.info(&format!(
        "[{name}] exit={} duration={:.2}s status={}",
        end.exit.shown(),
        end.duration.as_secs_f64(),
        claim.status.as_str()
    ));
    if stopped {
        context.warn(
            &name,
            STOPPED,
            &format!(
                "the run due at {} was stopped: the server stopped",
                time(claim.due_at)
            ),
        );
    }
    if overran {
        findings.push(Finding {
            code: OVERRAN.to_owned(),
            severity: Severity::Warning,
            title: format!("scheduled job `{name}` ran longer than its timeout of {limit}"),
            objects: vec![job_object(&name)],
            detail: Some(format!(
                "the run due at {} took {:.0} s",
                time(claim.due_at),
                end.duration.as_secs_f64()
            )),
            fix: Some(
                "look at the job's lines in the server's log and at its run in `drydock runs`"
                    .to_owned(),
            ),
        });
    }
    if claim.status == ClaimStatus::Failed {
        let title = format!("scheduled job `{name}` failed (exit {})", end.exit.shown());
        context.warn(
            &name,
            FAILED,
            &format!("{title}: due at {}", time(claim.due_at)),
        );
        findings.push(Finding {
            code: FAILED.to_owned(),
            severity: Severity::Error,
            title,
            objects: vec![job_object(&name)],
            detail: Some(if claim.detail.is_empty() {
                format!("the run due at {}", time(claim.due_at))
            } else {
                format!("the run due at {}: {}", time(claim.due_at), claim.detail)
            }),
            fix: Some(format!(
                "`drydock runs --task` shows the run's log; `drydock schedule --run-now \"{name}\"` runs it again"
            )),
        });
    }
    finish(context, claims, &claim);
    if !stopped {
        alert(context, &name, &findings, &[FAILED, OVERRAN, MISSED]);
    }
    let duration = chrono::TimeDelta::from_std(end.duration).unwrap_or_default();
    end.started_at + duration
}

fn humantime_short(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else if seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

/// Wait for a running job: report (and alert) when it outlasts its timeout, kill it then when
/// told to, and stop it at the server's stop deadline. Returns its end, whether it overran, and
/// whether the server's stop ended it.
fn watch_run(
    context: &Context,
    job: &ScheduleJob,
    mut running: drydock_engine::job_runner::RunningJob,
) -> (JobEnd, bool, bool) {
    let mut overran = false;
    let mut stopped = false;
    while !running.has_ended() {
        if let Some(timeout) = job.timeout
            && !overran
            && running.elapsed() > timeout
        {
            overran = true;
            let limit = humantime_short(timeout);
            let line = if job.kill_on_timeout {
                format!("the run outlasted its timeout of {limit}: stopping it (kill_on_timeout)")
            } else {
                format!("the run outlasts its timeout of {limit}: left to finish")
            };
            context.warn(&job.name, OVERRAN, &line);
            if job.kill_on_timeout {
                running.kill();
            }
        }
        let past_deadline = context
            .deadline
            .lock()
            .ok()
            .and_then(|deadline| *deadline)
            .is_some_and(|deadline| Instant::now() >= deadline);
        if past_deadline && !stopped {
            stopped = true;
            running.kill();
        }
        std::thread::sleep(POLL);
    }
    (running.wait(), overran, stopped)
}

fn finish(context: &Context, claims: &mut dyn ScheduleClaims, claim: &ScheduleClaim) {
    if let Err(error) = claims.finish(claim) {
        context.warn(
            &claim.job,
            NO_CLAIMS,
            &format!(
                "how the run due at {} ended could not be recorded: {error}",
                time(claim.due_at)
            ),
        );
    }
}

/// Send what job `name` found to `[alerts]`: open alerts of `codes` not found now clear.
fn alert(context: &Context, name: &str, findings: &[Finding], codes: &[&str]) {
    let app = &context.app;
    let settings = match app.settings.alert_settings() {
        Ok(settings) => settings,
        Err(error) => {
            context.warn(name, FAILED, &format!("alerts not sent: {error}"));
            return;
        }
    };
    let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    let source = format!("schedule job {name}");
    if let Err(error) = drydock_engine::send_alerts_with(
        &app.project,
        app.url.as_deref(),
        &source,
        findings,
        Some(&codes),
        &settings,
        app.events,
    ) {
        context.warn(name, FAILED, &format!("alerts not sent: {error}"));
    }
}

/// `GET /api/schedule`: each job with its cron, next due time, latest claim (who claimed it,
/// how it ended) and how many due times went unrun over the claims kept.
pub(crate) async fn api(State(app): State<Arc<Shared>>, _: Viewer) -> Result<Response, ApiError> {
    let jobs = crate::facts::blocking(&app, report)
        .await?
        .map_err(|e| ApiError::engine(&e))?;
    Ok(Json(json!({ "version": 1, "jobs": jobs })).into_response())
}

fn report(app: &Arc<Shared>) -> Result<Vec<serde_json::Value>, EngineError> {
    let jobs = &app.settings.schedule;
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let mut claims = drydock_engine::open_schedule_claims(&app.project, app.url.as_deref())?;
    let mut report = Vec::with_capacity(jobs.len());
    for job in jobs {
        let latest = claims.latest(&job.name, None)?;
        let missed = claims.missed_since(&job.name, now - KEEP)?;
        report.push(json!({
            "name": job.name,
            "cron": job.cron,
            "run": redact_text(&job.run),
            "catch_up": job.catch_up,
            "timeout_seconds": job.timeout.map(|t| t.as_secs()),
            "kill_on_timeout": job.kill_on_timeout,
            "next_due": job.next_after(now).map(time),
            "last": latest.map(|claim| json!({
                "due_at": time(claim.due_at),
                "instance": claim.instance,
                "status": claim.status.as_str(),
                "claimed_at": time(claim.claimed_at),
                "finished_at": claim.finished_at.map(time),
                "exit_code": claim.exit_code,
                "missed_before": claim.missed,
                "detail": claim.detail,
            })),
            "missed": missed,
        }));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_shown_as_written() {
        assert_eq!(humantime_short(Duration::from_secs(1800)), "30m");
        assert_eq!(humantime_short(Duration::from_secs(7200)), "2h");
        assert_eq!(humantime_short(Duration::from_secs(90)), "90s");
    }
}
