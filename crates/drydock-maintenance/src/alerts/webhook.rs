//! Sending a message to a webhook: an HTTP POST of JSON, retried a bounded number of times.

use std::time::Duration;

use super::payload::{Message, Notice};
use crate::Severity;

/// The shape a receiver takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// drydock's own JSON (`docs/alerts.md`).
    Json,
    Slack,
    Teams,
}

impl WebhookFormat {
    pub fn parse(text: &str) -> Option<WebhookFormat> {
        match text {
            "json" => Some(WebhookFormat::Json),
            "slack" => Some(WebhookFormat::Slack),
            "teams" => Some(WebhookFormat::Teams),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Json => "json",
            WebhookFormat::Slack => "slack",
            WebhookFormat::Teams => "teams",
        }
    }
}

/// One `[[alerts.webhooks]]` receiver. Its URL often carries a token (Slack's and Teams' do):
/// it is never shown, only its scheme and host ([`Webhook::describe`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub format: WebhookFormat,
    /// Findings below it are not sent here; `None`: the `[alerts]` one.
    pub min_severity: Option<Severity>,
    /// Tries in all before a message counts as not delivered.
    pub attempts: u32,
    /// Each try's time limit.
    pub timeout: Duration,
    /// The wait before the second try; doubled before each further one.
    pub backoff: Duration,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.describe())
            .field("format", &self.format)
            .field("min_severity", &self.min_severity)
            .finish_non_exhaustive()
    }
}

impl Webhook {
    /// A webhook at `url` taking `format`, with the default retries.
    pub fn new(url: String, format: WebhookFormat) -> Webhook {
        Webhook {
            url,
            format,
            min_severity: None,
            attempts: 3,
            timeout: Duration::from_secs(10),
            backoff: Duration::from_secs(1),
        }
    }

    /// `slack webhook at https://hooks.slack.com`: the URL without its path, query or user.
    pub fn describe(&self) -> String {
        let (scheme, rest) = self.url.split_once("://").unwrap_or(("", &self.url));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        format!("{} webhook at {scheme}://{host}", self.format.as_str())
    }

    /// POST `message` in this webhook's shape; retried on a failure to connect, a time-out, a
    /// 429 or a 5xx answer. The error says why the last try failed, without the URL.
    pub fn send(&self, message: &Message<'_>) -> Result<(), String> {
        self.post(match self.format {
            WebhookFormat::Json => message.json(),
            WebhookFormat::Slack => message.slack(),
            WebhookFormat::Teams => message.teams(),
        })
    }

    /// POST `notice` in this webhook's shape, retried as [`Webhook::send`] retries.
    pub fn send_notice(&self, notice: &Notice<'_>) -> Result<(), String> {
        self.post(match self.format {
            WebhookFormat::Json => notice.json(),
            WebhookFormat::Slack => notice.slack(),
            WebhookFormat::Teams => notice.teams(),
        })
    }

    fn post(&self, body: serde_json::Value) -> Result<(), String> {
        let body = body.to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut wait = self.backoff;
        let mut last = String::new();
        for attempt in 1..=self.attempts.max(1) {
            if attempt > 1 {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            match agent
                .post(&self.url)
                .header("Content-Type", "application/json")
                .send(body.as_bytes())
            {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if (200..300).contains(&status) {
                        return Ok(());
                    }
                    last = format!("it answered HTTP {status}");
                    if status != 429 && status < 500 {
                        break;
                    }
                }
                Err(error) => last = self.without_url(&error.to_string()),
            }
        }
        Err(format!("{last} (after {} tries)", self.attempts.max(1)))
    }

    /// `text` with this webhook's URL, which may hold a token, cut out.
    fn without_url(&self, text: &str) -> String {
        text.replace(&self.url, "<webhook URL>")
    }
}
