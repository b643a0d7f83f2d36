//! `drydock lint`: check migration SQL for data loss, long locks and rewrites, changes that
//! break app versions still running, transaction mistakes and vague migration names.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use drydock_engine::migrate::{MIGRATION_FILE_NAME, list_migrations};
use drydock_engine::{
    Deployer, Dialect, Discovery, EngineError, LintFixOptions, LintSelection, Project,
    ProjectLintOptions, dialects, redact_url,
};
use drydock_lint::report::{render_github, render_text, to_json};
use drydock_lint::rules::migration_name;
use drydock_lint::{ConnectionFacts, LintOptions, MigrationFile, NoFacts, Report};

use crate::cli::{DeployedBy, LintArgs, LintFormat};

pub(crate) fn lint(discovery: Discovery<'_>, args: LintArgs) -> anyhow::Result<ExitCode> {
    let project = Project::discover(discovery);
    let deployed_by = match (args.deployed_by, args.deployed_by_drydock) {
        (Some(DeployedBy::Prisma), _) => Some(Deployer::Prisma),
        (Some(DeployedBy::Drydock), _) | (None, true) => Some(Deployer::Drydock),
        (None, false) => None,
    };
    // The project's own migrations are read with the history before them; other files alone.
    let project_mode = match &project {
        Ok(project) => args
            .paths
            .iter()
            .all(|path| drydock_engine::in_migrations_folder(project, path)),
        Err(_) => args.paths.is_empty(),
    };
    if project_mode || args.pending || args.since.is_some() {
        let project = project.map_err(EngineError::from)?;
        super::describe_project(&project);
        let selection = if args.pending {
            LintSelection::Pending
        } else if let Some(revision) = &args.since {
            LintSelection::Since(revision.clone())
        } else if args.paths.is_empty() {
            LintSelection::All
        } else {
            LintSelection::Paths(args.paths.clone())
        };
        let options = ProjectLintOptions {
            selection,
            url: args.url.clone(),
            max_rows: args.max_rows,
            deployed_by,
            baseline: args.baseline.clone(),
            apply_baseline: true,
        };
        if let Some(url) = &args.url {
            live_dialect(project.dialect, url)?;
        }
        if args.fix {
            return fix(&project, options, args.url.clone(), args.yes);
        }
        let mut linted = drydock_engine::lint_project(&project, &options)?;
        if args.write_baseline {
            let path = linted.baseline.take().context(
                "`--write-baseline` needs a file: pass `--baseline FILE` or set `[lint] baseline` \
                 in drydock.toml",
            )?;
            // Accept what the baseline accepted before too: rewrite it from a run without it.
            let fresh = drydock_engine::lint_project(
                &project,
                &ProjectLintOptions {
                    apply_baseline: false,
                    ..options
                },
            )?;
            let count = drydock_engine::write_baseline(&path, &fresh.report)?;
            eprintln!(
                "Wrote {count} accepted finding(s) to {}; `drydock lint` leaves them out from now \
                 on.",
                path.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        if args.since.is_some() || args.pending {
            eprintln!(
                "Linting {} migration(s){}",
                linted.selected.len(),
                if linted.selected.is_empty() { "" } else { ":" }
            );
            for name in &linted.selected {
                eprintln!("  {name}");
            }
        }
        if linted.accepted > 0 {
            eprintln!(
                "{} finding(s) accepted by the baseline {} left out",
                linted.accepted,
                linted
                    .baseline
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
        }
        return print_report(&linted.report, args.format, args.warnings_as_errors);
    }
    let dialect = match (&project, args.url.as_deref()) {
        (Ok(project), _) => project.dialect,
        // Loose files outside a project: the URL tells the database, else PostgreSQL,
        // whose grammar the linter reads.
        (Err(_), Some(url)) => dialects::for_url(url)
            .with_context(|| format!("unknown database URL `{}`", redact_url(url)))?,
        (Err(_), None) => dialects::for_loose_sql(),
    };
    let mut files = Vec::new();
    for path in &args.paths {
        files.extend(files_at(path)?);
    }
    let options = LintOptions {
        dialect,
        max_rows: args.max_rows,
        deployed_by_drydock: deployed_by == Some(Deployer::Drydock),
    };
    let report = match args.url.as_deref() {
        // Live facts come from databases whose lock levels the linter knows; elsewhere only
        // static rules run.
        Some(url) if drydock_lint::knows_locks(dialect) => {
            let mut connection = live_dialect(dialect, url)?
                .connect(url)
                .map_err(EngineError::from)?;
            let mut facts = ConnectionFacts::new(
                connection.as_mut(),
                dialect.capabilities().sql_grammar,
                args.max_rows,
            );
            drydock_lint::lint(files, &options, &mut facts)
        }
        _ => drydock_lint::lint(files, &options, &mut NoFacts),
    };
    print_report(&report, args.format, args.warnings_as_errors)
}

/// Plans the fix, shows it, and writes it when told to (`--yes`) or when the user agrees.
fn fix(
    project: &Project,
    lint: ProjectLintOptions,
    url: Option<String>,
    yes: bool,
) -> anyhow::Result<ExitCode> {
    let options = LintFixOptions {
        lint,
        databases: url.into_iter().collect(),
    };
    let planned = drydock_engine::plan_lint_fix(project, &options)?;
    for (migration, reason) in &planned.left {
        eprintln!("Left as it is: {migration}: {reason}");
    }
    if planned.writes.is_empty() {
        println!("Nothing to fix.");
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", planned.diff());
    eprintln!(
        "The fix takes away {} finding(s); replayed on a shadow database, the rewritten \
         migrations give the same schema.",
        planned.fixed
    );
    let agreed =
        yes || (std::io::stdin().is_terminal() && super::migrate::confirm("Write these changes?")?);
    if !agreed {
        eprintln!("Nothing was written: run `drydock lint --fix --yes` to write it.");
        return Ok(ExitCode::FAILURE);
    }
    drydock_engine::apply_lint_fix(project, &planned)?;
    eprintln!(
        "Wrote {} file(s), {} new migration(s). Review them and commit them.",
        planned.writes.len(),
        planned.new_folders.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn print_report(
    report: &Report,
    format: LintFormat,
    warnings_as_errors: bool,
) -> anyhow::Result<ExitCode> {
    match format {
        LintFormat::Text => print!("{}", render_text(report)),
        LintFormat::Json => crate::output::print_json(&to_json(report))?,
        LintFormat::Github => print!("{}", render_github(report)),
    }
    Ok(if report.fails(warnings_as_errors) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The dialect to read live facts with: the one the URL names must be the project's.
fn live_dialect(dialect: &'static dyn Dialect, url: &str) -> anyhow::Result<&'static dyn Dialect> {
    match dialects::for_url(url) {
        Some(found) if found.provider() == dialect.provider() => Ok(dialect),
        _ => anyhow::bail!(
            "`--url {}` is not a {} database, which the migrations are written for",
            redact_url(url),
            dialect.provider()
        ),
    }
}

/// The migrations of a migrations folder, in the order they apply.
pub(crate) fn folder_migrations(folder: &Path) -> anyhow::Result<Vec<MigrationFile>> {
    let migrations = list_migrations(folder).map_err(EngineError::from)?;
    Ok(migrations
        .iter()
        .map(drydock_engine::migration_file)
        .collect())
}

/// A file, a migration folder (holding `migration.sql`) or a migrations folder.
fn files_at(path: &Path) -> anyhow::Result<Vec<MigrationFile>> {
    if path.is_dir() {
        if path.join(MIGRATION_FILE_NAME).is_file() {
            return Ok(vec![read_file(&path.join(MIGRATION_FILE_NAME))?]);
        }
        return folder_migrations(path);
    }
    Ok(vec![read_file(path)?])
}

fn read_file(path: &Path) -> anyhow::Result<MigrationFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("can't read `{}`", path.display()))?;
    // `…/<timestamp>_<name>/migration.sql` is a migration with a name to check.
    let migration_name = (path.file_name().is_some_and(|n| n == MIGRATION_FILE_NAME))
        .then(|| path.parent().and_then(Path::file_name))
        .flatten()
        .and_then(|folder| folder.to_str())
        .and_then(migration_name::from_folder)
        .map(str::to_owned);
    Ok(MigrationFile {
        path: display(path),
        text: text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned(),
        migration_name,
    })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
