//! `drydock cleanup`: the orphans of every relation, counted (a dry run), or archived and then
//! deleted or unlinked as the relation's `onDelete` says (`--apply`), in batches that each
//! commit with their progress row, parents before children, until no relation has orphans left.
//! `restore` puts an archive's rows back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use drydock_connector::{
    ArchivedColumn, CLEANUP_TABLE, CleanupSql, Connection, Dialect, Interrupt, SessionLimits,
    redact_url,
};
use drydock_schema::{ReferentialAction, Relation};
use drydock_tasks::{Event, Events};
use serde::Serialize;

use crate::archive::{
    ARCHIVE_KIND, ARCHIVE_VERSION, ArchiveColumn, ArchiveManifest, ArchiveWriter, BatchHeader,
    Operation, archive_path, manifest_path, partial_path, read_archive,
};
use crate::cleanup_error::CleanupError;
use crate::finding::Finding;
use crate::orphans::{self, OrphanCount, RelationPlan, describe_key, json_literal};

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
}

#[derive(Debug, Clone)]
pub struct CleanupOptions {
    /// The database, as the user gave it (never shown unredacted).
    pub url: String,
    /// Namespaces to read tables from (empty: the URL's).
    pub namespaces: Vec<String>,
    /// The datamodel's relations ([`drydock_schema::Relation`], from lowering).
    pub relations: Vec<Relation>,
    /// Relations (`Model.field`) or child tables to look at; empty: all.
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
    /// A finding per relation with orphans (at the start) and per relation not searchable.
    pub findings: Vec<Finding>,
    /// Orphans counted at the start, all relations.
    pub examined: u64,
    /// Rows deleted or unlinked, this run and the interrupted run it resumed.
    pub affected: u64,
    pub archive: Option<ArchiveOutcome>,
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

fn selected(relations: &[Relation], only: &[String]) -> Result<Vec<Relation>, CleanupError> {
    if only.is_empty() {
        return Ok(relations.to_vec());
    }
    for wanted in only {
        if !relations
            .iter()
            .any(|r| &r.name == wanted || &r.table.name == wanted)
        {
            let names: Vec<&str> = relations.iter().map(|r| r.name.as_str()).collect();
            return Err(CleanupError::Usage(format!(
                "`--only {wanted}` names no relation of the schema; its relations are: {}",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )));
        }
    }
    Ok(relations
        .iter()
        .filter(|r| only.iter().any(|w| w == &r.name || w == &r.table.name))
        .cloned()
        .collect())
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
    let relations = selected(&options.relations, &options.only)?;
    let mut conn = dialect.connect(&options.url)?;
    let schema = conn.introspect(&options.namespaces)?;
    let (plans, mut findings) = orphans::plan(sql, &schema, &relations);
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
    let examined = outcomes.iter().map(|o| o.orphans.orphans).sum();
    events.event(Event::Counts {
        examined,
        affected: 0,
    });
    let mut outcome = CleanupOutcome {
        applied: options.apply,
        resumed: None,
        relations: outcomes,
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
    let result = run.passes(conn.as_mut(), sql, dialect, &plans, options, &mut outcome);
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

/// The bookkeeping of one `--apply`: its progress row and archive.
struct Run<'e> {
    id: String,
    resumed: bool,
    started_at: chrono::DateTime<Utc>,
    /// Started by the first batch that finds rows.
    writer: Option<ArchiveWriter>,
    batches: u64,
    rows: u64,
    events: &'e dyn Events,
}

fn progress_table(sql: &dyn CleanupSql) -> String {
    sql.quote(CLEANUP_TABLE)
}

/// A failure of the archive as the failure of a batch.
fn script_error(message: String) -> drydock_connector::ScriptError {
    drydock_connector::ScriptError {
        message,
        db_code: None,
        position: None,
        statements_done: None,
    }
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
        let table = progress_table(sql);
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
            progress_table(sql),
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
                loop {
                    if options.interrupt.is_triggered() {
                        return Err(self.interrupted(options));
                    }
                    let done = self.batch(conn, sql, dialect, plan, action, options)?;
                    if done == 0 {
                        break;
                    }
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

    /// One batch in its own transaction: its rows changed, archived (synced) and counted in the
    /// progress row, committed together. Returns the rows changed; 0 when none were left.
    fn batch(
        &mut self,
        conn: &mut dyn Connection,
        sql: &dyn CleanupSql,
        dialect: &dyn Dialect,
        plan: &RelationPlan,
        action: OrphanAction,
        options: &CleanupOptions,
    ) -> Result<u64, CleanupError> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.try_batch(conn, sql, plan, action, options) {
                Ok(rows) => return Ok(rows),
                Err(error) => {
                    let _ = conn.abort_open_transaction();
                    if options.interrupt.is_triggered() {
                        return Err(self.interrupted(options));
                    }
                    let lock_timeout = dialect.is_lock_timeout(&error);
                    if lock_timeout && tries < LOCK_TRIES {
                        self.events.warning(&format!(
                            "{}: a batch gave up waiting for a lock; trying again",
                            plan.relation.name
                        ));
                        std::thread::sleep(Duration::from_millis(200 * u64::from(tries)));
                        continue;
                    }
                    return Err(CleanupError::Batch {
                        relation: plan.relation.name.clone(),
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
        options: &CleanupOptions,
    ) -> Result<u64, drydock_connector::ScriptError> {
        let connector = drydock_connector::ScriptError::from_connector;
        let limit = options.batch_size.max(1);
        conn.execute_script(sql.begin_write())?;
        let (rows, columns, operation) = match action {
            OrphanAction::Delete => {
                let rows = conn
                    .query_texts(&plan.delete_batch(sql, limit))
                    .map_err(connector)?;
                (rows, plan.columns.clone(), Operation::Delete)
            }
            OrphanAction::SetNull => {
                let columns = plan.set_null_columns();
                let rows = conn
                    .query_texts(&plan.set_null_select(sql, limit))
                    .map_err(connector)?;
                (rows, columns, Operation::SetNull)
            }
        };
        let rows: Vec<String> = rows.into_iter().flatten().collect();
        if rows.is_empty() {
            conn.execute_script("ROLLBACK")?;
            return Ok(0);
        }
        if self.writer.is_none() {
            // The first batch that finds rows: undone, the archive started outside its
            // transaction, then run again.
            conn.execute_script("ROLLBACK")?;
            self.start_archive(conn, sql, options)
                .map_err(|e| script_error(e.to_string()))?;
            return self.try_batch(conn, sql, plan, action, options);
        }
        if action == OrphanAction::SetNull {
            let mut matches = Vec::with_capacity(rows.len());
            for row in &rows {
                let map: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(row).unwrap_or_default();
                let each: Vec<String> = plan
                    .key
                    .iter()
                    .map(|k| {
                        let value = map.get(k).cloned().unwrap_or_default();
                        format!("{} = {}", sql.quote(k), json_literal(sql, &value))
                    })
                    .collect();
                matches.push(each.join(" AND "));
            }
            let set: Vec<String> = plan
                .relation
                .columns
                .iter()
                .map(|c| format!("{} = NULL", sql.quote(c)))
                .collect();
            let condition = if plan.key.len() == 1 {
                let values: Vec<&str> = matches
                    .iter()
                    .filter_map(|m| m.split_once(" = ").map(|(_, v)| v))
                    .collect();
                format!("{} IN ({})", sql.quote(&plan.key[0]), values.join(", "))
            } else {
                format!("({})", matches.join(") OR ("))
            };
            conn.execute_counted(&format!(
                "UPDATE {} SET {} WHERE {condition}",
                plan.child(sql),
                set.join(", ")
            ))?;
        }
        let header = BatchHeader {
            batch: self.batches + 1,
            relation: plan.relation.name.clone(),
            table: plan.relation.table.clone(),
            operation,
            columns: columns
                .iter()
                .map(|c: &ArchivedColumn| ArchiveColumn {
                    name: c.name.clone(),
                    hex: c.hex,
                })
                .collect(),
            key: if operation == Operation::SetNull {
                plan.key.clone()
            } else {
                Vec::new()
            },
            nulled: if operation == Operation::SetNull {
                plan.relation.columns.clone()
            } else {
                Vec::new()
            },
            rows: rows.len() as u64,
        };
        let count = rows.len() as u64;
        let id = self.id.clone();
        let bytes = self
            .writer
            .as_mut()
            .expect("started above")
            .append(&header, &rows)
            .map_err(|e| script_error(e.to_string()))?;
        conn.execute_script(&format!(
            "UPDATE {} SET batches = {}, rows_done = {}, archive_bytes = {bytes} WHERE archive = {}",
            progress_table(sql),
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
            progress_table(sql),
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
            Operation::SetNull => {
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
