//! Claims of scheduled runs (`_drydock_schedule_claims`, beside the run log): every instance of
//! `drydock serve` that runs a project's `[[schedule]]` jobs claims each due time of a job
//! before running it, and only the one whose claim is stored runs it. A claim is one
//! insert-if-absent on the key (job, due time), so two instances never both win it. Each
//! dialect stores them where it keeps the run log, behind [`ScheduleClaims`].

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ConnectorError;

/// The claims' table. A bookkeeping table: never introspected, never in drift.
pub const SCHEDULE_CLAIM_TABLE: &str = "_drydock_schedule_claims";

/// What became of a claimed due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Claimed and running (or its instance stopped before saying how it ended).
    Running,
    /// The job ran and exited with 0.
    Succeeded,
    /// The job ran and exited with another code, was killed, or could not start.
    Failed,
    /// The job was stopped with the server before it finished.
    Cancelled,
    /// Not run: the job's previous run was still running when this one fell due.
    Skipped,
    /// Not run: no instance was up when it fell due (reported later, and not caught up).
    Missed,
}

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Running => "running",
            ClaimStatus::Succeeded => "succeeded",
            ClaimStatus::Failed => "failed",
            ClaimStatus::Cancelled => "cancelled",
            ClaimStatus::Skipped => "skipped",
            ClaimStatus::Missed => "missed",
        }
    }

    /// The status stored as `text`, or `None` for a text no drydock writes.
    pub fn parse(text: &str) -> Option<ClaimStatus> {
        [
            ClaimStatus::Running,
            ClaimStatus::Succeeded,
            ClaimStatus::Failed,
            ClaimStatus::Cancelled,
            ClaimStatus::Skipped,
            ClaimStatus::Missed,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    /// Whether the job's process ran for this due time.
    pub fn ran(self) -> bool {
        matches!(
            self,
            ClaimStatus::Running
                | ClaimStatus::Succeeded
                | ClaimStatus::Failed
                | ClaimStatus::Cancelled
        )
    }
}

/// One claimed due time of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleClaim {
    /// The job's `name` in `[[schedule]]`.
    pub job: String,
    /// The time the job fell due (whole seconds, UTC): with `job`, the key.
    pub due_at: DateTime<Utc>,
    /// The instance that claimed it: host, process and start time.
    pub instance: String,
    pub claimed_at: DateTime<Utc>,
    pub status: ClaimStatus,
    pub finished_at: Option<DateTime<Utc>>,
    /// The job's exit code, when it ran and exited.
    pub exit_code: Option<i32>,
    /// Earlier due times nobody claimed, reported with this claim (a gap while no instance ran,
    /// or times that passed while the job was still running).
    pub missed: u32,
    /// One line on how it ended (a timeout, a kill), or empty.
    pub detail: String,
}

impl ScheduleClaim {
    /// A claim of `job` at `due_at` by `instance`, made now, running.
    pub fn new(job: &str, due_at: DateTime<Utc>, instance: &str) -> ScheduleClaim {
        ScheduleClaim {
            job: job.to_owned(),
            due_at,
            instance: instance.to_owned(),
            claimed_at: Utc::now(),
            status: ClaimStatus::Running,
            finished_at: None,
            exit_code: None,
            missed: 0,
            detail: String::new(),
        }
    }
}

/// The claims of one project's scheduled jobs. Opened with
/// [`crate::Dialect::open_schedule_claims`]; the table is created when the store opens.
pub trait ScheduleClaims: Send {
    /// Store `claim` unless its (job, due time) is claimed already: `true` when this call
    /// stored it, and so the caller runs the job. One statement, atomic between instances.
    fn claim(&mut self, claim: &ScheduleClaim) -> Result<bool, ConnectorError>;

    /// Record how the claimed run ended: status, end, exit code, missed count and detail of the
    /// claim of the same (job, due time).
    fn finish(&mut self, claim: &ScheduleClaim) -> Result<(), ConnectorError>;

    /// The claim of `job` with the latest due time before `before` (`None`: of all).
    fn latest(
        &mut self,
        job: &str,
        before: Option<DateTime<Utc>>,
    ) -> Result<Option<ScheduleClaim>, ConnectorError>;

    /// The claims of `job` due at or after `since`, oldest first.
    fn list(
        &mut self,
        job: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<ScheduleClaim>, ConnectorError>;

    /// How many due times of `job` since `since` went unrun: the sum of the claims' `missed`,
    /// and each claim skipped or missed itself.
    fn missed_since(&mut self, job: &str, since: DateTime<Utc>) -> Result<u64, ConnectorError>;

    /// Forget the claims due before `before`, except each job's latest (which later gaps are
    /// counted from). Returns how many went.
    fn prune(&mut self, before: DateTime<Utc>) -> Result<u64, ConnectorError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_round_trips() {
        for status in [
            ClaimStatus::Running,
            ClaimStatus::Succeeded,
            ClaimStatus::Failed,
            ClaimStatus::Cancelled,
            ClaimStatus::Skipped,
            ClaimStatus::Missed,
        ] {
            assert_eq!(ClaimStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ClaimStatus::parse("done"), None);
    }
}
