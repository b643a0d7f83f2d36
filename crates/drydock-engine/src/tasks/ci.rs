//! `drydock ci`: what a pipeline job checks before a change merges, on a throwaway database
//! (the shadow database, created and dropped as `migrate dev` does): the schema validates and is
//! formatted; every migration applies from empty; the migrations produce the schema (no change
//! left without its migration); each selected migration's `down.sql` goes down and up again;
//! and the selected migrations pass lint. Selected: those added since `since` (a git revision),
//! else all. Each check ends with its own exit code, so a pipeline tells the failures apart.

use drydock_connector::Connection;
use drydock_lint::{Level, Report};
use drydock_migrate::{LocalMigration, list_migrations};
use drydock_tasks::Events;
use serde::Serialize;

use crate::lint::{LintSelection, ProjectLintOptions, lint_project};
use crate::migrate_dev::{check_round_trip, run_script};
use crate::{EngineError, Project, summarize};

/// What `drydock ci` checks, in order; each failure kind has its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiCheckKind {
    /// The schema validates (lowering included) and is formatted.
    Schema,
    /// Every migration applies from empty.
    Apply,
    /// The migrations produce the schema: no change is left without a migration.
    MissingMigration,
    /// Each selected `down.sql` undoes its migration, which then applies again.
    Down,
    /// The selected migrations have no lint error.
    Lint,
    /// No two migrations share a name or timestamp, none added on the branch sorts before the
    /// base branch's newest, and no two were written after the same one on both sides of a
    /// merge touching the same objects.
    Conflicts,
}

impl CiCheckKind {
    /// The exit status of a run whose first failed check is this one.
    pub fn exit_code(self) -> u8 {
        match self {
            CiCheckKind::Schema => 20,
            CiCheckKind::Apply => 21,
            CiCheckKind::MissingMigration => 22,
            CiCheckKind::Down => 23,
            CiCheckKind::Lint => 24,
            CiCheckKind::Conflicts => 25,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            CiCheckKind::Schema => "schema validates and is formatted",
            CiCheckKind::Apply => "migrations apply from empty",
            CiCheckKind::MissingMigration => "migrations match the schema",
            CiCheckKind::Down => "down migrations go down and up again",
            CiCheckKind::Lint => "new migrations pass lint",
            CiCheckKind::Conflicts => "no conflicts between branches' migrations",
        }
    }
}

/// Where a problem is, for a pipeline's annotations.
#[derive(Debug, Clone, Serialize)]
pub struct CiAnnotation {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// `error` or `warning`.
    pub level: &'static str,
    pub title: String,
    pub message: String,
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CiCheck {
    pub kind: CiCheckKind,
    pub passed: bool,
    /// Whether the check ran (a failed earlier step can leave nothing to check).
    pub ran: bool,
    pub summary: String,
    pub annotations: Vec<CiAnnotation>,
}

/// Every check of a run.
#[derive(Debug, Clone, Serialize)]
pub struct CiReport {
    /// The migrations the down and lint checks looked at.
    pub selected: Vec<String>,
    pub checks: Vec<CiCheck>,
}

impl CiReport {
    /// 0 when every check passed, else the code of the first that failed.
    pub fn exit_code(&self) -> u8 {
        self.checks
            .iter()
            .find(|check| !check.passed)
            .map_or(0, |check| check.kind.exit_code())
    }

    /// The run as Markdown, for a pipeline's job summary.
    pub fn markdown(&self) -> String {
        let mut out =
            String::from("## drydock ci\n\n| check | result | details |\n| --- | --- | --- |\n");
        for check in &self.checks {
            let result = match (check.ran, check.passed) {
                (false, _) => "⏭️ not run",
                (true, true) => "✅ passed",
                (true, false) => "❌ failed",
            };
            out.push_str(&format!(
                "| {} | {result} | {} |\n",
                check.kind.title(),
                check.summary.replace('|', "\\|").replace('\n', "<br>")
            ));
        }
        if !self.selected.is_empty() {
            out.push_str("\nMigrations checked for down files and lint: ");
            let names: Vec<String> = self.selected.iter().map(|n| format!("`{n}`")).collect();
            out.push_str(&names.join(", "));
            out.push('\n');
        }
        out
    }
}

/// How to run `drydock ci`.
#[derive(Debug, Clone, Default)]
pub struct CiOptions {
    /// Check the migrations added since this git revision (e.g. `origin/main`); `None`: all.
    pub since: Option<String>,
    /// The database next to which the throwaway one is made, instead of the project's URL.
    pub url: Option<String>,
    /// The throwaway database itself (as `shadowDatabaseUrl`), instead of the project's.
    pub shadow_url: Option<String>,
}

/// Runs every check on `project`.
pub fn ci(
    project: &Project,
    options: &CiOptions,
    events: &dyn Events,
) -> Result<CiReport, EngineError> {
    let dialect = project.dialect;
    let migrations = list_migrations(&project.migrations_dir)?;
    let lint_options = ProjectLintOptions {
        selection: match &options.since {
            Some(revision) => LintSelection::Since(revision.clone()),
            None => LintSelection::All,
        },
        ..Default::default()
    };
    let linted = lint_project(project, &lint_options)?;
    let selected = linted.selected.clone();
    let mut checks = vec![schema_check(project)];
    events.info(&summary_line(&checks[0]));

    let main_url = project.migration_url(options.url.as_deref())?;
    let shadow_url = match &options.shadow_url {
        Some(url) => Some(url.clone()),
        None => project.shadow_url()?,
    };
    let namespaces = project.namespaces();
    let target = project.target_schema(None)?;
    let on_shadow = |work: &mut dyn FnMut(&mut dyn Connection) -> Result<(), EngineError>| {
        let mut shadow = dialect.open_shadow(&main_url, shadow_url.as_deref())?;
        let result = work(shadow.connection());
        let disposed = shadow.dispose();
        result?;
        disposed.map_err(EngineError::from)
    };
    // With a base branch, what it released is applied first and the branch's migrations on top,
    // as they will be deployed (each part in folder order); else the folder's order.
    let deploy_order: Vec<LocalMigration> = if options.since.is_some() {
        let (new, released): (Vec<&LocalMigration>, Vec<&LocalMigration>) = migrations
            .iter()
            .partition(|migration| selected.contains(&migration.name));
        released.into_iter().chain(new).cloned().collect()
    } else {
        migrations.clone()
    };
    let mut replayed = None;
    on_shadow(&mut |shadow| {
        replayed = Some(replay(project, shadow, &deploy_order, &namespaces)?);
        Ok(())
    })?;
    let (apply, state) = replayed.expect("the replay ran");
    let down = if state.is_none() {
        not_run(CiCheckKind::Down, "a migration did not apply")
    } else {
        let mut checked = None;
        on_shadow(&mut |shadow| {
            checked = Some(check_downs(
                project,
                shadow,
                &migrations,
                &selected,
                &namespaces,
            )?);
            Ok(())
        })?;
        checked.expect("the down check ran")
    };
    checks.push(apply);
    let missing = match state {
        Some(state) => {
            let diff = drydock_diff::diff(&state, &target, dialect.diff_hooks());
            if diff.is_empty() {
                passed(
                    CiCheckKind::MissingMigration,
                    "the migrations produce the schema",
                )
            } else {
                let what = summarize(&diff.changes);
                CiCheck {
                    kind: CiCheckKind::MissingMigration,
                    passed: false,
                    ran: true,
                    summary: format!(
                        "the schema has changes no migration makes; run `drydock migrate dev` \
                         and commit the migration:\n{what}"
                    ),
                    annotations: vec![annotation(
                        &project.schema_path.display().to_string(),
                        1,
                        "error",
                        "schema change without a migration",
                        &format!("run `drydock migrate dev`: {}", what.replace('\n', "; ")),
                    )],
                }
            }
        }
        None => not_run(CiCheckKind::MissingMigration, "a migration did not apply"),
    };
    checks.push(missing);
    checks.push(down);
    checks.push(lint_check(&linted.report));
    checks.push(conflicts_check(
        project,
        &migrations,
        &selected,
        options.since.is_some(),
    )?);
    for check in &checks[1..] {
        events.info(&summary_line(check));
    }
    Ok(CiReport { selected, checks })
}

fn summary_line(check: &CiCheck) -> String {
    let mark = match (check.ran, check.passed) {
        (false, _) => "skip",
        (true, true) => "pass",
        (true, false) => "FAIL",
    };
    format!("{mark}  {}: {}", check.kind.title(), check.summary)
}

fn passed(kind: CiCheckKind, summary: &str) -> CiCheck {
    CiCheck {
        kind,
        passed: true,
        ran: true,
        summary: summary.to_owned(),
        annotations: Vec::new(),
    }
}

/// A check that could not run counts as passed for the exit code: the earlier failure decides.
fn not_run(kind: CiCheckKind, why: &str) -> CiCheck {
    CiCheck {
        kind,
        passed: true,
        ran: false,
        summary: format!("not run: {why}"),
        annotations: Vec::new(),
    }
}

fn annotation(
    path: &str,
    line: usize,
    level: &'static str,
    title: &str,
    message: &str,
) -> CiAnnotation {
    CiAnnotation {
        path: path.to_owned(),
        line,
        column: 1,
        level,
        title: title.to_owned(),
        message: message.to_owned(),
    }
}

/// The schema lowers without errors, and every schema file is formatted.
fn schema_check(project: &Project) -> CiCheck {
    let mut annotations = Vec::new();
    let mut problems = Vec::new();
    if let Err(error) = project.target_schema(None) {
        problems.push(format!("the schema does not lower: {error}"));
        annotations.push(annotation(
            &project.schema_path.display().to_string(),
            1,
            "error",
            "schema",
            &error.to_string(),
        ));
    }
    for (_, file) in project.files.iter() {
        if drydock_psl::format(&file.text) != file.text {
            problems.push(format!(
                "{} is not formatted; run `drydock format`",
                file.name
            ));
            annotations.push(annotation(
                &file.name,
                1,
                "error",
                "schema not formatted",
                "run `drydock format` and commit the result",
            ));
        }
    }
    if problems.is_empty() {
        return passed(CiCheckKind::Schema, "valid and formatted");
    }
    CiCheck {
        kind: CiCheckKind::Schema,
        passed: false,
        ran: true,
        summary: problems.join("\n"),
        annotations,
    }
}

/// Applies `migrations` in the order given on the throwaway database: the apply check, and the
/// schema they produce when all applied.
fn replay(
    project: &Project,
    shadow: &mut dyn Connection,
    migrations: &[LocalMigration],
    namespaces: &[String],
) -> Result<(CiCheck, Option<drydock_schema::SqlSchema>), EngineError> {
    for migration in migrations {
        if let Err(error) = run_script(project.dialect, shadow, migration.executable_script()) {
            let path = migration
                .path
                .join(drydock_migrate::MIGRATION_FILE_NAME)
                .display()
                .to_string();
            let apply = CiCheck {
                kind: CiCheckKind::Apply,
                passed: false,
                ran: true,
                summary: format!(
                    "`{}` fails on an empty database: {}",
                    migration.name, error.message
                ),
                annotations: vec![annotation(
                    &path,
                    1,
                    "error",
                    "migration fails to apply",
                    &error.message,
                )],
            };
            return Ok((apply, None));
        }
    }
    let apply = passed(
        CiCheckKind::Apply,
        &format!(
            "{} migration(s) applied from empty, in deploy order",
            migrations.len()
        ),
    );
    Ok((apply, Some(shadow.introspect(namespaces)?)))
}

/// Applies the migrations in order; each selected one with a `down.sql` goes up, down to the
/// schema before it, and up again. The first failure ends the check: what a broken down leaves
/// is no ground for the next ones.
fn check_downs(
    project: &Project,
    shadow: &mut dyn Connection,
    migrations: &[LocalMigration],
    selected: &[String],
    namespaces: &[String],
) -> Result<CiCheck, EngineError> {
    let dialect = project.dialect;
    let mut checked = 0;
    for migration in migrations {
        let down_path = migration
            .down_path()
            .filter(|_| selected.contains(&migration.name));
        let Some(down_path) = down_path else {
            run_script(dialect, shadow, migration.executable_script()).map_err(|error| {
                EngineError::ShadowReplay {
                    migration: migration.name.clone(),
                    message: error.message,
                }
            })?;
            continue;
        };
        let down = std::fs::read_to_string(&down_path).map_err(|error| {
            EngineError::Usage(format!("can't read `{}`: {error}", down_path.display()))
        })?;
        let before = shadow.introspect(namespaces)?;
        checked += 1;
        let outcome = check_round_trip(
            dialect,
            shadow,
            migration.executable_script(),
            &down,
            &before,
            namespaces,
            false,
        )?;
        if let Err(reason) = outcome {
            return Ok(CiCheck {
                kind: CiCheckKind::Down,
                passed: false,
                ran: true,
                summary: format!("{}: {reason}", migration.name),
                annotations: vec![annotation(
                    &down_path.display().to_string(),
                    1,
                    "error",
                    "down.sql does not undo its migration",
                    &reason,
                )],
            });
        }
    }
    Ok(passed(
        CiCheckKind::Down,
        &format!("{checked} down.sql file(s) went down and up again"),
    ))
}

/// The conflicts of the folder; with a base branch, the migrations added since it that sort
/// before its newest one are out of order (the base branch is what production has).
fn conflicts_check(
    project: &Project,
    migrations: &[LocalMigration],
    selected: &[String],
    against_base: bool,
) -> Result<CiCheck, EngineError> {
    let mut conflicts = crate::find_conflicts(project, None)?;
    if against_base {
        let released: Vec<String> = migrations
            .iter()
            .filter(|migration| !selected.contains(&migration.name))
            .map(|migration| migration.name.clone())
            .collect();
        let newest = released.iter().max();
        for name in drydock_migrate::out_of_order(selected, newest.map(String::as_str)) {
            if let Some(newest) = newest {
                conflicts.push(drydock_migrate::out_of_order_conflict(name, newest));
            }
        }
    }
    if conflicts.is_empty() {
        return Ok(passed(CiCheckKind::Conflicts, "none"));
    }
    let folder = |name: &str| {
        project
            .migrations_dir
            .join(name)
            .join(drydock_migrate::MIGRATION_FILE_NAME)
            .display()
            .to_string()
    };
    let annotations = conflicts
        .iter()
        .map(|conflict| {
            annotation(
                &folder(conflict.migrations.first().map_or("", String::as_str)),
                1,
                "error",
                &format!("{} migration conflict", conflict.code),
                &format!("{} {}", conflict.explanation, conflict.fix),
            )
        })
        .collect();
    let summary = conflicts
        .iter()
        .map(|conflict| {
            format!(
                "[{}] {} {}",
                conflict.code, conflict.explanation, conflict.fix
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(CiCheck {
        kind: CiCheckKind::Conflicts,
        passed: false,
        ran: true,
        summary,
        annotations,
    })
}

/// Lint errors fail; warnings are annotated.
fn lint_check(report: &Report) -> CiCheck {
    let annotations: Vec<CiAnnotation> = report
        .findings
        .iter()
        .filter(|finding| finding.level != Level::Note)
        .filter_map(|finding| {
            let file = report.files.get(finding.span.file)?;
            let (line, column) = line_column(&file.text, finding.span.start);
            Some(CiAnnotation {
                path: file.name.clone(),
                line,
                column,
                level: if finding.level == Level::Error {
                    "error"
                } else {
                    "warning"
                },
                title: format!("{} {}", finding.rule.code, finding.rule.name),
                message: format!("{} ({})", finding.message, finding.help),
            })
        })
        .collect();
    let errors = report.count(Level::Error);
    let warnings = report.count(Level::Warning);
    CiCheck {
        kind: CiCheckKind::Lint,
        passed: errors == 0,
        ran: true,
        summary: format!("{errors} error(s), {warnings} warning(s)"),
        annotations,
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
    (line, column)
}
