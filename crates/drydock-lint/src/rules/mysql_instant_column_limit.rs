//! # mysql-instant-column-limit
//!
//! **What:** on MySQL 8.0.29 and later, an `ALTER TABLE` that adds or drops columns of a table
//! whose 64 row versions are used: by statements that added or dropped its columns since it
//! was created or last rebuilt in the files read, or, with `--url`, as the live server counts
//! them (`TOTAL_ROW_VERSIONS`) plus those this file used before. Only tables that existed
//! before this migration count. (MariaDB has no such limit.)
//!
//! **Why:** each instant `ADD COLUMN`/`DROP COLUMN` statement gives the table a new row
//! version, and a table holds at most 64. Once they are used up, `ALGORITHM=INSTANT` fails and
//! without it the server rebuilds the whole table (which starts the versions over).
//!
//! **Bad:** a 65th migration adding a column to the same table:
//!
//! ```sql
//! ALTER TABLE `Event` ADD COLUMN `extra65` INTEGER NULL;
//! ```
//!
//! **Safe alternative:** expect the rebuild and run it when the table is quiet (or rebuild on
//! purpose with `OPTIMIZE TABLE` at a quiet time, which starts the versions over);
//! `information_schema.INNODB_TABLES.TOTAL_ROW_VERSIONS` tells how many are used.

use crate::mysql_ddl::{self, ROW_VERSION_LIMIT as LIMIT};
use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4706",
    name: "mysql-instant-column-limit",
    level: Level::Note,
    category: Category::Locking,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "expect a table rebuild here and run it when the table is quiet; \
           `INNODB_TABLES.TOTAL_ROW_VERSIONS` tells how many versions are used",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    if cx
        .server
        .is_some_and(|server| server.is("MariaDB") || !server.at_least((8, 0, 29)))
    {
        return;
    }
    let (changes_columns, rebuilds) = mysql_ddl::row_version_change(cx.statement);
    if !changes_columns || rebuilds {
        return;
    }
    let Some(table) = mysql_ddl::statement_table(cx.statement) else {
        return;
    };
    if !cx.is_existing(&table) {
        return;
    }
    let (used, counted_live) =
        cx.history
            .row_versions_used(cx.file, &table, cx.live.and_then(|live| live.row_versions));
    if used >= LIMIT {
        let source = if counted_live {
            format!(
                "`{table}` has used {used} row versions (as the server counts them, with this \
                 file's column changes before this one)"
            )
        } else {
            format!(
                "`{table}` had columns added or dropped by at least {used} statements since it \
                 was created or rebuilt"
            )
        };
        out.push(Hit::new(
            &RULE,
            format!(
                "{source}: its {LIMIT} row versions are used up, so on MySQL 8.0.29 and later \
                 this change rebuilds the table (and fails with `ALGORITHM=INSTANT`)"
            ),
        ));
    }
}
