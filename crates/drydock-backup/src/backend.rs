//! What each database provides to the generic backup code: a dump stream, its restore, table
//! statistics to compare, and scratch databases for restore tests.

use std::io::{Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::BackupError;

/// A client tool or library a backend dumped with, recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolVersion {
    pub name: String,
    pub version: String,
}

/// The uncompressed dump's format, recorded in the manifest and handed back to `restore`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DumpFormat {
    /// For example `pg_dump-custom`, `sqlite-file`, `mariadb-sql`.
    pub name: String,
    /// Backend-specific notes (e.g. the schema dumped); empty when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// What `dump` wrote: its format and the statistics of exactly the data dumped (taken in the
/// same snapshot, so a database written to during the dump still matches its manifest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSummary {
    pub format: DumpFormat,
    pub tables: Vec<TableStats>,
}

impl DumpSummary {
    /// A dump in the backend's format (see [`Backend::format_name`]) holding `tables`.
    pub fn new(format_name: &str, tables: Vec<TableStats>) -> DumpSummary {
        DumpSummary {
            format: DumpFormat {
                name: format_name.to_owned(),
                details: Vec::new(),
            },
            tables,
        }
    }
}

/// How a dump or a restore may run. A backend that cannot split its work ignores it: only
/// PostgreSQL uses it (a directory-format dump and a parallel `pg_restore` when `jobs` > 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOptions {
    /// Parallel jobs; 0 and 1 both mean one stream, as without options.
    pub jobs: u32,
    /// Where temporary files and folders go (the backups folder: the same disk as the backup);
    /// they are removed before `dump_with` or `restore_with` returns.
    pub work_dir: PathBuf,
}

impl JobOptions {
    /// One job, temporary files in the system's temporary folder.
    pub fn single() -> JobOptions {
        JobOptions {
            jobs: 1,
            work_dir: std::env::temp_dir(),
        }
    }
}

/// One user table's content summary: an exact row count and a fingerprint that changes when any
/// row does. Two databases with equal stats hold the same data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableStats {
    pub name: String,
    pub rows: u64,
    pub fingerprint: String,
}

/// An object of a database that a restore creates, as [`Backend::objects`] names it: two
/// listings of the same database compare equal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DbObject {
    /// What it is, in the database's words (`table`, `function`, `VIEW`, ...).
    pub kind: String,
    /// Its name, qualified as the database needs to drop it.
    pub name: String,
}

impl std::fmt::Display for DbObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

/// A database the backup commands can dump, restore and test. Implementations shell out to the
/// database's own tools or use its client library; the generic part compresses, hashes and
/// encrypts the stream and never names a database.
pub trait Backend: Send + Sync {
    /// The Prisma provider name: `postgresql`, `sqlite`, `mysql`.
    fn provider(&self) -> &'static str;
    /// Whether this backend handles `url` (by scheme).
    fn accepts_url(&self, url: &str) -> bool;
    /// The database name a backup file is named after (`app` for `postgresql://h/app`).
    fn database_name(&self, url: &str) -> Result<String, BackupError>;
    fn server_version(&self, url: &str) -> Result<String, BackupError>;
    /// The tools a dump of the database at `url` would run, and their versions.
    fn tool_versions(&self, url: &str) -> Result<Vec<ToolVersion>, BackupError>;
    /// The name of the format `dump` writes ([`DumpFormat::name`]); `restore` is only handed
    /// dumps of this format.
    fn format_name(&self) -> &'static str;
    /// Write a dump of the whole database to `out`, uncompressed, and return the stats of
    /// the dumped data (same format as `table_stats`).
    fn dump(&self, url: &str, out: &mut dyn Write) -> Result<DumpSummary, BackupError>;
    /// Load a dump written by `dump` into the empty database at `url`.
    fn restore(&self, input: &mut dyn Read, url: &str) -> Result<(), BackupError>;
    /// [`Backend::dump`] with job options; the format written may then differ from
    /// [`Backend::format_name`] (it is in the returned summary). Without an override, the
    /// options are ignored.
    fn dump_with(
        &self,
        url: &str,
        out: &mut dyn Write,
        options: &JobOptions,
    ) -> Result<DumpSummary, BackupError> {
        let _ = options;
        self.dump(url, out)
    }
    /// Load a dump of `format` (one [`Backend::accepts_format`] accepts) into the empty database
    /// at `url`. Without an override, the options are ignored.
    fn restore_with(
        &self,
        input: &mut dyn Read,
        format: &DumpFormat,
        url: &str,
        options: &JobOptions,
    ) -> Result<(), BackupError> {
        let _ = (format, options);
        self.restore(input, url)
    }
    /// Whether `restore_with` loads dumps of the format named `name`.
    fn accepts_format(&self, name: &str) -> bool {
        name == self.format_name()
    }
    /// Per user table, sorted by name: exact row count and a fingerprint of all rows in a stable
    /// order. Bookkeeping tables (`_prisma_migrations`) are included: they are data too.
    fn table_stats(&self, url: &str) -> Result<Vec<TableStats>, BackupError>;
    /// Whether the database at `url` has any table [`Backend::table_stats`] would list.
    fn has_tables(&self, url: &str) -> Result<bool, BackupError> {
        Ok(!self.table_stats(url)?.is_empty())
    }
    /// The latest finished, not rolled back migration in `_prisma_migrations`, if that table
    /// exists.
    fn last_migration(&self, url: &str) -> Result<Option<String>, BackupError>;
    /// Every object a restore can create in the database at `url` (tables, views, sequences,
    /// routines, types, schemas, large objects, ...), but not the parts that go with another
    /// (indexes, constraints, a table's triggers); sorted.
    fn objects(&self, url: &str) -> Result<Vec<DbObject>, BackupError>;
    /// Drop `objects` (as [`Backend::objects`] listed them) and whatever depends on them from
    /// the database at `url`, in one transaction where the database allows it; an object that
    /// is already gone is no error.
    fn drop_objects(&self, url: &str, objects: &[DbObject]) -> Result<(), BackupError>;
    /// Whether the database at `url` exists; `false` is not an error.
    fn exists(&self, url: &str) -> Result<bool, BackupError>;
    /// Create the empty database at `url`; `false` when another session created it first.
    fn create_database(&self, url: &str) -> Result<bool, BackupError>;
    /// Store `note` on the database at `url` where a restore into it does not overwrite it, or
    /// remove the note (`None`). Without an override nothing is stored: the database then never
    /// carries the note of an unfinished restore.
    fn set_restore_note(&self, url: &str, note: Option<&str>) -> Result<(), BackupError> {
        let _ = (url, note);
        Ok(())
    }
    /// The note [`Backend::set_restore_note`] stored on the database at `url`, if any (it may be
    /// a note of the user's own, too).
    fn restore_note(&self, url: &str) -> Result<Option<String>, BackupError> {
        let _ = url;
        Ok(None)
    }
    /// Refuse a URL through which the dump and restore tools cannot work (a transaction-mode
    /// pooler, [`BackupError::TransactionPooler`]). Without an override every URL is accepted.
    fn check_session_url(&self, url: &str) -> Result<(), BackupError> {
        let _ = url;
        Ok(())
    }
    /// The databases next to `url` that interrupted runs left: scratch and shadow databases whose
    /// run is gone, and databases marked by an unfinished restore; one line for each. Without an
    /// override there are none.
    fn leftover_databases(&self, url: &str) -> Result<Vec<String>, BackupError> {
        let _ = url;
        Ok(Vec::new())
    }
    /// Drop the scratch and shadow databases next to `url` left by runs that are gone (never
    /// one whose run may be alive); one line for each. Without an override there are none.
    fn drop_abandoned(&self, url: &str) -> Result<Vec<String>, BackupError> {
        let _ = url;
        Ok(Vec::new())
    }
    /// Who runs the restore whose note (see [`Backend::set_restore_note`]) the database at `url`
    /// carries, while that run may be alive; `None` when it is known to be gone (or the note
    /// names no run). Without an override every run is taken for gone.
    fn running_restore(&self, url: &str, note: &str) -> Result<Option<String>, BackupError> {
        let _ = (url, note);
        Ok(None)
    }
    /// A new empty scratch database next to `url`; returns its URL.
    fn create_scratch(&self, url: &str) -> Result<String, BackupError>;
    /// Remove a database made by `create_scratch` (also used for swapped-out databases).
    fn drop_scratch(&self, scratch_url: &str) -> Result<(), BackupError>;
    /// Make the database at `source_url` (a restored scratch database) the one at `target_url`,
    /// keeping the old target under a new name whose URL is returned, so a failed swap leaves
    /// the old data in place.
    fn swap(&self, source_url: &str, target_url: &str) -> Result<String, BackupError>;
}
