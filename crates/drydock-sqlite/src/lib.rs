//! The SQLite dialect. Same file set as every dialect: `types.rs` (lowering rules),
//! `diff_hooks.rs`, `render.rs`, `connection.rs`, `introspect.rs` (+ `queries/*.sql`),
//! `history.rs`, `lock.rs`, `checks.rs` (pre-flight facts).

mod alert_store;
mod audit;
mod checks;
mod cleanup;
mod connection;
mod diff_hooks;
mod health;
mod history;
mod index_facts;
mod introspect;
mod lock;
mod render;
mod runs;
mod schedule_claims;
mod stats;
mod types;

use drydock_connector::{
    Capabilities, Connection, ConnectorError, Dialect, RunLog, ScriptError, ShadowDatabase,
    SqlGrammar,
};
use drydock_diff::{Change, DiffHooks};
use drydock_schema::LoweringRules;

/// The SQLite dialect.
#[derive(Debug, Default, Clone, Copy)]
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn provider(&self) -> &'static str {
        types::PROVIDER
    }

    fn accepts_url(&self, url: &str) -> bool {
        connection::accepts_url(url)
    }

    fn example_url(&self) -> &'static str {
        "file:./dev.db"
    }

    fn local_url(&self) -> &'static str {
        "file:./dev.db"
    }

    fn lowering_rules(&self) -> &dyn LoweringRules {
        &types::SqliteTypes
    }

    fn diff_hooks(&self) -> &dyn DiffHooks {
        &diff_hooks::SqliteDiffHooks
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

    /// SQLite has one writer at a time: every migration blocks all writes while it runs, so
    /// phases would add steps without sparing anyone a wait.
    fn plan_zero_downtime(
        &self,
        _changes: &[Change],
        _target: &drydock_schema::SqlSchema,
    ) -> Result<Vec<drydock_connector::Phase>, drydock_connector::NoPhasedPlan> {
        Err(drydock_connector::NoPhasedPlan::NotNeeded(
            "sqlite has no phased plan: concurrent writers wait for any migration however it is \
             split, so one ordinary migration was written"
                .to_owned(),
        ))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            transactional_ddl: true,
            sql_grammar: SqlGrammar::Sqlite,
            lock_aware_lint: false,
        }
    }

    fn needs_no_transaction(&self, script: &str) -> Option<String> {
        render::needs_no_transaction(script)
    }

    fn is_lock_timeout(&self, error: &ScriptError) -> bool {
        connection::is_busy_code(error.db_code.as_deref())
    }

    fn instance_identity_query(&self) -> Option<&'static str> {
        Some("SELECT 'file ' || file FROM pragma_database_list WHERE name = 'main'")
    }

    fn pooler_warning(&self, _url: &str) -> Option<String> {
        None
    }

    fn lexical_rules(&self) -> &'static drydock_connector::sql_scan::LexicalRules {
        &render::LEXICAL_RULES
    }

    fn connect(&self, url: &str) -> Result<Box<dyn Connection>, ConnectorError> {
        Ok(Box::new(connection::SqliteConnection::connect(url)?))
    }

    fn create_database(&self, url: &str) -> Result<bool, ConnectorError> {
        // Opening a SQLite file creates it; say whether this open will.
        let path = connection::database_path(url)?;
        Ok(path != std::path::Path::new(":memory:") && !path.exists())
    }

    fn open_shadow(
        &self,
        main_url: &str,
        shadow_url: Option<&str>,
    ) -> Result<Box<dyn ShadowDatabase>, ConnectorError> {
        connection::open_shadow(main_url, shadow_url)
    }

    fn open_run_log(&self, url: &str) -> Result<Box<dyn RunLog>, ConnectorError> {
        Ok(Box::new(runs::SqliteRunLog::open(url)?))
    }

    fn open_alert_store(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::AlertStore>, ConnectorError> {
        Ok(Box::new(alert_store::SqliteAlertStore::open(url)?))
    }

    fn open_schedule_claims(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::ScheduleClaims>, ConnectorError> {
        Ok(Box::new(schedule_claims::SqliteScheduleClaims::open(url)?))
    }

    fn open_audit_log(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::AuditLog>, ConnectorError> {
        Ok(Box::new(audit::SqliteAuditLog::open(url)?))
    }

    fn cleanup_sql(&self) -> Option<&dyn drydock_connector::CleanupSql> {
        Some(&cleanup::SqliteCleanup)
    }

    fn open_stats(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::StatsSource>, ConnectorError> {
        Ok(Box::new(stats::SqliteStats::open(url)?))
    }
}
