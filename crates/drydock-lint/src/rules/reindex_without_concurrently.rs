//! # reindex-without-concurrently
//!
//! **What:** `REINDEX` without `CONCURRENTLY` of an index, table, schema or database that
//! existed before this migration.
//!
//! **Why:** a plain `REINDEX` locks out writes to the table (and, for `REINDEX INDEX`, every
//! query that would use the index) until the whole index is rebuilt: minutes on a large table.
//!
//! **Bad:**
//!
//! ```sql
//! REINDEX TABLE "User";
//! ```
//!
//! **Safe alternative:** rebuild concurrently (PostgreSQL 12+), in a migration of its own
//! (drydock then runs it outside a transaction), or better outside migrations altogether:
//!
//! ```sql
//! REINDEX TABLE CONCURRENTLY "User";
//! ```
//!
//! With a database URL, a table under `--max-rows` rows (10,000 by default) gets a note
//! instead.

use sqlparser::tokenizer::Token;

use crate::mysql_ddl::{significant_tokens, table_after};
use crate::rule::{Category, Level, POSTGRES_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4211",
    name: "reindex-without-concurrently",
    level: Level::Error,
    category: Category::Locking,
    grammars: POSTGRES_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "use `REINDEX … CONCURRENTLY` (PostgreSQL 12+), alone in its migration",
};

/// What `REINDEX` rebuilds: `REINDEX [ ( options ) ] kind [ CONCURRENTLY ] name`.
const KINDS: &[&str] = &["INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"];

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if !statement.starts_with(&["REINDEX"]) || statement.words.iter().any(|w| w == "CONCURRENTLY") {
        return;
    }
    let tokens = significant_tokens(statement);
    let kind_at = tokens.iter().position(|token| {
        matches!(token, Token::Word(word) if word.quote_style.is_none()
            && KINDS.iter().any(|kind| word.value.eq_ignore_ascii_case(kind)))
    });
    let Some(kind_at) = kind_at else {
        return;
    };
    let kind = tokens[kind_at].to_string().to_uppercase();
    let target = table_after(&tokens, kind_at + 1);
    // A table (or an index of one) the same file created holds no rows yet.
    if kind == "TABLE"
        && let Some(table) = &target
        && !cx.is_existing(table)
    {
        return;
    }
    if kind == "INDEX"
        && let Some(index) = &target
        && cx.file.created_index(index)
    {
        return;
    }
    let what = target.as_ref().map_or_else(
        || kind.to_lowercase(),
        |t| format!("{} `{t}`", kind.to_lowercase()),
    );
    let hit = Hit::new(
        &RULE,
        format!(
            "`REINDEX` of {what} blocks writes to the tables it rebuilds until every index is \
             built again"
        ),
    );
    out.push(match (&target, kind.as_str()) {
        (Some(table), "TABLE") => hit.on(table),
        _ => hit,
    });
}
