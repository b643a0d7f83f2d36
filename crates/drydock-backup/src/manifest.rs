//! The JSON file next to each backup: what it holds, how it was written, and what has been
//! checked about it since.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::BackupError;
use crate::backend::{DumpFormat, TableStats, ToolVersion};
use crate::debris::partial_name;

pub const MANIFEST_VERSION: u32 = 1;
pub(crate) const MANIFEST_SUFFIX: &str = ".manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// The URL without its password.
    pub url: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compression {
    pub algorithm: String,
    pub level: i32,
}

/// The last restore test, successful or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreTest {
    pub at: DateTime<Utc>,
    pub duration_ms: u64,
    pub ok: bool,
    /// Why it failed; `None` when it passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// `<timestamp>_<provider>_<database>`, the stem of both files.
    pub id: String,
    pub provider: String,
    pub database: DatabaseInfo,
    pub server_version: String,
    pub tool_versions: Vec<ToolVersion>,
    pub format: DumpFormat,
    pub compression: Compression,
    /// `age-scrypt` when encrypted with a passphrase.
    pub encryption: Option<String>,
    /// The backup file's name, in the manifest's folder.
    pub file: String,
    pub stored_size: u64,
    /// sha256 of the stored (compressed, encrypted) bytes.
    pub sha256: String,
    pub uncompressed_size: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub last_migration: Option<String>,
    pub tables: Vec<TableStats>,
    /// When the stored bytes last matched `sha256` and decoded completely.
    pub checksummed_at: Option<DateTime<Utc>>,
    /// When a restore into a scratch database last reproduced `tables` exactly.
    pub restore_tested_at: Option<DateTime<Utc>>,
    pub last_restore_test: Option<RestoreTest>,
}

impl Manifest {
    pub fn encrypted(&self) -> bool {
        self.encryption.is_some()
    }

    pub fn restore_tested(&self) -> bool {
        self.restore_tested_at.is_some()
    }

    /// The backup file, given the folder this manifest was read from.
    pub fn file_in(&self, dir: &Path) -> PathBuf {
        dir.join(&self.file)
    }

    pub(crate) fn path_in(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}{MANIFEST_SUFFIX}", self.id))
    }

    /// Write (or replace) the manifest: a private `.partial` file renamed into place, so a
    /// reader never sees half of one.
    pub(crate) fn save(&self, dir: &Path) -> Result<(), BackupError> {
        let path = self.path_in(dir);
        let staging = dir.join(partial_name(&format!(
            "{}{MANIFEST_SUFFIX}.{}",
            self.id,
            uuid::Uuid::new_v4().simple()
        )));
        let text = serde_json::to_vec_pretty(self).map_err(|e| BackupError::Manifest {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let mut text = text;
        text.push(b'\n');
        drydock_files::write_whole(&staging, &path, &text)
            .map_err(|e| BackupError::io(format!("writing `{}`", path.display()), e))
    }

    pub(crate) fn load(path: &Path) -> Result<Manifest, BackupError> {
        let text = std::fs::read(path)
            .map_err(|e| BackupError::io(format!("reading `{}`", path.display()), e))?;
        let manifest: Manifest =
            serde_json::from_slice(&text).map_err(|e| BackupError::Manifest {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        if manifest.version > MANIFEST_VERSION {
            return Err(BackupError::Manifest {
                path: path.to_owned(),
                reason: format!(
                    "written by a newer drydock (manifest version {})",
                    manifest.version
                ),
            });
        }
        Ok(manifest)
    }
}

/// Every manifest in `dir`, newest first. A missing folder holds no backups.
pub(crate) fn list(dir: &Path) -> Result<Vec<Manifest>, BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io(format!("reading `{}`", dir.display()), e)),
    };
    let mut manifests = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| BackupError::io(format!("reading `{}`", dir.display()), e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(MANIFEST_SUFFIX) && !name.starts_with('.') {
            manifests.push(Manifest::load(&entry.path())?);
        }
    }
    manifests.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
    Ok(manifests)
}
