//! Deployment approval: a person approves the exact set of pending migrations (names and the
//! checksums Prisma keeps in `_prisma_migrations.checksum`) on the migrations page of `drydock
//! serve`, and `migrate deploy --require-approval` applies only that set. An approval is a run
//! of task [`APPROVE_TASK`] in the run log, by the person who approved, its parameters holding
//! the set; the newest one counts.
//!
//! Also what that page shows of the pending migrations: their SQL, `down.sql` and the review a
//! deploy runs before applying (lint findings on live table sizes).

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use drydock_connector::{
    Connection, ConnectorError, HistoryRow, RunFilter, RunLog, RunStatus, redact_text,
};
use drydock_migrate::{self as history, list_migrations};
use drydock_tasks::{Event, Events, Level, Recorder};
use serde::{Deserialize, Serialize};

use crate::{EngineError, LintGate, Project, open_run_log};

/// The run log's task name of an approval.
pub const APPROVE_TASK: &str = "migrate approve";

/// Where people approve: the migrations page of `drydock serve`.
pub const APPROVAL_PAGE: &str = "/dashboard/migrations";

/// Approvals read back from the run log to find the newest one that ended well.
const APPROVALS_READ: usize = 20;

/// A pending migration as an approval names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PendingMigration {
    /// The folder name, the migration's name in the history table.
    pub name: String,
    /// The SHA-256 of `migration.sql`, as deploy writes it to `_prisma_migrations.checksum`.
    pub checksum: String,
}

/// An approval recorded in the run log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The id of its run.
    pub run: String,
    /// Who approved.
    pub actor: String,
    pub approved_at: DateTime<Utc>,
    /// The set approved, in the order deploy applies it.
    pub migrations: Vec<PendingMigration>,
}

/// How the pending set differs from an approved one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// Pending, and not in the approved set: added since.
    NotApproved { name: String },
    /// Approved with another checksum: its `migration.sql` changed since.
    Changed { name: String },
    /// Approved, and no longer pending: applied or removed since.
    NoLongerPending { name: String },
    /// Named more than once in the approved set.
    Repeated { name: String },
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::NotApproved { name } => {
                write!(
                    f,
                    "{name}: pending but not approved (new since the approval)"
                )
            }
            Difference::Changed { name } => write!(
                f,
                "{name}: its migration.sql changed since it was approved (another checksum)"
            ),
            Difference::NoLongerPending { name } => write!(
                f,
                "{name}: approved but no longer pending (applied or removed since)"
            ),
            Difference::Repeated { name } => write!(f, "{name}: approved more than once"),
        }
    }
}

/// How `pending` differs from `approved`; empty when they are the same set (same names, same
/// checksums, same count).
pub fn differences(pending: &[PendingMigration], approved: &[PendingMigration]) -> Vec<Difference> {
    let mut wanted: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = Vec::new();
    for migration in approved {
        if wanted
            .insert(&migration.name, &migration.checksum)
            .is_some()
        {
            out.push(Difference::Repeated {
                name: migration.name.clone(),
            });
        }
    }
    for migration in pending {
        let name = migration.name.clone();
        match wanted.remove(migration.name.as_str()) {
            None => out.push(Difference::NotApproved { name }),
            Some(checksum) if checksum != migration.checksum => {
                out.push(Difference::Changed { name });
            }
            Some(_) => {}
        }
    }
    out.extend(wanted.into_keys().map(|name| Difference::NoLongerPending {
        name: name.to_owned(),
    }));
    out
}

/// The pending migrations of `project` on `conn`, in the order deploy applies them, each with
/// the checksum deploy would record.
pub fn pending_set(
    project: &Project,
    conn: &mut dyn Connection,
) -> Result<Vec<PendingMigration>, EngineError> {
    let pending = history::status(conn, &project.migrations_dir)?.pending;
    with_checksums(project, &pending)
}

/// The migrations named in `pending` with their checksums, in folder order.
pub(crate) fn with_checksums(
    project: &Project,
    pending: &[String],
) -> Result<Vec<PendingMigration>, EngineError> {
    Ok(list_migrations(&project.migrations_dir)?
        .into_iter()
        .filter(|migration| pending.contains(&migration.name))
        .map(|migration| PendingMigration {
            name: migration.name,
            checksum: migration.checksum,
        })
        .collect())
}

/// The newest approval in the run log of `project` (`url` as `--url` gives it), if any.
pub fn latest_approval(
    project: &Project,
    url: Option<&str>,
) -> Result<Option<Approval>, EngineError> {
    let mut log = open_run_log(project, url)?;
    let runs = log.list(&RunFilter {
        task: Some(APPROVE_TASK.to_owned()),
        since: None,
        limit: Some(APPROVALS_READ),
    })?;
    Ok(runs
        .iter()
        .filter(|run| run.start.task == APPROVE_TASK && run.progress.status == RunStatus::Succeeded)
        .find_map(approval_of))
}

/// The parameters an approval's run keeps.
#[derive(Deserialize)]
struct ApprovalParameters {
    migrations: Vec<PendingMigration>,
}

fn approval_of(run: &drydock_connector::Run) -> Option<Approval> {
    let parameters: ApprovalParameters = serde_json::from_str(&run.start.parameters).ok()?;
    Some(Approval {
        run: run.start.id.clone(),
        actor: run.start.actor.clone(),
        approved_at: run.start.started_at,
        migrations: parameters.migrations,
    })
}

/// Record that `actor` approved `migrations` (the pending set they saw, which the caller
/// checked against the database), `via` naming where (`drydock serve`). An error when the run
/// log could not keep it: an approval nobody can read would be worse than none.
pub fn record_approval(
    project: &Project,
    url: Option<&str>,
    actor: &str,
    migrations: &[PendingMigration],
    via: &str,
) -> Result<Approval, EngineError> {
    // The session is opened here, so an unreachable run log is an error of its own; the
    // recorder takes it on its first write.
    let opened: Mutex<Option<Box<dyn RunLog>>> = Mutex::new(Some(open_run_log(project, url)?));
    let open: drydock_tasks::OpenRunLog = Box::new(move || {
        opened
            .lock()
            .ok()
            .and_then(|mut log| log.take())
            .ok_or_else(|| ConnectorError::query("the run log's session was lost".to_owned()))
    });
    let warnings = Collected::default();
    let parameters = serde_json::json!({
        "arguments": ["migrate", "approve"],
        "via": via,
        "migrations": migrations,
    });
    let recorder = Recorder::start_by(open, APPROVE_TASK, &parameters, actor, &warnings);
    for migration in migrations {
        recorder.info(&format!(
            "approved {} ({})",
            migration.name, migration.checksum
        ));
    }
    let summary = format!(
        "approved {} for deploy",
        super::super::plural(migrations.len(), "pending migration")
    );
    recorder.finish(RunStatus::Succeeded, &summary);
    let id = recorder.id();
    let kept = open_run_log(project, url)?.get(&id)?;
    match kept.as_ref().and_then(approval_of) {
        Some(approval)
            if kept
                .as_ref()
                .is_some_and(|run| run.progress.status == RunStatus::Succeeded) =>
        {
            Ok(approval)
        }
        _ => Err(EngineError::Connector(ConnectorError::query(format!(
            "the approval was not recorded in the run log: {}",
            warnings.text()
        )))),
    }
}

/// The warnings of a recorder, kept to explain why it could not write.
#[derive(Default)]
struct Collected(Mutex<Vec<String>>);

impl Collected {
    fn text(&self) -> String {
        let lines = self
            .0
            .lock()
            .map(|lines| lines.join("; "))
            .unwrap_or_default();
        if lines.is_empty() {
            "the run log does not hold it".to_owned()
        } else {
            redact_text(&lines)
        }
    }
}

impl Events for Collected {
    fn event(&self, event: Event) {
        if let Event::Log {
            level: Level::Warning | Level::Error,
            line,
        } = event
            && let Ok(mut lines) = self.0.lock()
        {
            lines.push(line);
        }
    }
}

/// Refuse unless the newest approval in the run log is exactly the pending set; say who
/// approved it when it is. Nothing pending needs no approval. The approved set comes back,
/// for the deploy to check again once it holds the migration lock ([`confirm_approved`]).
pub(crate) fn require_approval(
    project: &Project,
    url: Option<&str>,
    pending: &[String],
    events: &dyn Events,
) -> Result<Vec<PendingMigration>, EngineError> {
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let pending = with_checksums(project, pending)?;
    let Some(approval) = latest_approval(project, url)? else {
        return Err(EngineError::DeployNotApproved {
            reasons: format!(
                "no approval is recorded in the run log (task `{APPROVE_TASK}`); pending:\n{}",
                pending
                    .iter()
                    .map(|migration| format!("  {}: pending but not approved", migration.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        });
    };
    let differences = differences(&pending, &approval.migrations);
    if !differences.is_empty() {
        return Err(EngineError::DeployNotApproved {
            reasons: format!(
                "the pending migrations are not the set {} approved at {} (run {}):\n{}",
                approval.actor,
                approval.approved_at.format("%Y-%m-%d %H:%M:%S UTC"),
                approval.run,
                differences
                    .iter()
                    .map(|difference| format!("  {difference}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        });
    }
    events.info(&format!(
        "The pending set ({}) was approved by {} at {} (run {}).",
        super::super::plural(pending.len(), "migration"),
        approval.actor,
        approval.approved_at.format("%Y-%m-%d %H:%M:%S UTC"),
        approval.run
    ));
    Ok(approval.migrations)
}

/// The deploy's check under the migration lock: the migrations about to run (names and the
/// checksums of the very files that will run) must be the `approved` set, else the reasons.
pub(crate) fn confirm_approved(approved: Vec<PendingMigration>) -> drydock_migrate::ConfirmPending {
    confirm_set(approved, "D3121", |differences| {
        format!(
            "the migrations changed after their approval was checked; nothing was applied:\n{}",
            differences
                .iter()
                .map(|difference| format!("  {difference}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// A check under the migration lock that the migrations about to run are `expected` (names
/// and checksums), refused with `code` and what `describe` says of the differences.
pub(crate) fn confirm_set(
    expected: Vec<PendingMigration>,
    code: &'static str,
    describe: fn(&[Difference]) -> String,
) -> drydock_migrate::ConfirmPending {
    std::sync::Arc::new(move |about_to_run: &[(&str, &str)]| {
        let about_to_run: Vec<PendingMigration> = about_to_run
            .iter()
            .map(|(name, checksum)| PendingMigration {
                name: (*name).to_owned(),
                checksum: (*checksum).to_owned(),
            })
            .collect();
        let differences = differences(&about_to_run, &expected);
        if differences.is_empty() {
            return Ok(());
        }
        Err(drydock_migrate::PendingRefusal {
            code,
            reason: describe(&differences),
        })
    })
}

/// A pending migration as a reviewer sees it before approving.
#[derive(Debug, Clone, Serialize)]
pub struct PendingReview {
    pub name: String,
    pub checksum: String,
    /// `migration.sql` as on disk.
    pub sql: String,
    /// `down.sql`, when the folder has one.
    pub down_sql: Option<String>,
    /// The review's findings in this migration, as `drydock lint --json` writes them, each
    /// with `blocks_deploy`: whether `migrate deploy`'s default gate stops for it.
    pub findings: Vec<serde_json::Value>,
}

/// What a reviewer reads of the pending migrations before approving them.
#[derive(Debug, Clone, Serialize)]
pub struct PendingReviews {
    pub migrations: Vec<PendingReview>,
    /// Remarks of the linter about its run (rules that did not run, and why).
    pub notices: Vec<String>,
    /// Why the review could not run (`[code] message`, redacted): the migrations are shown
    /// without findings then.
    pub error: Option<String>,
}

/// The pending migrations with their SQL, `down.sql` and the findings of the review deploy
/// runs before applying (the linter on live table sizes, tables above `max_rows` rows large).
pub fn review_pending_set(
    project: &Project,
    conn: &mut dyn Connection,
    pending: &[String],
    max_rows: u64,
) -> Result<PendingReviews, EngineError> {
    let mut migrations = Vec::new();
    let mut paths = Vec::new();
    for migration in list_migrations(&project.migrations_dir)? {
        if !pending.contains(&migration.name) {
            continue;
        }
        let down_sql = match migration.down_path() {
            Some(path) => Some(std::fs::read_to_string(&path).map_err(|error| {
                EngineError::Usage(format!("cannot read {}: {error}", path.display()))
            })?),
            None => None,
        };
        paths.push(crate::migration_file(&migration).path);
        migrations.push(PendingReview {
            name: migration.name,
            checksum: migration.checksum,
            sql: migration.script,
            down_sql,
            findings: Vec::new(),
        });
    }
    let mut reviews = PendingReviews {
        migrations,
        notices: Vec::new(),
        error: None,
    };
    if reviews.migrations.is_empty() {
        return Ok(reviews);
    }
    let report = match crate::review_pending(project, conn, pending, max_rows) {
        Ok(report) => report,
        Err(error) => {
            reviews.error = Some(format!(
                "[{}] {}",
                error.code(),
                redact_text(&error.to_string())
            ));
            return Ok(reviews);
        }
    };
    let blocking = LintGate::Auto.blocking(&report);
    for (review, findings) in reviews
        .migrations
        .iter_mut()
        .zip(findings_by_file(&report, &blocking, &paths))
    {
        review.findings = findings;
    }
    reviews.notices = report.notices;
    Ok(reviews)
}

/// The findings of `report` in each of the files `paths`, as `drydock lint --json` writes
/// them, each with `blocks_deploy`: whether it is one of `blocking`.
pub(crate) fn findings_by_file(
    report: &drydock_lint::Report,
    blocking: &[&drydock_lint::Finding],
    paths: &[String],
) -> Vec<Vec<serde_json::Value>> {
    let mut out = vec![Vec::new(); paths.len()];
    let json = drydock_lint::report::to_json(report);
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    for (finding, mut value) in report.findings.iter().zip(findings) {
        let blocks = blocking.iter().any(|b| std::ptr::eq(*b, finding));
        value["blocks_deploy"] = serde_json::Value::Bool(blocks);
        let file = value["file"].as_str().unwrap_or_default().to_owned();
        if let Some(index) = paths.iter().position(|path| *path == file) {
            out[index].push(value);
        }
    }
    out
}

/// The rows of `_prisma_migrations`, oldest first; none when the table does not exist yet.
pub fn history_rows(conn: &mut dyn Connection) -> Result<Vec<HistoryRow>, EngineError> {
    if !conn.history_table_exists()? {
        return Ok(Vec::new());
    }
    let mut rows = conn.read_history()?;
    rows.sort_by_key(|row| row.started_at);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[(&str, &str)]) -> Vec<PendingMigration> {
        items
            .iter()
            .map(|(name, checksum)| PendingMigration {
                name: (*name).to_owned(),
                checksum: (*checksum).to_owned(),
            })
            .collect()
    }

    #[test]
    fn only_the_same_names_checksums_and_count_match() {
        let approved = set(&[("a", "1"), ("b", "2")]);
        assert!(differences(&set(&[("a", "1"), ("b", "2")]), &approved).is_empty());
        assert_eq!(
            differences(&set(&[("a", "1"), ("b", "3"), ("c", "4")]), &approved),
            [
                Difference::Changed {
                    name: "b".to_owned()
                },
                Difference::NotApproved {
                    name: "c".to_owned()
                },
            ]
        );
        assert_eq!(
            differences(&set(&[("b", "2")]), &approved),
            [Difference::NoLongerPending {
                name: "a".to_owned()
            }]
        );
        assert_eq!(
            differences(&set(&[("a", "1")]), &set(&[("a", "1"), ("a", "1")])),
            [Difference::Repeated {
                name: "a".to_owned()
            }]
        );
        assert_eq!(
            differences(&set(&[("a", "1")]), &[]),
            [Difference::NotApproved {
                name: "a".to_owned()
            }]
        );
    }
}
