//! A session on one database, as small traits by concern. [`Connection`] is what every
//! database has; what only some have is a capability the core asks for
//! ([`Connection::sessions`], [`Connection::failed_index_builds`], [`Connection::trial_runs`],
//! [`Connection::maintenance`]) and does without when it is absent.

use std::sync::Arc;

use drydock_schema::SqlSchema;

use crate::{
    ConnectorError, HealthFacts, HistoryRow, IndexFacts, IndexFactsRequest, Privilege, RowCheck,
    RowCheckResult, RowCount, ScriptError, SessionActivity, SessionInfo, SessionLimits,
    StatementCanceller, Storage,
};

/// A session on one database: the sum of what every database does, and the capabilities only
/// some offer (`None` by default). Not shared between threads.
pub trait Connection:
    RunScripts + Introspect + MigrationHistory + MigrationLock + SessionControl + PreflightFacts
{
    /// Who other sessions are and what they do, when the database has concurrent sessions
    /// that it tells about.
    fn sessions(&mut self) -> Option<&mut dyn ObserveSessions> {
        None
    }

    /// Indexes a failed concurrent build left invalid, when the database builds indexes so.
    fn failed_index_builds(&mut self) -> Option<&mut dyn FailedIndexBuilds> {
        None
    }

    /// Scripts tried in a transaction rolled back, when the database's DDL is transactional.
    fn trial_runs(&mut self) -> Option<&mut dyn TrialRun> {
        None
    }

    /// The facts `drydock check` and `drydock indexes` read, when the database reports them.
    fn maintenance(&mut self) -> Option<&mut dyn MaintenanceFacts> {
        None
    }
}

/// Running SQL as written: scripts, single statements, drydock's own queries, and cancelling
/// them from another thread.
pub trait RunScripts {
    /// Run a script of one or more statements exactly as written, adding no transaction.
    fn execute_script(&mut self, script: &str) -> Result<(), ScriptError>;

    /// Whether `error`, from this session, ended it: the server terminated it, stopped, or
    /// cannot be reached any more. A session that never ends on its own says no.
    fn is_lost(&mut self, _error: &ScriptError) -> bool {
        false
    }

    /// Run one statement on its own and return how many rows it changed.
    fn execute_counted(&mut self, statement: &str) -> Result<u64, ScriptError>;

    /// End a transaction that a failed script left open (its own `BEGIN` without the `COMMIT`),
    /// rolling it back. Returns whether one was open.
    fn abort_open_transaction(&mut self) -> Result<bool, ConnectorError>;

    /// Run a query and return the first column of each row as text (`None` for NULL). For
    /// drydock's own bookkeeping tables; user data goes through scripts.
    fn query_texts(&mut self, sql: &str) -> Result<Vec<Option<String>>, ConnectorError>;

    /// What cancels the statement this session runs, from another thread (Ctrl-C during a
    /// migration). A cancelled statement fails and changes nothing.
    fn canceller(&mut self) -> Result<Arc<dyn StatementCanceller>, ConnectorError>;
}

/// Reading the schema and the server, and erasing what the managed namespaces hold.
pub trait Introspect {
    /// Describe the schema (default namespace, or the namespaces in `namespaces` when given),
    /// excluding the history table.
    fn introspect(&mut self, namespaces: &[String]) -> Result<SqlSchema, ConnectorError>;

    /// A short description of the server, e.g. `PostgreSQL 15.4`.
    fn server_version(&mut self) -> Result<String, ConnectorError>;

    /// Whether the database has tables other than the history table (for baselining checks).
    fn has_user_tables(&mut self) -> Result<bool, ConnectorError>;

    /// Drop every object in the managed namespaces, including the history table.
    fn reset(&mut self) -> Result<(), ConnectorError>;
}

/// Prisma's `_prisma_migrations`, and scripts applied together with their row.
pub trait MigrationHistory {
    fn history_table_exists(&mut self) -> Result<bool, ConnectorError>;

    /// Create `_prisma_migrations` if it does not exist, with Prisma's exact columns.
    fn create_history_table(&mut self) -> Result<(), ConnectorError>;

    /// All history rows, ordered by `started_at` then `migration_name`.
    fn read_history(&mut self) -> Result<Vec<HistoryRow>, ConnectorError>;

    /// Insert a row as given (any of its fields may be set).
    fn insert_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError>;

    /// Overwrite the mutable fields of the row with `row.id`: `finished_at`, `logs`,
    /// `rolled_back_at`, `applied_steps_count`, and `checksum` (which only `migrate resolve
    /// --finish` changes: the row of a migration finished with its corrected file).
    fn update_history_row(&mut self, row: &HistoryRow) -> Result<(), ConnectorError>;

    /// In one transaction: run `script`, then insert `row` (whose `finished_at` is set). Either
    /// both take effect or neither does; without transactional DDL
    /// ([`Capabilities::transactional_ddl`](crate::Capabilities::transactional_ddl), MySQL)
    /// only for row changes, as DDL commits by itself.
    fn apply_in_transaction(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError>;

    /// In one transaction: run `script`, then overwrite the mutable fields of the row with
    /// `row.id`. Either both take effect or neither does: a down migration with its
    /// `rolled_back_at`, a statement of a migration that runs outside a transaction with its
    /// count of completed statements. Without transactional DDL a DDL statement commits by
    /// itself and the row is written right after it.
    fn execute_and_record(&mut self, script: &str, row: &HistoryRow) -> Result<(), ScriptError>;
}

/// The migration lock, one deploy at a time.
pub trait MigrationLock {
    /// Take the migration lock (PostgreSQL advisory lock 72707369, MySQL `GET_LOCK`, SQLite
    /// exclusive locking). Waits up to `timeout_secs`, then fails with
    /// [`ConnectorError::LockTimeout`], which names the holder when the database tells. Held
    /// until [`MigrationLock::unlock_migrations`] or the connection closes. Returns what it did
    /// to get the lock, one line each (ending a session orphaned by a killed drydock).
    fn lock_migrations(&mut self, timeout_secs: u64) -> Result<Vec<String>, ConnectorError>;

    fn unlock_migrations(&mut self) -> Result<(), ConnectorError>;
}

/// How long this session's statements may wait for locks and run.
pub trait SessionControl {
    /// Apply `limits` to this session. Statements of a migration may override them with their
    /// own `SET`; calling this again restores them.
    fn set_session_limits(&mut self, limits: &SessionLimits) -> Result<(), ConnectorError>;
}

/// What the database's sessions do (a capability: [`Connection::sessions`]). A database
/// without it has no other session to tell about, or does not say who they are (SQLite).
pub trait ObserveSessions {
    /// The id other sessions see this one by ([`SessionInfo::id`]).
    fn session_id(&mut self) -> Result<String, ConnectorError>;

    /// What the session `id` is doing: who blocks it, and how far its statement has come.
    fn observe_session(&mut self, id: &str) -> Result<SessionActivity, ConnectorError>;

    /// Other sessions that have a transaction open or hold locks in the managed namespaces.
    fn other_sessions(&mut self) -> Result<Vec<SessionInfo>, ConnectorError>;
}

/// The facts checked before a deploy or a migration is written.
pub trait PreflightFacts {
    /// The privileges migrations need, and whether this session's role has each.
    fn privileges(&mut self) -> Result<Vec<Privilege>, ConnectorError>;

    /// The database's size and the free space where it lives.
    fn storage(&mut self) -> Result<Storage, ConnectorError>;

    /// Count rows of the managed tables (see [`RowCount`]), for the checks before a migration
    /// is written.
    fn count_rows(&mut self, question: &RowCount<'_>) -> Result<u64, ConnectorError>;
}

/// Indexes left invalid by a failed concurrent build (a capability:
/// [`Connection::failed_index_builds`]). A database whose index builds either complete or leave
/// nothing (SQLite, MySQL) has none.
pub trait FailedIndexBuilds {
    /// Indexes of the managed namespaces left invalid by a failed concurrent build, as
    /// qualified SQL names.
    fn invalid_indexes(&mut self) -> Result<Vec<String>, ConnectorError>;

    /// Drop an index named by [`FailedIndexBuilds::invalid_indexes`] without blocking writes.
    fn drop_invalid_index(&mut self, name: &str) -> Result<(), ConnectorError>;
}

/// Trying a script on the rows present (a capability: [`Connection::trial_runs`]). A database
/// whose DDL commits by itself cannot roll a script back, so it does not offer this.
pub trait TrialRun {
    /// Run `script` in a transaction that is then rolled back, to learn whether it fails on
    /// the rows present.
    fn trial_run(&mut self, script: &str) -> Result<(), ScriptError>;
}

/// The facts of a database that holds data, for `drydock check` and `drydock indexes` (a
/// capability: [`Connection::maintenance`]). Reads only: never creates or changes anything.
pub trait MaintenanceFacts {
    /// The indexes and foreign keys of the managed tables, with their use, and the indexes the
    /// measured statements call for (`drydock indexes`).
    fn index_facts(&mut self, request: &IndexFactsRequest) -> Result<IndexFacts, ConnectorError>;

    /// What the catalogs say about the health of the managed namespaces (`namespaces`, or the
    /// URL's when empty), for `drydock check`.
    fn health_facts(&mut self, namespaces: &[String]) -> Result<HealthFacts, ConnectorError>;

    /// Answer a question about rows (see [`RowCheck`]), names quoted the database's way.
    fn check_rows(&mut self, check: &RowCheck<'_>) -> Result<RowCheckResult, ConnectorError>;
}

/// The traits of a connection, brought into scope (unnamed) by `use
/// drydock_connector::prelude::*;` so their methods can be called on a concrete connection
/// type. A `dyn Connection` or a capability's trait object needs no import.
pub mod prelude {
    pub use super::{
        Connection as _, FailedIndexBuilds as _, Introspect as _, MaintenanceFacts as _,
        MigrationHistory as _, MigrationLock as _, ObserveSessions as _, PreflightFacts as _,
        RunScripts as _, SessionControl as _, TrialRun as _,
    };
}
