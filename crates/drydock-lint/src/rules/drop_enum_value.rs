//! # drop-enum-value
//!
//! **What:** an enum recreated without some of its values: the old type is renamed, a new one
//! created, columns moved over, and the old type dropped. This is how a removed enum value is
//! written (PostgreSQL cannot drop a value in place).
//!
//! **Why:** rows holding a removed value make the `USING … ::text::"Enum_new"` cast fail, and
//! the migration stops half-way; where it succeeds, an app version still writing the value
//! fails on every such write.
//!
//! **Bad:**
//!
//! ```sql
//! CREATE TYPE "Role_new" AS ENUM ('USER');
//! ALTER TABLE "User" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");
//! ALTER TYPE "Role" RENAME TO "Role_old";
//! ALTER TYPE "Role_new" RENAME TO "Role";
//! DROP TYPE "Role_old";
//! ```
//!
//! **Safe alternative:** first ship code that stops writing the value, update the rows that
//! hold it (`UPDATE "User" SET "role" = 'USER' WHERE "role" = 'ADMIN'`), then remove the value
//! in a later migration marked with `-- drydock-lint-ignore drop-enum-value`.

use sqlparser::ast::{ObjectType, Statement};

use crate::names::TableName;
use crate::rule::{Category, EVERY_GRAMMAR, Level, RuleInfo, SizeRule};
use crate::rules::{Cx, Hit};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4103",
    name: "drop-enum-value",
    level: Level::Error,
    category: Category::DataLoss,
    grammars: EVERY_GRAMMAR,
    size: SizeRule::Indifferent,
    help: "stop writing the value and update the rows holding it first; then recreate the enum \
           in a later migration",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some(Statement::Drop {
        object_type: ObjectType::Type,
        names,
        ..
    }) = &cx.statement.ast
    else {
        return;
    };
    for name in names {
        let dropped = TableName::from_object(name);
        // Only a type renamed away in this file is a recreated enum; a plain `DROP TYPE`
        // of an unused type loses nothing.
        let Some(original) = cx.file.renamed_types.get(&dropped) else {
            continue;
        };
        let old = cx.history.enums.get(&dropped);
        let new = cx.history.enums.get(original);
        let message = match (old, new) {
            (Some(old), Some(new)) => {
                let lost: Vec<String> = old
                    .iter()
                    .filter(|value| !new.contains(value))
                    .map(|value| format!("'{value}'"))
                    .collect();
                if lost.is_empty() {
                    continue;
                }
                let (them, values) = if lost.len() == 1 {
                    ("it", "value")
                } else {
                    ("them", "values")
                };
                format!(
                    "enum `{original}` is recreated without the {values} {}: rows holding \
                     {them} break the migration, and old app versions writing {them} fail",
                    lost.join(", ")
                )
            }
            _ => format!(
                "enum `{original}` is recreated and its old type `{dropped}` dropped: values \
                 missing from the new type are lost"
            ),
        };
        out.push(Hit::new(&RULE, message));
    }
}
