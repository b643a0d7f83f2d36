//! `drydock stats` for a project: the database migrations run on (or `--url`), read through
//! its dialect's [`StatsSource`], with the project's `[stats]` settings.

use drydock_connector::{StatsSource, redact_url};
use drydock_maintenance::{StatsOptions, StatsReport};
use drydock_tasks::Events;

use crate::{EngineError, Project, Settings, dialects};

/// The options `drydock stats` runs with for `project`: its `[stats]` settings, a snapshot
/// stored when `snapshot` is set.
pub fn stats_options(project: &Project, snapshot: bool) -> Result<StatsOptions, EngineError> {
    let settings = Settings::load(project)?.stats;
    Ok(StatsOptions {
        thresholds: settings.thresholds,
        top_queries: settings.top_queries,
        snapshot,
        retention: settings.retention,
        growth_window: settings.growth_window,
        taken_at: None,
    })
}

/// Open the monitoring facts of the database migrations of `project` run on (`url`, from
/// `--url`, overrides the project's).
pub fn open_stats(
    project: &Project,
    url: Option<&str>,
) -> Result<Box<dyn StatsSource>, EngineError> {
    let url = project.migration_url(url)?;
    let dialect = dialects::for_url(&url).ok_or_else(|| {
        EngineError::Usage(format!(
            "no database drydock knows takes the URL `{}`",
            redact_url(&url)
        ))
    })?;
    Ok(dialect.open_stats(&url)?)
}

/// Run `drydock stats` on the database of `project`, and send the alerts its findings call for
/// (docs/alerts.md).
pub fn stats(
    project: &Project,
    url: Option<&str>,
    options: &StatsOptions,
    events: &dyn Events,
) -> Result<StatsReport, EngineError> {
    let mut source = open_stats(project, url)?;
    let report =
        drydock_maintenance::stats(source.as_mut(), options, events).map_err(
            |error| match error {
                drydock_maintenance::StatsError::Connector(error) => EngineError::from(error),
                other => {
                    EngineError::from(drydock_connector::ConnectorError::query(other.to_string()))
                }
            },
        )?;
    // The findings go to `[alerts]` webhooks; trouble sending them never fails the report.
    if let Err(error) = crate::send_alerts(project, url, "stats", &report.findings, events) {
        events.warning(&format!("the alerts were not sent: {error}"));
    }
    Ok(report)
}
