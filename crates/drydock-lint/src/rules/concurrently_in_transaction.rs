//! # concurrently-in-transaction
//!
//! **What:** `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`
//! or `DETACH PARTITION … CONCURRENTLY` between the file's own `BEGIN` and `COMMIT`.
//!
//! **Why:** PostgreSQL refuses these inside a transaction block ("cannot run inside a
//! transaction block"): the migration fails. drydock itself runs a file that contains one of
//! them outside a transaction, so only an explicit `BEGIN` in the file causes this.
//!
//! **Bad:**
//!
//! ```sql
//! BEGIN;
//! CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");
//! COMMIT;
//! ```
//!
//! **Safe alternative:** drop the `BEGIN`/`COMMIT` and keep the statement alone in its
//! migration.

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4401",
    name: "concurrently-in-transaction",
    level: Level::Error,
    category: Category::Transactions,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "remove the file's `BEGIN`/`COMMIT`: drydock runs such a migration outside a \
           transaction",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if !statement.explicit_transaction || !statement.words.iter().any(|w| w == "CONCURRENTLY") {
        return;
    }
    let what = statement.kind();
    out.push(Hit::new(
        &RULE,
        format!("`{what} … CONCURRENTLY` cannot run inside the transaction the file opens"),
    ));
}
