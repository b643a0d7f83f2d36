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

/// What marks a finding's line in a run's log.
const LOG_PREFIX: &str = "finding ";

impl Finding {
    /// The finding's line in the run log, `finding D6003 warning: <title>`: what
    /// [`logged_findings`] reads back, so a page can show a run's findings without running it
    /// again.
    pub fn log_line(&self) -> String {
        format!(
            "{LOG_PREFIX}{} {}: {}",
            self.code,
            self.severity.as_str(),
            self.title
        )
    }
}

/// A finding as a run's log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedFinding {
    pub code: String,
    pub severity: Severity,
    pub title: String,
}

/// The findings a run's `log` holds ([`Finding::log_line`]), in their order.
pub fn logged_findings(log: &str) -> Vec<LoggedFinding> {
    log.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(LOG_PREFIX)?;
            let (code, rest) = rest.split_once(' ')?;
            let (severity, title) = rest.split_once(": ")?;
            Some(LoggedFinding {
                code: code.to_owned(),
                severity: Severity::parse(severity)?,
                title: title.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_read_back_from_their_log_lines() {
        let finding = Finding {
            code: "D6003".to_owned(),
            severity: Severity::Warning,
            title: "table \"A\" has no primary key: rows: 1".to_owned(),
            objects: Vec::new(),
            detail: None,
            fix: None,
        };
        let log = format!(
            "reading the catalogs\n{}\nwarning: finding D1 nonsense\n",
            finding.log_line()
        );
        assert_eq!(
            logged_findings(&log),
            vec![LoggedFinding {
                code: "D6003".to_owned(),
                severity: Severity::Warning,
                title: "table \"A\" has no primary key: rows: 1".to_owned(),
            }]
        );
    }
}
