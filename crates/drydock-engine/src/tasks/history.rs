//! The tasks that change the migration history otherwise than by a deploy: `migrate down`,
//! `resolve` (marking, and `--finish`/`--undo` of a migration that failed halfway), `squash`,
//! `baseline` and `reset`.
//!
//! Counts: `down` examines and affects the migrations rolled back; `resolve` one migration;
//! `squash` the migrations it replaces; `baseline` examines the statements of the migration it
//! writes and affects one history row;
//! `reset` the migrations it considered and applied after the reset.

use std::path::PathBuf;
use std::time::Duration;

use drydock_connector::{Interrupt, SessionLimits};
use drydock_migrate::{
    self as history, DeployReport, DownReport, DownTarget, FinishReport, ResolveReport, UndoReport,
};
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
    let (_, mut connection) = connect_existing(project, options.url.as_deref(), events)?;
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
    let (name, marked) = match &resolve {
        Resolve::Applied(name) => (name.clone(), "applied"),
        Resolve::RolledBack(name) => (name.clone(), "rolled back"),
    };
    let mut change = resolve_change(project, &name, marked);
    let result = mark(project, url, resolve, events);
    // It runs no statement of the migration: it marks it.
    change.statements = Some(0);
    audit::record_for(project, url, change, &result, events);
    result
}

/// The audit entry of a `migrate resolve` of migration `name` starting now: how it `marked` the
/// row; the statements it ran are set when it ends.
fn resolve_change(project: &Project, name: &str, marked: &str) -> AuditedChange {
    let mut change =
        AuditedChange::new("migrate resolve").with_migrations(project, &[name.to_owned()]);
    change.extra.push(("marked", serde_json::json!(marked)));
    change
}

/// A session on the database migrations run on (`url` overrides the project's), said once
/// connected; a missing database is an error.
fn connect_existing(
    project: &Project,
    url: Option<&str>,
    events: &dyn Events,
) -> Result<(String, Box<dyn drydock_connector::Connection>), EngineError> {
    let (url, connection) = super::connect(project, url, super::Missing::Fail, events)?;
    super::describe_datasource(project, &url, events);
    Ok((url, connection))
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
             first{listed}\n(For a failed migration, `drydock migrate resolve --undo <name>` \
             computes that undo, runs it and marks it rolled back in one step, and `drydock \
             migrate resolve --finish <name>` runs the rest instead. An interrupted migration \
             needs no resolve: `drydock migrate deploy` continues it where it stopped.)",
            n = report.statements_completed,
            listed = first_statements(project, &report.name, report.statements_completed)
        ));
    }
    counts(events, 1, 1);
    Ok(ResolveOutcome { resolve, report })
}

/// What `migrate resolve --finish` is asked to do.
#[derive(Clone)]
pub struct FinishOptions {
    pub url: Option<String>,
    /// The migration that failed halfway.
    pub name: String,
    /// Applied to the session while its statements run, as deploy does.
    pub limits: SessionLimits,
    pub lock_retries: u32,
    pub retry_delay: Duration,
    pub interrupt: Interrupt,
}

impl FinishOptions {
    /// Deploy's defaults for migration `name`.
    pub fn new(name: &str) -> Self {
        let deploy = history::DeployOptions::default();
        FinishOptions {
            url: None,
            name: name.to_owned(),
            limits: deploy.limits,
            lock_retries: deploy.lock_retries,
            retry_delay: deploy.retry_delay,
            interrupt: deploy.interrupt,
        }
    }
}

/// `finished 20240102_posts (statements 3 to 4 of 4)`.
pub fn finish_summary(report: &FinishReport) -> String {
    format!(
        "finished {} (statements {} to {} of {})",
        report.name, report.first_statement, report.statements, report.statements
    )
}

/// Run the rest of a migration that failed halfway outside a transaction, from the first
/// statement its history row does not count as done, with the current `migration.sql` (whose
/// completed statements must be those that ran); the row is finished with the file's checksum.
pub fn resolve_finish(
    project: &Project,
    options: &FinishOptions,
    events: &dyn Events,
) -> Result<FinishReport, EngineError> {
    let mut change = resolve_change(project, &options.name, "finished");
    let result = finish(project, options, events);
    change.statements = result
        .as_ref()
        .ok()
        .map(|report| report.statements + 1 - report.first_statement);
    audit::record_for(project, options.url.as_deref(), change, &result, events);
    result
}

fn finish(
    project: &Project,
    options: &FinishOptions,
    events: &dyn Events,
) -> Result<FinishReport, EngineError> {
    let (_, mut connection) = connect_existing(project, options.url.as_deref(), events)?;
    let deploy_options = history::DeployOptions {
        limits: options.limits,
        lock_retries: options.lock_retries,
        retry_delay: options.retry_delay,
        interrupt: options.interrupt.clone(),
        ..history::DeployOptions::default()
    };
    let mut reporter = super::deploy::DeployReporter::new(events, 1);
    let report = history::resolve_finish(
        project.dialect,
        connection.as_mut(),
        &project.migrations_dir,
        &options.name,
        &deploy_options,
        &mut |event| reporter.report(event),
    )?;
    events.info(&format!(
        "  {}: statements {} to {} of {} ran",
        report.name, report.first_statement, report.statements, report.statements
    ));
    Ok(report)
}

/// What `migrate resolve --undo` is asked to do.
#[derive(Debug, Clone)]
pub struct UndoOptions {
    pub url: Option<String>,
    /// The migration that failed halfway.
    pub name: String,
    /// Run an undo that drops tables or columns (the differ's data-loss warnings).
    pub accept_data_loss: bool,
}

/// What `migrate resolve --undo` did.
#[derive(Debug, Clone)]
pub struct UndoOutcome {
    pub report: UndoReport,
    /// The undo script that ran, as checked on the shadow database.
    pub script: String,
    /// The data-loss warnings it was run with.
    pub data_loss: Vec<String>,
}

/// `undid 2 statements of 20240102_posts`.
pub fn undo_summary(outcome: &UndoOutcome) -> String {
    format!(
        "undid {} of {}, marked rolled back",
        super::plural(outcome.report.statements_undone, "statement"),
        outcome.report.name
    )
}

/// Undo the completed statements of a migration that failed halfway outside a transaction and
/// mark it rolled back, so that the next deploy runs it from its first statement. The undo is
/// computed and checked on a shadow database (not read from `down.sql`, which undoes the whole
/// migration); one that loses data needs `accept_data_loss`.
pub fn resolve_undo(
    project: &Project,
    options: &UndoOptions,
    events: &dyn Events,
) -> Result<UndoOutcome, EngineError> {
    let mut change = resolve_change(project, &options.name, "undone");
    let result = undo(project, options, events);
    change.statements = result
        .as_ref()
        .ok()
        .map(|outcome| outcome.report.undo_statements);
    audit::record_for(project, options.url.as_deref(), change, &result, events);
    result
}

fn undo(
    project: &Project,
    options: &UndoOptions,
    events: &dyn Events,
) -> Result<UndoOutcome, EngineError> {
    let dialect = project.dialect;
    let (url, mut connection) = connect_existing(project, options.url.as_deref(), events)?;
    history::check_provider(&project.migrations_dir, dialect.provider())?;
    let local = history::list_migrations(&project.migrations_dir)?;
    let name = &options.name;
    history::with_lock(connection.as_mut(), |conn, notes| {
        lock_notes(notes, events);
        let rows = history::read_history(conn)?;
        let run = history::failed_run(dialect, &rows, &local, &project.migrations_dir, name)?;
        events.info(&format!(
            "Computing the undo of {} of {name} on a shadow database",
            super::plural(run.done(), "completed statement")
        ));
        let plan = crate::undo::plan_undo(project, &url, &rows, &local, &run)?;
        if !plan.row_changes.is_empty() {
            events.warning(&format!(
                "statement(s) {} of {name} change rows, not the schema: the undo leaves the rows                  they wrote as they are",
                plan.row_changes
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !plan.data_loss.is_empty() && !options.accept_data_loss {
            return Err(EngineError::UndoLosesData {
                name: name.clone(),
                done: run.done(),
                warnings: plan.data_loss,
            });
        }
        if plan.script.is_empty() {
            events.info("The completed statements changed no schema object: nothing to undo");
        } else {
            super::info_lines(
                events,
                &format!(
                    "Undo script (checked on the shadow database):\n{}",
                    plan.script.trim_end()
                ),
            );
        }
        for warning in &plan.data_loss {
            events.warning(&format!("accepted: {warning}"));
        }
        let report = history::run_undo(dialect, conn, &run, &plan.script, &mut |n, total, sql| {
            events.info(&format!(
                "  undo {n}/{total}: {}",
                history::first_line(sql, dialect.lexical_rules())
            ));
        })?;
        for number in &report.already_done {
            events.info(&format!(
                "  undo statement {number} found its object gone already (an earlier undo ran \
                 it): counted as done"
            ));
        }
        counts(events, 1, 1);
        Ok(UndoOutcome {
            report,
            script: plan.script,
            data_loss: plan.data_loss,
        })
    })
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
