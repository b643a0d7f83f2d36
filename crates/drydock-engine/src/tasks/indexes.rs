//! The `drydock indexes` task: read index facts from the database (and replicas), turn them
//! into advice, and each remedy into a schema edit (`@@index` added or removed) plus a
//! migration of one statement that applies it without blocking writes. Written only when
//! asked; the database itself is never changed.

use std::path::{Path, PathBuf};

use crate::{Project, SchemaError};
use chrono::{DateTime, Utc};
use drydock_connector::{
    ConnectorError, IndexFacts, IndexFactsRequest, QueryStats, SuggestedIndex,
};
use drydock_diff::Change;
use drydock_migrate::MigrateError;
use drydock_psl::{Datamodel, Files};
use drydock_schema::{Index, IndexKind, ObjectName};
use drydock_tasks::Events;
use serde::Serialize;

use drydock_maintenance::Finding;
use drydock_maintenance::indexes::{Advice, IndexAction, Thresholds, analyze};

/// What `drydock indexes` is asked.
#[derive(Debug, Clone)]
pub struct IndexesOptions {
    /// The database (`None`: the project's URL).
    pub url: Option<String>,
    /// Replicas whose index use counts too: an index used on one is not unused.
    pub replicas: Vec<String>,
    pub thresholds: Thresholds,
    pub slow_query_ms: f64,
    pub slow_query_calls: u64,
    /// Write the schema edit and the migrations (otherwise only propose them).
    pub write: bool,
    /// The time the migration folders are named after.
    pub now: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexesError {
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error("can't write `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A schema file before and after the edit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaFileChange {
    pub path: PathBuf,
    #[serde(skip)]
    pub before: String,
    #[serde(skip)]
    pub after: String,
    /// The edit as a unified diff.
    pub diff: String,
}

/// A migration applying one remedy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedMigration {
    /// The folder name, as `migrate dev` names folders.
    pub name: String,
    pub path: PathBuf,
    pub sql: String,
    /// The finding it answers.
    pub code: String,
}

/// What `drydock indexes` found and proposes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexesReport {
    pub findings: Vec<Finding>,
    pub stats_since: Option<String>,
    pub query_stats: QueryStats,
    /// The indexes slow statements call for, with the planner's costs without and with them.
    pub suggestions: Vec<SuggestedIndex>,
    pub schema_changes: Vec<SchemaFileChange>,
    pub migrations: Vec<ProposedMigration>,
    /// Remedies that could not become a schema edit (why, per finding code and object).
    pub left_out: Vec<String>,
    pub written: bool,
}

impl IndexesReport {
    /// The findings with their details and fixes, what was not proposed and why, then the
    /// schema edit and migrations proposed (or written): what `drydock indexes` prints and the
    /// server's log of the task shows.
    pub fn render_text(&self) -> String {
        let report = self;
        let mut out = String::new();
        if report.findings.is_empty() {
            out.push_str("No index findings.\n");
        }
        for finding in &report.findings {
            out.push_str(&format!(
                "{} {} {}\n",
                finding.severity.as_str(),
                finding.code,
                finding.title
            ));
            if let Some(detail) = &finding.detail {
                out.push_str(&format!("    {detail}\n"));
            }
            if let Some(fix) = &finding.fix {
                out.push_str(&format!("    fix: {fix}\n"));
            }
        }
        for why in &report.left_out {
            out.push_str(&format!("not proposed: {why}\n"));
        }
        if report.migrations.is_empty() {
            return out;
        }
        let verb = if report.written {
            "Edited"
        } else {
            "Proposed schema change"
        };
        for change in &report.schema_changes {
            out.push_str(&format!(
                "\n{verb} {}:\n{}",
                change.path.display(),
                change.diff
            ));
        }
        for migration in &report.migrations {
            out.push_str(&format!(
                "\n{} {}:\n{}",
                if report.written {
                    "Wrote"
                } else {
                    "Proposed migration"
                },
                migration.path.display(),
                migration.sql
            ));
        }
        out
    }
}

/// The index facts of the database `url` reaches, or in words why it has none.
fn read_index_facts(
    dialect: &dyn drydock_connector::Dialect,
    url: &str,
    request: &IndexFactsRequest,
) -> Result<IndexFacts, ConnectorError> {
    let mut conn = dialect.connect(url)?;
    let facts = conn
        .maintenance()
        .ok_or_else(|| ConnectorError::query("index advice is not available for this database"))?;
    facts.index_facts(request)
}

/// Run `drydock indexes` on `project`.
pub fn indexes(
    project: &Project,
    options: &IndexesOptions,
    events: &dyn Events,
) -> Result<IndexesReport, IndexesError> {
    let url = project.migration_url(options.url.as_deref())?;
    let request = IndexFactsRequest {
        namespaces: project.namespaces(),
        slow_query_ms: options.slow_query_ms,
        slow_query_calls: options.slow_query_calls,
    };
    let dialect = project.dialect;
    let facts = read_index_facts(dialect, &url, &request)?;
    let indexes = match facts.indexes.len() {
        1 => "1 index".to_owned(),
        count => format!("{count} indexes"),
    };
    events.info(&format!(
        "read {indexes} and {}",
        super::plural(facts.foreign_keys.len(), "foreign key")
    ));
    if let QueryStats::Unavailable { reason } = &facts.query_stats {
        events.info(&format!("no index suggestions from statements: {reason}"));
    }
    let mut replicas = Vec::new();
    for replica in &options.replicas {
        let replica_facts = read_index_facts(dialect, replica, &request)?;
        events.info(&format!(
            "read index use on replica {}",
            drydock_connector::redact_url(replica)
        ));
        replicas.push(replica_facts);
    }
    let advice = analyze(&facts, &replicas, &options.thresholds);
    let plan = plan_changes(project, &facts, &advice, options.now)?;
    events.event(drydock_tasks::Event::Counts {
        examined: facts.indexes.len() as u64,
        affected: if options.write {
            plan.migrations.len() as u64
        } else {
            0
        },
    });
    if options.write {
        write_plan(project, &plan)?;
        for change in &plan.schema_changes {
            events.info(&format!("edited {}", change.path.display()));
        }
        for migration in &plan.migrations {
            events.info(&format!("wrote {}", migration.path.display()));
        }
    }
    Ok(IndexesReport {
        findings: advice.into_iter().map(|a| a.finding).collect(),
        stats_since: facts.stats_since,
        query_stats: facts.query_stats,
        suggestions: facts.suggestions,
        schema_changes: plan.schema_changes,
        migrations: plan.migrations,
        left_out: plan.left_out,
        written: options.write,
    })
}

struct Plan {
    schema_changes: Vec<SchemaFileChange>,
    migrations: Vec<ProposedMigration>,
    left_out: Vec<String>,
}

/// The schema's files with `text` in place of file `id`.
fn replace_file(files: &Files, id: drydock_psl::FileId, text: &str) -> Files {
    let mut out = Files::new();
    for (file_id, file) in files.iter() {
        if file_id == id {
            out.add(file.name.clone(), text.to_owned());
        } else {
            out.add(file.name.clone(), file.text.clone());
        }
    }
    out
}

fn parse(files: &Files) -> Datamodel {
    drydock_psl::parse_and_validate(files).0
}

fn plan_changes(
    project: &Project,
    facts: &IndexFacts,
    advice: &[Advice],
    now: DateTime<Utc>,
) -> Result<Plan, IndexesError> {
    let dialect = project.dialect;
    let rules = dialect.lowering_rules();
    let mut files = project.files.clone();
    let mut datamodel = parse(&files);
    let mut existing: Vec<String> = drydock_migrate::list_migrations(&project.migrations_dir)
        .map(|list| list.into_iter().map(|m| m.name).collect())
        .unwrap_or_default();
    let mut migrations = Vec::new();
    let mut left_out = Vec::new();
    for item in advice {
        let Some(action) = &item.action else {
            continue;
        };
        let (change, slug) =
            match action {
                IndexAction::Create {
                    namespace,
                    table,
                    columns,
                } => {
                    let Some(edit) = drydock_psl::add_index(
                        &files,
                        &datamodel,
                        namespace.as_deref(),
                        table,
                        columns,
                    ) else {
                        left_out.push(format!(
                            "{}: no model of the schema maps table {table} with fields for ({})",
                            item.finding.code,
                            columns.join(", ")
                        ));
                        continue;
                    };
                    let edited = replace_file(&files, edit.file, &edit.text);
                    let edited_model = parse(&edited);
                    let (lowered, _) = drydock_psl::lower(&edited_model, rules);
                    let Some(index) = lowered
                        .tables
                        .iter()
                        .filter(|t| t.name == *table)
                        .flat_map(|t| t.indexes.iter())
                        .find(|index| {
                            index.kind == IndexKind::Normal
                                && index.columns.iter().map(|c| &c.name).eq(columns.iter())
                        })
                        .cloned()
                    else {
                        left_out.push(format!(
                            "{}: the edited schema has no index on {table} ({})",
                            item.finding.code,
                            columns.join(", ")
                        ));
                        continue;
                    };
                    files = edited;
                    datamodel = edited_model;
                    let slug = format!("add_index_{}", index.name);
                    (
                        Change::CreateIndex {
                            table: ObjectName {
                                namespace: namespace.clone(),
                                name: table.clone(),
                            },
                            index,
                        },
                        slug,
                    )
                }
                IndexAction::Drop {
                    namespace,
                    table,
                    name,
                } => {
                    if let Some(edit) = drydock_psl::remove_index(
                        &files,
                        &datamodel,
                        namespace.as_deref(),
                        table,
                        name,
                        rules.max_identifier_length(),
                    ) {
                        files = replace_file(&files, edit.file, &edit.text);
                        datamodel = parse(&files);
                    }
                    let Some(fact) = facts.indexes.iter().find(|i| {
                        i.namespace == *namespace && i.table == *table && i.name == *name
                    }) else {
                        continue;
                    };
                    (
                        Change::DropIndex {
                            table: ObjectName {
                                namespace: namespace.clone(),
                                name: table.clone(),
                            },
                            index: Index {
                                name: fact.name.clone(),
                                kind: IndexKind::Normal,
                                columns: Vec::new(),
                                algorithm: None,
                                predicate: fact.predicate.clone(),
                                include: Vec::new(),
                                constraint_backed: false,
                            },
                        },
                        format!("drop_index_{name}"),
                    )
                }
            };
        let header = match change {
            Change::CreateIndex { .. } => "-- CreateIndex",
            _ => "-- DropIndex",
        };
        let sql = format!(
            "{header}\n{}\n",
            dialect.render_index_online(&change).trim_end()
        );
        let folder = drydock_migrate::new_migration_folder_name(&existing, &slug, now)?;
        existing.push(folder.clone());
        migrations.push(ProposedMigration {
            path: project.migrations_dir.join(&folder),
            name: folder,
            sql,
            code: item.finding.code.clone(),
        });
    }
    let mut schema_changes = Vec::new();
    for ((_, before), (_, after)) in project.files.iter().zip(files.iter()) {
        if before.text != after.text {
            let diff = similar::TextDiff::from_lines(&before.text, &after.text)
                .unified_diff()
                .context_radius(3)
                .header(&before.name, &after.name)
                .to_string();
            schema_changes.push(SchemaFileChange {
                path: PathBuf::from(&before.name),
                before: before.text.clone(),
                after: after.text.clone(),
                diff,
            });
        }
    }
    Ok(Plan {
        schema_changes,
        migrations,
        left_out,
    })
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> IndexesError + '_ {
    move |source| IndexesError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Write `contents` to `path` whole: to a hidden file beside it, synced, then renamed.
fn write_whole(path: &Path, contents: &str) -> Result<(), IndexesError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = path.with_file_name(format!(".{file_name}.drydock-writing"));
    let mut out = std::fs::File::create(&staging).map_err(io_error(&staging))?;
    std::io::Write::write_all(&mut out, contents.as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(io_error(&staging))?;
    std::fs::rename(&staging, path).map_err(io_error(path))
}

fn write_plan(project: &Project, plan: &Plan) -> Result<(), IndexesError> {
    if !plan.migrations.is_empty() {
        std::fs::create_dir_all(&project.migrations_dir)
            .map_err(io_error(&project.migrations_dir))?;
        if drydock_migrate::read_lock_file(&project.migrations_dir)
            .ok()
            .flatten()
            .is_none()
        {
            drydock_migrate::write_lock_file(&project.migrations_dir, project.dialect.provider())?;
        }
    }
    for migration in &plan.migrations {
        // The folder appears complete or not at all: deploy never sees a half-written one.
        let staging = project.migrations_dir.join(format!(
            "{}{}",
            drydock_migrate::STAGING_PREFIX,
            migration.name
        ));
        std::fs::create_dir_all(&staging).map_err(io_error(&staging))?;
        write_whole(
            &staging.join(drydock_migrate::MIGRATION_FILE_NAME),
            &migration.sql,
        )?;
        std::fs::rename(&staging, &migration.path).map_err(io_error(&migration.path))?;
    }
    if !plan.migrations.is_empty() {
        crate::conflicts::refresh_integrity_file(project, false)?;
    }
    for change in &plan.schema_changes {
        write_whole(&change.path, &change.after)?;
    }
    Ok(())
}
