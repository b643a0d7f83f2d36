//! The exact undo of the statements a migration that failed halfway completed, computed
//! without its `down.sql` (which undoes the whole migration, statements that never ran too):
//! on a shadow database, the migrations applied before it give `before`, its completed
//! statements then give `partial`, and the differ's script from `partial` to `before` is the
//! undo. It is checked there: after it the shadow database is `before` again.

use drydock_connector::HistoryRow;
use drydock_connector::sql_scan;
use drydock_migrate::{FailedRun, LocalMigration};

use crate::{EngineError, Project};

/// The undo of a failed run's completed statements, checked on a shadow database.
#[derive(Debug, Clone)]
pub(crate) struct UndoPlan {
    /// Empty when the completed statements changed no schema object.
    pub script: String,
    /// What the script loses (the differ's data-loss warnings).
    pub data_loss: Vec<String>,
    /// Completed statements that change rows, which a schema's undo leaves as they are.
    pub row_changes: Vec<usize>,
}

/// Statements that write rows rather than schema objects start with one of these.
const ROW_WRITES: [&str; 5] = ["INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE"];

/// Plan the undo of `run`'s completed statements on a shadow database next to `url`.
pub(crate) fn plan_undo(
    project: &Project,
    url: &str,
    history: &[HistoryRow],
    local: &[LocalMigration],
    run: &FailedRun,
) -> Result<UndoPlan, EngineError> {
    let dialect = project.dialect;
    let rules = dialect.lexical_rules();
    let done = run.done_statements();
    let row_changes = done
        .iter()
        .enumerate()
        .filter(|(_, statement)| {
            sql_scan::statements(statement, rules)
                .iter()
                .any(|scanned| {
                    scanned
                        .words
                        .first()
                        .is_some_and(|word| ROW_WRITES.contains(&word.as_str()))
                })
        })
        .map(|(index, _)| index + 1)
        .collect();
    if done.is_empty() {
        return Ok(UndoPlan {
            script: String::new(),
            data_loss: Vec::new(),
            row_changes,
        });
    }
    let name = &run.migration.name;
    // The database before it: the migrations its history applied, in the folder's order.
    let applied: Vec<LocalMigration> = local
        .iter()
        .filter(|migration| {
            history
                .iter()
                .any(|row| row.migration_name == migration.name && row.is_applied())
        })
        .cloned()
        .collect();
    let namespaces = project.namespaces();
    let shadow_url = project.shadow_url()?;
    let not_exact = |reason: String| EngineError::UndoNotExact {
        name: name.clone(),
        reason,
    };
    crate::source::with_replayed_shadow(
        dialect,
        &applied,
        url,
        shadow_url.as_deref(),
        &namespaces,
        |shadow, before| {
            for (index, statement) in done.iter().enumerate() {
                crate::migrate_dev::run_script(dialect, shadow, statement).map_err(|e| {
                    EngineError::ShadowReplay {
                        migration: format!("{name} (statement {})", index + 1),
                        message: e.message,
                    }
                })?;
            }
            let partial = shadow.introspect(&namespaces)?;
            let diff = drydock_diff::diff(&partial, &before, dialect.diff_hooks());
            let script = crate::drift::drift_script(dialect, &partial, &before, &diff);
            crate::migrate_dev::run_script(dialect, shadow, &script).map_err(|e| {
                not_exact(format!(
                    "the undo script fails on the shadow database: {}",
                    e.message
                ))
            })?;
            let after = shadow.introspect(&namespaces)?;
            let left = drydock_diff::diff(&before, &after, dialect.diff_hooks());
            if !left.is_empty() {
                return Err(not_exact(format!(
                    "after the undo script the shadow database still differs from its state \
                     before the migration:\n{}",
                    crate::describe_drift(&left.changes).join("\n")
                )));
            }
            let opaque = drydock_diff::compare_opaque(&before, &after);
            if !opaque.is_empty() {
                let names: Vec<String> = opaque.iter().map(|d| format!("`{}`", d.name)).collect();
                return Err(not_exact(format!(
                    "after the undo script these objects differ from their state before the \
                     migration: {}",
                    names.join(", ")
                )));
            }
            let has_changes = !diff.changes.is_empty()
                || !drydock_diff::compare_opaque(&partial, &before).is_empty();
            Ok(UndoPlan {
                script: if has_changes { script } else { String::new() },
                data_loss: diff
                    .warnings
                    .iter()
                    .filter(|warning| warning.is_data_loss())
                    .map(|warning| format!("{} [{}]", warning.message, warning.code()))
                    .collect(),
                row_changes,
            })
        },
    )
}
