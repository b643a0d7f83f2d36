//! # drop-table
//!
//! **What:** `DROP TABLE` on a table that existed before this migration.
//!
//! **Why:** every row of the table is gone, and an app version still running fails on every
//! query that touches it. There is no undo short of a backup.
//!
//! **Bad:**
//!
//! ```sql
//! DROP TABLE "Invoice";
//! ```
//!
//! A table dropped and then replaced by a copy renamed to its name in the same file (the
//! table rebuild SQLite migrations use) is not reported.
//!
//! **Safe alternative:** first deploy code that no longer reads or writes the table, back the
//! data up (or rename the table and keep it for a while), then drop it in a later migration
//! marked with `-- drydock-lint-ignore drop-table`.

use sqlparser::ast::{AlterTableOperation, ObjectType, RenameTableNameKind, Statement};

use crate::names::TableName;
use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4101",
    name: "drop-table",
    level: Level::Error,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "stop using the table in a deploy first and keep a backup; then mark the drop with \
           `-- drydock-lint-ignore drop-table`",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(Statement::Drop {
        object_type: ObjectType::Table,
        names,
        ..
    }) = &cx.statement.ast
    else {
        return;
    };
    for name in names {
        let table = TableName::from_object(name);
        if cx.is_existing(&table) && !replaced_later(cx, &table) {
            out.push(Hit::new(
                &RULE,
                format!("`DROP TABLE` deletes `{table}` with all its rows"),
            ));
        }
    }
}

/// Whether a later statement renames another table to `table`: the drop is then part of a
/// rebuild that copied the rows first.
fn replaced_later(cx: &Cx<'_>, table: &TableName) -> bool {
    cx.later.iter().any(|statement| match &statement.ast {
        Some(Statement::AlterTable(alter)) => {
            let old = TableName::from_object(&alter.name);
            alter.operations.iter().any(|operation| match operation {
                AlterTableOperation::RenameTable {
                    table_name: RenameTableNameKind::As(new) | RenameTableNameKind::To(new),
                } => new
                    .0
                    .last()
                    .and_then(|part| part.as_ident())
                    .is_some_and(|last| old.with_last(last) == *table),
                _ => false,
            })
        }
        _ => false,
    })
}
