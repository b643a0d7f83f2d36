//! Alerts: findings at or above a severity, announced to webhooks once when they appear and
//! once when they clear. A condition that persists stays one open alert in the store
//! ([`AlertStore`], kept with the run log), so checks run every minute send no storm; a message
//! that did not reach every webhook is sent again by the next run.

mod payload;
mod webhook;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use drydock_connector::{AlertStore, ConnectorError, StoredAlert};
use drydock_tasks::Events;
use serde::Serialize;

use crate::{Finding, Severity};
pub use payload::{AlertState, Message, Notice};
pub use webhook::{Webhook, WebhookFormat};

/// `[alerts]` of `drydock.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSettings {
    /// Findings below it never alert.
    pub min_severity: Severity,
    /// Send a firing alert again this often while it persists; `None`: once.
    pub repeat: Option<Duration>,
    pub webhooks: Vec<Webhook>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            min_severity: Severity::Warning,
            repeat: None,
            webhooks: Vec::new(),
        }
    }
}

/// Where the alerts a run evaluates come from, and what it tells the receivers about itself.
#[derive(Debug, Clone, Copy)]
pub struct AlertContext<'a> {
    /// The task that found them (`check`, `stats`, `migrate deploy`): each task's alerts are
    /// opened and cleared by runs of that task only.
    pub source: &'a str,
    /// The database, as people know it (a redacted URL or a name): never a password.
    pub database: &'a str,
    pub now: DateTime<Utc>,
    /// The codes the run looked for (`check --only`); `None`: all of them. An open alert of
    /// another code is not cleared by a run that did not look for it.
    pub codes: Option<&'a [String]>,
}

/// What a run of [`evaluate`] sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlertOutcome {
    /// Keys of alerts opened and announced.
    pub fired: Vec<String>,
    /// Keys of open alerts announced again (`repeat`, or a message that failed before).
    pub repeated: Vec<String>,
    /// Keys of alerts announced cleared.
    pub resolved: Vec<String>,
    /// Open alerts left as they are: announced already.
    pub unchanged: usize,
    /// Messages that did not reach a webhook after its retries, one line each (no secrets).
    pub failures: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("the alert store: {0}")]
    Store(#[from] ConnectorError),
}

/// The identity of the condition a finding describes: its source, code and objects.
pub fn alert_key(source: &str, finding: &Finding) -> String {
    let mut objects: Vec<String> = finding
        .objects
        .iter()
        .map(|object| format!("{} {}", object.kind, object.name))
        .collect();
    objects.sort();
    format!("{source}|{}|{}", finding.code, objects.join(","))
}

/// Compare what `context.source` found now (`findings`) with its open alerts in `store`: open
/// and announce the new ones, announce again what needs it, announce and close the ones that
/// cleared. Webhook failures are reported in the outcome and as warnings, never as an error:
/// the alert stays to be sent by the next run.
pub fn evaluate(
    findings: &[Finding],
    settings: &AlertSettings,
    store: &mut dyn AlertStore,
    context: AlertContext<'_>,
    events: &dyn Events,
) -> Result<AlertOutcome, AlertError> {
    let send = Sender {
        settings,
        context,
        events,
    };
    let mut outcome = AlertOutcome::default();
    let current: HashMap<String, &Finding> = findings
        .iter()
        .filter(|finding| finding.severity >= settings.min_severity)
        .map(|finding| (alert_key(context.source, finding), finding))
        .collect();
    let stored = store.alerts(context.source)?;
    let mut keys: Vec<&String> = current.keys().collect();
    keys.sort();
    for key in keys {
        let finding = current[key];
        match stored.iter().find(|alert| &alert.key == key) {
            None => {
                let alert = StoredAlert {
                    key: key.clone(),
                    source: context.source.to_owned(),
                    code: finding.code.clone(),
                    severity: finding.severity.as_str().to_owned(),
                    title: finding.title.clone(),
                    body: serde_json::to_string(finding).unwrap_or_default(),
                    opened_at: context.now,
                    notified_at: None,
                    resolved_at: None,
                };
                // Another run that saw it at the same moment opened it: that run announces it.
                if store.open(&alert)?
                    && send.message(&alert, finding, AlertState::Firing, &mut outcome)
                {
                    store.notified(key, context.now)?;
                    outcome.fired.push(key.clone());
                }
            }
            Some(alert) => {
                if alert.resolved_at.is_some() {
                    // Seen cleared by a run whose message did not go out, and back since: to
                    // the receivers it never stopped.
                    store.reopen(key)?;
                }
                let due = match (alert.notified_at, settings.repeat) {
                    (None, _) => true,
                    (Some(at), Some(every)) => {
                        context
                            .now
                            .signed_duration_since(at)
                            .to_std()
                            .unwrap_or_default()
                            >= every
                    }
                    (Some(_), None) => false,
                };
                if !due {
                    outcome.unchanged += 1;
                } else if send.message(alert, finding, AlertState::Firing, &mut outcome) {
                    store.notified(key, context.now)?;
                    if alert.notified_at.is_none() {
                        outcome.fired.push(key.clone());
                    } else {
                        outcome.repeated.push(key.clone());
                    }
                }
            }
        }
    }
    let looked_for = |code: &str| {
        context
            .codes
            .is_none_or(|codes| codes.iter().any(|c| c == code))
    };
    for alert in stored
        .iter()
        .filter(|alert| !current.contains_key(&alert.key) && looked_for(&alert.code))
    {
        if alert.resolved_at.is_none() && !store.resolve(&alert.key, context.now)? {
            continue;
        }
        if alert.notified_at.is_none() {
            // Never announced: nobody waits for it to clear.
            store.remove(&alert.key)?;
            continue;
        }
        let finding: Finding = match serde_json::from_str(&alert.body) {
            Ok(finding) => finding,
            Err(_) => Finding {
                code: alert.code.clone(),
                severity: Severity::parse(&alert.severity).unwrap_or(Severity::Warning),
                title: alert.title.clone(),
                objects: Vec::new(),
                detail: None,
                fix: None,
            },
        };
        if send.message(alert, &finding, AlertState::Resolved, &mut outcome) {
            store.remove(&alert.key)?;
            outcome.resolved.push(alert.key.clone());
        }
    }
    Ok(outcome)
}

/// Send `notice` to every webhook of `settings` (asked for notifications, so `[alerts]
/// min_severity` does not apply; a webhook's own `min_severity` does), each with its bounded
/// retries; a webhook it did not reach is a warning on `events`, never an error. Whether every
/// one took it.
pub fn notify(settings: &AlertSettings, notice: &Notice<'_>, events: &dyn Events) -> bool {
    let mut delivered = true;
    for webhook in &settings.webhooks {
        if webhook
            .min_severity
            .is_some_and(|min| notice.severity < min)
        {
            continue;
        }
        if let Err(failure) = webhook.send_notice(notice) {
            events.warning(&format!(
                "the notification {} did not reach {}: {failure}",
                notice.event,
                webhook.describe()
            ));
            delivered = false;
        }
    }
    delivered
}

struct Sender<'a> {
    settings: &'a AlertSettings,
    context: AlertContext<'a>,
    events: &'a dyn Events,
}

impl Sender<'_> {
    /// Send the message about `alert` to every webhook that takes its severity; whether all of
    /// them took it.
    fn message(
        &self,
        alert: &StoredAlert,
        finding: &Finding,
        state: AlertState,
        outcome: &mut AlertOutcome,
    ) -> bool {
        let message = Message {
            state,
            source: self.context.source,
            database: self.context.database,
            finding,
            since: alert.opened_at,
            at: self.context.now,
        };
        self.events.info(&format!(
            "alert {} {}: {}",
            finding.code,
            state.as_str(),
            finding.title
        ));
        let mut delivered = true;
        for webhook in &self.settings.webhooks {
            if finding.severity < webhook.min_severity.unwrap_or(self.settings.min_severity) {
                continue;
            }
            if let Err(failure) = webhook.send(&message) {
                let line = format!(
                    "the alert {} ({}) did not reach {}: {failure}; the next run sends it again",
                    finding.code,
                    state.as_str(),
                    webhook.describe()
                );
                self.events.warning(&line);
                outcome.failures.push(line);
                delivered = false;
            }
        }
        delivered
    }
}
