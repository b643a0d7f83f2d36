//! # narrowing-type-change
//!
//! **What:** a column's type changed to one that cannot hold every value of the old one: a
//! shorter `varchar`, `integer` from `bigint`, fewer digits of `numeric`, an integer from a
//! decimal (on MySQL, a `MODIFY`/`CHANGE` to such a type). The old type comes from the
//! migrations read before (so lint the whole folder).
//!
//! **Why:** values that do not fit make the migration fail while it holds an ACCESS EXCLUSIVE
//! lock (or, for decimals to integers, are silently rounded; MySQL without strict mode cuts
//! them), and an app version still running keeps sending values the column no longer takes.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ALTER COLUMN "name" TYPE varchar(20);  -- was varchar(100)
//! ```
//!
//! **Safe alternative:** check the data first (`SELECT max(length("name")) FROM "User"`), and
//! prefer a `CHECK (length("name") <= 20) NOT VALID` constraint, validated later, over a
//! narrower type.

use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};
use crate::types::TypeChange;

pub const RULE: RuleInfo = RuleInfo {
    code: "D4104",
    name: "narrowing-type-change",
    level: Level::Error,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "check that every value fits first, or keep the type and add a `CHECK … NOT VALID` \
           constraint instead",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for change in cx.column_type_changes() {
        if let TypeChange::Narrowing(what) = change.change {
            out.push(Hit::new(
                &RULE,
                format!(
                    "column `{}` of `{}` goes from {what}: values that do not fit fail the \
                     migration or are cut",
                    change.column, change.table
                ),
            ));
        }
    }
}
