//! Where a project's run log is: `[state] url` in `drydock.toml`, else with the database
//! migrations run on.

use std::path::Path;

use drydock_connector::{AlertStore, RunLog, ScheduleClaims, redact_url};

use crate::project::resolve_file_url;
use crate::{EngineError, Project, Settings, dialects};

/// Open the run log of `project`: the database `[state] url` names, else the one migrations run
/// on (`url`, from `--url`, overrides the project's).
pub fn open_run_log(project: &Project, url: Option<&str>) -> Result<Box<dyn RunLog>, EngineError> {
    let url = state_store_url(project, url)?;
    Ok(dialect_of(&url)?.open_run_log(&url)?)
}

/// Open the store of `project`'s open alerts, kept where its run log is.
pub fn open_alert_store(
    project: &Project,
    url: Option<&str>,
) -> Result<Box<dyn AlertStore>, EngineError> {
    let url = state_store_url(project, url)?;
    Ok(dialect_of(&url)?.open_alert_store(&url)?)
}

/// Open the claims of `project`'s scheduled runs (`drydock serve`'s scheduler), kept where its
/// run log is.
pub fn open_schedule_claims(
    project: &Project,
    url: Option<&str>,
) -> Result<Box<dyn ScheduleClaims>, EngineError> {
    let url = state_store_url(project, url)?;
    Ok(dialect_of(&url)?.open_schedule_claims(&url)?)
}

/// The database that keeps `project`'s own records: `[state] url`, else the one migrations run
/// on.
fn state_store_url(project: &Project, url: Option<&str>) -> Result<String, EngineError> {
    let settings = Settings::load(project)?;
    match (&settings.state.url, &settings.path) {
        (Some(written), Some(path)) => state_url(written, path),
        _ => Ok(project.migration_url(url)?),
    }
}

/// `[state] url` as written in the settings file at `path`: `env("VAR")` read from the
/// environment; relative file paths read from the file's folder.
fn state_url(written: &str, path: &Path) -> Result<String, EngineError> {
    let invalid = |message: String| EngineError::Settings {
        path: path.to_owned(),
        message,
    };
    let url = match env_name(written) {
        Some(name) => std::env::var(name).map_err(|_| {
            invalid(format!(
                "`[state] url` reads the environment variable `{name}`, which is not set: set \
                 it, or write the URL there"
            ))
        })?,
        None => written.to_owned(),
    };
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    let dialect = dialect_of(&url).map_err(|_| {
        invalid(format!(
            "`[state] url` is `{}`: drydock keeps its run log in PostgreSQL (`postgresql://...`) \
             or SQLite (`file:./state.db`)",
            redact_url(&url)
        ))
    })?;
    Ok(dialect.resolve_url_paths(&resolve_file_url(&url, base), base))
}

fn dialect_of(url: &str) -> Result<&'static dyn drydock_connector::Dialect, EngineError> {
    dialects::for_url(url).ok_or_else(|| {
        EngineError::Usage(format!(
            "no database drydock knows takes the URL `{}`",
            redact_url(url)
        ))
    })
}

/// `NAME` of `env("NAME")`.
pub(crate) fn env_name(written: &str) -> Option<&str> {
    let inner = written
        .trim()
        .strip_prefix("env(")?
        .strip_suffix(')')?
        .trim();
    inner
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::env_name;

    #[test]
    fn env_names_are_read_as_in_a_prisma_schema() {
        assert_eq!(env_name(r#"env("STATE_URL")"#), Some("STATE_URL"));
        assert_eq!(env_name(r#" env( "X" ) "#), Some("X"));
        assert_eq!(env_name("postgresql://h/db"), None);
        assert_eq!(env_name(r#"env("")"#), None);
    }
}
