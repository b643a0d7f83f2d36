//! # narrowing-type-change
//!
//! **What:** a column's type changed to one that cannot hold every value of the old one: a
//! shorter `varchar`, `integer` from `bigint`, fewer digits of `numeric`, an integer from a
//! decimal. The old type comes from the migrations read before (so lint the whole folder).
//!
//! **Why:** values that do not fit make the migration fail while it holds an ACCESS EXCLUSIVE
//! lock (or, for decimals to integers, are silently rounded), and an app version still running
//! keeps sending values the column no longer takes.
//!
//! **Bad:**
//!
//! ```sql
//! ALTER TABLE "User" ALTER COLUMN "name" TYPE varchar(20);  -- was varchar(100)
//! ```
//!
//! **Safe alternative:** check the data first (`SELECT max(length("name")) FROM "User"`), and
//! prefer a `CHECK (length("name") <= 20) NOT VALID` constraint, validated later, over a
//! narrower type.

use sqlparser::ast::{AlterColumnOperation, AlterTableOperation};

use crate::names::ident;
use crate::rule::{Category, Level, RuleInfo};
use crate::rules::{Cx, Hit};
use crate::types::{TypeChange, compare};

pub const RULE: RuleInfo = RuleInfo {
    code: "D4104",
    name: "narrowing-type-change",
    level: Level::Error,
    category: Category::DataLoss,
    size_sensitive: false,
    help: "check that every value fits first, or keep the type and add a `CHECK … NOT VALID` \
           constraint instead",
};

pub(crate) fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let Some((table, operations)) = cx.alter_table() else {
        return;
    };
    if !cx.is_existing(&table) {
        return;
    }
    for operation in operations {
        let AlterTableOperation::AlterColumn {
            column_name,
            op:
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                },
        } = operation
        else {
            continue;
        };
        let column = ident(column_name);
        let old = cx.history.columns.get(&(table.clone(), column.clone()));
        let new = data_type.to_string();
        if let TypeChange::Narrowing(what) = compare(old.map(String::as_str), &new, using.is_some())
        {
            out.push(Hit::new(
                &RULE,
                format!(
                    "column `{column}` of `{table}` goes from {what}: values that do not fit fail \
                     the migration or are cut"
                ),
            ));
        }
    }
}
