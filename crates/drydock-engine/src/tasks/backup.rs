//! `backup create`, `verify`, `restore` and `prune` as tasks, over `drydock-backup`.
//!
//! Counts: `create` examines the tables dumped and affects the rows they hold; `verify`
//! examines the tables a test restore compared (none for a checksum alone) and affects none;
//! `restore` examines the backup's tables and affects their rows; `prune` examines the backups
//! and leftovers of interrupted runs and affects those it deletes (none in a dry run).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use drydock_backup::{
    BackupError, CreateOptions, DebrisReport, Decision, Manifest, RestoreOptions, RestoreReport,
    RetentionPolicy, VerifyOptions,
};
use drydock_tasks::{Event, Events};

use crate::{BackupFacts, BackupState, EngineError, Project, Settings, redact_url};

/// The step of the [`Event::Progress`] events of a dump: `done` counts the bytes written.
pub const DUMP_STEP: &str = "dump";

/// A backup written by [`create`].
#[derive(Debug, Clone)]
pub struct CreateOutcome {
    pub manifest: Manifest,
    pub dir: PathBuf,
    pub elapsed: Duration,
}

impl CreateOutcome {
    /// The rows the backup holds.
    pub fn rows(&self) -> u64 {
        self.manifest.tables.iter().map(|table| table.rows).sum()
    }

    /// `backup 20261206T…_postgresql_app, 12.30 MiB, 14 tables, 1200 rows`.
    pub fn summary(&self) -> String {
        format!(
            "backup {}, {}, {}, {} rows",
            self.manifest.id,
            human_bytes(self.manifest.stored_size),
            super::plural(self.manifest.tables.len(), "table"),
            self.rows()
        )
    }
}

/// Back up the database at `url` into `options.dir`.
pub fn create(
    url: &str,
    options: &CreateOptions,
    events: &dyn Events,
) -> Result<CreateOutcome, EngineError> {
    let backend = drydock_backup::backend_for(url)?;
    events.info(&format!(
        "Backing up {} ({}) into {}",
        redact_url(url),
        backend.provider(),
        options.dir.display()
    ));
    let started = Instant::now();
    let manifest =
        drydock_backup::create_with_progress(backend.as_ref(), url, options, &|bytes| {
            events.event(Event::Progress {
                step: DUMP_STEP.to_owned(),
                done: bytes,
                total: None,
            });
        })?;
    let elapsed = started.elapsed();
    events.info(&format!(
        "Wrote {} ({}, {} tables) in {:.1}s at {}",
        options.dir.join(&manifest.file).display(),
        human_bytes(manifest.stored_size),
        manifest.tables.len(),
        elapsed.as_secs_f64(),
        rate(manifest.uncompressed_size, elapsed)
    ));
    let outcome = CreateOutcome {
        manifest,
        dir: options.dir.clone(),
        elapsed,
    };
    events.event(Event::Counts {
        examined: outcome.manifest.tables.len() as u64,
        affected: outcome.rows(),
    });
    Ok(outcome)
}

/// The backup `migrate deploy --backup` takes: created, then its stored bytes checked.
pub fn create_checked(url: &str, dir: &Path, events: &dyn Events) -> Result<Manifest, EngineError> {
    let created = create(url, &CreateOptions::new(dir), events)?;
    let options = VerifyOptions {
        checksum_only: true,
        ..VerifyOptions::default()
    };
    let checked = drydock_backup::verify(dir, &created.manifest, None, &options)?;
    events.info(&format!(
        "Backup {} checksummed; restore it with `drydock backup restore {} --to <url>`.",
        checked.id, checked.id
    ));
    Ok(checked)
}

/// The backup `selector` names in `dir` (an id, a prefix of one, a file), else the newest.
pub fn find(dir: &Path, selector: Option<&str>) -> Result<Manifest, EngineError> {
    Ok(match selector {
        Some(selector) => drydock_backup::find(dir, selector),
        None => drydock_backup::latest(dir).and_then(|m| {
            m.ok_or_else(|| BackupError::NoBackups {
                dir: dir.to_owned(),
            })
        }),
    }?)
}

/// A backup checked by [`verify`]: its manifest as updated.
#[derive(Debug, Clone)]
pub struct VerifyOutcome {
    pub manifest: Manifest,
    /// This run restored the backup into a scratch database and compared it.
    pub restore_tested: bool,
}

impl VerifyOutcome {
    /// `backup … checksum ok, restore test ok (14 tables)`.
    pub fn summary(&self) -> String {
        match self.restore_tested {
            true => format!(
                "backup {}: checksum ok, restore test ok ({})",
                self.manifest.id,
                super::plural(self.manifest.tables.len(), "table")
            ),
            false => format!("backup {}: checksum ok", self.manifest.id),
        }
    }
}

/// Verify `manifest`'s backup in `dir`: its checksum, then, given a server (`near`), a test
/// restore into a scratch database there, after dropping the scratch databases of runs that
/// died.
pub fn verify(
    dir: &Path,
    manifest: &Manifest,
    near: Option<&str>,
    options: &VerifyOptions,
    events: &dyn Events,
) -> Result<VerifyOutcome, EngineError> {
    if let Some(near) = near {
        for line in drydock_backup::drop_abandoned_databases(near)? {
            events.info(&format!("  {line}"));
        }
    }
    events.info(&format!("Verifying {}", manifest.id));
    let verified = drydock_backup::verify(dir, manifest, near, options)?;
    events.info(&format!(
        "Checksum: ok ({} bytes, sha256 {})",
        verified.stored_size, verified.sha256
    ));
    if let Some(test) = &verified.last_restore_test {
        events.info(&format!(
            "Restore test: ok, {} tables match in {:.1}s",
            verified.tables.len(),
            test.duration_ms as f64 / 1000.0
        ));
    }
    let restore_tested = near.is_some() && !options.checksum_only;
    events.event(Event::Counts {
        examined: if restore_tested {
            verified.tables.len() as u64
        } else {
            0
        },
        affected: 0,
    });
    Ok(VerifyOutcome {
        manifest: verified,
        restore_tested,
    })
}

/// A backup restored by [`restore`].
#[derive(Debug, Clone)]
pub struct RestoreOutcome {
    pub manifest: Manifest,
    pub report: RestoreReport,
}

impl RestoreOutcome {
    /// `restored backup … (14 tables, 1200 rows)`.
    pub fn summary(&self) -> String {
        format!(
            "restored backup {} ({}, {} rows)",
            self.manifest.id,
            super::plural(self.manifest.tables.len(), "table"),
            self.manifest.tables.iter().map(|t| t.rows).sum::<u64>()
        )
    }
}

/// The backup to restore: the one `selector` names in `dir`, else the newest restore-tested
/// one (or the newest, with `allow_unverified`).
pub fn select(
    dir: &Path,
    selector: Option<&str>,
    allow_unverified: bool,
) -> Result<Manifest, EngineError> {
    Ok(drydock_backup::select(dir, selector, allow_unverified)?)
}

/// Restore `manifest`'s backup in `dir` into `url`.
pub fn restore(
    dir: &Path,
    manifest: &Manifest,
    url: &str,
    options: &RestoreOptions,
    events: &dyn Events,
) -> Result<RestoreOutcome, EngineError> {
    let manifest = manifest.clone();
    events.info(&format!(
        "Restoring {} into {}",
        manifest.id,
        redact_url(url)
    ));
    let started = Instant::now();
    let result = drydock_backup::restore(dir, &manifest, url, options).map_err(EngineError::from);
    if let Some(dialect) = crate::dialects::for_url(url) {
        let mut change = crate::audit::AuditedChange::new("backup restore");
        change.started = started;
        change.target = Some(format!("backup {}", manifest.id));
        change
            .extra
            .push(("tables", serde_json::json!(manifest.tables.len())));
        crate::audit::record(dialect, url, change, crate::audit::failure(&result), events);
    }
    let report = result?;
    if let Some(safety) = &report.safety_backup {
        events.info(&format!(
            "Safety backup of the replaced database: {}",
            dir.join(&safety.file).display()
        ));
    }
    if let Some(note) = &report.replaced_unfinished {
        let what = note
            .strip_prefix(drydock_backup::UNFINISHED_RESTORE)
            .unwrap_or(note);
        events.info(&format!(
            "The target held only the remains of an interrupted restore (of {what}): replaced \
             without --force."
        ));
    }
    if let Some(old) = &report.left_behind {
        events.warning(&format!(
            "the replaced database could not be removed: {old}"
        ));
    }
    let created = if report.created { " (created)" } else { "" };
    events.info(&format!(
        "Restored {} tables into {}{created}; every table matches the manifest.",
        manifest.tables.len(),
        redact_url(url)
    ));
    events.event(Event::Counts {
        examined: manifest.tables.len() as u64,
        affected: manifest.tables.iter().map(|t| t.rows).sum(),
    });
    Ok(RestoreOutcome { manifest, report })
}

/// What [`prune`] kept and deleted (or would delete, in a dry run).
#[derive(Debug, Clone)]
pub struct PruneOutcome {
    pub applied: bool,
    pub decisions: Vec<Decision>,
    pub debris: DebrisReport,
}

impl PruneOutcome {
    /// Backups and leftovers deleted (or, in a dry run, that an apply would delete).
    pub fn removed(&self) -> usize {
        self.decisions.iter().filter(|d| !d.keep).count() + self.debris.removable.len()
    }

    /// One line per backup and leftover: kept, deleted or (in a dry run) would be deleted, and
    /// why. What `drydock backup prune` prints and the server's log of the task shows.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for d in &self.decisions {
            let verb = match (d.keep, self.applied) {
                (true, _) => "keep  ",
                (false, true) => "delete",
                (false, false) => "would delete",
            };
            lines.push(format!(
                "{verb} {}  ({})",
                d.manifest.id,
                d.reasons.join(", ")
            ));
        }
        let verb = if self.applied {
            "delete"
        } else {
            "would delete"
        };
        for item in &self.debris.removable {
            lines.push(format!(
                "{verb} {}  ({})",
                item.path.display(),
                item.kind.describe()
            ));
        }
        for item in &self.debris.kept {
            lines.push(format!(
                "keep   {}  ({}; not older than a run in progress, which may be writing it)",
                item.path.display(),
                item.kind.describe()
            ));
        }
        lines
    }

    /// `deleted 2 backups and 1 leftover, kept 5 backups` (`would delete` in a dry run).
    pub fn summary(&self) -> String {
        let deleted = self.decisions.iter().filter(|d| !d.keep).count();
        let verb = if self.applied {
            "deleted"
        } else {
            "would delete"
        };
        format!(
            "{verb} {} and {}, kept {}",
            super::plural(deleted, "backup"),
            super::plural(self.debris.removable.len(), "leftover"),
            super::plural(self.decisions.len() - deleted, "backup")
        )
    }
}

/// Apply `policy` to the backups in `dir` and look for the leftovers of interrupted runs: with
/// `apply`, delete what is not kept. Given a server (`server`), its leftover scratch
/// databases are listed, or dropped with `apply`.
pub fn prune(
    dir: &Path,
    policy: &RetentionPolicy,
    apply: bool,
    server: Option<&str>,
    events: &dyn Events,
) -> Result<PruneOutcome, EngineError> {
    let decisions = drydock_backup::prune(dir, policy, apply)?;
    let debris = drydock_backup::prune_debris(dir, apply)?;
    if let Some(url) = server {
        if apply {
            for line in drydock_backup::drop_abandoned_databases(url)? {
                events.info(&line);
            }
        } else {
            for line in drydock_backup::leftover_databases(url)? {
                events.info(&format!("leftover database {line}"));
            }
        }
    }
    let outcome = PruneOutcome {
        applied: apply,
        decisions,
        debris,
    };
    events.event(Event::Counts {
        examined: (outcome.decisions.len()
            + outcome.debris.removable.len()
            + outcome.debris.kept.len()) as u64,
        affected: if apply { outcome.removed() as u64 } else { 0 },
    });
    Ok(outcome)
}

/// What the project's backup folder holds of its database, for the pre-flight checks.
pub fn backups_of(project: &Project, url: Option<&str>) -> Result<BackupState, EngineError> {
    let settings = Settings::load(project)?;
    let Ok(url) = project.migration_url(url) else {
        // No URL: the connection check says so; there is no database to find backups of.
        return Ok(BackupState::NotConfigured);
    };
    Ok(backup_state(&settings, &settings.backup_dir(None), &url))
}

/// The backups in a folder, newest first, and what interrupted runs left there and on the
/// server.
#[derive(Debug, Clone)]
pub struct ListOutcome {
    pub manifests: Vec<Manifest>,
    pub debris: Vec<drydock_backup::Debris>,
    /// Scratch or restored databases of interrupted runs on the server, one line each.
    pub leftover_databases: Vec<String>,
}

/// List the backups in `dir` and the leftovers of interrupted runs there and, given a server
/// (`server`), on it. The backups are listed whatever the server says: a server that cannot
/// be asked is a warning.
pub fn list(
    dir: &Path,
    server: Option<&str>,
    events: &dyn Events,
) -> Result<ListOutcome, EngineError> {
    let manifests = drydock_backup::list(dir)?;
    let debris = drydock_backup::debris(dir)?;
    let leftover_databases = match server.map(drydock_backup::leftover_databases) {
        None => Vec::new(),
        Some(Ok(lines)) => lines,
        Some(Err(e)) => {
            events.warning(&format!(
                "could not look for leftover databases on the server: {e}"
            ));
            Vec::new()
        }
    };
    Ok(ListOutcome {
        manifests,
        debris,
        leftover_databases,
    })
}

/// What preflight reports of the backups of the database at `url` in `dir`: backups count as
/// set up when the settings have a `[backup]` folder or the folder exists.
pub fn backup_state(settings: &Settings, dir: &Path, url: &str) -> BackupState {
    let configured = settings.backup.dir.is_some() || settings.backup.before_deploy || dir.is_dir();
    if !configured {
        return BackupState::NotConfigured;
    }
    let newest = database_backups(dir, url)
        .unwrap_or_default()
        .into_iter()
        .next();
    match newest {
        Some(manifest) => BackupState::Latest(BackupFacts {
            location: manifest.file_in(dir).display().to_string(),
            taken_at: manifest.started_at,
            checksummed: manifest.checksummed_at.is_some(),
            restore_tested: manifest.restore_tested(),
        }),
        None => BackupState::Missing {
            dir: dir.display().to_string(),
        },
    }
}

/// The backups in `dir` of the database at `url` (all of them when its name cannot be told),
/// newest first.
pub fn database_backups(dir: &Path, url: &str) -> Result<Vec<Manifest>, EngineError> {
    let name = drydock_backup::backend_for(url)
        .and_then(|backend| backend.database_name(url))
        .ok();
    Ok(drydock_backup::list(dir)?
        .into_iter()
        .filter(|manifest| {
            name.as_ref()
                .is_none_or(|name| manifest.database.name == *name)
        })
        .collect())
}

/// `45s`, `12m`, `3h`, `9d`: an age in its largest whole unit.
pub fn short_age(age: Duration) -> String {
    let secs = age.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

/// `12.30 MiB`: bytes in binary units, as the terminal's progress bars write them.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    let mut value = bytes as f64;
    if value < 1024.0 {
        return format!("{value:.0} B");
    }
    let mut unit = 0;
    value /= 1024.0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}B", UNITS[unit])
}

fn rate(bytes: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64().max(0.001);
    format!("{:.1} MB/s", bytes as f64 / 1_000_000.0 / seconds)
}
