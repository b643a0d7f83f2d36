//! # cluster
//!
//! **What:** `CLUSTER` in a migration.
//!
//! **Why:** it rewrites the table in index order under an ACCESS EXCLUSIVE lock: no reads or
//! writes until it ends. Without a table it does this to every clustered table.
//!
//! **Bad:**
//!
//! ```sql
//! CLUSTER "Event" USING "Event_createdAt_idx";
//! ```
//!
//! **Safe alternative:** an online repack tool (`pg_repack`, or `REPACK CONCURRENTLY` from
//! PostgreSQL 19) run outside migrations.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use crate::names::TableName;
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4208",
    name: "cluster",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "repack online outside migrations instead",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if !statement.starts_with(&["CLUSTER"]) {
        return;
    }
    // The grammar does not know `CLUSTER`: the table is the first word after it that is not
    // `VERBOSE` (`CLUSTER [VERBOSE] table [USING index]`).
    let table = statement
        .tokens()
        .into_iter()
        .filter_map(|token| match token {
            Token::Word(word) => Some(word),
            _ => None,
        })
        .skip(1)
        .find(|word| word.keyword != Keyword::VERBOSE)
        .map(|word| TableName::from_ident(&word.to_ident(sqlparser::tokenizer::Span::empty())));
    let what = table
        .as_ref()
        .map_or_else(|| "every clustered table".to_owned(), |t| format!("`{t}`"));
    let (lock, _) = crate::locks::classify(cx);
    let hit = Hit::new(
        &RULE,
        format!("`CLUSTER` rewrites {what} under an {lock} lock that blocks all reads and writes"),
    );
    out.push(match &table {
        Some(table) => hit.on(table),
        None => hit,
    });
}
