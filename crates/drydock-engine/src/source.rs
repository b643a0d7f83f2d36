//! Anything diffable, turned into a [`SqlSchema`]: nothing, a schema file, a migrations folder
//! (replayed on a shadow database, then introspected), or a live database.

use std::path::{Path, PathBuf};

use drydock_connector::{Connection, Dialect};
use drydock_diff::Diff;
use drydock_migrate::LocalMigration;
use drydock_schema::SqlSchema;

use crate::drift::{HandMadeChanges, hand_made_changes, script_with_hand_made};
use crate::{EngineError, Project, dialects};

/// One side of `migrate diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffSource {
    Empty,
    /// A schema file or folder.
    Schema(PathBuf),
    /// A migrations folder, replayed on a shadow database.
    Migrations(PathBuf),
    /// A live database.
    Url(String),
}

/// What resolving a source may need besides the source itself.
#[derive(Debug, Clone, Default)]
pub struct SourceContext {
    /// Where shadow databases are created for `Migrations` sources (PostgreSQL needs a server).
    pub shadow_database_url: Option<String>,
    /// The namespaces (PostgreSQL schemas) `Url` and `Migrations` sources are read in, every
    /// object qualified; empty: the URL's own schema only, unqualified.
    pub namespaces: Vec<String>,
}

/// Both sides of a diff resolved against one dialect, and the diff between them.
pub fn diff_sources(
    from: &DiffSource,
    to: &DiffSource,
    context: &SourceContext,
) -> Result<(&'static dyn Dialect, Diff), EngineError> {
    let (dialect, from_schema, to_schema) = resolve_sources(from, to, context)?;
    Ok((
        dialect,
        drydock_diff::diff(&from_schema, &to_schema, dialect.diff_hooks()),
    ))
}

/// What `migrate diff` finds between two sources: the model changes and, between two databases
/// (URLs or migrations folders), the objects made by hand that differ (views, functions,
/// triggers, check constraints, comments), which it writes as `migrate dev --create-only`
/// writes drift.
pub struct SourcesDiff {
    pub dialect: &'static dyn Dialect,
    pub diff: Diff,
    hand_made: HandMadeChanges,
}

impl SourcesDiff {
    /// Nothing differs, objects made by hand included.
    pub fn is_empty(&self) -> bool {
        self.diff.is_empty() && self.hand_made.is_empty()
    }

    /// The migration script; `--script` prints it without the warnings block, as Prisma does.
    pub fn script(&self, with_warnings: bool) -> String {
        let warnings: &[drydock_diff::Warning] = if with_warnings {
            &self.diff.warnings
        } else {
            &[]
        };
        script_with_hand_made(self.dialect, &self.hand_made, &self.diff.changes, warnings)
    }

    /// The `-- Header` of each change to an object made by hand, drops first.
    pub fn hand_made_headers(&self) -> Vec<&'static str> {
        let (drops, creates) = (&self.hand_made.drops, &self.hand_made.creates);
        drops
            .iter()
            .chain(creates)
            .map(|(header, _)| *header)
            .collect()
    }
}

/// [`diff_sources`], with the objects made by hand when both sides are databases.
pub fn diff_sources_with_hand_made(
    from: &DiffSource,
    to: &DiffSource,
    context: &SourceContext,
) -> Result<SourcesDiff, EngineError> {
    let (dialect, from_schema, to_schema) = resolve_sources(from, to, context)?;
    let database =
        |source: &DiffSource| matches!(source, DiffSource::Url(_) | DiffSource::Migrations(_));
    let diff = drydock_diff::diff(&from_schema, &to_schema, dialect.diff_hooks());
    let hand_made = if database(from) && database(to) {
        hand_made_changes(dialect, &from_schema, &to_schema, &diff.changes)
    } else {
        HandMadeChanges::default()
    };
    Ok(SourcesDiff {
        dialect,
        diff,
        hand_made,
    })
}

fn resolve_sources(
    from: &DiffSource,
    to: &DiffSource,
    context: &SourceContext,
) -> Result<(&'static dyn Dialect, SqlSchema, SqlSchema), EngineError> {
    let dialect = dialect_of_sources(from, to, context)?;
    if !context.namespaces.is_empty()
        && !drydock_psl::Provider::parse(dialect.provider())
            .is_some_and(drydock_psl::Provider::supports_multi_schema)
    {
        return Err(EngineError::Usage(format!(
            "`--schemas` picks database schemas (namespaces), which {} does not have; run \
             `migrate diff` without it",
            dialect.provider()
        )));
    }
    let from_schema = schema_of(from, dialect, context)?;
    let to_schema = schema_of(to, dialect, context)?;
    Ok((dialect, from_schema, to_schema))
}

/// The dialect both sides share: from a schema's provider, a URL's scheme, or a migrations
/// folder's `migration_lock.toml`.
fn dialect_of_sources(
    from: &DiffSource,
    to: &DiffSource,
    context: &SourceContext,
) -> Result<&'static dyn Dialect, EngineError> {
    let mut found = Vec::new();
    for source in [from, to] {
        let dialect = match source {
            DiffSource::Empty => None,
            DiffSource::Schema(path) => Some(Project::load(Some(path))?.dialect),
            DiffSource::Url(url) => Some(dialect_for_url(url)?),
            DiffSource::Migrations(dir) => match drydock_migrate::read_lock_file(dir)? {
                Some(provider) => Some(dialects::for_provider(&provider).ok_or_else(|| {
                    EngineError::Usage(format!(
                        "`{}` names provider `{provider}`, which drydock does not support",
                        dir.join("migration_lock.toml").display()
                    ))
                })?),
                None => match &context.shadow_database_url {
                    Some(url) => Some(dialect_for_url(url)?),
                    None => None,
                },
            },
        };
        found.extend(dialect);
    }
    match found.as_slice() {
        [] => Err(EngineError::Usage(
            "cannot tell which database the diff is for: give a schema, a URL, or a migrations \
             folder with a `migration_lock.toml`"
                .to_owned(),
        )),
        [first, rest @ ..] => {
            if let Some(other) = rest.iter().find(|d| d.provider() != first.provider()) {
                return Err(EngineError::Usage(format!(
                    "the two sides are for different databases (`{}` and `{}`); `migrate diff` \
                     compares sources of one provider",
                    first.provider(),
                    other.provider()
                )));
            }
            Ok(*first)
        }
    }
}

fn dialect_for_url(url: &str) -> Result<&'static dyn Dialect, EngineError> {
    dialects::for_url(url).ok_or_else(|| {
        EngineError::Usage(format!(
            "`{}` is not a URL of a supported database (postgresql://…, file:…)",
            drydock_connector::redact_url(url)
        ))
    })
}

/// Resolve one source to a schema, for `dialect`.
pub fn schema_of(
    source: &DiffSource,
    dialect: &'static dyn Dialect,
    context: &SourceContext,
) -> Result<SqlSchema, EngineError> {
    match source {
        DiffSource::Empty => Ok(SqlSchema::default()),
        DiffSource::Schema(path) => Ok(Project::load(Some(path))?.target_schema(None)?),
        DiffSource::Url(url) => {
            let mut connection = dialect.connect(url)?;
            Ok(connection.introspect(&context.namespaces)?)
        }
        DiffSource::Migrations(dir) => {
            let main_url = context.shadow_database_url.as_deref().unwrap_or_default();
            let migrations = drydock_migrate::list_migrations(dir)?;
            replay_migrations(dialect, &migrations, main_url, None, &context.namespaces).map_err(
                |error| {
                    match (&error, &context.shadow_database_url) {
                        // Dialects that need a server to replay on say so with an invalid URL.
                        (
                            EngineError::Connector(drydock_connector::ConnectorError::InvalidUrl {
                                ..
                            }),
                            None,
                        ) => EngineError::Usage(format!(
                            "replaying `{}` on {} needs a database server: pass \
                             `--shadow-database-url <url>` (a database drydock may create \
                             scratch databases next to)",
                            dir.display(),
                            dialect.provider()
                        )),
                        _ => error,
                    }
                },
            )
        }
    }
}

/// Apply `migrations` to a fresh shadow database and introspect the result.
pub(crate) fn replay_migrations(
    dialect: &dyn Dialect,
    migrations: &[LocalMigration],
    main_url: &str,
    shadow_url: Option<&str>,
    namespaces: &[String],
) -> Result<SqlSchema, EngineError> {
    let mut shadow = dialect.open_shadow(main_url, shadow_url)?;
    let result = replay_into(dialect, shadow.connection(), migrations, namespaces);
    let disposed = shadow.dispose();
    let schema = result?;
    disposed?;
    Ok(schema)
}

/// Replay `migrations` on a fresh shadow database, then run `work` with the shadow
/// connection and the schema the migrations produce. The shadow database is disposed of on
/// every path.
pub(crate) fn with_replayed_shadow<T>(
    dialect: &dyn Dialect,
    migrations: &[LocalMigration],
    main_url: &str,
    shadow_url: Option<&str>,
    namespaces: &[String],
    work: impl FnOnce(&mut dyn Connection, SqlSchema) -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let mut shadow = dialect.open_shadow(main_url, shadow_url)?;
    let result = replay_into(dialect, shadow.connection(), migrations, namespaces)
        .and_then(|state| work(shadow.connection(), state));
    let disposed = shadow.dispose();
    let value = result?;
    disposed?;
    Ok(value)
}

/// A shadow database holding `state` (the schema a history produces), for `work`: loaded in one
/// script rendered from `state`, or, when that script does not apply (the history created
/// objects the schema model does not describe), by replaying the history.
pub(crate) fn with_state_shadow<T>(
    dialect: &dyn Dialect,
    dir: &Path,
    main_url: &str,
    shadow_url: Option<&str>,
    namespaces: &[String],
    state: &SqlSchema,
    work: impl FnOnce(&mut dyn Connection) -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let from_empty = drydock_diff::diff(&SqlSchema::default(), state, dialect.diff_hooks());
    let script = drydock_connector::render_script(dialect, &from_empty.changes, &[]);
    let mut shadow = dialect.open_shadow(main_url, shadow_url)?;
    if shadow.connection().execute_script(&script).is_ok() {
        let result = work(shadow.connection());
        let disposed = shadow.dispose();
        let value = result?;
        disposed?;
        return Ok(value);
    }
    shadow.dispose()?;
    let migrations = drydock_migrate::list_migrations(dir)?;
    with_replayed_shadow(
        dialect,
        &migrations,
        main_url,
        shadow_url,
        namespaces,
        |shadow, _| work(shadow),
    )
}

fn replay_into(
    dialect: &dyn Dialect,
    connection: &mut dyn Connection,
    migrations: &[LocalMigration],
    namespaces: &[String],
) -> Result<SqlSchema, EngineError> {
    for migration in migrations {
        crate::migrate_dev::run_script(dialect, connection, migration.executable_script())
            .map_err(|e| EngineError::ShadowReplay {
                migration: migration.name.clone(),
                message: e.message,
            })?;
    }
    Ok(connection.introspect(namespaces)?)
}
