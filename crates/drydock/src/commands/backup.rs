//! `drydock backup create | verify | restore | list | prune`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use drydock_backup::{BackupError, CreateOptions, Manifest, RestoreOptions, VerifyOptions};
use drydock_engine::{Discovery, EngineError, Project, Settings, tasks};

use crate::cli::{BackupCommand, BackupStoreArgs};
use crate::output::print_json;
use crate::terminal::{self, say};

pub(crate) fn run(discovery: Discovery<'_>, command: BackupCommand) -> anyhow::Result<ExitCode> {
    match command {
        BackupCommand::Create {
            connection,
            store,
            compression_level,
            jobs,
            output,
        } => {
            let url = resolve_url(discovery, connection.url.as_deref())?;
            let mut options = CreateOptions::new(store.dir(discovery)?);
            options.compression_level = compression_level;
            options.jobs = jobs;
            options.passphrase = passphrase(&store)?;
            let outcome = tasks::backup::create(&url, &options, terminal::events());
            terminal::clear_progress();
            let outcome = outcome?;
            terminal::summary(outcome.summary());
            if output.json {
                print_json(&outcome.manifest)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Verify {
            backup,
            checksum_only,
            jobs,
            connection,
            store,
        } => {
            let dir = store.dir(discovery)?;
            let manifest = tasks::backup::find(&dir, backup.as_deref())?;
            let near = if checksum_only {
                None
            } else {
                Some(resolve_url(discovery, connection.url.as_deref())?)
            };
            let options = VerifyOptions {
                passphrase: passphrase(&store)?,
                checksum_only,
                jobs,
            };
            let outcome = tasks::backup::verify(
                &dir,
                &manifest,
                near.as_deref(),
                &options,
                terminal::events(),
            )?;
            terminal::summary(outcome.summary());
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Restore {
            backup,
            to,
            force,
            allow_unverified,
            jobs,
            store,
        } => {
            let url = resolve_url(discovery, to.as_deref())?;
            let dir = store.dir(discovery)?;
            let manifest = tasks::backup::select(&dir, backup.as_deref(), allow_unverified)?;
            let passphrase = passphrase(&store)?;
            let mut safety = CreateOptions::new(dir.clone());
            safety.passphrase.clone_from(&passphrase);
            safety.jobs = jobs;
            let options = RestoreOptions {
                passphrase,
                force,
                jobs,
                safety,
            };
            let outcome =
                tasks::backup::restore(&dir, &manifest, &url, &options, terminal::events())?;
            terminal::summary(outcome.summary());
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::List {
            connection,
            store,
            output,
        } => {
            let dir = store.dir(discovery)?;
            let server = server_url(discovery, connection.url.as_deref());
            let listed = tasks::backup::list(&dir, server.as_deref(), terminal::events())?;
            if output.json {
                print_json(&listed.manifests)?;
            } else {
                print_list(&listed.manifests);
            }
            print_debris(&listed.debris, output.json);
            for line in &listed.leftover_databases {
                eprintln!("INTERRUPTED database {line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Prune {
            keep_last,
            keep_daily,
            keep_weekly,
            max_age,
            apply,
            connection,
            store,
            output,
        } => {
            let policy = drydock_backup::RetentionPolicy {
                keep_last,
                keep_daily,
                keep_weekly,
                max_age: max_age
                    .map(chrono::Duration::from_std)
                    .transpose()
                    .context("--max-age is too long")?,
            };
            let dir = store.dir(discovery)?;
            let server = server_url(discovery, connection.url.as_deref());
            let outcome =
                tasks::backup::prune(&dir, &policy, apply, server.as_deref(), terminal::events())?;
            terminal::summary(outcome.summary());
            let (decisions, debris) = (&outcome.decisions, &outcome.debris);
            if output.json {
                let rows: Vec<serde_json::Value> = decisions
                    .iter()
                    .map(|d| {
                        serde_json::json!({
                            "id": d.manifest.id,
                            "keep": d.keep,
                            "reasons": d.reasons,
                        })
                    })
                    .collect();
                print_json(&serde_json::json!({
                    "applied": apply,
                    "backups": rows,
                    "debris": debris,
                }))?;
            } else {
                for line in outcome.lines() {
                    say(&line);
                }
                if !apply && outcome.removed() > 0 {
                    terminal::events().info("Dry run: pass --apply to delete.");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

impl BackupStoreArgs {
    /// `--dir`, else the project's `[backup] dir`, else `./backups`.
    fn dir(&self, discovery: Discovery<'_>) -> Result<PathBuf, EngineError> {
        backups_dir(discovery, self.dir_flag.as_deref())
    }
}

/// `flag`, else the `[backup] dir` of the project's settings, else `./backups`.
pub(crate) fn backups_dir(
    discovery: Discovery<'_>,
    flag: Option<&Path>,
) -> Result<PathBuf, EngineError> {
    Ok(project_settings(discovery)?.backup_dir(flag))
}

/// The project's settings; none without a project or a settings file. A settings file that is
/// not valid is an error (D1003), never passed over.
fn project_settings(discovery: Discovery<'_>) -> Result<Settings, EngineError> {
    match Project::discover(discovery) {
        Ok(project) => Settings::load(&project),
        Err(_) => Ok(Settings::default()),
    }
}

/// `--url` (or `--to`), else the schema's datasource, as other commands do. A given URL needs
/// no project, but a relative SQLite path in it resolves against the schema folder when there
/// is one, as Prisma does.
fn resolve_url(discovery: Discovery<'_>, url: Option<&str>) -> anyhow::Result<String> {
    match (url, Project::discover(discovery)) {
        (_, Ok(project)) => {
            super::describe_project(&project);
            Ok(project.migration_url(url).map_err(EngineError::from)?)
        }
        (Some(url), Err(_)) => Ok(url.to_owned()),
        (None, Err(e)) => Err(EngineError::from(e).into()),
    }
}

/// The database whose server `list` and `prune` look at for leftover databases: `--url`, else
/// the schema's datasource when there is a project; none without either.
fn server_url(discovery: Discovery<'_>, url: Option<&str>) -> Option<String> {
    resolve_url(discovery, url).ok()
}

fn passphrase(store: &BackupStoreArgs) -> anyhow::Result<Option<String>> {
    let Some(var) = &store.passphrase_env else {
        return Ok(None);
    };
    let value = std::env::var(var).map_err(|_| {
        anyhow::Error::from(BackupError::Usage(format!(
            "--passphrase-env names `{var}`, which is not set: export the passphrase in `{var}`"
        )))
    })?;
    if value.is_empty() {
        return Err(anyhow::Error::from(BackupError::Usage(format!(
            "the passphrase in `{var}` is empty: set it to the backup's passphrase"
        ))));
    }
    Ok(Some(value))
}

fn size(bytes: u64) -> String {
    indicatif::HumanBytes(bytes).to_string()
}

fn print_list(manifests: &[Manifest]) {
    if manifests.is_empty() {
        eprintln!("No backups.");
        return;
    }
    println!(
        "{:<40} {:>8} {:>10} {:<10} {:<4} {:<4} LAST MIGRATION",
        "ID", "AGE", "SIZE", "PROVIDER", "SUM", "TEST"
    );
    let now = chrono::Utc::now();
    for m in manifests {
        let age = (now - m.started_at).to_std().unwrap_or_default();
        let mark = |ok: bool| if ok { "yes" } else { "-" };
        println!(
            "{:<40} {:>8} {:>10} {:<10} {:<4} {:<4} {}",
            m.id,
            tasks::backup::short_age(age),
            size(m.stored_size),
            m.provider,
            mark(m.checksummed_at.is_some()),
            mark(m.restore_tested()),
            m.last_migration.as_deref().unwrap_or("-")
        );
    }
}

/// The leftovers of interrupted runs, after the backups (on stderr with `--json`, whose output
/// stays the list of manifests).
fn print_debris(debris: &[drydock_backup::Debris], json: bool) {
    if debris.is_empty() {
        return;
    }
    let now = chrono::Utc::now();
    let lines = debris.iter().map(|item| {
        let age = item
            .modified
            .and_then(|at| (now - at).to_std().ok())
            .map_or_else(|| "-".to_owned(), tasks::backup::short_age);
        format!(
            "{:<40} {:>8} {:>10} INTERRUPTED: {}",
            item.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            age,
            size(item.size),
            item.kind.describe()
        )
    });
    if json {
        lines.for_each(|line| eprintln!("{line}"));
    } else {
        lines.for_each(|line| println!("{line}"));
    }
    eprintln!(
        "{} leftover(s) of interrupted runs: `drydock backup prune --apply` removes them.",
        debris.len()
    );
}
