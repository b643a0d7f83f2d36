//! The message an alert sends, and its shape for each kind of receiver: drydock's own JSON,
//! Slack's incoming webhooks, and Microsoft Teams' workflows (an Adaptive Card).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{Finding, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Firing,
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

/// One message about one alert.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub state: AlertState,
    pub source: &'a str,
    pub database: &'a str,
    pub finding: &'a Finding,
    /// When the condition was first seen.
    pub since: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Message<'_> {
    /// `[FIRING] <severity> <code> on <database>: <title>`, the one line every format starts with.
    pub fn headline(&self) -> String {
        let state = match self.state {
            AlertState::Firing => "FIRING",
            AlertState::Resolved => "RESOLVED",
        };
        format!(
            "[{state}] {} {} on {}: {}",
            self.finding.severity.as_str(),
            self.finding.code,
            self.database,
            self.finding.title
        )
    }

    /// The lines under the headline: objects, detail, fix, and since when.
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.finding.objects.is_empty() {
            let objects: Vec<String> = self
                .finding
                .objects
                .iter()
                .map(|object| format!("{} {}", object.kind, object.name))
                .collect();
            lines.push(format!("Objects: {}", objects.join(", ")));
        }
        if let Some(detail) = &self.finding.detail {
            lines.push(detail.clone());
        }
        match self.state {
            AlertState::Firing => {
                if let Some(fix) = &self.finding.fix {
                    lines.push(format!("Fix: {fix}"));
                }
                lines.push(format!(
                    "Found by `drydock {}` at {}",
                    self.source,
                    time(&self.at)
                ));
            }
            AlertState::Resolved => lines.push(format!(
                "Cleared at {}, first seen at {}",
                time(&self.at),
                time(&self.since)
            )),
        }
        lines
    }

    /// drydock's own shape (`docs/alerts.md`).
    pub fn json(&self) -> Value {
        json!({
            "version": 1,
            "state": self.state,
            "source": self.source,
            "database": self.database,
            "code": self.finding.code,
            "severity": self.finding.severity,
            "title": self.finding.title,
            "objects": self.finding.objects,
            "detail": self.finding.detail,
            "fix": self.finding.fix,
            "since": time(&self.since),
            "at": time(&self.at),
            "text": self.headline(),
        })
    }

    /// A Slack incoming webhook's message: `text` for notifications, a block for the channel.
    pub fn slack(&self) -> Value {
        slack(&self.headline(), &self.lines())
    }

    /// A Teams workflow webhook's message: one Adaptive Card.
    pub fn teams(&self) -> Value {
        teams(&self.headline(), &self.lines())
    }
}

/// A Slack message: the headline in bold over its lines.
fn slack(headline: &str, lines: &[String]) -> Value {
    let mut text = format!("*{headline}*");
    for line in lines {
        text.push('\n');
        text.push_str(line);
    }
    json!({
        "text": headline,
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": text } }],
    })
}

/// A Teams message: an Adaptive Card, the headline over its lines.
fn teams(headline: &str, lines: &[String]) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": true,
        "text": headline,
    })];
    body.extend(
        lines
            .iter()
            .map(|line| json!({ "type": "TextBlock", "wrap": true, "text": line })),
    );
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
            },
        }],
    })
}

/// A notification of something happening now (a deploy starting, ending, a migration still
/// running), sent once to every webhook: not an alert, so nothing is kept about it.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    /// What happened, stable for receivers to route on: `deploy.started`, `deploy.succeeded`,
    /// `deploy.failed`, `migration.running`.
    pub event: &'a str,
    /// The task it is about (`migrate deploy`).
    pub source: &'a str,
    pub database: &'a str,
    pub severity: Severity,
    pub title: &'a str,
    /// Lines under the title: migrations, who, how long, the error.
    pub lines: &'a [String],
    /// Extra members of the JSON shape (`migrations`, `actor`, `error_code`, ...).
    pub facts: &'a Value,
    pub at: DateTime<Utc>,
}

impl Notice<'_> {
    /// `[DEPLOY.STARTED] <database>: <title>`.
    pub fn headline(&self) -> String {
        format!(
            "[{}] {}: {}",
            self.event.to_uppercase(),
            self.database,
            self.title
        )
    }

    /// drydock's own shape (`docs/deploy.md`).
    pub fn json(&self) -> Value {
        let mut value = json!({
            "version": 1,
            "kind": "notification",
            "event": self.event,
            "source": self.source,
            "database": self.database,
            "severity": self.severity,
            "title": self.title,
            "lines": self.lines,
            "at": time(&self.at),
            "text": self.headline(),
        });
        if let (Some(object), Some(facts)) = (value.as_object_mut(), self.facts.as_object()) {
            for (key, fact) in facts {
                object.entry(key.clone()).or_insert_with(|| fact.clone());
            }
        }
        value
    }

    pub fn slack(&self) -> Value {
        slack(&self.headline(), self.lines)
    }

    pub fn teams(&self) -> Value {
        teams(&self.headline(), self.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_has_the_alerts_shapes_with_its_facts() {
        let lines = vec!["Applied: 20240101000000_init".to_owned()];
        let facts = json!({ "migrations": ["20240101000000_init"], "event": "not this one" });
        let notice = Notice {
            event: "deploy.succeeded",
            source: "migrate deploy",
            database: "postgresql://app@db/shop",
            severity: Severity::Info,
            title: "migrate deploy succeeded: applied 1 migration",
            lines: &lines,
            facts: &facts,
            at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        };
        let headline = "[DEPLOY.SUCCEEDED] postgresql://app@db/shop: migrate deploy succeeded: \
                        applied 1 migration";
        let json = notice.json();
        assert_eq!(json["kind"], "notification");
        // A fact never overrides the notice's own fields.
        assert_eq!(json["event"], "deploy.succeeded");
        assert_eq!(json["migrations"][0], "20240101000000_init");
        assert_eq!(json["at"], "2023-11-14T22:13:20Z");
        assert_eq!(json["text"], headline);
        assert_eq!(notice.slack()["text"], headline);
        let card = &notice.teams()["attachments"][0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["body"][0]["text"], headline);
        assert_eq!(card["body"][1]["text"], "Applied: 20240101000000_init");
    }
}
