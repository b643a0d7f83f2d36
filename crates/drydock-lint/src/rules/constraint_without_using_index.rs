//! # constraint-without-using-index
//!
//! **What:** `ADD CONSTRAINT … UNIQUE` or `… PRIMARY KEY` on a table that existed before this
//! migration, without `USING INDEX`.
//!
//! **Why:** the constraint builds its index under an ACCESS EXCLUSIVE lock: every read and
//! write of the table waits until the whole index is built, which on a large table is
//! minutes. (A primary key also scans the table to set its columns `NOT NULL`.)
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE ("email");
//! ```
//!
//! **Safe alternative:** build the unique index concurrently in a migration of its own, then
//! attach it, which only takes a brief lock:
//!
//! ```sql
//! CREATE UNIQUE INDEX CONCURRENTLY "User_email_key" ON "User"("email");
//! -- next migration
//! ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE USING INDEX "User_email_key";
//! ```
//!
//! With a database URL, a table under `--max-rows` rows (10,000 by default) gets a note
//! instead.

use sqlparser::ast::TableConstraint;

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4210",
    name: "constraint-without-using-index",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "`CREATE UNIQUE INDEX CONCURRENTLY` first, then `ADD CONSTRAINT … USING INDEX` in a \
           later migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    for operation in operations {
        let sqlparser::ast::AlterTableOperation::AddConstraint { constraint, .. } = operation
        else {
            continue;
        };
        let kind = match constraint {
            TableConstraint::Unique(_) => "UNIQUE",
            TableConstraint::PrimaryKey(_) => "PRIMARY KEY",
            _ => continue,
        };
        out.push(
            Hit::new(
                &RULE,
                format!(
                    "adding a `{kind}` constraint to `{table}` builds its index under an ACCESS \
                     EXCLUSIVE lock that blocks every read and write of it"
                ),
            )
            .on(&table),
        );
    }
}
