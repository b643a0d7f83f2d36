//! Deploy plans: what `migrate deploy` would run, computed without changing anything
//! (`--dry-run`), kept as JSON (`--plan-out`), and applied exactly (`--plan`).
//!
//! A plan names its target (the URL without its password, and what the database says of
//! itself: [`drydock_connector::Dialect::instance_identity_query`]) and the pending set with
//! checksums. Applying one refuses another target before anything else, and a pending set that
//! differs once under the migration lock, through the same check an approval uses
//! ([`drydock_migrate::DeployOptions::confirm_pending`]).
//!
//! The durations are estimates from the tables' sizes with fixed rates ([`SCAN_BYTES_PER_SEC`],
//! [`WRITE_BYTES_PER_SEC`], [`ROWS_PER_SEC`]): an order of magnitude, not a promise. Lock waits
//! are not in them.

use std::path::Path;

use chrono::{DateTime, Utc};
use drydock_connector::{Connection, DbUrl, redact_url};
use drydock_lint::{Facts, TableSize, Work};
use drydock_migrate::{self as history, find_backfills, is_contract, list_migrations};
use drydock_tasks::{Event, Events};
use serde::{Deserialize, Serialize};

use super::approval::{self, PendingMigration, differences};
use super::{DeployTaskOptions, Review};
use crate::deploy_review::{LiveTables, TableRef, statement_tables};
use crate::{EngineError, LintGate, Project, Settings};

/// The version of the plan's JSON; a plan of another version is refused.
pub const PLAN_VERSION: u32 = 1;

/// Bytes per second read when every row is checked (a constraint validated, `NOT NULL`).
pub const SCAN_BYTES_PER_SEC: f64 = 200.0 * 1024.0 * 1024.0;

/// Bytes per second written when a table is rewritten or an index built.
pub const WRITE_BYTES_PER_SEC: f64 = 50.0 * 1024.0 * 1024.0;

/// Rows per second written by `UPDATE`, `DELETE` and `INSERT` (and backfill batches).
pub const ROWS_PER_SEC: f64 = 50_000.0;

/// The database a plan was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTarget {
    pub provider: String,
    /// The URL with its password hidden.
    pub url: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database: Option<String>,
    /// What the database says of itself: PostgreSQL's system identifier and database oid,
    /// MySQL's host, port and server id with the database, SQLite's file.
    pub instance: Option<String>,
}

/// A table a statement works on, with its live size (rows 0 for one the pending migrations
/// create; `None` when the database does not say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedTable {
    pub name: String,
    pub rows: Option<u64>,
    pub bytes: Option<u64>,
}

/// One statement of a pending migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedStatement {
    /// Its first line in `migration.sql`.
    pub line: usize,
    pub sql: String,
    /// The lock it takes, in the database's words (`drydock_lint::locks`).
    pub lock: String,
    /// What it does to the rows: `catalog only`, `builds an index`, `rewrites the table`, ...
    pub work: String,
    pub tables: Vec<PlannedTable>,
    /// The estimate; `None` when a size or the work is unknown.
    pub estimated_seconds: Option<f64>,
}

/// A batched backfill of a pending migration (docs/backfill.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedBackfill {
    pub line: usize,
    pub table: String,
    pub key: String,
    pub batch_size: u64,
    pub pause_ms: u64,
    /// The table's rows now: the most the backfill changes.
    pub rows: Option<u64>,
    pub batches: Option<u64>,
    pub estimated_seconds: Option<f64>,
}

impl PlannedBackfill {
    /// The pauses between its batches.
    fn pauses_seconds(&self) -> Option<f64> {
        self.batches
            .map(|batches| batches.saturating_sub(1) as f64 * self.pause_ms as f64 / 1000.0)
    }
}

/// A pending migration and what applying it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedMigration {
    pub name: String,
    /// The SHA-256 of `migration.sql`, as deploy records it.
    pub checksum: String,
    /// A contract migration (`-- drydock:contract`).
    pub contract: bool,
    /// Not applied by this plan: a contract migration, or after one, without `--contract`.
    pub held_back: bool,
    /// Why it runs outside a transaction, when it does.
    pub non_transactional_reason: Option<String>,
    pub statements: Vec<PlannedStatement>,
    pub backfills: Vec<PlannedBackfill>,
    /// The review's findings in it, as `drydock lint --json` writes them, each with
    /// `blocks_deploy`.
    pub findings: Vec<serde_json::Value>,
    pub estimated_seconds: Option<f64>,
}

/// The review deploy runs first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReview {
    /// `lint` (with its gate) or `preflight`.
    pub kind: String,
    /// `auto`, `strict`, `warn` or `off`, for `lint`.
    pub gate: Option<String>,
    /// Findings that would stop the deploy.
    pub blocking: usize,
    /// Remarks of the linter about its run.
    pub notices: Vec<String>,
}

/// Whether the deploy would ask for an approval, and whether it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanApproval {
    pub required: bool,
    /// Whether the newest approval is exactly the pending set (when required).
    pub approved: Option<bool>,
    /// Why it is not, or who approved.
    pub detail: Option<String>,
}

/// Whether the deploy would back up first, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanBackup {
    pub before_deploy: bool,
    pub dir: Option<String>,
}

/// What `migrate deploy` would do, and what `--plan` applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeployPlan {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub target: PlanTarget,
    /// Contract migrations applied too (`--contract`).
    pub contract: bool,
    /// Every pending migration, in the order deploy applies them, held back ones included.
    pub pending: Vec<PlannedMigration>,
    pub review: PlanReview,
    pub approval: PlanApproval,
    pub backup: PlanBackup,
    /// The sum of the migrations applied, where known.
    pub estimated_seconds: f64,
    /// Whether some statement's duration is unknown (not in the sum).
    pub estimate_incomplete: bool,
}

impl DeployPlan {
    /// The migrations the plan applies.
    pub fn to_apply(&self) -> impl Iterator<Item = &PlannedMigration> {
        self.pending.iter().filter(|migration| !migration.held_back)
    }

    /// `would apply 2 migrations, hold back 1, about 3 s (estimate)`.
    pub fn summary(&self) -> String {
        let applied = self.to_apply().count();
        if self.pending.is_empty() {
            return "dry run: no pending migrations".to_owned();
        }
        let mut summary = format!(
            "dry run: would apply {}",
            super::super::plural(applied, "migration")
        );
        let held = self.pending.len() - applied;
        if held > 0 {
            summary.push_str(&format!(", hold back {held}"));
        }
        summary.push_str(&format!(
            ", estimated {}",
            describe_seconds(self.estimated_seconds)
        ));
        summary
    }

    /// The pending set, names and checksums.
    fn pending_set(&self) -> Vec<PendingMigration> {
        self.pending
            .iter()
            .map(|migration| PendingMigration {
                name: migration.name.clone(),
                checksum: migration.checksum.clone(),
            })
            .collect()
    }
}

/// `0 s`, `under 1 s`, `12 s`, `3 min 20 s`, `2 h 5 min`.
pub fn describe_seconds(seconds: f64) -> String {
    if seconds > 0.0 && seconds < 1.0 {
        return "under 1 s".to_owned();
    }
    let whole = seconds.round() as u64;
    match whole {
        0..60 => format!("{whole} s"),
        60..3600 => format!("{} min {} s", whole / 60, whole % 60),
        _ => format!("{} h {} min", whole / 3600, whole % 3600 / 60),
    }
}

/// What `migrate deploy` with `options` would do on the project's database, changing nothing:
/// no lock, no history row, no database created. Counts: the pending migrations examined.
pub fn plan_deploy(
    project: &Project,
    options: &DeployTaskOptions,
    events: &dyn Events,
) -> Result<DeployPlan, EngineError> {
    let url_flag = options.url.as_deref();
    let (url, mut connection) =
        super::super::connect(project, url_flag, super::super::Missing::Fail, events)?;
    super::super::describe_datasource(project, &url, events);
    let conn = connection.as_mut();
    let target = read_target(project, &url, conn)?;
    let pending = history::status(conn, &project.migrations_dir)?.pending;
    events.event(Event::Counts {
        examined: pending.len() as u64,
        affected: 0,
    });
    let settings = Settings::load(project)?;
    let live = LiveTables::read(project, conn)?;
    let report =
        crate::deploy_review::review_with(project, conn, &pending, options.max_rows, &live)?;
    let gate = match options.review {
        Review::Lint(gate) => gate,
        Review::Preflight => LintGate::Off,
    };
    let blocking = gate.blocking(&report);
    let mut facts = crate::deploy_review::DeployFacts::new(project, conn, options.max_rows, &live);
    let mut migrations = Vec::new();
    let mut paths = Vec::new();
    let mut held = false;
    for migration in list_migrations(&project.migrations_dir)? {
        if !pending.contains(&migration.name) {
            continue;
        }
        let script = migration.executable_script();
        let contract = is_contract(script);
        held |= contract && !options.contract;
        let path = crate::migration_file(&migration).path;
        let statements = report
            .files
            .iter()
            .find(|(_, file)| file.name == path)
            .map(|(id, _)| {
                report
                    .statements
                    .iter()
                    .filter(|statement| statement.span.file == id)
                    .map(|statement| {
                        let range = statement.span.start..statement.span.end;
                        plan_statement(
                            project,
                            script,
                            range,
                            statement.lock.clone(),
                            statement.work,
                            &mut facts,
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        paths.push(path);
        let backfills = find_backfills(script, project.dialect.lexical_rules())
            .map_err(|error| {
                history::MigrateError::from(
                    error.in_file(&migration.path.join(history::MIGRATION_FILE_NAME)),
                )
            })?
            .into_iter()
            .map(|(index, backfill)| plan_backfill(project, script, index, &backfill, &mut facts))
            .collect::<Vec<_>>();
        // A backfill's rows are its statement's; its pauses come on top.
        let (seconds, unknown) = sum_known(
            statements
                .iter()
                .map(|s| s.estimated_seconds)
                .chain(backfills.iter().map(PlannedBackfill::pauses_seconds)),
        );
        migrations.push(PlannedMigration {
            name: migration.name.clone(),
            checksum: migration.checksum.clone(),
            contract,
            held_back: held,
            non_transactional_reason: history::transaction_blocker(project.dialect, script),
            statements,
            backfills,
            findings: Vec::new(),
            estimated_seconds: (!unknown).then_some(seconds),
        });
    }
    for (index, findings) in approval::findings_by_file(&report, &blocking, &paths)
        .into_iter()
        .enumerate()
    {
        if let Some(migration) = migrations.get_mut(index) {
            migration.findings = findings;
        }
    }
    let (estimated_seconds, estimate_incomplete) = sum_known(
        migrations
            .iter()
            .filter(|m| !m.held_back)
            .map(|m| m.estimated_seconds),
    );
    let approval = plan_approval(project, url_flag, options, &settings, &migrations, events)?;
    // As deploy decides it: asked for, and something to apply.
    let backs_up = (options.backup || settings.backup.before_deploy)
        && migrations.iter().any(|m| !m.held_back);
    let backup = PlanBackup {
        before_deploy: backs_up,
        dir: backs_up.then(|| {
            settings
                .backup_dir(options.backup_dir.as_deref())
                .display()
                .to_string()
        }),
    };
    Ok(DeployPlan {
        version: PLAN_VERSION,
        created_at: Utc::now(),
        target,
        contract: options.contract,
        pending: migrations,
        review: PlanReview {
            kind: match options.review {
                Review::Lint(_) => "lint".to_owned(),
                Review::Preflight => "preflight".to_owned(),
            },
            gate: match options.review {
                Review::Lint(gate) => Some(gate.name().to_owned()),
                Review::Preflight => None,
            },
            blocking: blocking.len(),
            notices: report.notices.clone(),
        },
        approval,
        backup,
        estimated_seconds,
        estimate_incomplete,
    })
}

/// The approval the deploy would ask for, checked as it would check it.
fn plan_approval(
    project: &Project,
    url: Option<&str>,
    options: &DeployTaskOptions,
    settings: &Settings,
    migrations: &[PlannedMigration],
    events: &dyn Events,
) -> Result<PlanApproval, EngineError> {
    if !(options.require_approval || settings.deploy.require_approval) {
        return Ok(PlanApproval {
            required: false,
            approved: None,
            detail: None,
        });
    }
    let names: Vec<String> = migrations.iter().map(|m| m.name.clone()).collect();
    match approval::require_approval(project, url, &names, events) {
        Ok(_) => Ok(PlanApproval {
            required: true,
            approved: Some(true),
            detail: None,
        }),
        Err(EngineError::DeployNotApproved { reasons }) => Ok(PlanApproval {
            required: true,
            approved: Some(false),
            detail: Some(reasons),
        }),
        Err(error) => Err(error),
    }
}

/// One statement with its tables' sizes and its estimate.
fn plan_statement(
    project: &Project,
    script: &str,
    range: std::ops::Range<usize>,
    lock: String,
    work: Work,
    facts: &mut dyn Facts,
) -> PlannedStatement {
    let sql = script.get(range.clone()).unwrap_or_default();
    let tables = statement_tables(sql, project.dialect);
    let sized: Vec<(TableRef, Option<TableSize>)> = tables
        .touched
        .iter()
        .map(|table| (table.clone(), facts.table_size(&table.lint_name())))
        .collect();
    // An index build or a rewrite costs the tables it copies; the rest, the tables it names.
    let costed: Vec<Option<TableSize>> = sized
        .iter()
        .filter(|(table, _)| {
            !matches!(work, Work::IndexBuild | Work::Rewrite)
                || tables.rewritten.is_empty()
                || tables.rewritten.contains(table)
        })
        .map(|(_, size)| *size)
        .collect();
    PlannedStatement {
        line: line_of(script, range.start),
        sql: sql.to_owned(),
        lock,
        work: work.name().to_owned(),
        tables: sized
            .into_iter()
            .map(|(table, size)| PlannedTable {
                name: table.to_string(),
                rows: size.map(|s| s.rows),
                bytes: size.map(|s| s.bytes),
            })
            .collect(),
        estimated_seconds: estimate(work, &costed),
    }
}

/// The estimate of `work` on tables of these sizes; `None` when one is unknown.
fn estimate(work: Work, sizes: &[Option<TableSize>]) -> Option<f64> {
    let rate = |total: u64, per_second: f64| total as f64 / per_second;
    let sizes = || sizes.iter().map(|size| size.ok_or(()));
    match work {
        Work::Catalog => Some(0.0),
        Work::Unknown => None,
        Work::Rows => sizes()
            .map(|size| size.map(|s| s.rows))
            .sum::<Result<u64, ()>>()
            .ok()
            .map(|rows| rate(rows, ROWS_PER_SEC)),
        Work::Scan => sizes()
            .map(|size| size.map(|s| s.bytes))
            .sum::<Result<u64, ()>>()
            .ok()
            .map(|bytes| rate(bytes, SCAN_BYTES_PER_SEC)),
        Work::IndexBuild | Work::Rewrite => sizes()
            .map(|size| size.map(|s| s.bytes))
            .sum::<Result<u64, ()>>()
            .ok()
            .map(|bytes| rate(bytes, WRITE_BYTES_PER_SEC)),
    }
}

/// A backfill with its table's rows, batches and estimate (rows written, pauses between
/// batches).
fn plan_backfill(
    project: &Project,
    script: &str,
    statement: usize,
    backfill: &history::Backfill,
    facts: &mut dyn Facts,
) -> PlannedBackfill {
    let start =
        drydock_connector::sql_scan::statement_ranges(script, project.dialect.lexical_rules())
            .get(statement)
            .map_or(0, |range| range.start);
    let table = backfill.update.table().to_owned();
    let rows = TableRef::parse(&table, project.dialect)
        .and_then(|table| facts.table_size(&table.lint_name()))
        .map(|size| size.rows);
    let batch_size = backfill.directive.batch_size.max(1);
    let mut planned = PlannedBackfill {
        line: line_of(script, start),
        table,
        key: backfill.directive.key.clone(),
        batch_size,
        pause_ms: u64::try_from(backfill.directive.pause.as_millis()).unwrap_or(u64::MAX),
        rows,
        batches: rows.map(|rows| rows.div_ceil(batch_size)),
        estimated_seconds: None,
    };
    planned.estimated_seconds = rows
        .zip(planned.pauses_seconds())
        .map(|(rows, pauses)| rows as f64 / ROWS_PER_SEC + pauses);
    planned
}

/// The sum of the known estimates, and whether one was unknown.
fn sum_known(estimates: impl Iterator<Item = Option<f64>>) -> (f64, bool) {
    let mut sum = 0.0;
    let mut unknown = false;
    for estimate in estimates {
        match estimate {
            Some(seconds) => sum += seconds,
            None => unknown = true,
        }
    }
    (sum, unknown)
}

/// The 1-based line of byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// The database `conn` is connected to, as a plan names it.
fn read_target(
    project: &Project,
    url: &str,
    conn: &mut dyn Connection,
) -> Result<PlanTarget, EngineError> {
    let parsed = DbUrl::parse(url).ok();
    let host = parsed.as_ref().and_then(|url| url.hosts.first());
    let instance = match project.dialect.instance_identity_query() {
        Some(sql) => conn.query_texts(sql)?.into_iter().next().flatten(),
        None => None,
    };
    Ok(PlanTarget {
        provider: project.dialect.provider().to_owned(),
        url: redact_url(url),
        host: host.map(|host| host.name.clone()),
        port: host.and_then(|host| host.port),
        database: parsed.and_then(|url| url.database),
        instance,
    })
}

/// How `live` differs from the target a plan was made for: the database's own identity when
/// both have it (the URL may name the same server otherwise), else the URL's parts.
fn target_differences(planned: &PlanTarget, live: &PlanTarget) -> Vec<String> {
    let mut out = Vec::new();
    let mut compare = |what: &str, planned: String, live: String| {
        if planned != live {
            out.push(format!("{what}: planned for {planned}, now {live}"));
        }
    };
    let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "(none)".to_owned());
    compare("provider", planned.provider.clone(), live.provider.clone());
    if planned.instance.is_some() && live.instance.is_some() {
        compare("database", shown(&planned.instance), shown(&live.instance));
    } else {
        compare("host", shown(&planned.host), shown(&live.host));
        compare(
            "port",
            shown(&planned.port.map(|p| p.to_string())),
            shown(&live.port.map(|p| p.to_string())),
        );
        compare("database", shown(&planned.database), shown(&live.database));
        compare("url", planned.url.clone(), live.url.clone());
    }
    out
}

/// Refuse `plan` unless `conn` is its target and the pending migrations are its pending set;
/// the check under the migration lock comes back, for the deploy to run again there.
pub(crate) fn check_plan(
    project: &Project,
    plan: &DeployPlan,
    url: &str,
    conn: &mut dyn Connection,
    pending: &[String],
    events: &dyn Events,
) -> Result<drydock_migrate::ConfirmPending, EngineError> {
    let live = read_target(project, url, conn)?;
    let differs = target_differences(&plan.target, &live);
    if !differs.is_empty() {
        return Err(EngineError::PlanTargetDiffers {
            reasons: differs.join("\n  "),
        });
    }
    let planned = plan.pending_set();
    let now = approval::with_checksums(project, pending)?;
    let differs = differences(&now, &planned);
    if !differs.is_empty() {
        return Err(EngineError::PlanOutdated {
            reasons: describe_plan_differences(&differs),
        });
    }
    events.info(&format!(
        "Applying the deploy plan made at {}: the same database, the same {}.",
        plan.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        super::super::plural(planned.len(), "pending migration")
    ));
    Ok(approval::confirm_set(planned, PLAN_OUTDATED, |differs| {
        EngineError::PlanOutdated {
            reasons: describe_plan_differences(differs),
        }
        .to_string()
    }))
}

/// The code of a plan whose pending set is no longer the database's.
pub(crate) const PLAN_OUTDATED: &str = "D3151";

/// Differences in a plan's words.
fn describe_plan_differences(differences: &[approval::Difference]) -> String {
    differences
        .iter()
        .map(|difference| match difference {
            approval::Difference::NotApproved { name } => {
                format!("{name}: pending but not in the plan (added since it was made)")
            }
            approval::Difference::Changed { name } => format!(
                "{name}: its migration.sql changed since the plan was made (another checksum)"
            ),
            approval::Difference::NoLongerPending { name } => {
                format!("{name}: in the plan but no longer pending (applied or removed since)")
            }
            approval::Difference::Repeated { name } => format!("{name}: in the plan twice"),
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// Write `plan` as JSON to `path`.
pub fn write_plan(plan: &DeployPlan, path: &Path) -> Result<(), EngineError> {
    let text = serde_json::to_string_pretty(plan).map_err(|error| EngineError::PlanNotWritten {
        path: path.to_owned(),
        message: error.to_string(),
    })?;
    std::fs::write(path, text + "\n").map_err(|error| EngineError::PlanNotWritten {
        path: path.to_owned(),
        message: error.to_string(),
    })
}

/// Read a plan written by [`write_plan`].
pub fn read_plan(path: &Path) -> Result<DeployPlan, EngineError> {
    let unreadable = |message: String| EngineError::PlanUnreadable {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|error| unreadable(error.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| unreadable(format!("not JSON: {error}")))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(version) if version == u64::from(PLAN_VERSION) => {}
        Some(version) => {
            return Err(unreadable(format!(
                "it is a plan of version {version}; this drydock reads version {PLAN_VERSION}"
            )));
        }
        None => {
            return Err(unreadable(
                "it has no `version`: not a deploy plan".to_owned(),
            ));
        }
    }
    serde_json::from_value(value).map_err(|error| unreadable(format!("not a deploy plan: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn the_estimate_follows_the_documented_rates() {
        let table = |rows, bytes| Some(TableSize { rows, bytes });
        assert_eq!(estimate(Work::Catalog, &[None]), Some(0.0));
        assert_eq!(
            estimate(Work::IndexBuild, &[table(1, 100 * MIB)]),
            Some(2.0)
        );
        assert_eq!(
            estimate(Work::Rewrite, &[table(1, 25 * MIB), table(1, 25 * MIB)]),
            Some(1.0)
        );
        assert_eq!(estimate(Work::Scan, &[table(1, 400 * MIB)]), Some(2.0));
        assert_eq!(estimate(Work::Rows, &[table(100_000, 1)]), Some(2.0));
        assert_eq!(estimate(Work::Rows, &[table(1, 1), None]), None);
        assert_eq!(estimate(Work::Unknown, &[]), None);
        assert_eq!(describe_seconds(0.0), "0 s");
        assert_eq!(describe_seconds(0.01), "under 1 s");
        assert_eq!(describe_seconds(200.0), "3 min 20 s");
        assert_eq!(describe_seconds(7500.0), "2 h 5 min");
    }

    #[test]
    fn a_target_is_its_instance_when_the_database_names_itself() {
        let target = |host: &str, instance: Option<&str>| PlanTarget {
            provider: "postgresql".to_owned(),
            url: format!("postgresql://app@{host}:5432/shop"),
            host: Some(host.to_owned()),
            port: Some(5432),
            database: Some("shop".to_owned()),
            instance: instance.map(str::to_owned),
        };
        // The same instance under another host name is the same database.
        assert!(target_differences(&target("a", Some("1")), &target("b", Some("1"))).is_empty());
        assert_eq!(
            target_differences(&target("a", Some("1")), &target("a", Some("2"))),
            ["database: planned for 1, now 2"]
        );
        assert_eq!(
            target_differences(&target("a", None), &target("b", Some("1"))),
            [
                "host: planned for a, now b",
                "url: planned for postgresql://app@a:5432/shop, now postgresql://app@b:5432/shop"
            ]
        );
    }
}
