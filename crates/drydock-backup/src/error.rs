//! Backup errors, each with a stable `D5xxx` code.

use std::path::PathBuf;

/// Everything a backup command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "no backup backend handles the URL `{0}`: drydock backs up PostgreSQL \
         (`postgresql://`), MariaDB/MySQL (`mysql://`) and SQLite (`file:`)"
    )]
    UnsupportedUrl(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{tool}` failed: {message}")]
    Tool { tool: String, message: String },
    #[error(
        "this server is PostgreSQL {needed}, and pg_dump refuses a server newer than itself: \
         found {found} (looked in {looked_in}); install the client tools of PostgreSQL {needed} \
         or newer, or set DRYDOCK_PG_BIN to the folder holding them"
    )]
    ClientTooOld {
        needed: u32,
        found: String,
        looked_in: String,
    },
    #[error("database query failed: {0}")]
    Query(String),
    #[error("the backup `{}` is corrupt: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "unreadable manifest `{}`: {reason}. Restore it from a copy, or move the backup's \
         files out of the folder", path.display()
    )]
    Manifest { path: PathBuf, reason: String },
    #[error("no backup matches `{0}`: `drydock backup list` shows the backups there are")]
    NotFound(String),
    #[error(
        "there are no backups in `{}`: run `drydock backup create` to take one (or pass --dir \
         with the folder that holds them)", dir.display()
    )]
    NoBackups { dir: PathBuf },
    #[error(
        "no restore-tested backup in `{}`: run `drydock backup verify` first, or pass --allow-unverified",
        dir.display()
    )]
    NoneVerified { dir: PathBuf },
    #[error("the restored data does not match the backup's manifest: {0}")]
    Mismatch(String),
    #[error(
        "the backup `{0}` has not passed a restore test: run `drydock backup verify`, or pass --allow-unverified"
    )]
    Unverified(String),
    #[error("the database `{0}` already has tables: pass --force to replace it")]
    TargetNotEmpty(String),
    #[error(
        "a restore into `{url}` is running: {run} (the database's note: {note}); wait for it to \
         finish, or stop that process: the database of a restore that was killed is replaced by \
         the next restore"
    )]
    RestoreRunning {
        url: String,
        run: String,
        note: String,
    },
    #[error("the backup is a {backup} backup and cannot be restored into a {target} database")]
    ProviderMismatch { backup: String, target: String },
    #[error("encryption: {0}")]
    Encryption(String),
    #[error("{0}")]
    Usage(String),
    #[error(
        "{error}; dropping what the restore created did not leave `{url}` as it was ({left}): \
         put these right by hand"
    )]
    NotUndone {
        error: Box<BackupError>,
        url: String,
        left: String,
    },
    #[error(
        "backups cannot run through a connection pooler in transaction mode ({why}): pg_dump \
         and pg_restore need one server session for the whole run (the dump's snapshot, the \
         restore's session settings), and it hands each transaction to any server session; \
         point `--url` at the database server directly (the datasource's `directUrl`, not the \
         pooler's `url`)"
    )]
    TransactionPooler { why: String },
    /// Opening a session failed: the connector's error, with its own code (Prisma's where
    /// Prisma has one, e.g. P1011 for TLS).
    #[error("{0}")]
    Connect(drydock_connector::ConnectorError),
}

impl BackupError {
    /// The stable code shown next to the message.
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::UnsupportedUrl(_) => "D5001",
            BackupError::Usage(_) => "D5002",
            BackupError::Io { .. } => "D5010",
            BackupError::Tool { .. } => "D5011",
            BackupError::Query(_) => "D5012",
            BackupError::ClientTooOld { .. } => "D5014",
            BackupError::TransactionPooler { .. } => "D5015",
            BackupError::Encryption(_) => "D5013",
            BackupError::Corrupt { .. } => "D5020",
            BackupError::Manifest { .. } => "D5021",
            BackupError::Mismatch(_) => "D5022",
            BackupError::NotUndone { .. } => "D5023",
            BackupError::NotFound(_) | BackupError::NoBackups { .. } => "D5030",
            BackupError::NoneVerified { .. } => "D5031",
            BackupError::TargetNotEmpty(_) => "D5032",
            BackupError::RestoreRunning { .. } => "D5035",
            BackupError::ProviderMismatch { .. } => "D5033",
            BackupError::Unverified(_) => "D5034",
            BackupError::Connect(error) => error.code(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> BackupError {
        BackupError::Io {
            context: context.into(),
            source,
        }
    }
}
