//! Errors of the migrations folder and the history protocol. Every variant has a stable code
//! (Prisma's where Prisma has one, `D3xxx` otherwise) and a message that says what is wrong and
//! what to do next.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use drydock_connector::ConnectorError;
use serde::Serialize;

/// A migration whose history row is started but neither finished nor rolled back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedMigration {
    pub name: String,
    pub started_at: DateTime<Utc>,
    /// What the failing run recorded (the database error, the position, what already ran).
    pub logs: Option<String>,
    /// Statements that completed outside a transaction before the failure (the row's
    /// `applied_steps_count`); they stay applied.
    pub statements_completed: u32,
}

impl FailedMigration {
    /// What to do about it: undo what stays applied and resolve it as rolled back, or finish
    /// it by hand and resolve it as applied.
    pub fn advice(&self) -> String {
        crate::apply::recovery_advice(&self.name, self.statements_completed)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Backfill(#[from] crate::backfill::BackfillError),

    #[error(
        "the database schema is not empty and has no `_prisma_migrations` table, so drydock \
         cannot tell which migrations it already contains. Baseline it: run `drydock migrate \
         baseline` to write the first migration from the database and mark it applied; or, if \
         the first migration{first} already describes the existing schema, run `drydock migrate \
         resolve --applied {name}`. Then deploy again",
        first = first_migration.as_deref().map(|n| format!(" `{n}`")).unwrap_or_default(),
        name = first_migration.as_deref().unwrap_or("<first migration>")
    )]
    NonEmptySchema { first_migration: Option<String> },

    #[error(
        "the migration `{name}` is already recorded as applied in the database; there is \
         nothing to resolve"
    )]
    AlreadyApplied { name: String },

    #[error(
        "found failed migrations in the target database, new migrations will not be \
         applied.{details}\nRead more: https://pris.ly/d/migrate-resolve",
        details = render_failed(failed)
    )]
    FailedMigrations { failed: Vec<FailedMigration> },

    #[error(
        "the migration name `{name}` is too long: it has {bytes} bytes and must not be longer \
         than 200. Choose a shorter name"
    )]
    NameTooLong { name: String, bytes: usize },

    #[error(
        "migration `{name}` cannot be rolled back because it was never applied to the database. \
         Pass the whole folder name (e.g. `20201207184859_initial_migration`)"
    )]
    RollBackNeverApplied { name: String },

    #[error(
        "migration `{name}` cannot be rolled back because it is not in a failed state; only \
         failed migrations can be marked as rolled back"
    )]
    RollBackNotFailed { name: String },

    #[error(
        "the migration folder `{}` has no `migration.sql`. Add the file, or remove the folder \
         if it is not a migration", folder.display()
    )]
    MigrationFileMissing { folder: PathBuf },

    #[error(
        "migration `{name}` was not found in `{}`. Pass the name of one of its folders (e.g. \
         `20201207184859_initial_migration`)", dir.display()
    )]
    MigrationNotFound { name: String, dir: PathBuf },

    /// `logs` starts with "Migration `<name>` failed to apply.".
    #[error(
        "{logs}\nNew migrations cannot be applied before the error is recovered from. \
         {next_steps}"
    )]
    MigrationFailed {
        name: String,
        /// The database's own error code (SQLSTATE on PostgreSQL).
        db_code: Option<String>,
        /// The text recorded in the history row (or that would have been, see `next_steps`).
        logs: String,
        /// What the user should do now; depends on how the migration was run.
        next_steps: String,
    },

    #[error(
        "the migrations in `{}` were written for `{locked}` (see migration_lock.toml), but the \
         database is `{current}`. Migrations cannot be moved between providers: start a new \
         migrations folder for `{current}`, or point drydock at a `{locked}` database",
        dir.display()
    )]
    ProviderMismatch {
        dir: PathBuf,
        locked: String,
        current: String,
    },

    #[error("{context} `{}`: {source}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "`{}` is not valid UTF-8. Save it as UTF-8 (without changing its statements)",
        path.display()
    )]
    NotUtf8 { path: PathBuf },

    #[error(
        "the migration folder name `{}` is not valid UTF-8. Rename it using only UTF-8 \
         characters", path.display()
    )]
    FolderNameNotUtf8 { path: PathBuf },

    #[error(
        "a new migration would be named `{candidate}`, which does not sort after the existing \
         migration `{last}`. Migrations are applied in byte order of their folder names: rename \
         the new folder so it sorts last"
    )]
    CannotOrderNewMigration { candidate: String, last: String },

    #[error(
        "migration `{name}` ran to the end, but marking it finished in `_prisma_migrations` \
         failed: {source}. The history shows it as failed although its changes are applied: run \
         `drydock migrate resolve --applied {name}`"
    )]
    FinishNotRecorded {
        name: String,
        #[source]
        source: ConnectorError,
    },

    #[error(
        "migration `{name}` has no `down.sql`, so drydock cannot roll it back. Restore a backup \
         taken before it was applied, or roll forward: write a new migration that undoes it and \
         deploy that. Nothing was rolled back"
    )]
    NoDownScript { name: String },

    #[error(
        "rolling back `{name}` loses data:\n{}\nRe-run with `--accept-data-loss` if that is \
         intended (take a backup first), or roll forward instead. Nothing was rolled back",
        warnings.iter().map(|w| format!("  - {w}")).collect::<Vec<_>>().join("\n")
    )]
    DownLosesData { name: String, warnings: Vec<String> },

    #[error(
        "migration `{name}` is applied in the database but its folder is missing from the \
         migrations folder, so its `down.sql` cannot be found. Nothing was rolled back"
    )]
    AppliedMigrationMissing { name: String },

    #[error(
        "`{name}` is not an applied migration; `--to` takes the name of an applied migration, \
         which stays applied while every later one is rolled back"
    )]
    DownTargetNotApplied { name: String },

    #[error(
        "rolling back `{name}` failed: {message}\n{}The history still shows `{name}` as applied. \
         Fix its `down.sql` and run `drydock migrate down` again",
        if rolled_back.is_empty() { String::new() } else {
            format!("Rolled back before the failure: {}.\n", rolled_back.join(", "))
        }
    )]
    DownFailed {
        name: String,
        message: String,
        /// Migrations of this run that were rolled back before the failure.
        rolled_back: Vec<String>,
    },

    #[error(
        "the down migration of `{name}` was cut short ({done} of {total} statement(s) of its \
         `down.sql`, which runs outside a transaction, completed): its changes are partly \
         undone. Run `drydock migrate down` again to finish rolling it back, then deploy"
    )]
    DownUnfinished {
        name: String,
        done: usize,
        total: usize,
    },

    #[error(
        "migration `{name}` is not applied to this database, so it cannot be part of a squash; \
         deploy first, or squash a range of applied migrations"
    )]
    SquashNotApplied { name: String },

    #[error("{reason}")]
    PendingRefused { code: &'static str, reason: String },

    #[error(
        "nothing was applied: the pending migration `{name}` sorts before `{newest_applied}`, \
         which this database already has ({count} pending migration(s) are out of order). It \
         was written against a schema without `{newest_applied}` (typically on a branch merged \
         since), so its SQL may not fit the database it would now run on. Run `drydock migrate \
         rebase {name}` to move it after the others (its SQL checked again on a shadow \
         database), or deploy with `--allow-out-of-order` to apply it where it stands, as \
         Prisma would",
        count = others.len() + 1
    )]
    OutOfOrder {
        /// The first pending migration out of order.
        name: String,
        newest_applied: String,
        /// The other pending migrations out of order.
        others: Vec<String>,
    },

    #[error(
        "`{path}` does not match the migrations folder: {what}. Review the change, then run \
         `drydock migrate hash` to record it (after a merge, `drydock migrate rebase <migration>` \
         moves the other branch's migration after yours and records it)",
        path = path.display(),
        what = if migration.is_empty() { change.clone() } else { format!("`{migration}`: {change}") }
    )]
    IntegrityMismatch {
        path: PathBuf,
        /// The first migration that differs; empty when only the header does.
        migration: String,
        change: String,
    },

    #[error(
        "`{path}` holds git's merge conflict markers: two branches added migrations after the \
         same one ({ours} on one side, {theirs} on the other). Keep either side of the file \
         (`git checkout --ours {path}`), then run `drydock migrate rebase <migration>` for the \
         other side's migration: it is moved after yours, its SQL checked again, and the file \
         written",
        path = path.display(),
        ours = names_or_none(ours),
        theirs = names_or_none(theirs)
    )]
    IntegrityConflicted {
        path: PathBuf,
        ours: Vec<String>,
        theirs: Vec<String>,
    },

    #[error(
        "`{path}` is not an integrity file drydock can read: {problem}. Run `drydock migrate \
         hash` to write it again from the migrations folder",
        path = path.display()
    )]
    IntegrityUnreadable { path: PathBuf, problem: String },

    #[error(
        "the deploy was interrupted (Ctrl-C or SIGTERM){}. {state}",
        if applied.is_empty() { String::new() } else {
            format!(" after applying {}", applied.join(", "))
        }
    )]
    Interrupted {
        /// Migrations this deploy applied before the interruption; they stay applied.
        applied: Vec<String>,
        /// What the interruption left of the migration it stopped, and what to do next.
        state: String,
    },

    #[error(
        "`{}` contains a NUL byte (0x00) at {line}:{column} (line:column), which no database \
         accepts in SQL text:\n{snippet}\nRemove it (often the rest of a file saved as \
         UTF-16, or binary pasted into the script) and deploy again. Nothing was applied",
        path.display()
    )]
    NulByte {
        path: PathBuf,
        line: usize,
        column: usize,
        /// The line around the byte, NUL shown as `\0`, with a caret under it.
        snippet: String,
    },

    #[error(
        "the connection to the database server was lost while applying migration `{name}` \
         ({message}). {state} Nothing else needs doing by hand: once the server answers, run \
         `drydock migrate deploy` again"
    )]
    ConnectionLost {
        name: String,
        /// What the database or the client library said.
        message: String,
        /// What the lost session left of the migration, and what the next deploy does.
        state: String,
    },

    #[error(
        "`{name}` is not a migration that failed halfway: {state}. `migrate resolve --finish` \
         and `--undo` take a migration whose history row is failed (`drydock migrate status` \
         lists those). Nothing was changed"
    )]
    NotFailedHalfway {
        name: String,
        /// What the history says of it, in a phrase.
        state: String,
    },

    #[error(
        "`{name}` {why}, so its failure left none of its statements applied and there is \
         nothing to finish or undo. Fix the migration, run `drydock migrate resolve \
         --rolled-back {name}` and deploy again. Nothing was changed"
    )]
    FailedInTransaction {
        name: String,
        /// Why its statements were rolled back with it, in a phrase.
        why: String,
    },

    #[error(
        "the statements of `{name}` that its failed run completed ({done}) are not those of \
         its `migration.sql` any more:\n{}\nOnly statements from {next} on may change before \
         `migrate resolve --finish` or `--undo`: restore the first {done} statement(s) as they \
         ran (the history row's logs list them with their fingerprints), or undo them by hand \
         and run `drydock migrate resolve --rolled-back {name}`. Nothing was changed",
        changed.iter().map(|line| format!("  - {line}")).collect::<Vec<_>>().join("\n"),
        next = done + 1
    )]
    DoneStatementsChanged {
        name: String,
        done: usize,
        /// One sentence per statement that differs, or why they cannot be compared.
        changed: Vec<String>,
    },

    #[error(
        "undoing `{name}` failed at statement {number} of {total} of the undo script: \
         {message}\n{done} statement(s) of the undo had completed. The history still shows \
         `{name}` as failed. Run `drydock migrate resolve --undo {name}` again once the cause \
         is fixed: statements whose object is gone count as done"
    )]
    UndoFailed {
        name: String,
        /// 1-based.
        number: usize,
        total: usize,
        done: usize,
        message: String,
    },

    #[error(transparent)]
    Connector(#[from] ConnectorError),
}

impl MigrateError {
    /// The stable error code shown to users.
    pub fn code(&self) -> &'static str {
        match self {
            MigrateError::Backfill(error) => error.code(),
            MigrateError::NonEmptySchema { .. } => "P3005",
            MigrateError::AlreadyApplied { .. } => "P3008",
            MigrateError::FailedMigrations { .. } => "P3009",
            MigrateError::NameTooLong { .. } => "P3010",
            MigrateError::RollBackNeverApplied { .. } => "P3011",
            MigrateError::RollBackNotFailed { .. } => "P3012",
            MigrateError::MigrationFileMissing { .. } => "P3015",
            MigrateError::MigrationNotFound { .. } => "P3017",
            MigrateError::MigrationFailed { .. } => "P3018",
            MigrateError::ProviderMismatch { .. } => "P3019",
            MigrateError::Io { .. } => "D3001",
            MigrateError::NotUtf8 { .. } => "D3002",
            MigrateError::FolderNameNotUtf8 { .. } => "D3003",
            MigrateError::CannotOrderNewMigration { .. } => "D3004",
            MigrateError::FinishNotRecorded { .. } => "D3005",
            MigrateError::NoDownScript { .. } => "D3010",
            MigrateError::DownLosesData { .. } => "D3011",
            MigrateError::AppliedMigrationMissing { .. } => "D3012",
            MigrateError::DownTargetNotApplied { .. } => "D3013",
            MigrateError::DownFailed { .. } => "D3014",
            MigrateError::SquashNotApplied { .. } => "D3015",
            MigrateError::Interrupted { .. } => "D3016",
            // The approval the deploy requires or the plan it applies, checked again under the
            // migration lock: the check names its code.
            MigrateError::PendingRefused { code, .. } => code,
            MigrateError::NulByte { .. } => "D3017",
            MigrateError::OutOfOrder { .. } => "D3130",
            MigrateError::IntegrityMismatch { .. } => "D3134",
            MigrateError::IntegrityConflicted { .. } | MigrateError::IntegrityUnreadable { .. } => {
                "D3135"
            }
            MigrateError::DownUnfinished { .. } => "D3018",
            MigrateError::ConnectionLost { .. } => "P1017",
            MigrateError::NotFailedHalfway { .. } => "D3140",
            MigrateError::FailedInTransaction { .. } => "D3141",
            MigrateError::DoneStatementsChanged { .. } => "D3142",
            MigrateError::UndoFailed { .. } => "D3145",
            MigrateError::Connector(inner) => inner.code(),
        }
    }

    pub(crate) fn io(
        context: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        MigrateError::Io {
            context,
            path: path.into(),
            source,
        }
    }
}

fn names_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn render_failed(failed: &[FailedMigration]) -> String {
    let mut out = String::new();
    for migration in failed {
        out.push_str(&format!(
            "\nThe `{}` migration started at {} failed",
            migration.name,
            migration.started_at.format("%Y-%m-%d %H:%M:%S%.3f UTC")
        ));
        match migration.logs.as_deref().map(str::trim_end) {
            Some(logs) if !logs.is_empty() => {
                out.push_str(" with the following logs:\n");
                out.push_str(logs);
                out.push('\n');
            }
            _ => out.push('\n'),
        }
        out.push('\n');
        out.push_str(&migration.advice());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_prisma_codes_where_prisma_has_one() {
        let not_found = MigrateError::MigrationNotFound {
            name: "x".into(),
            dir: PathBuf::from("prisma/migrations"),
        };
        assert_eq!(not_found.code(), "P3017");
        let lock = MigrateError::from(ConnectorError::LockTimeout {
            seconds: 10,
            holder: None,
        });
        assert_eq!(lock.code(), "P1002");
    }

    #[test]
    fn baselining_hint_names_the_first_migration() {
        let error = MigrateError::NonEmptySchema {
            first_migration: Some("0_init".into()),
        };
        let text = error.to_string();
        assert!(
            text.contains("migration `0_init` already describes"),
            "{text}"
        );
        assert!(text.contains("drydock migrate baseline"), "{text}");
        assert!(text.contains("resolve --applied 0_init"), "{text}");
        let none = MigrateError::NonEmptySchema {
            first_migration: None,
        };
        assert!(none.to_string().contains("--applied <first migration>"));
    }

    #[test]
    fn failed_migrations_list_name_start_and_logs() {
        let started_at = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let error = MigrateError::FailedMigrations {
            failed: vec![FailedMigration {
                name: "20240501_add".into(),
                started_at,
                logs: Some("relation \"x\" does not exist".into()),
                statements_completed: 0,
            }],
        };
        let text = error.to_string();
        assert!(text.contains("`20240501_add` migration started at 2024-05-01 10:00:00.000 UTC"));
        assert!(text.contains("relation \"x\" does not exist"));
        assert!(text.contains("resolve --rolled-back 20240501_add"));
        assert!(text.contains("resolve --applied 20240501_add"));
    }
}
