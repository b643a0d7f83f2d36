//! `drydock cleanup`: the orphans of every relation, counted (a dry run), or archived and then
//! deleted or unlinked as the relation's `onDelete` says (`--apply`), in batches that each
//! commit with their progress row, parents before children, until no relation has orphans left.
//! `restore` puts an archive's rows back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use drydock_connector::{
    ArchivedColumn, CleanupSql, Connection, Dialect, Interrupt, SessionLimits, redact_url,
};
use drydock_schema::{ObjectName, ReferentialAction, Relation};
use drydock_tasks::{Event, Events};
use serde::Serialize;

use crate::archive::{
    ARCHIVE_KIND, ARCHIVE_VERSION, ArchiveColumn, ArchiveManifest, ArchiveWriter, BatchHeader,
    Operation, archive_path, manifest_path, partial_path, read_archive,
};
use crate::check::{CleanupAction, Rule};
use crate::cleanup_error::CleanupError;
use crate::finding::Finding;
use crate::orphans::{self, OrphanCount, RelationPlan, describe_key, json_literal};
use crate::rule_cleanup::{self, RuleOutcome, RulePlan};

/// Rows per batch unless told otherwise.
pub const DEFAULT_BATCH_SIZE: u64 = 10_000;
/// How long a batch waits for a row lock unless told otherwise.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// Tries of a batch that gave up waiting for a lock, before the cleanup stops.
const LOCK_TRIES: u32 = 5;

/// What to do with the orphans of a relation whose `onDelete` implies nothing for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrphanAction {
    Delete,
    SetNull,
}

impl OrphanAction {
    pub fn as_str(self) -> &'static str {
        match self {
            OrphanAction::Delete => "delete",
            OrphanAction::SetNull => "set-null",
        }
    }

    /// The action `word` names (`delete`, `set-null`), as `--action` and the server's
    /// `action` option spell it.
    pub fn parse(word: &str) -> Option<OrphanAction> {
        [OrphanAction::Delete, OrphanAction::SetNull]
            .into_iter()
            .find(|action| action.as_str() == word)
    }
}

#[derive(Debug, Clone)]
pub struct CleanupOptions {
    /// The database, as the user gave it (never shown unredacted).
    pub url: String,
    /// Namespaces to read tables from (empty: the URL's).
    pub namespaces: Vec<String>,
    /// The datamodel's relations ([`drydock_schema::Relation`], from lowering).
    pub relations: Vec<Relation>,
    /// The `[[rules]]` of `drydock.toml`; those with a `cleanup` are carried out.
    pub rules: Vec<Rule>,
    /// Relations (`Model.field`), child tables or rule names to look at; empty: all.
    pub only: Vec<String>,
    /// Change rows; otherwise count only.
    pub apply: bool,
    /// For relations whose `onDelete` is `Restrict`, `NoAction` or `SetDefault` (or `SetNull`
    /// on a required reference).
    pub action: Option<OrphanAction>,
    pub batch_size: u64,
    pub lock_timeout: Duration,
    /// Where archives are written.
    pub archive_dir: PathBuf,
    /// Stops the cleanup between batches (and cancels the running one).
    pub interrupt: Interrupt,
}

impl CleanupOptions {
    pub fn new(url: impl Into<String>, relations: Vec<Relation>) -> CleanupOptions {
        CleanupOptions {
            url: url.into(),
            namespaces: Vec::new(),
            relations,
            rules: Vec::new(),
            only: Vec::new(),
            apply: false,
            action: None,
            batch_size: DEFAULT_BATCH_SIZE,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            archive_dir: PathBuf::from("backups/cleanup"),
            interrupt: Interrupt::new(),
        }
    }
}

/// One relation in the outcome.
#[derive(Debug, Clone, Serialize)]
pub struct RelationOutcome {
    #[serde(flatten)]
    pub orphans: OrphanCount,
    /// What `--apply` does (or did) to them; `None`: nothing (no action decided).
    pub action: Option<OrphanAction>,
    /// Rows deleted or unlinked by this run (including orphans made by deleting others).
    pub affected: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchiveOutcome {
    pub id: String,
    pub file: PathBuf,
    pub manifest: PathBuf,
    pub rows: u64,
    pub batches: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleanupOutcome {
    pub applied: bool,
    /// Continued an unfinished cleanup (its archive id).
    pub resumed: Option<String>,
    pub relations: Vec<RelationOutcome>,
    /// The rules with a cleanup.
    pub rules: Vec<RuleOutcome>,
    /// A finding per relation with orphans (at the start) and per relation not searchable.
    pub findings: Vec<Finding>,
    /// Orphans and rule rows counted at the start.
    pub examined: u64,
    /// Rows deleted or unlinked, this run and the interrupted run it resumed.
    pub affected: u64,
    pub archive: Option<ArchiveOutcome>,
}

impl CleanupOutcome {
    /// `3 rows deleted or changed of 3 found`, or `dry run: 3 rows to clean up`: the run log's
    /// summary of a cleanup, whoever ran it.
    pub fn summary(&self) -> String {
        if self.applied {
            format!(
                "{} rows deleted or changed of {} found",
                self.affected, self.examined
            )
        } else {
            format!("dry run: {} rows to clean up", self.examined)
        }
    }
}

/// What each relation's orphans get under `--apply`.
fn decide(relation: &Relation, consent: Option<OrphanAction>) -> Option<OrphanAction> {
    match relation.on_delete {
        ReferentialAction::Cascade => Some(OrphanAction::Delete),
        ReferentialAction::SetNull if !relation.required => Some(OrphanAction::SetNull),
        _ => match consent {
            Some(OrphanAction::SetNull) if relation.required => None,
            other => other,
        },
    }
}

fn selected(
    relations: &[Relation],
    rules: &[Rule],
    only: &[String],
) -> Result<(Vec<Relation>, Vec<Rule>), CleanupError> {
    let rules: Vec<Rule> = rules
        .iter()
        .filter(|r| r.cleanup.is_some())
        .cloned()
        .collect();
    if only.is_empty() {
        return Ok((relations.to_vec(), rules));
    }
    let picks_relation = |r: &Relation, w: &String| w == &r.name || w == &r.table.name;
    for wanted in only {
        if !relations.iter().any(|r| picks_relation(r, wanted))
            && !rules.iter().any(|r| &r.name == wanted)
        {
            let names: Vec<&str> = relations
                .iter()
                .map(|r| r.name.as_str())
                .chain(rules.iter().map(|r| r.name.as_str()))
                .collect();
            return Err(CleanupError::Usage(format!(
                "`--only {wanted}` names no relation of the schema and no rule with a cleanup; \
                 there are: {}",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )));
        }
    }
    Ok((
        relations
            .iter()
            .filter(|r| only.iter().any(|w| picks_relation(r, w)))
            .cloned()
            .collect(),
        rules
            .into_iter()
            .filter(|r| only.contains(&r.name))
            .collect(),
    ))
}

fn sql_of(dialect: &dyn Dialect) -> Result<&dyn CleanupSql, CleanupError> {
    dialect.cleanup_sql().ok_or_else(|| {
        CleanupError::Usage(format!(
            "cleanup is not available for {} databases",
            dialect.provider()
        ))
    })
}

/// Count the orphans of the selected relations and, with `apply`, archive and remove them.
pub fn cleanup(
    dialect: &dyn Dialect,
    options: &CleanupOptions,
    events: &dyn Events,
) -> Result<CleanupOutcome, CleanupError> {
    let sql = sql_of(dialect)?;
    let (relations, rules) = selected(&options.relations, &options.rules, &options.only)?;
    let mut conn = dialect.connect(&options.url)?;
    let schema = conn.introspect(&options.namespaces)?;
    let (plans, mut findings) = orphans::plan(sql, &schema, &relations);
    let rule_plans = rule_cleanup::plan(sql, &schema, &rules)?;
    let mut outcomes = Vec::new();
    for plan in &plans {
        let counted = orphans::count(conn.as_mut(), sql, plan)?;
        findings.extend(counted.finding());
        events.info(&format!(
            "{}: {} orphans{}",
            counted.relation,
            counted.orphans,
            if counted.samples.is_empty() {
                String::new()
            } else {
                format!(" (e.g. {})", counted.samples.join("; "))
            }
        ));
        outcomes.push(RelationOutcome {
            action: decide(&plan.relation, options.action),
            orphans: counted,
            affected: 0,
        });
    }
    let mut rule_outcomes = Vec::new();
    for plan in &rule_plans {
        let counted = plan.count(conn.as_mut(), sql)?;
        events.info(&format!(
            "rule `{}`: {} rows{}; {}",
            counted.rule,
            counted.rows,
            if counted.samples.is_empty() {
                String::new()
            } else {
                format!(" (e.g. {})", counted.samples.join("; "))
            },
            counted.statement
        ));
        rule_outcomes.push(counted);
    }
    let examined = outcomes.iter().map(|o| o.orphans.orphans).sum::<u64>()
        + rule_outcomes.iter().map(|o| o.rows).sum::<u64>();
    events.event(Event::Counts {
        examined,
        affected: 0,
    });
    let mut outcome = CleanupOutcome {
        applied: options.apply,
        resumed: None,
        relations: outcomes,
        rules: rule_outcomes,
        findings,
        examined,
        affected: 0,
        archive: None,
    };
    if !options.apply {
        return Ok(outcome);
    }
    let undecided: Vec<String> = outcome
        .relations
        .iter()
        .filter(|o| o.action.is_none() && o.orphans.orphans > 0)
        .map(|o| {
            format!(
                "{} (onDelete {}{})",
                o.orphans.relation,
                o.orphans.on_delete,
                if o.orphans.required { ", required" } else { "" }
            )
        })
        .collect();
    if !undecided.is_empty() {
        return Err(CleanupError::NeedsAction {
            relations: undecided,
        });
    }
    if let Some(plan) = plans.iter().find(|p| {
        decide(&p.relation, options.action) == Some(OrphanAction::SetNull) && !p.key_unique
    }) {
        return Err(CleanupError::Usage(format!(
            "the orphans of {} cannot be unlinked: table {} has no primary key or unique index \
             to find them again on restore; `--action delete` removes them instead",
            plan.relation.name, plan.relation.table.name
        )));
    }
    // The database's own cascades would remove rows the archive never sees: the cleanup does
    // them itself, relation by relation.
    if let Some(relax) = sql.relax_references()
        && let Err(error) = conn.execute_script(relax)
        && let Some(cascade) = database_cascade(&schema, &plans, options.action)
    {
        return Err(CleanupError::Usage(format!(
            "the foreign key {cascade} would delete or change rows without archiving them, and \
             this session cannot switch foreign key actions off ({}): run the cleanup as a role \
             that can (PostgreSQL: a superuser, for `session_replication_role`)",
            error.message
        )));
    }
    conn.set_session_limits(&SessionLimits {
        lock_timeout: Some(options.lock_timeout),
        statement_timeout: None,
    })?;
    let _registration = options.interrupt.register(conn.canceller()?);
    let mut run = Run::open(conn.as_mut(), sql, dialect, options, events)?;
    outcome.resumed = run.resumed.then(|| run.id.clone());
    let result = run
        .passes(conn.as_mut(), sql, dialect, &plans, options, &mut outcome)
        .and_then(|()| {
            run.rules(
                conn.as_mut(),
                sql,
                dialect,
                &rule_plans,
                options,
                &mut outcome,
            )
        });
    outcome.affected = run.rows;
    result?;
    outcome.archive = run.finish(conn.as_mut(), sql, dialect, options)?;
    Ok(outcome)
}

/// A foreign key of the database that acts on its own (`CASCADE`, `SET NULL`, `SET DEFAULT`)
/// when rows of a table the cleanup deletes from go, said for people.
fn database_cascade(
    schema: &drydock_schema::SqlSchema,
    plans: &[RelationPlan],
    consent: Option<OrphanAction>,
) -> Option<String> {
    let deleted: Vec<&drydock_schema::ObjectName> = plans
        .iter()
        .filter(|p| decide(&p.relation, consent) == Some(OrphanAction::Delete))
        .map(|p| &p.relation.table)
        .collect();
    schema.tables.iter().find_map(|table| {
        table.foreign_keys.iter().find_map(|fk| {
            let acts = !matches!(
                fk.on_delete,
                ReferentialAction::Restrict | ReferentialAction::NoAction
            );
            (acts && deleted.contains(&&fk.referenced_table)).then(|| {
                format!(
                    "{} of {} (ON DELETE {})",
                    fk.name.clone().unwrap_or_default(),
                    table.name,
                    fk.on_delete.as_sql()
                )
            })
        })
    })
}

/// A batch's work in its transaction: the rows it changed and the key the next batch starts
/// after.
type Attempt<'a, 'e> = dyn FnMut(
        &mut Run<'e>,
        &mut dyn Connection,
    ) -> Result<(u64, Option<String>), drydock_connector::ScriptError>
    + 'a;

/// What a batch did, for its archive frame's header.
struct Change<'a> {
    /// The relation or rule.
    name: &'a str,
    table: &'a ObjectName,
    operation: Operation,
    /// The columns each archived row holds.
    columns: &'a [ArchivedColumn],
    /// The columns that find a changed (not deleted) row again on restore.
    key: &'a [String],
    /// The columns a restore sets back on a changed row.
    changed: &'a [String],
}

/// The bookkeeping of one `--apply`: its progress row and archive.
struct Run<'e> {
    id: String,
    /// The progress table, as SQL ([`CleanupSql::progress_table`]).
    table: String,
    resumed: bool,
    started_at: chrono::DateTime<Utc>,
    /// Started by the first batch that finds rows.
    writer: Option<ArchiveWriter>,
    batches: u64,
    rows: u64,
    events: &'e dyn Events,
}

fn first_text(conn: &mut dyn Connection, query: &str) -> Result<Option<String>, CleanupError> {
    Ok(conn.query_texts(query)?.into_iter().next().flatten())
}

fn first_number(conn: &mut dyn Connection, query: &str) -> Result<u64, CleanupError> {
    Ok(first_text(conn, query)?
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0))
}

impl<'e> Run<'e> {
    /// Continue the unfinished cleanup the progress table names, or prepare a new one.
    fn open(
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        dialect: &dyn Dialect,
        options: &CleanupOptions,
        events: &'e dyn Events,
    ) -> Result<Run<'e>, CleanupError> {
        let (place, table) = sql.progress_table(conn)?;
        if let Some(place) = place {
            conn.execute_script(&place).map_err(|e| {
                CleanupError::Connector(drydock_connector::ConnectorError::query(e.message))
            })?;
        }
        conn.execute_script(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (archive VARCHAR(200) PRIMARY KEY, started_at \
             VARCHAR(40) NOT NULL, batches BIGINT NOT NULL, rows_done BIGINT NOT NULL, \
             archive_bytes BIGINT NOT NULL, finished_at VARCHAR(40))"
        ))
        .map_err(|e| {
            CleanupError::Connector(drydock_connector::ConnectorError::query(e.message))
        })?;
        let unfinished = first_text(
            conn,
            &format!(
                "SELECT archive FROM {table} WHERE finished_at IS NULL ORDER BY started_at LIMIT 1"
            ),
        )?;
        if let Some(id) = unfinished {
            let row = format!("{table} WHERE archive = {}", sql.literal(&id));
            let batches = first_number(conn, &format!("SELECT batches FROM {row}"))?;
            let rows = first_number(conn, &format!("SELECT rows_done FROM {row}"))?;
            let bytes = first_number(conn, &format!("SELECT archive_bytes FROM {row}"))?;
            let started_at = first_text(conn, &format!("SELECT started_at FROM {row}"))?
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
            let dir = &options.archive_dir;
            if !partial_path(dir, &id).exists() && manifest_path(dir, &id).exists() {
                // Finished all but its mark: the archive is complete under its name.
                conn.execute_script(&format!(
                    "UPDATE {table} SET finished_at = {} WHERE archive = {}",
                    sql.literal(&Utc::now().to_rfc3339()),
                    sql.literal(&id)
                ))
                .map_err(|e| {
                    CleanupError::Connector(drydock_connector::ConnectorError::query(e.message))
                })?;
                events.info(&format!(
                    "the cleanup `{id}` had finished; its archive is complete"
                ));
                return Run::open(conn, sql, dialect, options, events);
            }
            let (partial, archive) = (partial_path(dir, &id), archive_path(dir, &id));
            let writer = if bytes == 0 && !partial.exists() && !archive.exists() {
                // Stopped between recording the archive and creating its file.
                ArchiveWriter::create(dir, &id)?
            } else {
                if !partial.exists() && archive.exists() {
                    // Stopped between naming the archive and writing its manifest: back to
                    // unfinished, so that finishing writes the manifest.
                    std::fs::rename(&archive, &partial).map_err(|e| {
                        CleanupError::io(format!("renaming `{}`", archive.display()), e)
                    })?;
                }
                ArchiveWriter::resume(dir, &id, bytes)?
            };
            events.info(&format!(
                "resuming the cleanup `{id}` after {batches} batches ({rows} rows archived in `{}`)",
                writer.partial().display()
            ));
            return Ok(Run {
                id,
                table,
                resumed: true,
                started_at,
                writer: Some(writer),
                batches,
                rows,
                events,
            });
        }
        let started_at = Utc::now();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let id = format!(
            "{}_cleanup_{}_{}",
            started_at.format("%Y%m%dT%H%M%S"),
            dialect.provider(),
            &suffix[..8]
        );
        Ok(Run {
            id,
            table,
            resumed: false,
            started_at,
            writer: None,
            batches: 0,
            rows: 0,
            events,
        })
    }

    /// Record the archive in the progress table (committed), then create its file: a run
    /// stopped in between leaves a row its next run resumes, never a file nothing names.
    fn start_archive(
        &mut self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        options: &CleanupOptions,
    ) -> Result<(), CleanupError> {
        conn.execute_script(&format!(
            "INSERT INTO {} (archive, started_at, batches, rows_done, archive_bytes) VALUES \
             ({}, {}, 0, 0, 0)",
            self.table,
            sql.literal(&self.id),
            sql.literal(&self.started_at.to_rfc3339())
        ))
        .map_err(|e| {
            CleanupError::Connector(drydock_connector::ConnectorError::query(e.message))
        })?;
        self.writer = Some(ArchiveWriter::create(&options.archive_dir, &self.id)?);
        self.events.info(&format!(
            "archiving every changed row to `{}` first",
            archive_path(&options.archive_dir, &self.id).display()
        ));
        Ok(())
    }

    fn archive_file(&self, options: &CleanupOptions) -> PathBuf {
        match &self.writer {
            Some(writer) => writer.partial(),
            None => archive_path(&options.archive_dir, &self.id),
        }
    }

    /// Batches over every relation, parents first, until a pass changes nothing (bounded: each
    /// pass but the last removes rows, and a chain is at most as deep as there are relations).
    fn passes(
        &mut self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        dialect: &dyn Dialect,
        plans: &[RelationPlan],
        options: &CleanupOptions,
        outcome: &mut CleanupOutcome,
    ) -> Result<(), CleanupError> {
        for _pass in 0..=plans.len() + 1 {
            let mut changed = 0;
            for (plan, relation) in plans.iter().zip(outcome.relations.iter_mut()) {
                let Some(action) = relation.action else {
                    continue;
                };
                // Each batch starts after the keys of the one before: an index range, not a
                // walk past every row already done. A pass starts from the first key again, so
                // orphans made behind it are found by the next.
                let mut after = None;
                loop {
                    if options.interrupt.is_triggered() {
                        return Err(self.interrupted(options));
                    }
                    let last = after.as_deref();
                    let (done, next) = self.batch(
                        conn,
                        dialect,
                        &plan.relation.name,
                        options,
                        &mut |run, conn| run.try_batch(conn, sql, plan, action, last, options),
                    )?;
                    if done == 0 {
                        break;
                    }
                    after = next;
                    relation.affected += done;
                    changed += done;
                    self.events.event(Event::Progress {
                        step: plan.relation.name.clone(),
                        done: relation.affected,
                        total: Some(relation.orphans.orphans.max(relation.affected)),
                    });
                    self.events.event(Event::Counts {
                        examined: outcome.examined,
                        affected: self.rows,
                    });
                }
            }
            if changed == 0 {
                return Ok(());
            }
        }
        Ok(())
    }

    fn interrupted(&self, options: &CleanupOptions) -> CleanupError {
        CleanupError::Interrupted {
            batches: self.batches,
            rows: self.rows,
            archive: self.archive_file(options),
        }
    }

    /// The rules' cleanups, each in batches until its `where` selects no row (an update
    /// takes its rows out of it, or the batch fails).
    fn rules(
        &mut self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        dialect: &dyn Dialect,
        plans: &[RulePlan],
        options: &CleanupOptions,
        outcome: &mut CleanupOutcome,
    ) -> Result<(), CleanupError> {
        for (plan, rule) in plans.iter().zip(outcome.rules.iter_mut()) {
            let mut after = None;
            loop {
                if options.interrupt.is_triggered() {
                    return Err(self.interrupted(options));
                }
                let last = after.as_deref();
                let (done, next) =
                    self.batch(conn, dialect, &plan.rule.name, options, &mut |run, conn| {
                        run.try_rule_batch(conn, sql, plan, last, options)
                    })?;
                if done == 0 {
                    break;
                }
                after = next;
                rule.affected += done;
                self.events.event(Event::Progress {
                    step: plan.rule.name.clone(),
                    done: rule.affected,
                    total: Some(rule.rows.max(rule.affected)),
                });
                self.events.event(Event::Counts {
                    examined: outcome.examined,
                    affected: self.rows,
                });
            }
        }
        Ok(())
    }

    /// One batch in its own transaction (`attempt`): its rows changed, archived (synced) and
    /// counted in the progress row, committed together; tried again after a lock timeout.
    /// Returns the rows changed (0 when none were left) and the key the next batch starts
    /// after ([`RelationPlan::last_key`]).
    fn batch(
        &mut self,
        conn: &mut dyn Connection,
        dialect: &dyn Dialect,
        name: &str,
        options: &CleanupOptions,
        attempt: &mut Attempt<'_, 'e>,
    ) -> Result<(u64, Option<String>), CleanupError> {
        let mut tries = 0;
        loop {
            tries += 1;
            match attempt(self, conn) {
                Ok(rows) => return Ok(rows),
                Err(error) => {
                    let _ = conn.abort_open_transaction();
                    if options.interrupt.is_triggered() {
                        return Err(self.interrupted(options));
                    }
                    let lock_timeout = dialect.is_lock_timeout(&error);
                    if lock_timeout && tries < LOCK_TRIES {
                        self.events.warning(&format!(
                            "{name}: a batch gave up waiting for a lock; trying again"
                        ));
                        std::thread::sleep(Duration::from_millis(200 * u64::from(tries)));
                        continue;
                    }
                    return Err(CleanupError::Batch {
                        relation: name.to_owned(),
                        message: error.message,
                        rows: self.rows,
                        archive: self.archive_file(options),
                    });
                }
            }
        }
    }

    fn try_batch(
        &mut self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        plan: &RelationPlan,
        action: OrphanAction,
        after: Option<&str>,
        options: &CleanupOptions,
    ) -> Result<(u64, Option<String>), drydock_connector::ScriptError> {
        let connector = drydock_connector::ScriptError::from_connector;
        let limit = options.batch_size.max(1);
        conn.execute_script(sql.begin_write())?;
        let (rows, columns, operation) = match action {
            OrphanAction::Delete if sql.deletes_returning() => {
                let rows = conn
                    .query_texts(&plan.delete_batch(sql, limit, after))
                    .map_err(connector)?;
                (rows, plan.columns.clone(), Operation::Delete)
            }
            OrphanAction::Delete => {
                let rows = conn
                    .query_texts(&plan.select_locked(sql, &plan.columns, limit, after))
                    .map_err(connector)?;
                (rows, plan.columns.clone(), Operation::Delete)
            }
            OrphanAction::SetNull => {
                let columns = plan.set_null_columns();
                let rows = conn
                    .query_texts(&plan.select_locked(sql, &columns, limit, after))
                    .map_err(connector)?;
                (rows, columns, Operation::SetNull)
            }
        };
        let rows: Vec<String> = rows.into_iter().flatten().collect();
        if rows.is_empty() {
            conn.execute_script("ROLLBACK")?;
            return Ok((0, None));
        }
        if self.writer.is_none() {
            // The first batch that finds rows: undone, the archive started outside its
            // transaction, then run again.
            conn.execute_script("ROLLBACK")?;
            self.start_archive(conn, sql, options)
                .map_err(|e| batch_error(e.to_string()))?;
            return self.try_batch(conn, sql, plan, action, after, options);
        }
        if action == OrphanAction::Delete && !sql.deletes_returning() {
            delete_read_rows(conn, sql, &plan.child(sql), &plan.key, &rows)?;
        }
        if action == OrphanAction::SetNull {
            let set: Vec<String> = plan
                .relation
                .columns
                .iter()
                .map(|c| format!("{} = NULL", sql.quote(c)))
                .collect();
            conn.execute_counted(&format!(
                "UPDATE {} SET {} WHERE {}",
                plan.child(sql),
                set.join(", "),
                key_condition(sql, &plan.key, &rows)
            ))?;
        }
        let next = rows.last().and_then(|row| plan.last_key(sql, row));
        let change = Change {
            name: &plan.relation.name,
            table: &plan.relation.table,
            operation,
            columns: &columns,
            key: &plan.key,
            changed: &plan.relation.columns,
        };
        let count = self.commit(conn, sql, &change, &rows)?;
        Ok((count, next))
    }

    /// A rule's batch: its rows deleted, or read whole and updated with the rule's `SET` list
    /// (which must take them out of the rule's `where`, or they would be updated again).
    fn try_rule_batch(
        &mut self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        plan: &RulePlan,
        after: Option<&str>,
        options: &CleanupOptions,
    ) -> Result<(u64, Option<String>), drydock_connector::ScriptError> {
        let connector = drydock_connector::ScriptError::from_connector;
        let limit = options.batch_size.max(1);
        conn.execute_script(sql.begin_write())?;
        let query = match &plan.action {
            CleanupAction::Delete if sql.deletes_returning() => {
                plan.delete_batch(sql, limit, after)
            }
            CleanupAction::Delete | CleanupAction::Update { .. } => {
                plan.update_select(sql, limit, after)
            }
        };
        let rows: Vec<String> = conn
            .query_texts(&query)
            .map_err(connector)?
            .into_iter()
            .flatten()
            .collect();
        if rows.is_empty() {
            conn.execute_script("ROLLBACK")?;
            return Ok((0, None));
        }
        if self.writer.is_none() {
            // As for the relations' batches: the archive started outside the transaction.
            conn.execute_script("ROLLBACK")?;
            self.start_archive(conn, sql, options)
                .map_err(|e| batch_error(e.to_string()))?;
            return self.try_rule_batch(conn, sql, plan, after, options);
        }
        let operation = match &plan.action {
            CleanupAction::Delete => {
                if !sql.deletes_returning() {
                    delete_read_rows(conn, sql, &plan.table_sql(sql), &plan.key, &rows)?;
                }
                Operation::Delete
            }
            CleanupAction::Update { set } => {
                let condition = key_condition(sql, &plan.key, &rows);
                conn.execute_counted(&format!(
                    "UPDATE {} SET {set} WHERE {condition}",
                    plan.table_sql(sql)
                ))?;
                let left = orphans::count_rows(conn, &plan.still_selected(sql, &condition))
                    .map_err(connector)?;
                if left > 0 {
                    return Err(batch_error(format!(
                        "after `SET {set}`, {left} of the batch's rows still match the rule's \
                         `where`: the set must take the rows out of it"
                    )));
                }
                Operation::Update
            }
        };
        let next = rows.last().and_then(|row| plan.last_key(sql, row));
        let change = Change {
            name: &plan.rule.name,
            table: &plan.table,
            operation,
            columns: &plan.columns,
            key: &plan.key,
            changed: &plan.changed_columns(),
        };
        let count = self.commit(conn, sql, &change, &rows)?;
        Ok((count, next))
    }

    /// The end of a batch: its frame appended to the archive and synced, the progress row
    /// updated, `COMMIT`. Returns the batch's rows.
    fn commit(
        &mut self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        change: &Change<'_>,
        rows: &[String],
    ) -> Result<u64, drydock_connector::ScriptError> {
        let restores_columns = change.operation != Operation::Delete;
        let header = BatchHeader {
            batch: self.batches + 1,
            relation: change.name.to_owned(),
            table: change.table.clone(),
            operation: change.operation,
            columns: change
                .columns
                .iter()
                .map(|c| ArchiveColumn {
                    name: c.name.clone(),
                    hex: c.hex,
                })
                .collect(),
            key: if restores_columns {
                change.key.to_vec()
            } else {
                Vec::new()
            },
            nulled: if restores_columns {
                change.changed.to_vec()
            } else {
                Vec::new()
            },
            rows: rows.len() as u64,
        };
        let header = &header;
        let count = rows.len() as u64;
        let id = self.id.clone();
        let bytes = self
            .writer
            .as_mut()
            .ok_or_else(|| batch_error("the batch's archive was not started".to_owned()))?
            .append(header, rows)
            .map_err(|e| batch_error(e.to_string()))?;
        conn.execute_script(&format!(
            "UPDATE {} SET batches = {}, rows_done = {}, archive_bytes = {bytes} WHERE archive = {}",
            self.table,
            self.batches + 1,
            self.rows + count,
            sql.literal(&id)
        ))?;
        conn.execute_script("COMMIT")?;
        self.batches += 1;
        self.rows += count;
        Ok(count)
    }

    /// Name the archive, write its manifest, mark the progress row finished.
    fn finish(
        self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        dialect: &dyn Dialect,
        options: &CleanupOptions,
    ) -> Result<Option<ArchiveOutcome>, CleanupError> {
        let Some(writer) = self.writer else {
            return Ok(None);
        };
        let manifest = ArchiveManifest {
            kind: ARCHIVE_KIND.to_owned(),
            version: ARCHIVE_VERSION,
            id: self.id.clone(),
            provider: dialect.provider().to_owned(),
            database: redact_url(&options.url),
            file: String::new(),
            compression: "zstd".to_owned(),
            stored_size: 0,
            sha256: String::new(),
            batches: 0,
            rows: 0,
            started_at: self.started_at,
            finished_at: Utc::now(),
            relations: Vec::new(),
        };
        let manifest_file = writer.finish(manifest)?;
        conn.execute_script(&format!(
            "UPDATE {} SET finished_at = {} WHERE archive = {}",
            self.table,
            sql.literal(&Utc::now().to_rfc3339()),
            sql.literal(&self.id)
        ))
        .map_err(|e| {
            CleanupError::Connector(drydock_connector::ConnectorError::query(e.message))
        })?;
        let (manifest, _) = crate::archive::load_manifest(&manifest_file)?;
        self.events.info(&format!(
            "archive `{}`: {} rows in {} batches, sha256 {}",
            archive_path(&options.archive_dir, &self.id).display(),
            manifest.rows,
            manifest.batches,
            manifest.sha256
        ));
        Ok(Some(ArchiveOutcome {
            id: self.id,
            file: archive_path(&options.archive_dir, &manifest.id),
            manifest: manifest_file,
            rows: manifest.rows,
            batches: manifest.batches,
            sha256: manifest.sha256,
        }))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreOutcome {
    pub archive: String,
    pub batches: u64,
    /// Rows inserted again.
    pub inserted: u64,
    /// Rows whose references were set back.
    pub relinked: u64,
}

/// Put the rows of the archive `path` back into the database `url`, in one transaction: the
/// deleted rows inserted again (in the order they were deleted, parents of a chain first), the
/// unlinked references set back. The archive is checked against its manifest first.
pub fn restore(
    dialect: &dyn Dialect,
    url: &str,
    path: &Path,
    events: &dyn Events,
) -> Result<RestoreOutcome, CleanupError> {
    let sql = sql_of(dialect)?;
    // Checked whole before the database is touched.
    let manifest = read_archive(path, &mut |_| Ok(()))?;
    let mut conn = dialect.connect(url)?;
    if let Some(relax) = sql.relax_references()
        && let Err(error) = conn.execute_script(relax)
    {
        events.warning(&format!(
            "references stay checked during the restore ({}): rows whose parent is still \
             missing cannot go back",
            error.message
        ));
    }
    let mut outcome = RestoreOutcome {
        archive: manifest.id.clone(),
        batches: 0,
        inserted: 0,
        relinked: 0,
    };
    let failed = |message: String| CleanupError::Restore {
        path: path.to_owned(),
        message,
    };
    conn.execute_script(sql.begin_write())
        .map_err(|e| failed(e.message))?;
    let total = manifest.rows;
    let result = read_archive(path, &mut |batch| {
        let table = sql.table(&batch.header.table);
        match batch.header.operation {
            Operation::Delete => {
                let columns: Vec<ArchivedColumn> = batch
                    .header
                    .columns
                    .iter()
                    .map(|c| ArchivedColumn {
                        name: c.name.clone(),
                        hex: c.hex,
                    })
                    .collect();
                let rows = format!("[{}]", batch.rows.join(","));
                conn.execute_counted(&sql.insert_json_rows(&table, &columns, &sql.literal(&rows)))
                    .map_err(|e| failed(format!("batch {}: {}", batch.header.batch, e.message)))?;
                outcome.inserted += batch.header.rows;
            }
            Operation::SetNull | Operation::Update => {
                for row in &batch.rows {
                    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(row)
                        .map_err(|e| CleanupError::ArchiveCorrupt {
                            path: path.to_owned(),
                            reason: format!("a row does not read ({e})"),
                        })?;
                    let pairs = |names: &[String], joiner: &str| {
                        names
                            .iter()
                            .map(|n| {
                                let value = map.get(n).cloned().unwrap_or_default();
                                format!("{} = {}", sql.quote(n), json_literal(sql, &value))
                            })
                            .collect::<Vec<_>>()
                            .join(joiner)
                    };
                    let changed = conn
                        .execute_counted(&format!(
                            "UPDATE {table} SET {} WHERE {}",
                            pairs(&batch.header.nulled, ", "),
                            pairs(&batch.header.key, " AND ")
                        ))
                        .map_err(|e| {
                            failed(format!("batch {}: {}", batch.header.batch, e.message))
                        })?;
                    if changed != 1 {
                        return Err(failed(format!(
                            "batch {}: the row {} is no longer there",
                            batch.header.batch,
                            describe_key(row)
                        )));
                    }
                    outcome.relinked += 1;
                }
            }
        }
        outcome.batches += 1;
        events.event(Event::Progress {
            step: "restore".to_owned(),
            done: outcome.inserted + outcome.relinked,
            total: Some(total),
        });
        Ok(())
    });
    if let Err(error) = result {
        let _ = conn.abort_open_transaction();
        return Err(error);
    }
    conn.execute_script("COMMIT")
        .map_err(|e| failed(e.message))?;
    events.event(Event::Counts {
        examined: total,
        affected: outcome.inserted + outcome.relinked,
    });
    Ok(outcome)
}

/// Deletes the rows a batch read whole and locked (`rows`, JSON objects holding `key`'s
/// columns) from `table`, where [`CleanupSql::deletes_returning`] is false. The rows are
/// locked, so each is there to delete; any other count stops the batch, whose transaction
/// then rolls back with nothing archived.
fn delete_read_rows(
    conn: &mut dyn Connection,
    sql: &dyn CleanupSql,
    table: &str,
    key: &[String],
    rows: &[String],
) -> Result<(), drydock_connector::ScriptError> {
    let deleted = conn.execute_counted(&format!(
        "DELETE FROM {table} WHERE {}",
        key_condition(sql, key, rows)
    ))?;
    if deleted != rows.len() as u64 {
        return Err(batch_error(format!(
            "the batch read {} rows and deleted {deleted}: the table changed under it; \
             nothing of the batch was kept, run the cleanup again",
            rows.len()
        )));
    }
    Ok(())
}

/// What stops a batch that is not the database's doing (the archive, a rule's `SET`).
fn batch_error(message: String) -> drydock_connector::ScriptError {
    drydock_connector::ScriptError {
        message,
        db_code: None,
        position: None,
        statements_done: None,
    }
}

/// The rows `rows` (JSON objects holding `key`'s columns) as an SQL condition on `key`.
fn key_condition(sql: &dyn CleanupSql, key: &[String], rows: &[String]) -> String {
    let mut matches = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(rows.len());
    for row in rows {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(row).unwrap_or_default();
        let each: Vec<String> = key
            .iter()
            .map(|k| {
                let value = json_literal(sql, &map.get(k).cloned().unwrap_or_default());
                values.push(value.clone());
                format!("{} = {value}", sql.quote(k))
            })
            .collect();
        matches.push(each.join(" AND "));
    }
    if key.len() == 1 {
        format!("{} IN ({})", sql.quote(&key[0]), values.join(", "))
    } else {
        format!("({})", matches.join(") OR ("))
    }
}
