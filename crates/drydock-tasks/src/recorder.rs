//! A run of a task in the run log: started when the task starts, its log and counts written
//! as they come (at most every few seconds), its end written when it ends.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use drydock_connector::{
    ConnectorError, Run, RunLog, RunProgress, RunStart, RunStatus, redact_text,
};

use crate::events::{Event, Events, Level};

/// How often a running task's log reaches the run log, for other processes to follow it.
const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// Opens the run log: again after a write failed, as the task may have ended the session (a
/// restore renames databases) or the server may have restarted.
pub type OpenRunLog = Box<dyn Fn() -> Result<Box<dyn RunLog>, ConnectorError> + Send>;

/// Records the run of one task: pass it to the task as its [`Events`]; each event goes on to
/// `forward` and into the run log. A run log that cannot be written never fails the task: a
/// write that fails is tried once more on a new session, then reported as a warning, and the
/// run goes on unrecorded.
pub struct Recorder<'a> {
    forward: &'a dyn Events,
    state: Mutex<State>,
    /// The actor [`Recorder::start_by`] was given: someone other than this process's user.
    on_behalf_of: Option<String>,
}

struct State {
    open: OpenRunLog,
    /// `None` before the first write and after a write failed twice.
    log: Option<Box<dyn RunLog>>,
    given_up: bool,
    run: Run,
    last_flush: Instant,
}

impl<'a> Recorder<'a> {
    /// Start recording a run of `task` with `parameters` (a JSON object; every URL in it is
    /// redacted before it is stored), by this process's [`actor`].
    pub fn start(
        open: OpenRunLog,
        task: &str,
        parameters: &serde_json::Value,
        forward: &'a dyn Events,
    ) -> Recorder<'a> {
        Recorder::begin(open, task, parameters, &actor(), forward, false)
    }

    /// [`Recorder::start`] for a run someone else asked for: `actor` is who (the user signed in
    /// to the dashboard, an API token's name), not this process's user.
    pub fn start_by(
        open: OpenRunLog,
        task: &str,
        parameters: &serde_json::Value,
        actor: &str,
        forward: &'a dyn Events,
    ) -> Recorder<'a> {
        Recorder::begin(open, task, parameters, actor, forward, true)
    }

    fn begin(
        open: OpenRunLog,
        task: &str,
        parameters: &serde_json::Value,
        actor: &str,
        forward: &'a dyn Events,
        on_behalf: bool,
    ) -> Recorder<'a> {
        let started_at = Utc::now();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let start = RunStart {
            id: format!("{}-{}", started_at.format("%Y%m%dT%H%M%S%3f"), &suffix[..6]),
            task: task.to_owned(),
            parameters: redact_text(&parameters.to_string()),
            actor: actor.to_owned(),
            host: host_name(),
            pid: std::process::id(),
            started_at,
        };
        let recorder = Recorder {
            forward,
            on_behalf_of: on_behalf.then(|| actor.to_owned()),
            state: Mutex::new(State {
                open,
                log: None,
                given_up: false,
                run: Run {
                    start,
                    progress: RunProgress::running(),
                },
                last_flush: Instant::now(),
            }),
        };
        recorder.write();
        recorder
    }

    /// The run's id in the run log.
    pub fn id(&self) -> String {
        self.lock().run.start.id.clone()
    }

    /// Record how the run ended, with a one-line summary.
    pub fn finish(&self, status: RunStatus, summary: &str) {
        {
            let mut state = self.lock();
            state.run.progress.status = status;
            state.run.progress.finished_at = Some(Utc::now());
            state.run.progress.summary = redact_text(summary);
        }
        self.write();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while the lock was held left only a log line unwritten.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Write the run as it stands; on a failure, once more on a new session, then warn and
    /// stop recording.
    fn write(&self) {
        let mut state = self.lock();
        if state.given_up {
            return;
        }
        let mut error = None;
        for _ in 0..2 {
            let log = match state.log.take() {
                Some(log) => Ok(log),
                None => (state.open)(),
            };
            match log.and_then(|mut log| log.write(&state.run).map(|()| log)) {
                Ok(log) => {
                    state.log = Some(log);
                    state.last_flush = Instant::now();
                    return;
                }
                Err(e) => error = Some(e),
            }
        }
        state.given_up = true;
        drop(state);
        if let Some(error) = error {
            self.forward.warning(&format!(
                "the run log could not be written ({error}); the task goes on without it"
            ));
        }
    }
}

impl Recorder<'_> {
    /// Keep `event` in the run without forwarding it: a line the caller shows itself (a
    /// command's result on standard output, the error it ends with).
    pub fn note(&self, event: &Event) {
        if self.keep(event) {
            self.write();
        }
    }

    /// Keep `event` in the run; whether the run is due to be written.
    fn keep(&self, event: &Event) -> bool {
        let mut state = self.lock();
        match event {
            Event::Log { level, line } => {
                let prefix = match level {
                    Level::Info => "",
                    Level::Warning => "warning: ",
                    Level::Error => "error: ",
                };
                let log = &mut state.run.progress.log;
                log.push_str(prefix);
                log.push_str(&redact_text(line));
                log.push('\n');
            }
            Event::Counts { examined, affected } => {
                state.run.progress.examined = Some(*examined);
                state.run.progress.affected = Some(*affected);
            }
            Event::Progress { .. } => {}
        }
        state.last_flush.elapsed() >= FLUSH_EVERY
    }
}

impl Events for Recorder<'_> {
    fn event(&self, event: Event) {
        let due = self.keep(&event);
        self.forward.event(event);
        if due {
            self.write();
        }
    }

    fn on_behalf_of(&self) -> Option<String> {
        self.on_behalf_of.clone()
    }
}

/// Who runs drydock: `DRYDOCK_ACTOR` (a CI job, a schedule job, a person signed in to the
/// dashboard), else the OS user.
pub fn actor() -> String {
    ["DRYDOCK_ACTOR", "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .or_else(os_user)
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The name of this process's user, from its uid: a service or a container often has no
/// `USER` set.
fn os_user() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_owned())
    });
    Some(name.unwrap_or_else(|| format!("uid {uid}")))
}

/// This machine's name, as runs record it.
pub fn host_name() -> String {
    drydock_connector::host_name().unwrap_or_else(|| "localhost".to_owned())
}
