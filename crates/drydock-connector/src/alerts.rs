//! The alerts that are open, kept with the run log (`_drydock_alerts` beside `_drydock_runs`):
//! a condition a check or a sample found stays one open alert while it lasts, so it is
//! announced once, and once more when it clears. Each dialect stores them in its own place
//! behind [`AlertStore`]; the generic core decides what to send and never writes SQL for it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ConnectorError;

/// The open alerts' table. A bookkeeping table: never introspected, never in drift.
pub const ALERT_TABLE: &str = "_drydock_alerts";

/// An open alert: a condition seen and not yet seen cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAlert {
    /// The condition's identity: the same condition seen again has the same key.
    pub key: String,
    /// What found it (`check`, `stats`, `migrate deploy`).
    pub source: String,
    pub code: String,
    pub severity: String,
    pub title: String,
    /// What was found, as JSON text, for the message sent when it clears.
    pub body: String,
    pub opened_at: DateTime<Utc>,
    /// When a message about it last reached every webhook; `None` until one did.
    pub notified_at: Option<DateTime<Utc>>,
    /// When it was seen cleared; the alert is removed once that was announced.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Where the open alerts are kept. Every change is one statement, so two runs that see the
/// same condition at once open it once, and clear it once.
pub trait AlertStore {
    /// The open alerts `source` found, clearing ones included.
    fn alerts(&mut self, source: &str) -> Result<Vec<StoredAlert>, ConnectorError>;
    /// Open `alert`; `false` when an alert of its key is open already.
    fn open(&mut self, alert: &StoredAlert) -> Result<bool, ConnectorError>;
    /// A clearing alert seen again: it is open as before (`resolved_at` unset).
    fn reopen(&mut self, key: &str) -> Result<(), ConnectorError>;
    /// Every webhook got a message about `key` at `at`.
    fn notified(&mut self, key: &str, at: DateTime<Utc>) -> Result<(), ConnectorError>;
    /// Mark `key` cleared at `at`; `false` when another run did first.
    fn resolve(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, ConnectorError>;
    /// Forget `key`: its clearing was announced.
    fn remove(&mut self, key: &str) -> Result<(), ConnectorError>;
}
