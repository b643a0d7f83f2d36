//! A run of a task in the run log: started when the task starts, its log and counts written
//! as they come (at most every few seconds), its end written when it ends.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_connector::{RunLog, RunProgress, RunStart, RunStatus, redact_text};

use crate::events::{Event, Events, Level};

/// How often a running task's log reaches the run log, for other processes to follow it.
const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// Records the run of one task: pass it to the task as its [`Events`]; each event goes on to
/// `forward` and into the run log. A run log that cannot be written never fails the task: the
/// first failure is reported as a warning, and the run goes on unrecorded.
pub struct Recorder<'a> {
    forward: &'a dyn Events,
    state: Mutex<State>,
}

struct State {
    log: Option<Box<dyn RunLog>>,
    id: String,
    progress: RunProgress,
    last_flush: Instant,
}

impl<'a> Recorder<'a> {
    /// Start recording a run of `task` with `parameters` (a JSON object; every URL in it is
    /// redacted before it is stored).
    pub fn start(
        log: Box<dyn RunLog>,
        task: &str,
        parameters: &serde_json::Value,
        forward: &'a dyn Events,
    ) -> Recorder<'a> {
        let started_at = Utc::now();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let start = RunStart {
            id: format!("{}-{}", started_at.format("%Y%m%dT%H%M%S%3f"), &suffix[..6]),
            task: task.to_owned(),
            parameters: redact_text(&parameters.to_string()),
            actor: actor(),
            host: host_name(),
            pid: std::process::id(),
            started_at,
        };
        let recorder = Recorder {
            forward,
            state: Mutex::new(State {
                log: Some(log),
                id: start.id.clone(),
                progress: RunProgress {
                    status: RunStatus::Running,
                    finished_at: None,
                    examined: None,
                    affected: None,
                    summary: String::new(),
                    log: String::new(),
                },
                last_flush: Instant::now(),
            }),
        };
        recorder.write(|log, _| log.start(&start));
        recorder
    }

    /// The run's id in the run log.
    pub fn id(&self) -> String {
        self.lock().id.clone()
    }

    /// Record how the run ended, with a one-line summary.
    pub fn finish(self, status: RunStatus, summary: &str) {
        {
            let mut state = self.lock();
            state.progress.status = status;
            state.progress.finished_at = Some(Utc::now());
            state.progress.summary = redact_text(summary);
        }
        self.write(|log, state| log.update(&state.id, &state.progress));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while the lock was held left only a log line unwritten.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `write` on the run log; on its first failure, warn and stop recording.
    fn write(
        &self,
        write: impl FnOnce(&mut dyn RunLog, &State) -> Result<(), drydock_connector::ConnectorError>,
    ) {
        let mut state = self.lock();
        let Some(mut log) = state.log.take() else {
            return;
        };
        match write(log.as_mut(), &state) {
            Ok(()) => {
                state.log = Some(log);
                state.last_flush = Instant::now();
            }
            Err(error) => {
                drop(state);
                self.forward.warning(&format!(
                    "the run log could not be written ({error}); the task goes on without it"
                ));
            }
        }
    }
}

impl Events for Recorder<'_> {
    fn event(&self, event: Event) {
        let due = {
            let mut state = self.lock();
            match &event {
                Event::Log { level, line } => {
                    let prefix = match level {
                        Level::Info => "",
                        Level::Warning => "warning: ",
                        Level::Error => "error: ",
                    };
                    state.progress.log.push_str(prefix);
                    state.progress.log.push_str(&redact_text(line));
                    state.progress.log.push('\n');
                }
                Event::Counts { examined, affected } => {
                    state.progress.examined = Some(*examined);
                    state.progress.affected = Some(*affected);
                }
                Event::Progress { .. } => {}
            }
            state.last_flush.elapsed() >= FLUSH_EVERY
        };
        self.forward.event(event);
        if due {
            self.write(|log, state| log.update(&state.id, &state.progress));
        }
    }
}

/// Who runs drydock: `DRYDOCK_ACTOR` (a CI job, a person signed in to the dashboard), else the
/// OS user.
pub fn actor() -> String {
    ["DRYDOCK_ACTOR", "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// This machine's name, as runs record it.
pub fn host_name() -> String {
    drydock_connector::host_name().unwrap_or_else(|| "localhost".to_owned())
}
