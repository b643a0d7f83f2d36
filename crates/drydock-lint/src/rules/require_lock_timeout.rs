//! # require-lock-timeout
//!
//! **What:** the first statement of a file that takes a strong lock on a table that existed
//! before this migration (`ALTER TABLE`, a plain `CREATE INDEX`, `DROP TABLE`, `TRUNCATE`,
//! `VACUUM FULL`, `CLUSTER`) with no `SET lock_timeout` before it in the file.
//!
//! **Why:** even an instant change needs its lock, and while it waits behind a long-running
//! query, every later query on the table queues behind it: a one-millisecond `ALTER TABLE`
//! can stall the app for as long as that query runs. A lock timeout makes the migration fail
//! fast instead (retry it later).
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ADD COLUMN "bio" text;
//! ```
//!
//! **Safe alternative:**
//!
//! ```sql
//! SET lock_timeout = '2s';
//! ALTER TABLE "User" ADD COLUMN "bio" text;
//! ```

use sqlparser::ast::{ObjectType, Statement};

use crate::names::TableName;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4501",
    name: "require-lock-timeout",
    level: Level::Warning,
    category: Category::Timeouts,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "start the file with `SET lock_timeout = '2s';` and retry the migration if it times out",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    if cx.file.lock_timeout_set || cx.file.has_reported(&RULE) {
        return;
    }
    let statement = cx.statement;
    let locked: Vec<TableName> = match &statement.ast {
        Some(Statement::AlterTable(alter)) => vec![TableName::from_object(&alter.name)],
        Some(Statement::CreateIndex(index)) if !index.concurrently => {
            vec![TableName::from_object(&index.table_name)]
        }
        Some(Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        }) => names.iter().map(TableName::from_object).collect(),
        Some(Statement::Truncate(truncate)) => truncate
            .table_names
            .iter()
            .map(|target| TableName::from_object(&target.name))
            .collect(),
        _ => Vec::new(),
    };
    let existing = locked.iter().find(|table| cx.is_existing(table));
    let what = statement.kind();
    let message = match existing {
        Some(table) => format!(
            "`{what}` on `{table}` waits for its lock with no `lock_timeout`, and every query on \
             the table queues behind it meanwhile"
        ),
        None if statement.starts_with(&["CLUSTER"])
            || (statement.starts_with(&["VACUUM"])
                && statement.words.iter().any(|w| w == "FULL")) =>
        {
            format!(
                "`{what}` waits for an ACCESS EXCLUSIVE lock with no `lock_timeout`, and every \
                 query on the table queues behind it meanwhile"
            )
        }
        None => return,
    };
    out.push(Hit::new(&RULE, message));
}
