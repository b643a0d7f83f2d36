//! The MySQL and MariaDB dialect. Same file set as every dialect: `types.rs` (lowering rules and
//! the typed native types), `diff_hooks.rs`, `render.rs` (Prisma's MySQL flavour of SQL),
//! `url.rs` (Prisma's MySQL URLs, sessions over rustls TLS), `connection.rs` (scripts, session
//! limits, other sessions, pre-flight facts, databases created, shadow databases),
//! `introspect.rs` (+ `queries/*.sql`), `history.rs` (`_prisma_migrations` as Prisma's MySQL
//! connector writes it), `lock.rs` (`GET_LOCK('prisma_migrate')`) and `zero_downtime.rs` (the
//! phases of `migrate dev --zero-downtime`); the maintenance hooks: `health.rs` (`drydock
//! check`), `cleanup.rs` ([`MysqlCleanup`]), `index_facts.rs` (`drydock indexes`), `stats.rs`
//! ([`MysqlStats`], `drydock stats`), `runs.rs` ([`MysqlRunLog`]) and `alert_store.rs`
//! ([`MysqlAlertStore`]).

mod alert_store;
mod audit;
mod cleanup;
mod connection;
mod diff_hooks;
mod health;
mod history;
mod index_facts;
mod introspect;
mod lock;
pub mod owner;
mod render;
mod runs;
mod schedule_claims;
mod stats;
mod types;
pub mod url;
mod zero_downtime;

pub use alert_store::MysqlAlertStore;
pub use cleanup::MysqlCleanup;
pub use connection::{
    ER_LOCK_WAIT_TIMEOUT, LEXICAL_RULES, MysqlConnection, SHADOW_DATABASE_PREFIX, create_database,
    drop_abandoned_shadows, open_shadow, quote_ident,
};
pub use diff_hooks::MySqlDiffHooks;
pub use render::render_change;
pub use runs::{MysqlRunLog, state_database};
pub use stats::MysqlStats;
pub use types::{MySqlType, MySqlTypes, PROVIDER, canonical_type};
pub use url::MysqlUrl;

use drydock_connector::{
    Capabilities, Connection, ConnectorError, Dialect, RunLog, ScriptError, ShadowDatabase,
    SqlGrammar,
};
use drydock_diff::{Change, DiffHooks};
use drydock_schema::LoweringRules;

/// The MySQL and MariaDB dialect.
#[derive(Debug, Default, Clone, Copy)]
pub struct MysqlDialect;

/// The server's codes for "exists already": table (1050), column (1060), key (1061), foreign
/// key (1826), database (1007).
const ALREADY_EXISTS: [&str; 5] = ["1050", "1060", "1061", "1826", "1007"];

/// The server's codes for "does not exist": table (1051), column or key (1091), database
/// (1008).
const ALREADY_GONE: [&str; 3] = ["1051", "1091", "1008"];

impl Dialect for MysqlDialect {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn accepts_url(&self, url: &str) -> bool {
        MysqlUrl::accepts(url)
    }

    fn example_url(&self) -> &'static str {
        "mysql://user:password@host:3306/database"
    }

    fn local_url(&self) -> &'static str {
        "mysql://root@localhost:3306/mydb"
    }

    fn lowering_rules(&self) -> &dyn LoweringRules {
        &MySqlTypes
    }

    fn diff_hooks(&self) -> &dyn DiffHooks {
        &MySqlDiffHooks
    }

    fn render_change(&self, change: &Change) -> String {
        render::render_change(change)
    }

    fn render_hand_made(
        &self,
        object: drydock_connector::HandMadeObject<'_>,
        create: bool,
    ) -> Option<(&'static str, String)> {
        render::render_hand_made(object, create)
    }

    fn render_index_online(&self, change: &Change) -> String {
        render::render_index_online(change)
    }

    fn plan_zero_downtime(
        &self,
        changes: &[Change],
        target: &drydock_schema::SqlSchema,
    ) -> Result<Vec<drydock_connector::Phase>, drydock_connector::NoPhasedPlan> {
        Ok(zero_downtime::plan(changes, target))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            transactional_ddl: false,
            sql_grammar: SqlGrammar::MySql,
            lock_aware_lint: true,
        }
    }

    /// Every script runs statement by statement already (no transactional DDL).
    fn needs_no_transaction(&self, _script: &str) -> Option<String> {
        None
    }

    fn is_lock_timeout(&self, error: &ScriptError) -> bool {
        error.db_code.as_deref() == Some(&ER_LOCK_WAIT_TIMEOUT.to_string())
    }

    fn is_already_exists(&self, error: &ScriptError) -> bool {
        error
            .db_code
            .as_deref()
            .is_some_and(|code| ALREADY_EXISTS.contains(&code))
    }

    fn is_already_gone(&self, error: &ScriptError) -> bool {
        error
            .db_code
            .as_deref()
            .is_some_and(|code| ALREADY_GONE.contains(&code))
    }

    fn instance_identity_query(&self) -> Option<&'static str> {
        // MariaDB has no `server_uuid`; the server's host, port and id with the database do.
        Some(
            "SELECT CONCAT('server ', @@hostname, ':', @@port, ' id ', @@server_id, \
             ', database ', DATABASE())",
        )
    }

    fn pooler_warning(&self, _url: &str) -> Option<String> {
        None
    }

    fn lexical_rules(&self) -> &'static drydock_connector::sql_scan::LexicalRules {
        &LEXICAL_RULES
    }

    fn connect(&self, url: &str) -> Result<Box<dyn Connection>, ConnectorError> {
        Ok(Box::new(MysqlConnection::connect(url)?))
    }

    fn create_database(&self, url: &str) -> Result<bool, ConnectorError> {
        create_database(url)
    }

    fn open_shadow(
        &self,
        main_url: &str,
        shadow_url: Option<&str>,
    ) -> Result<Box<dyn ShadowDatabase>, ConnectorError> {
        open_shadow(main_url, shadow_url)
    }

    fn drop_abandoned_shadows(&self, main_url: &str) -> Result<Vec<String>, ConnectorError> {
        drop_abandoned_shadows(main_url)
    }

    fn open_run_log(&self, url: &str) -> Result<Box<dyn RunLog>, ConnectorError> {
        Ok(Box::new(MysqlRunLog::open(url)?))
    }

    fn open_alert_store(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::AlertStore>, ConnectorError> {
        Ok(Box::new(MysqlAlertStore::open(url)?))
    }

    fn open_schedule_claims(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::ScheduleClaims>, ConnectorError> {
        Ok(Box::new(schedule_claims::MysqlScheduleClaims::open(url)?))
    }

    fn open_stats(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::StatsSource>, ConnectorError> {
        Ok(Box::new(MysqlStats::open(url)?))
    }

    fn open_audit_log(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::AuditLog>, ConnectorError> {
        Ok(Box::new(audit::MysqlAuditLog::open(url)?))
    }

    fn cleanup_sql(&self) -> Option<&dyn drydock_connector::CleanupSql> {
        Some(&MysqlCleanup)
    }
}
