//! The archive `drydock cleanup --apply` writes every row it deletes or changes to before the
//! change commits. It follows the backup format's rules: zstd-compressed, a JSON manifest
//! beside it with the file's sha256, created 0600, appearing under its name only complete (a
//! hidden `.partial` file while the cleanup runs, renamed at the end, then the manifest).
//!
//! The file is a series of zstd frames, one per batch, each holding one header line (JSON:
//! the batch's number, relation, table, operation, columns, row count) and one line per row (the
//! row's JSON as the database wrote it, never parsed again on the way back in). A batch's frame
//! is written and synced before its transaction commits; the progress table records how many
//! bytes the committed batches fill, so a resumed cleanup cuts off a frame whose batch never
//! committed and the archive holds every changed row exactly once.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use drydock_files::Hashing;
use drydock_schema::ObjectName;
use serde::{Deserialize, Serialize};

use crate::cleanup_error::CleanupError;

/// The archive file's name ends so; its manifest's [`MANIFEST_SUFFIX`].
pub const ARCHIVE_SUFFIX: &str = ".cleanup.jsonl.zst";
pub const MANIFEST_SUFFIX: &str = ".cleanup.json";
/// The `kind` of every cleanup manifest.
pub const ARCHIVE_KIND: &str = "drydock-cleanup-archive";
pub const ARCHIVE_VERSION: u32 = 1;
/// zstd's default level, as backups use.
const LEVEL: i32 = 3;

/// What a batch did to its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// The rows were deleted; the archive holds them whole.
    Delete,
    /// The reference columns (`nulled`) were set to `NULL`; the archive holds the key columns
    /// and their values before.
    SetNull,
    /// A rule's `SET` list changed the rows; the archive holds them whole as they were, and
    /// `nulled` names the columns a restore sets back.
    Update,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveColumn {
    pub name: String,
    /// Written as hexadecimal text (binary data on a database whose JSON holds no bytes).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hex: bool,
}

/// The first line of a batch's frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchHeader {
    pub batch: u64,
    pub relation: String,
    pub table: ObjectName,
    pub operation: Operation,
    /// The columns each row line holds.
    pub columns: Vec<ArchiveColumn>,
    /// The columns that find the row again (a `SetNull` or `Update` batch's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key: Vec<String>,
    /// The columns a `SetNull` batch set to `NULL` (an `Update` batch's: every column but the
    /// key's), set back on restore.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nulled: Vec<String>,
    pub rows: u64,
}

/// One batch read back: its header and its rows' JSON texts.
#[derive(Debug, Clone)]
pub struct ArchivedBatch {
    pub header: BatchHeader,
    pub rows: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedRelation {
    pub relation: String,
    pub table: ObjectName,
    pub operation: Operation,
    pub rows: u64,
}

/// The JSON file beside an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveManifest {
    pub kind: String,
    pub version: u32,
    pub id: String,
    pub provider: String,
    /// The database's URL without its password.
    pub database: String,
    /// The archive file's name, in the manifest's folder.
    pub file: String,
    pub compression: String,
    pub stored_size: u64,
    /// sha256 of the stored bytes.
    pub sha256: String,
    pub batches: u64,
    pub rows: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub relations: Vec<ArchivedRelation>,
}

pub(crate) fn partial_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!(".{id}{ARCHIVE_SUFFIX}.partial"))
}

pub(crate) fn archive_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}{ARCHIVE_SUFFIX}"))
}

pub(crate) fn manifest_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}{MANIFEST_SUFFIX}"))
}

/// The archive being written: the `.partial` file, appended to one batch at a time.
pub(crate) struct ArchiveWriter {
    dir: PathBuf,
    id: String,
    file: File,
    /// Bytes written and synced.
    offset: u64,
}

impl ArchiveWriter {
    /// A new, empty archive in `dir` (created when missing).
    pub(crate) fn create(dir: &Path, id: &str) -> Result<ArchiveWriter, CleanupError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| CleanupError::io(format!("creating `{}`", dir.display()), e))?;
        let path = partial_path(dir, id);
        let file = drydock_files::create_private(&path)
            .map_err(|e| CleanupError::io(format!("creating `{}`", path.display()), e))?;
        sync_dir(dir)?;
        Ok(ArchiveWriter {
            dir: dir.to_owned(),
            id: id.to_owned(),
            file,
            offset: 0,
        })
    }

    /// The archive of an unfinished cleanup, cut back to the `bytes` its committed batches
    /// wrote (a frame after them belongs to a batch that never committed).
    pub(crate) fn resume(dir: &Path, id: &str, bytes: u64) -> Result<ArchiveWriter, CleanupError> {
        let path = partial_path(dir, id);
        let missing = |reason: String| CleanupError::ArchiveMissing {
            id: id.to_owned(),
            partial: path.clone(),
            reason,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| missing(format!("`{}` cannot be opened ({e})", path.display())))?;
        let length = file
            .metadata()
            .map_err(|e| CleanupError::io(format!("reading `{}`", path.display()), e))?
            .len();
        if length < bytes {
            return Err(missing(format!(
                "`{}` holds {length} bytes, the committed batches wrote {bytes}",
                path.display()
            )));
        }
        file.set_len(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| file.seek(SeekFrom::Start(bytes)).map(|_| ()))
            .map_err(|e| CleanupError::io(format!("cutting `{}`", path.display()), e))?;
        Ok(ArchiveWriter {
            dir: dir.to_owned(),
            id: id.to_owned(),
            file,
            offset: bytes,
        })
    }

    pub(crate) fn partial(&self) -> PathBuf {
        partial_path(&self.dir, &self.id)
    }

    /// Append one batch as its own frame and sync it; returns the archive's length after it.
    pub(crate) fn append(
        &mut self,
        header: &BatchHeader,
        rows: &[String],
    ) -> Result<u64, CleanupError> {
        let mut text = serde_json::to_string(header).unwrap_or_default();
        text.push('\n');
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        let frame = zstd::encode_all(text.as_bytes(), LEVEL)
            .map_err(|e| CleanupError::io("compressing a batch", e))?;
        let path = self.partial();
        self.file
            .write_all(&frame)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| CleanupError::io(format!("writing `{}`", path.display()), e))?;
        self.offset += frame.len() as u64;
        Ok(self.offset)
    }

    /// Give the archive its name, then write its manifest (`manifest` gets the file's name,
    /// size, hash and per-relation counts here). Returns the manifest's path.
    pub(crate) fn finish(self, mut manifest: ArchiveManifest) -> Result<PathBuf, CleanupError> {
        drop(self.file);
        let partial = partial_path(&self.dir, &self.id);
        let (batches, size, sha256) = summarize(&partial)?;
        manifest.file = format!("{}{ARCHIVE_SUFFIX}", self.id);
        manifest.stored_size = size;
        manifest.sha256 = sha256;
        manifest.batches = batches.iter().map(|_| 1).sum();
        manifest.rows = batches.iter().map(|h| h.rows).sum();
        manifest.relations = per_relation(&batches);
        let target = archive_path(&self.dir, &self.id);
        std::fs::rename(&partial, &target)
            .map_err(|e| CleanupError::io(format!("renaming `{}`", partial.display()), e))?;
        let path = manifest_path(&self.dir, &self.id);
        let staging = self
            .dir
            .join(format!(".{}{MANIFEST_SUFFIX}.partial", self.id));
        // Left by a run that stopped while writing it.
        let _ = std::fs::remove_file(&staging);
        let mut text = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        text.push(b'\n');
        drydock_files::write_whole(&staging, &path, &text)
            .map_err(|e| CleanupError::io(format!("writing `{}`", path.display()), e))?;
        Ok(path)
    }
}

fn sync_dir(dir: &Path) -> Result<(), CleanupError> {
    drydock_files::sync_dir(dir)
        .map_err(|e| CleanupError::io(format!("syncing `{}`", dir.display()), e))
}

/// Count rows per relation and operation, in the order they first appear.
fn per_relation(batches: &[BatchHeader]) -> Vec<ArchivedRelation> {
    let mut relations: Vec<ArchivedRelation> = Vec::new();
    for header in batches {
        match relations
            .iter_mut()
            .find(|r| r.relation == header.relation && r.operation == header.operation)
        {
            Some(relation) => relation.rows += header.rows,
            None => relations.push(ArchivedRelation {
                relation: header.relation.clone(),
                table: header.table.clone(),
                operation: header.operation,
                rows: header.rows,
            }),
        }
    }
    relations
}

/// Read every batch of the archive file at `path`, in order, handing each to `visit`; returns
/// the file's size and sha256. Any damage is [`CleanupError::ArchiveCorrupt`].
fn read_batches(
    path: &Path,
    visit: &mut dyn FnMut(ArchivedBatch) -> Result<(), CleanupError>,
) -> Result<(u64, String), CleanupError> {
    let corrupt = |reason: String| CleanupError::ArchiveCorrupt {
        path: path.to_owned(),
        reason,
    };
    let file = File::open(path).map_err(|e| corrupt(format!("it cannot be opened ({e})")))?;
    let mut hashing = Hashing::new(BufReader::new(file));
    {
        let decoder = zstd::Decoder::new(&mut hashing)
            .map_err(|e| corrupt(format!("it does not decompress ({e})")))?;
        let mut lines = BufReader::new(decoder).lines();
        while let Some(line) = lines.next() {
            let line = line.map_err(|e| corrupt(format!("it does not decompress ({e})")))?;
            let header: BatchHeader = serde_json::from_str(&line)
                .map_err(|e| corrupt(format!("a batch header does not read ({e})")))?;
            let mut rows = Vec::with_capacity(usize::try_from(header.rows).unwrap_or(0));
            for _ in 0..header.rows {
                match lines.next() {
                    Some(Ok(row)) => rows.push(row),
                    Some(Err(e)) => return Err(corrupt(format!("it does not decompress ({e})"))),
                    None => {
                        return Err(corrupt(format!(
                            "batch {} ends before its {} rows",
                            header.batch, header.rows
                        )));
                    }
                }
            }
            visit(ArchivedBatch { header, rows })?;
        }
    }
    // Whatever the decoder left unread still counts for the hash.
    std::io::copy(&mut hashing, &mut std::io::sink())
        .map_err(|e| corrupt(format!("it cannot be read ({e})")))?;
    let (_, size, sha256) = hashing.finish();
    Ok((size, sha256))
}

/// The headers, size and sha256 of an archive file.
fn summarize(path: &Path) -> Result<(Vec<BatchHeader>, u64, String), CleanupError> {
    let mut headers = Vec::new();
    let (size, sha256) = read_batches(path, &mut |batch| {
        headers.push(batch.header);
        Ok(())
    })?;
    Ok((headers, size, sha256))
}

/// The manifest of the archive `path` names (the archive file or its manifest), and the
/// folder both are in.
pub fn load_manifest(path: &Path) -> Result<(ArchiveManifest, PathBuf), CleanupError> {
    let corrupt = |reason: String| CleanupError::ArchiveCorrupt {
        path: path.to_owned(),
        reason,
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| corrupt("it names no file".to_owned()))?;
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let manifest_file = if name.ends_with(MANIFEST_SUFFIX) {
        path.to_owned()
    } else if let Some(stem) = name.strip_suffix(ARCHIVE_SUFFIX) {
        manifest_path(&dir, stem)
    } else {
        return Err(corrupt(format!(
            "its name ends neither in `{ARCHIVE_SUFFIX}` nor in `{MANIFEST_SUFFIX}`"
        )));
    };
    let text = std::fs::read(&manifest_file).map_err(|e| {
        corrupt(format!(
            "its manifest `{}` cannot be read ({e})",
            manifest_file.display()
        ))
    })?;
    let manifest: ArchiveManifest = serde_json::from_slice(&text)
        .map_err(|e| corrupt(format!("its manifest does not read ({e})")))?;
    if manifest.kind != ARCHIVE_KIND || manifest.version > ARCHIVE_VERSION {
        return Err(corrupt(format!(
            "its manifest is of kind `{}` version {}",
            manifest.kind, manifest.version
        )));
    }
    Ok((manifest, dir))
}

/// Read the archive `path` names, checking it against its manifest first (size, sha256, batch
/// and row counts), and hand its batches to `visit` in order.
pub fn read_archive(
    path: &Path,
    visit: &mut dyn FnMut(ArchivedBatch) -> Result<(), CleanupError>,
) -> Result<ArchiveManifest, CleanupError> {
    let (manifest, dir) = load_manifest(path)?;
    let file = dir.join(&manifest.file);
    let (headers, size, sha256) = summarize(&file)?;
    let rows: u64 = headers.iter().map(|h| h.rows).sum();
    if size != manifest.stored_size
        || sha256 != manifest.sha256
        || headers.len() as u64 != manifest.batches
        || rows != manifest.rows
    {
        return Err(CleanupError::ArchiveCorrupt {
            path: file,
            reason: format!(
                "it does not match its manifest (sha256 {sha256}, {size} bytes, {rows} rows; the \
                 manifest says {}, {} bytes, {} rows)",
                manifest.sha256, manifest.stored_size, manifest.rows
            ),
        });
    }
    read_batches(&file, visit)?;
    Ok(manifest)
}
