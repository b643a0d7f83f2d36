//! `migrate rebase`: move a migration nobody applied after the newest one (typically the other
//! branch's migration after a merge), a new timestamp in its folder name, its name kept (or
//! changed). Its SQL is checked on a shadow database: the other migrations replayed, then it; when
//! it fails there, or the result is not the schema, it is generated again from the difference
//! between the others' replay and the schema, as `migrate dev --create-only` would.

use drydock_migrate::{self as history, LocalMigration};
use drydock_tasks::{Event, Events};
use serde::Serialize;

use crate::source::with_replayed_shadow;
use crate::{EngineError, Project};

#[derive(Debug, Clone, Default)]
pub struct RebaseOptions {
    /// The migration: its folder name, or its name without the timestamp when only one folder
    /// has it.
    pub migration: String,
    /// A new name (slugified as `migrate dev --name` does); the old one is kept otherwise.
    pub name: Option<String>,
    /// The database whose history must not have it, instead of the project's.
    pub url: Option<String>,
}

/// What happened to the migration's SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "sql", rename_all = "snake_case")]
pub enum RebasedSql {
    /// Replayed after the others it gives the schema: kept as written.
    Kept,
    /// Generated again from the others' replay to the schema.
    Regenerated {
        /// Why the SQL as written would not do.
        reason: String,
        /// The change, as a unified diff of `migration.sql`.
        diff: String,
        /// A `down.sql` removed: it undid the old SQL.
        down_removed: bool,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct RebaseOutcome {
    /// The folder name before.
    pub from: String,
    /// The folder name now.
    pub to: String,
    #[serde(flatten)]
    pub sql: RebasedSql,
}

impl RebaseOutcome {
    /// `moved 20240101_a to 20240301_a, SQL kept`.
    pub fn summary(&self) -> String {
        let sql = match self.sql {
            RebasedSql::Kept => "SQL kept",
            RebasedSql::Regenerated { .. } => "SQL generated again",
        };
        format!("moved {} to {}, {sql}", self.from, self.to)
    }
}

/// Move the migration `options` names after every other one and check its SQL (see the module
/// comment). Errors: D3137 (no such migration), D3136 (the database has recorded it), P3006 (the
/// other migrations do not replay), connection errors.
pub fn rebase(
    project: &Project,
    options: &RebaseOptions,
    events: &dyn Events,
) -> Result<RebaseOutcome, EngineError> {
    let dialect = project.dialect;
    let dir = &project.migrations_dir;
    let local = history::list_migrations(dir)?;
    let migration =
        find(&local, &options.migration).ok_or_else(|| EngineError::RebaseNotFound {
            name: options.migration.clone(),
            dir: dir.clone(),
        })?;
    let (url, mut connection) = super::connect(
        project,
        options.url.as_deref(),
        super::Missing::Create,
        events,
    )?;
    if connection.history_table_exists()? {
        let recorded = connection
            .read_history()?
            .into_iter()
            .any(|row| row.migration_name == migration.name && row.rolled_back_at.is_none());
        if recorded {
            return Err(EngineError::RebaseApplied {
                name: migration.name.clone(),
            });
        }
    }
    drop(connection);
    events.event(Event::Counts {
        examined: local.len() as u64,
        affected: 0,
    });

    let others: Vec<LocalMigration> = local
        .iter()
        .filter(|m| m.name != migration.name)
        .cloned()
        .collect();
    let others_names: Vec<String> = others.iter().map(|m| m.name.clone()).collect();
    let (_, old_name) = history::split_folder_name(&migration.name);
    let name = options.name.as_deref().unwrap_or(old_name);
    let to = history::new_migration_folder_name(&others_names, name, chrono::Utc::now())?;

    let target = project.target_schema(Some(&url))?;
    let namespaces = project.namespaces();
    let shadow_url = project.shadow_url()?;
    let regenerated = with_replayed_shadow(
        dialect,
        &others,
        &url,
        shadow_url.as_deref(),
        &namespaces,
        |shadow, before| {
            let reason = match crate::migrate_dev::run_script(
                dialect,
                shadow,
                migration.executable_script(),
            ) {
                Err(error) => format!(
                    "it fails when replayed after the other migrations: {}",
                    error.message
                ),
                Ok(()) => {
                    let after = shadow.introspect(&namespaces)?;
                    let left = drydock_diff::diff(&after, &target, dialect.diff_hooks());
                    if left.changes.is_empty() {
                        return Ok(None);
                    }
                    format!(
                        "replayed after the other migrations, it leaves {} change(s) between \
                         the database and the schema",
                        left.changes.len()
                    )
                }
            };
            let diff = drydock_diff::diff(&before, &target, dialect.diff_hooks());
            let reason = if diff.changes.is_empty() {
                format!(
                    "{reason}; the other migrations already make its changes, so it is left \
                     empty: delete its folder unless a database applied it under its old name"
                )
            } else {
                reason
            };
            Ok(Some((
                reason,
                crate::migrate_dev::render_with_notes(dialect, &diff),
            )))
        },
    )?;

    let io = |what: &std::path::Path, source| {
        EngineError::Connector(drydock_connector::ConnectorError::Io {
            context: format!("can't write `{}`", what.display()),
            source,
        })
    };
    let folder = dir.join(&to);
    let sql = match regenerated {
        None => RebasedSql::Kept,
        Some((reason, script)) => {
            let diff = similar::TextDiff::from_lines(&migration.script, &script)
                .unified_diff()
                .context_radius(3)
                .header(&migration.name, &to)
                .to_string();
            events.info(&format!(
                "`{}` is generated again: {reason}. The new `migration.sql`:",
                migration.name
            ));
            super::info_lines(events, &diff);
            let file = migration.path.join(history::MIGRATION_FILE_NAME);
            std::fs::write(&file, &script).map_err(|e| io(&file, e))?;
            let down = migration.down_path();
            if let Some(down) = &down {
                std::fs::remove_file(down).map_err(|e| io(down, e))?;
            }
            RebasedSql::Regenerated {
                reason,
                diff,
                down_removed: down.is_some(),
            }
        }
    };
    std::fs::rename(&migration.path, &folder).map_err(|e| io(&folder, e))?;
    crate::conflicts::folders_written(project)?;
    events.event(Event::Counts {
        examined: local.len() as u64,
        affected: 1,
    });
    Ok(RebaseOutcome {
        from: migration.name.clone(),
        to,
        sql,
    })
}

/// The migration `wanted` names: a folder name, or the name after the timestamp of exactly one
/// folder.
fn find<'a>(local: &'a [LocalMigration], wanted: &str) -> Option<&'a LocalMigration> {
    if let Some(exact) = local.iter().find(|m| m.name == wanted) {
        return Some(exact);
    }
    let mut by_name = local
        .iter()
        .filter(|m| history::split_folder_name(&m.name).1 == wanted);
    match (by_name.next(), by_name.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}
