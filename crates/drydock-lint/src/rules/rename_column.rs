//! # rename-column
//!
//! **What:** `ALTER TABLE … RENAME COLUMN` on a table that existed before this migration.
//!
//! **Why:** during a deploy the old app version is still running; every query it sends that
//! names the column fails from the moment the migration commits until the last old instance
//! is gone.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";
//! ```
//!
//! **Safe alternative:** rename only in the app (Prisma's `@map`), or add the new column,
//! write to both, backfill, switch reads, then drop the old column in a later release.

use sqlparser::ast::AlterTableOperation;

use crate::names::ident;
use crate::rule::{Category, Level, RuleInfo, SERVER_GRAMMARS, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4302",
    name: "rename-column",
    level: Level::Warning,
    category: Category::Compatibility,
    grammars: SERVER_GRAMMARS,
    size: SizeRule::Indifferent,
    help: "rename in the app only (`@map`), or add the new column and move over in steps",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    for operation in operations {
        if let AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } = operation
        {
            out.push(Hit::new(
                &RULE,
                format!(
                    "renaming `{table}`.`{}` to `{}` breaks app versions still running, which \
                     query the old name",
                    ident(old_column_name),
                    ident(new_column_name)
                ),
            ));
        }
    }
}
