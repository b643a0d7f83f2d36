//! What can stop `drydock cleanup` and its restore, each with a stable code
//! (`docs/errors.md`).

use std::path::PathBuf;

use drydock_connector::ConnectorError;

#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    #[error(transparent)]
    Connector(#[from] ConnectorError),

    /// Flags that do not fit together, or name nothing.
    #[error("{0}")]
    Usage(String),

    /// Relations whose orphans have no action the relation implies (`Restrict`, `NoAction`,
    /// `SetDefault`, or `SetNull` on a required reference): nothing was changed.
    #[error(
        "the orphans of {} have no action their relation implies, so nothing was changed: pass \
         `--action delete` (or `--action set-null` for optional relations) to decide, or leave \
         them out with `--only`",
        .relations.join(", ")
    )]
    NeedsAction { relations: Vec<String> },

    /// A batch failed and was rolled back; the batches before it stay committed and archived.
    #[error(
        "a batch of `{relation}` failed and was rolled back ({message}); the {rows} rows changed \
         before it are in the archive `{archive}`; run the cleanup again to resume"
    )]
    Batch {
        relation: String,
        message: String,
        rows: u64,
        archive: PathBuf,
    },

    /// Ctrl-C or `SIGTERM` between two batches (or during one, which rolled back).
    #[error(
        "the cleanup was interrupted after {batches} batches ({rows} rows, archived in \
         `{archive}`); run it again to resume"
    )]
    Interrupted {
        batches: u64,
        rows: u64,
        archive: PathBuf,
    },

    /// The unfinished cleanup the progress table names cannot be resumed: its archive is not
    /// where it was, or holds less than the committed batches wrote.
    #[error(
        "an unfinished cleanup (`{id}`) cannot be resumed: {reason}; pass the `--archive-dir` \
         it was started with, or, to give it up, delete its row from `_drydock_cleanups` (the \
         rows it changed are then only in `{partial}`)"
    )]
    ArchiveMissing {
        id: String,
        partial: PathBuf,
        reason: String,
    },

    /// Not an archive of drydock cleanup, or its bytes do not match its manifest.
    #[error("`{path}` is not a usable cleanup archive: {reason}")]
    ArchiveCorrupt { path: PathBuf, reason: String },

    /// Putting archived rows back failed; the restore was rolled back whole.
    #[error("restoring `{path}` failed and was rolled back: {message}")]
    Restore { path: PathBuf, message: String },

    /// A `[[rules]]` entry with a cleanup that cannot run on this database: nothing changed.
    #[error(
        "the cleanup of rule `{rule}` cannot run ({reason}), so nothing was changed: correct the \
         rule in drydock.toml, or leave it out with `--only`"
    )]
    RuleUnusable { rule: String, reason: String },

    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl CleanupError {
    pub fn code(&self) -> &'static str {
        match self {
            CleanupError::Connector(error) => error.code(),
            CleanupError::Usage(_) => "D1001",
            CleanupError::NeedsAction { .. } => "D6111",
            CleanupError::Batch { .. } => "D6112",
            CleanupError::Interrupted { .. } => "D6113",
            CleanupError::ArchiveMissing { .. } => "D6114",
            CleanupError::ArchiveCorrupt { .. } => "D6115",
            CleanupError::Restore { .. } => "D6116",
            CleanupError::RuleUnusable { .. } => "D6117",
            CleanupError::Io { .. } => "D1011",
        }
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        CleanupError::Io {
            what: what.into(),
            source,
        }
    }
}
