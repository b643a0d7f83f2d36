//! `migrate squash`: replace a range of applied migrations with one migration whose result is
//! identical, checked on shadow databases, and update the history so nothing runs twice.

use drydock_connector::render_script;
use drydock_migrate::LocalMigration;
use serde::Serialize;

use crate::source::{replay_migrations, with_replayed_shadow};
use crate::summary::summarize;
use crate::{EngineError, Project};

#[derive(Debug, Clone, Default)]
pub struct SquashOptions {
    /// First migration of the range; the first migration of the folder when `None`.
    pub from: Option<String>,
    /// Last migration of the range; the squashed migration takes its name (and place).
    pub to: String,
    /// The folder already holds the squashed migration (it came from version control): only
    /// record the squash in this database's history.
    pub history_only: bool,
    /// Overrides the datasource URL.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SquashOutcome {
    /// The migrations the squashed one replaces, in order (the last keeps its name).
    pub replaced: Vec<String>,
    pub squashed: String,
    /// What taking the migration lock took, one line each.
    pub lock_notes: Vec<String>,
}

pub fn squash(project: &Project, options: &SquashOptions) -> Result<SquashOutcome, EngineError> {
    let dialect = project.dialect;
    let dir = &project.migrations_dir;
    let url = project.migration_url(options.url.as_deref())?;
    let shadow_url = project.shadow_url()?;
    let namespaces = project.namespaces();
    let mut connection = dialect.connect(&url)?;

    if options.history_only {
        // The replaced folders are gone: take the range from the history.
        let status = drydock_migrate::status(connection.as_mut(), dir)?;
        let in_range = |name: &str| {
            options.from.as_deref().is_none_or(|from| name >= from) && name <= options.to.as_str()
        };
        let mut replaced: Vec<String> = status
            .missing_locally
            .iter()
            .filter(|name| in_range(name))
            .cloned()
            .collect();
        replaced.push(options.to.clone());
        replaced.sort();
        let lock_notes =
            drydock_migrate::record_squash(connection.as_mut(), dir, &replaced, &options.to)?;
        return Ok(SquashOutcome {
            replaced,
            squashed: options.to.clone(),
            lock_notes,
        });
    }

    let local = drydock_migrate::list_migrations(dir)?;
    let position = |name: &str| {
        local.iter().position(|m| m.name == name).ok_or_else(|| {
            EngineError::Usage(format!(
                "`{name}` is not a migration in `{}`",
                dir.display()
            ))
        })
    };
    let first = match &options.from {
        Some(from) => position(from)?,
        None => 0,
    };
    let last = position(&options.to)?;
    if first >= last {
        return Err(EngineError::Usage(
            "a squash needs at least two migrations: `--from` must come before `--to`".to_owned(),
        ));
    }
    let before = &local[..first];
    let range = &local[first..=last];
    let after = &local[last + 1..];
    refuse_data_statements(dialect, range)?;

    let start = replay_migrations(dialect, before, &url, shadow_url.as_deref(), &namespaces)?;
    let end = replay_migrations(
        dialect,
        &local[..=last],
        &url,
        shadow_url.as_deref(),
        &namespaces,
    )?;
    let up = drydock_diff::diff(&start, &end, dialect.diff_hooks());
    let down = drydock_diff::diff(&end, &start, dialect.diff_hooks());
    let up_script = render_script(dialect, &up.changes, &up.warnings);
    let down_script = render_script(dialect, &down.changes, &down.warnings);
    check_squash(
        project,
        &url,
        shadow_url.as_deref(),
        &local,
        before,
        after,
        &up_script,
    )?;

    // The squashed migration takes the place (and name) of the last one of the range.
    let target = &local[last];
    let write = |file: &str, text: &str| {
        std::fs::write(target.path.join(file), text).map_err(|source| {
            EngineError::Connector(drydock_connector::ConnectorError::Io {
                context: format!("can't write `{}`", target.path.join(file).display()),
                source,
            })
        })
    };
    write(drydock_migrate::MIGRATION_FILE_NAME, &up_script)?;
    write(drydock_migrate::DOWN_FILE_NAME, &down_script)?;
    let replaced: Vec<String> = range.iter().map(|m| m.name.clone()).collect();
    let lock_notes =
        drydock_migrate::record_squash(connection.as_mut(), dir, &replaced, &target.name)?;
    for migration in &range[..range.len() - 1] {
        std::fs::remove_dir_all(&migration.path).map_err(|source| {
            EngineError::Connector(drydock_connector::ConnectorError::Io {
                context: format!("can't remove `{}`", migration.path.display()),
                source,
            })
        })?;
    }
    crate::conflicts::folders_written(project)?;
    Ok(SquashOutcome {
        replaced,
        squashed: target.name.clone(),
        lock_notes,
    })
}

/// Statements that change data would be lost from new databases by a squash (it keeps the
/// schema only), so a range holding any is refused.
fn refuse_data_statements(
    dialect: &dyn drydock_connector::Dialect,
    range: &[LocalMigration],
) -> Result<(), EngineError> {
    const DATA_STATEMENTS: [&str; 5] = ["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"];
    let with_data: Vec<&str> = range
        .iter()
        .filter(|migration| {
            let script = migration.executable_script();
            drydock_connector::sql_scan::statements(script, dialect.lexical_rules())
                .iter()
                .any(|statement| {
                    let first = statement
                        .words
                        .first()
                        .map(String::as_str)
                        .unwrap_or_default();
                    // Rebuilding a table copies its rows into `"new_<table>"`: no data change.
                    let copies_a_rebuilt_table = first == "INSERT"
                        && script[statement.range.clone()].contains("INSERT INTO \"new_");
                    DATA_STATEMENTS.contains(&first) && !copies_a_rebuilt_table
                })
        })
        .map(|migration| migration.name.as_str())
        .collect();
    if with_data.is_empty() {
        return Ok(());
    }
    Err(EngineError::Usage(format!(
        "these migrations change data, which a squash (schema only) would drop for new \
         databases: {}. Squash a range without them, or move the data changes to a seed",
        with_data.join(", ")
    )))
}

/// Replaying `before`, the squashed script and `after` must give what the whole history gives.
fn check_squash(
    project: &Project,
    url: &str,
    shadow_url: Option<&str>,
    all: &[LocalMigration],
    before: &[LocalMigration],
    after: &[LocalMigration],
    squashed: &str,
) -> Result<(), EngineError> {
    let dialect = project.dialect;
    let namespaces = project.namespaces();
    let expected = replay_migrations(dialect, all, url, shadow_url, &namespaces)?;
    let actual = with_replayed_shadow(
        dialect,
        before,
        url,
        shadow_url,
        &namespaces,
        |shadow, _| {
            shadow
                .execute_script(squashed)
                .map_err(|e| EngineError::ShadowReplay {
                    migration: "the squashed migration".to_owned(),
                    message: e.message,
                })?;
            for migration in after {
                shadow
                    .execute_script(migration.executable_script())
                    .map_err(|e| EngineError::ShadowReplay {
                        migration: migration.name.clone(),
                        message: e.message,
                    })?;
            }
            Ok(shadow.introspect(&namespaces)?)
        },
    )?;
    let difference = drydock_diff::diff(&expected, &actual, dialect.diff_hooks());
    if difference.is_empty() {
        return Ok(());
    }
    Err(EngineError::Usage(format!(
        "the squashed migration would not reproduce the history (the range holds changes the \
         schema model does not describe, such as data changes or views); nothing was changed. \
         It would differ by:\n{}",
        summarize(&difference.changes)
    )))
}
