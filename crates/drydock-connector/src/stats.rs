//! Monitoring facts of one database (`drydock stats`): sizes, counters, sessions and their
//! locks, query statistics, replication. Each dialect reads them in its own catalogs behind
//! [`StatsSource`], and keeps the snapshots trends are computed from where Prisma never sees
//! them (PostgreSQL: the schema `_drydock`; SQLite: the file beside the database that holds the
//! run log). The generic core (`drydock-maintenance`) turns facts into a report and findings.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ConnectorError;

/// The table of stored snapshots. A bookkeeping table: never introspected, never in drift.
pub const STATS_SNAPSHOT_TABLE: &str = "_drydock_stats_snapshots";

/// What a collection reads beyond the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsRequest {
    /// How many statements to read from the query statistics, by total time and by mean time
    /// each.
    pub top_queries: usize,
}

/// Everything one collection read. Counts the database cannot tell are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StatsFacts {
    /// The database's name (PostgreSQL) or file (SQLite).
    pub database: String,
    /// The server, e.g. `PostgreSQL 17.2`.
    pub server: String,
    pub size_bytes: Option<u64>,
    /// Whether the server is a replica (PostgreSQL: in recovery).
    pub is_replica: bool,
    /// Since when the per-table counters count (PostgreSQL: the later of the database's
    /// statistics reset and the server's start); a table never vacuumed is as old as them.
    pub statistics_since: Option<DateTime<Utc>>,
    /// Client sessions of the whole server, by state (`active`, `idle`, `idle in transaction`).
    pub connections: Vec<ConnectionCount>,
    pub max_connections: Option<u64>,
    /// Block reads from memory and from disk, over the user's tables and indexes.
    pub cache: Option<CacheCounters>,
    /// The other client sessions on this database, with the sessions each waits for.
    pub sessions: Vec<SessionFact>,
    pub tables: Vec<TableFact>,
    pub indexes: Vec<IndexSize>,
    pub queries: StatementStats,
    /// Primary: one row per replica streaming from it. Replica: one row, its own replay delay.
    pub replication: Vec<ReplicationFact>,
    /// The database file's pages (SQLite).
    pub pages: Option<PageCounts>,
    /// How a person stops a statement or ends a session here, for the fixes findings give.
    pub session_commands: SessionCommands,
}

/// Statements a person runs on a session, `{pid}` standing for its id, and the setting that
/// ends sessions left idle in a transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionCommands {
    /// Stops the statement the session runs (`SELECT pg_cancel_backend({pid})`).
    pub cancel: String,
    /// Ends the session and rolls back its transaction (`SELECT pg_terminate_backend({pid})`).
    pub end: String,
    /// The setting that ends sessions idle in a transaction for too long.
    pub idle_timeout: String,
}

impl SessionCommands {
    /// `command` (one of this struct's) for the session `pid`.
    pub fn for_session(command: &str, pid: i64) -> String {
        command.replace("{pid}", &pid.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionCount {
    pub state: String,
    pub count: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CacheCounters {
    pub table_hits: u64,
    pub table_reads: u64,
    pub index_hits: u64,
    pub index_reads: u64,
}

/// A client session other than the one reading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionFact {
    pub pid: i64,
    pub user: Option<String>,
    pub application: Option<String>,
    /// `active`, `idle`, `idle in transaction`, `idle in transaction (aborted)`...
    pub state: Option<String>,
    /// The running or last statement, shortened.
    pub query: Option<String>,
    /// Seconds since the running or last statement started.
    pub query_seconds: Option<f64>,
    /// Seconds since the open transaction started.
    pub transaction_seconds: Option<f64>,
    /// Seconds since the state last changed.
    pub state_seconds: Option<f64>,
    /// What it waits for (`Lock: transactionid`), when it waits.
    pub wait: Option<String>,
    /// Sessions holding the lock it waits for.
    pub blocked_by: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableFact {
    pub schema: Option<String>,
    pub name: String,
    pub rows: Option<u64>,
    pub dead_rows: Option<u64>,
    /// The table's own bytes (with its TOAST), without indexes.
    pub table_bytes: u64,
    pub index_bytes: u64,
    pub last_vacuum: Option<DateTime<Utc>>,
    pub last_analyze: Option<DateTime<Utc>>,
    pub modified_since_analyze: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexSize {
    pub schema: Option<String>,
    pub table: String,
    pub name: String,
    pub bytes: u64,
    pub scans: Option<u64>,
}

/// The query statistics of this database, or why there are none and how to turn them on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StatementStats {
    Available { queries: Vec<QueryFact> },
    Unavailable { reason: String, enable: String },
}

impl Default for StatementStats {
    fn default() -> Self {
        StatementStats::Unavailable {
            reason: "this database keeps no query statistics".to_owned(),
            enable: String::new(),
        }
    }
}

/// One normalized statement's cumulative counters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryFact {
    /// The database's identifier of the normalized statement, as text.
    pub id: String,
    pub query: String,
    pub calls: u64,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicationFact {
    /// The replica's name (primary), or `this server` (replica).
    pub name: String,
    pub lag_seconds: Option<f64>,
    pub lag_bytes: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageCounts {
    pub page_size: u64,
    pub page_count: u64,
    pub freelist_count: u64,
}

/// A snapshot as stored: when it was taken, and the core's own text of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    pub taken_at: DateTime<Utc>,
    pub body: String,
}

/// Monitoring facts of one database, and its stored snapshots. Opened with
/// [`crate::Dialect::open_stats`].
pub trait StatsSource: Send {
    /// Read the facts as they are now.
    fn collect(&mut self, request: &StatsRequest) -> Result<StatsFacts, ConnectorError>;

    /// Store a snapshot (the snapshot table is created on the first one), then delete those
    /// taken before `delete_before`; returns how many were deleted.
    fn store_snapshot(
        &mut self,
        snapshot: &StoredSnapshot,
        delete_before: Option<DateTime<Utc>>,
    ) -> Result<u64, ConnectorError>;

    /// When each stored snapshot was taken, oldest first (none when none was ever stored).
    fn snapshot_times(&mut self) -> Result<Vec<DateTime<Utc>>, ConnectorError>;

    /// The oldest snapshot taken at or after `since`.
    fn snapshot_since(
        &mut self,
        since: DateTime<Utc>,
    ) -> Result<Option<StoredSnapshot>, ConnectorError>;
}
