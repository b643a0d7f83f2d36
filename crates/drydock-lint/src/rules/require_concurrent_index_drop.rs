//! # require-concurrent-index-drop
//!
//! **What:** `DROP INDEX` without `CONCURRENTLY` of an index on a table that existed before
//! this migration.
//!
//! **Why:** a plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table. The drop
//! itself is quick, but while it waits for queries already running on the table, every new
//! query on it, reads included, queues behind it.
//!
//! **Bad:**
//!
//! ```sql
//! DROP INDEX "User_email_idx";
//! ```
//!
//! **Safe alternative:** drop it concurrently, in a migration of its own (drydock then runs it
//! outside a transaction):
//!
//! ```sql
//! DROP INDEX CONCURRENTLY "User_email_idx";
//! ```

use sqlparser::ast::{ObjectType, Statement};

use crate::names::TableName;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4209",
    name: "require-concurrent-index-drop",
    level: Level::Warning,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "use `DROP INDEX CONCURRENTLY`, alone in its migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if !statement.starts_with(&["DROP", "INDEX"])
        || statement.words.get(2).is_some_and(|w| w == "CONCURRENTLY")
    {
        return;
    }
    let indexes: Vec<TableName> = match &statement.ast {
        Some(Statement::Drop {
            object_type: ObjectType::Index,
            names,
            ..
        }) => names.iter().map(TableName::from_object).collect(),
        _ => Vec::new(),
    };
    // An index the same file created sits on a table nobody uses yet.
    if !indexes.is_empty() && indexes.iter().all(|index| cx.file.created_index(index)) {
        return;
    }
    let named = if indexes.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = indexes.iter().map(ToString::to_string).collect();
        format!(" of `{}`", names.join("`, `"))
    };
    out.push(Hit::new(
        &RULE,
        format!(
            "`DROP INDEX`{named} waits for an ACCESS EXCLUSIVE lock on its table, and every query \
             on the table queues behind it meanwhile"
        ),
    ));
}
