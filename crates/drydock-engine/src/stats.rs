//! `drydock stats` for a project: the database migrations run on (or `--url`), read through
//! its dialect's [`StatsSource`], with the project's `[stats]` settings.

use drydock_connector::{StatsSource, redact_url};
use drydock_maintenance::{SizeHistory, StatsOptions, StatsReport};
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

/// The report `drydock stats` gives for `project` (no snapshot stored, no alert sent: a look,
/// not a run), and the sizes of the newest `snapshots` stored snapshots, over one session.
pub fn stats_with_history(
    project: &Project,
    url: Option<&str>,
    snapshots: usize,
) -> Result<(StatsReport, SizeHistory), EngineError> {
    let options = stats_options(project, false)?;
    let mut source = open_stats(project, url)?;
    let report =
        drydock_maintenance::stats(source.as_mut(), &options, &|_: drydock_tasks::Event| {})
            .map_err(stats_error)?;
    let history =
        drydock_maintenance::size_history(source.as_mut(), snapshots).map_err(stats_error)?;
    Ok((report, history))
}

fn stats_error(error: drydock_maintenance::StatsError) -> EngineError {
    match error {
        drydock_maintenance::StatsError::Connector(error) => EngineError::from(error),
        other => EngineError::from(drydock_connector::ConnectorError::query(other.to_string())),
    }
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
        drydock_maintenance::stats(source.as_mut(), options, events).map_err(stats_error)?;
    // The findings go to `[alerts]` webhooks; trouble sending them never fails the report.
    if let Err(error) = crate::send_alerts(project, url, "stats", &report.findings, events) {
        events.warning(&format!("the alerts were not sent: {error}"));
    }
    Ok(report)
}
