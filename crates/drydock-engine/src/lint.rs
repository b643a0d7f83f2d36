//! `drydock lint` on a project: the whole migrations folder is read in order, so each file is
//! judged against the schema the files before it build, and findings are kept for the
//! migrations asked about: all of them, given folders, those not applied on a database
//! (`--pending`), or those added since a git revision (`--since`). Findings a baseline file
//! accepts are taken away, so a gate stays green on history nobody will rewrite. `migrate dev`
//! reviews its new migration through the same function, so its review is `drydock lint` on it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use drydock_connector::Connection;
use drydock_lint::{LintOptions, Report};
use drydock_migrate::{LocalMigration, list_migrations};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::deploy_review::{LiveTables, lint_selected};
use crate::settings::Deployer;
use crate::{EngineError, Project, Settings};

/// Which migrations' findings a run keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LintSelection {
    /// Every migration of the folder.
    All,
    /// These migration folders (or their `migration.sql`), or the migrations folder itself.
    Paths(Vec<PathBuf>),
    /// The migrations not applied on the database (`_prisma_migrations`).
    Pending,
    /// The migrations added since the merge base of this git revision and `HEAD`, committed or
    /// not.
    Since(String),
}

/// How to lint a project's migrations.
#[derive(Debug, Clone)]
pub struct ProjectLintOptions {
    pub selection: LintSelection,
    /// Read live facts (server version, table sizes) and, for [`LintSelection::Pending`], the
    /// history from this database; `None`: no live facts, and the project's database for
    /// `Pending`.
    pub url: Option<String>,
    pub max_rows: u64,
    /// Who applies the migrations; `None`: `[lint] deployed_by` of drydock.toml.
    pub deployed_by: Option<Deployer>,
    /// The accepted findings; `None`: `[lint] baseline` of drydock.toml, if any.
    pub baseline: Option<PathBuf>,
    /// Leave out the findings the baseline accepts (not when about to write it again).
    pub apply_baseline: bool,
}

impl Default for ProjectLintOptions {
    fn default() -> Self {
        ProjectLintOptions {
            selection: LintSelection::All,
            url: None,
            max_rows: drydock_lint::DEFAULT_MAX_ROWS,
            deployed_by: None,
            baseline: None,
            apply_baseline: true,
        }
    }
}

/// What a project lint found.
#[derive(Debug)]
pub struct ProjectLint {
    /// The findings in the selected migrations that the baseline does not accept.
    pub report: Report,
    /// The migrations whose findings were kept, in order.
    pub selected: Vec<String>,
    /// Findings the baseline accepted (left out of `report`).
    pub accepted: usize,
    /// The baseline file read, if any.
    pub baseline: Option<PathBuf>,
}

/// Lints the project's migrations as `options` say.
pub fn lint_project(
    project: &Project,
    options: &ProjectLintOptions,
) -> Result<ProjectLint, EngineError> {
    let settings = Settings::load(project)?;
    let migrations = list_migrations(&project.migrations_dir)?;
    let needs_database = options.selection == LintSelection::Pending
        || (options.url.is_some() && drydock_lint::knows_locks(project.dialect));
    let mut connection: Option<Box<dyn Connection>> = if needs_database {
        let url = project.migration_url(options.url.as_deref())?;
        Some(project.dialect.connect(&url)?)
    } else {
        None
    };
    let selected = match &options.selection {
        LintSelection::All => migrations.iter().map(|m| m.name.clone()).collect(),
        LintSelection::Paths(paths) => migrations_at(project, &migrations, paths)?,
        LintSelection::Pending => {
            let conn = connection.as_deref_mut().expect("connected for --pending");
            drydock_migrate::status(conn, &project.migrations_dir)?.pending
        }
        LintSelection::Since(revision) => added_since(project, &migrations, revision)?,
    };
    let deployed_by = options.deployed_by.unwrap_or(settings.lint.deployed_by);
    let lint_options = LintOptions {
        dialect: project.dialect,
        max_rows: options.max_rows,
        deployed_by_drydock: deployed_by == Deployer::Drydock,
    };
    let tables = match connection.as_deref_mut() {
        Some(conn) if options.url.is_some() => Some(LiveTables::read(project, conn)?),
        _ => None,
    };
    let live = match (connection.as_deref_mut(), tables.as_ref()) {
        (Some(conn), Some(tables)) => {
            let conn: &mut dyn Connection = conn;
            Some((conn, tables))
        }
        _ => None,
    };
    let mut report = lint_selected(project, &migrations, &selected, &lint_options, live);
    let baseline = options.baseline.clone().or(settings.lint.baseline);
    let mut accepted = 0;
    if let Some(path) = &baseline
        && options.apply_baseline
        && path.exists()
    {
        let accepts = Baseline::read(path)?;
        let before = report.findings.len();
        let files = &report.files;
        report
            .findings
            .retain(|finding| !accepts.contains(&BaselineEntry::of(files, finding)));
        accepted = before - report.findings.len();
    }
    Ok(ProjectLint {
        report,
        selected,
        accepted,
        baseline,
    })
}

/// Writes every finding of `report` to `path` as accepted, replacing what the file held.
pub fn write_baseline(path: &Path, report: &Report) -> Result<usize, EngineError> {
    let mut findings: Vec<BaselineEntry> = report
        .findings
        .iter()
        .map(|finding| BaselineEntry::of(&report.files, finding))
        .collect();
    findings.sort();
    findings.dedup();
    let count = findings.len();
    let baseline = Baseline {
        version: 1,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&baseline).expect("a baseline serializes");
    text.push('\n');
    std::fs::write(path, text).map_err(|error| baseline_error(path, &error.to_string()))?;
    Ok(count)
}

/// The file of accepted findings: each one by its migration, rule and statement, so it
/// survives line moves and matches nothing once the statement changes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Baseline {
    version: u32,
    findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineEntry {
    /// The migration's folder name (or the file's name, for a loose file).
    migration: String,
    rule: String,
    /// sha256 of the statement's text with its whitespace collapsed.
    statement: String,
}

impl BaselineEntry {
    fn of(files: &drydock_diagnostics::Files, finding: &drydock_lint::Finding) -> BaselineEntry {
        let (name, statement) = match files.get(finding.span.file) {
            Some(file) => (
                file.name.as_str(),
                file.text
                    .get(finding.span.start..finding.span.end)
                    .unwrap_or(""),
            ),
            None => ("", ""),
        };
        let path = Path::new(name);
        let migration = path
            .parent()
            .filter(|_| path.file_name().is_some_and(|f| f == "migration.sql"))
            .unwrap_or(path)
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        let collapsed: Vec<&str> = statement.split_whitespace().collect();
        let digest = Sha256::digest(collapsed.join(" ").as_bytes());
        BaselineEntry {
            migration,
            rule: finding.rule.code.to_owned(),
            statement: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

impl Baseline {
    fn read(path: &Path) -> Result<HashSet<BaselineEntry>, EngineError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| baseline_error(path, &error.to_string()))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|error| {
            baseline_error(
                path,
                &format!("line {}, column {}: {error}", error.line(), error.column()),
            )
        })?;
        if baseline.version != 1 {
            return Err(baseline_error(
                path,
                &format!(
                    "version {} is not one this drydock reads (1)",
                    baseline.version
                ),
            ));
        }
        Ok(baseline.findings.into_iter().collect())
    }
}

fn baseline_error(path: &Path, message: &str) -> EngineError {
    EngineError::LintBaseline {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// The migrations `paths` name: the migrations folder (all), a migration folder, or its
/// `migration.sql`. A path naming none of them is an error.
fn migrations_at(
    project: &Project,
    migrations: &[LocalMigration],
    paths: &[PathBuf],
) -> Result<Vec<String>, EngineError> {
    let canonical = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let folder = canonical(&project.migrations_dir);
    let by_folder: HashMap<PathBuf, &str> = migrations
        .iter()
        .map(|migration| (canonical(&migration.path), migration.name.as_str()))
        .collect();
    let mut selected = Vec::new();
    for path in paths {
        let path = canonical(path);
        if path == folder {
            return Ok(migrations.iter().map(|m| m.name.clone()).collect());
        }
        let migration_folder = if path.is_file() {
            path.parent().map(Path::to_owned).unwrap_or_default()
        } else {
            path.clone()
        };
        match by_folder.get(&migration_folder) {
            Some(name) => selected.push((*name).to_owned()),
            None => {
                return Err(EngineError::Usage(format!(
                    "`{}` is not a migration of `{}`: name a migration folder, its \
                     migration.sql, or the migrations folder",
                    path.display(),
                    project.migrations_dir.display()
                )));
            }
        }
    }
    Ok(selected)
}

/// Whether `path` lies inside the project's migrations folder (the folder itself included):
/// such paths are linted with the history before them.
pub fn in_migrations_folder(project: &Project, path: &Path) -> bool {
    let canonical = |path: &Path| std::fs::canonicalize(path).ok();
    match (canonical(path), canonical(&project.migrations_dir)) {
        (Some(path), Some(folder)) => path.starts_with(folder),
        _ => false,
    }
}

/// The migrations whose folder holds a file git says was added since the merge base of
/// `revision` and `HEAD`, or that git does not track yet.
fn added_since(
    project: &Project,
    migrations: &[LocalMigration],
    revision: &str,
) -> Result<Vec<String>, EngineError> {
    let folder = &project.migrations_dir;
    let git = |args: &[&str]| -> Result<String, EngineError> {
        let output = Command::new("git")
            .args(args)
            .current_dir(folder)
            .output()
            .map_err(|error| git_error(revision, &format!("cannot run git: {error}")))?;
        if !output.status.success() {
            return Err(git_error(
                revision,
                String::from_utf8_lossy(&output.stderr).trim(),
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let base = git(&["merge-base", revision, "HEAD"])?;
    let base = base.trim();
    let added = git(&[
        "diff",
        "--name-only",
        "--diff-filter=A",
        "--relative",
        base,
        "--",
        ".",
    ])?;
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--", "."])?;
    let new_folders: HashSet<&str> = added
        .lines()
        .chain(untracked.lines())
        .filter_map(|path| path.split('/').next())
        .collect();
    Ok(migrations
        .iter()
        .filter(|migration| new_folders.contains(migration.name.as_str()))
        .map(|migration| migration.name.clone())
        .collect())
}

fn git_error(revision: &str, message: &str) -> EngineError {
    EngineError::LintSince {
        revision: revision.to_owned(),
        message: message.to_owned(),
    }
}
