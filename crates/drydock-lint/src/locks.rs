//! The lock each statement takes and the work it does on the rows of its tables: the one
//! place drydock knows it, read by `migrate deploy --dry-run`'s plan and by the rules that name
//! a whole statement's lock (`CREATE INDEX`, `CLUSTER`, `VACUUM FULL`). PostgreSQL's lock modes
//! by name (its "Table-Level Lock Modes" page), MySQL's and MariaDB's online DDL verdict
//! ([`crate::mysql_ddl`]), SQLite's database write lock.

use drydock_connector::SqlGrammar;
use drydock_diagnostics::Span;
use sqlparser::ast::{AlterColumnOperation, AlterTableOperation, Statement, TableConstraint};

use crate::mysql_ddl::{self, Effect};
use crate::rules::Cx;
use crate::types::TypeChange;

/// PostgreSQL's table lock modes, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PgLock {
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl PgLock {
    /// The mode as PostgreSQL names it.
    pub fn name(self) -> &'static str {
        match self {
            PgLock::RowExclusive => "ROW EXCLUSIVE",
            PgLock::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            PgLock::Share => "SHARE",
            PgLock::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            PgLock::Exclusive => "EXCLUSIVE",
            PgLock::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// The mode a `LOCK TABLE ... IN <words> MODE` names.
    fn from_words(words: &[String]) -> Option<PgLock> {
        let text = words.join(" ");
        [
            PgLock::AccessExclusive,
            PgLock::ShareRowExclusive,
            PgLock::ShareUpdateExclusive,
            PgLock::RowExclusive,
            PgLock::Exclusive,
            PgLock::Share,
        ]
        .into_iter()
        .find(|lock| text == lock.name())
    }
}

/// What a statement does to the rows of the tables it names, cheapest first; the plan's
/// duration estimate reads the tables' sizes through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Work {
    /// Only the catalog changes: over as soon as the lock is granted.
    Catalog,
    /// Rows are written (`UPDATE`, `DELETE`, `INSERT`): up to every row of the table.
    Rows,
    /// Every row is read (a constraint checked, `NOT NULL` verified).
    Scan,
    /// An index is built: every row read and sorted.
    IndexBuild,
    /// The table (and its indexes) is written again.
    Rewrite,
    /// Not known: a statement the linter does not read (`DO` blocks, functions).
    Unknown,
}

impl Work {
    pub fn name(self) -> &'static str {
        match self {
            Work::Catalog => "catalog only",
            Work::Rows => "writes rows",
            Work::Scan => "reads every row",
            Work::IndexBuild => "builds an index",
            Work::Rewrite => "rewrites the table",
            Work::Unknown => "unknown",
        }
    }
}

/// One statement of a linted file: where it is, the lock it takes, its work.
#[derive(Debug, Clone)]
pub struct StatementLock {
    pub span: Span,
    /// The lock in the database's words: `ACCESS EXCLUSIVE`, `in place (reads and writes go
    /// on)`, `database write lock`; `none` for a statement that locks no table.
    pub lock: String,
    pub work: Work,
}

/// The lock and work of the statement `cx` reads.
pub(crate) fn classify(cx: &Cx<'_>) -> (String, Work) {
    match cx.statement.grammar {
        SqlGrammar::PostgreSql => match postgres(cx) {
            (Some(lock), work) => (lock.name().to_owned(), work),
            (None, work) => (NO_LOCK.to_owned(), work),
        },
        SqlGrammar::MySql => mysql(cx),
        SqlGrammar::Sqlite => sqlite(cx),
    }
}

const NO_LOCK: &str = "none";

/// Statements that change no table: no table lock.
const UNLOCKED: &[&[&str]] = &[
    &["SET"],
    &["RESET"],
    &["BEGIN"],
    &["COMMIT"],
    &["START"],
    &["END"],
    &["CREATE", "TYPE"],
    &["CREATE", "EXTENSION"],
    &["CREATE", "SCHEMA"],
    &["CREATE", "SEQUENCE"],
    &["CREATE", "FUNCTION"],
    &["CREATE", "OR", "REPLACE", "FUNCTION"],
    &["CREATE", "PROCEDURE"],
    &["ALTER", "TYPE"],
    &["COMMENT"],
    &["GRANT"],
    &["REVOKE"],
    &["SELECT"],
    &["PRAGMA"],
];

fn postgres(cx: &Cx<'_>) -> (Option<PgLock>, Work) {
    let statement = cx.statement;
    let starts = |words: &[&str]| statement.starts_with(words);
    let has = |word: &str| statement.words.iter().any(|w| w == word);
    match &statement.ast {
        Some(Statement::AlterTable(alter)) => return pg_alter(cx, &alter.operations),
        Some(Statement::CreateIndex(index)) => {
            let lock = if index.concurrently {
                PgLock::ShareUpdateExclusive
            } else {
                PgLock::Share
            };
            return (Some(lock), Work::IndexBuild);
        }
        _ => {}
    }
    if starts(&["CREATE"]) && has("INDEX") {
        let lock = if has("CONCURRENTLY") {
            PgLock::ShareUpdateExclusive
        } else {
            PgLock::Share
        };
        (Some(lock), Work::IndexBuild)
    } else if starts(&["CREATE"]) && has("TABLE") {
        // A new table is invisible to others; a foreign key locks the table it points at.
        let lock = has("REFERENCES").then_some(PgLock::ShareRowExclusive);
        (lock, Work::Catalog)
    } else if starts(&["DROP", "INDEX"]) && has("CONCURRENTLY") {
        (Some(PgLock::ShareUpdateExclusive), Work::Catalog)
    } else if starts(&["DROP"]) || starts(&["TRUNCATE"]) {
        (Some(PgLock::AccessExclusive), Work::Catalog)
    } else if starts(&["UPDATE"]) || starts(&["DELETE"]) || starts(&["INSERT"]) {
        (Some(PgLock::RowExclusive), Work::Rows)
    } else if (starts(&["VACUUM"]) && has("FULL")) || starts(&["CLUSTER"]) {
        (Some(PgLock::AccessExclusive), Work::Rewrite)
    } else if starts(&["VACUUM"]) || starts(&["ANALYZE"]) {
        (Some(PgLock::ShareUpdateExclusive), Work::Scan)
    } else if starts(&["REINDEX"]) {
        let lock = if has("CONCURRENTLY") {
            PgLock::ShareUpdateExclusive
        } else {
            PgLock::Share
        };
        (Some(lock), Work::IndexBuild)
    } else if starts(&["REFRESH", "MATERIALIZED", "VIEW"]) {
        let lock = if has("CONCURRENTLY") {
            PgLock::Exclusive
        } else {
            PgLock::AccessExclusive
        };
        (Some(lock), Work::Rewrite)
    } else if starts(&["LOCK"]) {
        let words = &statement.words;
        let mode = words
            .iter()
            .position(|w| w == "IN")
            .zip(words.iter().rposition(|w| w == "MODE"))
            .and_then(|(from, to)| words.get(from + 1..to))
            .and_then(PgLock::from_words);
        (Some(mode.unwrap_or(PgLock::AccessExclusive)), Work::Catalog)
    } else if UNLOCKED.iter().any(|prefix| starts(prefix)) {
        (None, Work::Catalog)
    } else if starts(&["ALTER"]) {
        // Most other `ALTER`s of a table or an index take the strongest lock.
        (Some(PgLock::AccessExclusive), Work::Catalog)
    } else {
        (None, Work::Unknown)
    }
}

/// An `ALTER TABLE`: its strongest lock and its costliest work over its operations.
fn pg_alter(cx: &Cx<'_>, operations: &[AlterTableOperation]) -> (Option<PgLock>, Work) {
    let rewrites_types = cx
        .column_type_changes()
        .iter()
        .any(|change| change.change != TypeChange::InPlace);
    let constants_rewrite = cx.server_major.is_some_and(|major| major < 11);
    let mut lock = None;
    let mut work = Work::Catalog;
    for operation in operations {
        let (this_lock, this_work) = match operation {
            AlterTableOperation::AddColumn { column_def, .. } => {
                let indexed = column_def.options.iter().any(|option| {
                    matches!(
                        option.option,
                        sqlparser::ast::ColumnOption::PrimaryKey(_)
                            | sqlparser::ast::ColumnOption::Unique(_)
                    )
                });
                let work = if crate::rules::volatile_column_default::per_row_value(
                    column_def,
                    constants_rewrite,
                )
                .is_some()
                {
                    Work::Rewrite
                } else if indexed {
                    Work::IndexBuild
                } else {
                    Work::Catalog
                };
                (PgLock::AccessExclusive, work)
            }
            AlterTableOperation::AlterColumn { op, .. } => match op {
                AlterColumnOperation::SetDataType { .. } if rewrites_types => {
                    (PgLock::AccessExclusive, Work::Rewrite)
                }
                AlterColumnOperation::SetNotNull => (PgLock::AccessExclusive, Work::Scan),
                _ => (PgLock::AccessExclusive, Work::Catalog),
            },
            AlterTableOperation::AddConstraint {
                constraint,
                not_valid,
            } => match constraint {
                TableConstraint::ForeignKey(_) => (
                    PgLock::ShareRowExclusive,
                    if *not_valid {
                        Work::Catalog
                    } else {
                        Work::Scan
                    },
                ),
                TableConstraint::Check(_) => (
                    PgLock::AccessExclusive,
                    if *not_valid {
                        Work::Catalog
                    } else {
                        Work::Scan
                    },
                ),
                TableConstraint::PrimaryKey(_) | TableConstraint::Unique(_) => {
                    (PgLock::AccessExclusive, Work::IndexBuild)
                }
                _ => (PgLock::AccessExclusive, Work::Catalog),
            },
            AlterTableOperation::ValidateConstraint { .. } => {
                (PgLock::ShareUpdateExclusive, Work::Scan)
            }
            _ => (PgLock::AccessExclusive, Work::Catalog),
        };
        lock = lock.max(Some(this_lock));
        work = work.max(this_work);
    }
    (lock, work)
}

/// MySQL and MariaDB: the online DDL verdict where the linter judges one, else the metadata
/// lock every DDL statement takes.
fn mysql(cx: &Cx<'_>) -> (String, Work) {
    let statement = cx.statement;
    let starts = |words: &[&str]| statement.starts_with(words);
    if let Some(judged) = mysql_ddl::alter(cx)
        .as_ref()
        .and_then(mysql_ddl::Alter::worst)
    {
        let (lock, work) = match judged.effect {
            Effect::Instant => ("instant (metadata lock only)", Work::Catalog),
            Effect::InPlace => ("in place (reads and writes go on)", Work::IndexBuild),
            Effect::Rebuild => (
                "table rebuilt in place (reads and writes go on)",
                Work::Rewrite,
            ),
            Effect::Copy => ("table copy (writes blocked)", Work::Rewrite),
        };
        return (lock.to_owned(), work);
    }
    if starts(&["CREATE", "FULLTEXT"]) || starts(&["CREATE", "SPATIAL"]) {
        ("shared lock (writes blocked)".to_owned(), Work::IndexBuild)
    } else if starts(&["CREATE"]) && statement.words.iter().any(|w| w == "INDEX") {
        (
            "in place (reads and writes go on)".to_owned(),
            Work::IndexBuild,
        )
    } else if starts(&["UPDATE"]) || starts(&["DELETE"]) || starts(&["INSERT"]) {
        ("row locks".to_owned(), Work::Rows)
    } else if UNLOCKED.iter().any(|prefix| starts(prefix)) {
        (NO_LOCK.to_owned(), Work::Catalog)
    } else {
        ("metadata lock".to_owned(), Work::Catalog)
    }
}

/// SQLite: one writer at a time, whatever the statement changes.
fn sqlite(cx: &Cx<'_>) -> (String, Work) {
    let statement = cx.statement;
    let starts = |words: &[&str]| statement.starts_with(words);
    let has = |word: &str| statement.words.iter().any(|w| w == word);
    if UNLOCKED.iter().any(|prefix| starts(prefix)) {
        return (NO_LOCK.to_owned(), Work::Catalog);
    }
    let work = if starts(&["CREATE"]) && has("INDEX") {
        Work::IndexBuild
    } else if starts(&["INSERT"]) && has("SELECT") {
        // The copy step of a table rebuild (`INSERT INTO "new_T" SELECT ... FROM "T"`).
        Work::Rewrite
    } else if starts(&["UPDATE"]) || starts(&["DELETE"]) || starts(&["INSERT"]) {
        Work::Rows
    } else {
        Work::Catalog
    };
    ("database write lock".to_owned(), work)
}
