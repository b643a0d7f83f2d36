//! # mysql-modify-drops-attributes
//!
//! **What:** on MySQL and MariaDB, a `MODIFY` or `CHANGE` of a column of a table that existed
//! before this migration that leaves out the column's `ON UPDATE` clause or its `COMMENT`, as
//! the files read wrote them or, with `--url`, as the live table has them.
//!
//! **Why:** `MODIFY` and `CHANGE` replace the column's whole definition: what the statement
//! does not restate is gone. A timestamp that the server set on every update (`ON UPDATE
//! CURRENT_TIMESTAMP`) silently stops moving, and the column's comment is lost. A migration
//! generated from a Prisma schema states neither, since the schema language has no words for
//! them, so any change of such a column drops them.
//!
//! **Bad:** the column was `DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE
//! CURRENT_TIMESTAMP(3)`:
//!
//! ```sql
//! ALTER TABLE `Audit` MODIFY `updatedAt` DATETIME(3) NULL;
//! ```
//!
//! **Safe alternative:** restate what the column keeps:
//!
//! ```sql
//! ALTER TABLE `Audit` MODIFY `updatedAt` DATETIME(3) NULL
//!   ON UPDATE CURRENT_TIMESTAMP(3) COMMENT 'last change';
//! ```

use sqlparser::ast::AlterTableOperation;

use crate::names::ident;
use crate::rule::{Category, Level, MYSQL_GRAMMAR, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};
use crate::state::RestatedAttributes;

pub const RULE: RuleInfo = RuleInfo {
    code: "D4708",
    name: "mysql-modify-drops-attributes",
    level: Level::Warning,
    category: Category::DataLoss,
    grammars: MYSQL_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "restate the column's `ON UPDATE` and `COMMENT` in the `MODIFY`, or drop them in a \
           statement of their own that says so",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    for operation in operations {
        let (column, options) = match operation {
            AlterTableOperation::ModifyColumn {
                col_name, options, ..
            } => (col_name, options),
            AlterTableOperation::ChangeColumn {
                old_name, options, ..
            } => (old_name, options),
            _ => continue,
        };
        let name = ident(column);
        let Some(before) = cx.column_before(&table, &name) else {
            continue;
        };
        let restated = RestatedAttributes::of(options);
        let mut dropped = Vec::new();
        if let (Some(on_update), None) = (&before.restated.on_update, &restated.on_update) {
            dropped.push(format!("`ON UPDATE {on_update}`"));
        }
        if let (Some(comment), None) = (&before.restated.comment, &restated.comment) {
            dropped.push(format!("its comment '{comment}'"));
        }
        if dropped.is_empty() {
            continue;
        }
        out.push(Hit::new(
            &RULE,
            format!(
                "restating `{table}`.`{name}` without {} drops {}: `MODIFY` and `CHANGE` \
                 replace the whole definition",
                dropped.join(" and "),
                if dropped.len() == 1 { "it" } else { "them" }
            ),
        ));
    }
}
