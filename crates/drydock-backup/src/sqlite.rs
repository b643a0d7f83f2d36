//! SQLite: the online backup API into a temporary file (consistent while other processes
//! write), streamed out; restore writes the file next to the target and renames it into place.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use crate::BackupError;
use crate::backend::{Backend, DbObject, DumpSummary, TableStats, ToolVersion};

const FORMAT: &str = "sqlite-file";

pub(crate) struct Sqlite;

/// The file of a `file:` URL (`file:/abs/dev.db`, `file:///abs/dev.db`, parameters dropped).
/// Relative paths are resolved against the schema folder by the caller, as Prisma does.
fn path_of(url: &str) -> Result<PathBuf, BackupError> {
    let mut path = url.strip_prefix("file:").unwrap_or(url);
    if let Some(absolute) = path.strip_prefix("//") {
        path = absolute.strip_prefix("localhost").unwrap_or(absolute);
    }
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() {
        return Err(BackupError::Usage(format!(
            "the URL `{url}` names no database file"
        )));
    }
    Ok(PathBuf::from(path))
}

fn query_error(error: &rusqlite::Error) -> BackupError {
    BackupError::Query(error.to_string())
}

fn open_existing(path: &Path) -> Result<Connection, BackupError> {
    if !path.exists() {
        return Err(BackupError::Usage(format!(
            "the SQLite database `{}` does not exist",
            path.display()
        )));
    }
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| query_error(&e))?;
    // Wait for writers instead of failing at once.
    connection
        .busy_timeout(Duration::from_secs(30))
        .map_err(|e| query_error(&e))?;
    Ok(connection)
}

/// `<dir>/.<name>.<tag>-<uuid>`: next to `path`, so a rename into place never crosses file
/// systems.
fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".to_owned());
    path.with_file_name(format!(".{name}.{tag}-{}", uuid::Uuid::new_v4().simple()))
}

fn file_url(path: &Path) -> String {
    format!("file:{}", path.display())
}

impl Backend for Sqlite {
    fn provider(&self) -> &'static str {
        "sqlite"
    }

    fn accepts_url(&self, url: &str) -> bool {
        url.starts_with("file:")
    }

    fn database_name(&self, url: &str) -> Result<String, BackupError> {
        let path = path_of(url)?;
        Ok(path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "database".to_owned()))
    }

    fn server_version(&self, _url: &str) -> Result<String, BackupError> {
        // No server: the linked library reads and writes the file.
        Ok(rusqlite::version().to_owned())
    }

    fn tool_versions(&self, _url: &str) -> Result<Vec<ToolVersion>, BackupError> {
        Ok(vec![ToolVersion {
            name: "sqlite".to_owned(),
            version: rusqlite::version().to_owned(),
        }])
    }

    fn format_name(&self) -> &'static str {
        FORMAT
    }

    fn dump(&self, url: &str, out: &mut dyn Write) -> Result<DumpSummary, BackupError> {
        let source = open_existing(&path_of(url)?)?;
        let copy = tempfile::NamedTempFile::new()
            .map_err(|e| BackupError::io("creating a temporary file", e))?;
        {
            let mut destination = Connection::open(copy.path()).map_err(|e| query_error(&e))?;
            let backup = Backup::new(&source, &mut destination).map_err(|e| query_error(&e))?;
            // All pages in one step: one read transaction, so the copy is a consistent
            // snapshot however busy the source is. Busy means a writer holds the lock: retry.
            loop {
                match backup.step(-1).map_err(|e| query_error(&e))? {
                    StepResult::Done => break,
                    StepResult::More | StepResult::Busy | StepResult::Locked => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    // The enum is non-exhaustive; anything new means "not done yet".
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
        let tables = stats(&open_existing(copy.path())?)?;
        let mut file = fs::File::open(copy.path())
            .map_err(|e| BackupError::io("reading the database copy", e))?;
        std::io::copy(&mut file, out).map_err(|e| BackupError::io("writing the backup", e))?;
        Ok(DumpSummary::new(FORMAT, tables))
    }

    fn restore(&self, input: &mut dyn Read, url: &str) -> Result<(), BackupError> {
        let target = path_of(url)?;
        let staging = sibling(&target, "restore");
        let written = (|| {
            let mut file = fs::File::create(&staging)?;
            std::io::copy(input, &mut file)?;
            file.sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&staging);
            return Err(BackupError::io("writing the restored database", e));
        }
        // Stale journals of the file being replaced would be applied to the new one.
        remove_journals(&target)?;
        fs::rename(&staging, &target).map_err(|e| {
            let _ = fs::remove_file(&staging);
            BackupError::io(format!("moving the database to `{}`", target.display()), e)
        })
    }

    fn table_stats(&self, url: &str) -> Result<Vec<TableStats>, BackupError> {
        stats(&open_existing(&path_of(url)?)?)
    }

    fn last_migration(&self, url: &str) -> Result<Option<String>, BackupError> {
        let connection = open_existing(&path_of(url)?)?;
        let exists: bool = connection
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' \
                 AND name = '_prisma_migrations'",
                [],
                |row| row.get(0),
            )
            .map_err(|e| query_error(&e))?;
        if !exists {
            return Ok(None);
        }
        let mut statement = connection
            .prepare(
                "SELECT migration_name FROM _prisma_migrations \
                 WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL \
                 ORDER BY finished_at DESC, migration_name DESC LIMIT 1",
            )
            .map_err(|e| query_error(&e))?;
        let mut rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| query_error(&e))?;
        rows.next().transpose().map_err(|e| query_error(&e))
    }

    fn objects(&self, url: &str) -> Result<Vec<DbObject>, BackupError> {
        let connection = open_existing(&path_of(url)?)?;
        let mut statement = connection
            .prepare(
                "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' \
                 ESCAPE '\\' ORDER BY type, name",
            )
            .map_err(|e| query_error(&e))?;
        statement
            .query_map([], |row| {
                Ok(DbObject {
                    kind: row.get(0)?,
                    name: row.get(1)?,
                })
            })
            .map_err(|e| query_error(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| query_error(&e))
    }

    fn drop_objects(&self, url: &str, objects: &[DbObject]) -> Result<(), BackupError> {
        let mut connection = Connection::open(path_of(url)?).map_err(|e| query_error(&e))?;
        let transaction = connection.transaction().map_err(|e| query_error(&e))?;
        for object in objects {
            // A table's indexes and triggers go with it: `IF EXISTS` skips them.
            transaction
                .execute_batch(&format!(
                    "DROP {} IF EXISTS \"{}\"",
                    object.kind.to_ascii_uppercase(),
                    object.name.replace('"', "\"\"")
                ))
                .map_err(|e| query_error(&e))?;
        }
        transaction.commit().map_err(|e| query_error(&e))
    }

    fn exists(&self, url: &str) -> Result<bool, BackupError> {
        Ok(path_of(url)?.exists())
    }

    fn create_database(&self, url: &str) -> Result<bool, BackupError> {
        let path = path_of(url)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .map_err(|e| BackupError::io(format!("creating `{}`", parent.display()), e))?;
        }
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map(|_| true)
            .map_err(|e| BackupError::io(format!("creating `{}`", path.display()), e))
    }

    fn create_scratch(&self, url: &str) -> Result<String, BackupError> {
        let scratch = file_url(&sibling(&path_of(url)?, "scratch"));
        self.create_database(&scratch)?;
        Ok(scratch)
    }

    fn drop_scratch(&self, scratch_url: &str) -> Result<(), BackupError> {
        let path = path_of(scratch_url)?;
        remove_journals(&path)?;
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(BackupError::io(format!("removing `{}`", path.display()), e))
            }
            _ => Ok(()),
        }
    }

    fn swap(&self, source_url: &str, target_url: &str) -> Result<String, BackupError> {
        let source = path_of(source_url)?;
        let target = path_of(target_url)?;
        // Fold the write-ahead log into the file first, so the old copy is complete on its own.
        let connection = Connection::open(&target).map_err(|e| query_error(&e))?;
        connection
            .busy_timeout(Duration::from_secs(30))
            .map_err(|e| query_error(&e))?;
        connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| query_error(&e))?;
        drop(connection);
        let old = sibling(&target, "old");
        fs::hard_link(&target, &old)
            .or_else(|_| fs::copy(&target, &old).map(drop))
            .map_err(|e| BackupError::io("keeping the old database", e))?;
        remove_journals(&target)?;
        // One rename: readers see the old file or the new one, never a mix.
        fs::rename(&source, &target)
            .map_err(|e| BackupError::io(format!("replacing `{}`", target.display()), e))?;
        Ok(file_url(&old))
    }
}

fn remove_journals(path: &Path) -> Result<(), BackupError> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match fs::remove_file(&name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(BackupError::io(
                    format!("removing `{}`", Path::new(&name).display()),
                    e,
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Per table: row count, and a sha256 over the sorted hashes of its rows, each value tagged
/// with its storage class so `1`, `'1'` and `x'31'` differ.
fn stats(connection: &Connection) -> Result<Vec<TableStats>, BackupError> {
    let mut statement = connection
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .map_err(|e| query_error(&e))?;
    let names = statement
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(|e| query_error(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| query_error(&e))?;
    let mut result = Vec::with_capacity(names.len());
    for name in names {
        let mut select = connection
            .prepare(&format!("SELECT * FROM \"{}\"", name.replace('"', "\"\"")))
            .map_err(|e| query_error(&e))?;
        let columns = select.column_count();
        let mut hashes: Vec<[u8; 32]> = Vec::new();
        let mut rows = select.query([]).map_err(|e| query_error(&e))?;
        while let Some(row) = rows.next().map_err(|e| query_error(&e))? {
            let mut hasher = Sha256::new();
            for i in 0..columns {
                match row.get_ref(i).map_err(|e| query_error(&e))? {
                    ValueRef::Null => hasher.update([0u8]),
                    ValueRef::Integer(v) => {
                        hasher.update([1u8]);
                        hasher.update(v.to_le_bytes());
                    }
                    ValueRef::Real(v) => {
                        hasher.update([2u8]);
                        hasher.update(v.to_bits().to_le_bytes());
                    }
                    ValueRef::Text(v) => {
                        hasher.update([3u8]);
                        hasher.update((v.len() as u64).to_le_bytes());
                        hasher.update(v);
                    }
                    ValueRef::Blob(v) => {
                        hasher.update([4u8]);
                        hasher.update((v.len() as u64).to_le_bytes());
                        hasher.update(v);
                    }
                }
            }
            hashes.push(hasher.finalize().into());
        }
        hashes.sort_unstable();
        let mut table = Sha256::new();
        for hash in &hashes {
            table.update(hash);
        }
        result.push(TableStats {
            name,
            rows: hashes.len() as u64,
            fingerprint: hex::encode(table.finalize()),
        });
    }
    Ok(result)
}
