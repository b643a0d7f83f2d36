//! Every task as one library entry point, whoever starts it (the CLI, the server, the
//! scheduler): typed options in, [`Events`] while it runs (log lines, progress, counts), a
//! typed result out, with a one-line `summary()` for the run log. Nothing here prints.
//!
//! One file per family: [`deploy`] (`migrate deploy`, with its review, pre-flight checks and
//! backup), [`history`] (`migrate down`, `resolve`, `squash`, `baseline`, `reset`), [`db`]
//! (`db push`, `execute`, `seed`), [`backup`] (`backup create`, `verify`, `restore`, `prune`),
//! [`indexes`] (`drydock indexes`), [`cleanup`] (the options of `drydock cleanup`), [`ci`]
//! (`drydock ci`: the checks of a pipeline job on a throwaway database).

pub mod backup;
pub mod ci;
pub mod cleanup;
pub mod db;
pub mod deploy;
pub mod history;
pub mod indexes;
use drydock_connector::Connection;
use drydock_tasks::Events;

use crate::{EngineError, Project, redact_url};

/// Each line of `text` as a log line of its own.
pub(crate) fn info_lines(events: &dyn Events, text: &str) {
    for line in text.lines() {
        events.info(line);
    }
}

/// `3 migrations`, `1 migration`.
pub(crate) fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// Whether a missing database is created before connecting, as Prisma's `migrate deploy` and
/// `migrate reset` do (`status`, `resolve` and `down` only read or mark what exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Create,
    Fail,
}

/// The URL migrations run on (`url` overrides the project's) and a session on it; a database
/// created first when `missing` says so, and said once connected (SQLite creates its file only
/// then, and may fail to).
pub fn connect(
    project: &Project,
    url: Option<&str>,
    missing: Missing,
    events: &dyn Events,
) -> Result<(String, Box<dyn Connection>), EngineError> {
    let url = project.migration_url(url)?;
    let created = missing == Missing::Create && project.dialect.create_database(&url)?;
    let connection = project.dialect.connect(&url)?;
    if created {
        events.info(&format!("Created the database at {}", redact_url(&url)));
    }
    Ok((url, connection))
}

/// `Datasource: postgresql at postgresql://…`, the line the migrate commands start with.
pub fn describe_datasource(project: &Project, url: &str, events: &dyn Events) {
    events.info(&format!(
        "Datasource: {} at {}",
        project.dialect.provider(),
        redact_url(url)
    ));
}
