//! # mysql-require-lock-wait-timeout
//!
//! **What:** on MySQL and MariaDB, the first statement of a file that takes a metadata lock on
//! a table that existed before this migration (`ALTER TABLE`, `CREATE INDEX`, `DROP INDEX`,
//! `DROP TABLE`, `RENAME TABLE`, `TRUNCATE`, `OPTIMIZE TABLE`) with no `SET lock_wait_timeout` before it in the file (nor
//! MariaDB's `WAIT n`/`NOWAIT` in the statement). Off when the migrations are deployed by
//! drydock, which sets it for every migration.
//!
//! **Why:** every DDL statement, even an instant one, needs an exclusive metadata lock, and
//! while it waits behind a long transaction or query that touched the table, every later query
//! on the table queues behind it. The server's default wait is a year (`31536000` seconds).
//! A short `lock_wait_timeout` makes the migration fail fast instead (retry it later).
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE `User` ADD COLUMN `bio` TEXT NULL;
//! ```
//!
//! **Safe alternative:**
//!
//! ```sql
//! SET SESSION lock_wait_timeout = 5;
//! ALTER TABLE `User` ADD COLUMN `bio` TEXT NULL, ALGORITHM=INSTANT;
//! ```

use sqlparser::ast::{ObjectType, Statement};

use crate::mysql_ddl;
use crate::names::TableName;
use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4707",
    name: "mysql-require-lock-wait-timeout",
    level: Level::Warning,
    category: Category::Timeouts,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "start the file with `SET SESSION lock_wait_timeout = 5;` and retry the migration if \
           it times out",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    if cx.file.lock_wait_timeout_set || cx.file.has_reported(&RULE) {
        return;
    }
    let statement = cx.statement;
    // MariaDB's `ALTER TABLE t WAIT n …` / `NOWAIT` bound this statement's wait.
    if statement
        .words
        .iter()
        .take(6)
        .any(|w| w == "WAIT" || w == "NOWAIT")
    {
        return;
    }
    let locked: Vec<TableName> = match &statement.ast {
        Some(Statement::AlterTable(alter)) => vec![TableName::from_object(&alter.name)],
        Some(Statement::CreateIndex(index)) => vec![TableName::from_object(&index.table_name)],
        Some(Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        }) => names.iter().map(TableName::from_object).collect(),
        Some(Statement::Drop {
            object_type: ObjectType::Index,
            table: Some(table),
            ..
        }) => vec![TableName::from_object(table)],
        Some(Statement::RenameTable(renames)) => renames
            .iter()
            .map(|rename| TableName::from_object(&rename.old_name))
            .collect(),
        Some(Statement::Truncate(truncate)) => truncate
            .table_names
            .iter()
            .map(|target| TableName::from_object(&target.name))
            .collect(),
        _ => mysql_ddl::statement_table(statement).into_iter().collect(),
    };
    let Some(table) = locked.iter().find(|table| cx.is_existing(table)) else {
        return;
    };
    let what = statement.kind();
    out.push(Hit::new(
        &RULE,
        format!(
            "`{what}` on `{table}` waits for its metadata lock with no `lock_wait_timeout` (the \
             default is a year), and every query on the table queues behind it meanwhile"
        ),
    ));
}
