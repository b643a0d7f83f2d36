//! # rewriting-type-change
//!
//! **What:** `ALTER COLUMN … TYPE` on a table that existed before this migration, unless the
//! change is binary-coercible (a longer or unbounded `varchar`, `varchar` to `text`, more
//! `numeric` precision at the same scale). The old type comes from the migrations read before;
//! when it is unknown the finding is a warning.
//!
//! **Why:** any other type change rewrites the whole table and rebuilds its indexes under an
//! ACCESS EXCLUSIVE lock: no reads or writes until it ends. (Changes that can also cut values
//! are `narrowing-type-change`.)
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "Event" ALTER COLUMN "id" TYPE bigint;  -- was integer
//! ```
//!
//! **Safe alternative:** add a new column of the new type, write both from the app, backfill
//! in batches, switch reads, then drop the old column in a later migration.

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};
use crate::types::TypeChange;

pub const RULE: RuleInfo = RuleInfo {
    code: "D4206",
    name: "rewriting-type-change",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "add a column of the new type, dual-write and backfill it, switch reads, then drop the \
           old column",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for change in cx.column_type_changes() {
        let (table, column, new) = (&change.table, &change.column, &change.new);
        let hit = match change.change {
            TypeChange::InPlace | TypeChange::Narrowing(_) => continue,
            TypeChange::Rewrite => Hit::new(
                &RULE,
                format!(
                    "changing `{table}`.`{column}` from `{}` to `{new}` rewrites the table under \
                     an ACCESS EXCLUSIVE lock that blocks all reads and writes",
                    change.old.as_deref().unwrap_or("?")
                ),
            ),
            TypeChange::Unknown => Hit::new(
                &RULE,
                format!(
                    "changing `{table}`.`{column}` to `{new}` rewrites the table under an ACCESS \
                     EXCLUSIVE lock unless the old type is binary-coercible to it (the old type \
                     is not in the files read)"
                ),
            )
            .at(Level::Warning),
        };
        out.push(hit.on(table));
    }
}
