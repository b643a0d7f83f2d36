//! `drydock cleanup` for a project: the options it runs with, whoever starts it (the CLI, the
//! server), built from the project's schema, namespaces and `[[rules]]`.

use drydock_maintenance::{CleanupError, CleanupOptions, CleanupOutcome};
use drydock_tasks::Events;

use crate::audit::{self, AuditedChange};
use crate::{EngineError, Project, Settings};

/// Run `drydock cleanup` with `options` on `project`'s database; an `--apply` that changed rows
/// (or failed) gets its audit entry.
pub fn run(
    project: &Project,
    options: &CleanupOptions,
    events: &dyn Events,
) -> Result<CleanupOutcome, CleanupError> {
    let started = std::time::Instant::now();
    let result = drydock_maintenance::cleanup(project.dialect, options, events);
    let changed = match &result {
        Ok(outcome) => outcome.applied && outcome.affected > 0,
        Err(_) => options.apply,
    };
    if changed {
        let mut change = AuditedChange::new("cleanup --apply");
        change.started = started;
        if let Ok(outcome) = &result {
            change.target = Some(outcome.summary());
            change
                .extra
                .push(("rows", serde_json::json!(outcome.affected)));
            if let Some(archive) = &outcome.archive {
                change
                    .extra
                    .push(("archive", serde_json::json!(archive.id)));
            }
        }
        let error = result.as_ref().err().map(|e| (e.code(), e.to_string()));
        audit::record(project.dialect, &options.url, change, error, events);
    }
    result
}

/// The options `drydock cleanup` starts from for `project` (`url` overrides its database): the
/// schema's relations, the namespaces and the rules of `drydock.toml`; a dry run of every
/// relation and rule, with the default batch size, lock timeout and archive folder.
pub fn cleanup_options(
    project: &Project,
    url: Option<&str>,
) -> Result<CleanupOptions, EngineError> {
    let url = project.migration_url(url)?;
    let mut options = CleanupOptions::new(url.clone(), project.relations(Some(&url)));
    options.namespaces = project.namespaces();
    options.rules = Settings::load(project)?.rules;
    Ok(options)
}
