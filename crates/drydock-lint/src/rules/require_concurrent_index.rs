//! # require-concurrent-index
//!
//! **What:** `CREATE INDEX` without `CONCURRENTLY` on a table that existed before this
//! migration (an index on a table the same file creates is fine).
//!
//! **Why:** a plain index build takes a SHARE lock: reads go on, but every `INSERT`, `UPDATE`
//! and `DELETE` on the table waits until the whole index is built, which on a large table is
//! minutes.
//!
//! **Bad:**
//!
//! ```sql
//! CREATE INDEX "User_email_idx" ON "User"("email");
//! ```
//!
//! **Safe alternative:** build it concurrently, in a migration of its own (drydock then runs
//! it outside a transaction):
//!
//! ```sql
//! CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");
//! ```
//!
//! With a database URL, a table under `--max-rows` rows (10,000 by default) gets a note
//! instead.

use sqlparser::ast::Statement;

use crate::names::TableName;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4201",
    name: "require-concurrent-index",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "use `CREATE INDEX CONCURRENTLY`, alone in its migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(Statement::CreateIndex(index)) = &cx.statement.ast else {
        return;
    };
    let table = TableName::from_object(&index.table_name);
    if index.concurrently || !cx.is_existing(&table) {
        return;
    }
    let (lock, _) = crate::locks::classify(cx);
    out.push(
        Hit::new(
            &RULE,
            format!(
                "`CREATE INDEX` on `{table}` takes a {lock} lock that blocks every write to it \
                 until the index is built"
            ),
        )
        .on(&table),
    );
}
