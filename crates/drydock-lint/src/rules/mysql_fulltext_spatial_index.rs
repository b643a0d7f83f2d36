//! # mysql-fulltext-spatial-index
//!
//! **What:** on MySQL and MariaDB, a `FULLTEXT` or `SPATIAL` index created on a table that
//! existed before this migration (`CREATE FULLTEXT INDEX`, `CREATE SPATIAL INDEX`, or
//! `ALTER TABLE … ADD FULLTEXT|SPATIAL`).
//!
//! **Why:** unlike other secondary indexes, InnoDB builds these with writes blocked
//! (`LOCK=SHARED` at best): every `INSERT`, `UPDATE` and `DELETE` on the table waits for the
//! whole build. A table's first `FULLTEXT` index also rebuilds the table to add its hidden
//! `FTS_DOC_ID` column. With `--url` the message says whether this one is the first: the
//! live table shows a `FULLTEXT` index or the `FTS_DOC_ID` column (kept, hidden, after its
//! last `FULLTEXT` index is dropped, where the user may read InnoDB's tables).
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

use crate::mysql_ddl;
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
    for (table, kind) in mysql_ddl::fulltext_spatial_indexes(cx.statement) {
        if !cx.is_existing(&table) {
            continue;
        }
        // The files read, or the live table, may show the document id column is there.
        let has_doc_id = cx.history.fulltext_tables.contains(&table)
            || cx.live.is_some_and(|live| live.has_fulltext_doc_id);
        let rebuild = match (kind, has_doc_id, cx.live) {
            ("FULLTEXT", false, Some(_)) => {
                "; it is the table's first FULLTEXT index, so the table is also rebuilt to add \
                 the hidden FTS_DOC_ID column"
            }
            ("FULLTEXT", false, None) => "; a first FULLTEXT index also rebuilds the table",
            _ => "",
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
