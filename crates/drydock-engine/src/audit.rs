//! The audit log of schema changes (docs/audit.md): every task that changes a database's
//! schema or data appends one entry when it ends ([`record`]), with who ran it (the OS user,
//! `DRYDOCK_ACTOR`, or the CI's identity), what it did and how it ended. The log lives in the
//! changed database (`Dialect::open_audit_log`), chained by hashes ([`verify`]); on PostgreSQL
//! `drydock audit install` adds an event trigger that records DDL run outside drydock.
//!
//! Writing an entry never changes how the task ended: a failure to write it is a warning.

use std::time::Instant;

use chrono::{DateTime, Utc};
use drydock_connector::{
    AuditEntry, AuditOrigin, AuditRecord, ChainBreak, ConnectorError, Dialect, audit_now,
    redact_text,
};
use drydock_tasks::Events;
use serde_json::{Value, json};

use crate::{EngineError, Project};

/// Who runs drydock, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `DRYDOCK_ACTOR`, else the CI's user (`GITHUB_ACTOR`, `GITLAB_USER_LOGIN`), else the OS
    /// user.
    pub actor: String,
    /// The CI job it runs in (`GitHub Actions acme/app run 42`), when it does.
    pub ci: Option<String>,
}

/// Who runs a task reporting to `events`: the one it runs on behalf of (the person signed in
/// to `drydock serve`), else this process's identity, from its environment.
pub fn identity(events: &dyn Events) -> Identity {
    let mut identity =
        identity_from(&|name| std::env::var(name).ok().filter(|value| !value.is_empty()));
    if let Some(actor) = events.on_behalf_of() {
        identity.actor = actor;
    }
    identity
}

fn identity_from(var: &dyn Fn(&str) -> Option<String>) -> Identity {
    let joined = |parts: &[Option<String>]| {
        parts
            .iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (ci_user, ci) = if let Some(user) = var("GITHUB_ACTOR") {
        let run = var("GITHUB_RUN_ID").map(|id| format!("run {id}"));
        (
            Some(user),
            Some(joined(&[
                Some("GitHub Actions".to_owned()),
                var("GITHUB_REPOSITORY"),
                run,
            ])),
        )
    } else if let Some(user) = var("GITLAB_USER_LOGIN") {
        let job = var("CI_JOB_ID").map(|id| format!("job {id}"));
        (
            Some(user),
            Some(joined(&[
                Some("GitLab CI".to_owned()),
                var("CI_PROJECT_PATH"),
                job,
            ])),
        )
    } else if var("CI").is_some_and(|ci| ci != "false" && ci != "0") {
        (None, Some("CI".to_owned()))
    } else {
        (None, None)
    };
    let actor = var("DRYDOCK_ACTOR")
        .or(ci_user)
        .unwrap_or_else(drydock_tasks::actor);
    Identity { actor, ci }
}

/// A change a task made (or tried), for its audit entry.
#[derive(Debug, Clone)]
pub struct AuditedChange {
    /// `migrate deploy`, `db execute`, ...
    pub command: &'static str,
    /// The migrations it ran or marked, with their checksums.
    pub migrations: Vec<(String, String)>,
    /// What it touched when not migrations (a script's file, a backup's id, a table).
    pub target: Option<String>,
    /// The statements it ran, when counted.
    pub statements: Option<usize>,
    pub started: Instant,
    /// More facts for the entry's details (a JSON object's members).
    pub extra: Vec<(&'static str, Value)>,
}

impl AuditedChange {
    pub fn new(command: &'static str) -> AuditedChange {
        AuditedChange {
            command,
            migrations: Vec::new(),
            target: None,
            statements: None,
            started: Instant::now(),
            extra: Vec::new(),
        }
    }

    /// The migrations named, with their checksums and statement count read from the folder
    /// (a name the folder lacks keeps an empty checksum).
    pub fn with_migrations(mut self, project: &Project, names: &[String]) -> AuditedChange {
        let local = drydock_migrate::list_migrations(&project.migrations_dir).unwrap_or_default();
        let mut statements = 0;
        for name in names {
            let found = local.iter().find(|migration| &migration.name == name);
            if let Some(migration) = found {
                statements += project
                    .dialect
                    .split_statements(migration.executable_script())
                    .len();
            }
            self.migrations.push((
                name.clone(),
                found.map(|m| m.checksum.clone()).unwrap_or_default(),
            ));
        }
        self.statements = Some(statements);
        self
    }
}

/// The codes of a database that was not reached: bad URL, unreachable, refused credentials, no
/// such database, TLS.
const NOT_REACHED: [&str; 5] = ["P1000", "P1001", "P1003", "P1011", "P1013"];

/// The code and message of a task's failure, for [`record`].
pub fn failure<T>(result: &Result<T, EngineError>) -> Option<(&'static str, String)> {
    result.as_ref().err().map(|e| (e.code(), e.to_string()))
}

/// Append the entry of `change` to the audit log of the database at `url`, failed with `error`
/// (code and message) or succeeded. A failure to append is a warning on `events`, never an
/// error.
pub fn record(
    dialect: &dyn Dialect,
    url: &str,
    change: AuditedChange,
    error: Option<(&'static str, String)>,
    events: &dyn Events,
) {
    // A task that could not reach the database changed nothing there (nor could the entry).
    if error
        .as_ref()
        .is_some_and(|(code, _)| NOT_REACHED.contains(code))
    {
        return;
    }
    if let Err(e) = append(dialect, url, change, error, identity(events)) {
        events.warning(&format!(
            "the audit log was not written ({e}); the change above is not in `drydock audit`"
        ));
    }
}

/// [`record`] for a task of `project` (`url` overrides its database).
pub fn record_for<T>(
    project: &Project,
    url: Option<&str>,
    change: AuditedChange,
    result: &Result<T, EngineError>,
    events: &dyn Events,
) {
    // Without a URL the task failed on it and says why.
    if let Ok(url) = project.migration_url(url) {
        record(project.dialect, &url, change, failure(result), events);
    }
}

fn append(
    dialect: &dyn Dialect,
    url: &str,
    change: AuditedChange,
    error: Option<(&'static str, String)>,
    identity: Identity,
) -> Result<AuditEntry, ConnectorError> {
    let mut details = serde_json::Map::new();
    if !change.migrations.is_empty() {
        details.insert(
            "migrations".to_owned(),
            change
                .migrations
                .iter()
                .map(|(name, checksum)| json!({ "name": name, "checksum": checksum }))
                .collect(),
        );
    }
    if let Some(statements) = change.statements {
        details.insert("statements".to_owned(), json!(statements));
    }
    details.insert(
        "duration_ms".to_owned(),
        json!(change.started.elapsed().as_millis() as u64),
    );
    if let Some(ci) = &identity.ci {
        details.insert("ci".to_owned(), json!(ci));
    }
    if let Some((_, message)) = &error {
        let message = redact_text(message);
        details.insert(
            "error".to_owned(),
            json!(message.lines().next().unwrap_or_default()),
        );
    }
    for (key, value) in change.extra {
        details.insert(key.to_owned(), value);
    }
    let target = match change.target {
        Some(target) => target,
        None => change
            .migrations
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let record = AuditRecord {
        at: audit_now(),
        actor: identity.actor,
        host: drydock_tasks::host_name(),
        origin: AuditOrigin::Drydock,
        command: change.command.to_owned(),
        target,
        details: Value::Object(details).to_string(),
        result: if error.is_some() {
            "failed"
        } else {
            "succeeded"
        }
        .to_owned(),
        error_code: error.map(|(code, _)| code.to_owned()).unwrap_or_default(),
    };
    dialect.open_audit_log(url)?.append(record)
}

/// Every entry of the audit log of `project`'s database (`url` overrides it), oldest first.
pub fn audit_entries(project: &Project, url: Option<&str>) -> Result<Vec<AuditEntry>, EngineError> {
    let url = project.migration_url(url)?;
    Ok(project.dialect.open_audit_log(&url)?.entries()?)
}

/// The first place where `entries` (the whole log) breaks its chain: `D3200`.
pub fn verify(entries: &[AuditEntry]) -> Result<(), EngineError> {
    match drydock_connector::verify_chain(entries) {
        None => Ok(()),
        Some(ChainBreak { seq, reason }) => Err(EngineError::AuditChainBroken { seq, reason }),
    }
}

/// Install (`true`) or remove the event trigger of `project`'s database that records DDL run
/// outside drydock; whether it was installed before. `D3201` where the database has none.
pub fn set_trigger(
    project: &Project,
    url: Option<&str>,
    install: bool,
) -> Result<bool, EngineError> {
    let url = project.migration_url(url)?;
    let mut log = project.dialect.open_audit_log(&url)?;
    let Some(trigger) = log.trigger() else {
        return Err(ConnectorError::Refused {
            code: "D3201",
            message: format!(
                "{} databases have no event triggers: DDL run outside drydock cannot be \
                 recorded. drydock's own changes (deploy, down, resolve, db push and execute, \
                 restore, cleanup) are still audited; see them with `drydock audit`",
                project.dialect.provider()
            ),
        }
        .into());
    };
    let was = trigger.installed()?;
    if install {
        trigger.install()?;
    } else {
        trigger.uninstall()?;
    }
    Ok(was)
}

/// The entries the database's trigger recorded after `since` whose objects name one of
/// `tables`: who changed what a drift report finds.
pub fn changes_outside(
    entries: &[AuditEntry],
    since: Option<DateTime<Utc>>,
    tables: &[String],
) -> Vec<AuditEntry> {
    entries
        .iter()
        .filter(|entry| entry.record.origin == AuditOrigin::Database)
        .filter(|entry| since.is_none_or(|since| entry.record.at > since))
        .filter(|entry| {
            tables
                .iter()
                .any(|table| crate::drift::names_word(&entry.record.target, table))
        })
        .cloned()
        .collect()
}

/// The statement an entry of the database's trigger recorded, from its details.
pub fn statement_of(entry: &AuditEntry) -> Option<String> {
    let details: Value = serde_json::from_str(&entry.record.details).ok()?;
    details
        .get("statement")
        .and_then(Value::as_str)
        .map(|s| redact_text(s.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn the_actor_comes_from_drydock_then_the_ci_then_the_os() {
        let github = identity_from(&env(&[
            ("GITHUB_ACTOR", "octocat"),
            ("GITHUB_RUN_ID", "42"),
            ("GITHUB_REPOSITORY", "acme/app"),
        ]));
        assert_eq!(github.actor, "octocat");
        assert_eq!(github.ci.as_deref(), Some("GitHub Actions acme/app run 42"));
        let gitlab = identity_from(&env(&[
            ("GITLAB_USER_LOGIN", "jane"),
            ("CI_JOB_ID", "7"),
            ("DRYDOCK_ACTOR", "deploy-bot"),
        ]));
        assert_eq!(gitlab.actor, "deploy-bot");
        assert_eq!(gitlab.ci.as_deref(), Some("GitLab CI job 7"));
        assert_eq!(
            identity_from(&env(&[("CI", "true")])).ci.as_deref(),
            Some("CI")
        );
    }
}
