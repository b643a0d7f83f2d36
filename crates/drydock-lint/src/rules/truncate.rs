//! # truncate
//!
//! **What:** `TRUNCATE` of a table that existed before this migration.
//!
//! **Why:** every row is deleted at once, under an ACCESS EXCLUSIVE lock, with no `WHERE` to
//! limit it and no trigger to record it. `CASCADE` empties referencing tables too.
//!
//! **Bad:**
//!
//! ```sql
//! TRUNCATE "Session";
//! ```
//!
//! **Safe alternative:** delete what must go with a `WHERE`, in batches, from a data script or
//! job rather than a schema migration; if emptying the table really is intended, mark it with
//! `-- drydock-lint-ignore truncate`.

use sqlparser::ast::{CascadeOption, Statement};

use crate::names::TableName;
use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4105",
    name: "truncate",
    level: Level::Error,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "delete the rows that must go with a `WHERE`, in batches, outside the schema migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(Statement::Truncate(truncate)) = &cx.statement.ast else {
        return;
    };
    for target in &truncate.table_names {
        let table = TableName::from_object(&target.name);
        if cx.is_existing(&table) {
            let cascade = if truncate.cascade == Some(CascadeOption::Cascade) {
                ", and `CASCADE` every row of each table that references it"
            } else {
                ""
            };
            out.push(Hit::new(
                &RULE,
                format!("`TRUNCATE` deletes every row of `{table}`{cascade}"),
            ));
        }
    }
}
