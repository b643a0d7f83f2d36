//! # vacuum-full
//!
//! **What:** `VACUUM FULL` in a migration.
//!
//! **Why:** it writes a new copy of the table and its indexes under an ACCESS EXCLUSIVE lock:
//! no reads or writes until it ends, and it needs room for a second copy on disk. Without a
//! table it does this to every table of the database.
//!
//! **Bad:**
//!
//! ```sql
//! VACUUM FULL "Event";
//! ```
//!
//! **Safe alternative:** plain `VACUUM` (no exclusive lock), or an online repack tool
//! (`pg_repack`, or `REPACK CONCURRENTLY` from PostgreSQL 19) run outside migrations.

use sqlparser::ast::Statement;

use crate::names::TableName;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4207",
    name: "vacuum-full",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "use plain `VACUUM`, or repack online outside migrations",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if !statement.starts_with(&["VACUUM"]) || !statement.words.iter().any(|w| w == "FULL") {
        return;
    }
    let table = match &statement.ast {
        Some(Statement::Vacuum(vacuum)) => vacuum.table_name.as_ref().map(TableName::from_object),
        _ => None,
    };
    let what = table
        .as_ref()
        .map_or_else(|| "every table".to_owned(), |t| format!("`{t}`"));
    let (lock, _) = crate::locks::classify(cx);
    let hit = Hit::new(
        &RULE,
        format!(
            "`VACUUM FULL` rewrites {what} under an {lock} lock that blocks all reads and writes"
        ),
    );
    out.push(match &table {
        Some(table) => hit.on(table),
        None => hit,
    });
}
