//! A finding: something a check saw that needs a look, with a stable code and its fix.

use serde::{Deserialize, Serialize};

/// How much a finding matters. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The severity spelled `text` (as in `drydock.toml`), or `None`.
    pub fn parse(text: &str) -> Option<Severity> {
        [Severity::Info, Severity::Warning, Severity::Error]
            .into_iter()
            .find(|severity| severity.as_str() == text)
    }
}

/// A database object a finding is about: its kind (`table`, `index`, `constraint`, `sequence`,
/// `column`, `replication slot`, `rule`...) and its qualified name as the database spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    pub kind: String,
    pub name: String,
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable, documented in `docs/` (`D6xxx`).
    pub code: String,
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: String,
    pub objects: Vec<ObjectRef>,
    /// The measured facts behind it (a count, a percentage, an age), for people.
    pub detail: Option<String>,
    /// What to do: a command to run or a migration to write.
    pub fix: Option<String>,
}
