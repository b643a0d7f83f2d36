//! Alerts of a project's tasks: what a task found, compared with the open alerts kept with the
//! run log and sent to the webhooks `[alerts]` names (docs/alerts.md).

use chrono::Utc;
use drydock_connector::redact_url;
use drydock_maintenance::Finding;
use drydock_maintenance::alerts::{
    AlertContext, AlertError, AlertOutcome, AlertSettings, evaluate,
};
use drydock_tasks::Events;

use crate::{EngineError, Project, Settings, runs};

/// The tasks whose findings become alerts, as the alert store names them.
pub const ALERT_SOURCES: [&str; 3] = ["check", "stats", "migrate deploy"];

/// The alerts open now on the database of `project` (`url` overrides it), of every task in
/// [`ALERT_SOURCES`]: those seen cleared are left out. None when `[alerts]` names no webhook:
/// then none is kept, and the store is not even opened (it would create its table).
pub fn open_alerts(
    project: &Project,
    url: Option<&str>,
) -> Result<Vec<drydock_connector::StoredAlert>, EngineError> {
    if Settings::load(project)?.alerts.webhooks.is_empty() {
        return Ok(Vec::new());
    }
    let mut store = runs::open_alert_store(project, url)?;
    let mut open = Vec::new();
    for source in ALERT_SOURCES {
        open.extend(
            store
                .alerts(source)?
                .into_iter()
                .filter(|alert| alert.resolved_at.is_none()),
        );
    }
    open.sort_by_key(|alert| std::cmp::Reverse(alert.opened_at));
    Ok(open)
}

/// Send the alerts `findings` of task `source` call for, on the database `url` (or the
/// project's). `None` when `[alerts]` names no webhook: then nothing is kept either.
pub fn send_alerts(
    project: &Project,
    url: Option<&str>,
    source: &str,
    findings: &[Finding],
    events: &dyn Events,
) -> Result<Option<AlertOutcome>, EngineError> {
    let settings = Settings::load(project)?.alert_settings()?;
    send_alerts_with(project, url, source, findings, None, &settings, events)
}

/// [`send_alerts`] with the settings given, by a run that looked only for `codes` (`None`:
/// all): open alerts of other codes stay as they are.
pub fn send_alerts_with(
    project: &Project,
    url: Option<&str>,
    source: &str,
    findings: &[Finding],
    codes: Option<&[String]>,
    settings: &AlertSettings,
    events: &dyn Events,
) -> Result<Option<AlertOutcome>, EngineError> {
    if settings.webhooks.is_empty() {
        return Ok(None);
    }
    let database = redact_url(&project.migration_url(url)?);
    let mut store = runs::open_alert_store(project, url)?;
    let context = AlertContext {
        source,
        database: &database,
        now: Utc::now(),
        codes,
    };
    let outcome = evaluate(findings, settings, store.as_mut(), context, events)
        .map_err(|AlertError::Store(e)| EngineError::Connector(e))?;
    Ok(Some(outcome))
}
