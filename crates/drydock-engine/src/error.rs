//! Errors of engine operations. Each has a stable code and says what to do next.

use drydock_connector::ConnectorError;
use drydock_migrate::MigrateError;

use crate::project::SchemaError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Schema(#[from] SchemaError),

    #[error(transparent)]
    Connector(#[from] ConnectorError),

    #[error(transparent)]
    Migrate(#[from] MigrateError),

    #[error(transparent)]
    Backup(#[from] drydock_backup::BackupError),

    #[error(
        "migration `{migration}` failed to apply cleanly to the shadow database: {message}\n\
         Fix the migration file, or if it was already applied elsewhere, check the database \
         it was applied to."
    )]
    ShadowReplay { migration: String, message: String },

    #[error(
        "undoing the {done} completed statement(s) of `{name}` loses data:\n{}\nRe-run with \
         `--accept-data-loss` if that is intended (take a backup first), or finish the \
         migration instead (`drydock migrate resolve --finish {name}`). Nothing was changed",
        warnings.iter().map(|w| format!("  - {w}")).collect::<Vec<_>>().join("\n")
    )]
    UndoLosesData {
        name: String,
        done: usize,
        warnings: Vec<String>,
    },

    #[error(
        "drydock cannot compute an exact undo of the completed statements of `{name}`: {reason}\n\
         The shadow database was checked, nothing was changed on this one. Undo them by hand \
         (the history row's logs list them) and run `drydock migrate resolve --rolled-back \
         {name}`, or finish the migration: `drydock migrate resolve --finish {name}`"
    )]
    UndoNotExact { name: String, reason: String },

    #[error("{0}")]
    Usage(String),

    #[error(
        "the lint baseline `{}` cannot be read: {message}\nFix the file, or write it again \
         with `drydock lint --write-baseline` (it accepts every finding there is now).",
        path.display()
    )]
    LintBaseline {
        path: std::path::PathBuf,
        message: String,
    },

    #[error(
        "cannot tell which migrations were added since `{revision}`: {message}\nName a branch, \
         tag or commit this repository has (in CI, fetch it first: `git fetch origin main`), \
         or lint with `--pending` against a database instead."
    )]
    LintSince { revision: String, message: String },

    #[error(
        "the fix was not written: the rewritten migrations give another schema than the \
         migrations as they are:\n{changes}\nThis is a bug in `drydock lint --fix`; fix these \
         migrations by hand."
    )]
    LintFixChangesSchema { changes: String },

    #[error(
        "{what} failed: {message}\nNothing was changed: it ran in a transaction that was rolled back (unless it had to run outside one)."
    )]
    Script { what: String, message: String },

    #[error(
        "the changes need consent because they lose data:\n{warnings}\nRe-run with \
         `--accept-data-loss` to apply them, or change the schema."
    )]
    DataLossNotAccepted { warnings: String },

    #[error(
        "the new migration fails on the development database as it is:\n{steps}\nNothing was \
         written or applied. Change the schema as suggested, or run `drydock migrate dev \
         --create-only` to write the migration (with these warnings in it) and edit it by hand."
    )]
    ChangesCannotRun { steps: String },

    #[error(
        "{reason}\nRun `drydock migrate reset` to reset the development database (all data is lost)."
    )]
    ResetNeeded { reason: String },

    #[error(
        "nothing was applied: the linter found {count} problem(s) in the pending migrations that \
         would block the application on large tables (see above). `drydock lint --fix --url <this \
         database>` rewrites index builds and constraints into their safe form; or rewrite the \
         migration (`drydock migrate dev --zero-downtime` writes the safe phases where the \
         database has a phased plan), mark a statement that is safe with \
         `-- drydock-lint-ignore <rule>`, or deploy anyway with `--lint warn`."
    )]
    DeployBlockedByLint { count: usize },

    #[error(
        "nothing was applied: {count} pre-flight check(s) failed (see above). Fix what failed, \
         or deploy without `--preflight`."
    )]
    PreflightFailed { count: usize },

    #[error(
        "nothing was applied: this deploy requires approval (`--require-approval`, or \
         `[deploy] require_approval` in drydock.toml), and {reasons}\nApprove the pending \
         migrations on the migrations page of `drydock serve` ({page}), then deploy again.",
        page = crate::tasks::deploy::approval::APPROVAL_PAGE
    )]
    DeployNotApproved { reasons: String },

    #[error(
        "cannot read the deploy plan `{path}`: {message}\nWrite a plan with `drydock migrate \
         deploy --dry-run --plan-out <file>` and pass that file to `--plan`.",
        path = path.display()
    )]
    PlanUnreadable {
        path: std::path::PathBuf,
        message: String,
    },

    #[error(
        "nothing was applied: the pending migrations are not the ones the deploy plan was made \
         for:\n  {reasons}\nReview the changes, make a new plan with `drydock migrate deploy \
         --dry-run --plan-out <file>`, and apply that one."
    )]
    PlanOutdated { reasons: String },

    #[error(
        "nothing was applied: the deploy plan was made for another database:\n  {reasons}\n\
         Apply it to the database it was made for (`--url`, `DATABASE_URL`), or make a plan \
         for this one with `drydock migrate deploy --dry-run --plan-out <file>`."
    )]
    PlanTargetDiffers { reasons: String },

    #[error(
        "cannot write the deploy plan to `{path}`: {message}\nNothing was changed; choose a \
         writable path for `--plan-out`.",
        path = path.display()
    )]
    PlanNotWritten {
        path: std::path::PathBuf,
        message: String,
    },

    #[error(
        "`{name}` is not a migration of `{dir}`: name its folder (`drydock migrate status` \
         lists them), or its name after the timestamp when only one folder has it",
        dir = dir.display()
    )]
    RebaseNotFound {
        name: String,
        dir: std::path::PathBuf,
    },

    #[error(
        "`{name}` is recorded in this database's history: a migration a database has applied \
         keeps its place, as renaming it would make every such database apply it again. Rebase \
         the other branch's migration instead, or write a new migration with `drydock migrate \
         dev`"
    )]
    RebaseApplied { name: String },

    /// `drydock audit --verify` found an entry edited, deleted or replaced.
    #[error(
        "the audit log's hash chain breaks at entry {seq}: {reason}. Entries from {seq} on \
         cannot be trusted; find out who changed the table `_drydock_audit`, keep a copy of it, \
         and compare it with your database's own logs"
    )]
    AuditChainBroken { seq: i64, reason: String },

    #[error("the settings file `{path}` is not valid: {message}", path = path.display())]
    Settings {
        path: std::path::PathBuf,
        message: String,
    },
}

impl EngineError {
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Schema(e) => e.code(),
            EngineError::Connector(e) => e.code(),
            EngineError::Migrate(e) => e.code(),
            EngineError::Backup(e) => e.code(),
            EngineError::ShadowReplay { .. } => "P3006",
            EngineError::Usage(_) => "D1001",
            EngineError::UndoLosesData { .. } => "D3143",
            EngineError::UndoNotExact { .. } => "D3144",
            EngineError::LintBaseline { .. } => "D4010",
            EngineError::LintSince { .. } => "D4011",
            EngineError::LintFixChangesSchema { .. } => "D4012",
            EngineError::Script { .. } => "D1012",
            EngineError::DataLossNotAccepted { .. } => "D2000",
            EngineError::ChangesCannotRun { .. } => "D2010",
            EngineError::ResetNeeded { .. } => "D3100",
            EngineError::DeployBlockedByLint { .. } => "D3110",
            EngineError::PreflightFailed { .. } => "D3111",
            EngineError::Settings { .. } => "D1003",
            EngineError::DeployNotApproved { .. } => "D3121",
            EngineError::AuditChainBroken { .. } => "D3200",
            EngineError::PlanUnreadable { .. } => "D3150",
            EngineError::PlanOutdated { .. } => crate::tasks::deploy::plan::PLAN_OUTDATED,
            EngineError::PlanTargetDiffers { .. } => "D3152",
            EngineError::PlanNotWritten { .. } => "D3153",
            EngineError::RebaseApplied { .. } => "D3136",
            EngineError::RebaseNotFound { .. } => "D3137",
        }
    }
}
