//! What an interrupted run leaves in the backups folder, and the locks that tell a live run's
//! files from it. Every file is written under a hidden `.partial` name and renamed when
//! complete; temporary folders are hidden `.drydock-*` folders. Each run (`create`, `verify`,
//! `restore`) holds a lock file of its own, `.drydock-run-<uuid>.lock`, made when it starts and
//! removed when it ends: a run's files are all younger than its lock file, so `prune` removes
//! only debris older than the oldest run in progress. The kernel releases the lock of a killed
//! process: its lock file is then debris too.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::BackupError;
use crate::manifest;
use crate::store::create_private;

/// Held by `prune` while it decides and deletes, and by a run while it makes its own lock
/// file: a run's lock is never seen half made.
pub const LOCK_FILE: &str = ".drydock.lock";
/// The suffix of every file being written.
pub(crate) const PARTIAL_SUFFIX: &str = ".partial";
/// The prefix of temporary folders (a dump tool's output, an unpacked backup).
pub(crate) const TEMP_PREFIX: &str = ".drydock-";
/// A run's lock file: `.drydock-run-<uuid>.lock`.
const RUN_PREFIX: &str = ".drydock-run-";
const RUN_SUFFIX: &str = ".lock";
/// The suffixes of backup files.
const DUMP_SUFFIXES: [&str; 2] = [".dump.zst", ".dump.zst.age"];

/// `.<name>.partial`: where `name` is written until it is complete.
pub(crate) fn partial_name(name: &str) -> String {
    format!(".{name}{PARTIAL_SUFFIX}")
}

/// A run in progress in a backups folder: its lock file, locked until dropped (or until the
/// process dies), removed when dropped.
pub(crate) struct RunLock {
    path: PathBuf,
    _file: File,
}

impl RunLock {
    pub(crate) fn start(dir: &Path) -> Result<RunLock, BackupError> {
        let guard = open_folder_lock(dir)?;
        guard.lock().map_err(|e| {
            BackupError::io(format!("locking `{}`", dir.join(LOCK_FILE).display()), e)
        })?;
        let path = dir.join(format!(
            "{RUN_PREFIX}{}{RUN_SUFFIX}",
            uuid::Uuid::new_v4().simple()
        ));
        let file = create_private(&path)?;
        if let Err(e) = file.lock() {
            let _ = std::fs::remove_file(&path);
            return Err(BackupError::io(format!("locking `{}`", path.display()), e));
        }
        Ok(RunLock { path, _file: file })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn open_folder_lock(dir: &Path) -> Result<File, BackupError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| BackupError::io(format!("creating `{}`", dir.display()), e))?;
    let path = dir.join(LOCK_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .map_err(|e| BackupError::io(format!("opening `{}`", path.display()), e))
}

/// Whether the run lock file at `path` is held by a live run.
fn held(path: &Path) -> bool {
    File::open(path).is_ok_and(|file| file.try_lock_shared().is_err())
}

/// What kind of leftover an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DebrisKind {
    /// A backup file or manifest whose writing never finished.
    PartialFile,
    /// A temporary folder of a dump or restore tool.
    TempFolder,
    /// A complete backup file whose manifest was never written: nothing lists or checks it.
    NoManifest,
    /// The lock file of a run that ended without removing it.
    RunLock,
}

impl DebrisKind {
    pub fn describe(self) -> &'static str {
        match self {
            DebrisKind::PartialFile => "partial file of an interrupted run",
            DebrisKind::TempFolder => "temporary folder of an interrupted run",
            DebrisKind::NoManifest => "backup file without a manifest (interrupted run)",
            DebrisKind::RunLock => "lock file of an interrupted run",
        }
    }
}

/// One leftover of an interrupted run.
#[derive(Debug, Clone, Serialize)]
pub struct Debris {
    pub path: PathBuf,
    pub kind: DebrisKind,
    /// Bytes it takes (a folder's files added up).
    pub size: u64,
    pub modified: Option<DateTime<Utc>>,
}

/// The debris in `dir`, by name: what is not a listed backup and not a live run's lock. Some of
/// it may be a run's work in progress: [`remove`] tells which.
pub fn list(dir: &Path) -> Result<Vec<Debris>, BackupError> {
    Ok(scan(dir)?.debris)
}

/// The debris in `dir`, and when the oldest run in progress there started.
struct Scan {
    debris: Vec<Debris>,
    oldest_run: Option<DateTime<Utc>>,
}

fn scan(dir: &Path) -> Result<Scan, BackupError> {
    let reading = |e| BackupError::io(format!("reading `{}`", dir.display()), e);
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Scan {
                debris: Vec::new(),
                oldest_run: None,
            });
        }
        Err(e) => return Err(reading(e)),
    };
    let listed: Vec<String> = manifest::list(dir)?.into_iter().map(|m| m.file).collect();
    let mut debris = Vec::new();
    let mut oldest_run: Option<DateTime<Utc>> = None;
    for entry in entries {
        let entry = entry.map_err(reading)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let metadata = entry.metadata().map_err(reading)?;
        let modified = metadata.modified().ok().map(DateTime::<Utc>::from);
        let run_lock = name.starts_with(RUN_PREFIX) && name.ends_with(RUN_SUFFIX);
        if run_lock && held(&entry.path()) {
            // A run in progress, started when its lock file was made.
            oldest_run = match (oldest_run, modified) {
                (Some(oldest), Some(started)) => Some(oldest.min(started)),
                (oldest, started) => oldest.or(started),
            };
            continue;
        }
        let kind = if metadata.is_dir() && name.starts_with(TEMP_PREFIX) {
            DebrisKind::TempFolder
        } else if !metadata.is_file() || name == LOCK_FILE {
            continue;
        } else if run_lock {
            DebrisKind::RunLock
        } else if name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX) {
            DebrisKind::PartialFile
        } else if !name.starts_with('.')
            && DUMP_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
            && !listed.contains(&name)
        {
            DebrisKind::NoManifest
        } else {
            continue;
        };
        debris.push(Debris {
            path: entry.path(),
            kind,
            size: if metadata.is_dir() {
                folder_size(&entry.path())
            } else {
                metadata.len()
            },
            modified,
        });
    }
    debris.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Scan { debris, oldest_run })
}

/// Bytes of the files in `folder` and below; what cannot be read counts as nothing.
fn folder_size(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(metadata) if metadata.is_dir() => folder_size(&entry.path()),
            Ok(metadata) => metadata.len(),
            Err(_) => 0,
        })
        .sum()
}

/// What `prune` does with the debris.
#[derive(Debug, Clone, Serialize)]
pub struct DebrisReport {
    /// Older than every run in progress: deleted with `apply`, else what would be.
    pub removable: Vec<Debris>,
    /// Whether `removable` was deleted.
    pub applied: bool,
    /// Not older than the oldest run in progress, so possibly its work: kept.
    pub kept: Vec<Debris>,
}

/// Remove `dir`'s debris when `apply`, but what a run in progress may have written: anything not
/// older than the oldest run's lock file.
pub(crate) fn remove(dir: &Path, apply: bool) -> Result<DebrisReport, BackupError> {
    // Under the folder lock, so that no run is between making its lock file and locking it.
    let _guard = if apply && dir.is_dir() {
        let guard = open_folder_lock(dir)?;
        guard.lock().map_err(|e| {
            BackupError::io(format!("locking `{}`", dir.join(LOCK_FILE).display()), e)
        })?;
        Some(guard)
    } else {
        None
    };
    let Scan { debris, oldest_run } = scan(dir)?;
    let (removable, kept): (Vec<Debris>, Vec<Debris>) =
        debris.into_iter().partition(|item| match oldest_run {
            None => true,
            Some(started) => item.modified.is_some_and(|modified| modified < started),
        });
    if apply {
        for item in &removable {
            let removed = if item.kind == DebrisKind::TempFolder {
                std::fs::remove_dir_all(&item.path)
            } else {
                std::fs::remove_file(&item.path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(BackupError::io(
                        format!("deleting `{}`", item.path.display()),
                        e,
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(DebrisReport {
        removable,
        applied: apply,
        kept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debris_is_told_from_backups_and_kept_while_a_run_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        std::fs::write(path.join(".x_postgresql_app.dump.zst.partial"), b"half").unwrap();
        std::fs::write(path.join("y_postgresql_app.dump.zst"), b"whole").unwrap();
        std::fs::create_dir(path.join(".drydock-pg_dump-abc")).unwrap();
        std::fs::write(path.join(".drydock-pg_dump-abc/1.dat"), b"rows").unwrap();
        std::fs::write(path.join("notes.txt"), b"mine").unwrap();
        let kinds: Vec<(String, DebrisKind, u64)> = list(path)
            .unwrap()
            .into_iter()
            .map(|d| {
                let name = d.path.file_name().unwrap().to_string_lossy().into_owned();
                (name, d.kind, d.size)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (".drydock-pg_dump-abc".to_owned(), DebrisKind::TempFolder, 4),
                (
                    ".x_postgresql_app.dump.zst.partial".to_owned(),
                    DebrisKind::PartialFile,
                    4
                ),
                (
                    "y_postgresql_app.dump.zst".to_owned(),
                    DebrisKind::NoManifest,
                    5
                ),
            ]
        );

        // A run in progress keeps what is not older than it, its own files among them.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let run = RunLock::start(path).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(path.join(".z_postgresql_app.dump.zst.partial"), b"live").unwrap();
        let dry = remove(path, false).unwrap();
        assert!(!dry.applied);
        assert_eq!((dry.removable.len(), dry.kept.len()), (3, 1));
        let report = remove(path, true).unwrap();
        assert!(report.applied);
        let kept: Vec<&Path> = report.kept.iter().map(|d| d.path.as_path()).collect();
        assert_eq!(kept, [path.join(".z_postgresql_app.dump.zst.partial")]);
        assert_eq!(list(path).unwrap().len(), 1);
        // A run that ended without removing its lock file leaves debris like any other.
        drop(run);
        std::fs::write(path.join(".drydock-run-killed.lock"), b"").unwrap();
        let report = remove(path, true).unwrap();
        let kinds: Vec<DebrisKind> = report.removable.iter().map(|d| d.kind).collect();
        assert!(kinds.contains(&DebrisKind::RunLock), "{kinds:?}");
        assert!(report.kept.is_empty());
        assert!(list(path).unwrap().is_empty());
        assert!(path.join("notes.txt").exists());
    }
}
