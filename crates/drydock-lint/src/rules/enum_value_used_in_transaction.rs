//! # enum-value-used-in-transaction
//!
//! **What:** an enum value added with `ALTER TYPE … ADD VALUE` and then used (as a string
//! literal) in the same transaction: the file's own `BEGIN` block, or the whole file when
//! drydock runs it in one transaction. Before PostgreSQL 12 (known from a database URL),
//! `ADD VALUE` inside a transaction at all.
//!
//! **Why:** PostgreSQL refuses to use a new enum value before the transaction that added it
//! commits ("unsafe use of new value"), so the migration fails; before version 12, `ADD VALUE`
//! cannot run in a transaction block at all.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TYPE "Role" ADD VALUE 'MODERATOR';
//! UPDATE "User" SET "role" = 'MODERATOR' WHERE "isMod";
//! ```
//!
//! **Safe alternative:** add the value in one migration and use it in the next.
//!
//! Any string literal equal to the new value counts as a use, so an unrelated `'MODERATOR'`
//! in the same transaction is reported too.

use sqlparser::ast::{AlterTypeOperation, Statement};
use sqlparser::tokenizer::Token;

use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4402",
    name: "enum-value-used-in-transaction",
    level: Level::Error,
    category: Category::Transactions,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "add the enum value in one migration and use it in the next",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    let Some(transaction) = statement.transaction else {
        return;
    };
    if let Some(Statement::AlterType(alter)) = &statement.ast
        && let AlterTypeOperation::AddValue(_) = alter.operation
        && cx.server_major.is_some_and(|major| major < 12)
    {
        out.push(Hit::new(
            &RULE,
            "`ALTER TYPE … ADD VALUE` cannot run inside a transaction before PostgreSQL 12"
                .to_owned(),
        ));
        return;
    }
    let added: Vec<_> = cx
        .file
        .added_enum_values
        .iter()
        .filter(|(tx, _, _)| *tx == Some(transaction))
        .collect();
    if added.is_empty() {
        return;
    }
    for token in statement.tokens() {
        let Token::SingleQuotedString(literal) = token else {
            continue;
        };
        if let Some((_, ty, value)) = added.iter().find(|(_, _, value)| *value == literal) {
            out.push(Hit::new(
                &RULE,
                format!(
                    "'{value}' was added to enum `{ty}` in this transaction and cannot be used \
                     before it commits"
                ),
            ));
            return;
        }
    }
}
