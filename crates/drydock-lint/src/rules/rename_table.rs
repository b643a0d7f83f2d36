//! # rename-table
//!
//! **What:** `ALTER TABLE … RENAME TO` on a table that existed before this migration.
//!
//! **Why:** during a deploy the old app version is still running, and every query it sends
//! names the old table: they all fail from the moment the migration commits until the last
//! old instance is gone.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "Customer" RENAME TO "Client";
//! ```
//!
//! **Safe alternative:** keep the table name and rename only in the app (Prisma's `@@map`), or
//! expand and contract: create the new table, write to both, backfill, switch reads, then drop
//! the old one in a later release. A view named after the old table can bridge reads.

use sqlparser::ast::{AlterTableOperation, RenameTableNameKind};

use crate::rule::{Category, Level, RuleInfo, SERVER_GRAMMARS, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4301",
    name: "rename-table",
    level: Level::Warning,
    category: Category::Compatibility,
    grammars: SERVER_GRAMMARS,
    size: SizeRule::Indifferent,
    help: "rename in the app only (`@@map`), or create the new table and move over in steps",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    for operation in operations {
        if let AlterTableOperation::RenameTable { table_name } = operation {
            let (RenameTableNameKind::As(new) | RenameTableNameKind::To(new)) = table_name;
            out.push(Hit::new(
                &RULE,
                format!(
                    "renaming `{table}` to `{new}` breaks app versions still running, which \
                     query the old name"
                ),
            ));
        }
    }
}
