//! `migrate dev`: bring the development database up to date, then turn the difference between
//! what the migrations produce and what the schema says into a new migration, and apply it.

use std::path::PathBuf;

use drydock_connector::{Warning, render_script};
use drydock_migrate::{DeployEvent, DeployReport};
use serde::Serialize;

use crate::source::replay_migrations;
use crate::summary::summarize;
use crate::{EngineError, Project};

#[derive(Debug, Clone, Default)]
pub struct DevOptions {
    /// The migration's name (slugified); empty gives a folder ending in `_`, as in Prisma.
    pub name: Option<String>,
    /// Write the migration without applying it (also allowed with no changes: an empty one).
    pub create_only: bool,
    /// Apply changes that lose data without asking.
    pub accept_data_loss: bool,
    /// Overrides the datasource URL.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DevOutcome {
    /// The development database did not exist and was created.
    pub database_created: bool,
    /// Pending migrations of the folder applied before diffing.
    pub applied_pending: Vec<String>,
    /// The new migration folder, when one was written.
    pub created: Option<PathBuf>,
    /// Whether the new migration was applied (false with `--create-only`).
    pub applied_new: bool,
    /// Destructive-change warnings of the new migration.
    pub warnings: Vec<Warning>,
}

/// Run `migrate dev` for `project`. `consent` is asked when the new migration loses data and
/// `accept_data_loss` is off; `progress` sees each migration applied.
pub fn migrate_dev(
    project: &Project,
    options: &DevOptions,
    consent: &mut dyn FnMut(&[Warning]) -> bool,
    progress: &mut dyn FnMut(DeployEvent<'_>),
) -> Result<DevOutcome, EngineError> {
    let dialect = project.dialect;
    let url = project.migration_url(options.url.as_deref())?;
    let shadow_url = project.shadow_url()?;
    let dir = &project.migrations_dir;
    let namespaces = project.namespaces();
    drydock_migrate::check_provider(dir, dialect.provider())?;

    let database_created = dialect.create_database(&url)?;
    let mut connection = dialect.connect(&url)?;
    let status = drydock_migrate::status(connection.as_mut(), dir)?;
    if let Some(failed) = status.failed.first() {
        return Err(EngineError::ResetNeeded {
            reason: format!("The migration `{}` failed to apply.", failed.name),
        });
    }
    if let Some(edited) = status.edited_after_applied.first() {
        return Err(EngineError::ResetNeeded {
            reason: format!("The migration `{edited}` was modified after it was applied."),
        });
    }
    if !status.missing_locally.is_empty() {
        return Err(EngineError::ResetNeeded {
            reason: format!(
                "The migrations recorded in the database are missing from the migrations \
                 folder: {}.",
                status.missing_locally.join(", ")
            ),
        });
    }

    let migrations_state =
        replay_migrations(dialect, dir, &url, shadow_url.as_deref(), &namespaces)?;
    let DeployReport { applied, .. } =
        drydock_migrate::deploy(dialect, connection.as_mut(), dir, progress)?;
    let applied_pending: Vec<String> = applied.into_iter().map(|m| m.name).collect();

    let live = connection.introspect(&namespaces)?;
    let drift = drydock_diff::diff(&migrations_state, &live, dialect.diff_hooks());
    if !drift.is_empty() {
        return Err(EngineError::ResetNeeded {
            reason: format!(
                "Drift detected: the database schema is not in sync with the migration history.\n\
                 The database differs from what the migrations produce by:\n{}",
                summarize(&drift.changes)
            ),
        });
    }

    let target = project.target_schema()?;
    let diff = drydock_diff::diff(&migrations_state, &target, dialect.diff_hooks());
    if diff.is_empty() && !options.create_only {
        return Ok(DevOutcome {
            database_created,
            applied_pending,
            created: None,
            applied_new: false,
            warnings: Vec::new(),
        });
    }
    let data_loss: Vec<Warning> = diff
        .warnings
        .iter()
        .filter(|w| w.is_data_loss())
        .cloned()
        .collect();
    if !data_loss.is_empty()
        && !options.accept_data_loss
        && !options.create_only
        && !consent(&diff.warnings)
    {
        return Err(EngineError::DataLossNotAccepted {
            warnings: diff
                .warnings
                .iter()
                .map(|w| format!("  - {}", w.message))
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }

    let existing: Vec<String> = drydock_migrate::list_migrations(dir)?
        .into_iter()
        .map(|m| m.name)
        .collect();
    let folder_name = drydock_migrate::new_migration_folder_name(
        &existing,
        options.name.as_deref().unwrap_or_default(),
        chrono::Utc::now(),
    )?;
    let folder = dir.join(&folder_name);
    let script = render_script(dialect, &diff.changes, &diff.warnings);
    write_migration(&folder, &script)?;
    drydock_migrate::write_lock_file(dir, dialect.provider())?;

    let applied_new = if options.create_only {
        false
    } else {
        drydock_migrate::deploy(dialect, connection.as_mut(), dir, progress)?;
        true
    };
    Ok(DevOutcome {
        database_created,
        applied_pending,
        created: Some(folder),
        applied_new,
        warnings: diff.warnings,
    })
}

fn write_migration(folder: &std::path::Path, script: &str) -> Result<(), EngineError> {
    let io = |source| {
        EngineError::Connector(drydock_connector::ConnectorError::Io {
            context: format!("can't write the migration `{}`", folder.display()),
            source,
        })
    };
    std::fs::create_dir_all(folder).map_err(io)?;
    std::fs::write(folder.join(drydock_migrate::MIGRATION_FILE_NAME), script).map_err(io)
}
