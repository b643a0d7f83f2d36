//! # drop-not-null
//!
//! **What:** `ALTER COLUMN … DROP NOT NULL` on a table that existed before this migration.
//!
//! **Why:** during a deploy the previous version of the app still runs. Once the new version
//! writes a NULL into the column, the previous one reads a value it was built never to see
//! (a Prisma client typed the field as required fails on it), until every instance runs the
//! new version.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ALTER COLUMN "name" DROP NOT NULL;
//! ```
//!
//! **Safe alternative:** ship an app version that accepts NULL in the column first, then make
//! the column optional in a later deploy; mark the migration with
//! `-- drydock-lint-ignore drop-not-null` once that version runs everywhere.

use sqlparser::ast::{AlterColumnOperation, AlterTableOperation};

use crate::names::ident;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4304",
    name: "drop-not-null",
    level: Level::Warning,
    category: Category::Compatibility,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "deploy an app version that reads NULL in this column before making it optional",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    for operation in operations {
        if let AlterTableOperation::AlterColumn {
            column_name,
            op: AlterColumnOperation::DropNotNull,
        } = operation
        {
            out.push(Hit::new(
                &RULE,
                format!(
                    "`{table}`.`{}` becomes optional: app versions still running read NULL \
                     where they expect a value",
                    ident(column_name)
                ),
            ));
        }
    }
}
