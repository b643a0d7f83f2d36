//! drydock's API boundary for the binary (and later the web dashboard): everything a command
//! does, returned as plain data. Nothing here prints.
//!
//! - [`Project::discover`]: find the project as Prisma does (the Prisma config file, read by
//!   [`read_config`]; `package.json`; `schema.prisma` or a folder of `.prisma` files), load
//!   `.env`, parse, validate and resolve the datasource into a dialect and URLs.
//! - [`DiffSource`] and [`schema_of`]: anything diffable (empty, a schema, a migrations folder
//!   replayed on a shadow database, a live database) as a [`drydock_schema::SqlSchema`].
//! - [`diff_sources`], [`migrate_dev`]: the diff-based commands. `deploy`, `status` and `resolve`
//!   come from [`drydock_migrate`], re-exported here.
//! - [`dialects`]: the registry of databases, the one place that names them.
//! - [`preflight()`]: the checks to run before a deploy; [`review_pending`]: the pending
//!   migrations linted against the live database, as deploy meets them.
//! - [`tasks`]: every task (`migrate deploy` and friends, `db push|execute|seed`, `backup`) as
//!   one entry point with typed options, reporting through [`drydock_tasks::Events`].

mod alerts;
pub mod audit;
mod baseline;
mod check;
mod conflicts;
mod db;
mod deploy_gate;
mod deploy_review;
pub mod dialects;
mod drift;
mod error;
pub mod job_runner;
mod lint;
mod lint_fix;
mod live_data;
mod migrate_dev;
mod preflight;
mod prisma_config;
mod project;
mod replay_cache;
mod runs;
mod seed;
mod serve_settings;
mod settings;
mod source;
mod squash;
mod stats;
mod stats_settings;
mod summary;
pub mod tasks;
mod undo;

pub use alerts::{ALERT_SOURCES, open_alerts, send_alerts, send_alerts_with};
pub use baseline::baseline;
pub use check::check;
pub use conflicts::{find_conflicts, write_integrity_file};
pub use db::{ExecuteOutcome, PushOptions, PushOutcome, db_execute, db_execute_file, db_push};
pub use deploy_gate::LintGate;
pub use deploy_review::{PendingTables, TableRef, migration_file, pending_tables, review_pending};
pub use drift::{DriftReport, describe_drift, drift};
pub use drydock_connector::{Dialect, Warning, redact_url};
pub use drydock_diff::Diff;
pub use drydock_migrate as migrate;
pub use error::EngineError;
pub use lint::{
    LintSelection, ProjectLint, ProjectLintOptions, in_migrations_folder, lint_project,
    write_baseline,
};
pub use lint_fix::{FileWrite, LintFix, LintFixOptions, apply_lint_fix, plan_lint_fix};
pub use migrate_dev::{
    DevOptions, DevOutcome, RenameCandidate, migrate_dev, migrate_dev_with_renames,
    rename_candidates,
};
pub use preflight::{
    BackupFacts, BackupState, Check, CheckStatus, DEFAULT_MAX_TRANSACTION_AGE, MAX_BACKUP_AGE,
    PreflightOptions, PreflightReport, check_ids, preflight,
};
pub use prisma_config::{
    ConfigError, PrismaConfig, Setting, find_config, read_config, read_config_static,
};
pub use project::{Discovery, PrismaGeneration, Project, SchemaError, SchemaOrigin, read_schema};
pub use runs::{open_alert_store, open_run_log, open_schedule_claims};
pub use seed::{SEED_TABLE, SeedOutcome, seed};
pub use serve_settings::{
    DEFAULT_SERVE_CONNECTIONS, DEFAULT_SESSION_TTL, ServeRole, ServeSettings, ServeToken,
    ServeUser, TokenSecret,
};
pub use settings::{
    AlertsConfig, BackupSettings, CheckSettings, DEFAULT_BACKUP_DIR, DEFAULT_SLOW_MIGRATION,
    DeploySettings, Deployer, LintSettings, MigrationsSettings, SETTINGS_FILE, ScheduleJob,
    Settings, StateSettings, WebhookConfig,
};
pub use source::{
    DiffSource, SourceContext, SourcesDiff, diff_sources, diff_sources_with_hand_made, schema_of,
};
pub use squash::{SquashOptions, SquashOutcome, squash};
pub use stats::{open_stats, stats, stats_options, stats_with_history};
pub use stats_settings::StatsSettings;
pub use summary::summarize;
