//! The run log: one row per task run (a deploy, a backup, a check...), kept in drydock's own
//! table `_drydock_runs` with the managed database or the database `[state] url` names, where
//! Prisma never sees it (a table Prisma does not know in the schema it manages would be drift
//! to `prisma migrate dev`). Each dialect stores it in its own types and place behind
//! [`RunLog`]; the generic core records runs through it and never writes SQL for it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ConnectorError;

/// The run log's table. A bookkeeping table: never introspected, never in drift.
pub const RUN_TABLE: &str = "_drydock_runs";

/// How a run ended, or that it has not ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started and not finished: still running, or its process died (see [`Run::owner_gone`]).
    Running,
    Succeeded,
    /// Finished with findings or warnings that need a look, but without an error.
    Warned,
    Failed,
    /// Stopped by the user (Ctrl-C, SIGTERM) before it finished.
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Warned => "warned",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    /// The status stored as `text`, or `None` for a text no drydock writes.
    pub fn parse(text: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Warned,
            RunStatus::Failed,
            RunStatus::Cancelled,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// What is known of a run when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunStart {
    /// Sortable and unique: the start time to the millisecond and a random suffix.
    pub id: String,
    /// The task's name as the CLI spells it (`migrate deploy`, `backup create`).
    pub task: String,
    /// The task's options as a JSON object, every URL in them redacted.
    pub parameters: String,
    /// Who started it: `DRYDOCK_ACTOR`, else the OS user.
    pub actor: String,
    pub host: String,
    pub pid: u32,
    pub started_at: DateTime<Utc>,
}

/// What a run reports while it runs and when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunProgress {
    pub status: RunStatus,
    /// Set when the run has ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Rows, objects or files the task looked at, when it counts them.
    pub examined: Option<u64>,
    /// Rows, objects or files the task changed, when it counts them.
    pub affected: Option<u64>,
    /// One line: what came of it.
    pub summary: String,
    /// The full log text so far, one line per log event.
    pub log: String,
}

impl RunProgress {
    /// A run that has just started: nothing reported yet.
    pub fn running() -> RunProgress {
        RunProgress {
            status: RunStatus::Running,
            finished_at: None,
            examined: None,
            affected: None,
            summary: String::new(),
            log: String::new(),
        }
    }
}

/// One row of the run log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    #[serde(flatten)]
    pub start: RunStart,
    #[serde(flatten)]
    pub progress: RunProgress,
}

impl Run {
    /// A run still marked running whose process is gone: it was killed, or its machine went
    /// down. Only a process on this host can be looked at; elsewhere the answer is `false`.
    pub fn owner_gone(&self, this_host: &str) -> bool {
        self.progress.status == RunStatus::Running
            && self.start.host == this_host
            && process_gone(self.start.pid)
    }
}

/// This machine's name as the kernel knows it: runs and sessions are owned by a process of a
/// host.
pub fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
}

/// Whether process `pid` of this host is known to be gone (never without a `/proc`).
pub fn process_gone(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

/// Which runs to list: newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Only runs of this task (`backup create`), or of every task under this word (`backup`).
    pub task: Option<String>,
    /// Only runs started at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// At most this many (newest first); `None` for all.
    pub limit: Option<usize>,
}

/// The run log of one database. Opened with [`crate::Dialect::open_run_log`]; the table is
/// created on the first write, so reading a database that never had a run finds none.
pub trait RunLog: Send {
    /// Store the run as it stands: a new id adds it, a known one is overwritten. Writing the
    /// whole run each time lets a writer that lost its session (or found a restored database
    /// without the row) carry on.
    fn write(&mut self, run: &Run) -> Result<(), ConnectorError>;

    /// Runs selected by `filter`, newest first, with their `log` left empty (it can be long:
    /// [`RunLog::get`] reads it).
    fn list(&mut self, filter: &RunFilter) -> Result<Vec<Run>, ConnectorError>;

    /// The run with this id, or the one run whose id starts with it (none when several do).
    fn get(&mut self, id: &str) -> Result<Option<Run>, ConnectorError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_round_trips() {
        for status in [
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Warned,
            RunStatus::Failed,
            RunStatus::Cancelled,
        ] {
            assert_eq!(RunStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(RunStatus::parse("done"), None);
    }
}
