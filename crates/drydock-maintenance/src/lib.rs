//! Care of a database that holds data: what `drydock check`, `cleanup`, `indexes` and `stats`
//! find, in one shape whatever the database. Each database answers through its dialect's hooks;
//! this crate never names one.

mod finding;
mod stats;
mod thresholds;

pub use finding::{Finding, ObjectRef, Severity};
pub use stats::{
    CacheRatios, ChainLink, Connections, GrowingTable, Growth, LockWait, QueryStat,
    STATS_JSON_VERSION, SnapshotStored, StatsError, StatsOptions, StatsReport, TableGrowth,
    TableStats, TopQueries, stats,
};
pub use thresholds::{Limit, Thresholds, evaluate, format_seconds, parse_duration, parse_percent};
