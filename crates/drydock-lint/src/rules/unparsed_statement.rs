//! # unparsed-statement
//!
//! **What:** a statement the project's grammar (PostgreSQL, SQLite or MySQL) could not read.
//! Statements the rules read by their words are not reported (`CLUSTER`, `VACUUM`; on MySQL
//! `OPTIMIZE TABLE`, `CREATE FULLTEXT|SPATIAL INDEX`, and `ALTER TABLE` with `ENGINE=`,
//! `FORCE`, `CONVERT TO CHARACTER SET`, `ROW_FORMAT=` or `RENAME INDEX`).
//!
//! **Why:** the rules check statements by their syntax tree; one that cannot be read is not
//! checked at all (only the rules that look at its words, such as `cluster`, still see it).
//! Either the statement is not valid SQL for the database, or it uses syntax the grammar does
//! not know yet (`DO` blocks, some `CREATE FUNCTION` forms). MariaDB's `ALTER TABLE t WAIT n`
//! and `NOWAIT` are read without their wait clause.
//!
//! **Bad:**
//!
//! ```sql
//! DO $$ BEGIN PERFORM 1; END $$;
//! ```
//!
//! **Safe alternative:** review the statement by hand. The finding is a note and never fails
//! the run.

use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4001",
    name: "unparsed-statement",
    level: Level::Note,
    category: Category::Parse,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "the linter could not read this statement, so no rule checked it: review it by hand",
};

/// Statements known to be outside the grammar and handled by word-based rules, by their
/// first words.
const WORD_RULES: &[&[&str]] = &[
    &["CLUSTER"],
    &["VACUUM"],
    &["REINDEX"],
    &["ALTER", "DOMAIN"],
    &["DROP", "INDEX", "CONCURRENTLY"],
];

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let statement = cx.statement;
    if statement.ast.is_some() {
        return;
    }
    if WORD_RULES.iter().any(|words| statement.starts_with(words))
        || (statement.starts_with(&["ALTER", "TABLE"])
            && statement
                .words
                .windows(2)
                .any(|pair| pair == ["DETACH", "PARTITION"]))
        || crate::mysql_ddl::read_by_words(statement)
    {
        return;
    }
    let first = statement.words.first().map_or("this", String::as_str);
    out.push(Hit::new(
        &RULE,
        format!("the grammar could not read this `{first}` statement, so it was not checked"),
    ));
}
