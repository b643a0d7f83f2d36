//! One row of `_prisma_migrations`, with Prisma's exact columns.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The history table's name, shared with Prisma.
pub const HISTORY_TABLE: &str = "_prisma_migrations";

/// The table `db seed` records applied seed files in.
pub const SEED_TABLE: &str = "_drydock_seeds";

/// The table batched data migrations (backfills) record their progress in.
pub const BACKFILL_TABLE: &str = "_drydock_backfills";

/// Tables drydock keeps for itself: never part of an introspected schema.
pub fn is_bookkeeping_table(name: &str) -> bool {
    name == HISTORY_TABLE
        || name == SEED_TABLE
        || name == BACKFILL_TABLE
        || name == crate::RUN_TABLE
        || name == crate::ALERT_TABLE
        || name == crate::CLEANUP_TABLE
        || name == crate::STATS_SNAPSHOT_TABLE
        || name == crate::SCHEDULE_CLAIM_TABLE
        || name == crate::AUDIT_TABLE
}

/// `schema` without drydock's bookkeeping tables; every dialect's introspection ends with it.
pub fn without_bookkeeping(mut schema: drydock_schema::SqlSchema) -> drydock_schema::SqlSchema {
    schema
        .tables
        .retain(|table| !is_bookkeeping_table(&table.name));
    schema
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    /// A v4 UUID.
    pub id: String,
    /// Lowercase hex sha256 of `migration.sql`.
    pub checksum: String,
    pub finished_at: Option<DateTime<Utc>>,
    pub migration_name: String,
    pub logs: Option<String>,
    pub rolled_back_at: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub applied_steps_count: u32,
}

impl HistoryRow {
    /// Started, not finished, not rolled back: blocks deploys until resolved.
    pub fn is_failed(&self) -> bool {
        self.finished_at.is_none() && self.rolled_back_at.is_none()
    }

    pub fn is_rolled_back(&self) -> bool {
        self.rolled_back_at.is_some()
    }

    /// Counts as applied: finished and not rolled back.
    pub fn is_applied(&self) -> bool {
        self.finished_at.is_some() && self.rolled_back_at.is_none()
    }
}
