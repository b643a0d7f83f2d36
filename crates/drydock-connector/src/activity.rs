//! What sessions on the server are doing: the input of deploy's live progress and blocker
//! reports, and of the pre-flight checks. Dialects fill these from their catalogs; a database
//! without concurrent sessions (SQLite) reports none.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

/// Limits a migration session runs its statements under. `None` leaves the server's setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionLimits {
    /// How long one statement may wait for a lock before it fails (PostgreSQL `lock_timeout`).
    pub lock_timeout: Option<Duration>,
    /// How long one statement may run (PostgreSQL `statement_timeout`).
    pub statement_timeout: Option<Duration>,
}

/// Another session on the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    /// The server's id for it (PostgreSQL backend pid).
    pub id: String,
    pub user: Option<String>,
    pub application: Option<String>,
    /// Client address, when it connected over the network.
    pub client: Option<String>,
    /// `active`, `idle in transaction`, ...
    pub state: Option<String>,
    /// How long its current transaction has been open.
    #[serde(
        rename = "transaction_age_ms",
        serialize_with = "serialize_optional_millis"
    )]
    pub transaction_age: Option<Duration>,
    /// Its current (or, when idle, last) statement, shortened.
    pub query: Option<String>,
    /// Locks it holds or waits for on tables of the managed namespaces.
    pub locks: Vec<TableLock>,
}

/// A lock a session holds, or waits for, on a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableLock {
    pub table: String,
    /// The lock mode (`AccessExclusiveLock`, ...).
    pub mode: String,
    pub granted: bool,
}

/// How far a long statement has come (`CREATE INDEX`, `CLUSTER`, `VACUUM`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementProgress {
    /// What runs (`CREATE INDEX CONCURRENTLY`).
    pub command: String,
    /// The phase the server reports (`building index: scanning table`).
    pub phase: String,
    pub done: Option<u64>,
    pub total: Option<u64>,
    /// What `done` and `total` count (`blocks`, `tuples`).
    pub unit: String,
}

/// What one session is doing right now, seen from another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionActivity {
    /// What it waits for, when it waits (`Lock: relation`).
    pub waiting_for: Option<String>,
    /// The sessions it waits for.
    pub blockers: Vec<SessionInfo>,
    /// Progress of its current statement, when the server reports any.
    pub progress: Option<StatementProgress>,
}

/// One privilege the migration role needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Privilege {
    /// What it allows, in words (`CREATE on schema "public"`).
    pub what: String,
    pub granted: bool,
}

/// Where the database stores its data and how much room is left there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Storage {
    /// The size of the database (all its tables and indexes).
    pub database_bytes: Option<u64>,
    /// Where the data lives, when the server says and it is on this machine.
    pub data_directory: Option<PathBuf>,
    /// Free bytes where the data lives, when it can be known from here.
    pub free_bytes: Option<u64>,
}

fn serialize_optional_millis<S: serde::Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => {
            serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
        }
        None => serializer.serialize_none(),
    }
}
