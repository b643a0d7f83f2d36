//! Project settings: `drydock.toml` in the project folder (the working folder, or the folder
//! above the schema's `prisma/` folder). Everything in it is optional; a missing file is the
//! defaults.
//!
//! ```toml
//! [backup]
//! dir = "backups"            # where backups go (relative to the file)
//! before_deploy = true       # `migrate deploy` backs up first, as with `--backup`
//!
//! [deploy]
//! require_approval = true    # `migrate deploy` as with `--require-approval` (docs/serve.md)
//! notify = true              # deploy start, success and failure to the alert webhooks
//! notify_after = "5m"        # and a migration still running after this long (docs/deploy.md)
//!
//! [lint]
//! deployed_by = "prisma"     # who applies the migrations: "drydock" (default; it sets the lock
//!                            # timeouts itself) or "prisma" (each file must set its own)
//! baseline = "prisma/lint-baseline.json"  # findings accepted as they are (docs/lint/README.md)
//!
//! [migrations]
//! integrity_file = true      # keep `drydock.sum` in the migrations folder (docs/conflicts.md)
//!
//! [state]                    # where the run log goes (docs/runs.md); default: with the
//! url = "env(\"STATE_URL\")"   # database migrations run on. A URL, or env("VAR")
//!
//! [[schedule]]               # a job `drydock schedule` and `drydock serve` run (docs/schedule.md)
//! name = "nightly backup"
//! cron = "0 3 * * *"         # 5 fields, or 6 with seconds first; always UTC
//! run = "backup create"      # drydock's arguments, split like a shell would (no shell runs)
//! catch_up = true            # serve: run once after due times nobody ran; default: skip them
//! timeout = "30m"            # serve: a longer run is reported and alerts; default: none
//! kill_on_timeout = true     # serve: and is stopped; default: left to finish
//!
//! [alerts]                   # findings sent to webhooks (docs/alerts.md)
//! min_severity = "warning"   # info, warning or error
//! repeat = "24h"             # send a lasting alert again this often; default: once
//! slow_migration = "10m"     # a migration that runs longer alerts (the default)
//!
//! [[alerts.webhooks]]
//! url = "env(\"SLACK_WEBHOOK_URL\")"  # a URL, or env("VAR")
//! format = "slack"           # json (default), slack or teams
//! min_severity = "error"     # this receiver only takes these; default: [alerts] min_severity
//!
//! [check]                    # thresholds of `drydock check` (docs/check.md)
//! sequence_percent = 90
//!
//! [check.values]             # the values a String column may hold
//! "User.role" = ["admin", "member"]
//!
//! [[rules]]                  # rows `drydock check` reports and `drydock cleanup` treats
//! name = "order without lines"
//! table = "Order"
//! where = "NOT EXISTS (SELECT 1 FROM \"Line\" l WHERE l.\"orderId\" = \"Order\".id)"
//! severity = "warning"       # info, warning (default) or error
//! cleanup = "delete"         # or { set = "status = 'empty'" }
//!
//! [serve]                    # `drydock serve` (docs/serve.md; `serve_settings.rs`)
//! connections = 4
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use drydock_maintenance::alerts::{AlertSettings, Webhook, WebhookFormat};
use drydock_maintenance::check::Thresholds;
use drydock_maintenance::{CleanupAction, Rule, Severity, ValueSet};
use serde::Deserialize;

use crate::{EngineError, Project};

/// The settings file's name.
pub const SETTINGS_FILE: &str = "drydock.toml";

/// The backup folder when neither `--dir` nor the settings name one.
pub const DEFAULT_BACKUP_DIR: &str = "backups";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The file they came from, when there is one.
    pub path: Option<PathBuf>,
    pub backup: BackupSettings,
    /// `[deploy]`: how `migrate deploy` runs.
    pub deploy: DeploySettings,
    /// `[lint]`: how `drydock lint` reads the project's migrations.
    pub lint: LintSettings,
    /// `[migrations]`: what drydock keeps in the migrations folder.
    pub migrations: MigrationsSettings,
    pub state: StateSettings,
    /// The `[[schedule]]` jobs, in file order.
    pub schedule: Vec<ScheduleJob>,
    pub alerts: AlertsConfig,
    /// `[stats]`: snapshots and thresholds of `drydock stats`.
    pub stats: crate::stats_settings::StatsSettings,
    /// `[check]`: thresholds and declared values of `drydock check`.
    pub check: CheckSettings,
    /// The `[[rules]]`, in file order.
    pub rules: Vec<Rule>,
    /// `[serve]`: how `drydock serve` listens and who may sign in.
    pub serve: crate::serve_settings::ServeSettings,
}

/// `[alerts]` as written: the webhooks' URLs are read (from the environment too) only when an
/// alert is sent, by [`Settings::alert_settings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertsConfig {
    pub min_severity: Severity,
    pub repeat: Option<Duration>,
    /// A migration that runs longer alerts (`D6401`).
    pub slow_migration: Duration,
    pub webhooks: Vec<WebhookConfig>,
}

/// `[alerts] slow_migration` when not set.
pub const DEFAULT_SLOW_MIGRATION: Duration = Duration::from_secs(600);

impl Default for AlertsConfig {
    fn default() -> Self {
        let defaults = AlertSettings::default();
        AlertsConfig {
            min_severity: defaults.min_severity,
            repeat: defaults.repeat,
            slow_migration: DEFAULT_SLOW_MIGRATION,
            webhooks: Vec::new(),
        }
    }
}

/// One `[[alerts.webhooks]]` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// A URL, or `env("VAR")`.
    pub url: String,
    pub format: WebhookFormat,
    pub min_severity: Option<Severity>,
}

/// `[check]`: the thresholds of `drydock check` and the sets of values of `[check.values]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckSettings {
    pub thresholds: Thresholds,
    /// Sorted by field.
    pub values: Vec<ValueSet>,
}

/// `[check]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSection {
    sequence_percent: Option<u32>,
    wraparound_warning_age: Option<i64>,
    wraparound_error_age: Option<i64>,
    stale_statistics_percent: Option<u32>,
    stale_statistics_rows: Option<i64>,
    #[serde(default)]
    values: std::collections::BTreeMap<String, Vec<String>>,
}

/// A `[[rules]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    name: String,
    table: String,
    #[serde(rename = "where")]
    predicate: String,
    severity: Option<String>,
    description: Option<String>,
    cleanup: Option<CleanupEntry>,
}

/// A rule's `cleanup`: `"delete"`, or `{ set = "..." }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CleanupEntry {
    Word(String),
    Update { set: String },
}

/// Check one `[[rules]]` entry.
fn rule(entry: RuleEntry) -> Result<Rule, String> {
    let name = entry.name.trim().to_owned();
    if name.is_empty() {
        return Err("a rule has an empty `name`".to_owned());
    }
    let table = entry.table.trim().to_owned();
    if table.is_empty() {
        return Err(format!("rule `{name}`: `table` is empty"));
    }
    let predicate = entry.predicate.trim().to_owned();
    if predicate.is_empty() {
        return Err(format!(
            "rule `{name}`: `where` is empty: give an SQL condition that selects the bad rows"
        ));
    }
    if predicate.contains(';') {
        return Err(format!(
            "rule `{name}`: `where` holds a `;`: give one SQL condition, not statements"
        ));
    }
    let severity = match entry.severity.as_deref() {
        None => Severity::Warning,
        Some(text) => Severity::parse(text).ok_or_else(|| {
            format!("rule `{name}`: severity `{text}` is not one of info, warning, error")
        })?,
    };
    let cleanup = match entry.cleanup {
        None => None,
        Some(CleanupEntry::Word(word)) if word == "delete" => Some(CleanupAction::Delete),
        Some(CleanupEntry::Word(word)) => {
            return Err(format!(
                "rule `{name}`: cleanup `{word}` is not known: write \"delete\" or \
                 {{ set = \"column = value\" }}"
            ));
        }
        Some(CleanupEntry::Update { set }) => {
            let set = set.trim().to_owned();
            if set.is_empty() || set.contains(';') {
                return Err(format!(
                    "rule `{name}`: cleanup `set` must be one SQL SET list, as in \
                     \"status = 'archived'\""
                ));
            }
            Some(CleanupAction::Update { set })
        }
    };
    Ok(Rule {
        name,
        table,
        predicate,
        severity,
        description: entry.description.filter(|d| !d.trim().is_empty()),
        cleanup,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// Where backups go; relative paths are relative to the settings file.
    pub dir: Option<PathBuf>,
    /// Whether `migrate deploy` takes and checks a backup before applying anything.
    #[serde(default)]
    pub before_deploy: bool,
}

/// `[deploy]`: how `migrate deploy` runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploySettings {
    /// Apply only a pending set approved on the migrations page of `drydock serve`, as with
    /// `--require-approval`.
    #[serde(default)]
    pub require_approval: bool,
    /// Send `migrate deploy`'s start, success and failure to the `[[alerts.webhooks]]`.
    #[serde(default)]
    pub notify: bool,
    /// Send a notice when a migration is still running after this long (`"5m"`); sets
    /// `notify` too.
    #[serde(default, deserialize_with = "optional_duration")]
    pub notify_after: Option<Duration>,
}

impl DeploySettings {
    /// Whether deploys send notifications.
    pub fn notifies(&self) -> bool {
        self.notify || self.notify_after.is_some()
    }
}

/// A duration written as text (`"5m"`, `"90s"`).
fn optional_duration<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(deserializer)?;
    humantime::parse_duration(&text).map(Some).map_err(|e| {
        serde::de::Error::custom(format!(
            "`{text}` is not a duration ({e}): write one like \"5m\" or \"90s\""
        ))
    })
}

/// `[lint]`: how `drydock lint` and the reviews of `migrate dev` read the project's migrations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintSettings {
    /// Who applies the migrations.
    #[serde(default)]
    pub deployed_by: Deployer,
    /// The file of accepted findings; relative paths are relative to the settings file.
    pub baseline: Option<PathBuf>,
}

/// Who applies a project's migrations, which decides whether each file must set its own lock
/// timeout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deployer {
    /// `drydock migrate deploy`, which sets `lock_timeout` (`lock_wait_timeout`) itself.
    #[default]
    Drydock,
    /// `prisma migrate deploy` or anything else that runs the files as they are.
    Prisma,
}

/// `[migrations]`: what drydock keeps in the migrations folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationsSettings {
    /// Keep the integrity file `drydock.sum` (docs/conflicts.md): commands that write
    /// migrations create it when missing; without this, they update it only when it exists.
    #[serde(default)]
    pub integrity_file: bool,
}

/// Where drydock keeps its own records (the run log).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateSettings {
    /// The database that keeps the run log, as written: a URL, or `env("VAR")` for one read
    /// from the environment. `None`: the database migrations run on keeps it.
    pub url: Option<String>,
}

/// One `[[schedule]]` job: a drydock command line run on a cron schedule, in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleJob {
    pub name: String,
    /// The cron expression as written.
    pub cron: String,
    /// The command line as written.
    pub run: String,
    /// `run` split into drydock's arguments.
    pub args: Vec<String>,
    /// Whether `cron` has a seconds field (six fields), which crontab cannot express.
    pub has_seconds: bool,
    /// `catch_up = true`: after due times no instance of `drydock serve` ran, run the job once.
    pub catch_up: bool,
    /// `timeout = "30m"`: a run that lasts longer is reported and alerts.
    pub timeout: Option<Duration>,
    /// `kill_on_timeout = true`: a run past its `timeout` is also stopped.
    pub kill_on_timeout: bool,
    schedule: Cron,
}

impl ScheduleJob {
    /// The first time strictly after `after` at which the job is due; `None` when the expression
    /// never matches again.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule.find_next_occurrence(&after, false).ok()
    }

    /// How many times the job falls due after `after`, up to and including `until`.
    pub fn due_between(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> usize {
        self.schedule
            .iter_after(after)
            .take_while(|at| *at <= until)
            .count()
    }

    /// The next `count` times after `after`.
    pub fn upcoming(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        self.schedule.iter_after(after).take(count).collect()
    }
}

/// A `[[schedule]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleEntry {
    name: String,
    cron: String,
    run: String,
    #[serde(default)]
    catch_up: bool,
    timeout: Option<String>,
    #[serde(default)]
    kill_on_timeout: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    #[serde(default)]
    backup: BackupSettings,
    #[serde(default)]
    deploy: DeploySettings,
    #[serde(default)]
    lint: LintSettings,
    #[serde(default)]
    migrations: MigrationsSettings,
    #[serde(default)]
    state: StateSettings,
    #[serde(default)]
    schedule: Vec<toml::Spanned<ScheduleEntry>>,
    #[serde(default)]
    alerts: AlertsEntry,
    #[serde(default)]
    stats: crate::stats_settings::StatsEntry,
    #[serde(default)]
    check: CheckSection,
    #[serde(default)]
    rules: Vec<toml::Spanned<RuleEntry>>,
    #[serde(default)]
    serve: crate::serve_settings::ServeEntry,
}

/// `[alerts]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsEntry {
    min_severity: Option<toml::Spanned<String>>,
    repeat: Option<toml::Spanned<String>>,
    slow_migration: Option<toml::Spanned<String>>,
    #[serde(default)]
    webhooks: Vec<toml::Spanned<WebhookEntry>>,
}

/// One `[[alerts.webhooks]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookEntry {
    url: String,
    format: Option<String>,
    min_severity: Option<String>,
}

/// A severity as written, or what is wrong with it.
fn severity(text: &str, key: &str) -> Result<Severity, String> {
    Severity::parse(text).ok_or_else(|| {
        format!("`{key} = \"{text}\"` is not a severity: write \"info\", \"warning\" or \"error\"")
    })
}

/// `[alerts]` checked: severities, the repeat interval, each webhook's URL and format.
fn alerts_config(path: &Path, text: &str, entry: AlertsEntry) -> Result<AlertsConfig, EngineError> {
    let mut config = AlertsConfig::default();
    if let Some(written) = entry.min_severity {
        config.min_severity = severity(written.get_ref(), "min_severity").map_err(|message| {
            invalid_at(path, text, written.span(), &format!("[alerts] {message}"))
        })?;
    }
    if let Some(written) = entry.repeat {
        let every = humantime::parse_duration(written.get_ref()).map_err(|e| {
            invalid_at(
                path,
                text,
                written.span(),
                &format!("[alerts] `repeat = \"{}\"` is not a duration ({e}): write one like \"24h\" or \"30m\"", written.get_ref()),
            )
        })?;
        if every < Duration::from_secs(60) {
            return Err(invalid_at(
                path,
                text,
                written.span(),
                "[alerts] `repeat` is shorter than a minute: alerts would flood their receivers",
            ));
        }
        config.repeat = Some(every);
    }
    if let Some(written) = entry.slow_migration {
        config.slow_migration = humantime::parse_duration(written.get_ref()).map_err(|e| {
            invalid_at(
                path,
                text,
                written.span(),
                &format!(
                    "[alerts] `slow_migration = \"{}\"` is not a duration ({e}): write one like \
                     \"10m\"",
                    written.get_ref()
                ),
            )
        })?;
    }
    for written in entry.webhooks {
        let span = written.span();
        let invalid = |message: String| {
            invalid_at(
                path,
                text,
                span.clone(),
                &format!("[[alerts.webhooks]] {message}"),
            )
        };
        let webhook = written.into_inner();
        let format = match webhook.format.as_deref() {
            None => WebhookFormat::Json,
            Some(format) => WebhookFormat::parse(format).ok_or_else(|| {
                invalid(format!(
                    "`format = \"{format}\"` is not one drydock sends: write \"json\", \"slack\" or \"teams\""
                ))
            })?,
        };
        let min_severity = webhook
            .min_severity
            .as_deref()
            .map(|written| severity(written, "min_severity"))
            .transpose()
            .map_err(&invalid)?;
        let url = webhook.url.trim().to_owned();
        if crate::runs::env_name(&url).is_none()
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(
                "`url` is neither an http(s) URL nor `env(\"VAR\")`: write the receiver's URL, or \
                 the name of the environment variable that holds it"
                    .to_owned(),
            ));
        }
        config.webhooks.push(WebhookConfig {
            url,
            format,
            min_severity,
        });
    }
    Ok(config)
}

/// Check one `[[schedule]]` entry: a name, a cron expression that matches some future time, and
/// a command line that splits into drydock arguments.
fn schedule_job(entry: ScheduleEntry) -> Result<ScheduleJob, String> {
    let name = entry.name.trim().to_owned();
    if name.is_empty() {
        return Err("a job has an empty `name`".to_owned());
    }
    // Five or six fields only: croner also takes a year field, which crontab has no room for.
    let parser = CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .build();
    // croner takes an empty list item (`,5`, `1,,2`) as a field matching nothing, and then
    // searches for the next time without end.
    if let Some(field) = entry
        .cron
        .split_whitespace()
        .find(|field| field.split(',').any(str::is_empty))
    {
        return Err(format!(
            "job `{name}`: cron expression `{}` is not valid: the field `{field}` has an empty \
             item in its list",
            entry.cron
        ));
    }
    let schedule = parser.parse(&entry.cron).map_err(|e| {
        format!(
            "job `{name}`: cron expression `{}` is not valid: {e}",
            entry.cron
        )
    })?;
    if schedule.find_next_occurrence(&Utc::now(), false).is_err() {
        return Err(format!(
            "job `{name}`: cron expression `{}` never matches a future time",
            entry.cron
        ));
    }
    let args = shlex::split(&entry.run).ok_or_else(|| {
        format!("job `{name}`: `run` has an unclosed quote or a trailing backslash")
    })?;
    match args.first().map(String::as_str) {
        None => {
            return Err(format!(
                "job `{name}`: `run` is empty: give a drydock command"
            ));
        }
        Some("drydock") => {
            return Err(format!(
                "job `{name}`: `run` starts with `drydock`: write only its arguments, as in \
                 `run = \"backup create\"`"
            ));
        }
        Some(_) => {}
    }
    let timeout = entry
        .timeout
        .as_deref()
        .map(|written| match humantime::parse_duration(written) {
            Ok(timeout) if timeout >= Duration::from_secs(1) => Ok(timeout),
            Ok(_) => Err(format!(
                "job `{name}`: `timeout = \"{written}\"` is shorter than a second"
            )),
            Err(e) => Err(format!(
                "job `{name}`: `timeout = \"{written}\"` is not a duration ({e}): write one \
                 like \"30m\" or \"90s\""
            )),
        })
        .transpose()?;
    if entry.kill_on_timeout && timeout.is_none() {
        return Err(format!(
            "job `{name}`: `kill_on_timeout = true` needs a `timeout`, as in `timeout = \"30m\"`"
        ));
    }
    Ok(ScheduleJob {
        catch_up: entry.catch_up,
        timeout,
        kill_on_timeout: entry.kill_on_timeout,
        has_seconds: entry.cron.split_whitespace().count() == 6,
        name,
        cron: entry.cron,
        run: entry.run,
        args,
        schedule,
    })
}

impl Settings {
    /// The settings of `project`: the first `drydock.toml` in the working folder, the schema's
    /// folder or the folder above it.
    pub fn load(project: &Project) -> Result<Settings, EngineError> {
        let mut candidates = vec![PathBuf::from(SETTINGS_FILE)];
        candidates.push(project.schema_dir.join(SETTINGS_FILE));
        if let Some(parent) = project.schema_dir.parent() {
            candidates.push(parent.join(SETTINGS_FILE));
        }
        match candidates.into_iter().find(|path| path.is_file()) {
            Some(path) => Settings::read(&path),
            None => Ok(Settings::default()),
        }
    }

    /// Read one settings file.
    pub fn read(path: &Path) -> Result<Settings, EngineError> {
        let text = std::fs::read_to_string(path).map_err(|source| EngineError::Settings {
            path: path.to_owned(),
            message: source.to_string(),
        })?;
        Settings::parse(path, &text)
    }

    /// The settings written in `text`, the contents of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Settings, EngineError> {
        let file: SettingsFile = toml::from_str(text).map_err(|error| match error.span() {
            Some(span) => invalid_at(path, text, span, error.message()),
            None => EngineError::Settings {
                path: path.to_owned(),
                message: error.to_string(),
            },
        })?;
        let mut names = HashSet::new();
        let mut schedule = Vec::with_capacity(file.schedule.len());
        for entry in file.schedule {
            let span = entry.span();
            let invalid = |message: String| {
                invalid_at(path, text, span.clone(), &format!("[[schedule]] {message}"))
            };
            let job = schedule_job(entry.into_inner()).map_err(&invalid)?;
            if !names.insert(job.name.clone()) {
                return Err(invalid(format!(
                    "two jobs are named `{}`: names must be unique",
                    job.name
                )));
            }
            schedule.push(job);
        }
        let mut rule_names = HashSet::new();
        let mut rules = Vec::with_capacity(file.rules.len());
        for entry in file.rules {
            let span = entry.span();
            let invalid = |message: String| {
                invalid_at(path, text, span.clone(), &format!("[[rules]] {message}"))
            };
            let rule = rule(entry.into_inner()).map_err(&invalid)?;
            if !rule_names.insert(rule.name.clone()) {
                return Err(invalid(format!(
                    "two rules are named `{}`: names must be unique",
                    rule.name
                )));
            }
            rules.push(rule);
        }
        let section = file.check;
        // The section's header, where its errors point.
        let check_span = text.find("[check").map_or(0..0, |start| {
            start..start + text[start..].find(']').map_or(1, |e| e + 1)
        });
        let defaults = Thresholds::default();
        let thresholds = Thresholds {
            sequence_percent: section
                .sequence_percent
                .unwrap_or(defaults.sequence_percent),
            wraparound_warning_age: section
                .wraparound_warning_age
                .unwrap_or(defaults.wraparound_warning_age),
            wraparound_error_age: section
                .wraparound_error_age
                .unwrap_or(defaults.wraparound_error_age),
            stale_statistics_percent: section
                .stale_statistics_percent
                .unwrap_or(defaults.stale_statistics_percent),
            stale_statistics_rows: section
                .stale_statistics_rows
                .unwrap_or(defaults.stale_statistics_rows),
        };
        if thresholds.sequence_percent > 100 {
            return Err(invalid_at(
                path,
                text,
                check_span,
                "[check] `sequence_percent` is a percentage: give 1 to 100",
            ));
        }
        let mut values = Vec::with_capacity(section.values.len());
        for (field, set) in section.values {
            if field
                .rsplit_once('.')
                .is_none_or(|(t, c)| t.is_empty() || c.is_empty())
            {
                return Err(invalid_at(
                    path,
                    text,
                    check_span,
                    &format!("[check.values] `{field}`: name a field as `Table.column`"),
                ));
            }
            values.push(ValueSet { field, values: set });
        }
        let mut backup = file.backup;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        backup.dir = backup.dir.map(|dir| base.join(dir));
        let mut lint = file.lint;
        lint.baseline = lint.baseline.map(|baseline| base.join(baseline));
        let alerts = alerts_config(path, text, file.alerts)?;
        Ok(Settings {
            path: Some(path.to_owned()),
            backup,
            deploy: file.deploy,
            lint,
            migrations: file.migrations,
            state: file.state,
            schedule,
            alerts,
            stats: file.stats.settings(path, text)?,
            check: CheckSettings { thresholds, values },
            rules,
            serve: file.serve.settings(path, text)?,
        })
    }

    /// Check each job's arguments with `check` (the binary knows its commands; this crate does
    /// not); a refusal becomes an error naming the file and the job.
    pub fn check_schedule(
        &self,
        check: impl Fn(&ScheduleJob) -> Result<(), String>,
    ) -> Result<(), EngineError> {
        for job in &self.schedule {
            check(job).map_err(|what| EngineError::Settings {
                path: self
                    .path
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(SETTINGS_FILE)),
                message: format!(
                    "[[schedule]] job `{}`: `run = \"{}\"`: {what}",
                    job.name, job.run
                ),
            })?;
        }
        Ok(())
    }

    /// The `[alerts]` to send: each webhook's URL read, from the environment where written as
    /// `env("VAR")`. An error names a variable that is not set (never a URL: it may hold a
    /// token).
    pub fn alert_settings(&self) -> Result<AlertSettings, EngineError> {
        let mut webhooks = Vec::with_capacity(self.alerts.webhooks.len());
        for config in &self.alerts.webhooks {
            let url = match crate::runs::env_name(&config.url) {
                Some(name) => std::env::var(name).map_err(|_| EngineError::Settings {
                    path: self
                        .path
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(SETTINGS_FILE)),
                    message: format!(
                        "[[alerts.webhooks]] `url` reads the environment variable `{name}`, \
                         which is not set: set it, or remove the webhook"
                    ),
                })?,
                None => config.url.clone(),
            };
            let mut webhook = Webhook::new(url, config.format);
            webhook.min_severity = config.min_severity;
            webhooks.push(webhook);
        }
        Ok(AlertSettings {
            min_severity: self.alerts.min_severity,
            repeat: self.alerts.repeat,
            webhooks,
        })
    }

    /// Where backups go: `--dir` when given, else the settings' folder, else `./backups`.
    pub fn backup_dir(&self, flag: Option<&Path>) -> PathBuf {
        flag.map(Path::to_owned)
            .or_else(|| self.backup.dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_BACKUP_DIR))
    }
}

/// The settings file `path` is not valid at the bytes `span` of its `text`: the error shows
/// `path:line:col` and the line, like schema diagnostics.
pub(crate) fn invalid_at(
    path: &Path,
    text: &str,
    span: std::ops::Range<usize>,
    message: &str,
) -> EngineError {
    let files = drydock_diagnostics::Files::single(path.display().to_string(), text);
    let span = drydock_diagnostics::Span::new(drydock_diagnostics::FileId(0), span.start, span.end);
    let rendered = drydock_diagnostics::Diagnostic::error("D1003", message, span)
        .with_help("fix the file there and run the command again")
        .render(&files);
    // The error's own line already says "error [D1003]": the snippet follows the message.
    let rendered = rendered.trim_end();
    EngineError::Settings {
        path: path.to_owned(),
        message: rendered
            .strip_prefix("error[D1003]: ")
            .unwrap_or(rendered)
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cron_list_with_an_empty_item_is_refused_at_once() {
        for cron in [", * * * * *", "1,,2 * * * *", "0 3, * * *"] {
            let text =
                format!("[[schedule]]\nname = \"a\"\ncron = \"{cron}\"\nrun = \"backup create\"\n");
            let error = Settings::parse(Path::new(SETTINGS_FILE), &text).unwrap_err();
            assert!(
                error.to_string().contains("has an empty item in its list"),
                "{error}"
            );
        }
    }

    #[test]
    fn reads_backup_settings_relative_to_the_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(
            &path,
            "[backup]\ndir = \"snapshots\"\nbefore_deploy = true\n",
        )?;
        let settings = Settings::read(&path)?;
        assert!(settings.backup.before_deploy);
        assert_eq!(settings.backup_dir(None), dir.path().join("snapshots"));
        assert_eq!(
            settings.backup_dir(Some(Path::new("elsewhere"))),
            PathBuf::from("elsewhere")
        );
        assert_eq!(
            Settings::default().backup_dir(None),
            PathBuf::from("backups")
        );
        Ok(())
    }

    fn schedule_error(text: &str) -> Result<String, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, text)?;
        let error = Settings::read(&path)
            .err()
            .ok_or("the schedule must be refused")?;
        Ok(error.to_string())
    }

    #[test]
    fn reads_schedule_jobs_in_order() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(
            &path,
            "[backup]\ndir = \"b\"\n\n[[schedule]]\nname = \"nightly\"\ncron = \"0 3 * * *\"\n\
             run = \"backup create\"\n\n[[schedule]]\nname = \"prune\"\ncron = \"30 0 4 * * 0\"\n\
             run = \"backup prune --keep-last '7' --apply\"\n",
        )?;
        let settings = Settings::read(&path)?;
        let names: Vec<&str> = settings.schedule.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["nightly", "prune"]);
        let prune = &settings.schedule[1];
        assert_eq!(
            prune.args,
            ["backup", "prune", "--keep-last", "7", "--apply"]
        );
        assert!(prune.has_seconds);
        assert!(!settings.schedule[0].has_seconds);
        let start = DateTime::parse_from_rfc3339("2026-01-01T03:00:00Z")?.with_timezone(&Utc);
        let next: Vec<String> = settings.schedule[0]
            .upcoming(start, 2)
            .iter()
            .map(|t| t.to_rfc3339())
            .collect();
        assert_eq!(
            next,
            ["2026-01-02T03:00:00+00:00", "2026-01-03T03:00:00+00:00"]
        );
        let later = DateTime::parse_from_rfc3339("2026-01-05T03:00:00Z")?.with_timezone(&Utc);
        assert_eq!(settings.schedule[0].due_between(start, later), 4);
        assert_eq!(settings.schedule[0].due_between(later, later), 0);
        assert_eq!(
            prune.next_after(start).map(|t| t.to_rfc3339()),
            Some("2026-01-04T04:00:30+00:00".to_owned())
        );
        Ok(())
    }

    #[test]
    fn bad_schedule_jobs_are_errors_that_name_the_file_and_job()
    -> Result<(), Box<dyn std::error::Error>> {
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"61 * * * *\"\nrun = \"backup create\"\n",
        )?;
        assert!(
            text.contains("drydock.toml") && text.contains("job `n`"),
            "{text}"
        );
        assert!(text.contains("`61 * * * *` is not valid"), "{text}");
        let text =
            schedule_error("[[schedule]]\nname = \"n\"\ncron = \"0 0 1 1 * 2030\"\nrun = \"x\"\n")?;
        assert!(text.contains("is not valid"), "{text}");
        let text =
            schedule_error("[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \" \"\n")?;
        assert!(text.contains("`run` is empty"), "{text}");
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"backup 'create\"\n",
        )?;
        assert!(text.contains("unclosed quote"), "{text}");
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"drydock backup create\"\n",
        )?;
        assert!(text.contains("starts with `drydock`"), "{text}");
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"a\"\n[[schedule]]\nname = \"n\"\ncron = \"0 4 * * *\"\nrun = \"b\"\n",
        )?;
        assert!(text.contains("two jobs are named `n`"), "{text}");
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"a\"\ntimezone = \"CET\"\n",
        )?;
        assert!(text.contains("timezone"), "{text}");
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"a\"\ntimeout = \"soon\"\n",
        )?;
        assert!(
            text.contains("`timeout = \"soon\"` is not a duration")
                && text.contains("drydock.toml:"),
            "{text}"
        );
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"a\"\ntimeout = \"10ms\"\n",
        )?;
        assert!(text.contains("shorter than a second"), "{text}");
        let text = schedule_error(
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"a\"\nkill_on_timeout = true\n",
        )?;
        assert!(
            text.contains("`kill_on_timeout = true` needs a `timeout`"),
            "{text}"
        );
        Ok(())
    }

    #[test]
    fn serve_reads_catch_up_timeout_and_kill_on_timeout() -> Result<(), Box<dyn std::error::Error>>
    {
        let settings = Settings::parse(
            Path::new(SETTINGS_FILE),
            "[[schedule]]\nname = \"a\"\ncron = \"0 3 * * *\"\nrun = \"check\"\n\
             catch_up = true\ntimeout = \"30m\"\nkill_on_timeout = true\n\n\
             [[schedule]]\nname = \"b\"\ncron = \"0 4 * * *\"\nrun = \"check\"\n",
        )?;
        let (a, b) = (&settings.schedule[0], &settings.schedule[1]);
        assert!(a.catch_up && a.kill_on_timeout);
        assert_eq!(a.timeout, Some(Duration::from_secs(1800)));
        assert!(!b.catch_up && !b.kill_on_timeout && b.timeout.is_none());
        Ok(())
    }

    #[test]
    fn schedule_checks_name_the_job() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(
            &path,
            "[[schedule]]\nname = \"n\"\ncron = \"0 3 * * *\"\nrun = \"bakup\"\n",
        )?;
        let settings = Settings::read(&path)?;
        let error = settings
            .check_schedule(|job| Err(format!("unknown command `{}`", job.args[0])))
            .err()
            .ok_or("the check must fail")?;
        let text = error.to_string();
        assert!(
            text.contains("drydock.toml") && text.contains("job `n`"),
            "{text}"
        );
        assert!(text.contains("unknown command `bakup`"), "{text}");
        Ok(())
    }

    #[test]
    fn reads_check_thresholds_values_and_rules() -> Result<(), Box<dyn std::error::Error>> {
        let text = "[check]\nsequence_percent = 80\n\n[check.values]\n\"User.role\" = [\"a\", \"b\"]\n\n\
                    [[rules]]\nname = \"empty\"\ntable = \"Order\"\nwhere = \"total = 0\"\n\
                    cleanup = \"delete\"\n\n[[rules]]\nname = \"old\"\ntable = \"app.Order\"\n\
                    where = \"created < '2020-01-01'\"\nseverity = \"info\"\n\
                    cleanup = { set = \"archived = true\" }\n";
        let settings = Settings::parse(Path::new(SETTINGS_FILE), text)?;
        assert_eq!(settings.check.thresholds.sequence_percent, 80);
        assert_eq!(
            settings.check.thresholds.wraparound_warning_age,
            Thresholds::default().wraparound_warning_age
        );
        assert_eq!(settings.check.values[0].field, "User.role");
        assert_eq!(settings.check.values[0].values, ["a", "b"]);
        let rules = &settings.rules;
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].severity, Severity::Warning);
        assert_eq!(rules[0].cleanup, Some(CleanupAction::Delete));
        assert_eq!(rules[1].severity, Severity::Info);
        assert_eq!(
            rules[1].cleanup,
            Some(CleanupAction::Update {
                set: "archived = true".to_owned()
            })
        );
        assert_eq!(
            rules[1].cleanup.as_ref().map(|c| c.statement("t", "x = 1")),
            Some("UPDATE t SET archived = true WHERE x = 1;".to_owned())
        );
        Ok(())
    }

    #[test]
    fn bad_rules_are_errors_at_their_place() {
        let rule = |body: &str| format!("[backup]\n\n[[rules]]\n{body}\n");
        for (body, says) in [
            (
                "name = \"r\"\ntable = \"T\"\nwhere = \"\"",
                "`where` is empty",
            ),
            (
                "name = \"r\"\ntable = \"T\"\nwhere = \"a = 1; DROP TABLE T\"",
                "holds a `;`",
            ),
            (
                "name = \"r\"\ntable = \"T\"\nwhere = \"a = 1\"\nseverity = \"fatal\"",
                "severity `fatal`",
            ),
            (
                "name = \"r\"\ntable = \"T\"\nwhere = \"a = 1\"\ncleanup = \"truncate\"",
                "cleanup `truncate` is not known",
            ),
            (
                "name = \"r\"\ntable = \" \"\nwhere = \"a = 1\"",
                "`table` is empty",
            ),
            (
                "name = \"r\"\ntable = \"T\"\nwhere = \"a = 1\"\nlimit = 3",
                "limit",
            ),
        ] {
            let error = Settings::parse(Path::new(SETTINGS_FILE), &rule(body))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains(says), "{body}: {error}");
            // A rule's own mistakes point at its `[[rules]]`, an unknown key at itself.
            let place = if says == "limit" {
                "drydock.toml:7:1"
            } else {
                "drydock.toml:3:1"
            };
            assert!(error.contains(place), "{body}: {error}");
        }
        let twice = "[[rules]]\nname = \"r\"\ntable = \"T\"\nwhere = \"a = 1\"\n\
                     [[rules]]\nname = \"r\"\ntable = \"U\"\nwhere = \"b = 1\"\n";
        let error = Settings::parse(Path::new(SETTINGS_FILE), twice)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("two rules are named `r`"), "{error}");
        let field = "[check.values]\nrole = [\"a\"]\n";
        let error = Settings::parse(Path::new(SETTINGS_FILE), field)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("name a field as `Table.column`") && error.contains("drydock.toml:1:1"),
            "{error}"
        );
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, "[backup]\nbefore_deplyo = true\n")?;
        let error = Settings::read(&path)
            .err()
            .ok_or("a typo must be reported")?;
        let text = error.to_string();
        assert!(text.contains("drydock.toml"), "{text}");
        assert!(text.contains("before_deplyo"), "{text}");
        Ok(())
    }

    #[test]
    fn reads_alert_webhooks_and_reads_their_urls_only_when_sending()
    -> Result<(), Box<dyn std::error::Error>> {
        let path = Path::new("/p/drydock.toml");
        let settings = Settings::parse(
            path,
            "[alerts]\nmin_severity = \"error\"\nrepeat = \"2h\"\n\n[[alerts.webhooks]]\n\
             url = \"env(\\\"DRYDOCK_TEST_UNSET_HOOK\\\")\"\nformat = \"slack\"\n\n\
             [[alerts.webhooks]]\nurl = \"https://example.com/h\"\nmin_severity = \"info\"\n",
        )?;
        assert_eq!(settings.alerts.min_severity, Severity::Error);
        assert_eq!(settings.alerts.repeat, Some(Duration::from_secs(7200)));
        assert_eq!(settings.alerts.webhooks.len(), 2);
        assert_eq!(settings.alerts.webhooks[0].format, WebhookFormat::Slack);
        assert_eq!(settings.alerts.webhooks[1].format, WebhookFormat::Json);
        assert_eq!(
            settings.alerts.webhooks[1].min_severity,
            Some(Severity::Info)
        );
        let error = settings
            .alert_settings()
            .err()
            .ok_or("an unset variable must be reported")?
            .to_string();
        assert!(
            error.contains("DRYDOCK_TEST_UNSET_HOOK") && error.contains("not set"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn bad_alert_settings_are_errors_at_their_place() -> Result<(), Box<dyn std::error::Error>> {
        let path = Path::new("/p/drydock.toml");
        for (text, says) in [
            ("[alerts]\nmin_severity = \"loud\"\n", "is not a severity"),
            ("[alerts]\nrepeat = \"5s\"\n", "shorter than a minute"),
            ("[alerts]\nrepeat = \"often\"\n", "is not a duration"),
            (
                "[[alerts.webhooks]]\nurl = \"https://x\"\nformat = \"pager\"\n",
                "\"json\", \"slack\" or \"teams\"",
            ),
            (
                "[[alerts.webhooks]]\nurl = \"hooks.slack.example\"\n",
                "neither an http(s) URL",
            ),
            (
                "[[alerts.webhooks]]\nurl = \"https://x\"\nmin_severity = \"high\"\n",
                "is not a severity",
            ),
        ] {
            let error = Settings::parse(path, text)
                .err()
                .ok_or_else(|| format!("accepted: {text}"))?
                .to_string();
            assert!(error.contains(says), "{text}: {error}");
            assert!(error.contains("/p/drydock.toml:"), "no place: {error}");
        }
        Ok(())
    }
}
