//! Notifications of `migrate deploy` (`[deploy] notify`, `notify_after`): its start, its success
//! or failure, and a migration still running after `notify_after`, sent to the `[alerts]`
//! webhooks in their shapes (docs/deploy.md). One thread of their own sends them in order, so a
//! slow or absent receiver never holds a migration up; the deploy waits for it (each webhook's
//! retries are bounded) only before it returns, and what did not arrive is a warning.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_maintenance::Severity;
use drydock_maintenance::alerts::{AlertSettings, Notice, notify};
use drydock_tasks::{Event, Events, Level};
use serde_json::{Value, json};

use super::DeployOutcome;
use crate::audit::Identity;
use crate::{EngineError, Project, Settings};

/// A migration starting or ending, for the watch of `notify_after`.
pub(crate) enum Running {
    Started(String),
    Ended,
}

/// The notifications of one deploy.
pub(crate) struct DeployNotices {
    after: Option<Duration>,
    queue: Sender<Job>,
    sender: JoinHandle<Vec<String>>,
    watch: Mutex<Option<JoinHandle<()>>>,
}

/// One notification to send: event, severity, title, lines and JSON facts.
struct Job {
    event: &'static str,
    severity: Severity,
    title: String,
    lines: Vec<String>,
    facts: Value,
}

/// What the sending thread needs.
struct Inner {
    settings: AlertSettings,
    database: String,
    identity: Identity,
}

/// Keeps the warnings `notify` gives, for the deploy's thread to pass on.
struct Collect<'a>(&'a Mutex<Vec<String>>);

impl Events for Collect<'_> {
    fn event(&self, event: Event) {
        if let Event::Log {
            level: Level::Warning,
            line,
        } = event
        {
            lock(self.0).push(line);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking sender left a warning unsaid at worst.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    fn send(&self, job: Job, warnings: &Mutex<Vec<String>>) {
        let mut lines = job.lines;
        let mut who = format!(
            "By {} on {}",
            self.identity.actor,
            drydock_tasks::host_name()
        );
        if let Some(ci) = &self.identity.ci {
            who.push_str(&format!(" ({ci})"));
        }
        lines.push(who);
        let mut facts = job.facts;
        if let Some(object) = facts.as_object_mut() {
            object.insert("actor".to_owned(), json!(self.identity.actor));
            object.insert("ci".to_owned(), json!(self.identity.ci));
        }
        let notice = Notice {
            event: job.event,
            source: "migrate deploy",
            database: &self.database,
            severity: job.severity,
            title: &job.title,
            lines: &lines,
            facts: &facts,
            at: Utc::now(),
        };
        notify(&self.settings, &notice, &Collect(warnings));
    }
}

impl DeployNotices {
    /// The notifications `project`'s settings ask for on the database `url` (or the
    /// project's); `None` when they ask for none or name no webhook.
    pub(crate) fn new(
        project: &Project,
        url: Option<&str>,
        events: &dyn Events,
    ) -> Result<Option<Self>, EngineError> {
        let settings = Settings::load(project)?;
        if !settings.deploy.notifies() || settings.alerts.webhooks.is_empty() {
            return Ok(None);
        }
        let inner = Inner {
            settings: settings.alert_settings()?,
            database: drydock_connector::redact_url(&project.migration_url(url)?),
            identity: crate::audit::identity(events),
        };
        let (queue, jobs) = channel::<Job>();
        let sender = std::thread::spawn(move || {
            let warnings = Mutex::new(Vec::new());
            for job in jobs {
                inner.send(job, &warnings);
            }
            warnings.into_inner().unwrap_or_else(|e| e.into_inner())
        });
        Ok(Some(DeployNotices {
            after: settings.deploy.notify_after,
            queue,
            sender,
            watch: Mutex::new(None),
        }))
    }

    fn send(&self, job: Job) {
        // The sending thread outlives the deploy's calls; a closed queue only loses a notice.
        let _ = self.queue.send(job);
    }

    /// The deploy is about to apply `pending`; the sender its migrations' starts and ends go
    /// to when `notify_after` is set.
    pub(crate) fn started(&self, pending: &[String]) -> Option<Sender<Running>> {
        self.send(Job {
            event: "deploy.started",
            severity: Severity::Info,
            title: format!(
                "migrate deploy started: {} pending",
                super::super::plural(pending.len(), "migration")
            ),
            lines: vec![format!("Migrations: {}", pending.join(", "))],
            facts: json!({ "migrations": pending }),
        });
        let after = self.after?;
        let (sender, receiver) = channel();
        let queue = self.queue.clone();
        *lock(&self.watch) = Some(std::thread::spawn(move || {
            watch_running(&receiver, after, &queue);
        }));
        Some(sender)
    }

    /// The deploy ended as `result`, after `took`: success when it applied something, failure
    /// always.
    pub(crate) fn finished(&self, result: &Result<DeployOutcome, EngineError>, took: Duration) {
        let took_line = format!("Took {:.1} s", took.as_secs_f64());
        let duration_ms = took.as_millis() as u64;
        let job = match result {
            Ok(outcome) if outcome.report.applied.is_empty() => return,
            Ok(outcome) => {
                let applied: Vec<&str> = outcome
                    .report
                    .applied
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect();
                Job {
                    event: "deploy.succeeded",
                    severity: Severity::Info,
                    title: format!("migrate deploy succeeded: {}", outcome.summary()),
                    lines: vec![format!("Applied: {}", applied.join(", ")), took_line],
                    facts: json!({ "migrations": applied, "duration_ms": duration_ms }),
                }
            }
            Err(error) => {
                let message = drydock_connector::redact_text(&error.to_string());
                let first = message.lines().next().unwrap_or_default().to_owned();
                Job {
                    event: "deploy.failed",
                    severity: Severity::Error,
                    title: format!("migrate deploy failed ({}): {first}", error.code()),
                    lines: vec![message.clone(), took_line],
                    facts: json!({
                        "error_code": error.code(),
                        "error": message,
                        "duration_ms": duration_ms,
                    }),
                }
            }
        };
        self.send(job);
    }

    /// Wait for every notification to be sent (or given up), then pass on what did not arrive.
    pub(crate) fn wait(self, events: &dyn Events) {
        // The watch ends with the deploy's sender, gone once the deploy returned.
        if let Some(watch) = lock(&self.watch).take() {
            let _ = watch.join();
        }
        drop(self.queue);
        // A sending thread that panicked sent nothing more; the deploy's result stands.
        for warning in self.sender.join().unwrap_or_default() {
            events.warning(&warning);
        }
    }
}

/// Send `migration.running` once for each migration still running `after` it started; ends
/// when the deploy drops its sender.
fn watch_running(receiver: &Receiver<Running>, after: Duration, queue: &Sender<Job>) {
    let mut current: Option<(String, Instant)> = None;
    loop {
        let message = match &current {
            Some((name, since)) => {
                match receiver
                    .recv_timeout((*since + after).saturating_duration_since(Instant::now()))
                {
                    Ok(message) => message,
                    Err(RecvTimeoutError::Timeout) => {
                        let running = since.elapsed();
                        let _ = queue.send(Job {
                            event: "migration.running",
                            severity: Severity::Warning,
                            title: format!(
                                "migration {name} still running after {} s",
                                running.as_secs()
                            ),
                            lines: vec![format!(
                                "Started {} s ago; `[deploy] notify_after` is {}",
                                running.as_secs(),
                                humantime::format_duration(after)
                            )],
                            facts: json!({
                                "migration": name,
                                "running_ms": running.as_millis() as u64,
                            }),
                        });
                        // Once per migration: wait for its end now.
                        match receiver.recv() {
                            Ok(message) => message,
                            Err(_) => return,
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            None => match receiver.recv() {
                Ok(message) => message,
                Err(_) => return,
            },
        };
        current = match message {
            Running::Started(name) => Some((name, Instant::now())),
            Running::Ended => None,
        };
    }
}
