//! Branch conflicts of a project's migrations: the folder checks of `drydock-migrate`'s
//! `conflicts` (same name, same timestamp, the same objects changed on both sides of a
//! conflicted integrity file) with the out-of-order migrations a database's history shows; and
//! the upkeep of the integrity file `drydock.sum` by the commands that write migrations.

use drydock_connector::Connection;
use drydock_migrate::{Conflict, list_migrations};

use crate::settings::Settings;
use crate::{EngineError, Project};

/// Every conflict of the project's migrations folder; with `connection`, also the pending
/// migrations that sort before the newest one its history has applied. In folder order of the
/// first migration involved.
pub fn find_conflicts(
    project: &Project,
    connection: Option<&mut dyn Connection>,
) -> Result<Vec<Conflict>, EngineError> {
    let dir = &project.migrations_dir;
    let local = list_migrations(dir)?;
    let mut conflicts = drydock_migrate::folder_conflicts(&local);
    if let Some(file) = drydock_migrate::read_integrity_file(dir)? {
        conflicts.extend(drydock_migrate::object_conflicts(
            &file,
            &local,
            project.dialect.lexical_rules(),
        ));
    }
    if let Some(connection) = connection
        && connection.history_table_exists()?
    {
        let history = connection.read_history()?;
        if let Some(newest) = drydock_migrate::newest_applied(&history) {
            let applied = |name: &str| {
                history
                    .iter()
                    .any(|row| row.migration_name == name && row.is_applied())
            };
            let pending: Vec<String> = local
                .iter()
                .filter(|m| !applied(&m.name))
                .map(|m| m.name.clone())
                .collect();
            for name in drydock_migrate::out_of_order(&pending, Some(newest)) {
                conflicts.push(drydock_migrate::out_of_order_conflict(name, newest));
            }
        }
    }
    let position = |conflict: &Conflict| {
        conflict
            .migrations
            .first()
            .and_then(|first| local.iter().position(|m| &m.name == first))
    };
    conflicts.sort_by_key(position);
    Ok(conflicts)
}

/// After a command wrote or moved migration folders: the lock file, and the integrity file
/// when the folder has one or `[migrations] integrity_file` asks for it.
pub(crate) fn folders_written(project: &Project) -> Result<(), EngineError> {
    let dir = &project.migrations_dir;
    drydock_migrate::write_lock_file(dir, project.dialect.provider())?;
    let wanted = Settings::load(project)?.migrations.integrity_file;
    refresh_integrity_file(project, wanted)?;
    Ok(())
}

/// Write the integrity file again when the folder has one, or when `wanted`.
pub(crate) fn refresh_integrity_file(
    project: &Project,
    wanted: bool,
) -> Result<(), drydock_migrate::MigrateError> {
    let dir = &project.migrations_dir;
    if wanted || drydock_migrate::has_integrity_file(dir) {
        drydock_migrate::write_integrity_file(dir, &list_migrations(dir)?)?;
    }
    Ok(())
}

/// Write the integrity file from the migrations folder as it is (`drydock migrate hash`); the
/// number of migrations it records.
pub fn write_integrity_file(project: &Project) -> Result<usize, EngineError> {
    refresh_integrity_file(project, true)?;
    Ok(list_migrations(&project.migrations_dir)?.len())
}
