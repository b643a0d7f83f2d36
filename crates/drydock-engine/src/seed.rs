//! `db seed`: versioned SQL seed sets per environment, each file applied once.
//!
//! Seeds live next to the schema in `seed/common/*.sql` (every environment) and
//! `seed/<environment>/*.sql` (`development`, `testing`, `production`, or any name), applied in
//! that order and in byte order of file names. Each file runs in one transaction together with
//! its record in `_drydock_seeds`, so a re-run applies only files that are new; a file edited
//! after it was applied is refused. Prisma's seed command (`migrations.seed` of the Prisma
//! config file, or `"prisma": {"seed": …}` in `package.json`) is found with the project
//! (`Project::seed_command`) and run by the binary.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::db::execute_atomically;
use crate::{EngineError, Project};

pub use drydock_connector::SEED_TABLE;

/// The seed set every environment gets.
const COMMON: &str = "common";

#[derive(Debug, Clone, Serialize)]
pub struct SeedOutcome {
    pub environment: String,
    /// Applied now, as `<set>/<file>`.
    pub applied: Vec<String>,
    /// Applied by an earlier run.
    pub already_applied: usize,
}

/// The seed files of `environment`, as (`<set>/<file>`, path), in the order they apply.
fn seed_files(seed_dir: &Path, environment: &str) -> Result<Vec<(String, PathBuf)>, EngineError> {
    let mut files = Vec::new();
    for set in [COMMON, environment] {
        let dir = seed_dir.join(set);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(io_error(&dir, source)),
        };
        let mut set_files: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "sql"))
            .filter_map(|path| {
                let file = path.file_name()?.to_str()?.to_owned();
                Some((format!("{set}/{file}"), path))
            })
            .collect();
        set_files.sort();
        files.extend(set_files);
    }
    Ok(files)
}

fn io_error(path: &Path, source: std::io::Error) -> EngineError {
    EngineError::Connector(drydock_connector::ConnectorError::Io {
        context: format!("can't read `{}`", path.display()),
        source,
    })
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Apply the seed files of `environment` that this database has not had yet.
pub fn seed(
    project: &Project,
    url: Option<&str>,
    environment: &str,
) -> Result<SeedOutcome, EngineError> {
    let dialect = project.dialect;
    let url = project.migration_url(url)?;
    let mut connection = dialect.connect(&url)?;
    let files = seed_files(&project.schema_dir.join("seed"), environment)?;
    let mut outcome = SeedOutcome {
        environment: environment.to_owned(),
        applied: Vec::new(),
        already_applied: 0,
    };
    if files.is_empty() {
        return Ok(outcome);
    }
    connection
        .execute_script(&format!(
            "CREATE TABLE IF NOT EXISTS \"{SEED_TABLE}\" (\"name\" TEXT NOT NULL PRIMARY KEY, \
             \"checksum\" TEXT NOT NULL, \"applied_at\" TIMESTAMP NOT NULL DEFAULT \
             CURRENT_TIMESTAMP);"
        ))
        .map_err(|e| EngineError::Script {
            what: format!("creating `{SEED_TABLE}`"),
            message: e.message,
        })?;
    let recorded: Vec<(String, String)> = connection
        .query_texts(&format!(
            "SELECT \"name\" || ' ' || \"checksum\" FROM \"{SEED_TABLE}\""
        ))?
        .into_iter()
        .flatten()
        .filter_map(|line| {
            line.rsplit_once(' ')
                .map(|(n, c)| (n.to_owned(), c.to_owned()))
        })
        .collect();
    for (name, path) in files {
        let bytes = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
        let checksum = drydock_migrate::checksum(&bytes);
        if let Some((_, stored)) = recorded.iter().find(|(n, _)| *n == name) {
            if !drydock_migrate::checksum_matches(&bytes, stored) {
                return Err(EngineError::Usage(format!(
                    "the seed `{name}` was changed after it was applied to this database; seeds \
                     apply once: put the change in a new seed file"
                )));
            }
            outcome.already_applied += 1;
            continue;
        }
        let script = String::from_utf8_lossy(&bytes);
        let record = format!(
            "INSERT INTO \"{SEED_TABLE}\" (\"name\", \"checksum\") VALUES ({}, {});",
            quote(&name),
            quote(&checksum)
        );
        let with_record = format!("{}\n;{record}", script.trim_start_matches('\u{feff}'));
        execute_atomically(dialect, connection.as_mut(), &with_record).map_err(|e| {
            EngineError::Script {
                what: format!("the seed `{name}`"),
                message: e.message,
            }
        })?;
        outcome.applied.push(name);
    }
    Ok(outcome)
}
