//! # check-without-not-valid
//!
//! **What:** `ADD CONSTRAINT … CHECK` without `NOT VALID` on a table that existed before this
//! migration.
//!
//! **Why:** the check is tested against every row while an ACCESS EXCLUSIVE lock is held:
//! neither reads nor writes of the table run until the scan ends.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "Order" ADD CONSTRAINT "Order_total_positive" CHECK ("total" >= 0);
//! ```
//!
//! **Safe alternative:**
//!
//! ```sql
//! ALTER TABLE "Order" ADD CONSTRAINT "Order_total_positive" CHECK ("total" >= 0) NOT VALID;
//! -- next migration: SHARE UPDATE EXCLUSIVE, reads and writes go on
//! ALTER TABLE "Order" VALIDATE CONSTRAINT "Order_total_positive";
//! ```

use sqlparser::ast::TableConstraint;

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4203",
    name: "check-without-not-valid",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "add the check `NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, added)) = cx
        .validated_constraints_added(|constraint| matches!(constraint, TableConstraint::Check(_)))
    else {
        return;
    };
    for _ in 0..added {
        out.push(
            Hit::new(
                &RULE,
                format!(
                    "adding a check to `{table}` scans every row under an ACCESS EXCLUSIVE \
                 lock that blocks all reads and writes"
                ),
            )
            .on(&table),
        );
    }
}
