//! # mysql-foreign-key-copy
//!
//! **What:** on MySQL and MariaDB, `ADD CONSTRAINT … FOREIGN KEY` on a table that existed
//! before this migration while `foreign_key_checks` is on (the server's default).
//!
//! **Why:** with the checks on, InnoDB adds a foreign key only with `ALGORITHM=COPY`: it
//! copies the whole table to check every row, and writes to it wait until the copy ends. With
//! `foreign_key_checks = 0` the key is added in place, without a copy and without checking the
//! rows already there.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey`
//!   FOREIGN KEY (`authorId`) REFERENCES `User`(`id`);
//! ```
//!
//! **Safe alternative:** make sure no row breaks the key first (`drydock check` finds rows
//! without their parent), then add it with the checks off for that statement:
//!
//! ```sql
//! SET foreign_key_checks = 0;
//! ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey`
//!   FOREIGN KEY (`authorId`) REFERENCES `User`(`id`), ALGORITHM=INPLACE, LOCK=NONE;
//! SET foreign_key_checks = 1;
//! ```

use sqlparser::ast::{AlterTableOperation, TableConstraint};

use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4703",
    name: "mysql-foreign-key-copy",
    level: Level::Error,
    category: Category::Locking,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::GrowsWithTable,
    help: "check the rows first, then add the key between `SET foreign_key_checks = 0;` and \
           `SET foreign_key_checks = 1;`, which adds it in place",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    if cx.file.foreign_key_checks_off {
        return;
    }
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    let added = operations
        .iter()
        .filter(|operation| {
            matches!(
                operation,
                AlterTableOperation::AddConstraint {
                    constraint: TableConstraint::ForeignKey(_),
                    ..
                }
            )
        })
        .count();
    if added > 0 {
        out.push(
            Hit::new(
                &RULE,
                format!(
                    "adding a foreign key to `{table}` with `foreign_key_checks` on copies the \
                     table (ALGORITHM=COPY): writes to it wait until every row is copied"
                ),
            )
            .on(&table),
        );
    }
}
