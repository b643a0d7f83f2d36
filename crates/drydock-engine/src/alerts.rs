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
