//! # drop-column
//!
//! **What:** `ALTER TABLE … DROP COLUMN` on a table that existed before this migration.
//!
//! **Why:** the column's values are gone, and an app version still running that selects or
//! inserts the column fails until it is replaced.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" DROP COLUMN "nickname";
//! ```
//!
//! **Safe alternative:** deploy code that no longer uses the column (with Prisma, remove the
//! field and ship that first), back the values up if they matter, then drop the column in a
//! later migration marked with `-- drydock-lint-ignore drop-column`.

use sqlparser::ast::AlterTableOperation;

use crate::names::ident;
use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4102",
    name: "drop-column",
    level: Level::Error,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "ship code that no longer uses the column first, then drop it in a later migration \
           marked with `-- drydock-lint-ignore drop-column`",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_existing_table() else {
        return;
    };
    for operation in operations {
        if let AlterTableOperation::DropColumn { column_names, .. } = operation {
            for column in column_names {
                out.push(Hit::new(
                    &RULE,
                    format!(
                        "dropping column `{}` of `{table}` deletes its values",
                        ident(column)
                    ),
                ));
            }
        }
    }
}
