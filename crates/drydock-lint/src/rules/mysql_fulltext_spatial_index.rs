//! # mysql-fulltext-spatial-index
//!
//! **What:** on MySQL and MariaDB, a `FULLTEXT` or `SPATIAL` index created on a table that
//! existed before this migration (`CREATE FULLTEXT INDEX`, `CREATE SPATIAL INDEX`, or
//! `ALTER TABLE … ADD FULLTEXT|SPATIAL`).
//!
//! **Why:** unlike other secondary indexes, InnoDB builds these with writes blocked
//! (`LOCK=SHARED` at best): every `INSERT`, `UPDATE` and `DELETE` on the table waits for the
//! whole build. A table's first `FULLTEXT` index also rebuilds the table to add its hidden
//! `FTS_DOC_ID` column.
//!
//! **Bad:**
//!
//! ```sql
//! CREATE FULLTEXT INDEX `Post_body_idx` ON `Post`(`body`);
//! ```
//!
//! **Safe alternative:** build it when the table is quiet or on a copy with an online schema
//! change tool (`gh-ost`, `pt-online-schema-change`); for a first `FULLTEXT` index, add an
//! `FTS_DOC_ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT` column with a unique
//! `FTS_DOC_ID_INDEX` when the table is created, so later ones need no rebuild.

use sqlparser::ast::{AlterTableOperation, Statement, TableConstraint};
use sqlparser::tokenizer::Token;

use crate::mysql_ddl;
use crate::names::TableName;
use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4704",
    name: "mysql-fulltext-spatial-index",
    level: Level::Error,
    category: Category::Locking,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "build it when the table is quiet or with an online schema change tool; give a table \
           its `FTS_DOC_ID` column when it is created",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for (table, kind) in indexes(cx) {
        if !cx.is_existing(&table) {
            continue;
        }
        let rebuild = if kind == "FULLTEXT" {
            " (a first FULLTEXT index also rebuilds the table)"
        } else {
            ""
        };
        out.push(
            Hit::new(
                &RULE,
                format!(
                    "a {kind} index on `{table}` is built with writes to the table blocked \
                     (LOCK=SHARED){rebuild}"
                ),
            )
            .on(&table),
        );
    }
}

/// The FULLTEXT and SPATIAL indexes the statement creates, with their tables.
fn indexes(cx: &Cx<'_>) -> Vec<(TableName, &'static str)> {
    let statement = cx.statement;
    match &statement.ast {
        Some(Statement::AlterTable(alter)) => {
            let table = TableName::from_object(&alter.name);
            alter
                .operations
                .iter()
                .filter_map(|operation| match operation {
                    AlterTableOperation::AddConstraint {
                        constraint: TableConstraint::FulltextOrSpatial(index),
                        ..
                    } => Some((
                        table.clone(),
                        if index.fulltext {
                            "FULLTEXT"
                        } else {
                            "SPATIAL"
                        },
                    )),
                    _ => None,
                })
                .collect()
        }
        Some(_) => Vec::new(),
        // `CREATE FULLTEXT|SPATIAL INDEX name ON table (…)` is outside the grammar.
        None => {
            let kind = if statement.starts_with(&["CREATE", "FULLTEXT", "INDEX"]) {
                "FULLTEXT"
            } else if statement.starts_with(&["CREATE", "SPATIAL", "INDEX"]) {
                "SPATIAL"
            } else {
                return Vec::new();
            };
            let tokens = mysql_ddl::significant_tokens(statement);
            let on = tokens.iter().position(
                |token| matches!(token, Token::Word(word) if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("ON")),
            );
            on.and_then(|on| mysql_ddl::table_after(&tokens, on + 1))
                .map(|table| vec![(table, kind)])
                .unwrap_or_default()
        }
    }
}
