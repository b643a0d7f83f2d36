//! # detach-partition-without-concurrently
//!
//! **What:** `ALTER TABLE … DETACH PARTITION` without `CONCURRENTLY` on a table that existed
//! before this migration.
//!
//! **Why:** a plain detach takes an ACCESS EXCLUSIVE lock on the partitioned table: while it
//! waits for queries already running on any partition, every new query on the whole table
//! queues behind it.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "Event" DETACH PARTITION "Event_2023";
//! ```
//!
//! **Safe alternative:** detach concurrently (PostgreSQL 14+), alone in its migration (drydock
//! then runs it outside a transaction):
//!
//! ```sql
//! ALTER TABLE "Event" DETACH PARTITION "Event_2023" CONCURRENTLY;
//! ```

use sqlparser::tokenizer::Token;

use crate::mysql_ddl::{significant_tokens, table_after};
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4212",
    name: "detach-partition-without-concurrently",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "use `DETACH PARTITION … CONCURRENTLY` (PostgreSQL 14+), alone in its migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    let words = &statement.words;
    if !statement.starts_with(&["ALTER", "TABLE"])
        || !words.windows(2).any(|pair| pair == ["DETACH", "PARTITION"])
        || words.iter().any(|w| w == "CONCURRENTLY" || w == "FINALIZE")
    {
        return;
    }
    // `ALTER TABLE [IF EXISTS] [ONLY] name …`
    let tokens = significant_tokens(statement);
    let name_at = tokens
        .iter()
        .enumerate()
        .skip(2)
        .find(|(_, token)| {
            !matches!(token, Token::Word(word) if word.quote_style.is_none()
                && ["IF", "EXISTS", "ONLY"].iter().any(|k| word.value.eq_ignore_ascii_case(k)))
        })
        .map(|(index, _)| index);
    let Some(table) = name_at.and_then(|at| table_after(&tokens, at)) else {
        return;
    };
    if !cx.is_existing(&table) {
        return;
    }
    // Before PostgreSQL 14 there is no concurrent detach: the lock is the only way.
    let level = match cx.server_major {
        Some(major) if major < 14 => Level::Warning,
        _ => RULE.level,
    };
    out.push(
        Hit::new(
            &RULE,
            format!(
                "`DETACH PARTITION` waits for an ACCESS EXCLUSIVE lock on `{table}`, and every \
                 query on any of its partitions queues behind it meanwhile"
            ),
        )
        .at(level),
    );
}
