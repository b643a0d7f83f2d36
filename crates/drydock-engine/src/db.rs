//! `db push` (sync the schema to the database without migrations) and `db execute` (run a
//! script, recorded nowhere). Both run their SQL in one transaction unless it cannot be.

use std::path::Path;

use drydock_connector::{Connection, Dialect, ScriptError, Warning, sql_scan};
use serde::Serialize;

use crate::{EngineError, Project};

#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// Apply changes that lose data without asking.
    pub accept_data_loss: bool,
    /// Drop everything first, then create the schema from scratch.
    pub force_reset: bool,
    /// Overrides the datasource URL.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PushOutcome {
    pub database_created: bool,
    pub reset: bool,
    /// Steps applied; 0 when the database already matched the schema.
    pub steps: usize,
    pub warnings: Vec<Warning>,
}

/// Make the database match the schema, without writing or recording migrations.
pub fn db_push(
    project: &Project,
    options: &PushOptions,
    consent: &mut dyn FnMut(&[Warning]) -> bool,
) -> Result<PushOutcome, EngineError> {
    let dialect = project.dialect;
    let url = project.migration_url(options.url.as_deref())?;
    let database_created = dialect.create_database(&url)?;
    let mut connection = dialect.connect(&url)?;
    if options.force_reset {
        connection.reset()?;
    }
    let live = connection.introspect(&project.namespaces())?;
    let target = project.target_schema(Some(&url))?;
    let diff = drydock_diff::diff(&live, &target, dialect.diff_hooks());
    let mut outcome = PushOutcome {
        database_created,
        reset: options.force_reset,
        steps: diff.changes.len(),
        warnings: diff.warnings.clone(),
    };
    if diff.is_empty() {
        return Ok(outcome);
    }
    if diff.warnings.iter().any(Warning::is_data_loss)
        && !options.accept_data_loss
        && !consent(&diff.warnings)
    {
        return Err(EngineError::DataLossNotAccepted {
            warnings: diff
                .warnings
                .iter()
                .map(|w| format!("  - [{}] {}", w.code(), w.message))
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    let script = drydock_connector::render_script(dialect, &diff.changes, &[]);
    execute_atomically(dialect, connection.as_mut(), &script).map_err(|e| EngineError::Script {
        what: "db push".to_owned(),
        message: e.message,
    })?;
    outcome.steps = diff.changes.len();
    Ok(outcome)
}

#[derive(Debug, Clone, Serialize)]
pub struct ExecuteOutcome {
    /// Why the script ran outside a transaction, when it did.
    pub non_transactional_reason: Option<String>,
}

/// Run `script` against `url`, in one transaction unless it cannot be. Nothing is recorded in
/// the history.
pub fn db_execute(
    dialect: &dyn Dialect,
    url: &str,
    script: &str,
) -> Result<ExecuteOutcome, EngineError> {
    db_execute_file(dialect, url, script, None)
}

/// [`db_execute`] of the text of `file`, which its errors name (`file:line:column`).
pub fn db_execute_file(
    dialect: &dyn Dialect,
    url: &str,
    script: &str,
    file: Option<&Path>,
) -> Result<ExecuteOutcome, EngineError> {
    let mut connection = dialect.connect(url)?;
    let non_transactional_reason = transaction_blocker(dialect, script);
    execute_atomically(dialect, connection.as_mut(), script).map_err(|e| {
        let place = file
            .map(|f| format!("{}:", f.display()))
            .unwrap_or_default();
        let position = e
            .position
            .map(|p| format!(" (at {place}{})", line_col(script, p)))
            .unwrap_or_default();
        EngineError::Script {
            what: file.map_or_else(|| "the script".to_owned(), |f| format!("`{}`", f.display())),
            message: format!("{}{position}", e.message),
        }
    })?;
    Ok(ExecuteOutcome {
        non_transactional_reason,
    })
}

fn transaction_blocker(dialect: &dyn Dialect, script: &str) -> Option<String> {
    if dialect.capabilities().transactional_ddl {
        dialect.needs_no_transaction(script)
    } else {
        Some("the database does not run DDL in transactions".to_owned())
    }
}

/// `line:column` (1-based) of a byte offset.
fn line_col(script: &str, offset: usize) -> String {
    let offset = offset.min(script.len());
    let before = script.get(..offset).unwrap_or(script);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{line}:{column}")
}

const BEGIN: &str = "BEGIN;\n";

/// Run `script` in one transaction (all or nothing), or statement by statement when it cannot
/// run in one. Error positions are offsets in `script`.
pub(crate) fn execute_atomically(
    dialect: &dyn Dialect,
    connection: &mut dyn Connection,
    script: &str,
) -> Result<(), ScriptError> {
    if transaction_blocker(dialect, script).is_some() {
        // Nothing rolls back here: a script that does not end where it seems to (its end
        // swallowed by a comment or string) is refused before its first statement runs.
        if let Some(at) = sql_scan::unclosed_at(script, dialect.lexical_rules()) {
            return Err(ScriptError {
                message: "the script does not end cleanly (an unterminated comment or \
                          string?), so nothing was run"
                    .to_owned(),
                db_code: None,
                position: Some(at),
                statements_done: None,
            });
        }
        for range in dialect.split_statements(script) {
            let statement = &script[range.clone()];
            connection.execute_script(statement).map_err(|mut e| {
                e.position = Some(e.position.map_or(range.start, |p| p + range.start));
                e
            })?;
        }
        return Ok(());
    }
    let wrapped = format!("{BEGIN}{script}\n;COMMIT;");
    match connection.execute_script(&wrapped) {
        Ok(()) => {
            // A script that swallowed the COMMIT (an unterminated comment, say) leaves the
            // transaction open: roll it back and say so rather than half-apply.
            if connection
                .abort_open_transaction()
                .map_err(ScriptError::from_connector)?
            {
                return Err(ScriptError {
                    message: "the script does not end cleanly (an unterminated comment or \
                              string?), so it was rolled back"
                        .to_owned(),
                    db_code: None,
                    position: None,
                    statements_done: None,
                });
            }
            Ok(())
        }
        Err(mut error) => {
            let _ = connection.abort_open_transaction();
            error.position = error.position.and_then(|p| p.checked_sub(BEGIN.len()));
            Err(error)
        }
    }
}
