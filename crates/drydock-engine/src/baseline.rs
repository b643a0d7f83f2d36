//! `migrate baseline`: a database that already has its tables but no migration history gets a
//! first migration describing it, recorded as applied, so later migrations deploy on top.

use std::path::PathBuf;

use drydock_connector::render_script;
use drydock_schema::{Extension, SqlSchema};

use crate::migrate_dev::write_applied_migration;
use crate::{EngineError, Project};

/// Write `<timestamp>_<name>/migration.sql` (and `down.sql`) from the live schema and mark it
/// applied. Refuses when the database already has migration history or the folder already has
/// migrations: baselining is for the start of a history.
pub fn baseline(project: &Project, url: Option<&str>, name: &str) -> Result<PathBuf, EngineError> {
    let dialect = project.dialect;
    let dir = &project.migrations_dir;
    let url = project.migration_url(url)?;
    let mut connection = dialect.connect(&url)?;
    if connection.history_table_exists()? && !connection.read_history()?.is_empty() {
        return Err(EngineError::Usage(
            "the database already has a migration history; baselining is for a database whose \
             tables were created without migrations"
                .to_owned(),
        ));
    }
    if !drydock_migrate::list_migrations(dir)?.is_empty() {
        return Err(EngineError::Usage(format!(
            "`{}` already has migrations; baseline into an empty migrations folder, or mark the \
             migration that matches the database with `drydock migrate resolve --applied <name>`",
            dir.display()
        )));
    }
    let mut live = connection.introspect(&project.namespaces())?;
    // A hosting provider installs extensions a user cannot create (nor needs): the history
    // creates only those the schema declares, as Prisma writes them, and those the tables use.
    let declared = project.target_schema(Some(&url))?.extensions;
    live.extensions = baseline_extensions(&live, &declared);
    let empty = SqlSchema::default();
    let up = drydock_diff::diff(&empty, &live, dialect.diff_hooks());
    let down = drydock_diff::diff(&live, &empty, dialect.diff_hooks());
    let (up, down) = (
        render_script(dialect, &up.changes, &up.warnings),
        render_script(dialect, &down.changes, &down.warnings),
    );
    write_applied_migration(project, connection.as_mut(), name, &up, &down)
}

/// The installed extensions a baseline creates, by name: the declared ones (as declared) and
/// the others the tables of `live` use (with their schema; any version will do).
fn baseline_extensions(live: &SqlSchema, declared: &[Extension]) -> Vec<Extension> {
    live.extensions
        .iter()
        .filter_map(
            |installed| match declared.iter().find(|d| d.name == installed.name) {
                Some(declared) => Some(declared.clone()),
                None => live
                    .extensions_in_use
                    .contains(&installed.name)
                    .then(|| Extension {
                        version: None,
                        ..installed.clone()
                    }),
            },
        )
        .collect()
}
