//! What an interrupted run leaves in the backups folder, and the lock that tells a live run's
//! files from it. Every file is written under a hidden `.partial` name and renamed when
//! complete; temporary folders are hidden `.drydock-*` folders. A run (`create`, `verify`,
//! `restore`) holds [`LOCK_FILE`] shared while it works; `prune` removes debris only when it
//! can take the lock exclusively, so it never deletes the files of a run in progress. The kernel
//! releases the lock of a killed process, so a `kill -9` leaves debris `prune` can remove.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::BackupError;
use crate::manifest;

/// Held shared by every run in the folder, exclusively by `prune` while it removes debris.
pub const LOCK_FILE: &str = ".drydock.lock";
/// The suffix of every file being written.
pub(crate) const PARTIAL_SUFFIX: &str = ".partial";
/// The prefix of temporary folders (a dump tool's output, an unpacked backup).
pub(crate) const TEMP_PREFIX: &str = ".drydock-";
/// The suffixes of backup files.
const DUMP_SUFFIXES: [&str; 2] = [".dump.zst", ".dump.zst.age"];

/// `.<name>.partial`: where `name` is written until it is complete.
pub(crate) fn partial_name(name: &str) -> String {
    format!(".{name}{PARTIAL_SUFFIX}")
}

/// The shared lock of a run in `dir` (created when missing), released when dropped or when the
/// process dies.
pub(crate) struct RunLock {
    _file: File,
}

impl RunLock {
    pub(crate) fn shared(dir: &Path) -> Result<RunLock, BackupError> {
        let file = open_lock(dir)?;
        file.lock_shared()
            .map_err(|e| BackupError::io(format!("locking `{}`", lock_path(dir).display()), e))?;
        Ok(RunLock { _file: file })
    }
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.join(LOCK_FILE)
}

fn open_lock(dir: &Path) -> Result<File, BackupError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| BackupError::io(format!("creating `{}`", dir.display()), e))?;
    let path = lock_path(dir);
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .map_err(|e| BackupError::io(format!("opening `{}`", path.display()), e))
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
}

impl DebrisKind {
    pub fn describe(self) -> &'static str {
        match self {
            DebrisKind::PartialFile => "partial file of an interrupted run",
            DebrisKind::TempFolder => "temporary folder of an interrupted run",
            DebrisKind::NoManifest => "backup file without a manifest (interrupted run)",
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

/// The debris in `dir`, by name. While a run holds the lock, some of it may be that run's work
/// in progress: [`remove`] knows.
pub fn list(dir: &Path) -> Result<Vec<Debris>, BackupError> {
    let reading = |e| BackupError::io(format!("reading `{}`", dir.display()), e);
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(reading(e)),
    };
    let listed: Vec<String> = manifest::list(dir)?.into_iter().map(|m| m.file).collect();
    let mut debris = Vec::new();
    for entry in entries {
        let entry = entry.map_err(reading)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let metadata = entry.metadata().map_err(reading)?;
        let kind = if metadata.is_dir() && name.starts_with(TEMP_PREFIX) {
            DebrisKind::TempFolder
        } else if !metadata.is_file() || name == LOCK_FILE {
            continue;
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
            modified: metadata.modified().ok().map(DateTime::<Utc>::from),
        });
    }
    debris.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(debris)
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

/// What `prune` did with the debris.
#[derive(Debug, Clone, Serialize)]
pub struct DebrisReport {
    pub debris: Vec<Debris>,
    /// Whether it was deleted.
    pub removed: bool,
    /// Why it was kept, when it was.
    pub kept_because: Option<String>,
}

/// Remove `dir`'s debris when `apply`, unless a run holds the lock: then every leftover may be
/// that run's work in progress, and all of it is kept.
pub(crate) fn remove(dir: &Path, apply: bool) -> Result<DebrisReport, BackupError> {
    let debris = list(dir)?;
    if debris.is_empty() || !apply {
        return Ok(DebrisReport {
            debris,
            removed: false,
            kept_because: None,
        });
    }
    let lock = open_lock(dir)?;
    if lock.try_lock().is_err() {
        // Listed again under the lock would not help: the run may create more at any time.
        return Ok(DebrisReport {
            debris,
            removed: false,
            kept_because: Some(
                "a backup, verify or restore is running in this folder; run prune again after it"
                    .to_owned(),
            ),
        });
    }
    // Listed again under the lock: what a run finished in between is no longer debris.
    let debris = list(dir)?;
    for item in &debris {
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
    Ok(DebrisReport {
        debris,
        removed: true,
        kept_because: None,
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

        let run = RunLock::shared(path).unwrap();
        let report = remove(path, true).unwrap();
        assert!(!report.removed && report.kept_because.is_some());
        assert_eq!(list(path).unwrap().len(), 3);
        drop(run);
        let report = remove(path, false).unwrap();
        assert!(!report.removed && report.kept_because.is_none());
        assert!(remove(path, true).unwrap().removed);
        assert!(list(path).unwrap().is_empty());
        assert!(path.join("notes.txt").exists());
    }
}
