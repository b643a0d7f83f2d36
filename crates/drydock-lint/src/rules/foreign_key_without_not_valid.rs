//! # foreign-key-without-not-valid
//!
//! **What:** `ADD CONSTRAINT … FOREIGN KEY` without `NOT VALID` on a table that existed before
//! this migration.
//!
//! **Why:** adding the key checks every existing row under a SHARE ROW EXCLUSIVE lock on both
//! the table and the table it references: writes to both wait for the whole scan.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey"
//!   FOREIGN KEY ("authorId") REFERENCES "User"("id");
//! ```
//!
//! **Safe alternative:** add it `NOT VALID` (no scan, a brief lock), then validate it in a
//! later migration, which only takes SHARE UPDATE EXCLUSIVE:
//!
//! ```sql
//! ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey"
//!   FOREIGN KEY ("authorId") REFERENCES "User"("id") NOT VALID;
//! -- next migration
//! ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_authorId_fkey";
//! ```

use sqlparser::ast::TableConstraint;

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4202",
    name: "foreign-key-without-not-valid",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "add the foreign key `NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, added)) = cx.validated_constraints_added(|constraint| {
        matches!(constraint, TableConstraint::ForeignKey(_))
    }) else {
        return;
    };
    for _ in 0..added {
        out.push(
            Hit::new(
                &RULE,
                format!(
                    "adding a foreign key to `{table}` scans it under a SHARE ROW EXCLUSIVE \
                 lock that blocks writes to it and to the referenced table"
                ),
            )
            .on(&table),
        );
    }
}
