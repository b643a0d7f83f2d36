//! `db push`, `db execute` and `db seed` as tasks.
//!
//! Counts: `push` examines the steps between the database and the schema and affects those it
//! ran; `execute` examines and affects the script's statements; `seed` examines the seed files
//! of the environment and affects those it applied now.

use std::path::Path;

use drydock_connector::{ConnectorError, Dialect, Warning};
use drydock_tasks::{Event, Events};

use crate::audit::{self, AuditedChange};
use crate::{EngineError, ExecuteOutcome, Project, PushOptions, PushOutcome, SeedOutcome};

/// `the database already matched the schema`, `ran 4 steps`.
pub fn push_summary(outcome: &PushOutcome) -> String {
    if outcome.steps == 0 {
        "the database already matched the schema".to_owned()
    } else {
        format!("ran {}", super::plural(outcome.steps, "step"))
    }
}

/// Make the database match the schema without migrations; `consent` is asked before changes
/// that lose data, unless the options accept them.
pub fn push(
    project: &Project,
    options: &PushOptions,
    consent: &mut dyn FnMut(&[Warning]) -> bool,
    events: &dyn Events,
) -> Result<PushOutcome, EngineError> {
    let started = std::time::Instant::now();
    let result = crate::db_push(project, options, consent);
    // A push that found nothing to change changed nothing.
    if !matches!(&result, Ok(outcome) if outcome.steps == 0) {
        let mut change = AuditedChange::new("db push");
        change.started = started;
        change.target = Some("the schema's datamodel".to_owned());
        change.statements = result.as_ref().ok().map(|outcome| outcome.steps);
        audit::record_for(project, options.url.as_deref(), change, &result, events);
    }
    let outcome = result?;
    if outcome.steps > 0 {
        for warning in &outcome.warnings {
            events.warning(&warning.message);
        }
    }
    events.event(Event::Counts {
        examined: outcome.steps as u64,
        affected: outcome.steps as u64,
    });
    Ok(outcome)
}

/// `executed 3 statements`.
pub fn execute_summary(statements: usize) -> String {
    format!("executed {}", super::plural(statements, "statement"))
}

/// Run `script` (the text of `file`, when it came from one) against `url`, in one
/// transaction unless it cannot be; the outcome and the number of statements it held.
pub fn execute(
    dialect: &dyn Dialect,
    url: &str,
    script: &str,
    file: Option<&Path>,
    events: &dyn Events,
) -> Result<(ExecuteOutcome, usize), EngineError> {
    let statements = dialect.split_statements(script).len();
    let started = std::time::Instant::now();
    let result = crate::db_execute_file(dialect, url, script, file);
    let mut change = AuditedChange::new("db execute");
    change.started = started;
    change.target = Some(match file {
        Some(file) => file.display().to_string(),
        None => "a script from standard input".to_owned(),
    });
    change.statements = Some(statements);
    change.extra.push((
        "script_sha256",
        serde_json::json!(drydock_migrate::checksum(script.as_bytes())),
    ));
    audit::record(dialect, url, change, audit::failure(&result), events);
    let outcome = result?;
    events.event(Event::Counts {
        examined: statements as u64,
        affected: statements as u64,
    });
    Ok((outcome, statements))
}

/// What [`seed`] did: the project's seed command it ran, and the seed files it applied.
#[derive(Debug, Clone)]
pub struct SeedTaskOutcome {
    pub command: Option<String>,
    pub outcome: SeedOutcome,
}

impl SeedTaskOutcome {
    /// `seeded production: 2 files applied now, 3 before, and the seed command`.
    pub fn summary(&self) -> String {
        let mut summary = format!(
            "seeded {}: {} applied now, {} before",
            self.outcome.environment,
            super::plural(self.outcome.applied.len(), "file"),
            self.outcome.already_applied
        );
        if self.command.is_some() {
            summary.push_str(", and the seed command");
        }
        summary
    }
}

/// Run the project's seed command (given `args`), if it has one, then apply the seed files of
/// `environment` the database has not had.
pub fn seed(
    project: &Project,
    url: Option<&str>,
    environment: &str,
    args: &[String],
    events: &dyn Events,
) -> Result<SeedTaskOutcome, EngineError> {
    let command = run_seed_command(project, args, environment, events)?;
    let outcome = crate::seed(project, url, environment)?;
    events.event(Event::Counts {
        examined: (outcome.applied.len() + outcome.already_applied) as u64,
        affected: outcome.applied.len() as u64,
    });
    Ok(SeedTaskOutcome { command, outcome })
}

/// Run the project's seed command, if it has one (its output goes where drydock's does);
/// the command it ran.
fn run_seed_command(
    project: &Project,
    args: &[String],
    environment: &str,
    events: &dyn Events,
) -> Result<Option<String>, EngineError> {
    let Some(command) = project.seed_command()? else {
        return Ok(None);
    };
    events.info(&format!("Running seed command `{command}` ..."));
    // Arguments go in as positional parameters, so the shell never re-parses them.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$@\""))
        .arg("sh")
        .args(args)
        .env("DRYDOCK_ENV", environment)
        .status()
        .map_err(|source| ConnectorError::Io {
            context: format!("can't run the seed command `{command}`"),
            source,
        })?;
    if !status.success() {
        return Err(EngineError::Usage(format!(
            "the seed command `{command}` failed ({status})"
        )));
    }
    Ok(Some(command))
}
