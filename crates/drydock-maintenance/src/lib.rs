//! Care of a database that holds data: what `drydock check`, `cleanup`, `indexes` and `stats`
//! find, in one shape whatever the database. Each database answers through its dialect's hooks;
//! this crate never names one.

pub mod alerts;
mod archive;
pub mod check;
mod cleanup;
mod cleanup_error;
mod finding;
pub mod indexes;
mod orphans;
mod rule_cleanup;
mod stats;
mod thresholds;

pub use archive::{
    ARCHIVE_KIND, ARCHIVE_SUFFIX, ARCHIVE_VERSION, ArchiveManifest, ArchivedBatch,
    ArchivedRelation, BatchHeader, MANIFEST_SUFFIX, Operation, load_manifest, read_archive,
};
pub use check::{
    CheckError, CheckOptions, CheckReport, CleanupAction, Rule, Thresholds as CheckThresholds,
    ValueSet, check, codes,
};
pub use cleanup::{
    ArchiveOutcome, CleanupOptions, CleanupOutcome, DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT,
    OrphanAction, RelationOutcome, RestoreOutcome, cleanup, restore,
};
pub use cleanup_error::CleanupError;
pub use finding::{Finding, LoggedFinding, ObjectRef, Severity, logged_findings};
pub use indexes::human_bytes;
pub use orphans::{ORPHANS, OrphanCount, RELATION_MISSING, SAMPLES, orphan_findings};
pub use rule_cleanup::RuleOutcome;
pub use stats::{
    CacheRatios, ChainLink, Connections, GrowingTable, Growth, LockWait, QueryStat,
    STATS_JSON_VERSION, SizeHistory, SnapshotStored, StatsError, StatsOptions, StatsReport,
    TableGrowth, TableHistory, TableStats, TopQueries, one_line, signed_bytes, size_history, stats,
};
pub use thresholds::{Limit, Thresholds, evaluate, format_seconds, parse_duration, parse_percent};
