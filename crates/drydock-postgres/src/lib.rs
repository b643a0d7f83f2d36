//! The PostgreSQL dialect. Same file set as every dialect: `types.rs` (lowering rules),
//! `diff_hooks.rs`, `render.rs`, `connection.rs`, `introspect.rs` (+ `queries/*.sql`),
//! `history.rs`, `lock.rs`, `checks.rs` (pre-flight facts).

mod activity;
mod alert_store;
mod audit;
mod checks;
mod cleanup;
pub mod connect;
mod connection;
pub use connection::SHADOW_DATABASE_PREFIX;
mod diff_hooks;
mod health;
mod history;
mod index_facts;
mod introspect;
mod lock;
pub mod owner;
pub mod pooler;
mod render;
mod runs;
mod schedule_claims;
mod stats;
mod types;
pub mod url;
mod zero_downtime;

pub use runs::RUN_SCHEMA;

use drydock_connector::{
    Capabilities, Connection, ConnectorError, Dialect, RunLog, ScriptError, ShadowDatabase,
    SqlGrammar,
};
use drydock_diff::{Change, DiffHooks};
use drydock_schema::LoweringRules;

/// The PostgreSQL dialect.
#[derive(Debug, Default, Clone, Copy)]
pub struct PostgresDialect;

impl Dialect for PostgresDialect {
    fn provider(&self) -> &'static str {
        types::PROVIDER
    }

    fn accepts_url(&self, url: &str) -> bool {
        url::accepts_url(url)
    }

    fn example_url(&self) -> &'static str {
        "postgresql://user:password@host:5432/database?schema=public"
    }

    fn local_url(&self) -> &'static str {
        "postgresql://postgres@localhost:5432/mydb?schema=public"
    }

    fn lowering_rules(&self) -> &dyn LoweringRules {
        &types::PostgresTypes
    }

    fn diff_hooks(&self) -> &dyn DiffHooks {
        &diff_hooks::PostgresDiffHooks
    }

    fn default_namespace(&self, url: Option<&str>) -> Option<String> {
        Some(
            url.and_then(|url| url::PgUrl::parse(url).ok())
                .map_or_else(|| url::DEFAULT_SCHEMA.to_owned(), |url| url.schema),
        )
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

    fn plan_zero_downtime(
        &self,
        changes: &[Change],
        target: &drydock_schema::SqlSchema,
    ) -> Result<Vec<drydock_connector::Phase>, drydock_connector::NoPhasedPlan> {
        Ok(zero_downtime::plan(changes, target))
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            transactional_ddl: true,
            sql_grammar: SqlGrammar::PostgreSql,
            lock_aware_lint: true,
        }
    }

    fn render_index_online(&self, change: &Change) -> String {
        render::render_index_online(change)
    }

    fn needs_no_transaction(&self, script: &str) -> Option<String> {
        render::needs_no_transaction(script)
    }

    fn is_lock_timeout(&self, error: &ScriptError) -> bool {
        error.db_code.as_deref() == Some(activity::LOCK_NOT_AVAILABLE)
    }

    fn is_already_exists(&self, error: &ScriptError) -> bool {
        // duplicate_table: also raised for an index or sequence name in use.
        error.db_code.as_deref() == Some("42P07")
    }

    fn is_already_gone(&self, error: &ScriptError) -> bool {
        // undefined_object: an index, sequence, type or schema that is not there.
        error.db_code.as_deref() == Some("42704")
    }

    fn instance_identity_query(&self) -> Option<&'static str> {
        Some(
            "SELECT 'system ' || (SELECT system_identifier::text FROM pg_control_system()) \
             || ', database oid ' || oid::text FROM pg_database \
             WHERE datname = current_database()",
        )
    }

    fn pooler_warning(&self, url: &str) -> Option<String> {
        connection::pooler_warning(url)
    }

    fn resolve_url_paths(&self, url: &str, base: &std::path::Path) -> String {
        url::resolve_paths(url, base)
    }

    fn lexical_rules(&self) -> &'static drydock_connector::sql_scan::LexicalRules {
        &render::LEXICAL_RULES
    }

    fn connect(&self, url: &str) -> Result<Box<dyn Connection>, ConnectorError> {
        Ok(Box::new(connection::PostgresConnection::connect(url)?))
    }

    fn create_database(&self, url: &str) -> Result<bool, ConnectorError> {
        connection::create_database(url)
    }

    fn open_shadow(
        &self,
        main_url: &str,
        shadow_url: Option<&str>,
    ) -> Result<Box<dyn ShadowDatabase>, ConnectorError> {
        connection::open_shadow(main_url, shadow_url)
    }

    fn open_run_log(&self, url: &str) -> Result<Box<dyn RunLog>, ConnectorError> {
        Ok(Box::new(runs::PostgresRunLog::open(url)?))
    }

    fn open_alert_store(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::AlertStore>, ConnectorError> {
        Ok(Box::new(alert_store::PostgresAlertStore::open(url)?))
    }

    fn open_schedule_claims(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::ScheduleClaims>, ConnectorError> {
        Ok(Box::new(schedule_claims::PostgresScheduleClaims::open(
            url,
        )?))
    }

    fn open_audit_log(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::AuditLog>, ConnectorError> {
        Ok(Box::new(audit::PostgresAuditLog::open(url)?))
    }

    fn open_stats(
        &self,
        url: &str,
    ) -> Result<Box<dyn drydock_connector::StatsSource>, ConnectorError> {
        Ok(Box::new(stats::PostgresStats::open(url)?))
    }

    fn drop_abandoned_shadows(&self, main_url: &str) -> Result<Vec<String>, ConnectorError> {
        connection::drop_abandoned_shadows(main_url)
    }

    fn cleanup_sql(&self) -> Option<&dyn drydock_connector::CleanupSql> {
        Some(&cleanup::PostgresCleanup)
    }
}
