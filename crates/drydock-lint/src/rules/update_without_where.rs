//! # update-without-where
//!
//! **What:** `UPDATE` with no `WHERE` on a table that existed before this migration.
//!
//! **Why:** it overwrites a column in every row, losing the old values, and locks every row
//! until the migration commits: writes to the table wait that long.
//!
//! **Bad:**
//!
//! ```sql
//! UPDATE "User" SET "plan" = 'free';
//! ```
//!
//! **Safe alternative:** limit it (`WHERE "plan" IS NULL`), and backfill large tables in
//! batches outside the schema migration.

use sqlparser::ast::{Statement, TableFactor};

use crate::names::TableName;
use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4107",
    name: "update-without-where",
    level: Level::Warning,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "add a `WHERE` that names the rows to change, and backfill large tables in batches",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(Statement::Update(update)) = &cx.statement.ast else {
        return;
    };
    if update.selection.is_some() || update.from.is_some() {
        return;
    }
    if let TableFactor::Table { name, .. } = &update.table.relation {
        let table = TableName::from_object(name);
        if cx.is_existing(&table) {
            out.push(Hit::new(
                &RULE,
                format!("`UPDATE` without `WHERE` overwrites every row of `{table}`"),
            ));
        }
    }
}
