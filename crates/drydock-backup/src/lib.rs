//! Logical backups. The generic part (this file, `manifest.rs`, `store.rs`, `retention.rs`)
//! compresses, hashes, encrypts, verifies by test restores and prunes; each database fills
//! [`Backend`], and [`backends`] is the one list of them.

mod backend;
mod debris;
mod error;
mod manifest;
mod mariadb;
mod postgres;
mod retention;
mod sqlite;
mod store;
mod tool;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Utc;
use drydock_connector::redact_url;

pub use backend::{
    Backend, DbObject, DumpFormat, DumpSummary, JobOptions, TableStats, ToolVersion,
};
pub use debris::{Debris, DebrisKind, DebrisReport, LOCK_FILE, list as debris};
pub use error::BackupError;
pub use manifest::{Compression, DatabaseInfo, MANIFEST_VERSION, Manifest, RestoreTest};
pub use retention::{Decision, RetentionPolicy, plan as plan_retention};

/// zstd's default level: fast, and most of the gain.
pub const DEFAULT_COMPRESSION_LEVEL: i32 = 3;
/// Where backups go unless told otherwise.
pub const DEFAULT_DIR: &str = "backups";

/// Every database that can be backed up.
pub fn backends() -> Vec<Box<dyn Backend>> {
    vec![
        Box::new(postgres::Postgres),
        Box::new(sqlite::Sqlite),
        Box::new(mariadb::MariaDb),
    ]
}

/// The backend for `url`.
pub fn backend_for(url: &str) -> Result<Box<dyn Backend>, BackupError> {
    backends()
        .into_iter()
        .find(|b| b.accepts_url(url))
        .ok_or_else(|| BackupError::UnsupportedUrl(redact_url(url)))
}

#[derive(Debug, Clone)]
pub struct CreateOptions {
    pub dir: PathBuf,
    pub compression_level: i32,
    /// Encrypt with this passphrase (age, scrypt).
    pub passphrase: Option<String>,
    /// Parallel dump jobs (see [`JobOptions`]); 1 writes one stream.
    pub jobs: u32,
}

impl CreateOptions {
    pub fn new(dir: impl Into<PathBuf>) -> CreateOptions {
        CreateOptions {
            dir: dir.into(),
            compression_level: DEFAULT_COMPRESSION_LEVEL,
            passphrase: None,
            jobs: 1,
        }
    }
}

/// Back up the database at `url` into `options.dir`.
pub fn create(
    backend: &dyn Backend,
    url: &str,
    options: &CreateOptions,
) -> Result<Manifest, BackupError> {
    create_with_progress(backend, url, options, &|_| {})
}

/// [`create`], calling `progress` with the number of dump bytes written so far.
pub fn create_with_progress(
    backend: &dyn Backend,
    url: &str,
    options: &CreateOptions,
    progress: &dyn Fn(u64),
) -> Result<Manifest, BackupError> {
    let started_at = Utc::now();
    backend.check_session_url(url)?;
    let name = backend.database_name(url)?;
    let server_version = backend.server_version(url)?;
    let tool_versions = backend.tool_versions(url)?;
    let last_migration = backend.last_migration(url)?;
    let _run = debris::RunLock::start(&options.dir)?;
    let id = format!(
        "{}_{}_{}",
        started_at.format("%Y%m%dT%H%M%S%3fZ"),
        backend.provider(),
        file_safe(&name)
    );
    let file = match options.passphrase {
        Some(_) => format!("{id}.dump.zst.age"),
        None => format!("{id}.dump.zst"),
    };
    // Written under a hidden name, renamed when complete: a run killed part-way never leaves
    // a partial file under a backup's name.
    let partial = options.dir.join(debris::partial_name(&file));
    let (summary, written) = store::write(
        &partial,
        options.compression_level,
        options.passphrase.as_deref(),
        progress,
        |out| backend.dump_with(url, out, &job_options(options.jobs, &options.dir)),
    )?;
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        id,
        provider: backend.provider().to_owned(),
        database: DatabaseInfo {
            url: redact_url(url),
            name,
        },
        server_version,
        tool_versions,
        format: summary.format,
        compression: Compression {
            algorithm: "zstd".to_owned(),
            level: options.compression_level,
        },
        encryption: options.passphrase.as_ref().map(|_| "age-scrypt".to_owned()),
        file,
        stored_size: written.stored_size,
        sha256: written.sha256,
        uncompressed_size: written.uncompressed_size,
        started_at,
        finished_at: Utc::now(),
        last_migration,
        tables: summary.tables,
        checksummed_at: None,
        restore_tested_at: None,
        last_restore_test: None,
    };
    // The file first, then its manifest: a listed backup's file is always complete. A run
    // killed between the two renames leaves a complete file no manifest names, which `list`
    // shows and `prune` removes.
    if let Err(e) = std::fs::rename(&partial, manifest.file_in(&options.dir)) {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::io(
            format!("renaming `{}`", partial.display()),
            e,
        ));
    }
    if let Err(e) = manifest.save(&options.dir) {
        let _ = std::fs::remove_file(manifest.file_in(&options.dir));
        return Err(e);
    }
    Ok(manifest)
}

/// `jobs` jobs, with temporary files in the backups folder `dir`.
fn job_options(jobs: u32, dir: &Path) -> JobOptions {
    JobOptions {
        jobs: jobs.max(1),
        work_dir: dir.to_owned(),
    }
}

/// Letters, digits, `-` and `_` only: the database name becomes part of a file name.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Every backup in `dir`, newest first.
pub fn list(dir: &Path) -> Result<Vec<Manifest>, BackupError> {
    manifest::list(dir)
}

/// The newest backup in `dir`, if any.
pub fn latest(dir: &Path) -> Result<Option<Manifest>, BackupError> {
    Ok(manifest::list(dir)?.into_iter().next())
}

/// The backup named by `selector`: its id, or the path or file name of its dump or manifest.
pub fn find(dir: &Path, selector: &str) -> Result<Manifest, BackupError> {
    let file_name = Path::new(selector)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    manifest::list(dir)?
        .into_iter()
        .find(|m| {
            m.id == selector
                || m.file == file_name
                || format!("{}{}", m.id, manifest::MANIFEST_SUFFIX) == file_name
        })
        .ok_or_else(|| BackupError::NotFound(selector.to_owned()))
}

/// The backup `restore` uses: `selector`'s, else the newest restore-tested one. An unverified
/// backup only with `allow_unverified`.
pub fn select(
    dir: &Path,
    selector: Option<&str>,
    allow_unverified: bool,
) -> Result<Manifest, BackupError> {
    let manifest = match selector {
        Some(selector) => find(dir, selector)?,
        None => {
            let all = manifest::list(dir)?;
            match all.iter().find(|m| m.restore_tested()) {
                Some(tested) => tested.clone(),
                None if allow_unverified => {
                    all.into_iter()
                        .next()
                        .ok_or_else(|| BackupError::NoBackups {
                            dir: dir.to_owned(),
                        })?
                }
                None => {
                    return Err(BackupError::NoneVerified {
                        dir: dir.to_owned(),
                    });
                }
            }
        }
    };
    if !manifest.restore_tested() && !allow_unverified {
        return Err(BackupError::Unverified(manifest.id));
    }
    Ok(manifest)
}

/// Check the stored file's size and sha256; with `decode` (and unless it is encrypted and no
/// passphrase is given), also that it decrypts and decompresses to the recorded size.
/// [`restore_checked`] checks that too, as it reads.
fn check_stored(
    dir: &Path,
    manifest: &Manifest,
    passphrase: Option<&str>,
    decode: bool,
) -> Result<(), BackupError> {
    let path = manifest.file_in(dir);
    let corrupt = |reason: String| corrupt(dir, manifest, reason);
    let (size, sha256) = store::checksum(&path)?;
    if size != manifest.stored_size {
        return Err(corrupt(format!(
            "it is {size} bytes, the manifest says {} (truncated?)",
            manifest.stored_size
        )));
    }
    if sha256 != manifest.sha256 {
        return Err(corrupt(format!(
            "its sha256 is {sha256}, the manifest says {}",
            manifest.sha256
        )));
    }
    if !decode || (manifest.encrypted() && passphrase.is_none()) {
        return Ok(());
    }
    let mut input = open_dump(dir, manifest, passphrase)?;
    let decoded = std::io::copy(&mut input, &mut std::io::sink())
        .map_err(|e| corrupt(format!("it does not decompress: {e}")))?;
    check_decoded_size(dir, manifest, decoded)
}

fn corrupt(dir: &Path, manifest: &Manifest, reason: String) -> BackupError {
    BackupError::Corrupt {
        path: manifest.file_in(dir),
        reason,
    }
}

fn check_decoded_size(dir: &Path, manifest: &Manifest, decoded: u64) -> Result<(), BackupError> {
    if decoded == manifest.uncompressed_size {
        return Ok(());
    }
    Err(corrupt(
        dir,
        manifest,
        format!(
            "it decompresses to {decoded} bytes, the manifest says {}",
            manifest.uncompressed_size
        ),
    ))
}

fn open_dump(
    dir: &Path,
    manifest: &Manifest,
    passphrase: Option<&str>,
) -> Result<Box<dyn Read>, BackupError> {
    if manifest.encrypted() && passphrase.is_none() {
        return Err(BackupError::Encryption(format!(
            "the backup `{}` is encrypted: give its passphrase",
            manifest.id
        )));
    }
    // A passphrase for an unencrypted backup is ignored: there is nothing to decrypt.
    store::open(
        &manifest.file_in(dir),
        passphrase.filter(|_| manifest.encrypted()),
    )
}

/// Restore into `url` with `jobs` jobs and check that every table's rows and fingerprint match
/// the manifest. More than one job only where a failed restore is dropped as a whole. The
/// stream is also checked to decompress completely to the recorded size, so that `verify`,
/// which drops its scratch database whatever happens, decompresses the file only once.
fn restore_checked(
    backend: &dyn Backend,
    dir: &Path,
    manifest: &Manifest,
    passphrase: Option<&str>,
    url: &str,
    jobs: u32,
) -> Result<(), BackupError> {
    let input = open_dump(dir, manifest, passphrase)?;
    if !backend.accepts_format(&manifest.format.name) {
        return Err(BackupError::Usage(format!(
            "a {} database cannot be restored from a `{}` dump",
            backend.provider(),
            manifest.format.name
        )));
    }
    let mut decoded = store::Counted::new(input);
    let restored =
        backend.restore_with(&mut decoded, &manifest.format, url, &job_options(jobs, dir));
    // The tool may stop reading early (trailing padding, or its own failure): the rest still
    // has to decompress, and a stream that does not is the reason a restore failed.
    let _ = std::io::copy(&mut decoded, &mut std::io::sink());
    if let Some(error) = decoded.error() {
        return Err(corrupt(
            dir,
            manifest,
            format!("it does not decompress: {error}"),
        ));
    }
    check_decoded_size(dir, manifest, decoded.count())?;
    restored?;
    let actual = backend.table_stats(url)?;
    compare(&manifest.tables, &actual)
}

fn compare(expected: &[TableStats], actual: &[TableStats]) -> Result<(), BackupError> {
    let mut differences = Vec::new();
    for table in expected {
        match actual.iter().find(|t| t.name == table.name) {
            None => differences.push(format!("table `{}` is missing", table.name)),
            Some(found) if found.rows != table.rows => differences.push(format!(
                "`{}` has {} rows, expected {}",
                table.name, found.rows, table.rows
            )),
            Some(found) if found.fingerprint != table.fingerprint => {
                differences.push(format!("`{}` has different content", table.name));
            }
            Some(_) => {}
        }
    }
    for table in actual {
        if !expected.iter().any(|t| t.name == table.name) {
            differences.push(format!("unexpected table `{}`", table.name));
        }
    }
    if differences.is_empty() {
        return Ok(());
    }
    Err(BackupError::Mismatch(differences.join("; ")))
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Needed to decode and test-restore an encrypted backup.
    pub passphrase: Option<String>,
    /// Only check the stored bytes; no restore test.
    pub checksum_only: bool,
    /// Parallel restore jobs for the restore test (see [`JobOptions`]).
    pub jobs: u32,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions {
            passphrase: None,
            checksum_only: false,
            jobs: 1,
        }
    }
}

/// Verify `manifest`'s backup in `dir`: the checksum, then (unless `checksum_only`) a restore
/// into a scratch database next to `scratch_near` compared table by table with the manifest.
/// The results are written to the manifest, failures too; the updated manifest is returned.
pub fn verify(
    dir: &Path,
    manifest: &Manifest,
    scratch_near: Option<&str>,
    options: &VerifyOptions,
) -> Result<Manifest, BackupError> {
    let _run = debris::RunLock::start(dir)?;
    let mut manifest = manifest.clone();
    let passphrase = options.passphrase.as_deref();
    if let Err(e) = check_stored(dir, &manifest, passphrase, options.checksum_only) {
        if matches!(e, BackupError::Corrupt { .. }) {
            // A damaged file is no longer verified, whatever was checked before.
            manifest.checksummed_at = None;
            manifest.restore_tested_at = None;
            manifest.save(dir)?;
        }
        return Err(e);
    }
    manifest.checksummed_at = Some(Utc::now());
    manifest.save(dir)?;
    if options.checksum_only {
        return Ok(manifest);
    }
    let near = scratch_near.ok_or_else(|| {
        BackupError::Usage(
            "a restore test needs a database URL to make scratch databases next to".to_owned(),
        )
    })?;
    let backend = backend_for(near)?;
    if backend.provider() != manifest.provider {
        return Err(BackupError::ProviderMismatch {
            backup: manifest.provider.clone(),
            target: backend.provider().to_owned(),
        });
    }
    backend.check_session_url(near)?;
    let started = Instant::now();
    let scratch = backend.create_scratch(near)?;
    let mut result = restore_checked(
        backend.as_ref(),
        dir,
        &manifest,
        passphrase,
        &scratch,
        options.jobs,
    );
    let dropped = backend.drop_scratch(&scratch);
    if result.is_ok() {
        result = dropped;
    }
    let at = Utc::now();
    manifest.last_restore_test = Some(RestoreTest {
        at,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        ok: result.is_ok(),
        error: result.as_ref().err().map(ToString::to_string),
    });
    manifest.restore_tested_at = if result.is_ok() { Some(at) } else { None };
    if matches!(result, Err(BackupError::Corrupt { .. })) {
        // The stored bytes matched their sha256 but did not decompress: not checksummed either.
        manifest.checksummed_at = None;
    }
    manifest.save(dir)?;
    result.map(|()| manifest)
}

#[derive(Debug, Clone)]
pub struct RestoreOptions {
    pub passphrase: Option<String>,
    /// Replace a database that has tables (after a safety backup of it).
    pub force: bool,
    /// Parallel restore jobs (see [`JobOptions`]), used where a failed restore is dropped as a
    /// whole (a created database, the scratch database of `force`); a restore into an existing
    /// empty database runs as one job, in one transaction.
    pub jobs: u32,
    /// Where the safety backup goes, with its compression level, passphrase and jobs.
    pub safety: CreateOptions,
}

#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The database did not exist and was created.
    pub created: bool,
    /// The backup of the replaced database, taken before anything changed.
    pub safety_backup: Option<Manifest>,
    /// A replaced database that could not be removed after the swap (its URL, redacted).
    pub left_behind: Option<String>,
    /// The note of an interrupted restore the target carried (see [`UNFINISHED_RESTORE`]): the
    /// database held nothing else and was replaced.
    pub replaced_unfinished: Option<String>,
}

/// How the note starts that a database created by `restore` carries until its restore is
/// complete and checked; the rest names the backup and when the restore started.
pub const UNFINISHED_RESTORE: &str = "drydock: restore of ";

/// Restore `manifest`'s backup into `url`. The backup's checksum is checked before the target is
/// touched. A missing database is created, and carries a note (see [`UNFINISHED_RESTORE`]) until
/// its restore is checked; one carrying that note holds only an interrupted restore and is
/// created anew. One with tables is replaced only with `force`:
/// safety backup first, then a restore into a scratch database, checked, then swapped in, so a
/// failure anywhere leaves the old database as it was.
pub fn restore(
    dir: &Path,
    manifest: &Manifest,
    url: &str,
    options: &RestoreOptions,
) -> Result<RestoreReport, BackupError> {
    let backend = backend_for(url)?;
    if backend.provider() != manifest.provider {
        return Err(BackupError::ProviderMismatch {
            backup: manifest.provider.clone(),
            target: backend.provider().to_owned(),
        });
    }
    backend.check_session_url(url)?;
    let _run = debris::RunLock::start(dir)?;
    let passphrase = options.passphrase.as_deref();
    if manifest.encrypted() && passphrase.is_none() {
        // Checked first: without it the restore could not even start.
        open_dump(dir, manifest, passphrase)?;
    }
    // Fully, before the target is touched: a database that is not ours to drop (an existing
    // empty one) must never receive a stream that turns out short.
    check_stored(dir, manifest, passphrase, true)?;
    let mut report = RestoreReport {
        created: false,
        safety_backup: None,
        left_behind: None,
        replaced_unfinished: None,
    };
    let mut exists = backend.exists(url)?;
    let mut decided_again = false;
    loop {
        if exists {
            let note = backend.restore_note(url)?;
            if let Some(note) = note.filter(|n| n.starts_with(UNFINISHED_RESTORE)) {
                if let Some(run) = backend.running_restore(url, &note)? {
                    return Err(BackupError::RestoreRunning {
                        url: redact_url(url),
                        run,
                        note,
                    });
                }
                // It holds nothing but what an interrupted restore of ours created.
                backend.drop_scratch(url)?;
                report.replaced_unfinished = Some(note);
            }
        }
        if (!exists || report.replaced_unfinished.is_some()) && !backend.create_database(url)? {
            // Another session created it meanwhile: a killed restore's `CREATE DATABASE`,
            // which the server finishes after the run is gone. Decided again, once, on what
            // is there now.
            if decided_again {
                return Err(BackupError::Query(format!(
                    "another session keeps creating the database of `{}`; run the restore again \
                     once it is done",
                    redact_url(url)
                )));
            }
            decided_again = true;
            exists = true;
            report.replaced_unfinished = None;
            continue;
        }
        break;
    }
    if !exists || report.replaced_unfinished.is_some() {
        report.created = true;
        let note = format!(
            "{UNFINISHED_RESTORE}{} in progress since {}",
            manifest.id,
            Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        );
        let restored = backend
            .set_restore_note(url, Some(&note))
            .and_then(|()| {
                restore_checked(
                    backend.as_ref(),
                    dir,
                    manifest,
                    passphrase,
                    url,
                    options.jobs,
                )
            })
            .and_then(|()| backend.set_restore_note(url, None));
        if let Err(e) = restored {
            // Only what this call created is removed.
            let _ = backend.drop_scratch(url);
            return Err(e);
        }
        return Ok(report);
    }
    if !backend.has_tables(url)? {
        // Not ours to drop or replace (it may hold other objects, sessions, grants): one job in
        // one transaction, so a failed restore leaves nothing behind, and when the restored
        // data then does not match, what the restore created is dropped again.
        let before = backend.objects(url)?;
        if let Err(e) = restore_checked(backend.as_ref(), dir, manifest, passphrase, url, 1) {
            return Err(undo_restore(backend.as_ref(), url, &before, e));
        }
        return Ok(report);
    }
    if !options.force {
        return Err(BackupError::TargetNotEmpty(redact_url(url)));
    }
    report.safety_backup = Some(create(backend.as_ref(), url, &options.safety)?);
    let scratch = backend.create_scratch(url)?;
    let swapped = restore_checked(
        backend.as_ref(),
        dir,
        manifest,
        passphrase,
        &scratch,
        options.jobs,
    )
    .and_then(|()| backend.swap(&scratch, url));
    let old = match swapped {
        Ok(old) => old,
        Err(e) => {
            let _ = backend.drop_scratch(&scratch);
            return Err(e);
        }
    };
    // The safety backup holds the old data; a leftover copy is reported, not fatal.
    if backend.drop_scratch(&old).is_err() {
        report.left_behind = Some(redact_url(&old));
    }
    Ok(report)
}

/// Drop every object of `url` that is not in `before` (what a failed restore created), then
/// check that the objects are `before`'s again; `error` is why the restore failed.
fn undo_restore(
    backend: &dyn Backend,
    url: &str,
    before: &[DbObject],
    error: BackupError,
) -> BackupError {
    let dropped = backend.objects(url).and_then(|after| {
        let created: Vec<DbObject> = after.into_iter().filter(|o| !before.contains(o)).collect();
        if created.is_empty() {
            return Ok(());
        }
        backend.drop_objects(url, &created)
    });
    let left = match dropped.and_then(|()| backend.objects(url)) {
        Ok(after) => differences(before, &after),
        Err(e) => vec![format!("dropping failed: {e}")],
    };
    if left.is_empty() {
        return error;
    }
    BackupError::NotUndone {
        error: Box::new(error),
        url: redact_url(url),
        left: left.join(", "),
    }
}

/// The objects of `after` not in `before`, then those of `before` not in `after`.
fn differences(before: &[DbObject], after: &[DbObject]) -> Vec<String> {
    after
        .iter()
        .filter(|o| !before.contains(o))
        .map(|o| format!("left: {o}"))
        .chain(
            before
                .iter()
                .filter(|o| !after.contains(o))
                .map(|o| format!("gone: {o}")),
        )
        .collect()
}

/// The databases next to `url` that interrupted runs left (see
/// [`Backend::leftover_databases`]); one line for each.
pub fn leftover_databases(url: &str) -> Result<Vec<String>, BackupError> {
    backend_for(url)?.leftover_databases(url)
}

/// Drop the scratch and shadow databases next to `url` that runs killed before dropping them
/// left behind (never one whose run may be alive); one line for each.
pub fn drop_abandoned_databases(url: &str) -> Result<Vec<String>, BackupError> {
    backend_for(url)?.drop_abandoned(url)
}

/// Delete the debris of interrupted runs in `dir` when `apply` (see [`Debris`]), but what a run
/// in progress there may have written: anything not older than the oldest such run.
pub fn prune_debris(dir: &Path, apply: bool) -> Result<DebrisReport, BackupError> {
    debris::remove(dir, apply)
}

/// Apply `policy` to the backups in `dir`: with `apply`, delete what it does not keep.
pub fn prune(
    dir: &Path,
    policy: &RetentionPolicy,
    apply: bool,
) -> Result<Vec<Decision>, BackupError> {
    let decisions = retention::plan(&manifest::list(dir)?, policy, Utc::now());
    if apply {
        for decision in decisions.iter().filter(|d| !d.keep) {
            for path in [
                decision.manifest.file_in(dir),
                decision.manifest.path_in(dir),
            ] {
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(BackupError::io(format!("deleting `{}`", path.display()), e));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(decisions)
}
