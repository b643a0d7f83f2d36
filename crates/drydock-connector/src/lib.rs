//! The contract between the generic core and each database.
//!
//! A dialect is a value implementing [`Dialect`] (pure facts and rendering: no IO) that can open
//! [`Connection`]s (all IO): small traits by concern that every database implements, and
//! capabilities only some offer ([`prelude`] brings the traits into scope for concrete types).
//! Every dialect crate has the same files: `types.rs` (lowering rules), `diff_hooks.rs`,
//! `render.rs`, `connection.rs`, `introspect.rs` (with `queries/*.sql`), `history.rs`, `lock.rs`,
//! `runs.rs`. The generic core asks for capabilities; it never tests which database it talks to.

mod activity;
mod alerts;
mod audit;
mod cleanup;
mod connection;
mod db_url;
mod error;
mod health;
mod history;
mod index_facts;
mod interrupt;
mod phase_plan;
mod phases;
mod row_count;
mod runs;
mod schedule;
mod script;
pub mod sql_scan;
mod stats;
pub mod table_uses;

pub use activity::{
    Privilege, SessionActivity, SessionInfo, SessionLimits, StatementProgress, Storage, TableLock,
};
pub use alerts::{ALERT_TABLE, AlertStore, StoredAlert};
pub use audit::{
    AUDIT_COLUMNS, AUDIT_TABLE, AuditEntry, AuditLog, AuditOrigin, AuditRecord, AuditTrigger,
    ChainBreak, DRYDOCK_SESSION_SETTING, GENESIS_HASH, audit_now, audit_time, entry_hash,
    verify_chain,
};
pub use cleanup::{ArchivedColumn, CLEANUP_TABLE, CleanupSql, json_object_row};
pub use connection::{
    Connection, FailedIndexBuilds, Introspect, MaintenanceFacts, MigrationHistory, MigrationLock,
    ObserveSessions, PreflightFacts, RunScripts, SessionControl, TrialRun, prelude,
};
pub use db_url::{DbUrl, MASK, UrlError, UrlErrorKind, UrlHost, redact_text, redact_url};
pub use drydock_diff::Warning;
pub use error::{ConnectorError, ScriptError};
pub use health::{
    ForeignKeyViolation, HealthFacts, InvalidIndex, ReplicationSlot, RowCheck, RowCheckResult,
    RowCheckSql, SAMPLE_LIMIT, SequenceUse, StoppedScheduledJob, TableStatistics, TableWithoutKey,
    TextQuery, TransactionAge, UnenforcedColumn, UnvalidatedConstraint,
};
pub use history::{
    BACKFILL_TABLE, HISTORY_TABLE, HistoryRow, SEED_TABLE, is_bookkeeping_table,
    without_bookkeeping,
};
pub use index_facts::{
    ForeignKeyFact, IndexFact, IndexFacts, IndexFactsRequest, QueryStats, SuggestedIndex,
    leading_index_exists,
};
pub use interrupt::{Interrupt, Registration, StatementCanceller};
pub use phase_plan::{
    DoubledColumn, NotNullCheck, PhaseSql, UncheckedForeignKey, ValuesRemovedLater, key_of,
    lint_ignore, nullable_without_default, plan_phases,
};
pub use phases::{NoPhasedPlan, Phase, PhaseKind};
pub use row_count::RowCount;
pub use runs::{
    RUN_TABLE, Run, RunFilter, RunLog, RunProgress, RunStart, RunStatus, host_name, process_gone,
};
pub use schedule::{ClaimStatus, SCHEDULE_CLAIM_TABLE, ScheduleClaim, ScheduleClaims};
pub use script::{EMPTY_MIGRATION, join_statements, render_script, render_sections};
pub use stats::{
    CacheCounters, ConnectionCount, IndexSize, PageCounts, QueryFact, ReplicationFact,
    STATS_SNAPSHOT_TABLE, SessionCommands, SessionFact, StatementStats, StatsFacts, StatsRequest,
    StatsSource, StoredSnapshot, TableFact,
};

use drydock_diff::{Change, DiffHooks};
use drydock_schema::{
    CheckConstraint, Column, LoweringRules, OpaqueObject, SqlSchema, Table, View,
};

/// An object the differ leaves alone (it is never diffed) that a migration can still write from
/// the definition introspection read: a view, a function, procedure, trigger... made by hand, a
/// check constraint, or a comment.
#[derive(Debug, Clone, Copy)]
pub enum HandMadeObject<'a> {
    View(&'a View),
    Carried(&'a OpaqueObject),
    Check(&'a Table, &'a CheckConstraint),
    /// The table's comment (`Table::comment`).
    TableComment(&'a Table),
    /// The column's comment (`Column::comment`).
    ColumnComment(&'a Table, &'a Column),
}

/// What the generic core may ask of a database without opening a connection.
pub trait Dialect: Send + Sync {
    /// The canonical provider name written to `migration_lock.toml` (`postgresql`, `sqlite`).
    fn provider(&self) -> &'static str;

    /// Whether this dialect serves a connection URL (by scheme, e.g. `postgres://`, `file:`).
    fn accepts_url(&self, url: &str) -> bool;

    /// What a connection URL looks like, with placeholders, for messages.
    fn example_url(&self) -> &'static str;

    /// A URL for a database on this machine, the one `drydock init` writes to `.env`.
    fn local_url(&self) -> &'static str;

    fn lowering_rules(&self) -> &dyn LoweringRules;

    fn diff_hooks(&self) -> &dyn DiffHooks;

    /// The SQL of one change, without its `-- Header` line; statements end with `;` and are
    /// separated by newlines.
    fn render_change(&self, change: &Change) -> String;

    /// The `-- Header` (`CreateView`, `DropTrigger`...) and the statements (each ending with
    /// `;`) that create `object` (`create`) or drop it, from the definition introspection read;
    /// `None` when this dialect cannot write such an object.
    fn render_hand_made(
        &self,
        object: HandMadeObject<'_>,
        create: bool,
    ) -> Option<(&'static str, String)>;

    /// `changes` (a diff leading to `target`) as phases that keep the running application
    /// working and never block writes for long; only phases with statements. `target` gives
    /// what a change does not carry: a renamed column's definition (with what the change keeps
    /// of the old column, as `drydock_diff::applied_schema` states it), a table's primary key.
    /// Why there is none otherwise: not needed (its writers take turns anyway).
    fn plan_zero_downtime(
        &self,
        changes: &[Change],
        target: &SqlSchema,
    ) -> Result<Vec<Phase>, NoPhasedPlan>;

    fn capabilities(&self) -> Capabilities;

    /// Why `script` must run outside a transaction (`CREATE INDEX CONCURRENTLY`, its own
    /// `BEGIN`/`COMMIT`, ...), or `None` when it can run inside one.
    fn needs_no_transaction(&self, script: &str) -> Option<String>;

    /// Whether `error` is a statement giving up waiting for a lock under
    /// [`SessionLimits::lock_timeout`]: such a statement changed nothing and may be retried.
    fn is_lock_timeout(&self, error: &ScriptError) -> bool;

    /// Whether `error` says the object a statement creates exists already. A deploy that
    /// resumes a migration whose process died counts the statement that was running as done
    /// when it fails this way (it had completed before the death was recorded).
    fn is_already_exists(&self, _error: &ScriptError) -> bool {
        false
    }

    /// Whether `error` says the object a statement drops does not exist. A `migrate down` that
    /// continues a down script whose process died counts the statement that was running as
    /// done when it fails this way.
    fn is_already_gone(&self, _error: &ScriptError) -> bool {
        false
    }

    /// Why `url` looks like it goes through a connection pooler in transaction mode (where
    /// session settings, advisory locks and statements outside a transaction misbehave), or
    /// `None`.
    fn pooler_warning(&self, url: &str) -> Option<String>;

    /// A query whose one text value names the database instance a session is connected to,
    /// whatever the URL calls it (PostgreSQL: the cluster's system identifier and the
    /// database's oid), so that a deploy plan is applied only where it was made; `None` when
    /// the URL alone has to do.
    fn instance_identity_query(&self) -> Option<&'static str> {
        None
    }

    /// The namespace objects are written without, for a connection to `url` (`None` when the
    /// URL cannot be read): the URL's own, else the dialect's default. `None` on dialects
    /// without namespaces.
    fn default_namespace(&self, _url: Option<&str>) -> Option<String> {
        None
    }

    /// `url` with the relative file paths among its parameters (certificates) made absolute
    /// against `base`, the schema's folder, where Prisma reads them from.
    fn resolve_url_paths(&self, url: &str, _base: &std::path::Path) -> String {
        url.to_owned()
    }

    /// How the dialect's SQL is written (comments, quoting, bodies where `;` does not end a
    /// statement), for the one statement scanner in [`sql_scan`].
    fn lexical_rules(&self) -> &'static sql_scan::LexicalRules;

    /// `change` (a [`Change::CreateIndex`] or [`Change::DropIndex`]) written to run without
    /// blocking the table's writers where the database can (`CONCURRENTLY`); such a statement
    /// goes alone in its migration, outside a transaction ([`Dialect::needs_no_transaction`]).
    fn render_index_online(&self, change: &Change) -> String {
        self.render_change(change)
    }

    /// The byte ranges of the statements of `script`, in order, each ending after its `;`;
    /// comments and whitespace between statements belong to the next one.
    fn split_statements(&self, script: &str) -> Vec<std::ops::Range<usize>> {
        sql_scan::statement_ranges(script, self.lexical_rules())
    }

    /// Open a connection. `url` is the user's URL as given (never printed unredacted).
    fn connect(&self, url: &str) -> Result<Box<dyn Connection>, ConnectorError>;

    /// Create the database `url` names when it does not exist (as `migrate dev` does for a new
    /// project). Returns whether it was created; `false` when it existed already.
    fn create_database(&self, url: &str) -> Result<bool, ConnectorError>;

    /// Create an empty scratch database to replay migrations into: `shadow_url` when the user
    /// configured one (it is reset first), otherwise a temporary database next to `main_url`.
    fn open_shadow(
        &self,
        main_url: &str,
        shadow_url: Option<&str>,
    ) -> Result<Box<dyn ShadowDatabase>, ConnectorError>;

    /// The run log kept with the database `url` names, out of Prisma's sight (PostgreSQL: the
    /// schema `_drydock`; SQLite: a file beside the database's, `dev.db` → `dev.drydock.db`).
    fn open_run_log(&self, url: &str) -> Result<Box<dyn RunLog>, ConnectorError>;

    /// The store of open alerts, kept where the run log of a database at `url` is kept.
    fn open_alert_store(&self, url: &str) -> Result<Box<dyn AlertStore>, ConnectorError>;

    /// The claims of scheduled runs (`drydock serve`'s scheduler), kept where the run log of a
    /// database at `url` is kept.
    fn open_schedule_claims(&self, url: &str) -> Result<Box<dyn ScheduleClaims>, ConnectorError>;

    /// The audit log of schema changes made to the database `url` names, kept in that database
    /// beside its run log (never in `[state] url`'s: a trigger in the database writes to it).
    fn open_audit_log(&self, url: &str) -> Result<Box<dyn AuditLog>, ConnectorError>;

    /// The monitoring facts of the database `url` names, and its stored snapshots
    /// (`drydock stats`). Without an override the database reports none.
    fn open_stats(&self, url: &str) -> Result<Box<dyn StatsSource>, ConnectorError> {
        let _ = url;
        Err(ConnectorError::query(format!(
            "drydock stats does not read {} databases yet",
            self.provider()
        )))
    }

    /// Drop the temporary shadow databases next to `main_url` that runs killed before disposing
    /// of them left behind (never one whose run may be alive); one line for each. Without an
    /// override there are none.
    fn drop_abandoned_shadows(&self, main_url: &str) -> Result<Vec<String>, ConnectorError> {
        let _ = main_url;
        Ok(Vec::new())
    }

    /// The SQL `drydock cleanup` writes through; `None` when the database has none.
    fn cleanup_sql(&self) -> Option<&dyn CleanupSql> {
        None
    }
}

/// A SQL grammar the linter can read statements with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlGrammar {
    PostgreSql,
    Sqlite,
    MySql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// DDL statements take part in transactions (PostgreSQL, SQLite; not MySQL).
    pub transactional_ddl: bool,
    /// The grammar the linter reads this database's SQL with.
    pub sql_grammar: SqlGrammar,
    /// The linter knows this database's lock levels: the lock rules written for its grammar
    /// run, and live facts (table sizes, the server's version) come from the database.
    /// Elsewhere only the rules that hold in every grammar (data loss, naming) run.
    pub lock_aware_lint: bool,
}

/// A scratch database that lives until [`ShadowDatabase::dispose`].
pub trait ShadowDatabase {
    fn connection(&mut self) -> &mut dyn Connection;

    /// Drop the scratch database (or reset a configured shadow database).
    fn dispose(self: Box<Self>) -> Result<(), ConnectorError>;
}
