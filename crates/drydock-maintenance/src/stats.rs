//! `drydock stats`: monitoring of one database. Reads the facts through the database's
//! [`StatsSource`], shapes them into a [`StatsReport`] (top queries, connections, cache hit
//! ratios, long-running and idle-in-transaction sessions, lock waits with their blocking chain,
//! sizes and their growth, vacuum and analyze times, dead rows, replication lag), holds them to
//! the [`Thresholds`], and stores a snapshot for trends when asked.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use drydock_connector::{
    ConnectionCount, ConnectorError, IndexSize, PageCounts, ReplicationFact, SessionCommands,
    SessionFact, StatementStats, StatsFacts, StatsRequest, StatsSource, StoredSnapshot, TableFact,
};
use drydock_tasks::{Event, Events};
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::thresholds::{Thresholds, evaluate};

/// The `version` field of the report's JSON; raised only when a field changes meaning or goes.
pub const STATS_JSON_VERSION: u32 = 1;

/// The `version` of a stored snapshot's text.
const SNAPSHOT_VERSION: u32 = 1;

/// What `drydock stats` does.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsOptions {
    pub thresholds: Thresholds,
    /// How many statements to show by total and by mean time.
    pub top_queries: usize,
    /// Store a snapshot of sizes, counters and query statistics.
    pub snapshot: bool,
    /// Snapshots older than this are deleted when a new one is stored; `None` keeps them all.
    pub retention: Option<Duration>,
    /// Growth is measured from the oldest snapshot taken within this window.
    pub growth_window: Duration,
    /// The time the report and its snapshot carry; `None` for now.
    pub taken_at: Option<DateTime<Utc>>,
}

impl Default for StatsOptions {
    fn default() -> Self {
        StatsOptions {
            thresholds: Thresholds::default(),
            top_queries: 10,
            snapshot: false,
            retention: Some(Duration::from_secs(30 * 86_400)),
            growth_window: Duration::from_secs(7 * 86_400),
            taken_at: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    #[error("the stored snapshot taken at {taken_at} cannot be read: {message}")]
    Snapshot {
        taken_at: DateTime<Utc>,
        message: String,
    },
}

/// Everything `drydock stats` reports; its JSON shape is documented in `docs/json-output.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    pub version: u32,
    pub database: String,
    pub server: String,
    pub taken_at: DateTime<Utc>,
    pub size_bytes: Option<u64>,
    pub is_replica: bool,
    /// Since when the per-table counters count; `None` where the database cannot tell.
    pub statistics_since: Option<DateTime<Utc>>,
    /// `None` where the database has no sessions to count (SQLite).
    pub connections: Option<Connections>,
    pub cache: Option<CacheRatios>,
    /// Sessions on this database that are not idle, longest-running first.
    pub sessions: Vec<SessionFact>,
    /// Sessions waiting for a lock, each with the chain of sessions it waits behind.
    pub lock_waits: Vec<LockWait>,
    /// Largest first.
    pub tables: Vec<TableStats>,
    /// Largest first.
    pub indexes: Vec<IndexSize>,
    pub queries: TopQueries,
    pub replication: Vec<ReplicationFact>,
    pub pages: Option<PageCounts>,
    /// What changed since the oldest snapshot within the growth window.
    pub growth: Option<Growth>,
    /// The snapshot this run stored, when asked to.
    pub snapshot: Option<SnapshotStored>,
    pub findings: Vec<Finding>,
    /// How to stop a statement or end a session on this database, for the findings' fixes.
    #[serde(skip)]
    pub session_commands: SessionCommands,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connections {
    pub total: u64,
    pub max: Option<u64>,
    /// `total` as a share of `max`.
    pub percent: Option<f64>,
    pub by_state: Vec<ConnectionCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheRatios {
    pub table_hit_percent: Option<f64>,
    pub table_blocks: u64,
    pub index_hit_percent: Option<f64>,
    pub index_blocks: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockWait {
    pub pid: i64,
    pub query: Option<String>,
    pub waiting_seconds: f64,
    pub wait: Option<String>,
    /// The sessions holding the lock it waits for.
    pub blocked_by: Vec<i64>,
    /// Those sessions and, behind them, the ones they wait for in turn: nearest first.
    pub chain: Vec<ChainLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainLink {
    pub pid: i64,
    /// The session it waits for, or `None` at the head of the chain.
    pub waits_for: Option<i64>,
    pub state: Option<String>,
    pub query: Option<String>,
    pub transaction_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableStats {
    pub schema: Option<String>,
    pub name: String,
    pub rows: Option<u64>,
    pub dead_rows: Option<u64>,
    /// Dead rows as a share of live rows (as PgHero shows it: not a share of all rows).
    pub dead_percent: Option<f64>,
    pub table_bytes: u64,
    pub index_bytes: u64,
    pub total_bytes: u64,
    pub last_vacuum: Option<DateTime<Utc>>,
    pub last_analyze: Option<DateTime<Utc>>,
    pub modified_since_analyze: Option<u64>,
    /// Change since the growth snapshot; `None` without one or for a table new since.
    pub growth: Option<TableGrowth>,
}

impl TableStats {
    /// `schema.name`, or `name` where the database has no schemas.
    pub fn qualified_name(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableGrowth {
    pub bytes: i64,
    pub rows: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TopQueries {
    Available {
        by_total_time: Vec<QueryStat>,
        by_mean_time: Vec<QueryStat>,
    },
    Unavailable {
        reason: String,
        enable: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryStat {
    pub id: String,
    pub query: String,
    pub calls: u64,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub rows: u64,
    /// Percent of the total time of the statements shown.
    pub percent_of_total: f64,
    /// Calls and time since the growth snapshot, when it has the statement.
    pub calls_since: Option<i64>,
    pub total_ms_since: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    /// When the snapshot growth is measured from was taken.
    pub since: DateTime<Utc>,
    pub database_bytes: Option<i64>,
    /// Tables that grew the most in bytes, largest growth first.
    pub tables: Vec<GrowingTable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrowingTable {
    pub name: String,
    pub bytes: i64,
    pub rows: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotStored {
    pub taken_at: DateTime<Utc>,
    /// Old snapshots the retention deleted.
    pub deleted: u64,
    /// Snapshots kept, this one included.
    pub kept: u64,
}

/// A stored snapshot: what trends are computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    taken_at: DateTime<Utc>,
    size_bytes: Option<u64>,
    tables: Vec<SnapshotTable>,
    indexes: Vec<SnapshotIndex>,
    queries: Vec<SnapshotQuery>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SnapshotTable {
    name: String,
    rows: Option<u64>,
    table_bytes: u64,
    index_bytes: u64,
    dead_rows: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SnapshotIndex {
    name: String,
    bytes: u64,
    scans: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SnapshotQuery {
    id: String,
    calls: u64,
    total_ms: f64,
    rows: u64,
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

fn signed(after: u64, before: u64) -> i64 {
    i64::try_from(after).unwrap_or(i64::MAX) - i64::try_from(before).unwrap_or(i64::MAX)
}

fn qualified(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(schema) => format!("{schema}.{name}"),
        None => name.to_owned(),
    }
}

/// Each waiting session with the chain of sessions it waits behind (bounded: a session
/// appears once in a chain).
fn lock_waits(sessions: &[SessionFact]) -> Vec<LockWait> {
    let by_pid: HashMap<i64, &SessionFact> = sessions.iter().map(|s| (s.pid, s)).collect();
    let mut waits = Vec::new();
    for waiting in sessions.iter().filter(|s| !s.blocked_by.is_empty()) {
        let mut chain = Vec::new();
        let mut seen = HashSet::from([waiting.pid]);
        let mut next = waiting.blocked_by.first().copied();
        while let Some(pid) = next {
            if !seen.insert(pid) || chain.len() >= 64 {
                break;
            }
            let holder = by_pid.get(&pid);
            let following = holder.and_then(|h| h.blocked_by.first().copied());
            chain.push(ChainLink {
                pid,
                waits_for: following,
                state: holder.and_then(|h| h.state.clone()),
                query: holder.and_then(|h| h.query.clone()),
                transaction_seconds: holder.and_then(|h| h.transaction_seconds),
            });
            next = following;
        }
        waits.push(LockWait {
            pid: waiting.pid,
            query: waiting.query.clone(),
            waiting_seconds: waiting
                .state_seconds
                .or(waiting.query_seconds)
                .unwrap_or(0.0),
            wait: waiting.wait.clone(),
            blocked_by: waiting.blocked_by.clone(),
            chain,
        });
    }
    waits
}

fn snapshot_of(facts: &StatsFacts, taken_at: DateTime<Utc>) -> Snapshot {
    let queries = match &facts.queries {
        StatementStats::Available { queries } => queries
            .iter()
            .map(|q| SnapshotQuery {
                id: q.id.clone(),
                calls: q.calls,
                total_ms: q.total_ms,
                rows: q.rows,
            })
            .collect(),
        StatementStats::Unavailable { .. } => Vec::new(),
    };
    Snapshot {
        version: SNAPSHOT_VERSION,
        taken_at,
        size_bytes: facts.size_bytes,
        tables: facts
            .tables
            .iter()
            .map(|t| SnapshotTable {
                name: qualified(t.schema.as_deref(), &t.name),
                rows: t.rows,
                table_bytes: t.table_bytes,
                index_bytes: t.index_bytes,
                dead_rows: t.dead_rows,
            })
            .collect(),
        indexes: facts
            .indexes
            .iter()
            .map(|i| SnapshotIndex {
                name: qualified(i.schema.as_deref(), &i.name),
                bytes: i.bytes,
                scans: i.scans,
            })
            .collect(),
        queries,
    }
}

fn tables(facts: &[TableFact], before: Option<&Snapshot>) -> Vec<TableStats> {
    let previous: HashMap<&str, &SnapshotTable> = before
        .map(|s| s.tables.iter().map(|t| (t.name.as_str(), t)).collect())
        .unwrap_or_default();
    let mut tables: Vec<TableStats> = facts
        .iter()
        .map(|t| {
            let name = qualified(t.schema.as_deref(), &t.name);
            let total_bytes = t.table_bytes + t.index_bytes;
            let growth = previous.get(name.as_str()).map(|p| TableGrowth {
                bytes: signed(total_bytes, p.table_bytes + p.index_bytes),
                rows: t.rows.zip(p.rows).map(|(now, then)| signed(now, then)),
            });
            TableStats {
                schema: t.schema.clone(),
                name: t.name.clone(),
                rows: t.rows,
                dead_rows: t.dead_rows,
                dead_percent: t
                    .dead_rows
                    .zip(t.rows)
                    .and_then(|(dead, live)| match (dead, live) {
                        (0, _) => Some(0.0),
                        (_, 0) => Some(100.0),
                        (dead, live) => percent(dead, live),
                    }),
                table_bytes: t.table_bytes,
                index_bytes: t.index_bytes,
                total_bytes,
                last_vacuum: t.last_vacuum,
                last_analyze: t.last_analyze,
                modified_since_analyze: t.modified_since_analyze,
                growth,
            }
        })
        .collect();
    tables.sort_by(|a, b| {
        b.total_bytes
            .cmp(&a.total_bytes)
            .then_with(|| a.qualified_name().cmp(&b.qualified_name()))
    });
    tables
}

fn top_queries(stats: &StatementStats, top: usize, before: Option<&Snapshot>) -> TopQueries {
    let queries = match stats {
        StatementStats::Unavailable { reason, enable } => {
            return TopQueries::Unavailable {
                reason: reason.clone(),
                enable: enable.clone(),
            };
        }
        StatementStats::Available { queries } => queries,
    };
    let previous: HashMap<&str, &SnapshotQuery> = before
        .map(|s| s.queries.iter().map(|q| (q.id.as_str(), q)).collect())
        .unwrap_or_default();
    let all_ms: f64 = queries.iter().map(|q| q.total_ms).sum();
    let stat = |q: &drydock_connector::QueryFact| {
        let then = previous.get(q.id.as_str());
        QueryStat {
            id: q.id.clone(),
            query: q.query.clone(),
            calls: q.calls,
            total_ms: q.total_ms,
            mean_ms: q.mean_ms,
            rows: q.rows,
            percent_of_total: if all_ms > 0.0 {
                q.total_ms * 100.0 / all_ms
            } else {
                0.0
            },
            calls_since: then.map(|p| signed(q.calls, p.calls)),
            total_ms_since: then.map(|p| q.total_ms - p.total_ms),
        }
    };
    let mut by_total: Vec<_> = queries.iter().collect();
    by_total.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
    let mut by_mean: Vec<_> = queries.iter().collect();
    by_mean.sort_by(|a, b| b.mean_ms.total_cmp(&a.mean_ms));
    TopQueries::Available {
        by_total_time: by_total.into_iter().take(top).map(stat).collect(),
        by_mean_time: by_mean.into_iter().take(top).map(stat).collect(),
    }
}

fn growth(facts: &StatsFacts, tables: &[TableStats], before: &Snapshot) -> Growth {
    let mut growing: Vec<GrowingTable> = tables
        .iter()
        .filter_map(|t| {
            t.growth.map(|g| GrowingTable {
                name: t.qualified_name(),
                bytes: g.bytes,
                rows: g.rows,
            })
        })
        .filter(|g| g.bytes != 0 || g.rows.is_some_and(|rows| rows != 0))
        .collect();
    growing.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    growing.truncate(20);
    Growth {
        since: before.taken_at,
        database_bytes: facts
            .size_bytes
            .zip(before.size_bytes)
            .map(|(now, then)| signed(now, then)),
        tables: growing,
    }
}

/// `+1.2 MB`, `-830 kB`: a change in size, signed.
pub fn signed_bytes(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "+" };
    format!("{sign}{}", crate::indexes::human_bytes(n.unsigned_abs()))
}

/// `text` on one line (its whitespace collapsed), cut to `width` characters with `...`.
pub fn one_line(text: &str, width: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > width {
        let cut: String = text.chars().take(width.saturating_sub(3)).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Sizes over the stored snapshots, oldest first: the trend behind growth.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SizeHistory {
    /// When each snapshot was taken, oldest first.
    pub taken_at: Vec<DateTime<Utc>>,
    /// The database's bytes in each snapshot, where it tells.
    pub database_bytes: Vec<Option<u64>>,
    /// Each table seen in any of them, with its bytes (data and indexes) in each; `None` where
    /// a snapshot lacks it. Largest in the newest snapshot first.
    pub tables: Vec<TableHistory>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableHistory {
    pub name: String,
    pub bytes: Vec<Option<u64>>,
}

/// The sizes of the newest `at_most` snapshots `source` keeps (none when none was stored).
pub fn size_history(
    source: &mut dyn StatsSource,
    at_most: usize,
) -> Result<SizeHistory, StatsError> {
    let times = source.snapshot_times()?;
    let skip = times.len().saturating_sub(at_most);
    let mut snapshots = Vec::new();
    for at in times.into_iter().skip(skip) {
        // The oldest at or after its own time is the snapshot itself.
        if let Some(stored) = source.snapshot_since(at)? {
            let snapshot: Snapshot =
                serde_json::from_str(&stored.body).map_err(|e| StatsError::Snapshot {
                    taken_at: stored.taken_at,
                    message: e.to_string(),
                })?;
            snapshots.push(snapshot);
        }
    }
    let mut names: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for snapshot in snapshots.iter().rev() {
        let mut tables: Vec<&SnapshotTable> = snapshot.tables.iter().collect();
        tables.sort_by_key(|t| std::cmp::Reverse(t.table_bytes + t.index_bytes));
        for table in tables {
            if seen.insert(table.name.clone()) {
                names.push(table.name.clone());
            }
        }
    }
    let tables = names
        .into_iter()
        .map(|name| TableHistory {
            bytes: snapshots
                .iter()
                .map(|s| {
                    s.tables
                        .iter()
                        .find(|t| t.name == name)
                        .map(|t| t.table_bytes + t.index_bytes)
                })
                .collect(),
            name,
        })
        .collect();
    Ok(SizeHistory {
        taken_at: snapshots.iter().map(|s| s.taken_at).collect(),
        database_bytes: snapshots.iter().map(|s| s.size_bytes).collect(),
        tables,
    })
}

/// Run `drydock stats` on the database `source` reads: collect, compare with the snapshot
/// growth is measured from, evaluate the thresholds and, with `options.snapshot`, store a
/// snapshot and delete those past the retention.
pub fn stats(
    source: &mut dyn StatsSource,
    options: &StatsOptions,
    events: &dyn Events,
) -> Result<StatsReport, StatsError> {
    let taken_at = options.taken_at.unwrap_or_else(Utc::now);
    events.event(Event::Progress {
        step: "collecting statistics".to_owned(),
        done: 0,
        total: Some(3),
    });
    let facts = source.collect(&StatsRequest {
        top_queries: options.top_queries,
    })?;
    events.info(&format!(
        "read {} tables, {} indexes and {} sessions of {} ({})",
        facts.tables.len(),
        facts.indexes.len(),
        facts.sessions.len(),
        facts.database,
        facts.server
    ));
    events.event(Event::Progress {
        step: "reading the growth snapshot".to_owned(),
        done: 1,
        total: Some(3),
    });
    let window = chrono::Duration::from_std(options.growth_window)
        .unwrap_or_else(|_| chrono::Duration::days(7));
    let before = match source.snapshot_since(taken_at - window)? {
        Some(stored) if stored.taken_at < taken_at => {
            let snapshot: Snapshot =
                serde_json::from_str(&stored.body).map_err(|e| StatsError::Snapshot {
                    taken_at: stored.taken_at,
                    message: e.to_string(),
                })?;
            Some(snapshot)
        }
        _ => None,
    };
    let tables = tables(&facts.tables, before.as_ref());
    let mut indexes = facts.indexes.clone();
    indexes.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    let total_connections: u64 = facts.connections.iter().map(|c| c.count).sum();
    let connections =
        (!facts.connections.is_empty() || facts.max_connections.is_some()).then(|| Connections {
            total: total_connections,
            max: facts.max_connections,
            percent: facts
                .max_connections
                .and_then(|max| percent(total_connections, max)),
            by_state: facts.connections.clone(),
        });
    let cache = facts.cache.map(|c| CacheRatios {
        table_hit_percent: percent(c.table_hits, c.table_hits + c.table_reads),
        table_blocks: c.table_hits + c.table_reads,
        index_hit_percent: percent(c.index_hits, c.index_hits + c.index_reads),
        index_blocks: c.index_hits + c.index_reads,
    });
    let lock_waits = lock_waits(&facts.sessions);
    let mut sessions: Vec<SessionFact> = facts
        .sessions
        .iter()
        .filter(|s| s.state.as_deref() != Some("idle"))
        .cloned()
        .collect();
    sessions.sort_by(|a, b| {
        b.transaction_seconds
            .or(b.query_seconds)
            .unwrap_or(0.0)
            .total_cmp(&a.transaction_seconds.or(a.query_seconds).unwrap_or(0.0))
    });
    let growth = before.as_ref().map(|b| growth(&facts, &tables, b));
    let mut report = StatsReport {
        version: STATS_JSON_VERSION,
        database: facts.database.clone(),
        server: facts.server.clone(),
        taken_at,
        size_bytes: facts.size_bytes,
        is_replica: facts.is_replica,
        statistics_since: facts.statistics_since,
        connections,
        cache,
        sessions,
        lock_waits,
        tables,
        indexes,
        queries: top_queries(&facts.queries, options.top_queries, before.as_ref()),
        replication: facts.replication.clone(),
        pages: facts.pages,
        growth,
        snapshot: None,
        findings: Vec::new(),
        session_commands: facts.session_commands.clone(),
    };
    report.findings = evaluate(&report, &options.thresholds);
    for finding in &report.findings {
        events.warning(&format!("{} {}", finding.code, finding.title));
    }
    if options.snapshot {
        events.event(Event::Progress {
            step: "storing a snapshot".to_owned(),
            done: 2,
            total: Some(3),
        });
        let body = serde_json::to_string(&snapshot_of(&facts, taken_at)).map_err(|e| {
            StatsError::Snapshot {
                taken_at,
                message: e.to_string(),
            }
        })?;
        let delete_before = options
            .retention
            .and_then(|keep| chrono::Duration::from_std(keep).ok())
            .map(|keep| taken_at - keep);
        let deleted = source.store_snapshot(&StoredSnapshot { taken_at, body }, delete_before)?;
        let kept = source.snapshot_times()?.len() as u64;
        events.info(&format!(
            "stored a snapshot taken at {}; {deleted} older than the retention deleted, {kept} kept",
            taken_at.to_rfc3339()
        ));
        report.snapshot = Some(SnapshotStored {
            taken_at,
            deleted,
            kept,
        });
    }
    events.event(Event::Progress {
        step: "done".to_owned(),
        done: 3,
        total: Some(3),
    });
    events.event(Event::Counts {
        examined: (report.tables.len() + report.indexes.len()) as u64,
        affected: u64::from(report.snapshot.is_some()),
    });
    Ok(report)
}
