//! # set-not-null-without-check
//!
//! **What:** `ALTER COLUMN … SET NOT NULL` on a table that existed before this migration,
//! with no validated `CHECK (column IS NOT NULL)` from an earlier migration.
//!
//! **Why:** PostgreSQL scans the whole table for NULLs under an ACCESS EXCLUSIVE lock: no
//! reads or writes meanwhile. From PostgreSQL 12 the scan is skipped when a valid check
//! already proves the column has no NULLs.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;
//! ```
//!
//! **Safe alternative:**
//!
//! ```sql
//! ALTER TABLE "User" ADD CONSTRAINT "User_email_not_null" CHECK ("email" IS NOT NULL) NOT VALID;
//! -- next migration
//! ALTER TABLE "User" VALIDATE CONSTRAINT "User_email_not_null";
//! -- next migration (PostgreSQL 12+: no scan)
//! ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;
//! ALTER TABLE "User" DROP CONSTRAINT "User_email_not_null";
//! ```

use sqlparser::ast::{AlterColumnOperation, AlterTableOperation};

use crate::names::ident;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4204",
    name: "set-not-null-without-check",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "add `CHECK (column IS NOT NULL) NOT VALID`, validate it in a later migration, then \
           `SET NOT NULL` (PostgreSQL 12+)",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    // Before PostgreSQL 12 the scan happens whatever checks exist.
    let check_helps = cx.server_major.is_none_or(|major| major >= 12);
    for operation in operations {
        let AlterTableOperation::AlterColumn {
            column_name,
            op: AlterColumnOperation::SetNotNull,
        } = operation
        else {
            continue;
        };
        let column = ident(column_name);
        if check_helps
            && cx
                .history
                .not_null_checks
                .contains(&(table.clone(), column.clone()))
        {
            continue;
        }
        out.push(
            Hit::new(
                &RULE,
                format!(
                    "`SET NOT NULL` on `{table}`.`{column}` scans every row under an ACCESS \
                     EXCLUSIVE lock that blocks all reads and writes"
                ),
            )
            .on(&table),
        );
    }
}
