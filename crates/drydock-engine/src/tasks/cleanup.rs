//! `drydock cleanup` for a project: the options it runs with, whoever starts it (the CLI, the
//! server), built from the project's schema, namespaces and `[[rules]]`.

use drydock_maintenance::CleanupOptions;

use crate::{EngineError, Project, Settings};

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
