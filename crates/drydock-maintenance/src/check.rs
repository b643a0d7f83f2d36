//! `drydock check`: database and data health. Each database gathers facts through its
//! connection ([`MaintenanceFacts::health_facts`], [`MaintenanceFacts::check_rows`], offered by
//! [`Connection::maintenance`]); this module turns them into findings with stable codes
//! (`D6xxx`, `docs/check.md`), thresholds and fixes.
//!
//! Three kinds of checks:
//! - the catalog: constraints left `NOT VALID`, invalid indexes, sequences near their end,
//!   tables without a primary key, transaction-ID age, planner statistics, replication slots,
//!   and the database's own integrity checks;
//! - data against the schema: what the schema declares (required fields, unique keys, sets of
//!   values, declared lengths and types) and the database does not enforce, found by comparing
//!   the schema lowered from `schema.prisma` with the live one and counting the rows that break it;
//! - the user's rules (`[[rules]]` in `drydock.toml`): SQL predicates selecting bad rows.

use drydock_connector::{
    Connection, ConnectorError, HealthFacts, MaintenanceFacts, RowCheck, RowCheckResult,
};
use drydock_schema::{ColumnArity, IndexKind, ObjectName, SqlSchema, Table};
use drydock_tasks::Events;
use serde::{Deserialize, Serialize};

use crate::{Finding, ObjectRef, Severity};

/// The codes `drydock check` reports, each documented in `docs/check.md`.
pub mod codes {
    /// A constraint added `NOT VALID` and never validated.
    pub const UNVALIDATED_CONSTRAINT: &str = "D6001";
    /// An index left invalid by a failed concurrent build.
    pub const INVALID_INDEX: &str = "D6002";
    /// A sequence (serial or identity column) near its type's maximum.
    pub const SEQUENCE_NEAR_MAXIMUM: &str = "D6003";
    /// A table without a primary key.
    pub const NO_PRIMARY_KEY: &str = "D6004";
    /// Transaction-ID age near wraparound.
    pub const TRANSACTION_ID_AGE: &str = "D6005";
    /// A table holding rows that was never analyzed.
    pub const NEVER_ANALYZED: &str = "D6006";
    /// A table whose statistics are stale.
    pub const STALE_STATISTICS: &str = "D6007";
    /// An inactive replication slot.
    pub const INACTIVE_REPLICATION_SLOT: &str = "D6008";
    /// A job scheduled in the database that its scheduler does not run.
    pub const STOPPED_SCHEDULED_JOB: &str = "D6009";
    /// The database's integrity check reports a problem.
    pub const INTEGRITY_PROBLEM: &str = "D6010";
    /// Rows referencing a missing parent, by the database's foreign-key check.
    pub const FOREIGN_KEY_VIOLATION: &str = "D6011";
    /// A required field holding NULL.
    pub const REQUIRED_NULL: &str = "D6020";
    /// Duplicates where the schema declares a unique key the database lacks.
    pub const UNIQUE_DUPLICATES: &str = "D6021";
    /// Values outside the set `[check.values]` declares.
    pub const VALUE_OUTSIDE_SET: &str = "D6022";
    /// Values longer than their column's declared length.
    pub const VALUE_TOO_LONG: &str = "D6023";
    /// Values whose storage class contradicts the declared type.
    pub const STORAGE_CLASS_MISMATCH: &str = "D6024";
    /// Rows a user rule selects.
    pub const RULE_VIOLATED: &str = "D6030";
    /// A user rule whose query fails.
    pub const RULE_FAILED: &str = "D6031";

    /// Every code, in order.
    pub const ALL: &[&str] = &[
        UNVALIDATED_CONSTRAINT,
        INVALID_INDEX,
        SEQUENCE_NEAR_MAXIMUM,
        NO_PRIMARY_KEY,
        TRANSACTION_ID_AGE,
        NEVER_ANALYZED,
        STALE_STATISTICS,
        INACTIVE_REPLICATION_SLOT,
        INTEGRITY_PROBLEM,
        FOREIGN_KEY_VIOLATION,
        REQUIRED_NULL,
        UNIQUE_DUPLICATES,
        VALUE_OUTSIDE_SET,
        VALUE_TOO_LONG,
        STORAGE_CLASS_MISMATCH,
        RULE_VIOLATED,
        RULE_FAILED,
    ];
}

/// The thresholds of the catalog checks (`[check]` in `drydock.toml`). Defaults are PgHero's
/// and check_postgres's where they have one (`docs/check.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// A sequence is reported once this percentage of its range is used (PgHero: 90).
    pub sequence_percent: u32,
    /// Transaction-ID age reported as a warning (check_postgres `txn_wraparound`: 1.3 billion).
    pub wraparound_warning_age: i64,
    /// Transaction-ID age reported as an error (check_postgres: 1.4 billion).
    pub wraparound_error_age: i64,
    /// Statistics are stale when the rows changed since the last analyze reach this percentage
    /// of the table's rows...
    pub stale_statistics_percent: u32,
    /// ...and at least this many rows.
    pub stale_statistics_rows: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            sequence_percent: 90,
            wraparound_warning_age: 1_300_000_000,
            wraparound_error_age: 1_400_000_000,
            stale_statistics_percent: 20,
            stale_statistics_rows: 1_000,
        }
    }
}

/// What to do with the rows a rule selects. `drydock check` only reports it; `drydock cleanup`
/// carries it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CleanupAction {
    /// Delete the rows.
    Delete,
    /// Update the rows: `set` is the SQL of a `SET` clause (`"status = 'archived'"`).
    Update { set: String },
}

impl CleanupAction {
    /// The statement that carries it out on `table` (quoted) for rows `predicate` selects.
    pub fn statement(&self, table: &str, predicate: &str) -> String {
        match self {
            CleanupAction::Delete => format!("DELETE FROM {table} WHERE {predicate};"),
            CleanupAction::Update { set } => {
                format!("UPDATE {table} SET {set} WHERE {predicate};")
            }
        }
    }
}

/// A user rule (`[[rules]]` in `drydock.toml`): rows of `table` that `predicate` selects are
/// bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub name: String,
    /// The table as the database names it, `schema.table` for another schema.
    pub table: String,
    /// An SQL condition selecting the bad rows (the `where` key).
    pub predicate: String,
    pub severity: Severity,
    pub description: Option<String>,
    pub cleanup: Option<CleanupAction>,
}

/// A declared set of values for a column (`[check.values]`): `"Table.column" = [...]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueSet {
    /// As written: `Table.column`.
    pub field: String,
    pub values: Vec<String>,
}

/// What `check` looks at and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    pub thresholds: Thresholds,
    pub values: Vec<ValueSet>,
    pub rules: Vec<Rule>,
    /// Report only these codes (empty: all).
    pub only: Vec<String>,
    /// The namespaces to look at (empty: the connection's).
    pub namespaces: Vec<String>,
}

impl CheckOptions {
    fn wants(&self, code: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|c| c == code)
    }
}

/// What `check` found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckReport {
    /// Sorted: most severe first, then by code and object.
    pub findings: Vec<Finding>,
    /// Checks run: catalog facts read and row checks asked.
    pub checks: u64,
    /// What could not be checked, and why.
    pub notes: Vec<String>,
}

impl CheckReport {
    /// The number of findings at exactly `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// `2 finding(s) (1 error, 1 warning) in 14 checks`, or `no findings in 14 checks`: the
    /// run log's summary of a check, whoever ran it.
    pub fn summary(&self) -> String {
        if self.findings.is_empty() {
            return format!("no findings in {} checks", self.checks);
        }
        let parts: Vec<String> = [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .map(|s| (s, self.count(s)))
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect();
        format!(
            "{} finding(s) ({}) in {} checks",
            self.findings.len(),
            parts.join(", "),
            self.checks
        )
    }

    /// The number of findings at `severity` or above.
    pub fn at_least(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= severity)
            .count()
    }

    /// The findings grouped by severity, most severe first: code, title, objects, detail, fix;
    /// then the notes and the summary. What `drydock check` prints and the server's log of a
    /// check shows.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            let findings: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .collect();
            if findings.is_empty() {
                continue;
            }
            out.push_str(&format!("{} ({})\n", severity.as_str(), findings.len()));
            for finding in findings {
                out.push_str(&format!("  [{}] {}\n", finding.code, finding.title));
                for object in &finding.objects {
                    out.push_str(&format!("    {}: {}\n", object.kind, object.name));
                }
                if let Some(detail) = finding.detail.as_deref().filter(|d| !d.is_empty()) {
                    out.push_str(&format!("    detail: {detail}\n"));
                }
                if let Some(fix) = &finding.fix {
                    let mut lines = fix.lines();
                    out.push_str(&format!("    fix: {}\n", lines.next().unwrap_or_default()));
                    for line in lines {
                        out.push_str(&format!("         {line}\n"));
                    }
                }
            }
            out.push('\n');
        }
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out.push_str(&format!("{}\n", capitalized(&self.summary())));
        out
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// A setting names something the schema does not have.
    #[error("{0}")]
    Setting(String),
}

/// Check the database `connection` reaches: its catalogs, its rows against `schema` (lowered
/// from `schema.prisma`; `live` is the same database introspected) and the user's rules.
pub fn check(
    connection: &mut dyn Connection,
    schema: &SqlSchema,
    live: &SqlSchema,
    options: &CheckOptions,
    events: &dyn Events,
) -> Result<CheckReport, CheckError> {
    let value_sets = resolve_value_sets(schema, &options.values)?;
    let connection = connection
        .maintenance()
        .ok_or_else(|| ConnectorError::query("this database does not report health facts yet"))?;
    let mut run = Run {
        connection,
        options,
        events,
        report: CheckReport::default(),
    };
    events.info("reading the catalogs");
    let facts = run.connection.health_facts(&options.namespaces)?;
    catalog_findings(&facts, options, &mut run.report);
    events.info("checking the rows against the schema");
    run.data_checks(schema, live, &facts, &value_sets)?;
    if !options.rules.is_empty() {
        events.info(&format!("checking {} rule(s)", options.rules.len()));
    }
    for rule in &options.rules {
        run.rule(live, rule);
    }
    let mut report = run.report;
    report
        .findings
        .retain(|finding| options.wants(&finding.code));
    report.findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| {
                a.objects
                    .first()
                    .map(|o| &o.name)
                    .cmp(&b.objects.first().map(|o| &o.name))
            })
    });
    events.event(drydock_tasks::Event::Counts {
        examined: report.checks,
        affected: report.findings.len() as u64,
    });
    Ok(report)
}

fn object(kind: &str, name: impl Into<String>) -> ObjectRef {
    ObjectRef {
        kind: kind.to_owned(),
        name: name.into(),
    }
}

fn finding(code: &str, severity: Severity, title: String, objects: Vec<ObjectRef>) -> Finding {
    Finding {
        code: code.to_owned(),
        severity,
        title,
        objects,
        detail: None,
        fix: None,
    }
}

trait With {
    fn detail(self, detail: String) -> Self;
    fn fix(self, fix: String) -> Self;
}

impl With for Finding {
    fn detail(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }
    fn fix(mut self, fix: String) -> Self {
        self.fix = Some(fix);
        self
    }
}

/// Findings from what the catalogs say.
fn catalog_findings(facts: &HealthFacts, options: &CheckOptions, report: &mut CheckReport) {
    let limits = &options.thresholds;
    let findings = &mut report.findings;
    let mut read = |present: bool| {
        if present {
            report.checks += 1;
        }
    };
    read(facts.unvalidated_constraints.is_some());
    for c in facts.unvalidated_constraints.iter().flatten() {
        findings.push(
            finding(
                codes::UNVALIDATED_CONSTRAINT,
                Severity::Warning,
                format!("{} constraint `{}` is NOT VALID", c.kind, c.name),
                vec![object("table", &c.table), object("constraint", &c.name)],
            )
            .detail("rows written before it was added were never checked against it".to_owned())
            .fix(format!(
                "validate it in a migration (it takes only a SHARE UPDATE EXCLUSIVE lock): {}",
                c.fix
            )),
        );
    }
    read(facts.invalid_indexes.is_some());
    for index in facts.invalid_indexes.iter().flatten() {
        let detail = if index.unique {
            "a failed concurrent build left it: it is updated on every write but never used, \
             and enforces nothing; the build fails again while duplicates remain"
        } else {
            "a failed concurrent build left it: it is updated on every write but never used"
        };
        findings.push(
            finding(
                codes::INVALID_INDEX,
                Severity::Warning,
                format!("index `{}` is invalid", index.name),
                vec![object("table", &index.table), object("index", &index.name)],
            )
            .detail(detail.to_owned())
            .fix(format!("drop it and build it again: {}", index.fix)),
        );
    }
    read(facts.sequences.is_some());
    for sequence in facts.sequences.iter().flatten() {
        let percent = sequence.percent_used();
        if percent < f64::from(limits.sequence_percent) {
            continue;
        }
        let exhausted = sequence.last_value >= sequence.max_value;
        let mut objects = vec![object("sequence", &sequence.sequence)];
        if let Some(column) = &sequence.column {
            objects.push(object("column", column));
        }
        let what = sequence.column.as_deref().map_or_else(
            || format!("sequence `{}`", sequence.sequence),
            |c| format!("column `{c}`"),
        );
        findings.push(
            finding(
                codes::SEQUENCE_NEAR_MAXIMUM,
                if exhausted {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!(
                    "{what} has used {percent:.1}% of its {} range",
                    sequence.type_name
                ),
                objects,
            )
            .detail(format!(
                "last value {} of at most {}; inserts fail once it is reached (threshold: \
                 `sequence_percent` = {})",
                sequence.last_value, sequence.max_value, limits.sequence_percent
            ))
            .fix(format!(
                "widen it to bigint (the field to `BigInt` in schema.prisma; the column change \
                 rewrites the table): {}",
                sequence.fix
            )),
        );
    }
    read(facts.tables_without_primary_key.is_some());
    for table in facts.tables_without_primary_key.iter().flatten() {
        let (severity, detail) = if table.has_unique_index {
            (
                Severity::Info,
                "a unique index over required columns stands in for one",
            )
        } else {
            (
                Severity::Warning,
                "nothing tells its rows apart: logical replication cannot update or delete \
                 them, and duplicates go unnoticed",
            )
        };
        findings.push(
            finding(
                codes::NO_PRIMARY_KEY,
                severity,
                format!("table `{}` has no primary key", table.table),
                vec![object("table", &table.table)],
            )
            .detail(detail.to_owned())
            .fix("give its model an `@id` or `@@id([...])` and create a migration".to_owned()),
        );
    }
    read(facts.transaction_ages.is_some());
    for age in facts.transaction_ages.iter().flatten() {
        let severity = if age.age >= limits.wraparound_error_age {
            Severity::Error
        } else if age.age >= limits.wraparound_warning_age {
            Severity::Warning
        } else {
            continue;
        };
        findings.push(
            finding(
                codes::TRANSACTION_ID_AGE,
                severity,
                format!(
                    "{} `{}` is {} transactions from its oldest unfrozen ID",
                    age.kind, age.name, age.age
                ),
                vec![object(&age.kind, &age.name)],
            )
            .detail(format!(
                "at about 2.1 billion the server stops taking writes to prevent wraparound \
                 (thresholds: `wraparound_warning_age` = {}, `wraparound_error_age` = {})",
                limits.wraparound_warning_age, limits.wraparound_error_age
            ))
            .fix(format!("freeze it: {}", age.fix)),
        );
    }
    read(facts.statistics.is_some());
    for table in facts.statistics.iter().flatten() {
        if !table.analyzed {
            if table.has_rows {
                findings.push(
                    finding(
                        codes::NEVER_ANALYZED,
                        Severity::Warning,
                        format!("table `{}` holds rows but was never analyzed", table.table),
                        vec![object("table", &table.table)],
                    )
                    .detail("the planner guesses its size and value distribution".to_owned())
                    .fix(table.fix.clone()),
                );
            }
            continue;
        }
        let changed = table.modified_since_analyze;
        let share = f64::from(limits.stale_statistics_percent) / 100.0 * table.estimated_rows;
        if changed >= limits.stale_statistics_rows && changed as f64 >= share {
            findings.push(
                finding(
                    codes::STALE_STATISTICS,
                    Severity::Info,
                    format!("statistics of table `{}` are stale", table.table),
                    vec![object("table", &table.table)],
                )
                .detail(format!(
                    "{changed} rows changed since the last analyze, of about {:.0} (thresholds: \
                     `stale_statistics_percent` = {}, `stale_statistics_rows` = {})",
                    table.estimated_rows,
                    limits.stale_statistics_percent,
                    limits.stale_statistics_rows
                ))
                .fix(table.fix.clone()),
            );
        }
    }
    read(facts.replication_slots.is_some());
    for slot in facts.replication_slots.iter().flatten() {
        if slot.active {
            continue;
        }
        let retained = slot
            .retained_bytes
            .map(|bytes| format!("; it holds {} MB of write-ahead log", bytes / 1_048_576))
            .unwrap_or_default();
        findings.push(
            finding(
                codes::INACTIVE_REPLICATION_SLOT,
                Severity::Warning,
                format!("{} replication slot `{}` is inactive", slot.kind, slot.name),
                vec![object("replication slot", &slot.name)],
            )
            .detail(format!(
                "no consumer reads it, and the server keeps every write-ahead log file it has \
                 not read, until the disk fills{retained}"
            ))
            .fix(format!(
                "start its consumer again, or drop it if it is gone for good: {}",
                slot.fix
            )),
        );
    }
    read(facts.integrity_problems.is_some());
    for problem in facts.integrity_problems.iter().flatten() {
        findings.push(
            finding(
                codes::INTEGRITY_PROBLEM,
                Severity::Error,
                "the database file is damaged".to_owned(),
                vec![object("database", "main")],
            )
            .detail(problem.clone())
            .fix(
                "restore the latest verified backup (`drydock backup restore`), or rebuild the \
                 index named (`REINDEX`) when only an index is damaged"
                    .to_owned(),
            ),
        );
    }
    read(facts.foreign_key_violations.is_some());
    for violation in facts.foreign_key_violations.iter().flatten() {
        findings.push(
            finding(
                codes::FOREIGN_KEY_VIOLATION,
                Severity::Error,
                format!(
                    "{} row(s) of `{}` reference missing rows of `{}`",
                    violation.rows, violation.table, violation.parent
                ),
                vec![
                    object("table", &violation.table),
                    object("table", &violation.parent),
                ],
            )
            .detail(samples_text(&violation.samples))
            .fix(
                "delete the orphans or point them at existing rows (`drydock cleanup` lists them \
                 by relation)"
                    .to_owned(),
            ),
        );
    }
    read(facts.stopped_scheduled_jobs.is_some());
    for job in facts.stopped_scheduled_jobs.iter().flatten() {
        findings.push(
            finding(
                codes::STOPPED_SCHEDULED_JOB,
                Severity::Warning,
                format!("scheduled job `{}` does not run", job.name),
                vec![object("event", &job.name)],
            )
            .detail(format!(
                "{}: whatever it should do on its schedule (purging, rolling up) is not done",
                job.why
            ))
            .fix(job.fix.clone()),
        );
    }
}

fn samples_text(samples: &[String]) -> String {
    if samples.is_empty() {
        String::new()
    } else {
        format!("e.g. {}", samples.join("; "))
    }
}

fn sample_values(samples: &[String]) -> String {
    if samples.is_empty() {
        String::new()
    } else {
        format!("sample values: {}", samples.join("; "))
    }
}

/// `sample rows (id): 1; 2`, the keys of up to five rows.
fn sample_rows(key: &[String], samples: &[String]) -> String {
    if samples.is_empty() {
        String::new()
    } else {
        format!("sample rows ({}): {}", key.join(", "), samples.join("; "))
    }
}

/// A column a `[check.values]` entry names, checked against the schema.
struct ResolvedSet<'a> {
    table: &'a Table,
    column: &'a str,
    set: &'a ValueSet,
}

fn resolve_value_sets<'a>(
    schema: &'a SqlSchema,
    sets: &'a [ValueSet],
) -> Result<Vec<ResolvedSet<'a>>, CheckError> {
    sets.iter()
        .map(|set| {
            let (table_name, column) = set.field.rsplit_once('.').ok_or_else(|| {
                CheckError::Setting(format!(
                    "[check.values] `{}`: name a field as `Table.column`",
                    set.field
                ))
            })?;
            let table = find_table(schema, table_name).ok_or_else(|| {
                CheckError::Setting(format!(
                    "[check.values] `{}`: the schema has no table `{table_name}`",
                    set.field
                ))
            })?;
            let column = table
                .columns
                .iter()
                .find(|c| c.name == column)
                .ok_or_else(|| {
                    CheckError::Setting(format!(
                        "[check.values] `{}`: table `{}` has no column `{column}`",
                        set.field, table.name
                    ))
                })?;
            Ok(ResolvedSet {
                table,
                column: &column.name,
                set,
            })
        })
        .collect()
}

/// The table `name` (`table` or `namespace.table`) names in `schema`.
fn find_table<'a>(schema: &'a SqlSchema, name: &str) -> Option<&'a Table> {
    let (namespace, table) = match name.split_once('.') {
        Some((namespace, table)) => (Some(namespace), table),
        None => (None, name),
    };
    schema
        .tables
        .iter()
        .find(|t| t.name == table && (namespace.is_none() || t.namespace.as_deref() == namespace))
}

/// The live table matching the schema's `table`.
fn live_table<'a>(live: &'a SqlSchema, table: &Table) -> Option<&'a Table> {
    live.tables
        .iter()
        .find(|t| t.name == table.name && t.namespace == table.namespace)
        .or_else(|| live.tables.iter().find(|t| t.name == table.name))
}

fn table_name(table: &Table) -> ObjectName {
    ObjectName::new(table.namespace.clone(), table.name.clone())
}

fn display(table: &Table) -> String {
    match &table.namespace {
        Some(namespace) => format!("{namespace}.{}", table.name),
        None => table.name.clone(),
    }
}

/// The columns naming a row of `table`: its primary key's.
fn key_of(table: &Table) -> Vec<String> {
    table
        .primary_key
        .iter()
        .flat_map(|key| key.columns.iter().map(|c| c.name.clone()))
        .collect()
}

struct Run<'a> {
    connection: &'a mut dyn MaintenanceFacts,
    options: &'a CheckOptions,
    events: &'a dyn Events,
    report: CheckReport,
}

impl Run<'_> {
    /// Ask `check` of the rows when `code` is wanted.
    fn rows(
        &mut self,
        code: &str,
        check: &RowCheck<'_>,
    ) -> Result<Option<RowCheckResult>, CheckError> {
        if !self.options.wants(code) {
            return Ok(None);
        }
        self.report.checks += 1;
        Ok(Some(self.connection.check_rows(check)?))
    }

    fn data_checks(
        &mut self,
        schema: &SqlSchema,
        live: &SqlSchema,
        facts: &HealthFacts,
        value_sets: &[ResolvedSet<'_>],
    ) -> Result<(), CheckError> {
        let total = schema.tables.len() as u64;
        for (done, table) in schema.tables.iter().enumerate() {
            self.events.event(drydock_tasks::Event::Progress {
                step: "rows against the schema".to_owned(),
                done: done as u64,
                total: Some(total),
            });
            let Some(live_table) = live_table(live, table) else {
                self.report.notes.push(format!(
                    "table `{}` of the schema is not in the database: deploy the migrations",
                    display(table)
                ));
                continue;
            };
            let name = table_name(live_table);
            let key = key_of(live_table);
            for column in &table.columns {
                let Some(live_column) = live_table.columns.iter().find(|c| c.name == column.name)
                else {
                    continue;
                };
                if column.arity == ColumnArity::Required
                    && live_column.arity == ColumnArity::Nullable
                {
                    let check = RowCheck::Null {
                        table: &name,
                        column: &column.name,
                        key: &key,
                    };
                    if let Some(result) = self.rows(codes::REQUIRED_NULL, &check)?
                        && result.count > 0
                    {
                        self.report.findings.push(
                            finding(
                                codes::REQUIRED_NULL,
                                Severity::Error,
                                format!(
                                    "{} row(s) of `{}` hold NULL in required field `{}`",
                                    result.count,
                                    display(live_table),
                                    column.name
                                ),
                                vec![object(
                                    "column",
                                    format!("{}.{}", display(live_table), column.name),
                                )],
                            )
                            .detail(format!(
                                "the schema declares it required, the column is nullable in \
                                 the database; reading these rows fails in Prisma Client. {}",
                                sample_rows(&key, &result.samples)
                            ))
                            .fix(format!(
                                "fill or delete those rows, then make the column NOT NULL with \
                                 a migration (`drydock migrate dev`): UPDATE ... SET {0} = ... \
                                 WHERE {0} IS NULL",
                                column.name
                            )),
                        );
                    }
                }
            }
            let mut unique_keys: Vec<Vec<String>> = Vec::new();
            if let Some(key) = &table.primary_key {
                unique_keys.push(key.columns.iter().map(|c| c.name.clone()).collect());
            }
            for index in &table.indexes {
                if index.kind == IndexKind::Unique && !index.is_hand_written_only() {
                    unique_keys.push(index.columns.iter().map(|c| c.name.clone()).collect());
                }
            }
            for columns in unique_keys {
                if enforced_unique(live_table, &columns)
                    || !columns
                        .iter()
                        .all(|c| live_table.columns.iter().any(|l| &l.name == c))
                {
                    continue;
                }
                let check = RowCheck::Duplicates {
                    table: &name,
                    columns: &columns,
                };
                if let Some(result) = self.rows(codes::UNIQUE_DUPLICATES, &check)?
                    && result.count > 0
                {
                    self.report.findings.push(
                        finding(
                            codes::UNIQUE_DUPLICATES,
                            Severity::Error,
                            format!(
                                "{} value(s) of ({}) in `{}` are shared by several rows",
                                result.count,
                                columns.join(", "),
                                display(live_table)
                            ),
                            vec![object("table", display(live_table))],
                        )
                        .detail(format!(
                            "the schema declares them unique, the database has no unique index \
                             on them; {} rows in all. {}",
                            result.rows.unwrap_or(0),
                            sample_values(&result.samples)
                        ))
                        .fix(
                            "remove the duplicates, then create the unique index with a \
                             migration (`drydock migrate dev`)"
                                .to_owned(),
                        ),
                    );
                }
            }
            for set in value_sets.iter().filter(|s| std::ptr::eq(s.table, table)) {
                let check = RowCheck::OutsideSet {
                    table: &name,
                    column: set.column,
                    values: &set.set.values,
                    key: &key,
                };
                if let Some(result) = self.rows(codes::VALUE_OUTSIDE_SET, &check)?
                    && result.count > 0
                {
                    self.report.findings.push(
                        finding(
                            codes::VALUE_OUTSIDE_SET,
                            Severity::Warning,
                            format!(
                                "{} row(s) of `{}` hold a `{}` outside its declared values",
                                result.count,
                                display(live_table),
                                set.column
                            ),
                            vec![object(
                                "column",
                                format!("{}.{}", display(live_table), set.column),
                            )],
                        )
                        .detail(format!(
                            "allowed: {} (`[check.values]` \"{}\"). {}",
                            set.set.values.join(", "),
                            set.set.field,
                            sample_rows(&key, &result.samples)
                        ))
                        .fix(
                            "correct those rows, or add the value to `[check.values]`; an \
                             `enum` in schema.prisma makes the database enforce the set"
                                .to_owned(),
                        ),
                    );
                }
            }
            self.unenforced(table, live_table, &name, &key, facts)?;
        }
        Ok(())
    }

    /// Declared lengths and storage classes the database does not enforce, for the columns
    /// the schema has.
    fn unenforced(
        &mut self,
        table: &Table,
        live_table: &Table,
        name: &ObjectName,
        key: &[String],
        facts: &HealthFacts,
    ) -> Result<(), CheckError> {
        let columns = facts.unenforced_columns.iter().flatten().filter(|c| {
            c.table.name == live_table.name && table.columns.iter().any(|s| s.name == c.column)
        });
        for column in columns {
            let object_name = format!("{}.{}", display(live_table), column.column);
            if let Some(max) = column.max_length {
                let check = RowCheck::TooLong {
                    table: name,
                    column: &column.column,
                    max,
                    key,
                };
                if let Some(result) = self.rows(codes::VALUE_TOO_LONG, &check)?
                    && result.count > 0
                {
                    self.report.findings.push(
                        finding(
                            codes::VALUE_TOO_LONG,
                            Severity::Warning,
                            format!(
                                "{} value(s) of `{object_name}` are longer than its declared {}",
                                result.count, column.declared
                            ),
                            vec![object("column", object_name.clone())],
                        )
                        .detail(format!(
                            "the database stores them whole; a copy into a database that \
                             enforces the length fails. {}",
                            sample_rows(key, &result.samples)
                        ))
                        .fix(format!(
                            "shorten those values, or declare a longer type \
                             (SELECT ... WHERE length({}) > {max})",
                            column.column
                        )),
                    );
                }
            }
            if !column.storage_classes.is_empty() {
                let check = RowCheck::StorageClass {
                    table: name,
                    column: &column.column,
                    classes: &column.storage_classes,
                    key,
                };
                if let Some(result) = self.rows(codes::STORAGE_CLASS_MISMATCH, &check)?
                    && result.count > 0
                {
                    self.report.findings.push(
                        finding(
                            codes::STORAGE_CLASS_MISMATCH,
                            Severity::Warning,
                            format!(
                                "{} value(s) of `{object_name}` are stored as something other \
                                 than {}",
                                result.count,
                                column.storage_classes.join(" or ")
                            ),
                            vec![object("column", object_name.clone())],
                        )
                        .detail(format!(
                            "the column is declared {}; Prisma Client fails to read such a \
                             value. {}",
                            column.declared,
                            sample_rows(key, &result.samples)
                        ))
                        .fix(
                            "convert those values (UPDATE ... SET col = CAST(col AS ...)) or \
                             delete the rows"
                                .to_owned(),
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    fn rule(&mut self, live: &SqlSchema, rule: &Rule) {
        if !self.options.wants(codes::RULE_VIOLATED) && !self.options.wants(codes::RULE_FAILED) {
            return;
        }
        self.report.checks += 1;
        let failed = |message: String| {
            finding(
                codes::RULE_FAILED,
                Severity::Error,
                format!("rule `{}` could not run", rule.name),
                vec![object("rule", &rule.name)],
            )
            .detail(message)
            .fix("correct the rule's `table` or `where` in drydock.toml".to_owned())
        };
        let Some(table) = find_table(live, &rule.table) else {
            self.report.findings.push(failed(format!(
                "the database has no table `{}`",
                rule.table
            )));
            return;
        };
        let name = table_name(table);
        let key = key_of(table);
        let check = RowCheck::Predicate {
            table: &name,
            predicate: &rule.predicate,
            key: &key,
        };
        match self.connection.check_rows(&check) {
            Err(error) => {
                self.events
                    .warning(&format!("rule `{}` failed: {error}", rule.name));
                self.report.findings.push(failed(error.to_string()));
            }
            Ok(result) if result.count > 0 => {
                let mut detail = rule
                    .description
                    .clone()
                    .map(|d| format!("{d}. "))
                    .unwrap_or_default();
                detail.push_str(&format!("where {}. ", rule.predicate));
                detail.push_str(&sample_rows(&key, &result.samples));
                let fix = match &rule.cleanup {
                    Some(action) => format!(
                        "`drydock cleanup` applies the rule's cleanup: {}",
                        action.statement(&display(table), &rule.predicate)
                    ),
                    None => "correct those rows".to_owned(),
                };
                self.report.findings.push(
                    finding(
                        codes::RULE_VIOLATED,
                        rule.severity,
                        format!(
                            "rule `{}`: {} row(s) of `{}`",
                            rule.name,
                            result.count,
                            display(table)
                        ),
                        vec![object("rule", &rule.name), object("table", display(table))],
                    )
                    .detail(detail.trim_end().to_owned())
                    .fix(fix),
                );
            }
            Ok(_) => {}
        }
    }
}

/// Whether `table` (live) has a primary key or a unique index over exactly `columns`.
fn enforced_unique(table: &Table, columns: &[String]) -> bool {
    let same = |names: Vec<&str>| {
        names.len() == columns.len() && columns.iter().all(|c| names.contains(&c.as_str()))
    };
    table
        .primary_key
        .as_ref()
        .is_some_and(|key| same(key.columns.iter().map(|c| c.name.as_str()).collect()))
        || table.indexes.iter().any(|index| {
            index.kind == IndexKind::Unique
                && index.predicate.is_none()
                && same(index.columns.iter().map(|c| c.name.as_str()).collect())
        })
}

#[cfg(test)]
mod tests {
    use drydock_connector::{SequenceUse, TableStatistics, TransactionAge};

    use super::*;

    fn sequence(last_value: i64) -> SequenceUse {
        SequenceUse {
            sequence: "public.T_id_seq".to_owned(),
            column: Some("public.T.id".to_owned()),
            type_name: "integer".to_owned(),
            last_value,
            max_value: 2_147_483_647,
            fix: String::new(),
        }
    }

    fn findings(facts: &HealthFacts, thresholds: Thresholds) -> Vec<(String, Severity)> {
        let options = CheckOptions {
            thresholds,
            ..CheckOptions::default()
        };
        let mut report = CheckReport::default();
        catalog_findings(facts, &options, &mut report);
        report
            .findings
            .into_iter()
            .map(|f| (f.code, f.severity))
            .collect()
    }

    #[test]
    fn sequences_are_reported_from_the_threshold_and_are_errors_once_exhausted() {
        let facts = HealthFacts {
            sequences: Some(vec![
                sequence(1_900_000_000),
                sequence(1_940_000_000),
                sequence(2_147_483_647),
            ]),
            ..HealthFacts::default()
        };
        assert_eq!(
            findings(&facts, Thresholds::default()),
            [
                ("D6003".to_owned(), Severity::Warning),
                ("D6003".to_owned(), Severity::Error)
            ]
        );
        let lower = Thresholds {
            sequence_percent: 85,
            ..Thresholds::default()
        };
        assert_eq!(findings(&facts, lower).len(), 3);
    }

    #[test]
    fn a_scheduled_job_that_does_not_run_is_a_warning() {
        let facts = HealthFacts {
            stopped_scheduled_jobs: Some(vec![drydock_connector::StoppedScheduledJob {
                name: "purge_old".to_owned(),
                why: "the server's event scheduler is OFF".to_owned(),
                fix: "SET GLOBAL event_scheduler = ON;".to_owned(),
            }]),
            ..HealthFacts::default()
        };
        assert_eq!(
            findings(&facts, Thresholds::default()),
            [("D6009".to_owned(), Severity::Warning)]
        );
        let none = HealthFacts {
            stopped_scheduled_jobs: Some(Vec::new()),
            ..HealthFacts::default()
        };
        assert!(findings(&none, Thresholds::default()).is_empty());
    }

    #[test]
    fn wraparound_age_follows_check_postgres_defaults() {
        let age = |age| TransactionAge {
            kind: "table".to_owned(),
            name: "public.T".to_owned(),
            age,
            fix: String::new(),
        };
        let facts = HealthFacts {
            transaction_ages: Some(vec![
                age(1_299_999_999),
                age(1_300_000_000),
                age(1_450_000_000),
            ]),
            ..HealthFacts::default()
        };
        assert_eq!(
            findings(&facts, Thresholds::default()),
            [
                ("D6005".to_owned(), Severity::Warning),
                ("D6005".to_owned(), Severity::Error)
            ]
        );
    }

    #[test]
    fn statistics_are_stale_past_both_thresholds_and_empty_tables_need_no_analyze() {
        let table = |analyzed, has_rows, modified, rows| TableStatistics {
            table: "public.T".to_owned(),
            analyzed,
            has_rows,
            modified_since_analyze: modified,
            estimated_rows: rows,
            fix: String::new(),
        };
        let facts = HealthFacts {
            statistics: Some(vec![
                table(false, false, 0, 0.0),
                table(false, true, 0, 0.0),
                table(true, true, 999, 100.0),
                table(true, true, 1_500, 10_000.0),
                table(true, true, 2_500, 10_000.0),
            ]),
            ..HealthFacts::default()
        };
        assert_eq!(
            findings(&facts, Thresholds::default()),
            [
                ("D6006".to_owned(), Severity::Warning),
                ("D6007".to_owned(), Severity::Info)
            ]
        );
    }
}
