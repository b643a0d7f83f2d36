//! `drydock lint`: check migration SQL for data loss, long locks and rewrites, changes that
//! break app versions still running, transaction mistakes and vague migration names.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use drydock_engine::migrate::{MIGRATION_FILE_NAME, list_migrations};
use drydock_engine::{Dialect, Discovery, EngineError, Project, dialects, redact_url};
use drydock_lint::report::{render_github, render_text, to_json};
use drydock_lint::rules::migration_name;
use drydock_lint::{ConnectionFacts, LintOptions, MigrationFile, NoFacts};

use crate::cli::{LintArgs, LintFormat};

pub(crate) fn lint(discovery: Discovery<'_>, args: LintArgs) -> anyhow::Result<ExitCode> {
    let project = Project::discover(discovery);
    let (dialect, files) = if args.paths.is_empty() {
        // Without paths the project's migrations folder is the subject, so the project must load.
        let project = project.map_err(EngineError::from)?;
        super::describe_project(&project);
        let files = folder_migrations(&project.migrations_dir)?;
        (project.dialect, files)
    } else {
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
        (dialect, files)
    };
    let options = LintOptions {
        dialect,
        max_rows: args.max_rows,
        deployed_by_drydock: args.deployed_by_drydock,
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
    match args.format {
        LintFormat::Text => print!("{}", render_text(&report)),
        LintFormat::Json => crate::output::print_json(&to_json(&report))?,
        LintFormat::Github => print!("{}", render_github(&report)),
    }
    Ok(if report.fails(args.warnings_as_errors) {
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
