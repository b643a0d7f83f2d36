//! `drydock check` for a project: its settings (`[check]`, `[check.values]`, `[[rules]]`), its
//! schema lowered and its database introspected, handed to [`drydock_maintenance::check`].

use std::path::PathBuf;

use drydock_maintenance::{CheckError, CheckOptions, CheckReport};
use drydock_tasks::Events;

use crate::{EngineError, Project, SETTINGS_FILE, Settings};

/// Check the database of `project` (`url` overrides the project's), reporting only the codes
/// in `only` when it names any.
pub fn check(
    project: &Project,
    url: Option<&str>,
    only: Vec<String>,
    events: &dyn Events,
) -> Result<CheckReport, EngineError> {
    let settings = Settings::load(project)?;
    let url = project.migration_url(url)?;
    let schema = project.target_schema(Some(&url))?;
    events.info(&format!(
        "connecting to {}",
        drydock_connector::redact_url(&url)
    ));
    let mut connection = project.dialect.connect(&url)?;
    let namespaces = project.namespaces();
    let live = connection.introspect(&namespaces)?;
    let options = CheckOptions {
        thresholds: settings.check.thresholds,
        values: settings.check.values.clone(),
        rules: settings.rules.clone(),
        only,
        namespaces,
    };
    let mut report =
        drydock_maintenance::check(connection.as_mut(), &schema, &live, &options, events).map_err(
            |error| match error {
                CheckError::Connector(error) => EngineError::Connector(error),
                CheckError::Setting(message) => EngineError::Settings {
                    path: settings
                        .path
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(SETTINGS_FILE)),
                    message,
                },
            },
        )?;
    // Orphans of the schema's relations (`D6101`, `D6102`), counted as `drydock cleanup` does,
    // foreign keys or not.
    let wanted = |code: &str| options.only.is_empty() || options.only.iter().any(|c| c == code);
    if let Some(sql) = project.dialect.cleanup_sql()
        && (wanted(drydock_maintenance::ORPHANS) || wanted(drydock_maintenance::RELATION_MISSING))
    {
        let relations = project.relations(Some(&url));
        let orphans = drydock_maintenance::orphan_findings(
            connection.as_mut(),
            sql,
            &options.namespaces,
            &relations,
        )?;
        report
            .findings
            .extend(orphans.into_iter().filter(|finding| wanted(&finding.code)));
    }
    // Each finding as a line of the run's log: pages read the latest run's findings from it.
    for finding in &report.findings {
        events.info(&finding.log_line());
    }
    // The findings go to `[alerts]` webhooks; trouble sending them never fails the check.
    let alerts = settings.alert_settings().and_then(|alerts| {
        let codes = (!options.only.is_empty()).then_some(options.only.as_slice());
        crate::send_alerts_with(
            project,
            Some(&url),
            "check",
            &report.findings,
            codes,
            &alerts,
            events,
        )
    });
    if let Err(error) = alerts {
        events.warning(&format!("the alerts were not sent: {error}"));
    }
    Ok(report)
}
