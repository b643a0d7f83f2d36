//! # transaction-nesting
//!
//! **What:** a `BEGIN` (or `START TRANSACTION`) while a transaction the file opened is still
//! open, or a `BEGIN` the file never ends with `COMMIT`.
//!
//! **Why:** a second `BEGIN` does not nest: PostgreSQL ignores it with a warning and MySQL
//! commits the open transaction first, so the `COMMIT` meant for the inner block ends the outer
//! one and what follows runs outside any transaction. A transaction never committed keeps its
//! locks until the session ends and is then rolled back, while the migration history says the
//! migration ran.
//!
//! **Bad:**
//!
//! ```sql
//! BEGIN;
//! ALTER TABLE "User" ADD COLUMN "bio" text;
//! BEGIN;
//! UPDATE "User" SET "bio" = '';
//! COMMIT;
//! ```
//!
//! **Safe alternative:** one `BEGIN … COMMIT` block at a time, each one ended; or no
//! transaction statements at all: drydock runs a file in one transaction when it can.

use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};
use crate::source::{is_begin, is_end};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4403",
    name: "transaction-nesting",
    level: Level::Error,
    category: Category::Transactions,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "end each `BEGIN` with `COMMIT` before the next one, or leave transactions to drydock",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if !is_begin(statement) {
        return;
    }
    if cx.file.explicit_transaction_open {
        out.push(Hit::new(
            &RULE,
            "`BEGIN` inside a transaction the file already opened does not nest: the next \
             `COMMIT` ends both"
                .to_owned(),
        ));
        return;
    }
    if !cx.later.iter().any(is_end) {
        out.push(Hit::new(
            &RULE,
            "this transaction is never committed: its changes and locks stay open until the \
             session ends, then roll back"
                .to_owned(),
        ));
    }
}
