//! # delete-without-where
//!
//! **What:** `DELETE` with no `WHERE` on a table that existed before this migration.
//!
//! **Why:** it deletes every row, in one long transaction that holds row locks on all of them
//! and bloats the table.
//!
//! **Bad:**
//!
//! ```sql
//! DELETE FROM "AuditLog";
//! ```
//!
//! **Safe alternative:** say which rows go (`DELETE FROM "AuditLog" WHERE "createdAt" <
//! now() - interval '90 days'`), in batches for large tables.

use sqlparser::ast::{FromTable, Statement, TableFactor};

use crate::names::TableName;
use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4106",
    name: "delete-without-where",
    level: Level::Error,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "add a `WHERE` that names the rows to delete, and delete in batches",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(Statement::Delete(delete)) = &cx.statement.ast else {
        return;
    };
    if delete.selection.is_some() || delete.using.is_some() {
        return;
    }
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
    for relation in from {
        if let TableFactor::Table { name, .. } = &relation.relation {
            let table = TableName::from_object(name);
            if cx.is_existing(&table) {
                out.push(Hit::new(
                    &RULE,
                    format!("`DELETE` without `WHERE` deletes every row of `{table}`"),
                ));
            }
        }
    }
}
