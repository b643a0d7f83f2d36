//! The tasks that change the migration history otherwise than by a deploy: `migrate down`,
//! `resolve`, `squash`, `baseline` and `reset`.
//!
//! Counts: `down` examines and affects the migrations rolled back; `resolve` one migration;
//! `squash` the migrations it replaces; `baseline` examines the statements of the migration it
//! writes and affects one history row;
//! `reset` the migrations it considered and applied after the reset.

use std::path::PathBuf;

use drydock_migrate::{self as history, DeployReport, DownReport, DownTarget, ResolveReport};
use drydock_tasks::{Event, Events};

use crate::audit::{self, AuditedChange};
use crate::{EngineError, Project, SquashOptions, SquashOutcome};

/// What taking the migration lock took (ending a killed drydock's orphaned session), as log
/// lines.
fn lock_notes(notes: &[String], events: &dyn Events) {
    for note in notes {
        events.info(&format!("  {}: {note}", history::LOCK_NOTE_NAME));
    }
}

fn counts(events: &dyn Events, examined: usize, affected: usize) {
    events.event(Event::Counts {
        examined: examined as u64,
        affected: affected as u64,
    });
}

/// What `migrate down` is asked to do.
#[derive(Debug, Clone)]
pub struct DownOptions {
    pub url: Option<String>,
    pub target: DownTarget,
    pub accept_data_loss: bool,
}

/// `rolled back 2 migrations`.
pub fn down_summary(report: &DownReport) -> String {
    format!(
        "rolled back {}",
        super::plural(report.rolled_back.len(), "migration")
    )
}

/// Roll back applied migrations with their `down.sql`, newest first.
pub fn down(
    project: &Project,
    options: &DownOptions,
    events: &dyn Events,
) -> Result<DownReport, EngineError> {
    let started = std::time::Instant::now();
    let result = roll_back(project, options, events);
    // On a failure the history says which migration's down script failed.
    let names: Vec<String> = match &result {
        Ok(report) => report.rolled_back.iter().map(|m| m.name.clone()).collect(),
        Err(_) => Vec::new(),
    };
    if result.as_ref().is_err() || !names.is_empty() {
        let mut change = AuditedChange::new("migrate down").with_migrations(project, &names);
        change.started = started;
        // The statements of the down scripts that ran, not of the migrations.
        change.statements = Some(down_statements(project, &names));
        audit::record_for(project, options.url.as_deref(), change, &result, events);
    }
    result
}

/// How many statements the `down.sql` of the migrations `names` hold.
fn down_statements(project: &Project, names: &[String]) -> usize {
    history::list_migrations(&project.migrations_dir)
        .unwrap_or_default()
        .iter()
        .filter(|migration| names.contains(&migration.name))
        .filter_map(|migration| std::fs::read_to_string(migration.down_path()?).ok())
        .map(|script| project.dialect.split_statements(&script).len())
        .sum()
}

fn roll_back(
    project: &Project,
    options: &DownOptions,
    events: &dyn Events,
) -> Result<DownReport, EngineError> {
    let (url, mut connection) = super::connect(
        project,
        options.url.as_deref(),
        super::Missing::Fail,
        events,
    )?;
    super::describe_datasource(project, &url, events);
    let report = history::down(
        project.dialect,
        connection.as_mut(),
        &project.migrations_dir,
        &options.target,
        options.accept_data_loss,
        &mut |name| events.info(&format!("Rolling back {name}")),
    )?;
    lock_notes(&report.lock_notes, events);
    counts(events, report.rolled_back.len(), report.rolled_back.len());
    Ok(report)
}

/// How `migrate resolve` marks a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolve {
    Applied(String),
    RolledBack(String),
}

/// A migration marked by [`resolve`].
#[derive(Debug, Clone)]
pub struct ResolveOutcome {
    pub resolve: Resolve,
    pub report: ResolveReport,
}

impl ResolveOutcome {
    /// `marked 20240101_init as applied`.
    pub fn summary(&self) -> String {
        match &self.resolve {
            Resolve::Applied(name) => format!("marked {name} as applied"),
            Resolve::RolledBack(name) => format!("marked {name} as rolled back"),
        }
    }
}

/// Mark a migration as applied or rolled back in the history, running nothing.
pub fn resolve(
    project: &Project,
    url: Option<&str>,
    resolve: Resolve,
    events: &dyn Events,
) -> Result<ResolveOutcome, EngineError> {
    let started = std::time::Instant::now();
    let (name, marked) = match &resolve {
        Resolve::Applied(name) => (name.clone(), "applied"),
        Resolve::RolledBack(name) => (name.clone(), "rolled back"),
    };
    let result = mark(project, url, resolve, events);
    let mut change = AuditedChange::new("migrate resolve").with_migrations(project, &[name]);
    change.started = started;
    // It runs no statement of the migration: it marks it.
    change.statements = Some(0);
    change.extra.push(("marked", serde_json::json!(marked)));
    audit::record_for(project, url, change, &result, events);
    result
}

fn mark(
    project: &Project,
    url: Option<&str>,
    resolve: Resolve,
    events: &dyn Events,
) -> Result<ResolveOutcome, EngineError> {
    let (_, mut connection) = super::connect(project, url, super::Missing::Fail, events)?;
    let report = match &resolve {
        Resolve::Applied(name) => {
            history::resolve_applied(connection.as_mut(), &project.migrations_dir, name)?
        }
        Resolve::RolledBack(name) => history::resolve_rolled_back(connection.as_mut(), name)?,
    };
    lock_notes(&report.lock_notes, events);
    if matches!(resolve, Resolve::RolledBack(_)) && report.statements_completed > 0 {
        events.warning(&format!(
            "{n} statement(s) of it had completed outside a transaction and were not undone by \
             this command; the next deploy runs the whole migration again, so undo them \
             first{listed}\n(An interrupted migration needs no resolve: `drydock migrate deploy` \
             continues it where it stopped.)",
            n = report.statements_completed,
            listed = first_statements(project, &report.name, report.statements_completed)
        ));
    }
    counts(events, 1, 1);
    Ok(ResolveOutcome { resolve, report })
}

/// `:` and the first `count` statements of migration `name`, numbered, one line each; `.` when
/// its file cannot be read.
fn first_statements(project: &Project, name: &str, count: u32) -> String {
    let Some(migration) = history::list_migrations(&project.migrations_dir)
        .unwrap_or_default()
        .into_iter()
        .find(|migration| migration.name == name)
    else {
        return ".".to_owned();
    };
    let script = migration.executable_script();
    let rules = project.dialect.lexical_rules();
    let mut out = ":".to_owned();
    for (index, range) in project
        .dialect
        .split_statements(script)
        .into_iter()
        .take(count as usize)
        .enumerate()
    {
        let statement = script.get(range).unwrap_or_default();
        out.push_str(&format!(
            "\n  {}. {}",
            index + 1,
            history::first_line(statement, rules)
        ));
    }
    out
}

/// `squashed 4 migrations into 20240301_squashed`.
pub fn squash_summary(outcome: &SquashOutcome) -> String {
    format!(
        "squashed {} into {}",
        super::plural(outcome.replaced.len(), "migration"),
        outcome.squashed
    )
}

/// Replace a run of migrations by one, in the folder and (with `history_only`, there alone)
/// in the history.
pub fn squash(
    project: &Project,
    options: &SquashOptions,
    events: &dyn Events,
) -> Result<SquashOutcome, EngineError> {
    let started = std::time::Instant::now();
    let result = crate::squash(project, options);
    // It rewrites the history rows of the migrations it replaces.
    let mut change = AuditedChange::new("migrate squash");
    change.started = started;
    if let Ok(outcome) = &result {
        change = change.with_migrations(project, std::slice::from_ref(&outcome.squashed));
        change.target = Some(format!(
            "{} replacing {}",
            outcome.squashed,
            outcome.replaced.join(", ")
        ));
        change.statements = Some(0);
        change
            .extra
            .push(("replaced", serde_json::json!(outcome.replaced)));
    }
    audit::record_for(project, options.url.as_deref(), change, &result, events);
    let outcome = result?;
    lock_notes(&outcome.lock_notes, events);
    counts(events, outcome.replaced.len(), outcome.replaced.len());
    Ok(outcome)
}

/// Write the database's schema as a first migration and mark it applied; the folder written.
pub fn baseline(
    project: &Project,
    url: Option<&str>,
    name: &str,
    events: &dyn Events,
) -> Result<PathBuf, EngineError> {
    let folder = crate::baseline(project, url, name)?;
    let file = folder.join(history::MIGRATION_FILE_NAME);
    let statements = std::fs::read_to_string(&file)
        .map(|sql| project.dialect.split_statements(&sql).len())
        .unwrap_or_default();
    counts(events, statements, 1);
    Ok(folder)
}

/// `reset, then applied 3 migrations`.
pub fn reset_summary(report: &DeployReport) -> String {
    format!(
        "reset, then applied {}",
        super::plural(report.applied.len(), "migration")
    )
}

/// Drop everything in the database (creating it when missing), then apply every migration.
/// Asking first is the caller's business.
pub fn reset(
    project: &Project,
    url: Option<&str>,
    events: &dyn Events,
) -> Result<DeployReport, EngineError> {
    let (_, mut connection) = super::connect(project, url, super::Missing::Create, events)?;
    connection.reset()?;
    let examined = history::list_migrations(&project.migrations_dir)
        .map(|migrations| migrations.len())
        .unwrap_or_default() as u64;
    events.event(Event::Counts {
        examined,
        affected: 0,
    });
    super::deploy::run_deploy(
        project,
        connection.as_mut(),
        &history::DeployOptions::default(),
        examined,
        None,
        events,
    )
}
